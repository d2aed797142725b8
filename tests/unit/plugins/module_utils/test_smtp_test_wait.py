# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the SMTP test waiting logic: poll schedule, job states, deadline, vanished jobs."""

from __future__ import annotations

import itertools

import pytest

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _advisories, _names
from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_test
from ansible_collections.onlyoffice.docspace.plugins.module_utils._smtp_test import (
    SmtpTestError,
    finished,
    operation_from,
    poll_delays,
    wait_for_job,
)

JOB = "0b6f5f5e-1c1d-4a57-8a1e-6f7f1d9a0c42"


def present(operation):
    """An operation that must be there (for mypy: not None)."""
    assert operation is not None
    return operation


def parsed(body):
    """operation_from's answer for a body it must accept."""
    return present(operation_from(body))


def job(percents=0, status="", completed=False, error="", job_id=JOB):
    """A job status DTO as DocSpace sends it."""
    return {"id": job_id, "completed": completed, "percents": percents, "status": status, "error": error}


class FakeTime:
    """A monotonic clock that only moves when slept on, or when a status read takes time."""

    def __init__(self, read_seconds=0.0):
        self.now = 100.0
        self.sleeps = []
        self.read_seconds = read_seconds

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0, "a pause must be positive"
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class StatusScript:
    """Answers status reads from a list (None = empty envelope) and records when each read happened."""

    def __init__(self, clock, answers):
        self.clock = clock
        self.answers = list(answers)
        self.read_at = []

    def __call__(self):
        assert self.answers, "status read after the job's result was already read"
        self.read_at.append(round(self.clock.now, 6))
        self.clock.now += self.clock.read_seconds
        return self.answers.pop(0)


def wait(clock, answers, first=None, timeout=120, poll_interval=1.0):
    """Run wait_for_job against scripted status answers; returns (result, script)."""
    script = StatusScript(clock, answers)
    first_operation = parsed(first or job(5, "Setup tenant"))
    result = wait_for_job(first_operation, script, timeout, poll_interval, started=clock.now,
                          clock=clock.monotonic, sleep=clock.sleep)
    return result, script


# --- the poll schedule ---

def test_pauses_start_at_a_fifth_of_a_second_and_grow_by_half_up_to_poll_interval():
    delays = list(itertools.islice(poll_delays(1.0), 16))
    # Ten quick reads (2 s at one read per 0.2 s), then pauses growing by half up to poll_interval.
    assert delays == pytest.approx([0.2] * 10 + [0.3, 0.45, 0.675, 1.0, 1.0, 1.0])


def test_a_long_poll_interval_is_reached_gradually():
    delays = list(itertools.islice(poll_delays(5.0), 20))
    assert delays[:12] == pytest.approx([0.2] * 10 + [0.3, 0.45])
    assert all(later >= earlier for earlier, later in zip(delays, delays[1:]))
    assert delays[-1] == 5.0 and max(delays) == 5.0


def test_a_poll_interval_below_the_first_pause_is_used_from_the_start():
    assert list(itertools.islice(poll_delays(0.05), 3)) == [0.05, 0.05, 0.05]


def test_the_reads_follow_the_schedule_and_the_last_one_comes_exactly_at_the_timeout():
    clock = FakeTime()
    script = StatusScript(clock, [job(40, "Connect to host")] * 50)
    with pytest.raises(SmtpTestError, match="did not finish"):
        wait_for_job(parsed(job(5, "Setup tenant")), script, 3, 1.0, started=clock.now,
                     clock=clock.monotonic, sleep=clock.sleep)
    offsets = [round(read - 100.0, 6) for read in script.read_at]
    assert offsets == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.3, 2.75, 3.0])


# --- job states ---

def test_operation_keeps_the_five_documented_keys_with_their_types():
    operation = operation_from({"id": JOB, "completed": True, "percents": "100", "status": "Send test message",
                                "error": "", "extra": 1})
    assert operation == {"id": JOB, "completed": True, "percents": 100, "status": "Send test message", "error": ""}


@pytest.mark.parametrize("response", [None, {}, [], {"completed": True}])
def test_an_empty_status_means_no_job(response):
    assert operation_from(response) is None


def test_a_missing_error_is_an_empty_string():
    assert parsed({"id": JOB, "completed": False, "percents": 20})["error"] == ""


def test_a_completed_job_without_error_is_the_result():
    operation = parsed(job(100, "Send test message", completed=True))
    assert finished(operation) is operation


def test_a_failed_job_names_the_step_the_percents_and_the_error_text():
    operation = parsed(job(60, "Authenticate", True, "5.7.8 Error: authentication failed"))
    with pytest.raises(SmtpTestError) as caught:
        finished(operation)
    assert str(caught.value) == ("The SMTP test failed at step 'Authenticate' (60 %): "
                                 "5.7.8 Error: authentication failed")
    assert caught.value.operation == operation


def test_a_job_that_failed_before_its_first_step_says_so():
    with pytest.raises(SmtpTestError, match=r"failed before its first step \(0 %\): No permissions"):
        finished(parsed(job(0, "", True, "No permissions to perform this action")))


# --- waiting ---

def test_success_returns_the_single_completed_read_and_reads_no_more():
    clock = FakeTime()
    done = job(100, "Send test message", completed=True)
    result, script = wait(clock, [job(40, "Connect to host"), done])
    assert result == operation_from(done)
    assert script.read_at == pytest.approx([100.2, 100.4])
    assert clock.sleeps == pytest.approx([0.2, 0.2])


def test_a_failure_seen_while_waiting_fails_with_the_step():
    clock = FakeTime()
    with pytest.raises(SmtpTestError, match=r"at step 'Connect to host' \(40 %\): Connection refused") as caught:
        wait(clock, [job(40, "Connect to host", True, "Connection refused")])
    assert present(caught.value.operation)["completed"] is True


def test_a_job_already_completed_in_the_trigger_answer_is_not_read_again():
    clock = FakeTime()
    result, script = wait(clock, [], first=job(100, "Send test message", completed=True))
    assert result["percents"] == 100
    assert not script.read_at and not clock.sleeps


def test_an_empty_status_while_waiting_means_the_job_vanished():
    clock = FakeTime()
    with pytest.raises(SmtpTestError) as caught:
        wait(clock, [job(20, "Create mime message"), None])
    message = str(caught.value)
    assert f"job {JOB} vanished" in message
    assert "found no job" in message and "step 'Create mime message' (20 %)" in message
    assert present(caught.value.operation)["percents"] == 20


def test_a_vanished_job_names_both_causes():
    clock = FakeTime()
    with pytest.raises(SmtpTestError) as caught:
        wait(clock, [None])
    assert "another client (an admin in the web UI, a parallel task) read the result first" in str(caught.value)
    assert "its state had not changed for 60 s" in str(caught.value)


def test_a_job_still_queued_at_the_timeout_says_it_was_queued():
    clock = FakeTime()
    with pytest.raises(SmtpTestError) as caught:
        wait(clock, itertools.repeat(job(0, ""), 20), timeout=3)
    assert "it was still queued" in str(caught.value) and "one SMTP test at a time" in str(caught.value)


@pytest.mark.parametrize("percents, cancelled", [(99, True), (100, False)])
def test_a_completed_job_below_100_percent_was_cancelled_at_100_it_passed(percents, cancelled):
    operation = parsed(job(percents, "Send test message", completed=True))
    if cancelled:
        with pytest.raises(SmtpTestError, match="was cancelled on the server"):
            finished(operation)
    else:
        assert finished(operation) == operation


@pytest.mark.parametrize("percents, status, waiting", [(0, "", True), (0, "Setup tenant", False), (5, "", False)])
def test_a_job_is_queued_until_it_has_a_step_or_progress(percents, status, waiting):
    assert _smtp_test.queued(parsed(job(percents, status))) is waiting


@pytest.mark.parametrize("completed, percents, seen", [
    (True, "40", (True, 40)), (1, None, (False, 0)), ("true", "abc", (False, 0)), (False, [5], (False, 0))])
def test_a_job_state_is_read_as_docspace_types_it(completed, percents, seen):
    """completed must be JSON true; percents a whole number, else 0 (a hostile answer fails nothing here)."""
    operation = parsed({"id": JOB, "completed": completed, "percents": percents, "status": "", "error": ""})
    assert (operation["completed"], operation["percents"]) == seen


def test_a_completed_job_without_error_below_100_percent_was_cancelled():
    operation = parsed(job(40, "Connect to host", completed=True))
    with pytest.raises(SmtpTestError, match=r"was cancelled on the server at step 'Connect to host' \(40 %\)"):
        finished(operation)


@pytest.mark.parametrize("error, advice", [
    # As DocSpace stores a refused login: MailKit's message, without the reply code.
    ("5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
     "Microsoft 365 refused basic authentication (SMTP AUTH with a user name and password) for this tenant"),
    ("5.7.30 Basic authentication is not supported for Client Submission.",
     "Microsoft 365 refused basic authentication"),
    ("5.7.9 Application-specific password required.", "Gmail accepts only an app password here"),
    ("530 5.7.0 Must issue a STARTTLS command first", "the relay requires TLS: set enable_ssl: true"),
    ("535: 5.7.8 Authentication credentials invalid", "the relay rejected the user name or password"),
    ("554 5.7.1 Sender address rejected: not verified", "the relay refused the sender"),
    ("Connection refused", "nothing accepts connections at that host and port"),
    ("The operation has timed out.", "the relay did not answer in time"),
    ("Name or service not known", "the DocSpace server cannot resolve the relay's name: check the spelling of host"),
    ("No such host is known.", "the DocSpace server cannot resolve the relay's name"),
    ("nodename nor servname provided, or not known", "the DocSpace server cannot resolve the relay's name"),
    ("The remote certificate was rejected by the provided RemoteCertificateValidationCallback: "
     "RemoteCertificateNameMismatch", "the relay's certificate is issued for another name than host"),
    ("An error occurred while attempting to establish an SSL or TLS connection. The SSL certificate presented by "
     "the server is not trusted by the system: the server is using a self-signed certificate.",
     "the DocSpace server does not trust the relay's certificate, or it does not match host"),
    ("The remote certificate is invalid according to the validation procedure: SslPolicyErrors "
     "RemoteCertificateChainErrors", "the DocSpace server does not trust the relay's certificate"),
])
def test_known_smtp_answers_get_advice(error, advice):
    failure = _smtp_test.SmtpTestFailed("The SMTP test failed", operation_from(job(60, "Send test message", True, error)))
    message = _smtp_test.explain_failure(failure, None)
    assert message.startswith("The SMTP test failed. " + advice[0].upper() + advice[1:])


@pytest.mark.parametrize("error", ["5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled",
                                   "5.7.30 Basic authentication is not supported for Client Submission."])
def test_microsoft_365_refusing_basic_auth_names_the_relays_that_work_with_docspace(error):
    failure = _smtp_test.SmtpTestFailed("The SMTP test failed", operation_from(job(60, "Authenticate", True, error)))
    message = _smtp_test.explain_failure(failure, None)
    assert _advisories.ADVISORIES_BY_ID["microsoft-365-basic-auth"].advice in message
    assert "the relay rejected the user name or password" not in message.lower()
    assert "corrected password" not in message  # no password would help


@pytest.mark.parametrize("status", ["Connect to host", "Send test message"])
def test_only_a_failed_login_gets_the_password_advice(status):
    failure = _smtp_test.SmtpTestFailed("x", operation_from(job(60, status, True, "535 5.7.8 bad")))
    assert "corrected password" not in _smtp_test.explain_failure(failure, None)


def test_a_failed_login_says_how_a_corrected_password_reaches_the_portal():
    failure = _smtp_test.SmtpTestFailed("x", operation_from(job(60, "Authenticate", True, "535 5.7.8 bad")))
    assert "save them once with update_password: always" in _smtp_test.explain_failure(failure, None)


@pytest.mark.parametrize("settings, relay", [
    ({"host": "mx.test", "port": 465, "enable_ssl": True, "enable_auth": False}, "relay mx.test:465 (implicit TLS, no login)"),
    ({"host": "mx.test", "port": 587, "enable_ssl": True, "enable_auth": True, "username": "u@x.test"},
     "relay mx.test:587 (STARTTLS when the relay offers it, login u@x.test)"),
    ({"host": "mx.test", "port": 465, "enable_ssl": False, "enable_auth": False}, "relay mx.test:465 (no TLS, no login)"),
    ({"host": "mx.test", "port": 25, "enable_ssl": True, "enable_auth": False},
     "relay mx.test:25 (STARTTLS when the relay offers it, no login)"),
    ({"host": "mx.test", "port": 25, "is_default": True}, "the installation default relay mx.test:25"),
    ({"host": None, "is_default": True}, "the installation's own mail configuration"),
])
def test_the_relay_is_described_as_docspace_applies_it(settings, relay):
    assert relay in _smtp_test.describe_relay(settings)


@pytest.mark.parametrize("other", ["other-job", "000-sorts-before"])
def test_another_job_in_the_status_means_ours_vanished(other):
    clock = FakeTime()
    with pytest.raises(SmtpTestError, match=f"{JOB} vanished.*another job, {other}"):
        wait(clock, [job(10, "Setup user", job_id=other)])


def test_the_timeout_names_the_job_and_its_last_progress():
    clock = FakeTime()
    with pytest.raises(SmtpTestError) as caught:
        wait(clock, itertools.repeat(job(40, "Connect to host"), 20), timeout=3)
    assert str(caught.value).startswith(f"The SMTP test job {JOB} did not finish within wait_timeout (3 s); "
                                        "last progress: step 'Connect to host' (40 %).")
    assert clock.now == pytest.approx(103.0)


def test_the_last_pause_is_cut_so_the_wait_ends_within_timeout_plus_one_read():
    clock = FakeTime(read_seconds=0.4)
    with pytest.raises(SmtpTestError, match="did not finish"):
        wait(clock, itertools.repeat(job(40, "Connect to host"), 50), timeout=5, poll_interval=2.0)
    assert clock.now - 100.0 <= 5 + 0.4 + 1e-9
    assert all(pause <= 2.0 for pause in clock.sleeps)


def test_reads_follow_the_schedule_when_they_take_no_time():
    clock = FakeTime()
    with pytest.raises(SmtpTestError, match="did not finish"):
        wait(clock, itertools.repeat(job(40, "Connect to host"), 50), timeout=3)
    assert clock.sleeps == pytest.approx([0.2] * 10 + [0.3, 0.45, 0.25])


def test_a_zero_timeout_gives_up_without_a_read():
    clock = FakeTime()
    with pytest.raises(SmtpTestError, match=r"within wait_timeout \(0 s\)"):
        wait(clock, [], timeout=0)
    assert not clock.sleeps


def test_advice_from_the_tables_is_worded_in_the_names_in_force_when_it_is_shown():
    # The tables are built at import; a later module run in the same worker may name the options otherwise.
    failure = _smtp_test.SmtpTestFailed("x", operation_from(job(60, "Authenticate", True, "530 must issue a STARTTLS")))
    _names.use({"enable_ssl": "docspace_smtp_enable_ssl", "update_password": "docspace_smtp_update_password"})
    try:
        message = _smtp_test.explain_failure(failure, None)
    finally:
        _names.use(None)
    assert "set docspace_smtp_enable_ssl: true" in message
    assert "save them once with docspace_smtp_update_password: always" in message
    assert "set enable_ssl: true" in _smtp_test.explain_failure(failure, None)
