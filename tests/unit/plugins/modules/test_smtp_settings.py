# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP conversation of onlyoffice.docspace.smtp_settings, call by call."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic

from ansible_collections.onlyoffice.docspace.plugins.modules import smtp_settings
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import (
    Call,
    FakeResponse,
    ScriptedSession,
    envelope,
    error_reply,
)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.module_runner import run_module

PATH = "/api/2.0/smtpsettings/smtp"
API_KEY = "sk-unit-test-key"
ADMIN_PASSWORD = "admin-login-pass"
SMTP_PASSWORD = "smtp-Secret-42"
CONNECTION = {"base_url": "https://portal.test", "api_key": API_KEY}
PLAIN = {"host": "relay.example.com", "sender_address": "noreply@example.com"}
AUTH = {"host": "smtp.example.com", "port": 587, "enable_ssl": True, "sender_address": "noreply@example.com",
        "username": "mailer@example.com"}


def stored(**overrides):
    """A GET/POST answer for a portal with its own plain settings."""
    values = {"host": "relay.example.com", "port": 25, "senderAddress": "noreply@example.com",
              "senderDisplayName": "ONLYOFFICE Postman", "credentialsUserPassword": "", "enableSSL": False,
              "enableAuth": False, "useNtlm": False, "isDefaultSettings": False}
    values.update(overrides)
    return values


STORED_AUTH = stored(host="smtp.example.com", port=587, enableSSL=True, enableAuth=True,
                     credentialsUserName="mailer@example.com")
INSTALLATION_DEFAULT = stored(host="notify.onlyoffice.info", senderAddress="postman@notify.onlyoffice.info",
                              enableAuth=True, credentialsUserName="postman@notify.onlyoffice.info",
                              isDefaultSettings=True)
PLAIN_BODY = {"host": "relay.example.com", "port": 25, "senderAddress": "noreply@example.com",
              "senderDisplayName": "ONLYOFFICE Postman", "enableSSL": False, "enableAuth": False, "useNtlm": False}
AUTH_BODY = {"host": "smtp.example.com", "port": 587, "senderAddress": "noreply@example.com",
             "senderDisplayName": "ONLYOFFICE Postman", "enableSSL": True, "enableAuth": True, "useNtlm": False,
             "credentialsUserName": "mailer@example.com", "credentialsUserPassword": SMTP_PASSWORD}


@pytest.fixture(name="warnings")
def fixture_warnings(monkeypatch):
    """Collect module.warn() calls (exit_json is replaced, so they never reach the result)."""
    collected = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda _module, text: collected.append(text))
    return collected


def run(monkeypatch, calls, check_mode=False, diff=False, **options):
    """Run the module with the given options against the scripted calls; all calls must be made."""
    session = ScriptedSession(calls) if calls is not None else None
    # An option set to None is left out, as a playbook would leave it out (mutually_exclusive counts keys).
    args = {key: value for key, value in {**CONNECTION, **options}.items() if value is not None}
    args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
    outcome = run_module(smtp_settings.main, args, session, monkeypatch)
    if session is not None:
        session.assert_done()
    return outcome


def assert_no_secret(outcome, warnings=()):
    """No secret may appear in the result or the warnings."""
    text = json.dumps(outcome.result) + json.dumps(list(warnings))
    for secret in (API_KEY, ADMIN_PASSWORD, SMTP_PASSWORD):
        assert secret not in text


# --- state: present -----------------------------------------------------------------------------------------

def test_unchanged_sends_exactly_one_get(monkeypatch, warnings):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored()), headers={"Authorization": f"Bearer {API_KEY}"})],
                  **PLAIN)
    assert not outcome.failed and outcome.result["changed"] is False
    assert outcome.result["settings"]["host"] == "relay.example.com"
    assert "diff" not in outcome.result and warnings == []


def test_changed_sends_get_then_post_with_the_complete_configuration(monkeypatch):
    answer = stored(port=2525)
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored())),
                                Call("POST", PATH, envelope(answer), body={**PLAIN_BODY, "port": 2525})],
                  port=2525, **PLAIN)
    assert outcome.result["changed"] is True
    # The POST's answer is the new state: no re-read.
    assert outcome.result["settings"]["port"] == 2525


def test_installation_default_always_differs(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored(isDefaultSettings=True))),
                                Call("POST", PATH, envelope(stored()), body=PLAIN_BODY)], diff=True, **PLAIN)
    assert outcome.result["changed"] is True
    assert outcome.result["diff"]["before"]["is_default"] is True
    assert outcome.result["diff"]["after"]["is_default"] is False


def test_cloud_empty_default_is_replaced(monkeypatch):
    cloud = {"port": 0, "credentialsUserPassword": "", "enableSSL": False, "enableAuth": False, "useNtlm": False,
             "isDefaultSettings": True}
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(cloud)),
                                Call("POST", PATH, envelope(stored()), body=PLAIN_BODY)], **PLAIN)
    assert outcome.result["changed"] is True and outcome.result["settings"]["is_default"] is False


def test_authenticated_save_sends_the_password_and_never_returns_it(monkeypatch, warnings):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored())),
                                Call("POST", PATH, envelope(STORED_AUTH), body=AUTH_BODY)],
                  diff=True, password=SMTP_PASSWORD, **AUTH)
    assert outcome.result["changed"] is True
    assert outcome.result["diff"]["after"]["password"] == "(will be sent, not shown)"
    assert "password" not in outcome.result["diff"]["before"]
    assert outcome.result["settings"]["username"] == "mailer@example.com"
    assert_no_secret(outcome, warnings)


def test_aliases_of_the_credentials(monkeypatch):
    options = {key: value for key, value in AUTH.items() if key != "username"}
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored())),
                                Call("POST", PATH, envelope(STORED_AUTH), body=AUTH_BODY)],
                  credentials_user_name="mailer@example.com", credentials_user_password=SMTP_PASSWORD, **options)
    assert not outcome.failed and outcome.result["changed"] is True


def test_on_change_with_a_new_password_changes_nothing(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(STORED_AUTH))], password="a-new-one", **AUTH)
    assert outcome.result["changed"] is False


def test_always_saves_an_authenticated_configuration(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(STORED_AUTH)),
                                Call("POST", PATH, envelope(STORED_AUTH), body=AUTH_BODY)],
                  update_password="always", password=SMTP_PASSWORD, **AUTH)
    assert outcome.result["changed"] is True


def test_needed_save_without_password_fails_before_any_write(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored()))], **AUTH)
    assert outcome.failed
    assert "no password was given" in outcome.result["msg"]
    assert "never returns the stored SMTP password" in outcome.result["msg"]


def test_needed_save_without_password_in_check_mode_is_a_change_and_a_warning(monkeypatch, warnings):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored()))], check_mode=True, diff=True, **AUTH)
    assert not outcome.failed and outcome.result["changed"] is True
    assert any(text.startswith("check mode:") and "no password was given" in text for text in warnings)
    assert "password" not in outcome.result["diff"]["after"]


def test_use_ntlm_warns_and_stays_idempotent(monkeypatch, warnings):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored()))], use_ntlm=True, **PLAIN)
    assert outcome.result["changed"] is False
    assert any("use_ntlm" in text for text in warnings)


def test_use_ntlm_is_sent_as_given(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored(port=2525))),
                                Call("POST", PATH, envelope(stored()), body={**PLAIN_BODY, "useNtlm": True})],
                  use_ntlm=True, **PLAIN)
    assert not outcome.failed and outcome.result["changed"] is True


def test_empty_display_name_is_sent_as_given_and_idempotent(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored(port=2525))),
                                Call("POST", PATH, envelope(stored(senderDisplayName="")),
                                     body={**PLAIN_BODY, "senderDisplayName": ""})],
                  sender_display_name="", **PLAIN)
    assert outcome.result["settings"]["sender_display_name"] == "ONLYOFFICE Postman"
    again = run(monkeypatch, [Call("GET", PATH, envelope(stored()))], sender_display_name="", **PLAIN)
    assert again.result["changed"] is False


def test_change_of_one_field_shows_only_that_field_in_the_diff(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored())),
                                Call("POST", PATH, envelope(stored(senderDisplayName="Mailer")))],
                  diff=True, sender_display_name="Mailer", **PLAIN)
    before, after = outcome.result["diff"]["before"], outcome.result["diff"]["after"]
    assert [key for key in after if before.get(key) != after[key]] == ["sender_display_name"]


# --- check mode ---------------------------------------------------------------------------------------------

def test_check_mode_sends_only_the_get_and_predicts_the_answer(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored()))], check_mode=True, diff=True,
                  password=SMTP_PASSWORD, **AUTH)
    assert outcome.result["changed"] is True
    assert outcome.result["settings"] == {
        "host": "smtp.example.com", "port": 587, "sender_address": "noreply@example.com",
        "sender_display_name": "ONLYOFFICE Postman", "enable_ssl": True, "enable_auth": True,
        "username": "mailer@example.com", "use_ntlm": False, "is_default": False}
    assert_no_secret(outcome)


def test_check_mode_reset_sends_only_the_get(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored()))], check_mode=True, state="absent")
    assert outcome.result["changed"] is True
    assert outcome.result["settings"]["is_default"] is True and outcome.result["settings"]["host"] is None


# --- state: absent ------------------------------------------------------------------------------------------

def test_absent_on_a_default_portal_sends_one_get(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(INSTALLATION_DEFAULT))], state="absent")
    assert outcome.result["changed"] is False
    assert outcome.result["settings"]["host"] == "notify.onlyoffice.info"


def test_reset_sends_get_then_delete_and_returns_its_answer(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(STORED_AUTH)),
                                Call("DELETE", PATH, envelope(INSTALLATION_DEFAULT))], diff=True, state="absent")
    assert outcome.result["changed"] is True
    assert outcome.result["settings"]["is_default"] is True
    assert outcome.result["diff"]["before"]["host"] == "smtp.example.com"
    assert outcome.result["diff"]["after"]["host"] == "notify.onlyoffice.info"


# --- what the task leaves for the next task and run -----------------------------------------------------------

@pytest.mark.parametrize("stored_now, check_mode, options, expected", [
    (stored(port=2525), False, {}, {"docspace_smtp_untested": True}),      # saved: a test is owed
    (STORED_AUTH, False, {"state": "absent"}, {"docspace_smtp_untested": False}),  # reset: nothing to test
    (stored(port=2525), True, {}, None),                                   # check mode changes no fact
    (stored(), False, {}, None),                                           # nothing saved, nothing known
], ids=["save", "reset", "check mode", "unchanged"])
def test_a_save_marks_the_portal_untested_and_a_reset_clears_it(monkeypatch, stored_now, check_mode, options, expected):
    writes = {"save": Call("POST", PATH, envelope(stored()), body=PLAIN_BODY),
              "reset": Call("DELETE", PATH, envelope(INSTALLATION_DEFAULT))}
    calls = [Call("GET", PATH, envelope(stored_now))]
    if not check_mode and stored_now != stored():
        calls.append(writes["reset" if options.get("state") == "absent" else "save"])
    outcome = run(monkeypatch, calls, check_mode=check_mode, **{**PLAIN, **options})
    assert outcome.result.get("ansible_facts") == expected


def test_was_default_tells_a_portal_nobody_configured_without_diff(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored(isDefaultSettings=True)))], check_mode=True, **PLAIN)
    assert outcome.result["was_default"] is True and "diff" not in outcome.result


def test_a_portal_that_does_not_answer_is_reported_unreachable(monkeypatch):
    import requests  # a TLS failure: not retried, so one call
    outcome = run(monkeypatch, [Call("GET", PATH, requests.exceptions.SSLError("handshake failure"))], **PLAIN)
    assert outcome.failed and outcome.result["reachable"] is False


# --- login, errors and invalid input ------------------------------------------------------------------------

def test_login_adds_one_request_and_uses_the_token(monkeypatch):
    login = envelope({"token": "login-token", "expires": "2030-01-01T00:00:00Z", "sms": False, "tfa": False})
    outcome = run(monkeypatch, [Call("POST", "/api/2.0/authentication", login,
                                     body={"userName": "admin@example.com", "password": ADMIN_PASSWORD}),
                                Call("GET", PATH, envelope(stored()), headers={"Authorization": "login-token"})],
                  base_url="http://portal.test", api_key=None, auth_username="admin@example.com",
                  auth_password=ADMIN_PASSWORD, **PLAIN)
    assert outcome.result["changed"] is False
    assert_no_secret(outcome)


@pytest.mark.parametrize("status, message, fragment", [
    (401, "", "The portal rejected the API key"),
    (402, "Your pricing plan does not support this option", "pricing plan"),
    (403, "Access denied", "owner or admin"),
])
def test_auth_errors_name_method_path_and_status(monkeypatch, status, message, fragment):
    # A rejected API key makes the client read the portal's version, anonymously, to word the message.
    version = [Call("GET", "/api/2.0/settings/version/build", FakeResponse(404, ""))] if status == 401 else []
    outcome = run(monkeypatch, [Call("GET", PATH, error_reply(status, message)), *version], **PLAIN)
    assert outcome.failed
    assert f"(HTTP {status} on GET {PATH}" in outcome.result["msg"]
    assert fragment in outcome.result["msg"]


def test_a_rejected_save_fails_with_docspace_message(monkeypatch):
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored(port=2525))),
                                Call("POST", PATH, error_reply(400, "Empty smtp host. (Parameter 'host')"))],
                  **PLAIN)
    assert outcome.failed and "Empty smtp host" in outcome.result["msg"] and f"POST {PATH}" in outcome.result["msg"]


@pytest.mark.parametrize("options, fragment", [
    # The model's rules have their own tests; here one of them shows that the module stops before a request.
    ({**PLAIN, "port": 0}, "Invalid SMTP settings: port must be between 1 and 65535"),
    ({**PLAIN, "base_url": "ftp://portal.test"}, "must start with http:// or https://"),
    ({"sender_address": "noreply@example.com"}, "host"),
    ({**PLAIN, "auth_username": "admin@example.com", "auth_password": ADMIN_PASSWORD}, "both an API key and a login are set"),
    ({**PLAIN, "api_key": None}, "no credentials are set"),
])
def test_invalid_input_fails_before_any_request(monkeypatch, options, fragment):
    outcome = run(monkeypatch, None, **options)
    assert outcome.failed
    assert fragment in outcome.result["msg"]
    assert_no_secret(outcome)


def test_invalid_input_fails_before_login(monkeypatch):
    outcome = run(monkeypatch, None, api_key=None, auth_username="admin@example.com", auth_password=ADMIN_PASSWORD,
                  **{**PLAIN, "port": 0})
    assert outcome.failed and "port" in outcome.result["msg"]


def test_the_advisories_are_those_of_the_settings_after_the_task(monkeypatch, warnings):
    """Moving a portal off Microsoft 365 returns no advisory; moving it there returns one, in check mode too."""
    microsoft = stored(host="smtp.office365.com", port=587, enableSSL=True, enableAuth=True,
                       credentialsUserName="mailer@example.com")
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(microsoft)), Call("POST", PATH, envelope(stored()), body=PLAIN_BODY)],
                  **PLAIN)
    assert outcome.result["advisories"] == [] and not any("Microsoft" in warning for warning in warnings)
    outcome = run(monkeypatch, [Call("GET", PATH, envelope(stored()))], check_mode=True, password=SMTP_PASSWORD,
                  **{**AUTH, "host": "smtp.office365.com"})
    assert [advisory["id"] for advisory in outcome.result["advisories"]] == ["microsoft-365-basic-auth"]
    assert sum("Exchange Online" in warning for warning in warnings) == 1
    assert_no_secret(outcome, warnings)
