# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of transport failures in words: the cause first, then where, then what to do."""

from __future__ import annotations

import http.client
import socket
import ssl

import pytest
import requests

from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import DocSpaceClient
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceTransportError
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.client_cases import (
    API_KEY, CA_FILE, SETTINGS_PATH, make_client)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import Call, ScriptedSession


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


def test_an_empty_answer_is_a_closed_connection_not_a_foreign_server():
    """RemoteDisconnected is a BadStatusLine too, but one of the table's "closed" kind (no first line to quote)."""
    failure = requests.exceptions.ConnectionError(http.client.RemoteDisconnected("Remote end closed connection"))
    client, _session, _sleeps = make_client([Call("GET", SETTINGS_PATH, failure)] * 4)
    with pytest.raises(DocSpaceTransportError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value).startswith("the connection was reset or closed by the server: GET")
