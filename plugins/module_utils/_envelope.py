# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""DocSpace's answers read: an HTTP answer (Answer) and the envelope of a successful one (Reply), JSON hardened
against hostile bodies, DocSpace's own words picked out of an error, and what an error status means."""

from __future__ import annotations

import html
import json
import math
import re
from typing import Any, Mapping

from ansible_collections.onlyoffice.docspace.plugins.module_utils._secrets import snippet

# HTTP answers that mean "the server could not handle it right now"; safe to repeat an idempotent call.
TRANSIENT_STATUSES = frozenset((502, 503, 504))

# Hostile JSON: deeper nesting than any DocSpace answer is refused before Python's recursion limit bites.
MAX_JSON_DEPTH = 64

# What an error status means where nothing more specific applies (see DocSpaceClient._status_hint).
STATUS_HINTS = {
    400: "DocSpace rejected the request",
    500: "DocSpace failed on the request with an internal error",
    502: "the portal's web server got no answer from DocSpace",
    503: "DocSpace is not available",
    504: "the portal's web server got no answer from DocSpace in time",
}
TRANSIENT_ADVICE = "the portal may be starting or overloaded: run again when it answers"


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


def success(status: int, body: Any, parse_problem: str | None) -> Reply | None:
    """The Reply of a success envelope (2xx, JSON, status 0), or None for any other answer."""
    if 200 <= status < 300 and parse_problem is None and isinstance(body, dict) and body.get("status", 0) == 0:
        count = body.get("count", 1 if "response" in body else 0)
        return Reply(status, body.get("response"), count if is_int(count) else 0)
    return None


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


def is_int(value: Any) -> bool:
    """A JSON whole number (not true/false)."""
    return isinstance(value, int) and not isinstance(value, bool)


def json_kind(value: Any) -> str:
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


def docspace_message(body: Any) -> str | None:
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


def is_html(answer: Answer) -> bool:
    """Whether an answer is an HTML page (a web server's or the portal's, not the API)."""
    content_type = (answer.headers.get("Content-Type") or "").lower()
    head = answer.text.lstrip()[:100].lower()
    return "text/html" in content_type or head.startswith(("<!doctype html", "<html"))


def html_title(text: str) -> str | None:
    """The <title> of an HTML page, shortened."""
    found = re.search(r"<title[^>]*>(.*?)</title>", text[:20000], re.IGNORECASE | re.DOTALL)
    return snippet(html.unescape(found.group(1)), 80) if found else None


def version_below(version: str, least: tuple[int, int]) -> bool:
    """Whether a DocSpace version such as 3.0.4.1234 is below least (major, minor)."""
    numbers = tuple(int(number) for number in re.findall(r"[0-9]+", version)[:2])
    return numbers < least


def retry_after_seconds(value: str | None) -> float | None:
    """Read a Retry-After header given in seconds (DocSpace's limiter never sends the date form)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return max(0.0, seconds) if seconds is not None and math.isfinite(seconds) else None
