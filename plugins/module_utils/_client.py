# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""The one DocSpace REST API client of the collection: authentication, the envelope, bounded retries, and an
error for every failure, worded for the person who runs the task.

Modules build it through DocSpaceModule.client() (_module.py), which hands it every no_log value as a secret.
What it stands on, each in a file of its own: _transport.py (the wire), _envelope.py (reading answers),
_diagnose.py (transport failures in words), _urls.py (base_url), _secrets.py (masking), _errors.py.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _ready, _transport
from ansible_collections.onlyoffice.docspace.plugins.module_utils._diagnose import describe_transport_failure, transport_detail
from ansible_collections.onlyoffice.docspace.plugins.module_utils._envelope import (
    STATUS_HINTS, TRANSIENT_ADVICE, TRANSIENT_STATUSES, Answer, Reply, html_title, is_html, json_kind, parse_json,
    retry_after_seconds, docspace_message, success, version_below)
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import (
    DocSpaceAuthError, DocSpaceConfigError, DocSpaceError, DocSpaceResponseError, DocSpaceTransportError)
from ansible_collections.onlyoffice.docspace.plugins.module_utils._names import name, words
from ansible_collections.onlyoffice.docspace.plugins.module_utils._ready import READY_ADVICE
from ansible_collections.onlyoffice.docspace.plugins.module_utils._secrets import Secrets
from ansible_collections.onlyoffice.docspace.plugins.module_utils._urls import (
    base_url_problem, is_loopback, normalize_base_url, shown_url, suggested_root)

LOGIN_PATH = "/api/2.0/authentication"
# Anonymous on every version from v2.0.0 to v3.7.2 ([AllowAnonymous, AllowNotPayment]):
# DocSpace-server web/ASC.Web.Api/Api/Settings/VersionController.cs, answer web/ASC.Web.Api/Core/BuildVersion.cs.
VERSION_PATH = "/api/2.0/settings/version/build"

DEFAULT_RETRIES = 3
BACKOFF_FIRST_DELAY = 0.5
# A Retry-After longer than this is not waited for: a daily run over hundreds of portals must not stall.
RETRY_AFTER_CAP = 30.0


class DocSpaceClient:
    """Talks to one portal's REST API: authentication, envelope, errors and bounded retries.

    `session` is the single HTTP seam: anything with requests.Session's `request()` signature whose answer
    has `status_code`, `headers`, `raw.read(amount, decode_content=False)` and `close()`.
    `warnings` collects what the module should pass to module.warn (DocSpaceModule.client() does that).
    `secrets` are masked in every message besides the credentials (DocSpaceModule.client() passes every no_log value).
    `look_up_proxy=False` skips the environment's proxy (plugin_utils/_warm_up.py only: it sends nothing).
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
        self._session = session if session is not None else _transport.open_session()
        self._proxy = _transport.environment_proxy(self.base_url) if look_up_proxy else None
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
        words = _ready.starting(answer.status_code, is_html(answer))
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
                return Answer(response.status_code, response.headers, _transport.read_body(response, _transport.MAX_BODY_BYTES))
            finally:
                response.close()

        try:
            return _transport.run_within(self.timeout + _transport.DEADLINE_GRACE, fetch, state)
        except _transport.Unreadable as problem:
            raise DocSpaceResponseError(f"DocSpace's answer to {method} {path} could not be read: {problem}. "
                                        f"{_sentence(self._root_advice())}", method=method, path=path) from None
        except _transport.DeadlinePassed:
            raise DocSpaceTransportError(
                f"no complete answer within {self.timeout} s (timeout) to {method} {url}: the portal is too slow, "
                "or something else answers at this address", method=method, path=path, retryable=False) from None
        except Exception as error:  # pylint: disable=broad-exception-caught  # classified right below
            raise self._transport_error(method, path, error) from None

    @staticmethod
    def _send_headers(headers: dict[str, str]) -> dict[str, str]:
        """The headers every request carries, with the call's own."""
        return {"Accept": "application/json", "Accept-Encoding": "gzip, deflate", **headers}

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
            seconds = retry_after_seconds(answer.headers.get("Retry-After"))
            if seconds is not None and seconds <= RETRY_AFTER_CAP:
                return max(seconds, backoff)
        return None

    def _interpret(self, method: str, path: str, answer: Answer) -> Reply:
        """Turn the final HTTP answer into a Reply or a DocSpaceError."""
        status = answer.status_code
        body, parse_problem = parse_json(answer.text)
        reply = success(status, body, parse_problem)
        if reply is not None:
            return reply
        raise self._http_error(method, path, answer, body, parse_problem)

    def _http_error(self, method: str, path: str, answer: Answer, body: Any,
                    parse_problem: str | None) -> DocSpaceError:
        """The error for an answer that is not a success envelope: the cause, then where and what came, then advice."""
        status = answer.status_code
        found = docspace_message(body)
        # Masked before it is cut: a secret cut in half by the limit would otherwise survive as its start.
        server_message = self.secrets.shown(found, 500) if found else None
        retry_after = answer.headers.get("Retry-After") if status == 429 else None
        cause, details, advice = self._status_words(method, path, answer, body, parse_problem, server_message)
        if retry_after is not None:
            unit = " s" if retry_after_seconds(retry_after) is not None else ""
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
        html_page = is_html(answer)
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
            title = html_title(answer.text)
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
            seconds = retry_after_seconds(answer.headers.get("Retry-After"))
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
        if root and not base_url_problem(root):
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
        if version_below(version, (3, 1)):
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
        return f"the answer is not a DocSpace envelope ({json_kind(body)})"

    def _masked_problem(self, problem: str, answer: Answer) -> str:
        """A parse problem with a short raw snippet, masked before it is cut."""
        if not problem.startswith("the body is not JSON"):
            return problem
        content_type = answer.headers.get("Content-Type", "unknown content type")
        # Masked before it is cut, so that no cut-off secret survives; only the start can be shown anyway.
        shown = self.secrets.shown(answer.text[:4096])
        return f"the body is not JSON ({self.secrets.mask(content_type[:80])}): {shown!r}"


def wait_details(client: "DocSpaceClient") -> dict[str, Any]:
    """Return values of a task whose first request waited for the portal to start (ready_timeout)."""
    return {} if client.ready_after is None else {"ready_after": client.ready_after}


def _sentence(text: str) -> str:
    """text as the start of a sentence: its first letter upper case (no text passed here starts with an option)."""
    return text[:1].upper() + text[1:]
