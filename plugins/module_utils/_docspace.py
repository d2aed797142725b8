# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""The one DocSpace REST API client of the collection: it owns everything that touches the wire."""

from __future__ import annotations

import html
import http.client
import ipaddress
import json
import math
import os
import re
import socket
import ssl
import threading
import time
import traceback
import urllib.request
import zlib
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _ready
from ansible_collections.onlyoffice.docspace.plugins.module_utils._names import name, words

REQUESTS_IMPORT_ERROR: str | None
try:
    import requests
    import urllib3
except ImportError:
    requests = None
    urllib3 = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

HAS_REQUESTS = REQUESTS_IMPORT_ERROR is None

LOGIN_PATH = "/api/2.0/authentication"
# Anonymous on every version from v2.0.0 to v3.7.2 ([AllowAnonymous, AllowNotPayment]):
# DocSpace-server web/ASC.Web.Api/Api/Settings/VersionController.cs, answer web/ASC.Web.Api/Core/BuildVersion.cs.
VERSION_PATH = "/api/2.0/settings/version/build"

# HTTP answers that mean "the server could not handle it right now"; safe to repeat an idempotent call.
TRANSIENT_STATUSES = frozenset((502, 503, 504))

DEFAULT_RETRIES = 3
BACKOFF_FIRST_DELAY = 0.5
# A Retry-After longer than this is not waited for: a daily run over hundreds of portals must not stall.
RETRY_AFTER_CAP = 30.0

# No SMTP answer comes near this; anything larger is not DocSpace (a download, a stream, a gzip bomb).
MAX_BODY_BYTES = 4 * 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024
# requests' timeout bounds each socket wait; the whole request gets timeout plus this, so that a
# connection that times out at `timeout` is still reported as such, not as the overall deadline.
DEADLINE_GRACE = 1.0
# Hostile JSON: deeper nesting than any DocSpace answer is refused before Python's recursion limit bites.
MAX_JSON_DEPTH = 64

MASK = "********"
# A secret cut short (by a server's message limit or ours) is still masked down to this many characters.
MIN_MASKED_PREFIX = 6
# base_url is echoed in messages at most this long.
SHOWN_URL_LENGTH = 80
MAX_BASE_URL_LENGTH = 2048

# What an error status means where nothing more specific applies (see DocSpaceClient._status_hint).
STATUS_HINTS = {
    400: "DocSpace rejected the request",
    500: "DocSpace failed on the request with an internal error",
    502: "the portal's web server got no answer from DocSpace",
    503: "DocSpace is not available",
    504: "the portal's web server got no answer from DocSpace in time",
}
TRANSIENT_ADVICE = "the portal may be starting or overloaded: run again when it answers"
# Said where a portal that is starting fails a task, unless the task already waits (ready_timeout).
READY_ADVICE = "or set {ready_timeout} to the seconds to wait for a portal that is starting"

# The first path segment of DocSpace's API and of the pages of its web client: a base_url that holds one
# was copied from the browser or the API docs, and the root is what comes before it.
PAGE_SEGMENTS = frozenset(("api", "products", "rooms", "files", "accounts", "portal-settings", "settings", "profile",
                           "doceditor", "login", "developer-tools", "management"))

# The connection ended before an HTTP answer came: reset, or closed (RemoteDisconnected is a ConnectionResetError),
# or cut in the middle of a body (urllib3's ProtocolError, requests' ChunkedEncodingError).
CLOSED_ERRORS: tuple[type[BaseException], ...] = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
if requests is not None:
    CLOSED_ERRORS += (urllib3.exceptions.ProtocolError, requests.exceptions.ChunkedEncodingError)

# Ports of mail servers (SMTP, submission, and the usual alternative) that users put into base_url by mistake.
MAIL_PORTS = frozenset((25, 587, 2525))

# Proxy variables are honoured knowingly (named in errors); see README "Security".
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def open_session() -> Any:
    """Return the HTTP session every request goes through: the seam unit tests replace."""
    if not HAS_REQUESTS:
        raise DocSpaceConfigError("the Python library 'requests' is required")
    session = requests.Session()
    # trust_env would let ~/.netrc replace our Authorization header and REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE
    # replace the CA choice without a word; proxies are taken from the environment explicitly instead.
    session.trust_env = False
    return session


def environment_proxy(url: str) -> tuple[str, str] | None:
    """The proxy the environment names for url, as (proxy URL, variable name), honouring NO_PROXY."""
    if requests is None or not _may_name_a_proxy(os.environ):
        return None
    proxies = requests.utils.get_environ_proxies(url)
    scheme = urlsplit(url).scheme
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy:
        return None
    variable = next((known for known in PROXY_VARIABLES if os.environ.get(known) == proxy), "the environment")
    return proxy, variable


def _may_name_a_proxy(environ: Mapping[str, str]) -> bool:
    """False only where requests would find no proxy for any URL; its own lookup costs a forked worker ~0.4 ms.

    That is where the platform takes proxies from the environment alone (macOS and Windows also ask the
    system) and no variable other than NO_PROXY names one: urllib reads every *_proxy variable, any case.
    """
    if urllib.request.getproxies is not urllib.request.getproxies_environment:
        return True
    return any(value and key.lower().endswith("_proxy") and key.lower() != "no_proxy" for key, value in environ.items())


def url_secrets(text: str) -> set[str]:
    """What in a URL may be a secret: the user:password text, its password, and the query's values."""
    secrets = set()
    if "@" in text:
        # Whatever precedes the last "@" may be a user:password, even where urlsplit does not see one
        # ("admin:pw@host", "https://admin:pa/ss@host").
        userinfo = text.rsplit("@", 1)[0].split("://", 1)[-1]
        secrets.add(userinfo)
        if ":" in userinfo:
            secrets.add(userinfo.split(":", 1)[1])
    query = text.partition("?")[2].partition("#")[0]
    if query:
        # ?api_key=sk-... is a credential too; short values (tenant=1) would mask unrelated text.
        secrets.add(query)
        secrets.update(value for _name, value in parse_qsl(query) if len(value) >= 4)
    return {secret for secret in secrets if secret}


class DocSpaceError(Exception):
    """A failed DocSpace call, carrying what a person needs to act on it."""

    def __init__(self, message: str, method: str | None = None, path: str | None = None,
                 status: int | None = None, server_message: str | None = None,
                 retry_after: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.server_message = server_message
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


class DocSpaceConfigError(DocSpaceError):
    """The connection options are unusable; raised before any request is sent."""


class DocSpaceAuthError(DocSpaceError):
    """Credentials rejected (401), feature hidden by the plan (402) or access denied (403)."""


class DocSpaceResponseError(DocSpaceError):
    """DocSpace answered, but not with what the API defines (wrong type, not JSON, too large)."""


class DocSpaceTransportError(DocSpaceError):
    """No usable HTTP answer: connection refused or reset, timeout, TLS failure."""

    def __init__(self, message: str, method: str, path: str, retryable: bool) -> None:
        super().__init__(message, method=method, path=path)
        # True for passing failures (refused, reset, connect timeout) worth repeating for an idempotent call.
        self.retryable = retryable
        # The cause alone, in words (the message adds where and what to do).
        self.cause = message


def failure_details(error: Exception) -> dict[str, Any]:
    """Return values of a task that failed on a DocSpace call: whether the portal answered at all.

    The fleet report counts a portal that did not answer (refused, timed out, name not found, TLS handshake)
    as unreachable, apart from one that answered with an error.
    """
    return {"reachable": not isinstance(error, DocSpaceTransportError)}


def wait_details(client: "DocSpaceClient") -> dict[str, Any]:
    """Return values of a task whose first request waited for the portal to start (ready_timeout)."""
    return {} if client.ready_after is None else {"ready_after": client.ready_after}


class Reply:
    """A successful DocSpace answer: the envelope's `response` (None when absent) and `count`."""

    def __init__(self, status: int, response: Any, count: int) -> None:
        self.status = status
        self.response = response
        self.count = count


class Answer:
    """One HTTP answer read whole: status, headers and the body as text."""

    def __init__(self, status_code: int, headers: Mapping[str, str], text: str) -> None:
        self.status_code = status_code
        self.headers = headers
        self.text = text


class _Unreadable(Exception):
    """The body cannot be read as an answer (too large, unknown encoding, corrupt compression)."""


class _DeadlinePassed(Exception):
    """The whole request outlived its deadline."""


# ---------------------------------------------------------------- secrets

class Secrets:
    """Every secret of one client, masked in any form it could come back in."""

    def __init__(self, values: Iterable[str | None] = ()) -> None:
        self._forms: set[str] = set()
        for value in values:
            self.add(value)

    def add(self, value: str | None) -> None:
        """Mask value from now on (values shorter than 3 characters cannot be told from ordinary text)."""
        if value and len(value.strip()) >= 3:
            self._forms.update(form for form in secret_forms(value) if len(form) >= 3)

    def mask(self, text: str) -> str:
        """Replace every form of every secret in text, and any cut-off beginning of one."""
        for form in sorted(self._forms, key=len, reverse=True):
            text = text.replace(form, MASK)
        return self._mask_prefixes(text)

    def _mask_prefixes(self, text: str) -> str:
        """Mask the start of a secret left by truncation ("sk-abc..." of "sk-abcdef").

        Forms that begin alike (the secret as sent and JSON-escaped, say) share a head; at each place the head
        occurs, as much is masked as the longest of them matches, so that no form's rest stays visible.
        """
        forms_by_head: dict[str, list[str]] = {}
        for form in self._forms:
            if len(form) > MIN_MASKED_PREFIX:
                forms_by_head.setdefault(form[:MIN_MASKED_PREFIX], []).append(form)
        for head, forms in forms_by_head.items():
            start = text.find(head)
            while start >= 0:
                end = max(start + _common_prefix_length(text[start:], form) for form in forms)
                text = text[:start] + MASK + text[end:]
                start = text.find(head, start + len(MASK))
        return text


def _common_prefix_length(text: str, form: str) -> int:
    length = 0
    while length < min(len(text), len(form)) and text[length] == form[length]:
        length += 1
    return length


def secret_forms(secret: str) -> set[str]:
    """The forms a secret takes when echoed: as sent, trimmed, folded, escaped, encoded or mis-decoded.

    Encodings are applied twice: a server that quotes our JSON body in its JSON error escapes it twice,
    and one that URL-encodes that text encodes the escaped form.
    """
    forms = {secret, secret.strip(), " ".join(secret.split())}
    for _level in range(2):
        forms |= {encoded for form in forms for encoded in _encodings(form)}
    return forms


def _encodings(text: str) -> set[str]:
    """text escaped, encoded or mis-decoded once, in each way an echo may use."""
    return {
        json.dumps(text)[1:-1],                     # JSON-escaped ("p@$$\"w\\o{rd}" and \u00fc)
        json.dumps(text, ensure_ascii=False)[1:-1],
        repr(text)[1:-1],                           # Python exception texts
        quote(text, safe=""), quote(text), quote_plus(text),
        html.escape(text),
        text.encode("utf-8").decode("latin-1"),     # UTF-8 bytes read as latin-1
        text.encode("unicode_escape").decode("ascii"),
        " ".join(text.split()),
    }


# ---------------------------------------------------------------- base_url

def normalize_base_url(base_url: str) -> str:
    """Return base_url without a trailing slash, or raise DocSpaceConfigError if it is not a portal root."""
    text = (base_url or "").strip()
    problem = _base_url_problem(text)
    if problem:
        raise DocSpaceConfigError(
            f"{name('base_url')} {shown_url(text)!r} is not a portal root such as https://docspace.example.com: {problem}")
    return text.rstrip("/")


def _base_url_problem(text: str) -> str | None:
    """What makes text unusable as a portal root, or None."""
    control = re.search(r"[\x00-\x1f\x7f]", text)
    if control:
        return f"it contains the control character U+{ord(control.group()):04X} at position {control.start() + 1}"
    if len(text) > MAX_BASE_URL_LENGTH:
        return f"it is {len(text)} characters long, more than the {MAX_BASE_URL_LENGTH} a portal address can have"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        return "it must start with http:// or https://"
    if not parts.hostname:
        return "it has no host name"
    if parts.query or parts.fragment:
        return "it must not carry a query string or fragment"
    if parts.username or parts.password:
        return f"it must not carry credentials; use {name('api_key')} or {name('auth_username')}/{name('auth_password')}"
    try:
        parts.port  # pylint: disable=pointless-statement  # raises ValueError on a bad port
    except ValueError:
        return "its port is not a number between 0 and 65535"
    return None


def suggested_root(base_url: str) -> str | None:
    """The portal root within base_url when its path holds DocSpace's API or one of its pages, else None."""
    parts = urlsplit(base_url)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        if segment.lower() in PAGE_SEGMENTS:
            return f"{parts.scheme}://{parts.netloc}{'/'.join(segments[:index])}"
    return None


def shown_url(text: str) -> str:
    """text fit to echo: no credentials, no query or fragment, control characters escaped, shortened."""
    # Never echo what may be credentials (see url_secrets), even where urlsplit sees none.
    shown = f"***@{text.rsplit('@', 1)[1]}" if "@" in text else text
    if "?" in shown or "#" in shown:
        shown = re.split(r"[?#]", shown, maxsplit=1)[0] + "?..."
    shown = re.sub(r"[\x00-\x1f\x7f]", lambda found: f"\\x{ord(found.group()):02x}", shown)
    if len(shown) > SHOWN_URL_LENGTH:
        shown = f"{shown[:SHOWN_URL_LENGTH]}... ({len(text)} characters)"
    return shown


def is_loopback(host: str | None) -> bool:
    """Whether host is this machine (localhost or a loopback address)."""
    if not host:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------- the client

class DocSpaceClient:
    """Talks to one portal's REST API: authentication, envelope, errors and bounded retries.

    `session` is the single HTTP seam: anything with requests.Session's `request()` signature whose answer
    has `status_code`, `headers`, `raw.read(amount, decode_content=False)` and `close()`.
    `warnings` collects what the module should pass to module.warn (from_module does that).
    `look_up_proxy=False` skips the environment's proxy (warm_up only: it sends nothing).
    """

    def __init__(self, base_url: str, api_key: str | None = None, auth_username: str | None = None,
                 auth_password: str | None = None, validate_certs: bool = True, ca_path: str | None = None,
                 timeout: float = 30, session: Any = None, retries: int = DEFAULT_RETRIES,
                 sleep: Callable[[float], None] = time.sleep, secrets: Iterable[str | None] = (),
                 look_up_proxy: bool = True, ready_timeout: float = 0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.base_url = normalize_base_url(base_url)
        if bool(api_key) == bool(auth_username):
            raise DocSpaceConfigError(f"give either {name('api_key')} or {name('auth_username')} with {name('auth_password')}, "
                                      "not both or neither")
        if auth_username and not auth_password:
            raise DocSpaceConfigError(f"{name('auth_username')} needs {name('auth_password')}")
        if timeout is None or timeout <= 0:
            raise DocSpaceConfigError(f"{name('timeout')} must be a positive number of seconds, not {timeout!r}")
        if ready_timeout is None or ready_timeout < 0:
            raise DocSpaceConfigError(f"{name('ready_timeout')} must be 0 or more seconds, not {ready_timeout!r}")
        self.ready_timeout = ready_timeout
        # Seconds the first request waited for the portal to start; None until a wait was asked for and made.
        self.ready_after: float | None = None
        self._ready_checked = not ready_timeout
        self._clock = clock
        self._api_key = api_key
        self._auth_username = auth_username
        self._auth_password = auth_password
        self._token: str | None = None
        self.secrets = Secrets((api_key, auth_password, *secrets))
        if validate_certs and ca_path and not os.path.isfile(ca_path):
            raise DocSpaceConfigError(f"{name('ca_path')} {ca_path} does not exist or is not a file; give the CA's PEM bundle")
        self._ca_path = ca_path if validate_certs else None
        self._verify: bool | str = (ca_path or True) if validate_certs else False
        self.timeout = timeout
        self.retries = retries
        self._sleep = sleep
        self._session = session if session is not None else open_session()
        self._proxy = environment_proxy(self.base_url) if look_up_proxy else None
        if self._proxy:
            self.secrets.add(urlsplit(self._proxy[0]).password)
        self.warnings = self._option_warnings(validate_certs, ca_path)

    @classmethod
    def from_params(cls, params: dict[str, Any], **kwargs: Any) -> "DocSpaceClient":
        """Build a client from a module's connection options."""
        # Only an absent timeout takes the default: timeout 0 must reach the check in __init__, not become 30.
        timeout = params.get("timeout")
        return cls(params["base_url"], api_key=params.get("api_key"), auth_username=params.get("auth_username"),
                   auth_password=params.get("auth_password"), validate_certs=params.get("validate_certs", True),
                   ca_path=params.get("ca_path"), timeout=30 if timeout is None else timeout,
                   ready_timeout=params.get("ready_timeout") or 0, **kwargs)

    @classmethod
    def from_module(cls, module: Any, **kwargs: Any) -> "DocSpaceClient":
        """Build a client from module.params and pass its warnings to module.warn."""
        client = cls.from_params(module.params, **kwargs)
        for warning in client.warnings:
            module.warn(warning)
        return client

    def _option_warnings(self, validate_certs: bool, ca_path: str | None) -> list[str]:
        """What the options do that the user may not expect."""
        warnings = []
        if not validate_certs and ca_path:
            warnings.append(f"{name('ca_path')} {ca_path} is ignored because {name('validate_certs')} is false: the portal's "
                            f"certificate is not checked at all; remove {name('validate_certs')}: false to check it "
                            f"against {name('ca_path')}")
        host = urlsplit(self.base_url).hostname
        if self.base_url.startswith("http://") and not is_loopback(host):
            warnings.append(f"{name('base_url')} uses http:// to {host}: the API key or password, and any SMTP password, "
                            "cross the network in clear text; use https://")
        return warnings

    def get(self, path: str, retry: bool = True) -> Reply:
        """GET path; retried on transient failures unless retry is False."""
        return self.call("GET", path, retry=retry)

    def post(self, path: str, body: dict[str, Any], retry: bool = True) -> Reply:
        """POST a JSON body to path."""
        return self.call("POST", path, body=body, retry=retry)

    def delete(self, path: str, retry: bool = True) -> Reply:
        """DELETE path."""
        return self.call("DELETE", path, retry=retry)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, retry: bool = True) -> Reply:
        """Send one authenticated API call and unwrap the envelope, or raise a DocSpaceError.

        The types inside `response` are checked by whoever reads it (the settings model's normalize_dto).
        """
        if not self._ready_checked:
            self._ready_checked = True
            self.ready_after = self.wait_until_ready()
        headers = {"Authorization": self._authorization()}
        return self._exchange(method, path, body, headers, retry)

    def wait_until_ready(self) -> float:
        """Poll DocSpace's anonymous build endpoint until the API answers; the seconds it took.

        Waits while nothing listens, the proxy answers 502/503/504 or the front end serves its start page
        (module_utils/_ready.py); any other answer ends the wait: the API's own, or an error raised at once
        (401, 402, 403, 404, a name that does not resolve, a TLS failure).
        """
        started = self._clock()
        deadline = started + self.ready_timeout
        for pause in _ready.pauses():
            last = self._starting_answer()
            if last is None:
                return round(self._clock() - started, 3)
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise DocSpaceTransportError(_ready.not_ready(self.ready_timeout, last, self.base_url),
                                             method="GET", path=VERSION_PATH, retryable=False)
            self._sleep(min(pause, remaining))
        raise AssertionError("unreachable: pauses() never ends")

    def _starting_answer(self) -> str | None:
        """One poll, sending no credentials: the answer in words while the portal starts, None once the API answers."""
        try:
            answer = self._send("GET", VERSION_PATH, None, {})
        except DocSpaceTransportError as error:
            if error.retryable:  # refused, reset, no connection in time: nothing serves the portal yet
                return error.cause
            raise
        words = _ready.starting(answer.status_code, _is_html(answer))
        if words is None:
            self._interpret("GET", VERSION_PATH, answer)  # raises for an error; any other answer is the API's
        return words

    def _authorization(self) -> str:
        """The Authorization header: the API key, or the token of a login made on first use."""
        if self._api_key:
            return f"Bearer {self._api_key}"
        if self._token is None:
            self._token = self._log_in()
        # A login token goes bare, as DocSpace's own samples send it: "Bearer <token>" would be
        # taken for a JWT by some DocSpace versions.
        return self._token

    def _log_in(self) -> str:
        """POST the user name and password; return the token (a secret from now on)."""
        credentials = {"userName": self._auth_username, "password": self._auth_password}
        reply = self._exchange("POST", LOGIN_PATH, credentials, {}, True)
        answer = reply.response if isinstance(reply.response, dict) else {}
        token = answer.get("token")
        if not token or not isinstance(token, str):
            where = f"HTTP {reply.status} on POST {LOGIN_PATH}"
            if answer.get("tfa") or answer.get("sms"):
                message = (f"The account uses two-factor authentication, which a task cannot answer, so the login "
                           f"gave no token ({where}). Use {name('api_key')} instead: an API key of the account "
                           "(DocSpace 3.1 or later) needs no second factor")
            else:
                message = f"The answer to the login carried no token ({where}). {_sentence(self._root_advice())}"
            raise DocSpaceAuthError(message, method="POST", path=LOGIN_PATH, status=reply.status)
        self.secrets.add(token)
        return token

    def _exchange(self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str],
                  retry: bool) -> Reply:
        """Send with bounded retries for transient failures, then interpret the final answer."""
        attempts = 1 + (self.retries if retry else 0)
        delay = BACKOFF_FIRST_DELAY
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                answer = self._send(method, path, body, headers)
            except DocSpaceTransportError as error:
                if last or not error.retryable:
                    raise
                self._sleep(delay)
                delay *= 2
                continue
            wait = self._retry_wait(answer, delay)
            if wait is None or last:
                return self._interpret(method, path, answer)
            self._sleep(wait)
            delay *= 2
        raise AssertionError("unreachable: the last attempt always returns or raises")

    def _send(self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]) -> Answer:
        """The one place a request leaves the process; every failure becomes a DocSpaceError."""
        url = self.base_url + path
        send_headers = self._send_headers(headers)
        proxies = {urlsplit(url).scheme: self._proxy[0]} if self._proxy else {}
        state: dict[str, Any] = {}

        def fetch() -> Answer:
            response = self._session.request(method, url, headers=send_headers, json=body,
                                             timeout=(self.timeout, self.timeout), verify=self._verify,
                                             allow_redirects=False, stream=True, proxies=proxies)
            state["response"] = response
            try:
                return Answer(response.status_code, response.headers, read_body(response, MAX_BODY_BYTES))
            finally:
                response.close()

        try:
            return run_within(self.timeout + DEADLINE_GRACE, fetch, state)
        except _Unreadable as problem:
            raise DocSpaceResponseError(f"DocSpace's answer to {method} {path} could not be read: {problem}. "
                                        f"{_sentence(self._root_advice())}", method=method, path=path) from None
        except _DeadlinePassed:
            raise DocSpaceTransportError(
                f"no complete answer within {self.timeout} s (timeout) to {method} {url}: the portal is too slow, "
                "or something else answers at this address", method=method, path=path, retryable=False) from None
        except Exception as error:  # pylint: disable=broad-exception-caught  # classified right below
            raise self._transport_error(method, path, error) from None

    @staticmethod
    def _send_headers(headers: dict[str, str]) -> dict[str, str]:
        """The headers every request carries, with the call's own."""
        return {"Accept": "application/json", "Accept-Encoding": "gzip, deflate", **headers}

    def rehearse(self) -> None:
        """What a GET does on either side of the network, without the network: see warm_up."""
        headers = self._send_headers({"Authorization": self._authorization()})
        self._session.prepare_request(requests.Request("GET", self.base_url + VERSION_PATH, json=None, headers=headers))
        answer_headers = requests.structures.CaseInsensitiveDict({"Content-Type": "application/json; charset=utf-8"})
        self._interpret("GET", VERSION_PATH, Answer(200, answer_headers, '{"response": {}, "count": 1, "status": 0}'))

    def close(self) -> None:
        """Close the HTTP session (its pooled connections)."""
        self._session.close()

    def _transport_error(self, method: str, path: str, error: Exception) -> DocSpaceTransportError:
        """Say what failed in words, then where; retryable only for passing causes."""
        cause, advice, retryable = describe_transport_failure(error, self._describe_context())
        where = f"{method} {self.base_url}{path}"
        via = f" through the proxy {shown_url(self._proxy[0])} (from {self._proxy[1]})" if self._proxy else ""
        # The cause may quote what the server sent.
        text = f"{self.secrets.mask(cause)}: {where}{via} failed"
        if advice:
            text += f"; {advice}"
        detail = transport_detail(error, cause)
        if detail:
            # The library's own words, whole and last, for whoever needs to dig deeper.
            text += f" (detail: {self.secrets.mask(detail)})"
        failure = DocSpaceTransportError(text, method=method, path=path, retryable=retryable)
        failure.cause = f"{self.secrets.mask(cause)}{via}"
        return failure

    def _describe_context(self) -> dict[str, Any]:
        """What advice may refer to: the URL parts and the TLS options the user set."""
        parts = urlsplit(self.base_url)
        return {"scheme": parts.scheme, "host": parts.hostname, "port": parts.port or (443 if parts.scheme == "https" else 80),
                "timeout": self.timeout, "ca_path": self._ca_path, "verify": self._verify is not False,
                "proxy": self._proxy, "base_url": self.base_url, "ready_timeout": self.ready_timeout}

    @staticmethod
    def _retry_wait(answer: Answer, backoff: float) -> float | None:
        """Seconds to wait before repeating this answer's request, or None when it is final."""
        if answer.status_code in TRANSIENT_STATUSES:
            return backoff
        if answer.status_code == 429:
            seconds = _retry_after_seconds(answer.headers.get("Retry-After"))
            if seconds is not None and seconds <= RETRY_AFTER_CAP:
                return max(seconds, backoff)
        return None

    def _interpret(self, method: str, path: str, answer: Answer) -> Reply:
        """Turn the final HTTP answer into a Reply or a DocSpaceError."""
        status = answer.status_code
        body, parse_problem = parse_json(answer.text)
        if 200 <= status < 300 and parse_problem is None and isinstance(body, dict) and body.get("status", 0) == 0:
            count = body.get("count", 1 if "response" in body else 0)
            return Reply(status, body.get("response"), count if _is_int(count) else 0)
        raise self._http_error(method, path, answer, body, parse_problem)

    def _http_error(self, method: str, path: str, answer: Answer, body: Any,
                    parse_problem: str | None) -> DocSpaceError:
        """The error for an answer that is not a success envelope: the cause, then where and what came, then advice."""
        status = answer.status_code
        found = _server_message(body)
        # Masked before it is cut: a secret cut in half by the limit would otherwise survive as its start.
        server_message = _snippet(self.secrets.mask(found), 500) if found else None
        retry_after = answer.headers.get("Retry-After") if status == 429 else None
        cause, details, advice = self._status_words(method, path, answer, body, parse_problem, server_message)
        if retry_after is not None:
            unit = " s" if _retry_after_seconds(retry_after) is not None else ""
            details.append(f"Retry-After: {self.secrets.mask(retry_after)}{unit}")
        message = f"{_sentence(cause)} ({'; '.join([f'HTTP {status} on {method} {path}', *details])})"
        if advice:
            message += f". {_sentence(advice)}"
        error_class = DocSpaceAuthError if status in (401, 402, 403) else DocSpaceError
        return error_class(message, method=method, path=path, status=status, server_message=server_message,
                           retry_after=retry_after)

    def _status_words(self, method: str, path: str, answer: Answer, body: Any, parse_problem: str | None,
                      server_message: str | None) -> tuple[str, list[str], str]:
        """(cause, details, advice): what the answer means, what came with it (DocSpace's own words), what to do."""
        status = answer.status_code
        html_page = _is_html(answer)
        details = [f"DocSpace says: {server_message}"] if server_message else []
        if 200 <= status < 300:
            if server_message:
                return "DocSpace reported a failure", details, ""
            if html_page:
                return (f"the portal answered with an HTML page, not DocSpace's JSON, from {self.base_url}{path}", [],
                        self._root_advice())
            problem = self._masked_problem(parse_problem, answer) if parse_problem else self._not_envelope(body)
            return "the portal answered with something other than DocSpace's JSON", [problem], self._root_advice()
        cause, advice = self._status_hint(status, method, answer, path, body)
        if server_message:
            return cause, details, advice
        if html_page:
            title = _html_title(answer.text)
            details.append(f"an HTML page titled {self.secrets.mask(title)!r}" if title else "an HTML page")
        elif parse_problem and parse_problem != "empty body":
            details.append(self._masked_problem(parse_problem, answer))
        return cause, details, advice

    def _status_hint(self, status: int, method: str, answer: Answer, path: str, body: Any) -> tuple[str, str]:
        """(cause, advice): what an HTTP error status most likely means for this caller, and what to do."""
        if 300 <= status < 400:
            return self._redirected(answer, path)
        if status == 404:
            return f"nothing found at {self.base_url}{path}", self._root_advice()
        if status == 401:
            return self._rejected(path)
        if status == 402:
            if body is None:
                return ("the portal is unpaid or the installation has no valid licence",
                        "renew the portal's payment or the installation's licence")
            return ("the portal's pricing plan hides the SMTP settings",
                    "on an installation of your own, remove SmtpSettings from its web:hide-settings configuration; "
                    "on a hosted portal, only another plan shows them")
        if status == 403:
            return self._denied(method, path)
        if status == 429:
            seconds = _retry_after_seconds(answer.headers.get("Retry-After"))
            when = f"after {self.secrets.mask(answer.headers['Retry-After'])} s" if seconds is not None else "later"
            return "the portal's rate limit was reached", f"run again {when}"
        cause = STATUS_HINTS.get(status, "DocSpace could not handle the request")
        if status not in TRANSIENT_STATUSES:
            return cause, ""
        return cause, TRANSIENT_ADVICE + ("" if self.ready_timeout else ", " + words(READY_ADVICE))

    def _redirected(self, answer: Answer, path: str) -> tuple[str, str]:
        """A redirect, which is not followed: a login page or another scheme would hide the real answer."""
        location = answer.headers.get("Location")
        target = f" to {self.secrets.mask(shown_url(location))}" if location else ""
        # Where the API call was sent elsewhere whole (http:// to https://, another host), that is the root.
        root = location[:-len(path)].rstrip("/") if location and urlsplit(location).path.endswith(path) else None
        if root and not _base_url_problem(root):
            return (f"the portal redirected the request{target}",
                    f"use {name('base_url')}: {self.secrets.mask(shown_url(root))}")
        return (f"the portal redirected the request{target}",
                f"set {name('base_url')} to the portal root it names, e.g. its https:// address")

    def _rejected(self, path: str) -> tuple[str, str]:
        """(cause, advice) for a 401: of the login, of the API key, or of the login's token."""
        if path == VERSION_PATH:
            # Read without credentials only while waiting for a portal to start (ready_timeout).
            return ("the portal asked for credentials on DocSpace's build endpoint, which needs none",
                    f"something in front of DocSpace (a proxy with a login of its own) refuses anonymous requests; "
                    f"let it pass /api/2.0/settings/version/build, or set {name('ready_timeout')}: 0")
        if path == LOGIN_PATH:
            return ("the portal rejected the user name or password",
                    f"check {name('auth_username')} (the account's e-mail address) and {name('auth_password')}")
        if self._api_key:
            return self._api_key_rejected()
        return ("the portal rejected the token of the login this task made",
                "run the task again; DocSpace ends a user's sessions when the password changes or the user is "
                "logged out everywhere")

    def _denied(self, method: str, path: str) -> tuple[str, str]:
        """(cause, advice) for a 403: a refused login, a user who is no admin, or an API key's scope."""
        if path == LOGIN_PATH:
            return ("the portal refused the login",
                    "DocSpace refuses a disabled user, and for a while a user with too many failed logins: check "
                    "the account on the portal, or wait and run again")
        if self._api_key:
            # GETs need read scope, changes write scope.
            scope = "read" if method == "GET" else "write"
            return (f"access denied: the API key's user is not a DocSpace owner or admin, or the key lacks {scope} scope",
                    f"give {name('api_key')} a key of a DocSpace owner or admin with {scope} scope")
        return ("access denied: the user is not a DocSpace owner or admin",
                f"log in as a DocSpace owner or admin ({name('auth_username')})")

    def _root_advice(self) -> str:
        """The advice for an answer that shows base_url is not the portal root, with the root where it shows."""
        root = suggested_root(self.base_url)
        if root:
            return (f"check {name('base_url')}: it must be the portal root, not the address of its API or of a page "
                    f"in it; use {name('base_url')}: {root}")
        return (f"check {name('base_url')}: it must be the portal root (the address DocSpace opens at, e.g. "
                f"https://docspace.example.com), and {self.base_url} does not look like one")

    def _api_key_rejected(self) -> tuple[str, str]:
        """The 401 of an API key, in the light of the portal's version when it can be read without credentials."""
        version = self._portal_version()
        if version is None:
            return ("the portal rejected the API key, or it runs a DocSpace older than 3.1, which has no API keys",
                    f"check {name('api_key')}: the key may be wrong, expired, disabled or deleted; on a DocSpace "
                    "older than 3.1, log in with a user name and password instead, which works on every version")
        if _version_below(version, (3, 1)):
            return (f"the portal runs DocSpace {version}, older than 3.1, which has no API keys, and rejected the key",
                    "log in with a user name and password instead, which works on every version")
        return (f"the portal rejected the API key (it runs DocSpace {version}, which has API keys)",
                f"check {name('api_key')}: the key is wrong, expired, disabled or deleted")

    def _portal_version(self) -> str | None:
        """DocSpace's version from its anonymous build endpoint, or None; read only when a key was refused."""
        try:
            answer = self._send("GET", VERSION_PATH, None, {})
        except DocSpaceError:
            return None
        body, problem = parse_json(answer.text)
        response = body.get("response") if answer.status_code == 200 and not problem and isinstance(body, dict) else None
        version = response.get("docSpace") if isinstance(response, dict) else None
        if isinstance(version, str) and re.fullmatch(r"[0-9][0-9A-Za-z.+-]{0,30}", version):
            return version
        return None

    @staticmethod
    def _not_envelope(body: Any) -> str:
        """Describe a JSON answer that is not DocSpace's envelope, without echoing it."""
        return f"the answer is not a DocSpace envelope ({_json_kind(body)})"

    def _masked_problem(self, problem: str, answer: Answer) -> str:
        """A parse problem with a short raw snippet, masked before it is cut."""
        if not problem.startswith("the body is not JSON"):
            return problem
        content_type = answer.headers.get("Content-Type", "unknown content type")
        # Masked before it is cut, so that no cut-off secret survives; only the start can be shown anyway.
        shown = _snippet(self.secrets.mask(answer.text[:4096]))
        return f"the body is not JSON ({self.secrets.mask(content_type[:80])}): {shown!r}"


# ---------------------------------------------------------------- warm-up

# An address of TEST-NET-1 (RFC 5737): nothing to resolve, and the warm-up sends nothing anyway.
WARM_UP_URL = "https://192.0.2.1"


def warm_up() -> None:
    """Do once, sending nothing, the work a process's first request does before and after the network.

    Ansible forks a worker per task and host from its main process, and the collection's action plugins run
    the modules in those workers: what a first request sets up (codec lookups, compiled patterns, requests'
    session, URL and header handling, the envelope's parsing) is then inherited instead of redone per task.
    """
    if not HAS_REQUESTS:
        return
    # No proxy lookup: on macOS it asks the system's proxy configuration (SystemConfiguration), which must
    # not be set up in a process that forks, and it reads the environment anew on every call anyway.
    client = DocSpaceClient(WARM_UP_URL, api_key="warm-up", look_up_proxy=False)
    try:
        client.rehearse()
    finally:
        client.close()


# ---------------------------------------------------------------- the body: bounded in time and size

def run_within(seconds: float, work: Callable[[], Any], state: dict[str, Any]) -> Any:
    """Return work() or raise _DeadlinePassed after seconds: requests' timeout bounds each socket wait only."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # pylint: disable=broad-exception-caught  # handed to the caller
            outcome["error"] = error

    worker = threading.Thread(target=run, name="docspace-request", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        response = state.get("response")
        if response is not None:
            # Closing ends the worker's read, but waits for the read in progress (the buffered reader's
            # lock), so it happens in a thread of its own; daemon threads never keep the module alive.
            threading.Thread(target=_close_quietly, args=(response,), name="docspace-close", daemon=True).start()
        raise _DeadlinePassed()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _close_quietly(response: Any) -> None:
    """Close an answer that another thread may be reading."""
    try:
        response.close()
    except Exception:  # pylint: disable=broad-exception-caught  # best effort; the deadline error follows
        pass


def read_body(response: Any, limit: int) -> str:
    """The body decompressed and decoded as UTF-8, refusing more than limit bytes after decompression."""
    declared = response.headers.get("Content-Length")
    encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding in ("", "identity") and declared and declared.isdigit() and int(declared) > limit:
        raise _Unreadable(f"the answer is {int(declared)} bytes long, more than the {limit // 1048576} MiB any "
                          "DocSpace answer needs")
    inflate = _inflater(encoding)
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = response.raw.read(READ_CHUNK_BYTES, decode_content=False)
        if not chunk:
            break
        # Decompress at most one byte more than the room left: a gzip bomb never fills memory.
        data = inflate(chunk, limit - size + 1)
        size += len(data)
        if size > limit:
            raise _Unreadable(f"the answer is larger than {limit // 1048576} MiB after decompression, more than "
                              "any DocSpace answer needs")
        parts.append(data)
    # JSON is UTF-8 (RFC 8259); requests would read text/* without a charset as latin-1.
    return b"".join(parts).decode("utf-8", errors="replace")


def _inflater(encoding: str) -> Callable[[bytes, int], bytes]:
    """A function (chunk, max_length) -> decoded bytes for one Content-Encoding."""
    if encoding in ("", "identity"):
        return lambda chunk, room: chunk
    if encoding in ("gzip", "x-gzip", "deflate"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS)

        def inflate(chunk: bytes, room: int) -> bytes:
            try:
                return decoder.decompress(chunk, max(room, 1))
            except zlib.error:
                raise _Unreadable(f"its {encoding} compression is corrupt") from None
        return inflate
    raise _Unreadable(f"it is sent with Content-Encoding {encoding[:40]!r}, which the client does not decode")


# ---------------------------------------------------------------- JSON and its types

def parse_json(text: str) -> tuple[Any, str | None]:
    """Return (body, None) for a JSON body, or (None, what was wrong with it); NaN, Infinity and deep nesting are refused."""
    if not text.strip():
        return None, "empty body"
    if _nesting_depth(text) > MAX_JSON_DEPTH:
        return None, f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep, which no DocSpace answer is"
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float), None
    except _NotFinite as problem:
        return None, f"the JSON body holds {problem}, which the API never sends (JSON has no such number)"
    except (ValueError, RecursionError):
        return None, "the body is not JSON"


class _NotFinite(ValueError):
    """A JSON number that is NaN or infinite."""


def _refuse_constant(constant: str) -> Any:
    """json's hook for NaN, Infinity and -Infinity: refuse them."""
    raise _NotFinite(constant)


def _finite_float(text: str) -> float:
    """json's hook for floats: 1e999 would become infinity."""
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text[:20])
    return value


def _nesting_depth(text: str) -> int:
    """The deepest [ or { nesting outside strings, stopping early once past the limit."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    break
        elif char in "]}":
            depth -= 1
    return deepest


def _is_int(value: Any) -> bool:
    """A JSON whole number (not true/false)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _json_kind(value: Any) -> str:
    """Name a JSON value's kind without echoing it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"a string ({len(value)} characters)"
    if isinstance(value, list):
        return f"an array ({len(value)} items)"
    return "an object"


# ---------------------------------------------------------------- transport failures in words

def describe_transport_failure(error: Exception, context: dict[str, Any]) -> tuple[str, str, bool]:
    """(cause in words, advice, whether it is worth retrying) for an exception from requests."""
    chain = list(_exception_chain(error))
    host, port, seconds = context["host"], context["port"], context["timeout"]
    if _any(chain, "ProxyError"):
        # The proxy and its variable are named right after the URL (see _transport_error).
        variable = context["proxy"][1] if context["proxy"] else "the proxy variables"
        return "the proxy failed", f"check {variable}, or list the portal's host in NO_PROXY", True
    if _any(chain, "NameResolutionError") or any(isinstance(item, socket.gaierror) for item in chain):
        return f"the name {host} does not resolve", f"check the host name in {name('base_url')}", False
    if _any(chain, "SSLError") or any(isinstance(item, ssl.SSLError) for item in chain):
        return _tls_failure(chain, context)
    if any(isinstance(item, ConnectionRefusedError) for item in chain):
        return (f"connection refused by {host} port {port}",
                f"check that the portal runs and that {name('base_url')} has the right port"
                + ("" if context.get("ready_timeout") else ", " + words(READY_ADVICE)), True)
    # http.client's BadStatusLine: the first line of the answer is not HTTP's (an empty one is RemoteDisconnected).
    not_http = next((item for item in chain if isinstance(item, http.client.BadStatusLine)
                     and not isinstance(item, http.client.RemoteDisconnected)), None)
    if not_http is not None:
        return (*_not_http(not_http, context), True)
    if any(isinstance(item, CLOSED_ERRORS) for item in chain):
        return ("the connection was reset or closed by the server",
                f"if this persists, something other than a web server may listen on port {port} (a mail server, "
                f"say): {_web_address_advice(context)}", True)
    if any(isinstance(item, OSError) and item.errno in (101, 113) for item in chain):
        return f"{host} is unreachable from this host", "check the network route to the portal", True
    # After refused: urllib3 2 derives NewConnectionError (a refusal, too) from ConnectTimeoutError.
    if _any(chain, "ConnectTimeout") or any(type(item).__name__ == "ConnectTimeoutError" for item in chain):
        return (f"no connection within {seconds} s (timeout)",
                f"check that {host} port {port} is reachable from this host", True)
    if _any(chain, "ReadTimeout", "ReadTimeoutError", "Timeout"):
        # Not retried: the server may have acted on it, and repeating a slow call only doubles the wait.
        return f"no answer within {seconds} s (timeout)", "", False
    if _any(chain, "ConnectionError"):
        return "the connection failed", "", True
    return f"the request could not be sent ({type(error).__name__})", "", False


def _not_http(error: http.client.BadStatusLine, context: dict[str, Any]) -> tuple[str, str]:
    """The cause and advice for an answer whose first line is not HTTP; a mail server's greeting is named."""
    line = str(error.args[0] if error.args else error).strip()
    shown = _snippet(line, 80)
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


def _any(chain: list[BaseException], *names: str) -> bool:
    """Whether any exception in chain is of a class (or subclass of a class) with one of names."""
    return any(klass.__name__ in names for item in chain for klass in type(item).__mro__)


# ---------------------------------------------------------------- small helpers

def _server_message(body: Any) -> str | None:
    """Pick DocSpace's own explanation out of an error or validation body."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str) and error["message"]:
        return error["message"]
    problem = body.get("response")
    if isinstance(problem, dict) and isinstance(problem.get("errors"), dict):
        # ASP.NET model validation: {"errors": {"Port": ["The field Port must be between 1 and 65535."]}}
        details = []
        for field, messages in list(problem["errors"].items())[:10]:
            texts = messages if isinstance(messages, list) else [messages]
            details.append(f"{field}: {' '.join(str(text) for text in texts[:5])}")
        title = problem.get("title")
        return "; ".join(details) or (title if isinstance(title, str) else None)
    return None


def _is_html(answer: Answer) -> bool:
    """Whether an answer is an HTML page (a web server's or the portal's, not the API)."""
    content_type = (answer.headers.get("Content-Type") or "").lower()
    head = answer.text.lstrip()[:100].lower()
    return "text/html" in content_type or head.startswith(("<!doctype html", "<html"))


def _html_title(text: str) -> str | None:
    """The <title> of an HTML page, shortened."""
    found = re.search(r"<title[^>]*>(.*?)</title>", text[:20000], re.IGNORECASE | re.DOTALL)
    return _snippet(html.unescape(found.group(1)), 80) if found else None


def _snippet(text: str, limit: int = 120) -> str:
    """Shorten text for an error message (mask secrets before calling this)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


def _sentence(text: str) -> str:
    """text as the start of a sentence: its first letter upper case (no text passed here starts with an option)."""
    return text[:1].upper() + text[1:]


def _version_below(version: str, least: tuple[int, int]) -> bool:
    """Whether a DocSpace version such as 3.0.4.1234 is below least (major, minor)."""
    numbers = tuple(int(number) for number in re.findall(r"[0-9]+", version)[:2])
    return numbers < least


def _retry_after_seconds(value: str | None) -> float | None:
    """Read a Retry-After header given in seconds (DocSpace's limiter never sends the date form)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return max(0.0, seconds) if seconds is not None and math.isfinite(seconds) else None
