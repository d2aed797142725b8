# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""The transport seam: the requests library (or why it is missing), the session, the environment's proxy, and
an answer read whole, bounded in time (run_within) and in size (read_body)."""

from __future__ import annotations

import os
import threading
import traceback
import zlib
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceConfigError

REQUESTS_IMPORT_ERROR: str | None
try:
    import requests
    import urllib3  # pylint: disable=unused-import  # its exceptions are classified in _diagnose.py
except ImportError:
    requests = None
    urllib3 = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

HAS_REQUESTS = REQUESTS_IMPORT_ERROR is None

# No SMTP answer comes near this; anything larger is not DocSpace (a download, a stream, a gzip bomb).
MAX_BODY_BYTES = 4 * 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024
# requests' timeout bounds each socket wait; the whole request gets timeout plus this, so that a
# connection that times out at `timeout` is still reported as such, not as the overall deadline.
DEADLINE_GRACE = 1.0

# Proxy variables are honoured knowingly (named in errors); see README "Security".
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


class Unreadable(Exception):
    """The body cannot be read as an answer (too large, unknown encoding, corrupt compression)."""


class DeadlinePassed(Exception):
    """The whole request outlived its deadline."""


def open_session() -> Any:
    """Return the HTTP session every request goes through: the seam unit tests replace."""
    if not HAS_REQUESTS:
        raise DocSpaceConfigError("the Python library 'requests' is required")
    session = requests.Session()
    # trust_env would let ~/.netrc replace our Authorization header and REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE
    # replace the CA choice without a word; proxies are taken from the environment explicitly instead.
    session.trust_env = False
    return session


def environ_proxies(url: str) -> Mapping[str, str]:
    """The proxies the environment names for url, by scheme, as requests finds them (NO_PROXY honoured).

    The lookup environment_proxy makes; the controller's worker puts a quicker equivalent here
    (plugin_utils/_warm_up.py).
    """
    return requests.utils.get_environ_proxies(url)


def environment_proxy(url: str) -> tuple[str, str] | None:
    """The proxy the environment names for url, as (proxy URL, variable name), honouring NO_PROXY."""
    if requests is None:
        return None
    proxies = environ_proxies(url)
    scheme = urlsplit(url).scheme
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy:
        return None
    variable = next((known for known in PROXY_VARIABLES if os.environ.get(known) == proxy), "the environment")
    return proxy, variable


def run_within(seconds: float, work: Callable[[], Any], state: dict[str, Any]) -> Any:
    """Return work() or raise DeadlinePassed after seconds: requests' timeout bounds each socket wait only."""
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
        raise DeadlinePassed()
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
        raise Unreadable(f"the answer is {int(declared)} bytes long, more than the {limit // 1048576} MiB any "
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
            raise Unreadable(f"the answer is larger than {limit // 1048576} MiB after decompression, more than "
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
                raise Unreadable(f"its {encoding} compression is corrupt") from None
        return inflate
    raise Unreadable(f"it is sent with Content-Encoding {encoding[:40]!r}, which the client does not decode")
