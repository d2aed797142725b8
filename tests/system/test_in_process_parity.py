# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module run in Ansible's worker (local connection) and shipped as a module process give the same results.

The same playbooks run twice on the same portals, reset in between: once as by default, once with
DOCSPACE_IN_PROCESS=false. Compared are every task's status and whole result, timing fields aside: the
task-based integration targets (smtp_settings_info, smtp_test, with module_defaults of the action group),
the bad-input table and the secrets playbook (check mode, --diff, no_log, warnings, failures). The harness
searches both runs' output for every secret, as it does for every run of the suite. A task delegated to a
host behind another connection (the test-only docspace_stand_in) is always shipped.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import play, start_emulator
from test_bad_input import CASES
from test_bad_input import _tasks as bad_input_tasks
from test_secrets import Vault, _playbook as secrets_playbook, _prepare as secrets_prepare

import harness

TARGETS = Path(__file__).resolve().parents[1] / "integration" / "targets"
CONNECTION_PLUGINS = str(Path(__file__).resolve().parent / "connection_plugins")
IN_PROCESS, SHIPPED = "in-process", "shipped"
SWITCH = {IN_PROCESS: {}, SHIPPED: {"DOCSPACE_IN_PROCESS": "false"}}
# How long something took differs from run to run; so do the emulator's clock readings, async job ids, how
# many polls (attempts) an async job took, and how much of a rate limit's window was left (retry_after).
VOLATILE_KEYS = frozenset(("seconds", "elapsed", "start", "end", "delta", "date", "time", "started", "finished",
                           "ansible_job_id", "results_file", "attempts", "retry_after", "ready_after"))
# ansible-core lists the valid booleans from a set, in an order that changes with every process's hash seed.
BOOLEANS = re.compile(r"(Valid booleans include: )(.*)$")
# Each test mail job has its own id.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PROGRESS = re.compile(r"last progress: step '[^']*' \(\d+ %\)")
# A rate limit's seconds left, in its message ("Retry-After: 898 s", "Run again after 898 s").
RETRY_SECONDS = re.compile(r"(Retry-After: |again after )\d+ s\b")
IN_WORKER_NOTE = "in the worker process"
SHIPPED_NOTE = "AnsiballZ_smtp_settings_info.py"
COLLECTION = "onlyoffice.docspace."


@pytest.fixture(scope="module")
def emulators() -> Iterator[tuple[Any, Any]]:
    """What ansible-test's integration_config.yml gives the targets: eight HTTP portals and one HTTPS portal."""
    http, https = start_emulator(portals=8), start_emulator(portals=1, https=True)
    try:
        yield http, https
    finally:
        http.stop()
        https.stop()


def _reset(*emulators: Any) -> None:
    for emulator in emulators:
        for portal in emulator.portals:
            portal.reset()


def _stable(value: Any) -> Any:
    """The value without timing fields and job ids, at any depth, with ansible-core's list of booleans sorted.

    How far a job that is still running had got when the wait ended depends on timing too: its step and
    percents (in `operation` and in the timeout's message) are left out; a finished job's stay.
    """
    if isinstance(value, dict):
        running = value.get("completed") is False and "percents" in value
        return {key: _stable(item) for key, item in value.items()
                if key not in VOLATILE_KEYS and not (running and key in ("percents", "status"))}
    if isinstance(value, list):
        return [_stable(item) for item in value]
    if isinstance(value, str):
        value = PROGRESS.sub("last progress: <step>", UUID.sub("<job id>", value))
        value = RETRY_SECONDS.sub(lambda match: f"{match[1]}<seconds> s", value)
        return BOOLEANS.sub(lambda match: match[1] + ", ".join(sorted(match[2].split(", "))), value)
    return value


def _both(prepare: Any, plays: Any, **options: Any) -> dict[str, harness.PlaybookRun]:
    """Run the plays in each path, one after the other, preparing the portals before each run."""
    runs = {}
    extra_env, args = options.pop("env", {}), options.pop("args", ())
    for path, env in SWITCH.items():
        prepare()
        runs[path] = harness.run_playbook(plays(), *args, env={**extra_env, **env}, label=f"{path} parity run",
                                          **options)
    return runs


def _replaced(text: str, words: set[str], by: str) -> str:
    for word in words:
        text = re.sub(rf"\b{re.escape(word)}\b", by, text)
    return text


def _diff(in_process: dict[str, Any], shipped: dict[str, Any]) -> str:
    before, after = (json.dumps(record, indent=1, sort_keys=True).splitlines() for record in (in_process, shipped))
    return "\n".join(difflib.unified_diff(before, after, IN_PROCESS, SHIPPED, lineterm=""))


def _assert_same_results(runs: dict[str, harness.PlaybookRun], skip: tuple[str, ...] = (),
                         skip_result_keys: tuple[str, ...] = ()) -> int:
    """Every task's record is the same in both runs (but the tasks named in skip, and those whose result has
    one of skip_result_keys); returns how many were compared."""
    records = {path: [_stable(record) for record in run.results if record["task"] not in skip
                      and not set(skip_result_keys) & set(record["result"])]
               for path, run in runs.items()}
    assert records[IN_PROCESS], runs[IN_PROCESS].output[-3000:]
    assert [r["task"] for r in records[IN_PROCESS]] == [r["task"] for r in records[SHIPPED]]
    for in_process, shipped in zip(records[IN_PROCESS], records[SHIPPED]):
        assert in_process == shipped, _diff(in_process, shipped)
    return len(records[IN_PROCESS])


def _run_target(target: str, variables: dict[str, Any], env: dict[str, str]) -> harness.PlaybookRun:
    """Run an integration target as ansible-test does (as a role), outside the harness's secret search.

    The targets keep the emulator's whole info (its test accounts' passwords) in facts, which the JSON
    callback prints; ansible-test prints them too. What our modules return is searched by the other tests.
    """
    return harness.ANSIBLE.run(play([], name=target, roles=[str(TARGETS / target)], vars=variables), env=env,
                               timeout=900)


@pytest.mark.parametrize("target", ["smtp_settings_info", "smtp_test"])
def test_integration_target(target: str, emulators: tuple[Any, Any]) -> None:
    """The target passes in both paths with the same result for every task but its reads of the emulator."""
    http, https = emulators
    variables = {"docspace_emulator": http.info(), "docspace_emulator_https": https.info()}
    runs = {}
    for path, env in SWITCH.items():
        _reset(http, https)
        runs[path] = _run_target(target, variables, env)
        assert runs[path].rc == 0, f"{path}: {runs[path].output[-3000:]}"
    # Compared are the results of the collection's modules (by the task's action: ansible-core 2.21+ returns no
    # `invocation`); the targets' own tasks read the emulator (request log sequence numbers, how many status reads
    # a job took) and passed in both runs. A relay port that nothing listens on is picked at random for each run,
    # and the module's message names it.
    for run in runs.values():
        ports = {record["result"]["stdout"] for record in run.results if "getsockname" in str(record["result"].get("cmd"))}
        ours = {task.name for task in run.tasks if task.action.startswith(COLLECTION)}
        run.results = [json.loads(_replaced(json.dumps(record), ports, "<free port>")) for record in run.results
                       if record["task"] in ours]
    assert _assert_same_results(runs) >= 8


def test_bad_input(emulators: tuple[Any, Any]) -> None:
    """Every row of the bad-input table fails the same way, with the same message, in both paths."""
    http = emulators[0]
    portal = http.portals[0]
    tasks = [task for case in CASES for task in bad_input_tasks(case.name, portal)]
    runs = _both(lambda: _reset(http), lambda: play(tasks))
    assert _assert_same_results(runs) >= len(CASES)
    assert portal.requests() == []


@pytest.mark.parametrize("args", [("--diff",), ("--check", "--diff")], ids=["diff", "check-diff"])
def test_secrets_playbook(args: tuple[str, ...], emulators: tuple[Any, Any]) -> None:
    """Saves, tests, failures, warnings and the role give the same masked results in both paths."""
    http = emulators[0]
    portals = http.portals[:5]
    vault = Vault()
    plays = secrets_playbook(http, portals, vault)
    # The emulator's request log holds its own clock readings and ports of each connection.
    runs = _both(lambda: secrets_prepare(portals), lambda: plays, extra_vars=vault.values, args=args)
    assert _assert_same_results(runs, skip=("the emulator's request log", "print the request log")) > 15


def test_which_path_runs(emulators: tuple[Any, Any]) -> None:
    """Local tasks run in the worker unless switched off; a task delegated to another connection is shipped."""
    http = emulators[0]
    portal = http.portals[0]
    info = portal.info()
    options = {"base_url": info["base_url"], "api_key": info["admin"]["api_key"]}
    read = {"onlyoffice.docspace.smtp_settings_info": options}
    tasks = [{"name": "on the controller", **read},
             {"name": "on a stand-in remote host", **read, "delegate_to": "faraway"}]
    inventory = {"localhost": {}, "faraway": {"ansible_connection": "docspace_stand_in",
                                              "ansible_python_interpreter": sys.executable}}
    env = {"ANSIBLE_CONNECTION_PLUGINS": CONNECTION_PLUGINS}
    local_only = play(tasks[:1])
    default = harness.run_playbook(play(tasks), "-vvv", inventory=inventory, json_results=False, env=env,
                                   label="in-process default")
    switched_off = harness.run_playbook(local_only, "-vvv", json_results=False,
                                        env={**env, "DOCSPACE_IN_PROCESS": "false"}, label="in-process off")
    assert default.rc == 0 and switched_off.rc == 0, default.output[-3000:] + switched_off.output[-3000:]
    assert default.output.count(IN_WORKER_NOTE) == 1
    assert default.output.count(SHIPPED_NOTE) >= 1
    assert "EXEC" in default.output.split("TASK [on a stand-in remote host]")[1]
    assert IN_WORKER_NOTE not in switched_off.output and SHIPPED_NOTE in switched_off.output
