# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module base: environment fallbacks, the rules between connection options and how messages name options."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _names
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceError
from ansible_collections.onlyoffice.docspace.plugins.module_utils._module import DocSpaceModule, connection_argument_spec
from ansible_collections.onlyoffice.docspace.plugins.modules import smtp_settings
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import Call, ScriptedSession, error_reply
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.module_runner import _module_args

VARIABLES = ("DOCSPACE_BASE_URL", "DOCSPACE_API_KEY", "DOCSPACE_AUTH_USERNAME", "DOCSPACE_AUTH_PASSWORD",
             "DOCSPACE_VALIDATE_CERTS", "DOCSPACE_CA_PATH")
ROLE_NAMES = {"base_url": "docspace_base_url", "api_key": "docspace_api_key", "auth_username": "docspace_auth_username",
              "auth_password": "docspace_auth_password", "state": "docspace_smtp_state", "host": "docspace_smtp_host"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    yield
    _names.use(None)


def start(args, capsys, **kwargs):
    """Build the module with args; returns (module, None) or (None, the failure's message)."""
    with _module_args(args):
        try:
            return DocSpaceModule(argument_spec=connection_argument_spec(), **kwargs), None
        except SystemExit:
            result = json.loads(capsys.readouterr().out)
            assert result["failed"]
            return None, result["msg"]


@pytest.mark.parametrize("environment, options, expected", [
    # AWX's injectors for an API-key credential: the login fields rendered as empty strings.
    ({"DOCSPACE_API_KEY": "sk-awx-key-0001", "DOCSPACE_AUTH_USERNAME": "", "DOCSPACE_AUTH_PASSWORD": ""}, {},
     {"api_key": "sk-awx-key-0001", "auth_username": None, "auth_password": None}),
    # ... and for a login credential, the key field empty.
    ({"DOCSPACE_API_KEY": "", "DOCSPACE_AUTH_USERNAME": "admin@portal.test", "DOCSPACE_AUTH_PASSWORD": "awx-pw-0001"}, {},
     {"api_key": None, "auth_username": "admin@portal.test", "auth_password": "awx-pw-0001"}),
    # An empty certificate switch or CA path is the default, not an error.
    ({"DOCSPACE_API_KEY": "sk-awx-key-0001", "DOCSPACE_VALIDATE_CERTS": "", "DOCSPACE_CA_PATH": ""}, {},
     {"validate_certs": True, "ca_path": None}),
    # The task's own option still wins over a variable that is set.
    ({"DOCSPACE_API_KEY": "sk-env-key-0001"}, {"api_key": "sk-task-key-0001"}, {"api_key": "sk-task-key-0001"}),
], ids=["awx api-key credential", "awx login credential", "empty certificate options", "task wins"])
def test_an_empty_environment_variable_counts_as_unset(monkeypatch, capsys, environment, options, expected):
    for variable, value in {"DOCSPACE_BASE_URL": "https://portal.test", **environment}.items():
        monkeypatch.setenv(variable, value)
    module, failure = start(options, capsys)
    assert failure is None
    assert {option: module.params[option] for option in expected} == expected


def test_a_conflict_from_the_environment_names_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("DOCSPACE_API_KEY", "sk-env-key-0001")
    _module, failure = start({"base_url": "https://portal.test", "auth_username": "admin@portal.test",
                              "auth_password": "pw-0001"}, capsys)
    assert "api_key (from DOCSPACE_API_KEY in the environment)" in failure
    assert "unset DOCSPACE_API_KEY (an empty value counts as unset) to log in" in failure
    # The options the task gave are named without a source, and are to be removed rather than unset.
    assert "auth_username with auth_password" in failure and "from DOCSPACE_AUTH" not in failure
    assert "remove auth_username and auth_password to use the API key" in failure
    assert "sk-env-key-0001" not in failure


def test_a_conflict_in_the_task_names_no_variable(capsys):
    _module, failure = start({"base_url": "https://portal.test", "api_key": "sk-task-key-0001",
                              "auth_username": "admin@portal.test", "auth_password": "pw-0001"}, capsys)
    assert failure.startswith("both an API key and a login are set")
    assert "DOCSPACE_" not in failure


def test_missing_credentials_name_the_variables_that_are_set_but_empty(monkeypatch, capsys):
    monkeypatch.setenv("DOCSPACE_API_KEY", "")
    _module, failure = start({"base_url": "https://portal.test"}, capsys)
    assert failure.startswith("no credentials are set")
    assert "DOCSPACE_API_KEY is set but empty, which counts as unset" in failure


def test_a_login_without_its_password_says_which_variable_gave_the_user(monkeypatch, capsys):
    monkeypatch.setenv("DOCSPACE_AUTH_USERNAME", "admin@portal.test")
    _module, failure = start({"base_url": "https://portal.test"}, capsys)
    assert failure.startswith("auth_username (from DOCSPACE_AUTH_USERNAME in the environment) is set without "
                              "auth_password")


def test_a_missing_base_url_names_its_variable(capsys):
    _module, failure = start({"api_key": "sk-task-key-0001"}, capsys)
    assert failure.startswith("base_url is not set") and "DOCSPACE_BASE_URL" in failure


def test_messages_use_the_names_the_caller_gives(capsys):
    _module, failure = start({"api_key": "sk-task-key-0001", "auth_username": "admin@portal.test",
                              "auth_password": "pw-0001", "option_names": ROLE_NAMES}, capsys)
    assert "docspace_api_key, and docspace_auth_username with docspace_auth_password" in failure
    assert failure.startswith("docspace_base_url is not set")


def test_required_if_is_worded_with_the_callers_names(capsys):
    spec = {**connection_argument_spec(), "state": {"type": "str"}, "host": {"type": "str"}}
    with _module_args({"base_url": "https://portal.test", "api_key": "sk-task-key-0001", "state": "present",
                       "option_names": ROLE_NAMES}), pytest.raises(SystemExit):
        DocSpaceModule(argument_spec=spec, required_if=[("state", "present", ("host",))])
    assert json.loads(capsys.readouterr().out)["msg"] == "docspace_smtp_host is required when docspace_smtp_state is present"


@pytest.mark.parametrize("base_url, hidden", [
    ("https://admin:url-secret-1@portal.test", {"admin:url-secret-1", "url-secret-1"}),
    ("https://admin:S3cr/et@portal.test", {"admin:S3cr/et", "S3cr/et"}),
    ("https://admin:S3c#ret@portal.test", {"admin:S3c#ret", "S3c#ret"}),
    ("https://portal.test", set()),
], ids=["password-in-url", "slash-in-password", "hash-in-password", "no-credentials"])
def test_url_credentials_are_registered_as_secrets(capsys, base_url, hidden):
    module, _failure = start({"base_url": base_url, "api_key": "sk-task-key-0001"}, capsys)
    assert hidden <= module.no_log_values
    assert not {value for value in module.no_log_values if "portal.test" in value}


@pytest.mark.parametrize("args", [
    {"auth_username": "admin@portal.test"},                              # login without password
    {"api_key": "sk-key-0001", "auth_username": "a", "auth_password": "b"},  # two ways to log in
    {"api_key": "sk-key-0001", "timeout": "soon"},                       # wrong type
    {"api_key": "sk-key-0001", "no_such_option": 1},                     # unknown option
], ids=["missing-password", "two-logins", "wrong-type", "unknown-option"])
def test_url_credentials_stay_hidden_when_the_options_are_refused(args, capsys):
    with _module_args({"base_url": "http://admin:url-pw-Xq81Lm@portal.test/", **args}), pytest.raises(SystemExit):
        DocSpaceModule(argument_spec=connection_argument_spec())
    result = json.loads(capsys.readouterr().out)
    assert result["failed"]
    # ansible-core 2.17 and 2.19 echo the options as `invocation` here (2.21 leaves it out): base_url masked.
    if "invocation" in result:
        assert "portal.test" in result["invocation"]["module_args"]["base_url"]
    assert "url-pw-Xq81Lm" not in json.dumps(result)


def test_url_credentials_from_the_environment_stay_hidden_too(monkeypatch, capsys):
    monkeypatch.setenv("DOCSPACE_BASE_URL", "http://admin:env-url-pw-Tq42Rz@portal.test/")
    with _module_args({"api_key": "sk-key-0001", "no_such_option": 1}), pytest.raises(SystemExit):
        DocSpaceModule(argument_spec=connection_argument_spec())
    output = capsys.readouterr().out
    assert json.loads(output)["failed"] and "env-url-pw-Tq42Rz" not in output


@pytest.mark.parametrize("spec, option", [
    (smtp_settings.argument_spec(), "password"),  # declared secret once, in the settings model's FIELDS
    ({**connection_argument_spec(), "relay_token": {"type": "str", "no_log": True}}, "relay_token"),
    (connection_argument_spec(), "auth_password"),
], ids=["smtp-password", "any-no-log-option", "auth-password"])
def test_the_client_masks_every_no_log_value_in_its_messages(capsys, spec, option):
    """module.client() takes its secrets from ansible-core's no_log values: no caller hands one over."""
    secret = "n0-log Value/7731"
    login = {"auth_username": "admin@portal.test"} if option == "auth_password" else {"api_key": "sk-task-key-0001"}
    with _module_args({"base_url": "https://portal.test", **login, option: secret}):
        module = DocSpaceModule(argument_spec=spec)
    path = "/api/2.0/smtpsettings/smtp"
    # DocSpace quoting the value whole, URL-encoded and cut short: every form is the client's to mask.
    echo = f"rejected {secret} / {quote(secret, safe='')} / {secret[:9]}..."
    # A login sends the password first: its answer is the one that echoes it.
    calls = [Call("POST", "/api/2.0/authentication", error_reply(400, echo)) if option == "auth_password"
             else Call("GET", path, error_reply(400, echo))]
    client = module.client(session=ScriptedSession(calls))
    with pytest.raises(DocSpaceError) as caught:
        client.get(path)
    message = str(caught.value)
    assert "rejected ********" in message and "n0-log" not in message and "7731" not in message
