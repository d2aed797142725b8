# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The in-process runner of the action plugins: which path a task takes, and what running in the worker leaves."""

from __future__ import annotations

import json
import locale
import os
import signal
from pathlib import Path
from typing import Any, Iterator
from unittest.mock import MagicMock

import pytest

from ansible.module_utils.common import warnings as module_warnings
from ansible.plugins.action import ActionBase
from ansible.plugins.action.normal import ActionModule as NormalActionModule

from ansible_collections.onlyoffice.docspace.plugins.action.smtp_settings_info import ActionModule
from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _in_process, _warm_up
from ansible_collections.onlyoffice.docspace.plugins.plugin_utils._tested_cores import TESTED_CORES, release_series

INFO_FQN = "ansible_collections.onlyoffice.docspace.plugins.modules.smtp_settings_info"
API_KEY = "unit-api-key-Xr4Lw8Qp"


@pytest.mark.parametrize("value, enabled", [(None, True), ("", True), ("true", True), ("1", True),
                                            ("false", False), ("no", False), ("0", False), ("False", False)])
def test_switch(value: str | None, enabled: bool) -> None:
    """DOCSPACE_IN_PROCESS takes Ansible's booleans; unset means on."""
    environ = {} if value is None else {_in_process.SWITCH: value}
    assert _in_process.in_process_enabled(environ) is enabled


def test_switch_not_a_boolean_warns_and_keeps_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(_in_process.display, "warning", warnings.append)
    assert _in_process.in_process_enabled({_in_process.SWITCH: "sometimes"}) is True
    assert warnings and "DOCSPACE_IN_PROCESS='sometimes' is not a boolean" in warnings[0]


def _action(transport: str = "local", async_val: int = 0, become: bool = False) -> ActionModule:
    task = MagicMock(async_val=async_val, args={"base_url": "http://127.0.0.1:9", "api_key": API_KEY},
                     action="onlyoffice.docspace.smtp_settings_info", check_mode=False, diff=False, no_log=False,
                     environment=[{"DOCSPACE_UNIT_MARK": "from the task"}])
    connection = MagicMock(transport=transport, socket_path=None, become=None)
    connection._shell.tmpdir = None
    connection._shell.get_option.return_value = "~/.ansible/tmp"
    play_context = MagicMock(become=become, verbosity=0, executable="/bin/sh")
    templar = MagicMock()
    templar.template.side_effect = lambda value, *args, **kwargs: value
    return ActionModule(task, connection, play_context, MagicMock(), templar, MagicMock())


@pytest.mark.parametrize("action, module_name, wrap_async, expected", [
    (_action(), None, False, True),
    (_action(transport="ssh"), None, False, False),
    (_action(transport="docspace_stand_in"), None, False, False),
    (_action(async_val=10), None, False, False),
    (_action(), None, True, False),
    (_action(become=True), None, False, False),
    (_action(), "ansible.builtin.ping", False, False),
], ids=["local", "ssh", "another transport", "async", "wrap_async", "become", "another module"])
def test_which_path(action: ActionModule, module_name: str | None, wrap_async: bool, expected: bool,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_in_process.SWITCH, raising=False)
    assert action.runs_in_process(module_name, wrap_async) is expected


def test_switched_off_ships_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_in_process.SWITCH, "false")
    assert _action().runs_in_process(None, False) is False


def _run(args: dict[str, Any], environment: dict[str, str] | None = None) -> dict[str, Any]:
    return _in_process.run_module(INFO_FQN, _in_process.encode_module_args(args), environment or {})


def test_a_failing_module_prints_its_result_and_exits_1() -> None:
    """The module's own option check, printed as the module process would print it."""
    res = _run({"api_key": API_KEY, "_ansible_check_mode": False})
    assert res["rc"] == 1
    result = json.loads(res["stdout"])
    assert result["failed"] is True
    assert result["msg"].startswith("base_url is not set")
    # ansible-core 2.17 and 2.19 echo the options as `invocation` (2.21 leaves it out of a failure): masked.
    if "invocation" in result:
        assert result["invocation"]["module_args"]["api_key"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    # ansible-core 2.22 hands the no_log values the module found back to the controller, whose secret masker
    # registers them and takes the key out of the result (_internal/_task.py); a shipped module prints the same.
    new_secrets = result.pop("_ansible_new_secrets", [])
    assert new_secrets in ([], [API_KEY])
    assert API_KEY not in json.dumps(result)


def test_task_environment_reaches_the_module_and_is_taken_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """env_fallback reads the task's environment: the missing base_url comes from DOCSPACE_BASE_URL."""
    monkeypatch.delenv("DOCSPACE_BASE_URL", raising=False)
    res = _run({"api_key": API_KEY}, {"DOCSPACE_BASE_URL": "ftp://portal.example.test"})
    assert "must start with http:// or https://" in json.loads(res["stdout"])["msg"]
    assert "DOCSPACE_BASE_URL" not in os.environ


def test_the_environment_is_put_back_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the task's environment or the module changed, added or removed is undone; nothing else is touched."""
    monkeypatch.setenv("DOCSPACE_UNIT_KEPT", "worker")
    monkeypatch.setenv("DOCSPACE_UNIT_OVERRIDDEN", "worker")
    monkeypatch.setenv("DOCSPACE_UNIT_REMOVED", "worker")
    before = dict(os.environ)
    with _in_process._environment({"DOCSPACE_UNIT_OVERRIDDEN": "task", "DOCSPACE_UNIT_ADDED": "task"}):
        assert (os.environ["DOCSPACE_UNIT_OVERRIDDEN"], os.environ["DOCSPACE_UNIT_ADDED"]) == ("task", "task")
        del os.environ["DOCSPACE_UNIT_REMOVED"]
        os.environ["DOCSPACE_UNIT_KEPT"] = "module"
        os.environ["DOCSPACE_UNIT_SET_BY_MODULE"] = "module"
    assert dict(os.environ) == before


def test_worker_state_is_put_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Warnings recorded before stay out of the module's result and are still there after it; cwd and locale too."""
    module_warnings.warn("a warning of the controller")
    before = (module_warnings.get_warning_messages(), os.getcwd(), locale.setlocale(locale.LC_ALL))
    res = _run({"api_key": API_KEY})
    assert "warnings" not in json.loads(res["stdout"])
    assert (module_warnings.get_warning_messages(), os.getcwd(), locale.setlocale(locale.LC_ALL)) == before


def test_the_workers_stack_trace_signal_handler_is_put_back() -> None:
    """ansible-core 2.22's AnsibleModule installs its own SIGUSR1 handler; the worker's stays after the module."""
    def workers_handler(_signum: int, _frame: Any) -> None:
        """Stands in for the stack-trace handler of ansible-core's worker."""

    previous = signal.signal(signal.SIGUSR1, workers_handler)
    try:
        # Past AnsibleModule's own checks (where 2.22 installs its handler), then refused without a request.
        res = _run({"api_key": API_KEY, "base_url": "ftp://portal.example.test"})
        assert "must start with http:// or https://" in json.loads(res["stdout"])["msg"]
        assert signal.getsignal(signal.SIGUSR1) is workers_handler
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_an_exception_is_reported_as_the_wrapper_would(monkeypatch: pytest.MonkeyPatch) -> None:
    """An uncaught exception: traceback on stderr, exit code 1, nothing on stdout (2.17's AnsiballZ);
    2.19's loader prints a failed result instead."""
    def boom(*_args: Any, **_kwargs: Any) -> None:
        raise ValueError("broken module")

    monkeypatch.setattr(_in_process.runpy, "run_module", boom)
    if _in_process._loader is not None:
        monkeypatch.setattr(_in_process._loader.runpy, "run_module", boom)
    res = _run({"api_key": API_KEY})
    assert res["rc"] == 1
    assert "broken module" in res["stdout"] + res["stderr"]


def test_execute_module_in_process_returns_the_parsed_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """The action's own path end to end: internal args added, the task's environment applied, result parsed."""
    monkeypatch.delenv(_in_process.SWITCH, raising=False)
    seen: dict[str, Any] = {}

    def fake_run_module(module_fqn: str, json_params: bytes, environment: dict[str, str]) -> dict[str, Any]:
        seen.update(fqn=module_fqn, args=json.loads(json_params)["ANSIBLE_MODULE_ARGS"], env=environment)
        return {"rc": 0, "stderr": "",
                "stdout": json.dumps({"changed": False, "settings": {}, "warnings": []})}

    monkeypatch.setattr(_in_process, "run_module", fake_run_module)
    action = _action()
    result = action._execute_module(task_vars={})
    assert seen["fqn"] == INFO_FQN
    assert seen["args"]["_ansible_check_mode"] is False and seen["args"]["api_key"] == API_KEY
    assert seen["env"] == {"DOCSPACE_UNIT_MARK": "from the task"}
    # Parsed by this ansible-core's own code, which adds its bookkeeping keys (_ansible_parsed, failed) by version.
    assert result["changed"] is False and result["settings"] == {} and not result.get("warnings")
    # An action of another collection (the benchmark's reference module) names the package its module is in.
    action.modules_package = "ansible_collections.docspace_bench.reference.plugins.modules"
    action._execute_module(task_vars={})
    assert seen["fqn"] == "ansible_collections.docspace_bench.reference.plugins.modules.smtp_settings_info"


def test_preload_imports_what_every_task_would_import_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the strategy's import of the action plugin loads is inherited by every forked worker."""
    imported: list[str] = []
    profiles: list[tuple[Any, ...]] = []
    warmed_up: list[bool] = []
    monkeypatch.setattr(_in_process.importlib, "import_module", imported.append)

    def failing_warm_up() -> None:
        warmed_up.append(True)
        raise RuntimeError("a broken requests")

    monkeypatch.setattr(_warm_up, "warm_up", failing_warm_up)
    if _in_process.get_module_encoder is not None:
        monkeypatch.setattr(_in_process, "get_module_encoder", lambda *args: profiles.append(("encoder", *args)))
        monkeypatch.setattr(_in_process, "get_module_decoder", lambda *args: profiles.append(("decoder", *args)))
    _in_process.preload()
    # Every module_utils file of the collection, so that a new one is not imported again by every task.
    module_utils = Path(_in_process.__file__).parents[1] / "module_utils"
    package = "ansible_collections.onlyoffice.docspace.plugins.module_utils"
    assert sorted(imported) == sorted(f"{package}.{path.stem}" for path in module_utils.glob("_*.py"))
    # The client's first-request set-up, once (plugin_utils/_warm_up.py shows it sends nothing); its
    # failure does not stop the plugin from loading: the tasks report the same failure in their own words.
    assert warmed_up == [True]
    if _in_process.get_module_encoder is not None:  # ansible-core 2.19+: both directions, both ways
        assert {(kind, direction) for kind, _profile, direction in profiles} == {
            (kind, direction) for kind in ("encoder", "decoder") for direction in _in_process.Direction}
        assert {profile for _kind, profile, _direction in profiles} == {"legacy"}


def test_this_core_passes_its_interface_check() -> None:
    """Run by ansible-test units on every tested core: each release carries the proof that the worker path fits it."""
    assert release_series(_in_process.CORE_VERSION) in TESTED_CORES
    assert _in_process.core_mismatch() is None


@pytest.mark.parametrize("version, series", [("2.22.0rc1", "2.22"), ("2.22.0", "2.22"), ("2.19.14", "2.19"),
                                             ("2.23.0.dev0", "2.23"), ("2.100.1", "2.100")])
def test_release_series(version: str, series: str) -> None:
    assert release_series(version) == series


def test_an_untested_release_is_named_with_the_tested_ones() -> None:
    tested = ", ".join(TESTED_CORES)
    assert _in_process.core_mismatch("2.23.0") == f"ansible-core 2.23.0 is not among the tested releases ({tested})"
    assert _in_process.core_mismatch("2.18.9") is not None  # between two tested releases: not tested either


def _different_loader(*, json_params: bytes, profile: str, module_fqn: str, modlib_path: str,
                      extensions: dict[str, Any], init_globals: dict[str, Any] | None = None,
                      tracing: bool = False) -> None:
    raise AssertionError("the loader of a changed ansible-core must not be called")


def _different_update_module_args(self: Any, module_name: str, module_args: dict[str, Any], task_vars: Any,
                                  ignore_unknown_opts: bool = False, wrap_async: bool = False) -> None:
    raise AssertionError("a changed ActionBase must not be called")


@pytest.fixture
def changed_core(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private interface with parameters the tested releases do not have: the loader where this core has one."""
    _in_process._core_fit.cache_clear()
    if _in_process._loader is not None:
        monkeypatch.setattr(_in_process._loader, "run_module", _different_loader)
        changed = _in_process.LOADER_NAME
    else:  # ansible-core 2.17 runs the module with runpy: change an ActionBase method it calls instead
        monkeypatch.setattr(ActionBase, "_update_module_args", _different_update_module_args)
        changed = "ActionBase._update_module_args"
    yield changed
    _in_process._core_fit.cache_clear()


def test_a_changed_private_interface_is_named(changed_core: str) -> None:
    mismatch = _in_process.core_mismatch()
    assert mismatch is not None
    assert mismatch.startswith(f"ansible-core {_in_process.CORE_VERSION}: {changed_core}() takes (")
    assert "where the tested releases take (" in mismatch


def _ship_or_run(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, list[Any]], list[str]]:
    """Record which path each task takes, and the lines shown at -vvv."""
    calls: dict[str, list[Any]] = {"in-process": [], "shipped": []}
    lines: list[str] = []
    monkeypatch.delenv(_in_process.SWITCH, raising=False)

    def run_in_worker(*args: Any) -> dict[str, Any]:
        calls["in-process"].append(args)
        return {"rc": 0, "stderr": "", "stdout": json.dumps({"changed": False})}

    def ship(self: Any, **kwargs: Any) -> dict[str, Any]:
        calls["shipped"].append(kwargs)
        return {"changed": False}

    monkeypatch.setattr(_in_process, "run_module", run_in_worker)
    monkeypatch.setattr(NormalActionModule, "_execute_module", ship)
    monkeypatch.setattr(_in_process.display, "vvv", lambda msg, *args, **kwargs: lines.append(msg))
    return calls, lines


def test_a_changed_core_ships_the_module_once_and_says_why(changed_core: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls, lines = _ship_or_run(monkeypatch)
    assert _action()._execute_module(task_vars={}) == {"changed": False}
    assert calls["in-process"] == [] and len(calls["shipped"]) == 1
    assert lines == [f"in-process path off: {_in_process.core_mismatch()}; smtp_settings_info is shipped as a module process"]
    assert changed_core in lines[0]


def test_an_untested_release_ships_the_module_once_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    _in_process._core_fit.cache_clear()
    monkeypatch.setattr(_in_process, "CORE_VERSION", "2.23.0")
    calls, lines = _ship_or_run(monkeypatch)
    try:
        _action()._execute_module(task_vars={})
    finally:
        _in_process._core_fit.cache_clear()
    assert calls["in-process"] == [] and len(calls["shipped"]) == 1
    assert lines == ["in-process path off: ansible-core 2.23.0 is not among the tested releases "
                     f"({', '.join(TESTED_CORES)}); smtp_settings_info is shipped as a module process"]


def test_a_fitting_core_runs_the_module_in_the_worker_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same recording as above, on this (tested) core: the task is not shipped, and nothing is said at -vvv."""
    calls, lines = _ship_or_run(monkeypatch)
    _action()._execute_module(task_vars={})
    assert len(calls["in-process"]) == 1 and calls["shipped"] == []
    assert not [line for line in lines if line.startswith("in-process path off")]
