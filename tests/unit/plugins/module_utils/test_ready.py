# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Waiting for a portal that is still starting (ready_timeout): what waits, what fails at once, the deadline."""

from __future__ import annotations

import itertools
import socket

import pytest
import requests

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _ready
from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import VERSION_PATH, DocSpaceClient
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import (
    DocSpaceAuthError, DocSpaceError, DocSpaceTransportError)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import (
    Call, FakeResponse, ScriptedSession, envelope, error_reply)

SETTINGS_PATH = "/api/2.0/smtpsettings/smtp"
API_KEY = "sk-ready-key-0001"
SETTINGS = envelope({"host": "relay.example.com", "port": 25, "isDefaultSettings": False})
VERSION = envelope({"docSpace": "3.7.2.1234"})
REFUSED = requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
# The router's error page while a service starts (DocSpace-buildtools config/nginx/html/custom_50x.html).
ERROR_PAGE = FakeResponse(502, "<!DOCTYPE html><html><head><title>500 Error Page</title></head></html>",
                          {"Content-Type": "text/html"})
START_PAGE = FakeResponse(200, "<!DOCTYPE html><html><head><title>ONLYOFFICE</title></head></html>",
                          {"Content-Type": "text/html; charset=utf-8"})


class Clock:
    """time.monotonic and time.sleep for the client: a sleep moves the clock, and each is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client(calls: list[Call], ready_timeout: float, clock: Clock) -> tuple[DocSpaceClient, ScriptedSession]:
    session = ScriptedSession(calls)
    return DocSpaceClient("https://docs.example.com", api_key=API_KEY, session=session, sleep=clock.sleep,
                          clock=clock, ready_timeout=ready_timeout), session


def test_no_wait_asked_for_sends_no_extra_request():
    clock = Clock()
    docspace, _session = client([Call("GET", SETTINGS_PATH, SETTINGS)], 0, clock)
    docspace.get(SETTINGS_PATH)
    assert docspace.ready_after is None and clock.sleeps == []


def test_a_starting_portal_is_polled_without_credentials_until_the_api_answers():
    clock = Clock()
    calls = [Call("GET", VERSION_PATH, REFUSED), Call("GET", VERSION_PATH, REFUSED), Call("GET", VERSION_PATH, ERROR_PAGE),
             Call("GET", VERSION_PATH, START_PAGE), Call("GET", VERSION_PATH, VERSION),
             Call("GET", SETTINGS_PATH, SETTINGS, headers={"Authorization": f"Bearer {API_KEY}"})]
    docspace, session = client(calls, 60, clock)
    docspace.get(SETTINGS_PATH)
    assert clock.sleeps == [1.0, 1.5, 2.25, 3.375]
    assert docspace.ready_after == pytest.approx(sum(clock.sleeps))
    polls = [request for request in session.seen if request["path"] == VERSION_PATH]
    assert len(polls) == 5 and not any("Authorization" in request["headers"] for request in polls)


def test_the_wait_happens_once_per_task():
    clock = Clock()
    calls = [Call("GET", VERSION_PATH, VERSION), Call("GET", SETTINGS_PATH, SETTINGS), Call("GET", SETTINGS_PATH, SETTINGS)]
    docspace, _session = client(calls, 60, clock)
    docspace.get(SETTINGS_PATH)
    docspace.get(SETTINGS_PATH)
    assert docspace.ready_after == 0


@pytest.mark.parametrize("answer, error", [
    (error_reply(401, "Unauthorized"), DocSpaceAuthError),
    (error_reply(403, "Access denied"), DocSpaceAuthError),
    (FakeResponse(402, ""), DocSpaceAuthError),
    (FakeResponse(404, "<html><title>404</title></html>", {"Content-Type": "text/html"}), DocSpaceError),
    (requests.exceptions.ConnectionError(socket.gaierror(-2, "Name or service not known")), DocSpaceTransportError),
    (requests.exceptions.SSLError("certificate verify failed"), DocSpaceTransportError),
], ids=["401", "403", "402", "404", "name does not resolve", "TLS"])
def test_an_answer_that_waiting_cannot_mend_fails_at_once(answer, error):
    clock = Clock()
    docspace, _session = client([Call("GET", VERSION_PATH, answer)], 300, clock)
    with pytest.raises(error) as caught:
        docspace.get(SETTINGS_PATH)
    assert clock.sleeps == [] and "did not become ready" not in str(caught.value)


def test_when_the_time_runs_out_the_failure_says_how_long_and_the_last_answer():
    clock = Clock()
    # 1 + 1.5 + 2.25 = 4.75 s of pauses, then the last 0.25 s: five polls, the last one after the deadline.
    calls = [Call("GET", VERSION_PATH, REFUSED)] * 2 + [Call("GET", VERSION_PATH, ERROR_PAGE)] * 3
    docspace, _session = client(calls, 5, clock)
    with pytest.raises(DocSpaceTransportError) as caught:
        docspace.get(SETTINGS_PATH)
    assert clock.sleeps == [1.0, 1.5, 2.25, 0.25]
    assert str(caught.value) == ("the portal did not become ready within 5 s: HTTP 502 from the proxy in front of "
                                 "DocSpace (its error page) at https://docs.example.com. If it is still starting, "
                                 "raise ready_timeout; otherwise check its services")
    assert caught.value.retryable is False


def test_a_refusal_as_the_last_answer_is_named_with_its_host_and_port():
    clock = Clock()
    docspace, _session = client([Call("GET", VERSION_PATH, REFUSED)] * 2, 1, clock)
    with pytest.raises(DocSpaceTransportError, match=r"within 1 s: connection refused by docs\.example\.com port 443 at "):
        docspace.get(SETTINGS_PATH)


@pytest.mark.parametrize("status, html, words", [
    (502, True, "HTTP 502 from the proxy in front of DocSpace (its error page)"),
    (503, False, "HTTP 503 from the proxy in front of DocSpace"),
    (504, False, "HTTP 504 from the proxy in front of DocSpace"),
    (200, True, "the web front end's start page (HTML) where the API should answer"),
    (200, False, None),
    (500, True, None),
    (401, False, None),
])
def test_which_answers_show_a_portal_that_is_starting(status, html, words):
    assert _ready.starting(status, html) == words


def test_the_pauses_grow_to_five_seconds_and_stay_there():
    assert list(itertools.islice(_ready.pauses(), 7)) == [1.0, 1.5, 2.25, 3.375, 5.0, 5.0, 5.0]


def test_a_negative_wait_is_refused_before_any_request():
    with pytest.raises(DocSpaceError, match="ready_timeout must be 0 or more seconds, not -1"):
        client([], -1, Clock())


@pytest.mark.parametrize("ready_timeout, advised", [(0, True), (30, False)])
def test_a_starting_portal_without_a_wait_names_ready_timeout(ready_timeout, advised):
    clock = Clock()
    calls = ([Call("GET", VERSION_PATH, VERSION)] if ready_timeout else []) + \
        [Call("GET", SETTINGS_PATH, FakeResponse(503, ""))] * 4
    docspace, _session = client(calls, ready_timeout, clock)
    with pytest.raises(DocSpaceError) as caught:
        docspace.get(SETTINGS_PATH)
    assert ("set ready_timeout to the seconds to wait for a portal that is starting" in str(caught.value)) is advised
