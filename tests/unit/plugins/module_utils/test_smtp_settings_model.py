# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the pure SMTP settings model: validate, normalise, compare, plan, predict, diff."""

from __future__ import annotations

import json

import pytest

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_settings as model

SECRET = "s3cret-smtp-pass"


def params(**overrides):
    """Module parameters as AnsibleModule hands them over, defaults included."""
    values = {"state": "present", "host": "smtp.example.com", "port": 25, "sender_address": "noreply@example.com",
              "sender_display_name": "ONLYOFFICE Postman", "enable_ssl": False, "enable_auth": None,
              "username": None, "password": None, "update_password": "on_change", "use_ntlm": False}
    values.update(overrides)
    return values


def dto(**overrides):
    """A SmtpSettingsDto as GET returns it for a portal with its own settings."""
    values = {"host": "smtp.example.com", "port": 25, "senderAddress": "noreply@example.com",
              "senderDisplayName": "ONLYOFFICE Postman", "credentialsUserPassword": "", "enableSSL": False,
              "enableAuth": False, "useNtlm": False, "isDefaultSettings": False}
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


AUTH = {"port": 587, "enable_ssl": True, "username": "mailer@example.com"}
AUTH_DTO = {"port": 587, "enableSSL": True, "enableAuth": True, "credentialsUserName": "mailer@example.com"}


# --- validation -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, fragment", [
    ({"port": 0}, "port must be between 1 and 65535, not 0"),
    ({"port": 65536}, "port must be between 1 and 65535, not 65536"),
    ({"host": ""}, "host must not be empty"),
    ({"host": "   "}, "host must not be empty"),
    ({"host": "h" * 256}, "host must be at most 255 characters long, not 256"),
    ({"sender_address": "not-an-address"}, "sender_address 'not-an-address' is not an e-mail address"),
    ({"sender_address": "two@@example.com"}, "is not an e-mail address"),
    ({"sender_address": "a b@example.com"}, "is not an e-mail address"),
    ({"sender_address": "noreply@"}, "is not an e-mail address"),
    ({"sender_address": ""}, "sender_address must not be empty"),
    ({"sender_address": "a@" + "b" * 255 + ".com"}, "is not an e-mail address"),
    ({"enable_auth": True}, "enable_auth is true, so username (the SMTP login) is required"),
    ({"sender_display_name": "n" * 256}, "sender_display_name must be at most 255"),
    ({"username": "u" * 256}, "username must be at most 255"),
])
def test_validate_rejects_bad_options(overrides, fragment):
    problems = model.validate(params(**overrides))
    assert any(fragment in problem for problem in problems), problems


@pytest.mark.parametrize("overrides", [
    {},
    {"port": 1}, {"port": 65535},
    {"host": "h" * 255},
    {"sender_address": "first.last+tag@mail.example.co.uk"},
    {"sender_address": "postman@localhost"},
    {"sender_display_name": ""},
    {"username": "mailer@example.com", "password": SECRET},
    {"enable_auth": False, "username": None},
])
def test_validate_accepts_good_options(overrides):
    assert model.validate(params(**overrides)) == []


@pytest.mark.parametrize("option, value", [("host", "h" * 255), ("sender_address", "a" * 242 + "@example.test"),
                                           ("sender_display_name", "n" * 255), ("username", "u" * 255)])
def test_validate_accepts_exactly_the_longest_value_docspace_stores(option, value):
    """255 characters pass ([StringLength(255)]); 256 are refused (test_validate_rejects_bad_options)."""
    assert len(value) == model.MAX_LENGTH
    assert model.validate(params(**{option: value})) == []


@pytest.mark.parametrize("host, correction", [
    ("smtp://mail.example.com", "use host: mail.example.com"),
    ("mail.example.com:587", "use host: mail.example.com and port: 587"),
    ("smtps://mail.example.com:465/relay", "use host: mail.example.com and port: 465"),
    ("mail.example.com/relay", "use host: mail.example.com"),
    ("[2001:db8::25]:587", "use host: 2001:db8::25 and port: 587"),
    ("mail.example.com:smtp", "use host: mail.example.com"),  # a port that is no number: the name still is
    (" mail.example.com", "must not contain blanks; give the server name only, such as host: mail.example.com"),
    ("mail.example.com relay", "must not contain blanks; give the server name only, such as host: mail.example.com"),
])
def test_validate_splits_a_host_written_as_a_url_or_with_a_port(host, correction):
    (problem,) = model.validate(params(host=host))
    assert problem.startswith(f"host {host!r} ") and problem.endswith(correction)


@pytest.mark.parametrize("length, shown", [(model.SHOWN_VALUE_LENGTH, "'" + "x" * model.SHOWN_VALUE_LENGTH + "'"),
                                           (model.SHOWN_VALUE_LENGTH + 1,
                                            "'" + "x" * model.SHOWN_VALUE_LENGTH + f"'... ({model.SHOWN_VALUE_LENGTH + 1} characters)")])
def test_a_long_value_is_shown_shortened_from_one_character_past_the_limit(length, shown):
    assert model.shown("x" * length) == shown


@pytest.mark.parametrize("host", ["mail.example.com", "MAIL.example.com", "localhost", "192.0.2.25",
                                  "2001:db8::25", "::1", "smtp-relay_1.internal"])
def test_validate_accepts_bare_host_names_and_addresses(host):
    assert model.validate(params(host=host)) == []


@pytest.mark.parametrize("sender, advice", [
    ("DocSpace <docspace@example.com>",
     "carries a display name; use sender_address: docspace@example.com and sender_display_name: DocSpace"),
    ('"Doc Space" <docspace@example.com>',
     "use sender_address: docspace@example.com and sender_display_name: Doc Space"),
    ("<docspace@example.com>", "must be the plain address; use sender_address: docspace@example.com"),
])
def test_validate_moves_a_display_name_out_of_the_sender_address(sender, advice):
    (problem,) = model.validate(params(sender_address=sender))
    assert problem.endswith(advice)


@pytest.mark.parametrize("name", ["host", "sender_address", "sender_display_name", "username", "password"])
@pytest.mark.parametrize("character", ["\r\n", "\x00", "\t", "\x7f"])
def test_validate_rejects_control_characters_in_every_string_option(name, character):
    value = f"a{character}b@example.com"
    problems = model.validate(params(**{"username": "u", "password": "p", name: value}))
    assert any(problem.startswith(name) and "control character" in problem for problem in problems), problems
    if name == "password":
        assert all(value not in problem and repr(value)[1:-1] not in problem for problem in problems)


def test_validate_shortens_a_long_invalid_value():
    (problem,) = model.validate(params(sender_address="x" * 10_000))
    assert "x" * 61 not in problem and "(10000 characters)" in problem


def test_validate_ignores_smtp_options_when_absent():
    assert model.validate(params(state="absent", host=None, sender_address=None, port=0)) == []


def test_validate_reports_every_problem_at_once():
    assert len(model.validate(params(host="", port=0, sender_address="x"))) == 3


# --- warnings about options without effect ------------------------------------------------------------------

def test_use_ntlm_draws_a_warning():
    (warning,) = model.option_warnings(params(use_ntlm=True))
    assert "use_ntlm" in warning and "does not store" in warning


def test_credentials_without_auth_draw_a_warning_without_the_password():
    (warning,) = model.option_warnings(params(enable_auth=False, username="u", password=SECRET))
    assert "username and password ignored" in warning
    assert SECRET not in warning


def test_port_465_without_ssl_draws_a_warning():
    (warning,) = model.option_warnings(params(port=465))
    assert "port 465 expects TLS from the first byte" in warning and "Set enable_ssl: true" in warning
    assert model.option_warnings(params(port=465, enable_ssl=True)) == []


def test_plain_options_draw_no_warning():
    assert model.option_warnings(params()) == []
    assert model.option_warnings(params(port=587)) == []  # only 465 expects TLS from the first byte
    # A reset sends none of the settings, so nothing about them can mislead.
    assert model.option_warnings(params(state="absent", port=465, enable_auth=False, username="u")) == []


# --- normalisation -----------------------------------------------------------------------------------------

def test_desired_takes_defaults_and_derives_enable_auth_from_username():
    assert model.normalize_desired(params()) == {
        "host": "smtp.example.com", "port": 25, "sender_address": "noreply@example.com",
        "sender_display_name": "ONLYOFFICE Postman", "enable_ssl": False, "enable_auth": False,
        "username": None, "is_default": False}
    authed = model.normalize_desired(params(**AUTH))
    assert (authed["enable_auth"], authed["username"]) == (True, "mailer@example.com")


def test_desired_empty_display_name_means_the_default_name():
    assert model.normalize_desired(params(sender_display_name=""))["sender_display_name"] == "ONLYOFFICE Postman"


def test_desired_drops_the_username_when_auth_is_off():
    assert model.normalize_desired(params(enable_auth=False, username="u"))["username"] is None


def test_dto_normalises_to_the_settings_view():
    view = model.normalize_dto(dto(**{**AUTH_DTO, "useNtlm": True, "port": "587"}))
    assert view == {"host": "smtp.example.com", "port": 587, "sender_address": "noreply@example.com",
                    "sender_display_name": "ONLYOFFICE Postman", "enable_ssl": True, "enable_auth": True,
                    "username": "mailer@example.com", "use_ntlm": True, "is_default": False}
    assert tuple(view) == model.SETTINGS_KEYS


@pytest.mark.parametrize("port, expected", [(587.0, 587), ("2525", 2525), (25, 25)])
def test_dto_port_as_json_may_write_it(port, expected):
    """A whole number written 587.0 or "2525" is that port; the model does not guess beyond that."""
    assert model.normalize_dto(dto(port=port))["port"] == expected


@pytest.mark.parametrize("port", [587.5, float("inf"), True, "25a"])
def test_dto_port_that_is_no_whole_number_is_refused(port):
    with pytest.raises(model.UnexpectedAnswer, match="port is a"):
        model.normalize_dto(dto(port=port))


def test_dto_username_shows_only_with_auth():
    assert model.normalize_dto(dto(credentialsUserName="stale"))["username"] is None


def test_dto_echoed_empty_display_name_is_the_default_name():
    assert model.normalize_dto(dto(senderDisplayName=""))["sender_display_name"] == "ONLYOFFICE Postman"


def test_cloud_empty_default_normalises_without_crashing():
    cloud = {"port": 0, "credentialsUserPassword": "", "enableSSL": False, "enableAuth": False,
             "useNtlm": False, "isDefaultSettings": True}
    assert model.normalize_dto(cloud) == {
        "host": None, "port": 0, "sender_address": None, "sender_display_name": None, "enable_ssl": False,
        "enable_auth": False, "username": None, "use_ntlm": False, "is_default": True}


@pytest.mark.parametrize("answer, detail", [
    (None, "the settings are null, not an object"),
    ([], "the settings are a list, not an object"),
    ("text", "the settings are a string, not an object"),
    ({"enableAuth": "false"}, "enableAuth is a string, not true or false"),
    ({"port": float("nan")}, "port is a number, not a whole number"),
    ({"port": float("inf")}, "port is a number, not a whole number"),
    ({"port": True}, "port is a boolean, not a whole number"),
    ({"host": {"nested": {}}}, "host is an object, not a string"),
])
def test_malformed_dto_is_refused_naming_the_field(answer, detail):
    with pytest.raises(model.UnexpectedAnswer) as refusal:
        model.normalize_dto(answer)
    assert f"is not what its API defines: {detail}. Check that base_url" in str(refusal.value)


def test_a_malformed_value_is_not_repeated():
    with pytest.raises(model.UnexpectedAnswer) as refusal:
        model.normalize_dto({"enableAuth": SECRET})
    assert SECRET not in str(refusal.value)


def test_no_view_carries_a_password():
    view = model.normalize_dto(dto(**AUTH_DTO, credentialsUserPassword=SECRET))
    assert SECRET not in json.dumps(view)
    assert not any("password" in key for key in view)


# --- compare -------------------------------------------------------------------------------------------------

def test_compare_equal_settings():
    assert model.compare(model.normalize_desired(params(**AUTH)), model.normalize_dto(dto(**AUTH_DTO))) == []


def test_compare_lists_the_differing_fields_in_order():
    current = model.normalize_dto(dto(port=2525, senderDisplayName="Old"))
    assert model.compare(model.normalize_desired(params()), current) == ["port", "sender_display_name"]


def test_compare_ignores_use_ntlm():
    current = model.normalize_dto(dto(useNtlm=False))
    assert model.compare(model.normalize_desired(params(use_ntlm=True)), current) == []


def test_compare_installation_default_always_differs():
    current = model.normalize_dto(dto(isDefaultSettings=True))
    assert model.compare(model.normalize_desired(params()), current) == ["is_default"]


def test_compare_empty_display_name_equals_the_default_name():
    assert model.compare(model.normalize_desired(params(sender_display_name="")), model.normalize_dto(dto())) == []


# --- plan ----------------------------------------------------------------------------------------------------

def plan_for(current_dto, check_mode=False, update_password="on_change", password=SECRET, state="present",
             **overrides):
    task = params(update_password=update_password, password=password, state=state, **overrides)
    return model.plan(task, model.normalize_dto(current_dto), check_mode=check_mode)


def test_plan_nothing_when_equal():
    result = plan_for(dto())
    assert (result.action, result.changed, result.warnings, result.failure) == ("none", False, [], None)


@pytest.mark.parametrize("current, state", [(AUTH_DTO, "present"), ({}, "absent")], ids=["unchanged", "reset"])
def test_plan_without_a_save_sends_no_password(current, state):
    """Only a save carries the password, so only its --diff notes it."""
    assert plan_for(dto(**current), state=state, **AUTH).sends_password is False


def test_the_password_option_is_no_log():
    """Declared secret once in FIELDS, it reaches ansible-core as no_log, with its alias."""
    spec = model.option_spec()
    assert spec["password"]["no_log"] is True and spec["password"]["aliases"] == ["credentials_user_password"]
    assert [name for name, entry in spec.items() if entry.get("no_log")] == ["password"]


def test_plan_save_when_different():
    result = plan_for(dto(port=2525))
    assert (result.action, result.differences, result.failure) == ("save", ["port"], None)


def test_plan_on_change_ignores_a_new_password():
    assert plan_for(dto(**AUTH_DTO), **AUTH).action == "none"


def test_plan_always_saves_an_authenticated_configuration():
    result = plan_for(dto(**AUTH_DTO), update_password="always", **AUTH)
    assert (result.action, result.differences, result.changed) == ("save", [], True)


def test_plan_always_has_no_effect_without_auth():
    assert plan_for(dto(), update_password="always").action == "none"


def test_plan_needed_save_without_password_fails_and_says_why():
    result = plan_for(dto(**{**AUTH_DTO, "port": 25}), password=None, **AUTH)
    assert result.action == "save"
    assert "(port differs from the portal)" in result.failure
    assert "never returns the stored SMTP password" in result.failure
    assert "Set password to the SMTP password" in result.failure


def test_plan_failure_names_every_differing_field():
    result = plan_for(dto(**{**AUTH_DTO, "port": 25, "host": "old.example.com"}), password=None, **AUTH)
    assert "(host, port differ from the portal)" in result.failure


def test_plan_always_without_password_fails():
    result = plan_for(dto(**AUTH_DTO), update_password="always", password=None, **AUTH)
    assert "update_password is always" in result.failure


def test_plan_unneeded_save_without_password_is_fine():
    result = plan_for(dto(**AUTH_DTO), password=None, **AUTH)
    assert (result.action, result.failure) == ("none", None)


def test_plan_missing_password_in_check_mode_is_a_change_with_a_warning():
    result = plan_for(dto(), check_mode=True, password=None, **AUTH)
    assert (result.action, result.changed, result.failure) == ("save", True, None)
    (warning,) = result.warnings
    assert warning.startswith("check mode:") and "The real run will fail" in warning


@pytest.mark.parametrize("current, overrides, warned", [
    (AUTH_DTO, {"enable_auth": False, "port": 587, "enable_ssl": True}, True),  # the login turned off
    (AUTH_DTO, {**AUTH, "username": "other@example.com", "password": SECRET}, False),  # the sender takes the new one
    ({}, {"port": 2525}, False),  # there was no login to keep
], ids=["auth turned off", "another login", "never authenticated"])
def test_plan_warns_when_the_notify_service_keeps_the_old_login(current, overrides, warned):
    """Once the save went through; check mode says what the real run's save will mean."""
    result = plan_for(dto(**current), **overrides)
    assert result.action == "save"
    assert (result.after_save == [model.NOTIFY_KEEPS_OLD_LOGIN]) is warned and result.warnings == []
    predicted = plan_for(dto(**current), check_mode=True, **overrides)
    assert predicted.after_save == []
    assert any(warning.startswith("check mode:") and model.NOTIFY_KEEPS_OLD_LOGIN in warning
               for warning in predicted.warnings) is warned


def test_plan_save_without_auth_needs_no_password():
    assert plan_for(dto(port=2525), password=None).failure is None


def test_plan_absent_resets_own_settings_only():
    assert plan_for(dto(), state="absent").action == "reset"
    assert plan_for(dto(isDefaultSettings=True), state="absent").action == "none"


# --- request body and predictions ---------------------------------------------------------------------------

def test_body_is_the_complete_configuration_without_credentials_when_auth_is_off():
    assert model.request_body(params(username="ignored", enable_auth=False, password=SECRET)) == {
        "host": "smtp.example.com", "port": 25, "senderAddress": "noreply@example.com",
        "senderDisplayName": "ONLYOFFICE Postman", "enableSSL": False, "enableAuth": False, "useNtlm": False}


def test_body_carries_credentials_and_sends_display_name_and_ntlm_as_given():
    body = model.request_body(params(**AUTH, password=SECRET, sender_display_name="", use_ntlm=True))
    assert body == {"host": "smtp.example.com", "port": 587, "senderAddress": "noreply@example.com",
                    "senderDisplayName": "", "enableSSL": True, "enableAuth": True, "useNtlm": True,
                    "credentialsUserName": "mailer@example.com", "credentialsUserPassword": SECRET}


def test_predicted_save_is_what_docspace_answers():
    body = model.request_body(params(**AUTH, password=SECRET, sender_display_name="", use_ntlm=True))
    predicted = model.predict_saved(body)
    assert predicted == {"host": "smtp.example.com", "port": 587, "sender_address": "noreply@example.com",
                         "sender_display_name": "ONLYOFFICE Postman", "enable_ssl": True, "enable_auth": True,
                         "username": "mailer@example.com", "use_ntlm": False, "is_default": False}
    assert SECRET not in json.dumps(predicted)


def test_predicted_save_equals_the_desired_fields():
    for overrides in ({}, dict(AUTH, password=SECRET), {"sender_display_name": ""}):
        predicted = model.predict_saved(model.request_body(params(**overrides)))
        assert model.compare(model.normalize_desired(params(**overrides)), predicted) == []


def test_predicted_reset_is_the_default_with_unknown_values():
    predicted = model.predict_reset()
    assert predicted["is_default"] is True
    assert [key for key, value in predicted.items() if value is not None] == ["is_default"]
    assert tuple(predicted) == model.SETTINGS_KEYS


# --- diff ----------------------------------------------------------------------------------------------------

def test_diff_shows_compared_fields_only_and_notes_the_password():
    before = model.normalize_dto(dto(**{**AUTH_DTO, "port": 25, "useNtlm": True}))
    after = model.predict_saved(model.request_body(params(**AUTH, password=SECRET)))
    diff = model.build_diff(before, after, sends_password=True)
    assert set(diff["before"]) == set(model.COMPARED_FIELDS)
    assert diff["after"].pop("password") == "(will be sent, not shown)"
    changed = [key for key in model.COMPARED_FIELDS if diff["before"][key] != diff["after"][key]]
    assert changed == ["port"]
    assert SECRET not in json.dumps(diff)


def test_diff_without_password_has_no_note():
    view = model.normalize_dto(dto())
    diff = model.build_diff(view, view, sends_password=False)
    assert "password" not in diff["after"] and diff["before"] == diff["after"]
