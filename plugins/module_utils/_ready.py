# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""Waiting for a portal that is still starting (the ready_timeout option): what an answer of DocSpace's anonymous
build endpoint means while an installation starts, and the pace of the polls. No I/O here.

What a starting installation shows, from DocSpace-buildtools: before its proxy runs, nothing listens (connection
refused); then the router answers every API path whose service is not up yet with 502, 503 or 504 and its error
page (config/nginx/onlyoffice.conf: `error_page 500 502 503 504 /custom_50x.html`, an HTML page titled "500 Error
Page"); the web front end may already serve its start page, an HTML page, where the API should answer.
"""

from __future__ import annotations

from collections.abc import Iterator

from ansible_collections.onlyoffice.docspace.plugins.module_utils._envelope import TRANSIENT_STATUSES
from ansible_collections.onlyoffice.docspace.plugins.module_utils._names import name

# The pauses between polls grow from the first to the longest: a portal that comes up within seconds is seen at
# once, one that takes minutes is asked every few seconds, not hammered.
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 5.0
GROWTH = 1.5
# Said where a portal that is starting fails a task, unless the task already waits (ready_timeout).
READY_ADVICE = "or set {ready_timeout} to the seconds to wait for a portal that is starting"


def starting(status: int, html: bool) -> str | None:
    """The answer in words when it shows a portal that is still starting, or None when the API itself answered."""
    # The statuses the client retries as passing: while DocSpace starts, its proxy has no upstream to ask.
    if status in TRANSIENT_STATUSES:
        return f"HTTP {status} from the proxy in front of DocSpace" + (" (its error page)" if html else "")
    if 200 <= status < 300 and html:
        return "the web front end's start page (HTML) where the API should answer"
    return None


def pauses() -> Iterator[float]:
    """The pauses between polls: FIRST_PAUSE, growing by GROWTH up to LONGEST_PAUSE, for ever."""
    pause = FIRST_PAUSE
    while True:
        yield pause
        pause = min(pause * GROWTH, LONGEST_PAUSE)


def not_ready(budget: float, last: str, base_url: str) -> str:
    """The failure when the budget ran out: how long it waited, the last answer in words, what to do."""
    return (f"the portal did not become ready within {budget:g} s: {last} at {base_url}. If it is still starting, "
            f"raise {name('ready_timeout')}; otherwise check its services")
