# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every message README.md, docs/user-guide.md and roles/smtp/README.md quote is one the code produces.

A quote is a ```text block, a fragment in backticks in the first column of the user guide's troubleshooting
table, or the message in a sample report row (a table cell holding "(HTTP "). "…" in a quote stands for text
the docs leave out. MESSAGES produces, from the code, each message the docs show, in the situation they
describe; a quote none of them matches fails, so the docs cannot drift from the messages again.
"""

from __future__ import annotations

import http.client
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pytest
import requests
import urllib3
import jinja2
import yaml
from ansible.module_utils.basic import missing_required_lib

from ansible_collections.onlyoffice.docspace.plugins.action.smtp_test import next_run
from ansible_collections.onlyoffice.docspace.plugins.module_utils import _advisories, _names, _ready
from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_settings as model
from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_test
from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import DocSpaceClient
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceError
from ansible_collections.onlyoffice.docspace.plugins.module_utils._module import DocSpaceModule, connection_argument_spec
from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _in_process
from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _smtp_report as report
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import (
    Call, FakeResponse, ScriptedSession, envelope, error_reply)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.module_runner import _module_args

ROOT = Path(__file__).resolve().parents[3]
DOCS = ("README.md", "docs/user-guide.md", "roles/smtp/README.md")
SETTINGS_PATH = model.SETTINGS_PATH


def role_names() -> dict[str, str]:
    """How the role's tasks name the modules' options (from_variables and option_names in roles/smtp/tasks/main.yml,
    read from there, not copied); the password by docspace_smtp_password, as when docspace_smtp_password_from is unset."""
    names: dict[str, str] = {}
    for task in yaml.safe_load((ROOT / "roles" / "smtp" / "tasks" / "main.yml").read_text(encoding="utf-8")):
        arguments = next(value for key, value in task.items() if key.startswith("onlyoffice.docspace."))
        names.update({**arguments.get("from_variables", {}), **arguments.get("option_names", {})})
    names["password"] = jinja2.Template(names["password"]).render()
    return names


ROLE = role_names()
# Texts of ansible-core itself that the troubleshooting table names.
ANSIBLE_CORE = {"Validating arguments against arg spec", "changed=0"}
# The docs quote the Microsoft 365 advisory as it reads before the change takes effect.
BEFORE_MICROSOFT = date(2026, 12, 4)


def named(names: dict[str, str] | None, produce: Callable[[], str]) -> str:
    """What produce() says with these option names in force."""
    _names.use(names)
    try:
        return produce()
    finally:
        _names.use(None)


def failure(calls: list[Call], path: str = SETTINGS_PATH, method: str = "GET", **options: Any) -> str:
    """The message of the client's error for one request against a scripted portal."""
    if "auth_username" not in options:
        options.setdefault("api_key", "sk-docs-key-0001")
    client = DocSpaceClient("https://docs.example.com", session=ScriptedSession(calls), sleep=lambda _s: None,
                            retries=0, **options)
    try:
        client.call(method, path, body={} if method == "POST" else None, retry=False)
    except DocSpaceError as error:
        return str(error)
    raise AssertionError("the call did not fail")


def module_failure(args: dict[str, object], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                   environment: dict[str, str] | None = None) -> str:
    """The module base's message for these task arguments and environment."""
    for variable, value in (environment or {}).items():
        monkeypatch.setenv(variable, value)
    with _module_args(args), pytest.raises(SystemExit):
        DocSpaceModule(argument_spec={**connection_argument_spec(), "state": {"type": "str"}, "host": {"type": "str"},
                                      "sender_address": {"type": "str"}},
                       required_if=[("state", "present", ("host", "sender_address"))])
    _names.use(None)
    return str(json.loads(capsys.readouterr().out)["msg"])


def failed_test(error: str, status: str, relay: dict[str, object]) -> str:
    """explain_failure for a job that failed at status with DocSpace's error text."""
    operation = _smtp_test.operation_from({"id": "job", "completed": True, "percents": 60, "status": status,
                                           "error": error})
    return _smtp_test.explain_failure(_smtp_test.SmtpTestFailed(
        f"The SMTP test failed at step '{status}' (60 %): {error}", operation), relay)


RELAY_587 = {"host": "smtp.example.com", "port": 587, "enable_ssl": True, "enable_auth": True,
             "username": "docspace@example.com", "is_default": False}
M365 = {"host": "smtp.office365.com", "port": 587, "enable_ssl": True, "enable_auth": True,
        "username": "basic-auth-disabled@contoso.onmicrosoft.com", "is_default": False}
PORTAL4 = {**RELAY_587, "host": "127.0.0.1", "port": 25, "sender_address": "noreply@docspace.test"}


@pytest.fixture(name="messages")
def fixture_messages(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Every message the docs show, as the code says it in the situation the docs describe."""
    for variable in ("DOCSPACE_BASE_URL", "DOCSPACE_API_KEY", "DOCSPACE_AUTH_USERNAME", "DOCSPACE_AUTH_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    microsoft = _advisories.advisories_for(M365, BEFORE_MICROSOFT)[0]
    rows = [report.build_row(report.PortalResults(f"p{index}", check_mode=True, advisories=advisories,
                                                  settings={"changed": False, "settings": M365, "was_default": False}))
            for index, advisories in enumerate(([microsoft], [microsoft], []))]
    authenticate = failed_test("5.7.8 Authentication credentials invalid", "Authenticate", RELAY_587)
    messages = [
        # The connection, in the role's names: a key from the environment and a login in the task.
        module_failure({"base_url": "https://docs.example.com", "auth_username": "admin@example.com",
                        "auth_password": "docs-pw-0001", "option_names": ROLE}, monkeypatch, capsys,
                       {"DOCSPACE_API_KEY": "sk-env-key-0001"}),
        module_failure({"base_url": "https://docs.example.com", "api_key": "sk-docs-key-0001", "state": "present",
                        "option_names": ROLE}, monkeypatch, capsys),
        # A save without the password the export's vault variable holds.
        named({**ROLE, "password": "vault_docspace_smtp_password_portal4"}, lambda: str(model.plan(
            {"state": "present", "host": "127.0.0.1", "port": 26, "sender_address": "noreply@docspace.test",
             "sender_display_name": None, "enable_ssl": True, "enable_auth": True, "username": "docspace@example.com",
             "password": None, "update_password": "on_change", "use_ntlm": False},
            model.normalize_dto({"host": "127.0.0.1", "port": 25, "senderAddress": "noreply@docspace.test",
                                 "senderDisplayName": "ONLYOFFICE Postman", "enableSSL": True, "enableAuth": True,
                                 "credentialsUserName": "docspace@example.com", "useNtlm": False,
                                 "isDefaultSettings": False})).failure)),
        "[WARNING]: " + _advisories.warning(microsoft),
        report.summary_line(report.summary(rows, check_mode=True)) + ".",
        failed_test("5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
                    "Authenticate", M365),
        failed_test("5.7.8 Authentication credentials invalid", "Connect to host", RELAY_587),
        named(ROLE, lambda: failed_test("5.7.8 Authentication credentials invalid", "Authenticate", RELAY_587))
        + " " + next_run("jsonfile"),
        authenticate,
        f"in-process path off: {_in_process.core_mismatch('2.23.0')}; smtp_settings_info is shipped as a module process",
        # A new portal that did not start within the role's docspace_ready_timeout.
        named(ROLE, lambda: _ready.not_ready(600, str(_ready.starting(502, True)), "https://docs.example.com")),
        # The API's answers.
        failure([Call("POST", "/api/2.0/authentication", FakeResponse(401, ""))],
                path="/api/2.0/authentication", method="POST", auth_username="admin@example.com",
                auth_password="docs-pw-0001"),
        named(ROLE, lambda: failure([Call("GET", SETTINGS_PATH, FakeResponse(401, "")),
                                     Call("GET", "/api/2.0/settings/version/build", FakeResponse(401, ""))])),
        failure([Call("GET", SETTINGS_PATH, error_reply(401, "Unauthorized")),
                 Call("GET", "/api/2.0/settings/version/build", envelope({"docSpace": "3.0.4.1234"}))]),
        failure([Call("GET", SETTINGS_PATH, error_reply(402, "Your pricing plan does not support this option"))]),
        failure([Call("GET", SETTINGS_PATH, FakeResponse(402, ""))]),
        failure([Call("GET", SETTINGS_PATH, error_reply(403, "Access denied"))]),
        failure([Call("GET", SETTINGS_PATH, FakeResponse(404, "<html><title>404</title></html>",
                                                         {"Content-Type": "text/html"}))]),
        failure([Call("GET", SETTINGS_PATH, requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
            "Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))))]),
        failure([Call("GET", SETTINGS_PATH, requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
            "Connection aborted.", http.client.BadStatusLine("220 mail.example.com ESMTP Postfix"))))]),
        _smtp_test.timed_out({"id": "job", "completed": False, "percents": 0, "status": "", "error": ""}, 120).message,
        _cancelled(),
        *model.validate({"state": "present", "host": "smtp://mail.example.com:587", "port": 25,
                         "sender_address": "DocSpace <noreply@example.com>"}),
        *model.option_warnings({"state": "present", "port": 465, "enable_ssl": False}),
        missing_required_lib("requests"),
    ]
    return messages


def _cancelled() -> str:
    """The message for a job DocSpace cancelled (completed, no error, below 100 %)."""
    try:
        _smtp_test.finished({"id": "job", "completed": True, "percents": 40, "status": "Connect to host", "error": ""})
    except _smtp_test.SmtpTestError as error:
        return str(error)
    raise AssertionError("a cancelled job passed")


def quotes() -> list[tuple[str, str, bool]]:
    """(doc, quote, whole) for every quote of the docs; whole is False for a fragment of a message."""
    found = []
    for doc in DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        found += [(doc, block.strip(), True) for block in re.findall(r"^```text\n(.*?)^```", text, re.MULTILINE | re.DOTALL)]
        for row in re.findall(r"^\|(.*)\|$", text, re.MULTILINE):
            cells = [cell.strip() for cell in row.split("|")]
            message = next((cell for cell in cells if "(HTTP " in cell), None)
            if message and "\u2716 failed" in cells:  # a sample report row: "<task name>: <message>"
                found.append((doc, message.split(" variables: ", 1)[-1], False))
        if doc == "docs/user-guide.md":
            table = text.split("## 12. Troubleshooting", 1)[1].split("\n## ", 1)[0]
            for row in re.findall(r"^\| (.*?) \|", table, re.MULTILINE)[2:]:
                found += [(doc, fragment, False) for fragment in re.findall(r"`([^`]+)`", row)]
    return found


def pattern(quote: str) -> re.Pattern[str]:
    """The quote as a regular expression: "…" stands for any text, blanks for any blanks."""
    parts = [re.escape(part) for part in re.split(r"\s*…\s*", quote)]
    return re.compile(r"\s*.*?\s*".join(parts).replace(r"\ ", r"\s+"), re.DOTALL)


QUOTES = quotes()


def test_the_docs_quote_messages():
    assert len([quote for quote in QUOTES if quote[2]]) >= 8 and len(QUOTES) >= 25


@pytest.mark.parametrize("doc, quote, whole", QUOTES, ids=[f"{doc}: {quote[:50]}" for doc, quote, _whole in QUOTES])
def test_each_quoted_message_is_what_the_code_says(messages, doc, quote, whole):
    if quote in ANSIBLE_CORE:
        return
    expected = pattern(quote)
    matches = [message for message in messages if (expected.fullmatch(message) if whole else expected.search(message))]
    assert matches, f"{doc} quotes a message the code does not produce:\n{quote}\nclosest: " + "\n".join(
        sorted(messages, key=lambda message: -len(set(message.split()) & set(quote.split())))[:2])
