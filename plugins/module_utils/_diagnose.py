# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""A transport failure in words: what an exception from requests means (the cause), what to do (the advice),
and whether it is worth repeating.

Exceptions are classified by type, in one ordered table (FAILURE_KINDS): a class that requests, urllib3, ssl or
socket renames fails at import here, not silently in a task.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from typing import Any, Callable, Iterable

from ansible_collections.onlyoffice.docspace.plugins.module_utils._names import name, words
from ansible_collections.onlyoffice.docspace.plugins.module_utils._ready import READY_ADVICE
from ansible_collections.onlyoffice.docspace.plugins.module_utils._secrets import snippet
from ansible_collections.onlyoffice.docspace.plugins.module_utils._transport import requests, urllib3

# The connection ended before an HTTP answer came: reset, or closed (RemoteDisconnected is a ConnectionResetError),
# or cut in the middle of a body (urllib3's ProtocolError, requests' ChunkedEncodingError).
CLOSED_ERRORS: tuple[type[BaseException], ...] = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
if requests is not None:
    CLOSED_ERRORS += (urllib3.exceptions.ProtocolError, requests.exceptions.ChunkedEncodingError)

# Ports of mail servers (SMTP, submission, and the usual alternative) that users put into base_url by mistake.
MAIL_PORTS = frozenset((25, 587, 2525))

Matcher = Callable[[BaseException], bool]


def _instance_of(*types: type[BaseException], but_not: tuple[type[BaseException], ...] = ()) -> Matcher:
    """Whether an exception is of one of types (or a subclass of one), and of none of but_not."""
    return lambda item: isinstance(item, types) and not isinstance(item, but_not)


def _exactly(kind: type[BaseException]) -> Matcher:
    """Whether an exception is of this very class (not of a subclass)."""
    return lambda item: type(item) is kind  # pylint: disable=unidiomatic-typecheck  # subclasses mean otherwise


def _either(*matchers: Matcher) -> Matcher:
    """Whether an exception matches any of matchers."""
    return lambda item: any(matches(item) for matches in matchers)


def _os_error(*errnos: int) -> Matcher:
    """Whether an exception is an OSError with one of errnos."""
    return lambda item: isinstance(item, OSError) and item.errno in errnos


# What each kind of failure is, most specific first: the first kind that any exception of the chain (the error
# and what it wraps) matches is the cause. Without requests no request is ever sent, so only the library-free
# kinds are listed.
if requests is not None:
    _requests, _urllib3 = requests.exceptions, urllib3.exceptions
    FAILURE_KINDS: tuple[tuple[str, Matcher], ...] = (
        ("proxy", _instance_of(_requests.ProxyError, _urllib3.ProxyError)),
        # urllib3 2 raises NameResolutionError from the socket.gaierror; urllib3 1 has no such class and lets
        # the gaierror itself through.
        ("name", _instance_of(getattr(_urllib3, "NameResolutionError", socket.gaierror), socket.gaierror)),
        ("tls", _instance_of(_requests.SSLError, _urllib3.SSLError, ssl.SSLError)),
        ("refused", _instance_of(ConnectionRefusedError)),
        # http.client's BadStatusLine: the first line of the answer is not HTTP's (an empty one is RemoteDisconnected).
        ("not http", _instance_of(http.client.BadStatusLine, but_not=(http.client.RemoteDisconnected,))),
        ("closed", _instance_of(*CLOSED_ERRORS)),
        ("unreachable", _os_error(101, 113)),
        # After refused: urllib3 2 derives NewConnectionError (a refusal, too) from ConnectTimeoutError.
        ("connect timeout", _either(_instance_of(_requests.ConnectTimeout), _exactly(_urllib3.ConnectTimeoutError))),
        ("read timeout", _instance_of(_requests.ReadTimeout, _urllib3.ReadTimeoutError, _requests.Timeout)),
        ("connection", _instance_of(_requests.ConnectionError, ConnectionError)),
    )
else:
    FAILURE_KINDS = (
        ("name", _instance_of(socket.gaierror)),
        ("tls", _instance_of(ssl.SSLError)),
        ("refused", _instance_of(ConnectionRefusedError)),
        ("not http", _instance_of(http.client.BadStatusLine, but_not=(http.client.RemoteDisconnected,))),
        ("closed", _instance_of(*CLOSED_ERRORS)),
        ("unreachable", _os_error(101, 113)),
        ("connection", _instance_of(ConnectionError)),
    )


def classify(chain: list[BaseException]) -> tuple[str | None, BaseException | None]:
    """(kind, the exception of chain that shows it) for the first kind of FAILURE_KINDS found, or (None, None)."""
    for kind, matches in FAILURE_KINDS:
        found = next((item for item in chain if matches(item)), None)
        if found is not None:
            return kind, found
    return None, None


def describe_transport_failure(error: Exception, context: dict[str, Any]) -> tuple[str, str, bool]:
    """(cause in words, advice, whether it is worth retrying) for an exception from requests."""
    chain = list(_exception_chain(error))
    host, port, seconds = context["host"], context["port"], context["timeout"]
    kind, found = classify(chain)
    if kind == "proxy":
        # The proxy and its variable are named right after the URL (see DocSpaceClient._transport_error).
        variable = context["proxy"][1] if context["proxy"] else "the proxy variables"
        return "the proxy failed", f"check {variable}, or list the portal's host in NO_PROXY", True
    if kind == "name":
        return f"the name {host} does not resolve", f"check the host name in {name('base_url')}", False
    if kind == "tls":
        return _tls_failure(chain, context)
    if kind == "refused":
        return (f"connection refused by {host} port {port}",
                f"check that the portal runs and that {name('base_url')} has the right port"
                + ("" if context.get("ready_timeout") else ", " + words(READY_ADVICE)), True)
    if kind == "not http" and isinstance(found, http.client.BadStatusLine):
        return (*_not_http(found, context), True)
    if kind == "closed":
        return ("the connection was reset or closed by the server",
                f"if this persists, something other than a web server may listen on port {port} (a mail server, "
                f"say): {_web_address_advice(context)}", True)
    if kind == "unreachable":
        return f"{host} is unreachable from this host", "check the network route to the portal", True
    if kind == "connect timeout":
        return (f"no connection within {seconds} s (timeout)",
                f"check that {host} port {port} is reachable from this host", True)
    if kind == "read timeout":
        # Not retried: the server may have acted on it, and repeating a slow call only doubles the wait.
        return f"no answer within {seconds} s (timeout)", "", False
    if kind == "connection":
        return "the connection failed", "", True
    return f"the request could not be sent ({type(error).__name__})", "", False


def _not_http(error: http.client.BadStatusLine, context: dict[str, Any]) -> tuple[str, str]:
    """The cause and advice for an answer whose first line is not HTTP; a mail server's greeting is named."""
    line = str(error.args[0] if error.args else error).strip()
    shown = snippet(line, 80)
    host, port = context["host"], context["port"]
    if re.match(r"220[ -]", line) or "SMTP" in line.upper():
        cause = f"a mail server (SMTP), not a web server, answered at {host} port {port} ({shown!r})"
    else:
        cause = f"something that is not a web server answered at {host} port {port} ({shown!r})"
    return cause, _web_address_advice(context)


def _web_address_advice(context: dict[str, Any]) -> str:
    """What to check when something other than the portal's web server holds base_url's host and port."""
    return (f"check the port in {name('base_url')}: it is the portal's web address, usually https://{context['host']} "
            f"without a port; the SMTP relay's address belongs in {name('host')} and {name('port')}")


def _tls_failure(chain: list[BaseException], context: dict[str, Any]) -> tuple[str, str, bool]:
    """The cause and advice for a TLS failure; ca_path is suggested only where it helps and is not set."""
    text = " ".join(str(item) for item in chain)
    host, port = context["host"], context["port"]
    plain = ("WRONG_VERSION_NUMBER", "wrong version number", "record layer failure", "packet length too long",
             "http request", "unknown protocol", "UNEXPECTED_RECORD")
    if any(marker in text for marker in plain):
        if port in MAIL_PORTS:
            # A mail server greets in plain text first: the handshake reads "220 ..." as a TLS record.
            return (f"{host} port {port} does not speak TLS, and port {port} is usually a mail server's",
                    _web_address_advice(context), False)
        return (f"{host} port {port} does not speak TLS",
                f"if the portal is served without TLS there, use http:// in {name('base_url')} "
                f"(http://{context['base_url'].split('://', 1)[1]})", False)
    if any(isinstance(item, ssl.SSLEOFError) for item in chain):
        return (f"{host} port {port} closed the connection during the TLS handshake",
                f"if this persists, something other than a web server may listen on port {port} (a mail server, "
                f"say): {_web_address_advice(context)}", False)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        if "match" in text or "mismatch" in text:
            return (f"the certificate of {host} is for another host name",
                    f"use the host name the certificate names in {name('base_url')}", False)
        if context["ca_path"]:
            return (f"the certificate of {host} is not trusted by the CAs in {name('ca_path')} {context['ca_path']}",
                    f"check that {name('ca_path')} holds the CA that signed the portal's certificate (PEM)", False)
        return (f"the certificate of {host} is not trusted",
                f"if the portal uses a private CA, pass its PEM bundle as {name('ca_path')}", False)
    return f"the TLS handshake with {host} port {port} failed", "", False


def transport_detail(error: Exception, cause: str) -> str | None:
    """The library's message when our words may not say it all; None when the cause is fully known."""
    known = ("refused", "does not resolve", "timeout", "does not speak TLS", "reset or closed", "unreachable",
             "is not trusted", "another host name", "not a web server", "during the TLS handshake")
    if any(word in cause for word in known):
        return None
    return str(error) or None


def _exception_chain(error: BaseException, limit: int = 12) -> Iterable[BaseException]:
    """error and the exceptions it wraps (args, .reason, __cause__, __context__), without loops."""
    seen: set[int] = set()
    pending: list[Any] = [error]
    while pending and len(seen) < limit:
        item = pending.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        pending.extend([*item.args, getattr(item, "reason", None), item.__cause__, item.__context__])
