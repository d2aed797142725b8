# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A hostile "portal" on loopback: it echoes secrets, streams without end, bombs, dribbles and lies in JSON.

The first path segment picks the behaviour, so that a base_url of http://127.0.0.1:PORT/<behaviour> aims a
module at it: e.g. http://127.0.0.1:PORT/bomb answers every request with a gzip bomb. Every behaviour is
bounded on the server side too (at most STREAM_LIMIT bytes, at most DRIBBLE_SECONDS of dribbling), so a
client without limits makes a test fail, not hang.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import quote

STREAM_LIMIT = 64 * 1024 * 1024
DRIBBLE_SECONDS = 40
SETTINGS = {"host": "smtp.hostile.test", "port": 25, "senderAddress": "noreply@hostile.test",
            "senderDisplayName": "Hostile", "credentialsUserName": "", "enableSSL": False, "enableAuth": False,
            "useNtlm": False, "isDefaultSettings": False}
TOKEN = "tok-SESSION-hostile-0b6f2d9e7c41"
NETRC_KEY_HEADER = "Bearer sk-hostile-netrc-key-5e0c1a"
OLD_VERSION = "3.0.4.1876"


def echoed_forms(text: str) -> list[str]:
    """text the ways a careless server repeats it: escaped twice (our JSON quoted in its JSON), URL-encoded
    after escaping, raw, JSON-escaped, folded, latin-1, URL-encoded, cut."""
    escaped = json.dumps(text)[1:-1]
    return [json.dumps(escaped)[1:-1], quote(escaped, safe=""), text, escaped, " ".join(text.split()),
            text.encode("utf-8").decode("latin-1"), quote(text, safe=""), text[:15]]


def posted_password(body: str) -> str:
    """The SMTP password of a posted settings body ("" when there is none)."""
    try:
        value = json.loads(body).get("credentialsUserPassword")
    except (ValueError, AttributeError):
        return ""
    return value if isinstance(value, str) else ""


def envelope(response: Any) -> dict[str, Any]:
    """DocSpace's success envelope."""
    return {"response": response, "count": 1, "status": 0, "statusCode": 200}


class Handler(BaseHTTPRequestHandler):
    """Answers by the first path segment; see the module docstring."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # pylint: disable=arguments-differ
        """Stay quiet: the test reads results, not logs."""

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        """Every method goes the same way."""
        self._answer()

    do_POST = do_GET
    do_DELETE = do_GET

    def _answer(self) -> None:
        """Dispatch on the behaviour named by the first path segment."""
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(min(length, 1024 * 1024)).decode("utf-8", "replace")  # pylint: disable=attribute-defined-outside-init
        behaviour = self.path.strip("/").split("/", 1)[0]
        action: Callable[[], None] = getattr(self, "_" + behaviour.replace("-", "_"), self._not_found)
        action()

    def _send(self, status: int, body: bytes = b"", content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value).encode())

    def _text(self, status: int, text: str, content_type: str = "application/json") -> None:
        self._send(status, text.encode("utf-8"), content_type)

    def _not_found(self) -> None:
        self._send(404)

    def _is_get_settings(self) -> bool:
        return self.command == "GET" and self.path.endswith("/smtpsettings/smtp")

    # ---- secrets echoed back
    def _echo(self) -> None:
        """Settings to read; a save is refused with the posted body and the Authorization header echoed."""
        if self._is_get_settings():
            return self._json(200, envelope(SETTINGS))
        # Short enough to come through whole: DocSpace's message is shown up to 500 characters.
        echoed = " | ".join(echoed_forms(posted_password(self.body)) + echoed_forms(self.headers.get("Authorization", "")))
        return self._json(400, {"error": {"message": f"Bad request: {echoed}"}, "status": 1, "statusCode": 400})

    def _echo_text(self) -> None:
        """Like echo, in a plain-text error page."""
        if self._is_get_settings():
            return self._json(200, envelope(SETTINGS))
        echoed = " | ".join(echoed_forms(self.body) + echoed_forms(self.headers.get("Authorization", "")))
        return self._text(400, f"Bad request: {echoed}", "text/plain")

    def _token(self) -> None:
        """A login that works, then the token echoed in the refusal of every call."""
        if self.path.endswith("/authentication"):
            return self._json(200, envelope({"token": TOKEN, "expires": "2030-01-01T00:00:00", "sms": False, "tfa": False}))
        return self._json(401, {"error": {"message": f"Token rejected: {self.headers.get('Authorization', '')}"},
                                "status": 1, "statusCode": 401})

    # ---- unbounded answers
    def _stream(self) -> None:
        """An answer without end (up to STREAM_LIMIT)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b" " * 65536
        sent = 0
        try:
            while sent < STREAM_LIMIT:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass

    def _bomb(self) -> None:
        """A small gzip body that inflates to STREAM_LIMIT bytes."""
        self._send(200, BOMB.get(), headers={"Content-Encoding": "gzip"})

    def _slow(self) -> None:
        """Headers at once, then one byte per second: every read is quick, the whole answer is not."""
        body = json.dumps(envelope(SETTINGS)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        started = time.monotonic()
        try:
            for byte in body:
                if time.monotonic() - started > DRIBBLE_SECONDS:
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass

    # ---- hostile JSON
    def _nan(self) -> None:
        self._text(200, json.dumps(envelope({**SETTINGS, "port": float("nan")})))

    def _infinity(self) -> None:
        self._text(200, json.dumps(envelope({**SETTINGS, "port": float("inf")})))

    def _deep(self) -> None:
        self._text(200, '{"response": ' + "[" * 100000 + "]" * 100000 + ', "status": 0}')

    # ---- wrong base_url, old servers, unpaid portals
    def _html(self) -> None:
        self._text(200, "<!DOCTYPE html><html><head><title>Welcome</title></head><body>Hi</body></html>", "text/html")

    def _unpaid(self) -> None:
        self._send(402)

    def _oldkey(self) -> None:
        """DocSpace 3.0: API keys unknown (401), the build version readable without credentials."""
        if self.path.endswith("/settings/version/build"):
            return self._json(200, envelope({"docSpace": OLD_VERSION, "documentServer": "8.2.0"}))
        return self._send(401)

    def _netrc(self) -> None:
        """Settings only for the API key the test gives; anything else (a .netrc login) is refused."""
        if self.headers.get("Authorization") == NETRC_KEY_HEADER:
            return self._json(200, envelope(SETTINGS))
        return self._send(401)


class _Bomb:
    """The gzip bomb, built once on first use (about 64 KiB that inflate to 64 MiB)."""

    def __init__(self) -> None:
        self._data: bytes | None = None
        self._lock = threading.Lock()

    def get(self) -> bytes:
        with self._lock:
            if self._data is None:
                self._data = gzip.compress(b" " * STREAM_LIMIT, compresslevel=9)
            return self._data


BOMB = _Bomb()


class HostileServer:
    """The hostile portal on 127.0.0.1, in a background thread."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "HostileServer":
        self._thread.start()
        return self

    def url(self, behaviour: str) -> str:
        """The base_url that aims a module at one behaviour."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/{behaviour}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
