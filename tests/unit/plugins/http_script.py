# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A scripted HTTP conversation for unit tests: the session replays expected calls and canned answers."""

from __future__ import annotations

import io
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

ANY = object()
"""Matches any request body."""


class FakeRaw:
    """The body as urllib3 hands it over: raw bytes, read in pieces; `pause` seconds before each piece."""

    def __init__(self, content: bytes, piece: int | None = None, pause: float = 0.0) -> None:
        self._body = io.BytesIO(content)
        self._piece = piece
        self._pause = pause

        # Like io.BufferedReader under urllib3: a read holds a lock until it has `amount` bytes or the end,
        # and close() waits for that lock.
        self.lock = threading.Lock()

    def read(self, amount: int, decode_content: bool = True) -> bytes:
        """Return the next piece (never decoded: the client decodes itself); with a pause, dribble until full."""
        assert decode_content is False, "the client must read the raw bytes and decode them itself"
        if not self._pause:
            return self._body.read(min(amount, self._piece or amount))
        with self.lock:
            data = b""
            while len(data) < amount:
                time.sleep(self._pause)
                piece = self._body.read(min(amount - len(data), self._piece or amount))
                if not piece:
                    break
                data += piece
            return data

    def finished(self) -> bool:
        """Whether the whole body has been read."""
        return self._body.tell() == len(self._body.getvalue())


class FakeResponse:
    """The part of requests.Response the client reads."""

    def __init__(self, status_code: int, text: str = "", headers: dict[str, str] | None = None,
                 content: bytes | None = None, piece: int | None = None, pause: float = 0.0) -> None:
        self.status_code = status_code
        self.text = text
        self.headers = headers or {}
        self.content = text.encode("utf-8") if content is None else content
        self._piece = piece
        self._pause = pause
        self.raw = FakeRaw(self.content, piece, pause)
        self.closed = False

    def close(self) -> None:
        """Record that the client released the answer (after any read in progress); it can be replayed."""
        with self.raw.lock:
            self.closed = True
        self.raw = FakeRaw(self.content, self._piece, self._pause)


def envelope(response: Any = None, status: int = 200, count: int | None = None,
             headers: dict[str, str] | None = None) -> FakeResponse:
    """A DocSpace success envelope around response (no `response` key when it is None)."""
    body: dict[str, Any] = {"count": count if count is not None else (0 if response is None else 1),
                            "links": [{"href": "http://portal.test/", "action": "GET"}],
                            "status": 0, "statusCode": status}
    if response is not None:
        body["response"] = response
    return FakeResponse(status, json.dumps(body), {"Content-Type": "application/json", **(headers or {})})


def error_reply(status: int, message: str, exception_type: str = "System.ArgumentException",
                headers: dict[str, str] | None = None) -> FakeResponse:
    """A DocSpace error envelope (section 0.4 of the API notes)."""
    body = {"error": {"message": message, "type": exception_type, "stack": None, "hresult": 0},
            "status": 1, "statusCode": status}
    return FakeResponse(status, json.dumps(body), {"Content-Type": "application/json", **(headers or {})})


@dataclass
class Call:
    """One expected request and the answer (a FakeResponse, or an exception to raise)."""

    method: str
    path: str
    reply: Any
    body: Any = ANY
    headers: dict[str, str] = field(default_factory=dict)


class ScriptViolation(AssertionError):
    """A request the script did not expect, in that order, with that header or body."""


class ScriptedSession:
    """Stands in for requests.Session: every request must be the next expected Call, in order.

    A request that breaks the script raises ScriptViolation inside the client, which may well turn it into an
    ordinary transport failure, the very outcome a test might expect. So every violation is also recorded, and
    the test fails on it afterwards whatever the product did with the exception: in assert_done(), and for
    every session a test made, in the autouse fixture of tests/unit/plugins/conftest.py (which also fails on
    scripted calls that were never made).
    """

    # Every session made since the conftest fixture last looked, so that none goes unchecked.
    made: ClassVar[list[ScriptedSession]] = []

    def __init__(self, calls: list[Call]) -> None:
        self.expected = list(calls)
        self.seen: list[dict[str, Any]] = []
        self.violations: list[str] = []
        ScriptedSession.made.append(self)

    def _violated(self, problem: str) -> ScriptViolation:
        self.violations.append(problem)
        return ScriptViolation(problem)

    def request(self, method: str, url: str, headers: dict[str, str] | None = None, json: Any = None,  # pylint: disable=redefined-outer-name
                **options: Any) -> FakeResponse:
        """Check the request against the script and return (or raise) the scripted answer."""
        path = urlsplit(url).path
        self.seen.append({"method": method, "url": url, "path": path, "headers": dict(headers or {}),
                          "body": json, "options": options})
        if not self.expected:
            raise self._violated(f"unexpected extra request {method} {path}")
        call = self.expected.pop(0)
        if (method, path) != (call.method, call.path):
            raise self._violated(f"expected {call.method} {call.path}, got {method} {path}")
        if call.body is not ANY and json != call.body:
            raise self._violated(f"{method} {path} body {json!r} != expected {call.body!r}")
        for name, value in call.headers.items():
            if (headers or {}).get(name) != value:
                raise self._violated(f"{method} {path} header {name}: {(headers or {}).get(name)!r}, expected {value!r}")
        if isinstance(call.reply, BaseException):
            raise call.reply
        return call.reply

    def assert_done(self) -> None:
        """Fail when a request broke the script, or when scripted calls were never made."""
        assert not self.violations, f"requests that broke the script: {self.violations}"
        missing = [f"{call.method} {call.path}" for call in self.expected]
        assert not missing, f"expected requests never sent: {missing}"


def check_every_session_made() -> None:
    """assert_done() on every session made since the last check (the conftest fixture's check after each test)."""
    sessions, ScriptedSession.made[:] = list(ScriptedSession.made), []
    for session in sessions:
        session.assert_done()
