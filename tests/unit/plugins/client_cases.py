# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the unit tests of the client share: a scripted client, its secrets and canned DocSpace answers."""

from __future__ import annotations

import json

from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import DocSpaceClient
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import FakeResponse, ScriptedSession, envelope

SETTINGS_PATH = "/api/2.0/smtpsettings/smtp"
API_KEY = "sk-unit0key0c0ffee"
USERNAME = "admin@portal.test"
PASSWORD = "Adm1n-pa55word"
TOKEN = "login-token-0042"
SMTP_PASSWORD = "smtp-b0dy-secret"
SETTINGS_BODY = {"host": "smtp.test", "port": 587, "credentialsUserName": "mailer", "credentialsUserPassword": SMTP_PASSWORD}
SECRETS = (API_KEY, PASSWORD, TOKEN, SMTP_PASSWORD)
CA_FILE = __file__  # any file that exists: a ca_path that does not is refused before any request

LOGIN_OK = envelope({"token": TOKEN, "expires": "2030-01-01T00:00:00.0000000+00:00", "sms": False, "tfa": False})
VALIDATION_PROBLEM = {
    "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.",
    "status": 400, "traceId": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
    "errors": {"Port": ["The field Port must be between 1 and 65535."],
               "Host": ["The field Host must be a string with a maximum length of 255."]},
}
NGINX_500 = ("<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server "
             "Error</h1></center><hr><center>nginx</center></body></html>")


def validation_reply(http_status: int) -> FakeResponse:
    """ASP.NET model validation wrapped in DocSpace's envelope with status 1 (API notes 0.5)."""
    body = {"response": VALIDATION_PROBLEM, "count": 1, "links": [{"href": "http://portal.test/", "action": "POST"}],
            "status": 1, "statusCode": 400}
    return FakeResponse(http_status, json.dumps(body), {"Content-Type": "application/json"})


def make_client(calls, **options):
    """A client of http://portal.test on a scripted session; sleeps are recorded, never slept."""
    session = ScriptedSession(calls)
    sleeps: list[float] = []
    if "auth_username" not in options:
        options.setdefault("api_key", API_KEY)
    client = DocSpaceClient("http://portal.test/", session=session, sleep=sleeps.append, **options)
    return client, session, sleeps


def assert_no_secret(text):
    """No credential, token or body password may reach an error message."""
    for secret in SECRETS:
        assert secret not in text
