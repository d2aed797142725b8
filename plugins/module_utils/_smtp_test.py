# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""Waiting for DocSpace's SMTP test job: the poll schedule and what a job state means. No I/O here."""

from __future__ import annotations

import re
import time
from typing import Any, Callable, Iterator

from ansible_collections.onlyoffice.docspace.plugins.module_utils._advisories import advisory_for_reply
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceError
from ansible_collections.onlyoffice.docspace.plugins.module_utils._names import name, words
from ansible_collections.onlyoffice.docspace.plugins.module_utils._smtp_settings import IMPLICIT_TLS_PORT

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


class SmtpTestFailed(SmtpTestError):
    """The test job completed with an error: the relay, TLS, login or sender did not work."""


# Answers of SMTP servers that users meet, as DocSpace stores them verbatim in the job's error
# (docspace-smtp-api.md §7.10), with what to do about each. The first match wins.
# What a relay's answer means, for answers no provider advisory explains (module_utils/_advisories.py).
SMTP_ADVICE = (
    (re.compile(r"\b530\b.*STARTTLS|STARTTLS (command )?first|must issue a STARTTLS", re.IGNORECASE),
     "the relay requires TLS: set {enable_ssl}: true"),
    (re.compile(r"\b535\b|authentication (credentials invalid|failed|unsuccessful)", re.IGNORECASE),
     "the relay rejected the user name or password"),
    (re.compile(r"\b55[0134]\b.*(sender|from|not (allowed|authori[sz]ed|verified)|relay)", re.IGNORECASE),
     "the relay refused the sender: the sender address is not allowed for this account (for example an "
     "unverified sender at Amazon SES or SendGrid); use an address the account may send from"),
    # The socket error texts of .NET on Linux, Windows and macOS for a name that does not resolve.
    (re.compile(r"Name or service not known|No such host is known|nodename nor servname|"
                r"Temporary failure in name resolution", re.IGNORECASE),
     "the DocSpace server cannot resolve the relay's name: check the spelling of {host}, and that the "
     "DNS the DocSpace server uses knows that name (a name that resolves on your machine may not resolve there, "
     "for example inside its containers)"),
    # .NET's SslPolicyErrors, as MailKit's SslHandshakeException words them.
    (re.compile(r"RemoteCertificateNameMismatch|name mismatch|does not match the (host|server)", re.IGNORECASE),
     "the relay's certificate is issued for another name than {host}: set {host} to the "
     "name the certificate is issued for"),
    (re.compile(r"certificate|SslPolicyErrors|self[- ]signed", re.IGNORECASE),
     "the DocSpace server does not trust the relay's certificate, or it does not match {host}: set "
     "{host} to the name the certificate is issued for, or install the CA that signed it on the DocSpace "
     "server (MailKit words a relay that does not speak TLS on that port alike: then check {port} "
     "and {enable_ssl})"),
    (re.compile(r"connection refused", re.IGNORECASE),
     "nothing accepts connections at that host and port: check {host} and {port}, and that a firewall lets the "
     "DocSpace server reach the relay"),
    (re.compile(r"timed? ?out|timeout", re.IGNORECASE),
     "the relay did not answer in time: check {host}, {port} and firewalls; a port that expects TLS from the first "
     f"byte ({IMPLICIT_TLS_PORT}) needs {{enable_ssl}}: true"),
)
PASSWORD_ADVICE = ("A corrected password reaches the portal only when the settings are saved again, and passwords "
                   "are never compared: save them once with {update_password}: always.")


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
    """Return a completed job's state when the test succeeded; raise SmtpTestError when it did not."""
    if operation["error"]:
        where = ("before its first step" if not operation["status"]
                 else f"at step '{operation['status']}'")
        raise SmtpTestFailed(
            f"The SMTP test failed {where} ({operation['percents']} %): {operation['error']}", operation)
    if operation["percents"] < 100:
        # web/ASC.Web.Api/Core/SmtpJob.cs swallows TaskCanceledException: completed, no error, below 100 %.
        raise SmtpTestError(
            f"The SMTP test job {operation['id']} was cancelled on the server at {describe_progress(operation)}, "
            "before the test mail was sent (DocSpace stops running jobs when its API service restarts or shuts "
            "down). No mail went out; run the test again.", operation)
    return operation


def explain_failure(error: SmtpTestFailed, relay: dict[str, Any] | None) -> str:
    """The failed test's message with the relay DocSpace used (its stored settings) and advice."""
    operation = error.operation or {}
    parts = [str(error).rstrip(".") + "."]
    if relay is not None:
        stored = ("the portal has no SMTP settings of its own" if relay.get("is_default")
                  else "these settings are stored on the portal")
        parts.append(f"DocSpace used {describe_relay(relay)}; {stored}.")
    reply = operation.get("error", "")
    advisory = advisory_for_reply(reply, relay)
    advice = (f"{advisory.refusal}. {advisory.advice}" if advisory is not None
              else next((f"{words(text)}." for pattern, text in SMTP_ADVICE if pattern.search(reply)), None))
    if advice:
        parts.append(advice[0].upper() + advice[1:])
    # A provider that refuses passwords altogether (an advisory's answer) is not helped by a corrected one.
    if operation.get("status") == "Authenticate" and advisory is None:
        parts.append(words(PASSWORD_ADVICE))
    return " ".join(parts)


def describe_relay(settings: dict[str, Any]) -> str:
    """The relay as DocSpace applies the settings: host:port, TLS mode (MailKit's rule) and login."""
    if not settings.get("host"):
        return "the installation's own mail configuration (the API does not show it)"
    port = settings.get("port")
    if not settings.get("enable_ssl"):
        tls = "no TLS"
    elif port == IMPLICIT_TLS_PORT:
        tls = "implicit TLS"
    else:
        tls = "STARTTLS when the relay offers it"
    login = f"login {settings['username']}" if settings.get("enable_auth") else "no login"
    which = "the installation default relay" if settings.get("is_default") else "the relay"
    return f"{which} {settings['host']}:{port} ({tls}, {login})"


def vanished(operation: Operation, now_running: Operation | None) -> SmtpTestError:
    """The error for a job that disappeared from DocSpace before we read its result."""
    # A completed job is deleted by the first status read that sees it, and DocSpace's queue cleaner
    # (common/ASC.Common/Threading/DistributedTaskQueue.cs) removes any job unchanged for 60 s. The client
    # also repeats a status read whose connection failed; if the lost answer was the completion, the repeat
    # finds no job. All look alike from here.
    message = (f"The SMTP test job {operation['id']} vanished before its result was read "
               f"(last seen at {describe_progress(operation)}): ")
    if now_running is None:
        message += "the status read found no job"
    else:
        message += f"DocSpace now reports another job, {now_running['id']}"
    message += (". Either another client (an admin in the web UI, a parallel task) read the result first, "
                "which deletes the job on DocSpace, or DocSpace dropped the job because its state had not "
                "changed for 60 s (its queue cleaner does that, for example when tests of many portals of one "
                "installation wait for each other).")
    return SmtpTestError(message, operation)


def queued(operation: Operation) -> bool:
    """Whether the job has not started yet: DocSpace runs one test at a time for the whole installation."""
    return operation["percents"] == 0 and not operation["status"]


def timed_out(operation: Operation, wait_timeout: float) -> SmtpTestError:
    """The error for a job still queued or running when wait_timeout passed."""
    if queued(operation):
        state = ("it was still queued: on an installation with many portals DocSpace runs one SMTP test at a "
                 "time, so it was waiting behind other portals' tests")
    else:
        state = f"last progress: {describe_progress(operation)}"
    return SmtpTestError(
        f"The SMTP test job {operation['id']} did not finish within {name('wait_timeout')} ({wait_timeout:g} s); "
        f"{state}. The job may still finish on the portal; raise {name('wait_timeout')} to wait longer.", operation)


def wait_for_job(first: Operation, read_status: Callable[[], Any], wait_timeout: float, poll_interval: float,
                 started: float, clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], None] | None = None) -> Operation:
    """Read the job status until it completes; return the successful final state or raise SmtpTestError.

    `first` is the job as the trigger reported it, `read_status` returns the status envelope's `response`
    (None when there is no job), `started` is the clock reading taken just before the trigger: the deadline
    is `started + wait_timeout`, and the last pause is cut to it, so the wait ends within wait_timeout plus
    one read.
    """
    clock = clock or time.monotonic
    sleep = sleep or time.sleep
    deadline = started + wait_timeout
    operation = first
    delays = poll_delays(poll_interval)
    # The completed answer is read exactly once, and it is the result: DocSpace deletes the job with it.
    while not operation["completed"]:
        remaining = deadline - clock()
        if remaining <= 0:
            raise timed_out(operation, wait_timeout)
        sleep(min(next(delays), remaining))
        latest = operation_from(read_status())
        if latest is None or latest["id"] != operation["id"]:
            raise vanished(operation, latest)
        operation = latest
    return finished(operation)
