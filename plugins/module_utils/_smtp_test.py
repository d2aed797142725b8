# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""Waiting for DocSpace's SMTP test job: the poll schedule and what a job state means. No I/O here."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator

from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace import DocSpaceError

TRIGGER_PATH = "/api/2.0/smtpsettings/smtp/test"
STATUS_PATH = "/api/2.0/smtpsettings/smtp/test/status"

# The job usually finishes within a second or two (a refused connection is instant). Reading the status
# every 0.2 s for the first 2 s notices that within about 0.1 s (median) while staying at one read per
# 0.2 s; after that the pauses grow towards poll_interval for slow relays.
FIRST_POLL_DELAY = 0.2
FAST_POLL_READS = 10
POLL_GROWTH = 1.5

Operation = dict[str, Any]  # keys: id, completed, percents, status, error


class SmtpTestError(DocSpaceError):
    """The test job ran but gave no success: it failed, vanished or outlived the timeout."""

    def __init__(self, message: str, operation: Operation | None = None) -> None:
        super().__init__(message)
        self.operation = operation


def poll_delays(poll_interval: float, first: float = FIRST_POLL_DELAY, fast_reads: int = FAST_POLL_READS,
                growth: float = POLL_GROWTH) -> Iterator[float]:
    """Yield the pauses before successive status reads: short at first, then growing up to poll_interval."""
    delay = min(first, poll_interval)
    for _read in range(fast_reads):
        yield delay
    while True:
        delay = min(delay * growth, poll_interval)
        yield delay


def operation_from(response: Any) -> Operation | None:
    """Normalise DocSpace's job status DTO into the module's `operation`, or None when there is no job."""
    if not isinstance(response, dict) or not response.get("id"):
        return None
    try:
        percents = int(response.get("percents") or 0)
    except (TypeError, ValueError):
        percents = 0
    return {
        "id": str(response["id"]),
        "completed": response.get("completed") is True,
        "percents": percents,
        "status": str(response.get("status") or ""),
        "error": str(response.get("error") or ""),
    }


def describe_progress(operation: Operation) -> str:
    """Say where the job is, e.g. "step 'Authenticate' (60 %)"."""
    step = f"step '{operation['status']}'" if operation["status"] else "its first step"
    return f"{step} ({operation['percents']} %)"


def finished(operation: Operation) -> Operation:
    """Return a completed job's state when the test succeeded; raise SmtpTestError when it failed."""
    if operation["error"]:
        where = ("before its first step" if not operation["status"]
                 else f"at step '{operation['status']}'")
        raise SmtpTestError(
            f"The SMTP test failed {where} ({operation['percents']} %): {operation['error']}", operation)
    return operation


def vanished(operation: Operation, now_running: Operation | None) -> SmtpTestError:
    """The error for a job that disappeared from DocSpace before we read its result."""
    # A completed job is deleted by the first status read that sees it. Someone else (the web UI,
    # another task) may have been that reader. Also, the client repeats a status read whose connection
    # failed; if the lost answer had been the completion, the repeat finds no job. Both look alike here.
    message = (f"The SMTP test job {operation['id']} vanished before its result was read "
               f"(last seen at {describe_progress(operation)}): ")
    if now_running is None:
        message += "the status read found no job"
    else:
        message += f"DocSpace now reports another job, {now_running['id']}"
    message += (". Another client (an admin in the web UI, a parallel task) may have read the result first, "
                "which deletes the job on DocSpace.")
    return SmtpTestError(message, operation)


def timed_out(operation: Operation, timeout: float) -> SmtpTestError:
    """The error for a job still running when the timeout passed."""
    return SmtpTestError(
        f"The SMTP test job {operation['id']} did not finish within the timeout of {timeout:g} s; "
        f"last progress: {describe_progress(operation)}. The job may still finish on the portal.", operation)


def wait_for_job(first: Operation, read_status: Callable[[], Any], timeout: float, poll_interval: float,
                 started: float, clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], None] | None = None) -> Operation:
    """Read the job status until it completes; return the successful final state or raise SmtpTestError.

    `first` is the job as the trigger reported it, `read_status` returns the status envelope's `response`
    (None when there is no job), `started` is the clock reading taken just before the trigger: the deadline
    is `started + timeout`, and the last pause is cut to it, so the wait ends within timeout plus one read.
    """
    clock = clock or time.monotonic
    sleep = sleep or time.sleep
    deadline = started + timeout
    operation = first
    delays = poll_delays(poll_interval)
    # The completed answer is read exactly once, and it is the result: DocSpace deletes the job with it.
    while not operation["completed"]:
        remaining = deadline - clock()
        if remaining <= 0:
            raise timed_out(operation, timeout)
        sleep(min(next(delays), remaining))
        latest = operation_from(read_status())
        if latest is None or latest["id"] != operation["id"]:
            raise vanished(operation, latest)
        operation = latest
    return finished(operation)
