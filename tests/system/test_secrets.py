# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Secrets never come back out: one playbook that handles every kind of secret, run three ways.

The playbook saves, re-saves, checks, fails, tests and runs the role with API keys, admin passwords,
login tokens and SMTP passwords, then prints the emulator's request log through Ansible. It runs
at -vvv with --diff (what a person sees), with the JSON callback and --diff (every returned value,
diff and warning), and at -vvv with --check --diff. Every output is searched for every secret the suite
knows (the harness does that for each run of the whole suite, too), and so is the emulator's own log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ansible.release import __version__ as CORE_VERSION
from conftest import SETTINGS_PATH, SMTP_PASSWORD, SMTP_PASSWORD_OTHER, connection, play

import harness

# What ansible-core prints in place of a no_log option in the -vvv `invocation`: up to 2.21 the result itself
# holds the placeholder; 2.22 keeps the value in the result and its display masks every registered secret.
NO_LOG_PLACEHOLDER = ("$REDACTED$" if tuple(int(part) for part in CORE_VERSION.split(".")[:2]) >= (2, 22)
                      else "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER")

WRONG_API_KEY = "sk-portal1-admin-0000wrongwrongwrongwrong0000"
WRONG_ADMIN_PASSWORD = "wrong-admin-pw-Pz8Qm3Lx"
harness.register_secret("a wrong API key", WRONG_API_KEY)
harness.register_secret("a wrong admin password", WRONG_ADMIN_PASSWORD)


class Vault:
    """The secrets of one playbook, kept out of its tasks: tasks get "{{ name }}", the values go to -e @file."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def __call__(self, name: str, value: str) -> str:
        self.values[name] = value
        return "{{ %s }}" % name

    def connection(self, portal: Any, auth: str = "api_key") -> dict[str, Any]:
        """conftest.connection with its secrets replaced by references."""
        options = connection(portal, auth)
        for key in ("api_key", "auth_password"):
            if key in options:
                options[key] = self(f"{portal.name}_{key}", options[key])
        return options


def _relay(emulator: Any, password: str | None, **extra: Any) -> dict[str, Any]:
    """smtp_settings options for the emulator's plain SMTP listener with its mailer account."""
    account = emulator.smtp.info()["accounts"][0]
    return {"host": "127.0.0.1", "port": emulator.smtp.info()["listeners"]["plain"],
            "sender_address": "noreply@portal.docspace.test", "username": account["username"], "password": password,
            **extra}


def _role(name: str, variables: dict[str, Any], expect_failure: bool = False) -> dict[str, Any]:
    """The role in a block; a failure is kept by the rescue so that the play goes on."""
    block = {"name": name, "block": [{"name": f"{name} (role)", "ansible.builtin.include_role":
                                      {"name": "onlyoffice.docspace.smtp"}, "vars": variables}]}
    if expect_failure:
        block["rescue"] = [{"name": f"{name} (failed as expected)", "ansible.builtin.debug": {"var": "ansible_failed_result"}}]
    return block


def _playbook(emulator: Any, portals: list[Any], vault: Vault) -> list[dict[str, Any]]:
    """Every secret-handling path once; tasks expected to fail ignore their errors."""
    modules, login, role, faulty, slow = portals
    relay_password = vault("relay_password", emulator.smtp.info()["accounts"][0]["password"])
    refused_password = vault("refused_password", SMTP_PASSWORD_OTHER)
    other_password = vault("other_password", SMTP_PASSWORD)
    api, admin = vault.connection(modules), vault.connection(login, "login")
    settings = "onlyoffice.docspace.smtp_settings"
    failing = {"ignore_errors": True}
    role_vars = {"docspace_base_url": role.base_url, "docspace_api_key": vault.connection(role)["api_key"],
                 **{f"docspace_smtp_{key}": value for key, value in _relay(emulator, relay_password).items()},
                 "docspace_smtp_test": "always"}
    role_login = vault.connection(role, "login")
    role_login_vars = {**{key: value for key, value in role_vars.items() if key != "docspace_api_key"},
                       "docspace_auth_username": role_login["auth_username"],
                       "docspace_auth_password": role_login["auth_password"],
                       "docspace_smtp_update_password": "always"}
    tasks: list[dict[str, Any]] = [
        {"name": "save with authentication", settings: {**api, **_relay(emulator, relay_password)}},
        {"name": "save again", settings: {**api, **_relay(emulator, relay_password)}},
        {"name": "save with update_password always", settings: {**api, **_relay(emulator, relay_password),
                                                                "update_password": "always"}},
        {"name": "predict a change", settings: {**api, **_relay(emulator, relay_password, sender_display_name="New")},
         "check_mode": True},
        {"name": "predict a change without password", settings: {**api, **_relay(emulator, None, port=2525)},
         "check_mode": True},
        {"name": "a change without password fails", settings: {**api, **_relay(emulator, None, port=2525)}, **failing},
        {"name": "test mail with the stored password", "onlyoffice.docspace.smtp_test": {**api, "poll_interval": 0.2}},
        {"name": "save a password the relay refuses", settings: {**api, **_relay(emulator, refused_password),
                                                                 "update_password": "always"}},
        {"name": "test mail with the refused password", "onlyoffice.docspace.smtp_test": {**api, "poll_interval": 0.2},
         **failing},
        {"name": "credentials ignored without authentication", settings: {**api, **_relay(emulator, other_password),
                                                                          "enable_auth": False}},
        {"name": "use_ntlm warning", settings: {**api, **_relay(emulator, other_password), "use_ntlm": True}},
        {"name": "read", "onlyoffice.docspace.smtp_settings_info": api},
        {"name": "save after a login", settings: {**admin, **_relay(emulator, relay_password)}},
        {"name": "test mail after a login", "onlyoffice.docspace.smtp_test": {**admin, "poll_interval": 0.2}},
        {"name": "a wrong API key", "onlyoffice.docspace.smtp_settings_info":
            {**api, "api_key": vault("wrong_api_key", WRONG_API_KEY)}, **failing},
        {"name": "a wrong admin password", "onlyoffice.docspace.smtp_settings_info":
            {**admin, "auth_password": vault("wrong_admin_password", WRONG_ADMIN_PASSWORD)}, **failing},
        {"name": "a save that meets 503 until it gives up",
         settings: {**vault.connection(faulty), **_relay(emulator, other_password)}, **failing},
        {"name": "a save slower than the timeout",
         settings: {**vault.connection(slow), **_relay(emulator, other_password), "timeout": 1}, **failing},
        _role("the role with an API key", role_vars),
        _role("the role after a login", role_login_vars),
        _role("the role with a refused password", {**role_vars, "docspace_smtp_password": refused_password,
                                                   "docspace_smtp_update_password": "always"}, expect_failure=True),
        {"name": "the emulator's request log", "ansible.builtin.uri": {"url": f"{modules.base_url}/_emulator/requests"},
         "register": "request_log"},
        {"name": "print the request log", "ansible.builtin.debug": {"var": "request_log.json"}},
    ]
    return play(tasks, name="every secret, every path")


def _prepare(portals: list[Any]) -> None:
    """Fresh portals; the fourth fails every save, the fifth answers saves too late."""
    for portal in portals:
        portal.reset()
    portals[3].add_fault(method="POST", path=SETTINGS_PATH, kind="status", status=503, count=None)
    portals[4].add_fault(method="POST", path=SETTINGS_PATH, kind="delay", delay=3, count=None)


VARIANTS = {"json --diff": (True, ("--diff",)), "-vvv --diff": (False, ("-vvv", "--diff")),
            "-vvv --check --diff": (False, ("-vvv", "--check", "--diff"))}


REPORT_FILES = ("smtp-report.json", "smtp-report.md", "smtp-report.html")
# Every module result echoes the task's options as `invocation` (ansible-core 2.21+ leaves it out unless asked;
# older releases ignore the variable and always echo them), so that every no_log option is in every output.
ECHO_OPTIONS = {"ANSIBLE_INJECT_INVOCATION": "true"}


def _with_report(directory: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """Environment that makes the run write the smtp_report callback's three files into directory."""
    return {**(env or {}), "ANSIBLE_CALLBACKS_ENABLED": "onlyoffice.docspace.smtp_report",
            "DOCSPACE_REPORT_DIR": str(directory), **ECHO_OPTIONS}


@pytest.fixture(scope="module")
def secret_runs(emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, harness.PlaybookRun]:
    """The playbook run three ways side by side (five portals each), and the connection taken from the
    controller's environment (DOCSPACE_BASE_URL, DOCSPACE_API_KEY) at -vvv; returns the runs by label.
    Every run also writes the fleet report (smtp_report callback), which is searched like the output."""
    groups = {label: emulator.add_portals(5) for label in VARIANTS}
    env_portal = emulator.add_portals(1)[0]
    reports = {label: tmp_path_factory.mktemp("report") for label in [*VARIANTS, "environment -vvv"]}
    jobs = []
    for label, (json_results, args) in VARIANTS.items():
        _prepare(groups[label])
        vault = Vault()
        jobs.append({"plays": _playbook(emulator, groups[label], vault), "args": args, "json_results": json_results,
                     "extra_vars": vault.values, "label": f"the secrets playbook {label}",
                     "env": _with_report(reports[label])})
    env = {"DOCSPACE_BASE_URL": env_portal.base_url, "DOCSPACE_API_KEY": env_portal.info()["admin"]["api_key"]}
    jobs.append({"plays": play([{"name": "connection from the environment",
                                 "onlyoffice.docspace.smtp_settings_info": {}}]),
                 "args": ("-vvv",), "json_results": False, "env": _with_report(reports["environment -vvv"], env),
                 "label": "the connection from the environment"})
    runs = dict(zip([*VARIANTS, "environment -vvv"], harness.run_parallel(jobs)))
    groups["environment -vvv"] = [env_portal]
    for label, run in runs.items():
        run.extra["request_log"] = json.dumps([portal.requests() for portal in groups[label]])
        run.extra["tokens"] = [token for portal in groups[label] for token in portal.credentials.tokens]
        run.extra["report"] = "\n".join((reports[label] / name).read_text(encoding="utf-8") for name in REPORT_FILES)
    return runs


def test_the_playbook_exercised_every_path(secret_runs: dict[str, harness.PlaybookRun]) -> None:  # pylint: disable=redefined-outer-name
    """The run with JSON results did what each task name says (else the search below proves little)."""
    run = secret_runs["json --diff"]
    changed = {name: run.task(name)["changed"] for name in
               ("save with authentication", "save again", "save with update_password always", "predict a change")}
    assert changed == {"save with authentication": True, "save again": False,
                       "save with update_password always": True, "predict a change": True}
    assert run.task("save with authentication")["diff"]["after"]["password"] == "(will be sent, not shown)"
    assert run.task("predict a change without password")["warnings"]
    assert run.task("credentials ignored without authentication")["warnings"]
    assert run.task("use_ntlm warning")["warnings"]
    for name in ("a change without password fails", "test mail with the refused password", "a wrong API key",
                 "a wrong admin password", "a save that meets 503 until it gives up", "a save slower than the timeout"):
        assert run.entry(name)["status"] == "failed", name
    assert run.entry("test mail with the stored password")["status"] == "ok"
    assert run.entry("test mail after a login")["status"] == "ok"
    assert secret_runs["environment -vvv"].rc == 0, secret_runs["environment -vvv"].output[-2000:]
    assert run.entry("the role with a refused password (failed as expected)")["status"] == "ok"
    assert run.extra["tokens"], "no login token was issued, so none was searched for"
    assert '"credentialsUserPassword": "********"' in run.extra["request_log"]


@pytest.mark.parametrize("label", [*VARIANTS, "environment -vvv"])
def test_no_secret_in_any_output(label: str, secret_runs: dict[str, harness.PlaybookRun]) -> None:  # pylint: disable=redefined-outer-name
    """Zero hits: in everything Ansible printed, and in the emulator's request log."""
    run = secret_runs[label]
    secrets = {**harness.SCAN.secrets, **{f"login token {index}": token for index, token in enumerate(run.extra["tokens"])}}
    assert len(secrets) >= 10
    found = [name for name, secret in secrets.items()
             if harness.leaked_form(secret, run.output) or harness.leaked_form(secret, run.extra["request_log"])
             or harness.leaked_form(secret, run.extra["report"])]
    assert found == []
    assert "SMTP report" in run.extra["report"] and '"rows"' in run.extra["report"]
    assert NO_LOG_PLACEHOLDER in run.output
