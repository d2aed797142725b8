# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the DocSpace client: status to error, retries, login, TLS options, option checks and warnings, wrong base_url."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import (
    LOGIN_PATH, VERSION_PATH, DocSpaceClient)
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import (
    DocSpaceAuthError, DocSpaceConfigError, DocSpaceError, DocSpaceTransportError)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.client_cases import (
    API_KEY, CA_FILE, LOGIN_OK, NGINX_500, PASSWORD, SETTINGS_BODY, SETTINGS_PATH, TOKEN, USERNAME,
    assert_no_secret, make_client, validation_reply)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import (
    Call, FakeResponse, ScriptedSession, envelope, error_reply)


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
