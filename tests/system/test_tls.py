# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""TLS: portals served over HTTPS with a throw-away CA (trustme), one task per row on its own portal.

  name | module | TLS options | expected outcome | words of the failure message.
"{ca}" stands for the portal CA's PEM file, "{wrong_ca}" for another CA's, "{host}" for the portal's
address with "localhost" instead of 127.0.0.1 (the certificate names both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import pytest
from conftest import SETTINGS_PATH, SMTP_PASSWORD, TableRun, connection, run_table, start_emulator

SETTINGS, INFO, TEST, ROLE = "smtp_settings", "smtp_settings_info", "smtp_test", "role smtp"
OK, FAILED = "ok", "failed"
SAVE = {"host": "smtp.tls.test", "port": 465, "sender_address": "noreply@tls.test", "enable_ssl": True,
        "username": "mailer@tls.test", "password": SMTP_PASSWORD}


@dataclass(frozen=True)
class Case:
    """One row."""

    name: str
    module: str
    tls: dict[str, Any]
    outcome: str
    message: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    login: bool = False


CASES = [
    Case("validate_certs default, no ca_path", INFO, {}, FAILED,
         ("GET", SETTINGS_PATH, "is not trusted", "pass its PEM bundle as ca_path")),
    Case("validate_certs true, no ca_path, save", SETTINGS, {"validate_certs": True}, FAILED,
         ("is not trusted", "ca_path")),
    Case("validate_certs true, no ca_path, test", TEST, {"validate_certs": True}, FAILED,
         ("is not trusted", "ca_path")),
    Case("ca_path of another CA", INFO, {"ca_path": "{wrong_ca}"}, FAILED, ("is not trusted by the CAs in ca_path",)),
    Case("ca_path that does not exist", INFO, {"ca_path": "/nonexistent/ca.pem"}, FAILED, ("ca_path /nonexistent/ca.pem does not exist",)),
    Case("ca_path: read", INFO, {"ca_path": "{ca}"}, OK),
    Case("ca_path: save", SETTINGS, {"ca_path": "{ca}"}, OK),
    Case("ca_path: test mail", TEST, {"ca_path": "{ca}"}, OK),
    Case("ca_path: login then read", INFO, {"ca_path": "{ca}"}, OK, login=True),
    Case("ca_path: host name localhost", INFO, {"ca_path": "{ca}", "base_url": "{host}"}, OK),
    Case("ca_path from DOCSPACE_CA_PATH", INFO, {}, OK, env={"DOCSPACE_CA_PATH": "{ca}"}),
    Case("validate_certs false: read", INFO, {"validate_certs": False}, OK),
    Case("validate_certs false: save", SETTINGS, {"validate_certs": False}, OK),
    Case("validate_certs false from DOCSPACE_VALIDATE_CERTS", INFO, {}, OK, env={"DOCSPACE_VALIDATE_CERTS": "false"}),
    Case("role without ca_path", ROLE, {}, FAILED, ("is not trusted", "ca_path")),
    Case("role with docspace_ca_path and a test mail", ROLE, {"docspace_ca_path": "{ca}"}, OK),
]
BY_NAME = {case.name: case for case in CASES}


@pytest.fixture(scope="module")
def https_emulator() -> Iterator[Any]:
    """An emulator whose portals speak HTTPS only, with certificates from its own throw-away CA."""
    emu = start_emulator(portals=1, https=True)
    try:
        yield emu
    finally:
        emu.stop()


def _fill(value: Any, emulator: Any, portal: Any) -> Any:
    """Replace the placeholders of a row's value."""
    if not isinstance(value, str):
        return value
    return (value.replace("{wrong_ca}", emulator.certs.smtp_ca_path).replace("{ca}", emulator.ca_path)
            .replace("{host}", portal.base_url.replace("127.0.0.1", "localhost")))


def _tasks_for(emulator: Any):
    def tasks(name: str, portal: Any) -> list[dict[str, Any]]:
        case = BY_NAME[name]
        tls = {key: _fill(value, emulator, portal) for key, value in case.tls.items()}
        env = {key: _fill(value, emulator, portal) for key, value in case.env.items()}
        keywords = {"environment": env} if env else {}
        if case.module == ROLE:
            variables = {"docspace_base_url": portal.base_url, "docspace_api_key": portal.info()["admin"]["api_key"],
                         "docspace_smtp_host": "notify.onlyoffice.info", "docspace_smtp_port": 25,
                         "docspace_smtp_sender_address": "postman@notify.onlyoffice.info",
                         "docspace_smtp_test": "always", **tls}
            return [{"name": f"{name} (block)", "block": [
                {"name": f"{name} (role)", "ansible.builtin.include_role": {"name": "onlyoffice.docspace.smtp"},
                 "vars": variables}],
                "rescue": [{"name": f"{name} (rescue)", "ansible.builtin.set_fact": {"tls_failure": "{{ ansible_failed_result }}"}}],
                "always": [{"name": name, "ansible.builtin.debug": {"var": "tls_failure | default(None)"}}]}]
        options = {**connection(portal, "login" if case.login else "api_key"), **tls}
        args = SAVE if case.module == SETTINGS else {"poll_interval": 0.2} if case.module == TEST else {}
        return [{"name": name, f"onlyoffice.docspace.{case.module}": {**options, **args}, "ignore_errors": True,
                 **keywords}]
    return tasks


@pytest.fixture(scope="module")
def tls_runs(https_emulator: Any) -> TableRun:  # pylint: disable=redefined-outer-name
    """Run all rows once."""
    return run_table(https_emulator, [case.name for case in CASES], lambda name, portal: None,
                     _tasks_for(https_emulator), chunks=2)


def _outcome(table: TableRun, case: Case) -> tuple[str, dict[str, Any]]:
    record = table.entry(case.name)
    if case.module == ROLE:
        failure = record["result"].get("tls_failure | default(None)")
        return (FAILED, failure) if failure else (OK, record["result"])
    return record["status"], record["result"]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_tls(case: Case, tls_runs: TableRun) -> None:  # pylint: disable=redefined-outer-name
    """The row's outcome; a verification failure says what to do about it and reaches no API handler."""
    outcome, result = _outcome(tls_runs, case)
    assert outcome == case.outcome, result
    portal = tls_runs.portals[case.name]
    if case.outcome == FAILED:
        message = result["msg"]
        assert "Traceback" not in message, message
        for words in case.message:
            assert words in message, message
        assert portal.requests() == []
    else:
        assert portal.requests(), "the task succeeded without talking to its portal"
    if case.outcome == OK and case.module in (TEST, ROLE):
        assert portal.mailbox(), "no test mail arrived"
