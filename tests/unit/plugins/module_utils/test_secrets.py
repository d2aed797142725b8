# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of masking: every secret, in every form, in every message the client words."""

from __future__ import annotations

import html
import http.client
import json
from urllib.parse import quote, quote_plus

import pytest
import requests

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _secrets
from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import LOGIN_PATH
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import (
    DocSpaceAuthError, DocSpaceError, DocSpaceTransportError)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.client_cases import (
    API_KEY, LOGIN_OK, PASSWORD, SETTINGS_BODY, SETTINGS_PATH, SMTP_PASSWORD, TOKEN, USERNAME, assert_no_secret,
    make_client)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import Call, FakeResponse, error_reply


# ---------------------------------------------------------------- secrets in transport errors

def header_failure(value):
    """The exception http.client raises, before any network traffic, for a header value it refuses."""
    connection = http.client.HTTPConnection("portal.test")
    connection.putrequest("GET", SETTINGS_PATH)
    try:
        connection.putheader("Authorization", value)
    except ValueError as error:
        return error
    raise AssertionError(f"http.client accepted {value!r}")


def test_transport_error_echoing_the_header_hides_the_key():
    # A key pasted with a trailing newline makes http.client refuse the header and quote it in the exception.
    key = API_KEY + "\n"
    failure = header_failure(f"Bearer {key}")
    assert API_KEY in str(failure)
    client, session, _sleeps = make_client([Call("GET", SETTINGS_PATH, failure)], api_key=key)
    with pytest.raises(DocSpaceTransportError) as caught:
        client.get(SETTINGS_PATH)
    assert "Invalid header value" in str(caught.value)
    assert_no_secret(str(caught.value))
    session.assert_done()


def test_transport_error_after_login_hides_password_and_token():
    failure = requests.exceptions.ConnectionError(f"pool for token {TOKEN} password {PASSWORD} closed")
    client, _session, _sleeps = make_client([Call("POST", LOGIN_PATH, LOGIN_OK), Call("GET", SETTINGS_PATH, failure)],
                                            auth_username=USERNAME, auth_password=PASSWORD)
    with pytest.raises(DocSpaceTransportError) as caught:
        client.get(SETTINGS_PATH, retry=False)
    assert str(caught.value).startswith("the connection failed")
    assert_no_secret(str(caught.value))


# ---------------------------------------------------------------- secrets in every form (issue 15)

ODD_SECRET = 'p@$$"w\\o{rd} \u00fc-and-more-Zq7'


def _forms(secret):
    """The forms a hostile or careless server echoes a secret in."""
    return {
        "as sent": secret,
        "JSON-escaped": json.dumps(secret)[1:-1],
        "whitespace folded": " ".join(secret.split()),
        "latin-1 read": secret.encode("utf-8").decode("latin-1"),
        "URL-encoded": quote(secret, safe=""),
        "cut short": secret[:15],
        "JSON-escaped twice": json.dumps(json.dumps(secret)[1:-1])[1:-1],
        "JSON-escaped, then URL-encoded": quote(json.dumps(secret)[1:-1], safe=""),
        "JSON with non-ASCII kept": json.dumps(secret, ensure_ascii=False)[1:-1],
        "HTML-escaped": html.escape(secret),
        "URL-encoded, / kept": quote(secret),
        "form-encoded": quote_plus(secret),
        "Python repr": repr(secret)[1:-1],
        "unicode_escape": secret.encode("unicode_escape").decode("ascii"),
    }


@pytest.mark.parametrize("form", list(_forms(ODD_SECRET)))
@pytest.mark.parametrize("secret_kind", ["api_key", "smtp password"])
def test_a_secret_echoed_in_any_form_is_masked(form, secret_kind):
    secret = ODD_SECRET if secret_kind == "smtp password" else "sk-" + ODD_SECRET
    echoed = _forms(secret)[form]
    options = {"api_key": secret} if secret_kind == "api_key" else {"secrets": [secret]}
    reply = error_reply(400, f"Bad request body {{\"password\": \"{echoed}\"}} with header Bearer {echoed}")
    client, _session, _sleeps = make_client([Call("POST", SETTINGS_PATH, reply)], **options)
    with pytest.raises(DocSpaceError) as caught:
        client.post(SETTINGS_PATH, {"password": secret})
    text = str(caught.value)
    assert "********" in text
    # Neither the start of any form nor its end: a form the client does not mask may still lose its start to
    # the mask of another form that begins alike, and then its rest shows.
    for shown in _forms(secret).values():
        assert shown[:6] not in text and shown[-8:] not in text


def test_a_non_json_echo_is_masked_before_it_is_cut():
    # The secret straddles the 120-character cut of the snippet: masking after the cut would show its start.
    body = "x" * 100 + f" rejected password {SMTP_PASSWORD} in the posted body"
    client, _session, _sleeps = make_client([Call("POST", SETTINGS_PATH, FakeResponse(400, body, {"Content-Type": "text/plain"}))],
                                            secrets=[SMTP_PASSWORD])
    with pytest.raises(DocSpaceError) as caught:
        client.post(SETTINGS_PATH, SETTINGS_BODY)
    assert "not JSON" in str(caught.value) and SMTP_PASSWORD[:6] not in str(caught.value)


def test_the_login_token_echoed_back_is_masked():
    client, _session, _sleeps = make_client([
        Call("POST", LOGIN_PATH, LOGIN_OK),
        Call("GET", SETTINGS_PATH, error_reply(401, f"Token rejected: {TOKEN[:10]}..."))],
        auth_username=USERNAME, auth_password=PASSWORD)
    with pytest.raises(DocSpaceAuthError) as caught:
        client.get(SETTINGS_PATH)
    assert "Token rejected: ********" in str(caught.value) and TOKEN[:6] not in str(caught.value)


@pytest.mark.parametrize("secret, masked", [("k3y", True), ("k3", False)])
def test_a_secret_of_three_characters_is_masked_and_one_of_two_cannot_be(secret, masked):
    """README: a secret of one or two characters cannot be told from ordinary text and is not masked."""
    assert (_secrets.Secrets([secret]).mask(f"key {secret} rejected") == "key ******** rejected") is masked
