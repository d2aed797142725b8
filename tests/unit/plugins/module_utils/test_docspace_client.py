# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the DocSpace client: envelope, errors, retries, login, TLS options, base_url, secrets."""

from __future__ import annotations

import gzip
import http.client
import html
import json
import os
import socket
import ssl
import urllib.request
from urllib.parse import quote, quote_plus, urlsplit

import pytest
import requests

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace
from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace import (
    LOGIN_PATH, VERSION_PATH, DocSpaceAuthError, DocSpaceClient, DocSpaceConfigError, DocSpaceError,
    DocSpaceResponseError, DocSpaceTransportError, environment_proxy, failure_details, normalize_base_url, open_session,
    parse_json, warm_up)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import (
    Call, FakeResponse, ScriptedSession, envelope, error_reply)

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


# ---------------------------------------------------------------- status -> error

# Each message says the cause first, then what came (status, method, path, DocSpace's words), then what to do.
ERROR_CASES = [
    pytest.param(error_reply(400, "Empty smtp host. (Parameter 'host')"), 400, DocSpaceError,
                 "Empty smtp host. (Parameter 'host')",
                 "DocSpace rejected the request (HTTP 400 on POST /api/2.0/smtpsettings/smtp; DocSpace says: Empty smtp "
                 "host. (Parameter 'host'))", [], id="400-error-body"),
    pytest.param(validation_reply(400), 400, DocSpaceError,
                 "Port: The field Port must be between 1 and 65535.; "
                 "Host: The field Host must be a string with a maximum length of 255.",
                 "DocSpace rejected the request (HTTP 400 on POST /api/2.0/smtpsettings/smtp; DocSpace says: Port: The "
                 "field Port must be between 1 and 65535.; Host: ", ["maximum length of 255"], id="400-validation"),
    pytest.param(error_reply(402, "Your pricing plan does not support this option", "ASC.Core.Billing.BillingException"),
                 402, DocSpaceAuthError, "Your pricing plan does not support this option",
                 "The portal's pricing plan hides the SMTP settings (HTTP 402 on POST /api/2.0/smtpsettings/smtp; "
                 "DocSpace says: Your pricing plan does not support this option). On an installation of your own, "
                 "remove SmtpSettings from its web:hide-settings configuration", [], id="402"),
    pytest.param(FakeResponse(402, ""), 402, DocSpaceAuthError, None,
                 "The portal is unpaid or the installation has no valid licence (HTTP 402 on POST "
                 "/api/2.0/smtpsettings/smtp). Renew the portal's payment or the installation's licence", [],
                 id="402-empty-unpaid"),
    pytest.param(FakeResponse(403, ""), 403, DocSpaceAuthError, None,
                 "Access denied: the ", ["is not a DocSpace owner or admin", "(HTTP 403 on POST /api/2.0/smtpsettings/smtp)"],
                 id="403-empty"),
    pytest.param(error_reply(403, "Access denied", "System.Security.SecurityException"), 403, DocSpaceAuthError,
                 "Access denied", "Access denied: the ",
                 ["is not a DocSpace owner or admin", "(HTTP 403 on POST /api/2.0/smtpsettings/smtp; DocSpace says: Access denied)"],
                 id="403-access-denied"),
    pytest.param(FakeResponse(404, ""), 404, DocSpaceError, None,
                 "Nothing found at http://portal.test/api/2.0/smtpsettings/smtp (HTTP 404 on POST /api/2.0/smtpsettings/smtp). "
                 "Check base_url: it must be the portal root (the address DocSpace opens at, e.g. "
                 "https://docspace.example.com), and http://portal.test does not look like one", [], id="404"),
    pytest.param(error_reply(500, "Object reference not set to an instance of an object.", "System.NullReferenceException"),
                 500, DocSpaceError, "Object reference not set to an instance of an object.",
                 "DocSpace failed on the request with an internal error (HTTP 500 on POST /api/2.0/smtpsettings/smtp; "
                 "DocSpace says: Object reference not set to an instance of an object.)", [], id="500-error-body"),
    pytest.param(FakeResponse(500, NGINX_500, {"Content-Type": "text/html"}), 500, DocSpaceError, None,
                 "DocSpace failed on the request with an internal error (HTTP 500 on POST /api/2.0/smtpsettings/smtp; "
                 "an HTML page titled '500 Internal Server Error')", [], id="500-html"),
    pytest.param(FakeResponse(503, ""), 503, DocSpaceError, None,
                 "DocSpace is not available (HTTP 503 on POST /api/2.0/smtpsettings/smtp). The portal may be starting "
                 "or overloaded: run again when it answers", [], id="503"),
    pytest.param(FakeResponse(200, "<!DOCTYPE html><html><body>DocSpace</body></html>", {"Content-Type": "text/html"}),
                 200, DocSpaceError, None,
                 "The portal answered with an HTML page, not DocSpace's JSON, from "
                 "http://portal.test/api/2.0/smtpsettings/smtp (HTTP 200 on POST /api/2.0/smtpsettings/smtp). "
                 "Check base_url: it must be the portal root", [], id="200-html"),
    pytest.param(FakeResponse(200, "smtp.test:25", {"Content-Type": "text/plain"}), 200, DocSpaceError, None,
                 "The portal answered with something other than DocSpace's JSON (HTTP 200 on POST "
                 "/api/2.0/smtpsettings/smtp; the body is not JSON (text/plain): 'smtp.test:25'). Check base_url: ",
                 [], id="200-not-json"),
    pytest.param(FakeResponse(200, ""), 200, DocSpaceError, None,
                 "The portal answered with something other than DocSpace's JSON (HTTP 200 on POST "
                 "/api/2.0/smtpsettings/smtp; empty body)", [], id="200-empty"),
    pytest.param(validation_reply(200), 200, DocSpaceError,
                 "Port: The field Port must be between 1 and 65535.; "
                 "Host: The field Host must be a string with a maximum length of 255.",
                 "DocSpace reported a failure (HTTP 200 on POST /api/2.0/smtpsettings/smtp; DocSpace says: Port: The "
                 "field Port must be between 1 and 65535.; ", [], id="200-envelope-status-1"),
    pytest.param(FakeResponse(200, '["smtp.test", 25]', {"Content-Type": "application/json"}), 200, DocSpaceError,
                 None, "The portal answered with something other than DocSpace's JSON (HTTP 200 on POST "
                 "/api/2.0/smtpsettings/smtp; the answer is not a DocSpace envelope (an array (2 items)))", [],
                 id="200-json-array"),
]


@pytest.mark.parametrize("auth", ["api_key", "login"])
@pytest.mark.parametrize("reply, status, error_class, server_message, starts, fragments", ERROR_CASES)
def test_http_answer_becomes_a_complete_error(auth, reply, status, error_class, server_message, starts, fragments):
    calls = [Call("POST", SETTINGS_PATH, reply)]
    options = {}
    if auth == "login":
        calls.insert(0, Call("POST", LOGIN_PATH, LOGIN_OK))
        options = {"auth_username": USERNAME, "auth_password": PASSWORD}
    client, session, sleeps = make_client(calls, retries=0, **options)
    with pytest.raises(DocSpaceError) as caught:
        client.post(SETTINGS_PATH, SETTINGS_BODY)
    error = caught.value
    assert type(error) is error_class  # pylint: disable=unidiomatic-typecheck  # the exact class matters
    assert (error.method, error.path, error.status, error.server_message) == ("POST", SETTINGS_PATH, status, server_message)
    text = str(error)
    assert text.startswith(starts)
    for fragment in fragments:
        assert fragment in text
    assert_no_secret(text)
    session.assert_done()
    assert not sleeps


@pytest.mark.parametrize("method, auth, cause, advice", [
    ("GET", "api_key", "the API key's user is not a DocSpace owner or admin, or the key lacks read scope",
     "Give api_key a key of a DocSpace owner or admin with read scope"),
    ("POST", "api_key", "or the key lacks write scope", "with write scope"),
    ("GET", "login", "Access denied: the user is not a DocSpace owner or admin (",
     "Log in as a DocSpace owner or admin (auth_username)"),
], ids=["key-read", "key-write", "login"])
def test_a_403_names_what_the_caller_lacks(method, auth, cause, advice):
    calls = [Call(method, SETTINGS_PATH, FakeResponse(403, ""))]
    options = {}
    if auth == "login":
        calls.insert(0, Call("POST", LOGIN_PATH, LOGIN_OK))
        options = {"auth_username": USERNAME, "auth_password": PASSWORD}
    client, session, _sleeps = make_client(calls, **options)
    with pytest.raises(DocSpaceAuthError) as caught:
        client.call(method, SETTINGS_PATH)
    assert cause in str(caught.value) and advice in str(caught.value)
    assert ("scope" in str(caught.value)) is (auth == "api_key")
    session.assert_done()


# ---------------------------------------------------------------- retries

@pytest.mark.parametrize("status", [502, 503, 504])
def test_transient_status_is_retried_once_then_succeeds(status):
    client, session, sleeps = make_client([Call("GET", SETTINGS_PATH, FakeResponse(status, "")),
                                           Call("GET", SETTINGS_PATH, envelope({"host": "smtp.test"}))])
    assert client.get(SETTINGS_PATH).response == {"host": "smtp.test"}
    session.assert_done()
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 1


def test_429_waits_for_retry_after_then_succeeds():
    client, session, sleeps = make_client([
        Call("POST", SETTINGS_PATH, FakeResponse(429, "", {"Retry-After": "2"})),
        Call("POST", SETTINGS_PATH, envelope({"host": "smtp.test"}))])
    assert client.post(SETTINGS_PATH, SETTINGS_BODY).status == 200
    session.assert_done()
    assert sleeps == [2]


@pytest.mark.parametrize("headers, retry_after", [({"Retry-After": "900"}, "900"), ({}, None)],
                         ids=["retry-after-above-cap", "no-retry-after"])
def test_429_is_not_retried_without_a_short_retry_after(headers, retry_after):
    client, session, sleeps = make_client([Call("GET", SETTINGS_PATH, FakeResponse(429, "", headers))])
    with pytest.raises(DocSpaceError) as caught:
        client.get(SETTINGS_PATH)
    assert (caught.value.status, caught.value.retry_after) == (429, retry_after)
    assert "rate limit" in str(caught.value)
    assert ("Retry-After: 900 s). Run again after 900 s" in str(caught.value)) == (retry_after is not None)
    session.assert_done()
    assert not sleeps


@pytest.mark.parametrize("failure", [requests.exceptions.ConnectionError("[Errno 111] Connection refused"),
                                     requests.exceptions.ConnectTimeout("connect timed out")],
                         ids=["connection-refused", "connect-timeout"])
def test_connection_failure_is_retried_then_succeeds(failure):
    client, session, sleeps = make_client([Call("GET", SETTINGS_PATH, failure),
                                           Call("GET", SETTINGS_PATH, envelope({"host": "smtp.test"}))])
    assert client.get(SETTINGS_PATH).response == {"host": "smtp.test"}
    session.assert_done()
    assert len(sleeps) == 1


@pytest.mark.parametrize("failure, error_class", [
    (FakeResponse(503, "<html>Service Unavailable</html>", {"Content-Type": "text/html"}), DocSpaceError),
    (requests.exceptions.ConnectionError("[Errno 104] Connection reset by peer"), DocSpaceTransportError),
], ids=["503", "connection-reset"])
def test_retries_give_up_after_the_bound(failure, error_class):
    client, session, sleeps = make_client([Call("GET", SETTINGS_PATH, failure)] * 4)
    with pytest.raises(error_class) as caught:
        client.get(SETTINGS_PATH)
    assert (caught.value.method, caught.value.path) == ("GET", SETTINGS_PATH)
    session.assert_done()  # 1 + DEFAULT_RETRIES (3) sends, no more
    assert len(sleeps) == 3
    assert sleeps == sorted(sleeps) and sleeps[0] < sleeps[-1]
    assert sum(sleeps) < 5


@pytest.mark.parametrize("failure", [FakeResponse(503, ""), requests.exceptions.ConnectionError("refused")],
                         ids=["503", "connection-error"])
def test_retry_false_sends_exactly_once(failure):
    client, session, sleeps = make_client([Call("GET", "/api/2.0/smtpsettings/smtp/test", failure)])
    with pytest.raises(DocSpaceError):
        client.get("/api/2.0/smtpsettings/smtp/test", retry=False)
    session.assert_done()
    assert not sleeps


def test_read_timeout_is_not_retried():
    client, session, sleeps = make_client([Call("POST", SETTINGS_PATH, requests.exceptions.ReadTimeout("read timed out"))],
                                          timeout=7)
    with pytest.raises(DocSpaceTransportError) as caught:
        client.post(SETTINGS_PATH, SETTINGS_BODY)
    assert "POST http://portal.test/api/2.0/smtpsettings/smtp" in str(caught.value)
    assert str(caught.value).startswith("no answer within 7 s (timeout)")
    assert caught.value.status is None
    session.assert_done()
    assert not sleeps


def test_tls_failure_is_not_retried_and_suggests_ca_path():
    failure = requests.exceptions.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate")
    client, session, sleeps = make_client([Call("GET", SETTINGS_PATH, failure)])
    with pytest.raises(DocSpaceTransportError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value).startswith("the certificate of portal.test is not trusted")
    assert "pass its PEM bundle as ca_path" in str(caught.value)
    assert "validate_certs" not in str(caught.value)
    session.assert_done()
    assert not sleeps


# ---------------------------------------------------------------- authentication

def test_api_key_goes_as_bearer_without_login():
    client, session, _sleeps = make_client([
        Call("GET", SETTINGS_PATH, envelope({"host": "smtp.test"}), headers={"Authorization": f"Bearer {API_KEY}"})])
    client.get(SETTINGS_PATH)
    session.assert_done()


def test_login_once_then_bare_token_on_every_call():
    client, session, _sleeps = make_client([
        Call("POST", LOGIN_PATH, LOGIN_OK, body={"userName": USERNAME, "password": PASSWORD}),
        Call("GET", SETTINGS_PATH, envelope({"host": "smtp.test"}), headers={"Authorization": TOKEN}),
        Call("POST", SETTINGS_PATH, envelope({"host": "smtp.test"}), headers={"Authorization": TOKEN}),
    ], auth_username=USERNAME, auth_password=PASSWORD)
    client.get(SETTINGS_PATH)
    client.post(SETTINGS_PATH, SETTINGS_BODY)
    session.assert_done()
    assert "Authorization" not in session.seen[0]["headers"]


def test_rejected_login_is_an_auth_error():
    client, session, _sleeps = make_client([
        Call("POST", LOGIN_PATH, error_reply(401, "User authentication failed", "System.Security.Authentication.AuthenticationException"))],
        auth_username=USERNAME, auth_password=PASSWORD)
    with pytest.raises(DocSpaceAuthError) as caught:
        client.get(SETTINGS_PATH)
    assert (caught.value.method, caught.value.path, caught.value.status) == ("POST", LOGIN_PATH, 401)
    assert "User authentication failed" in str(caught.value) and "auth_password" in str(caught.value)
    assert "api_key" not in str(caught.value)
    assert_no_secret(str(caught.value))
    session.assert_done()


@pytest.mark.parametrize("answer, reason", [
    ({"sms": False, "tfa": True, "tfaKey": "JBSWY3DPEHPK3PXP", "confirmUrl": "http://portal.test/confirm"}, "two-factor"),
    ({"sms": True, "tfa": False, "phoneNoise": "+1 ***-***-0042", "confirmUrl": "http://portal.test/confirm"}, "two-factor"),
    ({"expires": "2030-01-01T00:00:00.0000000+00:00", "sms": False, "tfa": False}, "no token"),
], ids=["tfa", "sms", "no-token"])
def test_login_without_token_is_a_clear_error(answer, reason):
    client, session, _sleeps = make_client([Call("POST", LOGIN_PATH, envelope(answer))],
                                           auth_username=USERNAME, auth_password=PASSWORD)
    with pytest.raises(DocSpaceAuthError) as caught:
        client.get(SETTINGS_PATH)
    assert reason in str(caught.value) and LOGIN_PATH in str(caught.value)
    assert_no_secret(str(caught.value))
    session.assert_done()


# ---------------------------------------------------------------- TLS options and timeout

@pytest.mark.parametrize("options, verify", [
    ({}, True),
    ({"ca_path": CA_FILE}, CA_FILE),
    ({"validate_certs": False}, False),
    ({"validate_certs": False, "ca_path": CA_FILE}, False),
], ids=["default", "ca-path", "no-validation", "no-validation-wins-over-ca-path"])
def test_tls_verification_reaches_the_session(options, verify):
    client, session, _sleeps = make_client([Call("GET", SETTINGS_PATH, envelope({}))], timeout=12, **options)
    client.get(SETTINGS_PATH)
    assert session.seen[0]["options"]["verify"] == verify
    assert session.seen[0]["options"]["timeout"] == (12, 12)


def test_from_params_uses_the_module_options():
    session = ScriptedSession([Call("GET", SETTINGS_PATH, envelope({}), headers={"Authorization": f"Bearer {API_KEY}"})])
    params = {"base_url": "https://portal.test/", "api_key": API_KEY, "auth_username": None, "auth_password": None,
              "validate_certs": True, "ca_path": CA_FILE, "timeout": 5}
    DocSpaceClient.from_params(params, session=session).get(SETTINGS_PATH)
    assert session.seen[0]["url"] == "https://portal.test/api/2.0/smtpsettings/smtp"
    assert (session.seen[0]["options"]["verify"], session.seen[0]["options"]["timeout"]) == (CA_FILE, (5, 5))


# ---------------------------------------------------------------- envelope

def test_envelope_without_response_gives_none_and_count_zero():
    client, _session, _sleeps = make_client([Call("GET", "/api/2.0/smtpsettings/smtp/test/status", envelope(None))])
    reply = client.get("/api/2.0/smtpsettings/smtp/test/status")
    assert (reply.status, reply.response, reply.count) == (200, None, 0)


def test_count_is_read_from_the_body():
    client, _session, _sleeps = make_client([Call("GET", "/api/2.0/keys", envelope([{"id": 1}, {"id": 2}], count=2))])
    reply = client.get("/api/2.0/keys")
    assert (reply.response, reply.count) == ([{"id": 1}, {"id": 2}], 2)


# ---------------------------------------------------------------- base_url and option checks

@pytest.mark.parametrize("given, expected", [
    ("https://portal.test/", "https://portal.test"),
    ("https://portal.test", "https://portal.test"),
    ("http://portal.test:8080/docspace/", "http://portal.test:8080/docspace"),
    (" https://portal.test/ ", "https://portal.test"),
], ids=["trailing-slash", "bare", "port-and-prefix", "surrounding-spaces"])
def test_normalize_base_url(given, expected):
    assert normalize_base_url(given) == expected


@pytest.mark.parametrize("given, problem", [
    ("portal.test", "http:// or https://"),
    ("ftp://portal.test", "http:// or https://"),
    ("https://", "no host"),
    ("https://portal.test/?tenant=1", "query string or fragment"),
    ("https://portal.test/#settings", "query string or fragment"),
    ("https://portal.test:99999", "port"),
    ("https://portal.test:https", "port"),
], ids=["no-scheme", "ftp", "no-host", "query", "fragment", "port-out-of-range", "port-not-a-number"])
def test_normalize_base_url_refuses(given, problem):
    with pytest.raises(DocSpaceConfigError) as caught:
        normalize_base_url(given)
    assert "base_url" in str(caught.value) and problem in str(caught.value)


@pytest.mark.parametrize("given", [
    f"https://admin:{PASSWORD}@portal.test/",
    f"https://admin:{PASSWORD}@portal.test:99999/",
    f"admin:{PASSWORD}@portal.test",
    "https://admin:Adm1n/pa55word@portal.test/",
], ids=["user-password", "with-bad-port", "no-scheme", "slash-in-password"])
def test_normalize_base_url_never_echoes_credentials(given):
    with pytest.raises(DocSpaceConfigError) as caught:
        normalize_base_url(given)
    assert "portal.test" in str(caught.value)
    assert "Adm1n" not in str(caught.value) and "pa55word" not in str(caught.value)


@pytest.mark.parametrize("options, problem", [
    ({"api_key": API_KEY, "auth_username": USERNAME, "auth_password": PASSWORD}, "not both or neither"),
    ({}, "not both or neither"),
    ({"auth_username": USERNAME}, "auth_username needs auth_password"),
    ({"api_key": API_KEY, "timeout": 0}, "timeout must be a positive number"),
    ({"api_key": API_KEY, "timeout": -5}, "timeout must be a positive number"),
    ({"api_key": API_KEY, "base_url": "portal.test"}, "base_url"),
], ids=["both", "neither", "no-password", "timeout-zero", "timeout-negative", "bad-base-url"])
def test_unusable_options_fail_before_any_request(options, problem):
    session = ScriptedSession([])
    base_url = options.pop("base_url", "https://portal.test")
    with pytest.raises(DocSpaceConfigError) as caught:
        DocSpaceClient(base_url, session=session, **options)
    assert problem in str(caught.value)
    assert_no_secret(str(caught.value))
    assert not session.seen


def test_from_params_does_not_turn_timeout_zero_into_the_default():
    params = {"base_url": "https://portal.test", "api_key": API_KEY, "timeout": 0}
    with pytest.raises(DocSpaceConfigError, match="timeout"):
        DocSpaceClient.from_params(params, session=ScriptedSession([]))


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


def test_a_redirect_is_not_followed_and_names_where_it_points():
    client, session, _sleeps = make_client(
        [Call("GET", SETTINGS_PATH, FakeResponse(301, "", {"Location": "https://portal.test/api/2.0/smtpsettings/smtp"}))])
    with pytest.raises(DocSpaceError) as caught:
        client.get(SETTINGS_PATH)
    assert caught.value.status == 301
    assert str(caught.value) == ("The portal redirected the request to https://portal.test/api/2.0/smtpsettings/smtp "
                                 "(HTTP 301 on GET /api/2.0/smtpsettings/smtp). Use base_url: https://portal.test")
    assert session.seen[0]["options"]["allow_redirects"] is False


def test_a_redirect_elsewhere_asks_for_the_root_it_names():
    client, _session, _sleeps = make_client(
        [Call("GET", SETTINGS_PATH, FakeResponse(302, "", {"Location": "https://portal.test/login"}))])
    with pytest.raises(DocSpaceError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value).endswith(
        "redirected the request to https://portal.test/login (HTTP 302 on GET /api/2.0/smtpsettings/smtp). "
        "Set base_url to the portal root it names, e.g. its https:// address")


def test_a_retry_after_date_is_shown_without_a_unit():
    date = "Wed, 25 Nov 2026 18:00:00 GMT"
    client, _session, sleeps = make_client([Call("GET", SETTINGS_PATH, FakeResponse(429, "", {"Retry-After": date}))])
    with pytest.raises(DocSpaceError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value) == (f"The portal's rate limit was reached (HTTP 429 on GET {SETTINGS_PATH}; "
                                 f"Retry-After: {date}). Run again later")
    assert not sleeps


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


# ---------------------------------------------------------------- bounded answers

def test_an_answer_larger_than_the_cap_is_refused():
    huge = FakeResponse(200, "", {"Content-Type": "application/json"}, content=b"[" + b"0," * (3 * 1024 * 1024) + b"0]")
    client, session, _sleeps = make_client([Call("GET", SETTINGS_PATH, huge)])
    with pytest.raises(DocSpaceResponseError) as caught:
        client.get(SETTINGS_PATH)
    assert "larger than 4 MiB after decompression" in str(caught.value)
    session.assert_done()  # not retried


def test_a_gzip_bomb_is_refused_after_the_cap_not_after_inflating_it():
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)
    reply = FakeResponse(200, "", {"Content-Encoding": "gzip"}, content=bomb, piece=4096)
    client, _session, _sleeps = make_client([Call("GET", SETTINGS_PATH, reply)])
    with pytest.raises(DocSpaceResponseError, match="larger than 4 MiB after decompression"):
        client.get(SETTINGS_PATH)
    assert reply.raw._body.tell() < len(bomb)  # pylint: disable=protected-access  # stopped reading early


def test_a_gzip_answer_is_read():
    body = json.dumps({"response": {"host": "smtp.test"}, "count": 1, "status": 0}).encode()
    reply = FakeResponse(200, "", {"Content-Encoding": "gzip"}, content=gzip.compress(body), piece=7)
    client, _session, _sleeps = make_client([Call("GET", SETTINGS_PATH, reply)])
    assert client.get(SETTINGS_PATH).response == {"host": "smtp.test"}


def test_a_dribbling_answer_meets_the_whole_request_deadline(monkeypatch):
    monkeypatch.setattr(_docspace, "DEADLINE_GRACE", 0.1)
    # One byte every 50 ms: each read is quick, so only a deadline for the whole request stops it.
    slow = envelope({"host": "smtp.test"})
    slow = FakeResponse(200, slow.text, slow.headers, piece=1, pause=0.05)
    client, _session, _sleeps = make_client([Call("GET", SETTINGS_PATH, slow)], timeout=0.3)
    body = slow.raw  # close() replaces it, so that a replayed answer could be read again
    with pytest.raises(DocSpaceTransportError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value).startswith("no complete answer within 0.3 s (timeout)")
    # The client gave up while the body was still arriving: it did not wait for the read in progress.
    assert not body.finished()


# ---------------------------------------------------------------- hostile JSON and types

@pytest.mark.parametrize("text, words", [
    ('{"response": {"port": NaN}, "status": 0}', "NaN"),
    ('{"response": {"port": Infinity}, "status": 0}', "Infinity"),
    ('{"response": {"port": 1e999}, "status": 0}', "1e999"),
    ('{"response": ' + "[" * 5000 + "]" * 5000 + ', "status": 0}', "nested more than 64 levels"),
], ids=["nan", "infinity", "overflowing-float", "deep-nesting"])
def test_hostile_json_is_refused_in_words(text, words):
    client, _session, _sleeps = make_client([Call("GET", SETTINGS_PATH, FakeResponse(200, text))])
    with pytest.raises(DocSpaceError) as caught:
        client.get(SETTINGS_PATH)
    assert words in str(caught.value) and "HTTP 200" in str(caught.value)


@pytest.mark.parametrize("levels, refused", [(1, False), (64, False), (65, True)])
def test_the_nesting_rule_refuses_more_than_64_levels(levels, refused):
    """The boundary itself: 64 levels are JSON like any other, 65 are refused; brackets in strings do not count."""
    body, problem = parse_json('{"a": ' * (levels - 1) + '["[[[{{{"]' + "}" * (levels - 1))
    assert (problem is not None) is refused
    if not refused:
        for _level in range(levels - 1):
            body = body["a"]
        assert body == ["[[[{{{"]


# ---------------------------------------------------------------- option echoes

@pytest.mark.parametrize("extra, refused", [
    (2048 - len("https://portal.test/"), False), (2049 - len("https://portal.test/"), True)])
def test_a_base_url_longer_than_2048_characters_is_refused(extra, refused):
    given = "https://portal.test/" + "a" * extra
    if refused:
        with pytest.raises(DocSpaceConfigError, match="it is 2049 characters long, more than the 2048"):
            normalize_base_url(given)
    else:
        assert normalize_base_url(given) == given


@pytest.mark.parametrize("secret, masked", [("k3y", True), ("k3", False)])
def test_a_secret_of_three_characters_is_masked_and_one_of_two_cannot_be(secret, masked):
    """README: a secret of one or two characters cannot be told from ordinary text and is not masked."""
    assert (_docspace.Secrets([secret]).mask(f"key {secret} rejected") == "key ******** rejected") is masked


@pytest.mark.parametrize("given, hidden", [
    ("https://portal.test/?api_key=sk-query-secret-0042", "sk-query-secret-0042"),
    ("portal.test/" + "a" * 10000, "a" * 100),
    ("https://portal.test/\n" + "b" * 50, "\n"),
], ids=["query-with-key", "10000-characters", "control-character"])
def test_a_refused_base_url_is_echoed_short_and_without_its_query(given, hidden):
    with pytest.raises(DocSpaceConfigError) as caught:
        normalize_base_url(given)
    assert hidden not in str(caught.value) and len(str(caught.value)) < 300


def test_a_control_character_in_base_url_is_named():
    with pytest.raises(DocSpaceConfigError, match="control character U\\+000A at position 21"):
        normalize_base_url("https://portal.test/\nx")


class _SilentSession(requests.Session):
    """A real session that fails the test if anything is sent, and remembers what it prepared and being closed."""

    closed = False

    def __init__(self) -> None:
        super().__init__()
        self.prepared: list[str] = []

    def prepare_request(self, request):
        self.prepared.append(request.url)
        return super().prepare_request(request)

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        raise AssertionError(f"the warm-up sent {request.method} {request.url}")

    def close(self) -> None:
        self.closed = True
        super().close()


def test_the_warm_up_sends_nothing_and_closes_its_session(monkeypatch):
    """Run in Ansible's main process before it forks the workers that send: no request, no name lookup."""
    sessions: list[_SilentSession] = []
    interpreted: list[str] = []

    def open_silent_session() -> _SilentSession:
        sessions.append(_SilentSession())
        return sessions[-1]

    def no_network(*args, **kwargs):
        raise AssertionError(f"the warm-up looked up or connected to {args!r}")

    for name in ("getaddrinfo", "gethostbyname", "create_connection"):
        monkeypatch.setattr(socket, name, no_network)
    monkeypatch.setattr(_docspace, "environment_proxy", no_network)
    monkeypatch.setattr(_docspace, "open_session", open_silent_session)
    real_interpret = DocSpaceClient._interpret

    def recorded_interpret(self, method, path, answer):
        interpreted.append(path)
        return real_interpret(self, method, path, answer)

    monkeypatch.setattr(DocSpaceClient, "_interpret", recorded_interpret)
    warm_up()
    # Both sides of a GET were done: the request prepared, a DocSpace envelope read.
    assert len(sessions) == 1 and sessions[0].prepared == [f"{_docspace.WARM_UP_URL}{VERSION_PATH}"]
    assert interpreted == [VERSION_PATH]
    assert sessions[0].closed


# ---------------------------------------------------------------- environment and warnings

def test_netrc_never_replaces_the_authorization_header(tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine portal.test login someone password netrc-pw\n")
    monkeypatch.setenv("NETRC", str(netrc))
    session = open_session()
    prepared = session.prepare_request(requests.Request("GET", "https://portal.test/api", headers={"Authorization": "Bearer k"}))
    assert prepared.headers["Authorization"] == "Bearer k"


def test_ca_variables_are_ignored(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/bundle.pem")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/nonexistent/bundle.pem")
    settings = open_session().merge_environment_settings("https://portal.test/", {}, None, True, None)
    assert settings["verify"] is True


def test_a_proxy_from_the_environment_is_used_and_named(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert environment_proxy("https://portal.test") == ("http://proxy.test:3128", "HTTPS_PROXY")
    failure = requests.exceptions.ProxyError("Unable to connect to proxy")
    client, session, _sleeps = make_client([Call("GET", SETTINGS_PATH, failure)], retries=0)
    client = DocSpaceClient("https://portal.test", api_key=API_KEY, session=session, retries=0)
    with pytest.raises(DocSpaceTransportError) as caught:
        client.get(SETTINGS_PATH)
    assert "proxy http://proxy.test:3128 (from HTTPS_PROXY)" in str(caught.value)
    assert session.seen[0]["options"]["proxies"] == {"https": "http://proxy.test:3128"}


def test_no_proxy_turns_the_proxy_off(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    monkeypatch.setenv("NO_PROXY", "portal.test")
    assert environment_proxy("https://portal.test") is None


PROXY_ENVIRONMENTS = [
    {},
    {"NO_PROXY": "portal.test", "no_proxy": "*"},
    {"HTTPS_PROXY": "http://proxy.test:3128"},
    {"Https_Proxy": "http://proxy.test:3128"},
    {"all_proxy": "socks5://proxy.test:1080"},
    {"HTTP_PROXY": "http://proxy.test:3128"},
    {"HTTPS_PROXY": ""},
    {"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "portal.test"},
]


@pytest.mark.skipif(urllib.request.getproxies is not urllib.request.getproxies_environment,
                    reason="this platform also asks the system for proxies")
@pytest.mark.parametrize("environment", PROXY_ENVIRONMENTS)
@pytest.mark.parametrize("url", ["https://portal.test", "http://portal.test:8092"])
def test_the_proxy_is_the_one_requests_would_take(monkeypatch, environment, url):
    """The short cut taken when nothing names a proxy finds what requests' own lookup finds."""
    for name in [name for name in os.environ if name.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    proxies = requests.utils.get_environ_proxies(url)
    expected = proxies.get(urlsplit(url).scheme) or proxies.get("all")
    found = environment_proxy(url)
    assert (found[0] if found else None) == expected
    if not any(value and name.lower() != "no_proxy" for name, value in environment.items()):
        def no_lookup(*_args):
            raise AssertionError("requests was asked although no variable names a proxy")

        monkeypatch.setattr(requests.utils, "get_environ_proxies", no_lookup)
        assert environment_proxy(url) is None


@pytest.mark.parametrize("base_url, options, expected", [
    ("http://portal.test", {}, ["clear text"]),
    ("http://127.0.0.1:8080", {}, []),
    ("http://localhost", {}, []),
    ("https://portal.test", {}, []),
    ("https://portal.test", {"validate_certs": False, "ca_path": "/etc/ca.pem"}, ["ca_path /etc/ca.pem is ignored"]),
    ("https://portal.test", {"validate_certs": False}, []),
], ids=["http-remote", "http-loopback", "http-localhost", "https", "ca-path-ignored", "no-validation"])
def test_option_warnings(base_url, options, expected):
    client = DocSpaceClient(base_url, api_key=API_KEY, session=ScriptedSession([]), **options)
    assert len(client.warnings) == len(expected)
    for warning, words in zip(client.warnings, expected):
        assert words in warning


# ---------------------------------------------------------------- transport causes in words (issue 18)

def _wrapped(reason, outer=requests.exceptions.ConnectionError):
    """The exception requests raises: its error wrapping urllib3's MaxRetryError wrapping the reason."""
    from urllib3.exceptions import MaxRetryError
    return outer(MaxRetryError(None, "/api/2.0/smtpsettings/smtp", reason))  # type: ignore[arg-type]


def _refused():
    from urllib3.exceptions import NewConnectionError
    try:
        raise ConnectionRefusedError(111, "Connection refused")
    except ConnectionRefusedError as cause:
        try:
            raise NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused") from cause  # type: ignore[arg-type]
        except NewConnectionError as error:
            return _wrapped(error)


def _unresolvable():
    from urllib3.exceptions import NameResolutionError
    try:
        raise socket.gaierror(-2, "Name or service not known")
    except socket.gaierror as cause:
        try:
            raise NameResolutionError("portal.test", None, cause) from cause  # type: ignore[arg-type]
        except NameResolutionError as error:
            return _wrapped(error)


def _not_http(first_line):
    """What requests raises for an answer whose first line is not HTTP's (a mail server's greeting, say)."""
    from urllib3.exceptions import ProtocolError
    return requests.exceptions.ConnectionError(ProtocolError("Connection aborted.", http.client.BadStatusLine(first_line)))


def _tls(text):
    return _wrapped(ssl.SSLError(1, text), requests.exceptions.SSLError)


@pytest.mark.parametrize("failure, starts, advice, retried", [
    (_refused(), "connection refused by portal.test port 80: GET http://portal.test/api/2.0/smtpsettings/smtp failed",
     "check that the portal runs", True),
    (_unresolvable(), "the name portal.test does not resolve: GET http://portal.test/api/2.0/smtpsettings/smtp failed",
     "check the host name in base_url", False),
    (requests.exceptions.ConnectTimeout("x"), "no connection within 30 s (timeout)", "is reachable", True),
    (requests.exceptions.ConnectionError(ConnectionResetError(104, "Connection reset by peer")),
     "the connection was reset or closed by the server: GET http://portal.test/api/2.0/smtpsettings/smtp failed; "
     "if this persists, something other than a web server may listen on port 80 (a mail server, say): check the "
     "port in base_url", "usually https://portal.test without a port; the SMTP relay's address belongs in host and port",
     True),
    (_not_http("220 portal.test ESMTP Postfix\r\n"),
     "a mail server (SMTP), not a web server, answered at portal.test port 80 ('220 portal.test ESMTP Postfix'): "
     "GET http://portal.test/api/2.0/smtpsettings/smtp failed; check the port in base_url: it is the portal's web "
     "address, usually https://portal.test without a port; the SMTP relay's address belongs in host and port", "", True),
    (_not_http("SSH-2.0-OpenSSH_9.6\r\n"),
     "something that is not a web server answered at portal.test port 80 ('SSH-2.0-OpenSSH_9.6'): GET", "check the port in base_url", True),
], ids=["refused", "name-does-not-resolve", "connect-timeout", "reset", "mail-server", "not-http"])
def test_transport_failures_say_the_cause_first(failure, starts, advice, retried):
    client, session, sleeps = make_client([Call("GET", SETTINGS_PATH, failure)] * (4 if retried else 1))
    with pytest.raises(DocSpaceTransportError) as caught:
        client.get(SETTINGS_PATH)
    text = str(caught.value)
    assert text.startswith(starts) and advice in text
    assert "HTTPConnectionPool" not in text and "Max retries" not in text and "detail:" not in text
    assert len(session.seen) == (4 if retried else 1) and bool(sleeps) == retried


@pytest.mark.parametrize("reason, options, starts, advice, not_said", [
    ("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)", {"validate_certs": False},
     "portal.test port 443 does not speak TLS", "use http:// in base_url (http://portal.test)", "ca_path"),
    ("[SSL] record layer failure (_ssl.c:1000)", {}, "portal.test port 443 does not speak TLS", "http://", "ca_path"),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate",
     {"ca_path": CA_FILE}, f"the certificate of portal.test is not trusted by the CAs in ca_path {CA_FILE}",
     "check that ca_path holds", "pass its PEM bundle"),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'portal.test'",
     {}, "the certificate of portal.test is for another host name", "", "ca_path"),
    ("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)", {"port": 587},
     "portal.test port 587 does not speak TLS, and port 587 is usually a mail server's: GET https://portal.test:587/",
     "check the port in base_url: it is the portal's web address, usually https://portal.test without a port", "http://"),
    (ssl.SSLEOFError(8, "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol (_ssl.c:1006)"),
     {"port": 25}, "portal.test port 25 closed the connection during the TLS handshake: GET https://portal.test:25/",
     "failed; if this persists, something other than a web server may listen on port 25 (a mail server, say): check "
     "the port in base_url", "detail:"),
], ids=["plain-http-port", "plain-http-port-openssl3", "untrusted-with-ca-path", "hostname-mismatch", "mail-port",
        "closed-in-handshake"])
def test_tls_failures_in_words_and_advice_never_repeats_what_is_set(reason, options, starts, advice, not_said):
    failure = _wrapped(reason, requests.exceptions.SSLError) if isinstance(reason, ssl.SSLError) else _tls(reason)
    session = ScriptedSession([Call("GET", SETTINGS_PATH, failure)])
    port = options.pop("port", None)
    client = DocSpaceClient(f"https://portal.test{f':{port}' if port else ''}", api_key=API_KEY, session=session,
                            **options)
    with pytest.raises(DocSpaceTransportError) as caught:
        client.get(SETTINGS_PATH)
    text = str(caught.value)
    assert text.startswith(starts) and advice in text and not_said not in text
    assert "validate_certs" not in text
    session.assert_done()


# ---------------------------------------------------------------- wrong base_url, old servers, unpaid portals

def test_a_404_shows_the_full_url_with_the_prefix():
    session = ScriptedSession([Call("GET", "/docspace/api/2.0/smtpsettings/smtp", FakeResponse(404, ""))])
    client = DocSpaceClient("https://portal.test/docspace", api_key=API_KEY, session=session)
    with pytest.raises(DocSpaceError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value).startswith("Nothing found at https://portal.test/docspace/api/2.0/smtpsettings/smtp (")
    assert "it must be the portal root" in str(caught.value) and "use base_url" not in str(caught.value)


@pytest.mark.parametrize("base_url, root", [
    ("https://portal.test/api/2.0", "https://portal.test"),
    ("https://portal.test/api", "https://portal.test"),
    ("https://portal.test/api/2.0/smtpsettings/smtp", "https://portal.test"),
    ("https://portal.test/Products/Files/", "https://portal.test"),
    ("https://portal.test:8443/rooms/shared/filter", "https://portal.test:8443"),
    ("http://portal.test/docspace/portal-settings/customization/general", "http://portal.test/docspace"),
], ids=["api-2.0", "api", "api-endpoint", "products-page", "rooms-page-with-port", "settings-page-under-prefix"])
def test_a_404_below_an_api_or_page_path_offers_the_root(base_url, root):
    requested = urlsplit(base_url.rstrip("/")).path + SETTINGS_PATH
    session = ScriptedSession([Call("GET", requested, FakeResponse(404, ""))])
    client = DocSpaceClient(base_url, api_key=API_KEY, session=session)
    with pytest.raises(DocSpaceError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value).endswith(
        f"Check base_url: it must be the portal root, not the address of its API or of a page in it; use base_url: {root}")


@pytest.mark.parametrize("version_reply, words", [
    (envelope({"docSpace": "3.0.4.1234", "documentServer": "8.2"}),
     "The portal runs DocSpace 3.0.4.1234, older than 3.1, which has no API keys, and rejected the key (HTTP 401 on GET "
     "/api/2.0/smtpsettings/smtp). Log in with a user name and password instead, which works on every version"),
    (envelope({"docSpace": "3.7.2.1500", "documentServer": "9.0"}),
     "The portal rejected the API key (it runs DocSpace 3.7.2.1500, which has API keys) (HTTP 401 on GET "
     "/api/2.0/smtpsettings/smtp). Check api_key: the key is wrong, expired, disabled or deleted"),
    (FakeResponse(404, ""),
     "The portal rejected the API key, or it runs a DocSpace older than 3.1, which has no API keys (HTTP 401 on GET "
     "/api/2.0/smtpsettings/smtp). Check api_key: the key may be wrong, expired, disabled or deleted; on a DocSpace "
     "older than 3.1, log in with a user name and password instead, which works on every version"),
], ids=["older-than-3.1", "3.1-or-later", "version-unknown"])
def test_a_rejected_api_key_names_the_version_rule(version_reply, words):
    client, session, _sleeps = make_client([Call("GET", SETTINGS_PATH, FakeResponse(401, "")),
                                            Call("GET", VERSION_PATH, version_reply)])
    with pytest.raises(DocSpaceAuthError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value) == words
    assert "Authorization" not in session.seen[1]["headers"]
    session.assert_done()


def test_a_rejected_login_names_the_user_name_and_password_and_does_not_read_the_version():
    client, session, _sleeps = make_client([Call("POST", LOGIN_PATH, FakeResponse(401, ""))],
                                           auth_username=USERNAME, auth_password=PASSWORD)
    with pytest.raises(DocSpaceAuthError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value) == ("The portal rejected the user name or password (HTTP 401 on POST /api/2.0/authentication). "
                                 "Check auth_username (the account's e-mail address) and auth_password")
    session.assert_done()


def test_a_rejected_login_token_says_so():
    client, session, _sleeps = make_client([Call("POST", LOGIN_PATH, LOGIN_OK), Call("GET", SETTINGS_PATH, FakeResponse(401, ""))],
                                           auth_username=USERNAME, auth_password=PASSWORD)
    with pytest.raises(DocSpaceAuthError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value).startswith("The portal rejected the token of the login this task made (HTTP 401 on GET ")
    assert "api_key" not in str(caught.value)
    session.assert_done()


def test_a_refused_login_is_not_taken_for_a_missing_admin_role():
    reply = error_reply(403, "Too many login attempts. Please try again later")
    client, session, _sleeps = make_client([Call("POST", LOGIN_PATH, reply)], auth_username=USERNAME, auth_password=PASSWORD)
    with pytest.raises(DocSpaceAuthError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value).startswith("The portal refused the login (HTTP 403 on POST /api/2.0/authentication; "
                                        "DocSpace says: Too many login attempts. Please try again later). DocSpace refuses")
    assert "owner or admin" not in str(caught.value)
    session.assert_done()


def test_a_ca_path_that_does_not_exist_is_refused_before_any_request():
    with pytest.raises(DocSpaceConfigError, match=r"ca_path /nonexistent/ca\.pem does not exist"):
        DocSpaceClient("https://portal.test", api_key=API_KEY, ca_path="/nonexistent/ca.pem", session=ScriptedSession([]))


def test_a_failure_says_whether_the_portal_answered():
    refused = DocSpaceTransportError("connection refused", "GET", SETTINGS_PATH, retryable=True)
    rejected = DocSpaceAuthError("HTTP 401", method="GET", path=SETTINGS_PATH, status=401)
    assert failure_details(refused) == {"reachable": False}
    assert failure_details(rejected) == {"reachable": True}
