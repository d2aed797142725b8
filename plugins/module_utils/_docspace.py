# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""The one DocSpace REST API client of the collection: it owns everything that touches the wire."""

from __future__ import annotations

import json
import time
import traceback
from typing import Any, Callable
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback, missing_required_lib

REQUESTS_IMPORT_ERROR: str | None
try:
    import requests
except ImportError:
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

HAS_REQUESTS = REQUESTS_IMPORT_ERROR is None

LOGIN_PATH = "/api/2.0/authentication"

# HTTP answers that mean "the server could not handle it right now"; safe to repeat an idempotent call.
TRANSIENT_STATUSES = frozenset((502, 503, 504))

DEFAULT_RETRIES = 3
BACKOFF_FIRST_DELAY = 0.5
# A Retry-After longer than this is not waited for: a daily run over hundreds of portals must not stall.
RETRY_AFTER_CAP = 30.0

STATUS_HINTS = {
    400: "DocSpace rejected the request",
    401: "the credentials were rejected; check api_key, or auth_username and auth_password",
    402: "the portal's pricing plan hides the SMTP settings",
    403: "access denied: the user must be a DocSpace owner or admin",
    404: "nothing found at this address; check that base_url is the portal root",
    429: "DocSpace rate limit reached",
}


def open_session() -> Any:
    """Return the HTTP session every request goes through: the seam unit tests replace."""
    if not HAS_REQUESTS:
        raise DocSpaceConfigError("the Python library 'requests' is required")
    return requests.Session()


def prepare_module(module: Any) -> None:
    """Start-up shared by every module: 'requests' must import, and URL credentials stay out of all output."""
    # A base_url carrying credentials is refused later, but Ansible echoes module_args in results and at -vvv.
    module.no_log_values.update(_url_credentials(str(module.params.get("base_url") or "")))
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)


def _url_credentials(text: str) -> set[str]:
    """The user:password text of a URL and its password part, by the rule normalize_base_url shows it with."""
    if "@" not in text:
        return set()
    # Whatever precedes the last "@" may be a user:password, even where urlsplit does not see one
    # ("admin:pw@host", "https://admin:pa/ss@host").
    userinfo = text.rsplit("@", 1)[0].split("://", 1)[-1]
    secrets = {userinfo}
    if ":" in userinfo:
        secrets.add(userinfo.split(":", 1)[1])
    return {secret for secret in secrets if secret}


def connection_argument_spec() -> dict[str, dict[str, Any]]:
    """Return the connection options shared by every module (documented in the connection doc fragment)."""
    return {
        "base_url": {"type": "str", "required": True, "fallback": (env_fallback, ["DOCSPACE_BASE_URL"])},
        "api_key": {"type": "str", "no_log": True, "fallback": (env_fallback, ["DOCSPACE_API_KEY"])},
        "auth_username": {"type": "str", "fallback": (env_fallback, ["DOCSPACE_AUTH_USERNAME"])},
        "auth_password": {"type": "str", "no_log": True, "fallback": (env_fallback, ["DOCSPACE_AUTH_PASSWORD"])},
        "validate_certs": {"type": "bool", "default": True, "fallback": (env_fallback, ["DOCSPACE_VALIDATE_CERTS"])},
        "ca_path": {"type": "path", "fallback": (env_fallback, ["DOCSPACE_CA_PATH"])},
        "timeout": {"type": "int", "default": 30},
    }


CONNECTION_MUTUALLY_EXCLUSIVE = [("api_key", "auth_username"), ("api_key", "auth_password")]
CONNECTION_REQUIRED_ONE_OF = [("api_key", "auth_username")]
CONNECTION_REQUIRED_TOGETHER = [("auth_username", "auth_password")]


def connection_module_kwargs() -> dict[str, Any]:
    """Return the AnsibleModule keyword arguments that enforce the connection option rules."""
    return {
        "mutually_exclusive": list(CONNECTION_MUTUALLY_EXCLUSIVE),
        "required_one_of": list(CONNECTION_REQUIRED_ONE_OF),
        "required_together": list(CONNECTION_REQUIRED_TOGETHER),
    }


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


class DocSpaceTransportError(DocSpaceError):
    """No usable HTTP answer: connection refused or reset, timeout, TLS failure."""

    def __init__(self, message: str, method: str, path: str, retryable: bool) -> None:
        super().__init__(message, method=method, path=path)
        # True for passing failures (refused, reset, connect timeout) worth repeating for an idempotent call.
        self.retryable = retryable


class Reply:
    """A successful DocSpace answer: the envelope's `response` (None when absent) and `count`."""

    def __init__(self, status: int, response: Any, count: int) -> None:
        self.status = status
        self.response = response
        self.count = count


def normalize_base_url(base_url: str) -> str:
    """Return base_url without a trailing slash, or raise DocSpaceConfigError if it is not a portal root."""
    text = (base_url or "").strip()
    parts = urlsplit(text)
    problem = None
    if parts.scheme not in ("http", "https"):
        problem = "it must start with http:// or https://"
    elif not parts.hostname:
        problem = "it has no host name"
    elif parts.query or parts.fragment:
        problem = "it must not carry a query string or fragment"
    elif parts.username or parts.password:
        problem = "it must not carry credentials; use api_key or auth_username/auth_password"
    else:
        try:
            parts.port  # pylint: disable=pointless-statement  # raises ValueError on a bad port
        except ValueError:
            problem = "its port is not a number between 0 and 65535"
    if problem:
        # Never echo what may be credentials (see _url_credentials).
        shown = f"***@{text.rsplit('@', 1)[1]}" if "@" in text else text
        raise DocSpaceConfigError(
            f"base_url {shown!r} is not a portal root such as https://docspace.example.com: {problem}")
    return text.rstrip("/")


def _server_message(body: Any) -> str | None:
    """Pick DocSpace's own explanation out of an error or validation body."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    problem = body.get("response")
    if isinstance(problem, dict) and isinstance(problem.get("errors"), dict):
        # ASP.NET model validation: {"errors": {"Port": ["The field Port must be between 1 and 65535."]}}
        details = []
        for field, messages in problem["errors"].items():
            texts = messages if isinstance(messages, list) else [messages]
            details.append(f"{field}: {' '.join(str(text) for text in texts)}")
        return "; ".join(details) or problem.get("title")
    return None


def _snippet(text: str, limit: int = 120) -> str:
    """Shorten a non-JSON body for an error message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


class DocSpaceClient:
    """Talks to one portal's REST API: authentication, envelope, errors and bounded retries.

    `session` is the single HTTP seam: anything with requests.Session's `request()` signature.
    """

    def __init__(self, base_url: str, api_key: str | None = None, auth_username: str | None = None,
                 auth_password: str | None = None, validate_certs: bool = True, ca_path: str | None = None,
                 timeout: float = 30, session: Any = None, retries: int = DEFAULT_RETRIES,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = normalize_base_url(base_url)
        if bool(api_key) == bool(auth_username):
            raise DocSpaceConfigError("give either api_key or auth_username with auth_password, not both or neither")
        if auth_username and not auth_password:
            raise DocSpaceConfigError("auth_username needs auth_password")
        if timeout is None or timeout <= 0:
            raise DocSpaceConfigError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self._api_key = api_key
        self._auth_username = auth_username
        self._auth_password = auth_password
        self._token: str | None = None
        self._verify: bool | str = (ca_path or True) if validate_certs else False
        self.timeout = timeout
        self.retries = retries
        self._sleep = sleep
        self._session = session if session is not None else open_session()

    @classmethod
    def from_params(cls, params: dict[str, Any], **kwargs: Any) -> "DocSpaceClient":
        """Build a client from a module's connection options."""
        # Only an absent timeout takes the default: timeout 0 must reach the check in __init__, not become 30.
        timeout = params.get("timeout")
        return cls(params["base_url"], api_key=params.get("api_key"), auth_username=params.get("auth_username"),
                   auth_password=params.get("auth_password"), validate_certs=params.get("validate_certs", True),
                   ca_path=params.get("ca_path"), timeout=30 if timeout is None else timeout, **kwargs)

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
        """Send one authenticated API call and unwrap the envelope, or raise a DocSpaceError."""
        headers = {"Authorization": self._authorization()}
        return self._exchange(method, path, body, headers, retry)

    def _authorization(self) -> str:
        if self._api_key:
            return f"Bearer {self._api_key}"
        if self._token is None:
            self._token = self._log_in()
        # A login token goes bare, as DocSpace's own samples send it: "Bearer <token>" would be
        # taken for a JWT by some DocSpace versions.
        return self._token

    def _log_in(self) -> str:
        credentials = {"userName": self._auth_username, "password": self._auth_password}
        reply = self._exchange("POST", LOGIN_PATH, credentials, {}, True)
        answer = reply.response if isinstance(reply.response, dict) else {}
        token = answer.get("token")
        if not token:
            reason = ("the account uses two-factor authentication; use api_key instead"
                      if answer.get("tfa") or answer.get("sms") else "the answer carried no token")
            raise DocSpaceAuthError(f"DocSpace login (POST {LOGIN_PATH}) gave no token: {reason}",
                                    method="POST", path=LOGIN_PATH, status=reply.status)
        return str(token)

    def _exchange(self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str],
                  retry: bool) -> Reply:
        """Send with bounded retries for transient failures, then interpret the final answer."""
        attempts = 1 + (self.retries if retry else 0)
        delay = BACKOFF_FIRST_DELAY
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                response = self._send(method, path, body, headers)
            except DocSpaceTransportError as error:
                if last or not error.retryable:
                    raise
                self._sleep(delay)
                delay *= 2
                continue
            wait = self._retry_wait(response, delay)
            if wait is None or last:
                return self._interpret(method, path, response)
            self._sleep(wait)
            delay *= 2
        raise AssertionError("unreachable: the last attempt always returns or raises")

    def _send(self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]) -> Any:
        """The one place a request leaves the process; transport failures become DocSpaceTransportError."""
        url = self.base_url + path
        send_headers = {"Accept": "application/json", **headers}
        try:
            return self._session.request(method, url, headers=send_headers, json=body, timeout=self.timeout,
                                         verify=self._verify, allow_redirects=False)
        except Exception as error:  # pylint: disable=broad-exception-caught  # classified right below
            raise self._transport_error(method, path, error) from None

    def _transport_error(self, method: str, path: str, error: Exception) -> DocSpaceTransportError:
        where = f"{method} {self.base_url}{path}"
        name = type(error).__name__
        # http.client and requests quote a bad header value verbatim ("Invalid header value b'Bearer sk-…\n'").
        reason = _redact(str(error), (self._api_key, self._auth_password, self._token))
        retryable = False
        if requests is not None and isinstance(error, requests.exceptions.SSLError):
            text = (f"{where} failed: TLS verification failed ({_snippet(reason, 200)}). If the portal uses "
                    "a private CA, pass its PEM bundle as ca_path; validate_certs: false skips the check")
        elif requests is not None and isinstance(error, requests.exceptions.ConnectTimeout):
            text = f"{where} failed: no connection within {self.timeout} s (timeout)"
            retryable = True
        elif requests is not None and isinstance(error, requests.exceptions.Timeout):
            # Not retried: the server may have acted on it, and repeating a slow call only doubles the wait.
            text = f"{where} failed: no answer within the timeout of {self.timeout} s"
        elif requests is not None and isinstance(error, requests.exceptions.ConnectionError):
            text = f"{where} failed: connection error ({_snippet(reason, 200)})"
            retryable = True
        else:
            text = f"{where} failed: {name}: {_snippet(reason, 200)}"
        return DocSpaceTransportError(text, method=method, path=path, retryable=retryable)

    @staticmethod
    def _retry_wait(response: Any, backoff: float) -> float | None:
        """Seconds to wait before repeating this answer's request, or None when it is final."""
        if response.status_code in TRANSIENT_STATUSES:
            return backoff
        if response.status_code == 429:
            seconds = _retry_after_seconds(response.headers.get("Retry-After"))
            if seconds is not None and seconds <= RETRY_AFTER_CAP:
                return max(seconds, backoff)
        return None

    def _interpret(self, method: str, path: str, response: Any) -> Reply:
        """Turn the final HTTP answer into a Reply or a DocSpaceError."""
        status = response.status_code
        body, parse_problem = _parse_json(response)
        if 200 <= status < 300 and parse_problem is None and isinstance(body, dict) and body.get("status", 0) == 0:
            count = body.get("count", 1 if "response" in body else 0)
            return Reply(status, body.get("response"), count if isinstance(count, int) else 0)
        raise self._http_error(method, path, response, body, parse_problem)

    def _http_error(self, method: str, path: str, response: Any, body: Any,
                    parse_problem: str | None) -> DocSpaceError:
        status = response.status_code
        server_message = _server_message(body)
        retry_after = response.headers.get("Retry-After") if status == 429 else None
        if 200 <= status < 300 and server_message:
            what = f"HTTP {status} but DocSpace reported a failure: {server_message}"
        elif 200 <= status < 300:
            detail = parse_problem or f"the answer is not a DocSpace envelope: {_snippet(json.dumps(body))}"
            what = f"HTTP {status} but {detail}"
        else:
            what = f"HTTP {status}"
            hint = _status_hint(status, method, response.headers.get("Location"))
            if hint:
                what += f" ({hint})"
            if server_message:
                what += f": {server_message}"
            elif parse_problem and parse_problem != "empty body":
                what += f"; {parse_problem}"
            if retry_after is not None:
                unit = " s" if _retry_after_seconds(retry_after) is not None else ""
                what += f"; Retry-After: {retry_after}{unit}"
        message = f"DocSpace API {method} {path} failed: {what}"
        error_class = DocSpaceAuthError if status in (401, 402, 403) else DocSpaceError
        return error_class(message, method=method, path=path, status=status, server_message=server_message,
                           retry_after=retry_after)


def _status_hint(status: int, method: str, location: str | None) -> str | None:
    """What an HTTP error status most likely means for a DocSpace caller."""
    if 300 <= status < 400:
        # Redirects are not followed: a login page or another scheme would hide the real answer.
        target = f" to {location}" if location else ""
        return f"redirected{target}; set base_url to the portal root it names, e.g. its https:// address"
    hint = STATUS_HINTS.get(status)
    if status == 403:
        # An API key's scope is the other cause of a 403; GETs need read scope, changes write scope.
        hint = f"{hint}, and an API key needs {'read' if method == 'GET' else 'write'} scope"
    return hint


def _parse_json(response: Any) -> tuple[Any, str | None]:
    """Return (body, None) for a JSON body, or (None, what was wrong with it)."""
    text = response.text or ""
    if not text.strip():
        return None, "empty body"
    try:
        return json.loads(text), None
    except ValueError:
        content_type = response.headers.get("Content-Type", "unknown content type")
        return None, f"the body is not JSON ({content_type}): {_snippet(text)!r}"


def _redact(text: str, secrets: tuple[str | None, ...]) -> str:
    """Blank out each secret in text, also in the stripped and escaped forms that exception messages use."""
    for secret in secrets:
        for form in (secret, (secret or "").strip(), repr(secret or "")[1:-1]):
            if form:
                text = text.replace(form, "********")
    return text


def _retry_after_seconds(value: str | None) -> float | None:
    """Read a Retry-After header given in seconds (DocSpace's limiter never sends the date form)."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
