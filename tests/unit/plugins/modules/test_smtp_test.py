# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the smtp_test module: the HTTP conversation, results and failure messages."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_test
from ansible_collections.onlyoffice.docspace.plugins.modules import smtp_test
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import (
    Call,
    FakeResponse,
    ScriptedSession,
    envelope,
)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.module_runner import run_module

TRIGGER = "/api/2.0/smtpsettings/smtp/test"
STATUS = "/api/2.0/smtpsettings/smtp/test/status"
SETTINGS = "/api/2.0/smtpsettings/smtp"
STORED = {"host": "smtp.example.com", "port": 587, "senderAddress": "noreply@example.com",
          "senderDisplayName": "Example", "credentialsUserName": "mailer@example.com", "credentialsUserPassword": "",
          "enableSSL": True, "enableAuth": True, "useNtlm": False, "isDefaultSettings": False}
JOB = "3d0b1c52-8f0e-4d44-9a3b-0c4c2b9f7e10"
API_KEY = "sk-secret-key-123"
ARGS = {"base_url": "http://portal.test", "api_key": API_KEY}


def job(percents=0, status="", completed=False, error=""):
    """A job status DTO as DocSpace sends it."""
    return {"id": JOB, "completed": completed, "percents": percents, "status": status, "error": error}


class FakeTime:
    """Stands in for the time module of the module and of the waiting logic."""

    def __init__(self):
        self.now = 50.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture(name="clock")
def fixture_clock(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(smtp_test, "time", fake)
    monkeypatch.setattr(_smtp_test, "time", fake)
    return fake


def run(calls, monkeypatch, **args):
    """Run the module against a scripted conversation and check that every call was made."""
    session = ScriptedSession(calls) if calls is not None else None
    outcome = run_module(smtp_test.main, {**ARGS, **args}, session, monkeypatch)
    if session is not None:
        session.assert_done()
    # The client turns the session's "unexpected extra request" assertion into a failure message.
    assert "unexpected extra request" not in repr(outcome.result)
    assert API_KEY not in repr(outcome.result)
    return outcome


def test_success_waits_for_the_completed_read_and_returns_it(clock, monkeypatch):
    done = job(100, "Send test message", completed=True)
    outcome = run([Call("GET", TRIGGER, envelope(job(5, "Setup tenant")), headers={"Authorization": f"Bearer {API_KEY}"}),
                   Call("GET", STATUS, envelope(job(40, "Connect to host"))),
                   Call("GET", STATUS, envelope(job(80, "Send test message"))),
                   Call("GET", STATUS, envelope(done))], monkeypatch)
    assert not outcome.failed
    # The mail went out: the fact that the stored settings are untested is cleared for the portal.
    assert outcome.result == {"changed": False, "operation": done, "elapsed": 0.6,
                              "ansible_facts": {"docspace_smtp_untested": False}}
    assert clock.sleeps == pytest.approx([0.2, 0.2, 0.2])


def test_a_result_already_in_the_trigger_answer_is_kept_without_a_status_read(clock, monkeypatch):
    done = job(100, "Send test message", completed=True)
    outcome = run([Call("GET", TRIGGER, envelope(done))], monkeypatch)
    assert outcome.result["operation"] == done and not clock.sleeps


def test_a_failed_test_names_the_step_the_error_and_the_stored_relay(clock, monkeypatch):
    failed = job(40, "Connect to host", True, "Connection refused")
    outcome = run([Call("GET", TRIGGER, envelope(job(20, "Create mime message"))),
                   Call("GET", STATUS, envelope(failed)),
                   Call("GET", SETTINGS, envelope(STORED))], monkeypatch)
    assert outcome.failed
    assert outcome.result["msg"].startswith(
        "The SMTP test failed at step 'Connect to host' (40 %): Connection refused. DocSpace used the relay "
        "smtp.example.com:587 (STARTTLS when the relay offers it, login mailer@example.com); these settings are "
        "stored on the portal. Nothing accepts connections at that host and port")
    assert outcome.result["operation"] == failed


def test_a_failed_test_still_fails_with_its_own_message_when_the_settings_cannot_be_read(clock, monkeypatch):
    failed = job(40, "Connect to host", True, "Connection refused")
    outcome = run([Call("GET", TRIGGER, envelope(failed)), Call("GET", SETTINGS, FakeResponse(403, ""))],
                  monkeypatch)
    assert outcome.result["msg"].startswith("The SMTP test failed at step 'Connect to host' (40 %): "
                                            "Connection refused. Nothing accepts connections")


def test_a_cancelled_job_is_a_failure_that_says_so(clock, monkeypatch):
    cancelled = job(40, "Connect to host", completed=True)
    outcome = run([Call("GET", TRIGGER, envelope(job(20, "Create mime message"))),
                   Call("GET", STATUS, envelope(cancelled))], monkeypatch)
    assert outcome.failed
    assert outcome.result["msg"].startswith(
        f"The SMTP test job {JOB} was cancelled on the server at step 'Connect to host' (40 %)")
    assert outcome.result["operation"] == cancelled


def test_an_empty_status_fails_as_a_vanished_job(clock, monkeypatch):
    outcome = run([Call("GET", TRIGGER, envelope(job(10, "Setup user"))),
                   Call("GET", STATUS, envelope(None))], monkeypatch)
    assert outcome.failed
    assert f"The SMTP test job {JOB} vanished" in outcome.result["msg"]


def test_the_timeout_fails_with_the_job_id_and_last_progress(clock, monkeypatch):
    running = job(40, "Connect to host")
    calls = [Call("GET", TRIGGER, envelope(job(5, "Setup tenant")))]
    calls += [Call("GET", STATUS, envelope(running)) for _poll in range(13)]
    outcome = run(calls, monkeypatch, wait_timeout=3, poll_interval=0.5)
    assert outcome.failed
    assert outcome.result["msg"].startswith(f"The SMTP test job {JOB} did not finish within wait_timeout (3 s); "
                                            "last progress: step 'Connect to host' (40 %)")
    assert outcome.result["elapsed"] == 3.0
    # Ten quick reads, then pauses growing up to poll_interval, the last one cut at the timeout.
    assert clock.sleeps == pytest.approx([0.2] * 10 + [0.3, 0.45, 0.25])


def test_wait_false_returns_the_first_answer_without_polling(clock, monkeypatch):
    first = job(5, "Setup tenant")
    outcome = run([Call("GET", TRIGGER, envelope(first))], monkeypatch, wait=False)
    assert not outcome.failed
    assert outcome.result["operation"] == first and outcome.result["changed"] is False


def test_a_rate_limited_trigger_fails_with_retry_after_and_is_not_repeated(clock, monkeypatch):
    limited = FakeResponse(429, "", {"Retry-After": "540"})
    outcome = run([Call("GET", TRIGGER, limited)], monkeypatch)
    assert outcome.failed
    message = outcome.result["msg"]
    assert message == (f"The portal's rate limit was reached (HTTP 429 on GET {TRIGGER}; Retry-After: 540 s). Run "
                       "again after 540 s. DocSpace limits SMTP tests per user, and the test request is never repeated "
                       "automatically.")
    assert outcome.result["retry_after"] == "540"
    assert not clock.sleeps


def test_a_short_retry_after_on_the_trigger_is_not_waited_for_either(clock, monkeypatch):
    # A read would be repeated after a Retry-After of 2 s; the test request must not be.
    outcome = run([Call("GET", TRIGGER, FakeResponse(429, "", {"Retry-After": "2"}))], monkeypatch)
    assert outcome.failed and "Retry-After: 2 s" in outcome.result["msg"]
    assert not clock.sleeps


@pytest.mark.parametrize("reply", [FakeResponse(503, "busy"), FakeResponse(502, "<html>bad gateway</html>"),
                                   requests.exceptions.ConnectionError("connection reset by peer")])
def test_a_trigger_that_fails_in_transit_is_not_repeated(clock, monkeypatch, reply):
    outcome = run([Call("GET", TRIGGER, reply)], monkeypatch)
    assert outcome.failed and TRIGGER in outcome.result["msg"]
    assert outcome.result["operation"] is None


def test_a_status_read_is_repeated_on_a_passing_failure(clock, monkeypatch):
    monkeypatch.setattr(smtp_test.DocSpaceClient, "__init__", _no_sleep_init(smtp_test.DocSpaceClient.__init__))
    done = job(100, "Send test message", completed=True)
    outcome = run([Call("GET", TRIGGER, envelope(job(5, "Setup tenant"))),
                   Call("GET", STATUS, FakeResponse(502, "")),
                   Call("GET", STATUS, envelope(done))], monkeypatch)
    assert outcome.result["operation"] == done


def _no_sleep_init(original):
    """Wrap DocSpaceClient.__init__ so that its retry pauses do not really sleep."""
    def init(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "sleep": lambda _seconds: None})
    return init


def test_check_mode_sends_nothing(clock, monkeypatch):
    outcome = run(None, monkeypatch, _ansible_check_mode=True)
    assert outcome.result == {"changed": False, "operation": None, "elapsed": 0.0,
                              "msg": "check mode: no test mail sent"}


def test_check_mode_still_rejects_a_wrong_base_url(clock, monkeypatch):
    outcome = run(None, monkeypatch, _ansible_check_mode=True, base_url="ftp://portal.test")
    assert outcome.failed and "base_url" in outcome.result["msg"]


def test_timeout_is_the_http_timeout_as_in_every_module(clock, monkeypatch):
    session = ScriptedSession([Call("GET", TRIGGER, envelope(job(5, "Setup tenant")))])
    run_module(smtp_test.main, {**ARGS, "wait": False, "timeout": 7, "wait_timeout": 600}, session, monkeypatch)
    assert session.seen[0]["options"]["timeout"] == (7, 7)


def test_request_timeout_is_gone(clock, monkeypatch):
    outcome = run(None, monkeypatch, request_timeout=7)
    assert outcome.failed and "Unsupported parameters" in outcome.result["msg"]


@pytest.mark.parametrize("args, text", [({"wait_timeout": -1}, "wait_timeout must be 0 or more"),
                                        ({"poll_interval": 0}, "poll_interval must be more than 0"),
                                        ({"timeout": 0}, "timeout must be a positive number")])
def test_wrong_wait_options_fail_before_any_request(clock, monkeypatch, args, text):
    outcome = run(None, monkeypatch, **args)
    assert outcome.failed and text in outcome.result["msg"]


class SlowTrigger(ScriptedSession):
    """A portal that takes `seconds` of the fake clock to answer the test trigger."""

    def __init__(self, calls, clock, seconds):
        super().__init__(calls)
        self.clock, self.seconds = clock, seconds

    def request(self, method, url, headers=None, json=None, **options):  # pylint: disable=redefined-outer-name
        if url.endswith(TRIGGER):
            self.clock.now += self.seconds
        return super().request(method, url, headers=headers, json=json, **options)


def test_wait_timeout_counts_from_before_the_trigger(clock, monkeypatch):
    """A trigger that takes 4.75 s of a 5 s wait_timeout leaves 0.25 s for the status reads: two of them."""
    monkeypatch.setattr(clock, "sleep", lambda seconds: setattr(clock, "now", round(clock.now + seconds, 6)))
    running = job(40, "Connect to host")
    session = SlowTrigger([Call("GET", TRIGGER, envelope(job(5, "Setup tenant"))),
                           Call("GET", STATUS, envelope(running)), Call("GET", STATUS, envelope(running))],
                          clock, 4.75)
    outcome = run_module(smtp_test.main, {**ARGS, "wait_timeout": 5}, session, monkeypatch)
    assert outcome.failed and "did not finish within wait_timeout (5 s)" in outcome.result["msg"]
    assert clock.now == 55.0 and outcome.result["elapsed"] == 5.0
