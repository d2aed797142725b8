# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP conversation of onlyoffice.docspace.smtp_settings_info."""

from __future__ import annotations

import pytest

from ansible.module_utils import basic

from ansible_collections.onlyoffice.docspace.plugins.modules import smtp_settings_info
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import (
    Call,
    ScriptedSession,
    envelope,
    error_reply,
)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.module_runner import run_module

PATH = "/api/2.0/smtpsettings/smtp"
CONNECTION = {"base_url": "http://portal.test/", "api_key": "sk-info-key"}
STORED = {"host": "smtp.example.com", "port": 587, "senderAddress": "noreply@example.com",
          "senderDisplayName": "", "credentialsUserName": "mailer@example.com", "credentialsUserPassword": "",
          "enableSSL": True, "enableAuth": True, "useNtlm": False, "isDefaultSettings": False}


def run(monkeypatch, calls, **options):
    """Run the module against the scripted calls; all calls must be made."""
    session = ScriptedSession(calls) if calls is not None else None
    outcome = run_module(smtp_settings_info.main, {**CONNECTION, **options}, session, monkeypatch)
    if session is not None:
        session.assert_done()
    return outcome


@pytest.mark.parametrize("check_mode", [False, True])
def test_one_get_returns_the_normalised_settings(monkeypatch, check_mode):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(STORED), headers={"Authorization": "Bearer sk-info-key"})],
                  _ansible_check_mode=check_mode)
    assert not outcome.failed and outcome.result["changed"] is False
    assert outcome.result["settings"] == {
        "host": "smtp.example.com", "port": 587, "sender_address": "noreply@example.com",
        "sender_display_name": "ONLYOFFICE Postman", "enable_ssl": True, "enable_auth": True,
        "username": "mailer@example.com", "use_ntlm": False, "is_default": False}


def test_cloud_empty_default(monkeypatch):
    cloud = {"port": 0, "credentialsUserPassword": "", "enableSSL": False, "enableAuth": False, "useNtlm": False,
             "isDefaultSettings": True}
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(cloud))])
    assert outcome.result["settings"]["is_default"] is True and outcome.result["settings"]["host"] is None


def test_error_names_method_path_and_status(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, error_reply(403, "Access denied"))])
    assert outcome.failed and f"(HTTP 403 on GET {PATH}; DocSpace says: Access denied)" in outcome.result["msg"]
    assert "sk-info-key" not in outcome.result["msg"]


def test_bad_base_url_fails_before_any_request(monkeypatch):
    outcome = run(monkeypatch, None, base_url="portal.test")
    assert outcome.failed and "http:// or https://" in outcome.result["msg"]


def test_a_relay_with_an_advisory_returns_it_and_warns(monkeypatch):
    """The advisory table's entry for the stored relay, as a return value and as one warning; none for others."""
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda _module, text: warnings.append(text))
    microsoft = {**STORED, "host": "smtp.office365.com", "credentialsUserName": "mailer@contoso.com"}
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(microsoft))])
    (advisory,) = outcome.result["advisories"]
    assert (advisory["id"], advisory["effective"]) == ("microsoft-365-basic-auth", "2026-12-31")
    clear_text = [warning for warning in warnings if "clear text" in warning]  # CONNECTION's http:// to portal.test
    assert [warning for warning in warnings if warning not in clear_text] == [f"{advisory['summary']} {advisory['advice']}"]
    warnings.clear()
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(STORED))])
    assert outcome.result["advisories"] == [] and warnings == clear_text
