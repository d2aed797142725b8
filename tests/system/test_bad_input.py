# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad input to every module and to the role: a clear failure, and not one request reaches the portal.

Each row of CASES is one task (or one inclusion of the role) on its own portal:
  name | module or role | options (merged over a valid task) | words the failure message must hold.
A valid task is given in full and the row changes or removes (None) what it tests, so that the one
mistake in the row is the only one. The role's cases run in a block whose rescue keeps the error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from conftest import SMTP_PASSWORD, TableRun, connection, run_table

import harness

SETTINGS, INFO, TEST, ROLE = "smtp_settings", "smtp_settings_info", "smtp_test", "role smtp"
UNSET = None  # an option the row removes from the valid task
URL_PASSWORD = "url-embedded-pw-Hq4Xc8Jv"
harness.register_secret("password inside base_url", URL_PASSWORD)

VALID_SETTINGS = {"host": "smtp.example.test", "port": 587, "sender_address": "noreply@example.test",
                  "sender_display_name": "Example", "enable_ssl": True, "username": "mailer@example.test",
                  "password": SMTP_PASSWORD}
VALID_ROLE = {"docspace_smtp_host": "smtp.example.test", "docspace_smtp_port": 587,
              "docspace_smtp_sender_address": "noreply@example.test", "docspace_smtp_username": "mailer@example.test",
              "docspace_smtp_password": SMTP_PASSWORD, "docspace_smtp_test": "never"}


@dataclass(frozen=True)
class Case:
    """One row: where the mistake goes, what it is, and the words that must explain it."""

    name: str
    target: str
    options: dict[str, Any]
    message: tuple[str, ...]


CASES = [
    # --- smtp_settings: types and ranges -----------------------------------------------------------------
    Case("port is not a number", SETTINGS, {"port": "twenty-five"}, ("port", "int")),
    Case("enable_ssl is not a boolean", SETTINGS, {"enable_ssl": "maybe"}, ("enable_ssl", "bool")),
    Case("timeout 0", SETTINGS, {"timeout": 0}, ("timeout must be a positive number",)),
    Case("timeout is not a number", SETTINGS, {"timeout": "soon"}, ("timeout", "int")),
    # --- the settings model's rules: each message is a unit test (test_smtp_settings_model.py); one row each
    # for a missing and an empty value shows them in a whole run ---------------------------------------------
    Case("host missing", SETTINGS, {"host": UNSET}, ("state is present", "host")),
    Case("host empty", SETTINGS, {"host": ""}, ("host must not be empty",)),
    Case("sender missing", SETTINGS, {"sender_address": UNSET}, ("state is present", "sender_address")),
    Case("sender as a display form", SETTINGS, {"sender_address": "Mailer <noreply@example.test>"},
         ("use sender_address: noreply@example.test and sender_display_name: Mailer",)),
    # --- base_url: each rule is a unit test (test_urls.py); here the ones a run must show ----------
    Case("base_url without scheme", SETTINGS, {"base_url": "{netloc}"}, ("base_url", "http:// or https://")),
    Case("base_url with ftp scheme", SETTINGS, {"base_url": "ftp://{netloc}/"}, ("base_url", "http:// or https://")),
    Case("base_url carrying a password", SETTINGS, {"base_url": f"http://admin:{URL_PASSWORD}@{{netloc}}/"},
         ("base_url", "credentials")),
    Case("base_url missing", SETTINGS, {"base_url": UNSET}, ("base_url",)),
    # --- authentication: conflicting or missing ---------------------------------------------------------
    Case("api_key and auth_username together", SETTINGS,
         {"auth_username": "admin@example.test", "auth_password": "admin-pw-Kq2Wc7Rb"}, ("both an API key and a login are set",)),
    Case("no credentials at all", SETTINGS, {"api_key": UNSET}, ("no credentials are set",)),
    Case("auth_username without auth_password", SETTINGS, {"api_key": UNSET, "auth_username": "admin@example.test"},
         ("auth_username is set without auth_password",)),
    Case("enable_auth without username", SETTINGS, {"enable_auth": True, "username": UNSET},
         ("username", "required")),
    # --- unknown options, unsupported choices -------------------------------------------------------------
    Case("unknown option", SETTINGS, {"hostname": "smtp.example.test"}, ("Unsupported parameters", "hostname")),
    Case("unsupported state", SETTINGS, {"state": "deleted"}, ("state", "present, absent")),
    Case("unsupported update_password", SETTINGS, {"update_password": "sometimes"},
         ("update_password", "on_change, always")),
    # --- smtp_settings_info and smtp_test -------------------------------------------------------------------
    Case("info: unknown option", INFO, {"host": "smtp.example.test"}, ("Unsupported parameters", "host")),
    Case("info: negative timeout", INFO, {"timeout": -5}, ("timeout must be a positive number",)),
    Case("info: base_url without scheme", INFO, {"base_url": "{netloc}/docspace"}, ("base_url",)),
    Case("test: negative wait timeout", TEST, {"wait_timeout": -1}, ("wait_timeout must be 0 or more",)),
    Case("test: poll_interval 0", TEST, {"poll_interval": 0}, ("poll_interval must be more than 0",)),
    Case("test: wait is not a boolean", TEST, {"wait": "perhaps"}, ("wait", "bool")),
    Case("test: timeout 0", TEST, {"timeout": 0}, ("timeout must be a positive number",)),
    Case("test: unknown option", TEST, {"host": "smtp.example.test"}, ("Unsupported parameters", "host")),
    # --- the role: argument_specs.yml, its cross-variable checks and the module behind it ----------------
    Case("role: port is not a number", ROLE, {"docspace_smtp_port": "twenty-five"}, ("docspace_smtp_port", "int")),
    Case("role: unsupported state", ROLE, {"docspace_smtp_state": "gone"}, ("docspace_smtp_state", "present")),
    Case("role: unsupported test choice", ROLE, {"docspace_smtp_test": "sometimes"}, ("docspace_smtp_test",)),
    Case("role: host missing", ROLE, {"docspace_smtp_host": UNSET}, ("docspace_smtp_host is required",)),
    Case("role: sender missing", ROLE, {"docspace_smtp_sender_address": UNSET},
         ("docspace_smtp_sender_address is required",)),
    Case("role: enable_auth without username", ROLE, {"docspace_smtp_enable_auth": True, "docspace_smtp_username": UNSET},
         ("so docspace_smtp_username (the SMTP login) is required",)),
    Case("role: api key and login together", ROLE,
         {"docspace_auth_username": "admin@example.test", "docspace_auth_password": "admin-pw-Kq2Wc7Rb"},
         ("Keep one of them",)),
    Case("role: login without its password", ROLE, {"docspace_api_key": UNSET, "docspace_auth_username": "admin@example.test"},
         ("docspace_auth_username is set without docspace_auth_password",)),
    Case("role: bad sender address", ROLE, {"docspace_smtp_sender_address": "not-an-address"},
         ("is not an e-mail address",)),
    # The module's own checks, said by the role in its variable names.
    Case("role: port 70000", ROLE, {"docspace_smtp_port": 70000}, ("docspace_smtp_port must be between 1 and 65535",)),
    Case("role: host with a port", ROLE, {"docspace_smtp_host": "smtp.example.test:2525"},
         ("use docspace_smtp_host: smtp.example.test and docspace_smtp_port: 2525",)),
    Case("role: no credentials", ROLE, {"docspace_api_key": UNSET},
         ("no credentials are set: set docspace_api_key, or docspace_auth_username with docspace_auth_password",)),
    Case("role: base_url without scheme", ROLE, {"docspace_base_url": "{netloc}"}, ("base_url",)),
]
BY_NAME = {case.name: case for case in CASES}
harness.register_secret("an admin password of the role cases", "admin-pw-Kq2Wc7Rb")


def _merge(valid: dict[str, Any], changes: dict[str, Any], portal: Any) -> dict[str, Any]:
    """The valid options with the row's changes; UNSET removes an option, {netloc} is the portal's host:port.

    A wrong base_url still names the case's own portal, so that a request sent anyway would be seen.
    """
    netloc = portal.base_url.split("://", 1)[1]
    merged = {**valid, **changes}
    return {key: value.replace("{netloc}", netloc) if isinstance(value, str) else value
            for key, value in merged.items() if value is not UNSET}


def _tasks(name: str, portal: Any) -> list[dict[str, Any]]:
    case = BY_NAME[name]
    if case.target == ROLE:
        variables = _merge({"docspace_base_url": portal.base_url, "docspace_api_key": portal.info()["admin"]["api_key"],
                            **VALID_ROLE}, case.options, portal)
        return [{"name": f"{name} (block)", "block": [
            {"name": f"{name} (role)", "ansible.builtin.include_role": {"name": "onlyoffice.docspace.smtp"},
             "vars": variables}],
            "rescue": [{"name": name, "ansible.builtin.debug": {"var": "ansible_failed_result"}}]}]
    module = f"onlyoffice.docspace.{case.target}"
    valid = {**connection(portal), **(VALID_SETTINGS if case.target == SETTINGS else {})}
    return [{"name": name, module: _merge(valid, case.options, portal), "ignore_errors": True}]


@pytest.fixture(scope="module")
def bad_input_runs(emulator: Any) -> TableRun:
    """Run all rows once (two playbooks side by side)."""
    return run_table(emulator, [case.name for case in CASES], lambda name, portal: None, _tasks, chunks=2)


def _failure(table: TableRun, case: Case) -> dict[str, Any]:
    """The failed result: the task's own, or for the role the one its rescue kept."""
    record = table.entry(case.name)
    if case.target == ROLE:
        assert record["status"] == "ok", "the role did not fail, so its rescue did not run"
        return record["result"]["ansible_failed_result"]
    assert record["status"] == "failed", record["result"]
    return record["result"]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case, bad_input_runs: TableRun) -> None:  # pylint: disable=redefined-outer-name
    """The task fails with a message naming the problem, and the portal received no request."""
    result = _failure(bad_input_runs, case)
    message = str(result.get("msg", ""))
    assert message and "Traceback" not in message and "MODULE FAILURE" not in message, result
    for words in case.message:
        assert words in message, message
    assert bad_input_runs.portals[case.name].requests() == []


def test_enough_cases() -> None:
    """The issue asks for at least 25 bad-input cases across the modules and the role."""
    assert len(CASES) >= 25
    assert {case.target for case in CASES} == {SETTINGS, INFO, TEST, ROLE}


def test_credentials_in_base_url_are_not_echoed(bad_input_runs: TableRun) -> None:  # pylint: disable=redefined-outer-name
    """A password written into base_url appears nowhere in the output of the run that rejected it."""
    run = bad_input_runs.runs["base_url carrying a password"]
    assert URL_PASSWORD not in run.output
