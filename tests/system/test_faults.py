# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Faults on the wire, measured with real ansible-playbook runs against the emulator.

Each row of CASES is one task on its own portal, with fault rules injected before the run:
  name | task | faults | expected outcome | requests the portal received | words the failure message holds.
Tasks: read (smtp_settings_info), save and reset (smtp_settings present/absent on a portal holding
PREVIOUS settings), test (smtp_test), and "login" variants that authenticate with auth_username.
The client retries 3 times, pausing 0.5 s, 1 s, 2 s (or Retry-After when longer); the test trigger never.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import (LOGIN_PATH, SETTINGS_PATH, SMTP_PASSWORD, STATUS_PATH, TEST_PATH, TableRun, connection,
                      request_counts, run_table)

READ, SAVE, RESET, TEST, LOGIN_READ, LOGIN_TEST = "read", "save", "reset", "test", "login read", "login test"
OK, FAILED = "ok", "failed"
FOREVER = None  # a fault rule without a count stays until the portal is reset
PAUSE_SLACK = 1.5  # seconds of request handling on top of the client's pauses, between first and last request
TASK_SLACK = 12.0  # seconds a task may take on top of pauses and timeouts: module start-up on a loaded machine

GET_SETTINGS, POST_SETTINGS, DELETE_SETTINGS = f"GET {SETTINGS_PATH}", f"POST {SETTINGS_PATH}", f"DELETE {SETTINGS_PATH}"
TRIGGER, STATUS, LOGIN = f"GET {TEST_PATH}", f"GET {STATUS_PATH}", f"POST {LOGIN_PATH}"

# What the save and reset cases find on their portal; a failed task must leave exactly this behind.
PREVIOUS = {"host": "smtp.previous.test", "port": 25, "senderAddress": "old@previous.test",
            "senderDisplayName": "Previous", "enableSSL": False, "useNtlm": False}
# What the save cases ask for.
DESIRED = {"host": "smtp.desired.test", "port": 587, "sender_address": "noreply@desired.test",
           "sender_display_name": "Desired", "enable_ssl": True, "username": "mailer@desired.test",
           "password": SMTP_PASSWORD}


def fault(request: str, kind: str, count: int | None = 1, **rule: Any) -> dict[str, Any]:
    """A fault rule for "METHOD path"."""
    method, path = request.split(" ", 1)
    return {"method": method, "path": path, "kind": kind, "count": count, **rule}


def status(request: str, code: int, count: int | None = 1) -> dict[str, Any]:
    """Answer with HTTP code and DocSpace's error envelope."""
    return fault(request, "status", count, status=code)


def retry_after(request: str, count: int | None = 1) -> dict[str, Any]:
    """Answer 429 with Retry-After: 1 and no body, like DocSpace's rate limiter."""
    return fault(request, "retry_after", count, retry_after=1)


def drop(request: str, count: int | None = 1, after_effect: bool = False) -> dict[str, Any]:
    """Close the connection without an answer (optionally after the request took effect)."""
    return fault(request, "drop", count, process=after_effect)


@dataclass(frozen=True)
class Case:
    """One row: what is done, what goes wrong, and what must come out."""

    name: str
    task: str
    faults: tuple[dict[str, Any], ...]
    outcome: str
    requests: dict[str, int]
    message: tuple[str, ...] = ()
    pauses: float = 0.0
    min_seconds: float = 0.0
    options: dict[str, Any] = field(default_factory=dict)
    check_state: bool = True


CASES = [
    # --- transient faults: retried within the bound, the task succeeds -----------------------------------
    Case("read: GET 503 once", READ, (status(GET_SETTINGS, 503),), OK, {GET_SETTINGS: 2}, pauses=0.5),
    Case("read: GET 502 twice", READ, (status(GET_SETTINGS, 502, 2),), OK, {GET_SETTINGS: 3}, pauses=1.5),
    Case("read: GET 504 once", READ, (status(GET_SETTINGS, 504),), OK, {GET_SETTINGS: 2}, pauses=0.5),
    Case("read: GET nginx 502 page once", READ, (fault(GET_SETTINGS, "html", status=502),), OK, {GET_SETTINGS: 2},
         pauses=0.5),
    Case("read: GET connection dropped once", READ, (drop(GET_SETTINGS),), OK, {GET_SETTINGS: 2}, pauses=0.5),
    Case("read: GET 429 Retry-After 1 once", READ, (retry_after(GET_SETTINGS),), OK, {GET_SETTINGS: 2}, pauses=1.0),
    Case("save: GET 503 twice before the save", SAVE, (status(GET_SETTINGS, 503, 2),), OK,
         {GET_SETTINGS: 3, POST_SETTINGS: 1}, pauses=1.5),
    Case("save: POST 503 once", SAVE, (status(POST_SETTINGS, 503),), OK, {GET_SETTINGS: 1, POST_SETTINGS: 2},
         pauses=0.5),
    Case("save: POST 502 twice", SAVE, (status(POST_SETTINGS, 502, 2),), OK, {GET_SETTINGS: 1, POST_SETTINGS: 3},
         pauses=1.5),
    Case("save: POST 504 after it took effect", SAVE, (fault(POST_SETTINGS, "status", status=504, process=True),),
         OK, {GET_SETTINGS: 1, POST_SETTINGS: 2}, pauses=0.5),
    Case("save: POST connection dropped once", SAVE, (drop(POST_SETTINGS),), OK, {GET_SETTINGS: 1, POST_SETTINGS: 2},
         pauses=0.5),
    Case("save: POST dropped after it took effect", SAVE, (drop(POST_SETTINGS, after_effect=True),), OK,
         {GET_SETTINGS: 1, POST_SETTINGS: 2}, pauses=0.5),
    Case("save: POST 429 Retry-After 1 once", SAVE, (retry_after(POST_SETTINGS),), OK,
         {GET_SETTINGS: 1, POST_SETTINGS: 2}, pauses=1.0),
    Case("save: 503 on GET and on POST", SAVE, (status(GET_SETTINGS, 503), status(POST_SETTINGS, 503)), OK,
         {GET_SETTINGS: 2, POST_SETTINGS: 2}, pauses=1.0),
    Case("reset: DELETE 503 once", RESET, (status(DELETE_SETTINGS, 503),), OK, {GET_SETTINGS: 1, DELETE_SETTINGS: 2},
         pauses=0.5),
    Case("reset: DELETE 504 twice", RESET, (status(DELETE_SETTINGS, 504, 2),), OK,
         {GET_SETTINGS: 1, DELETE_SETTINGS: 3}, pauses=1.5),
    Case("reset: DELETE connection dropped once", RESET, (drop(DELETE_SETTINGS),), OK,
         {GET_SETTINGS: 1, DELETE_SETTINGS: 2}, pauses=0.5),
    Case("reset: DELETE 429 Retry-After 1 once", RESET, (retry_after(DELETE_SETTINGS),), OK,
         {GET_SETTINGS: 1, DELETE_SETTINGS: 2}, pauses=1.0),
    Case("login read: login 503 once", LOGIN_READ, (status(LOGIN, 503),), OK, {LOGIN: 2, GET_SETTINGS: 1},
         pauses=0.5),
    Case("login read: login dropped once", LOGIN_READ, (drop(LOGIN),), OK, {LOGIN: 2, GET_SETTINGS: 1}, pauses=0.5),

    # --- persistent faults: the task fails after the bound, in bounded time, naming what failed ------------
    Case("read: GET 503 forever", READ, (status(GET_SETTINGS, 503, FOREVER),), FAILED, {GET_SETTINGS: 4},
         ("GET", SETTINGS_PATH, "HTTP 503", "Service Unavailable"), pauses=3.5),
    Case("read: GET dropped forever", READ, (drop(GET_SETTINGS, FOREVER),), FAILED, {GET_SETTINGS: 4},
         ("GET", SETTINGS_PATH, "the connection was reset or closed by the server"), pauses=3.5),
    Case("read: GET 500 once is not retried", READ, (status(GET_SETTINGS, 500),), FAILED, {GET_SETTINGS: 1},
         ("GET", SETTINGS_PATH, "HTTP 500", "Internal Server Error")),
    Case("save: GET 503 forever, nothing saved", SAVE, (status(GET_SETTINGS, 503, FOREVER),), FAILED,
         {GET_SETTINGS: 4}, ("GET", SETTINGS_PATH, "HTTP 503"), pauses=3.5),
    Case("save: POST 502 forever", SAVE, (status(POST_SETTINGS, 502, FOREVER),), FAILED,
         {GET_SETTINGS: 1, POST_SETTINGS: 4}, ("POST", SETTINGS_PATH, "HTTP 502", "Bad Gateway"), pauses=3.5),
    Case("save: POST 429 forever", SAVE, (retry_after(POST_SETTINGS, FOREVER),), FAILED,
         {GET_SETTINGS: 1, POST_SETTINGS: 4}, ("POST", SETTINGS_PATH, "HTTP 429", "Retry-After: 1"), pauses=4.0),
    Case("reset: DELETE 504 forever", RESET, (status(DELETE_SETTINGS, 504, FOREVER),), FAILED,
         {GET_SETTINGS: 1, DELETE_SETTINGS: 4}, ("DELETE", SETTINGS_PATH, "HTTP 504", "Gateway Timeout"), pauses=3.5),
    Case("login read: login 502 forever", LOGIN_READ, (status(LOGIN, 502, FOREVER),), FAILED, {LOGIN: 4},
         ("POST", LOGIN_PATH, "HTTP 502"), pauses=3.5),

    # --- slow, malformed, HTML and empty answers: a clear failure, never just a traceback -------------------
    Case("read: GET slower than timeout", READ, (fault(GET_SETTINGS, "delay", delay=4),), FAILED, {GET_SETTINGS: 1},
         ("GET", SETTINGS_PATH, "no answer within 1 s (timeout)"), options={"timeout": 1}, min_seconds=1.0),
    Case("save: POST slower than timeout", SAVE, (fault(POST_SETTINGS, "delay", delay=4),), FAILED,
         {GET_SETTINGS: 1, POST_SETTINGS: 1}, ("POST", SETTINGS_PATH, "no answer within 2 s (timeout)"), options={"timeout": 2},
         min_seconds=2.0, check_state=False),
    Case("read: malformed JSON", READ, (fault(GET_SETTINGS, "malformed_json"),), FAILED, {GET_SETTINGS: 1},
         ("GET", SETTINGS_PATH, "HTTP 200", "not JSON")),
    Case("save: POST answers malformed JSON", SAVE, (fault(POST_SETTINGS, "malformed_json"),), FAILED,
         {GET_SETTINGS: 1, POST_SETTINGS: 1}, ("POST", SETTINGS_PATH, "not JSON"), check_state=False),
    Case("read: HTML error page 500", READ, (fault(GET_SETTINGS, "html", status=500),), FAILED, {GET_SETTINGS: 1},
         ("GET", SETTINGS_PATH, "HTTP 500", "an HTML page")),
    Case("read: HTML 404 page", READ, (fault(GET_SETTINGS, "html", status=404),), FAILED, {GET_SETTINGS: 1},
         ("GET", SETTINGS_PATH, "HTTP 404", "base_url")),
    Case("read: nginx 502 page forever", READ, (fault(GET_SETTINGS, "html", FOREVER, status=502),), FAILED,
         {GET_SETTINGS: 4}, ("GET", SETTINGS_PATH, "HTTP 502", "an HTML page"), pauses=3.5),
    Case("read: empty body", READ, (fault(GET_SETTINGS, "empty_body"),), FAILED, {GET_SETTINGS: 1},
         ("GET", SETTINGS_PATH, "HTTP 200", "empty body")),
    Case("reset: DELETE answers an empty body", RESET, (fault(DELETE_SETTINGS, "empty_body"),), FAILED,
         {GET_SETTINGS: 1, DELETE_SETTINGS: 1}, ("DELETE", SETTINGS_PATH, "empty body"), check_state=False),

    # --- the test trigger is never retried, whatever happens ---------------------------------------------
    Case("test: no fault", TEST, (), OK, {TRIGGER: 1}),
    Case("test: trigger 503 once", TEST, (status(TRIGGER, 503),), FAILED, {TRIGGER: 1}, ("GET", TEST_PATH, "HTTP 503")),
    Case("test: trigger 502 three times", TEST, (status(TRIGGER, 502, 3),), FAILED, {TRIGGER: 1},
         ("GET", TEST_PATH, "HTTP 502")),
    Case("test: trigger 504 once", TEST, (status(TRIGGER, 504),), FAILED, {TRIGGER: 1}, ("GET", TEST_PATH, "HTTP 504")),
    Case("test: trigger nginx 502 page", TEST, (fault(TRIGGER, "html", status=502),), FAILED, {TRIGGER: 1},
         ("GET", TEST_PATH, "HTTP 502")),
    Case("test: trigger dropped", TEST, (drop(TRIGGER),), FAILED, {TRIGGER: 1}, ("GET", TEST_PATH, "the connection was reset or closed by the server")),
    Case("test: trigger dropped after the job started", TEST, (drop(TRIGGER, after_effect=True),), FAILED,
         {TRIGGER: 1}, ("GET", TEST_PATH, "the connection was reset or closed by the server")),
    Case("test: trigger 429 Retry-After 1", TEST, (retry_after(TRIGGER),), FAILED, {TRIGGER: 1},
         ("GET", TEST_PATH, "HTTP 429", "Retry-After")),
    Case("test: trigger slower than timeout", TEST, (fault(TRIGGER, "delay", delay=4),), FAILED, {TRIGGER: 1},
         ("GET", TEST_PATH, "no answer within 1 s (timeout)"), options={"timeout": 1}, min_seconds=1.0),
    Case("test: trigger answers malformed JSON", TEST, (fault(TRIGGER, "malformed_json"),), FAILED, {TRIGGER: 1},
         ("GET", TEST_PATH, "not JSON")),
    Case("test: status read 503 once (reads are retried)", TEST, (status(STATUS, 503),), OK, {TRIGGER: 1}),
    Case("test: status read dropped once", TEST, (drop(STATUS),), OK, {TRIGGER: 1}),
    Case("login test: login 503 once, trigger once", LOGIN_TEST, (status(LOGIN, 503),), OK, {LOGIN: 2, TRIGGER: 1}),
]
BY_NAME = {case.name: case for case in CASES}


def _prepare(name: str, portal: Any) -> None:
    case = BY_NAME[name]
    if case.task in (SAVE, RESET):
        portal.set_settings(PREVIOUS)
    if case.task in (TEST, LOGIN_TEST):
        # Keep the job running for a moment so that its status is read (and the status faults are met).
        portal.configure(job_step_delay=0.05)
    for rule in case.faults:
        portal.add_fault(rule)


def _tasks(name: str, portal: Any) -> list[dict[str, Any]]:
    case = BY_NAME[name]
    login = case.task.startswith("login")
    options = connection(portal, "login" if login else "api_key")
    if case.task in (READ, LOGIN_READ):
        module, args = "onlyoffice.docspace.smtp_settings_info", {}
    elif case.task == SAVE:
        module, args = "onlyoffice.docspace.smtp_settings", dict(DESIRED)
    elif case.task == RESET:
        module, args = "onlyoffice.docspace.smtp_settings", {"state": "absent"}
    else:
        module, args = "onlyoffice.docspace.smtp_test", {"wait_timeout": 30, "poll_interval": 0.2}
    return [{"name": name, module: {**options, **args, **case.options}, "ignore_errors": True}]


@pytest.fixture(scope="module")
def fault_runs(emulator: Any) -> TableRun:
    """Run the whole table once (three playbooks side by side); the tests below judge one case each."""
    return run_table(emulator, [case.name for case in CASES], _prepare, _tasks, chunks=3)


def _span(portal: Any) -> float:
    """Seconds from the first to the last request the portal logged."""
    times = [record["time"] for record in portal.requests()]
    return max(times) - min(times)


def _stored(portal: Any) -> dict[str, Any] | None:
    return portal.stored_settings()


def _expected_state(case: Case) -> Any:
    """What the portal must store after the case: the new settings, the previous ones, or the default."""
    if case.task == SAVE:
        wanted = PREVIOUS if case.outcome == FAILED else {
            "host": DESIRED["host"], "port": DESIRED["port"], "senderAddress": DESIRED["sender_address"],
            "senderDisplayName": DESIRED["sender_display_name"], "enableSSL": True,
            "credentialsUserName": DESIRED["username"]}
        return wanted
    if case.task == RESET:
        return PREVIOUS if case.outcome == FAILED else None
    return "unchanged"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_fault(case: Case, fault_runs: TableRun) -> None:  # pylint: disable=redefined-outer-name
    """The case's outcome, request log, timing, message and the portal's final settings."""
    record = fault_runs.entry(case.name)
    result, portal = record["result"], fault_runs.portals[case.name]
    assert record["status"] == case.outcome, result.get("msg")
    # Delayed requests are logged only when answered, after the client gave up.
    delays = [rule["delay"] for rule in case.faults if rule["kind"] == "delay"]
    counts = request_counts(portal, case.requests, within=max(delays) + 3) if delays else request_counts(portal)
    watched = {key: counts.get(key, 0) for key in case.requests}
    assert watched == case.requests, counts
    # Nothing else than the case's own requests: no stray write, no second trigger.
    assert set(counts) <= set(case.requests) | {GET_SETTINGS, STATUS}, counts
    # The client's pauses, read off the portal's clock: the retries are bounded in number and in time.
    # (Ansible's own start-up, about a second a task and more under load, is given a generous allowance.)
    if case.pauses:
        assert case.pauses <= _span(portal) <= case.pauses + PAUSE_SLACK, _span(portal)
    assert case.min_seconds <= record["seconds"] <= case.pauses + case.min_seconds + TASK_SLACK, record["seconds"]
    if case.outcome == FAILED:
        message = result["msg"]
        assert "Traceback" not in message and "MODULE FAILURE" not in message, message
        assert "module_stderr" not in result, result
        for words in case.message:
            assert words in message, message
    else:
        assert not [rule for rule in portal.list_faults() if rule["count"] is not None], "a fault was not met"
    if case.task in (SAVE, RESET) and case.check_state:
        stored = _stored(portal)
        wanted = _expected_state(case)
        if wanted is None:
            assert stored is None
        else:
            assert stored is not None
            assert {key: stored.get(key) for key in wanted} == wanted
            if case.task == SAVE and case.outcome == OK:
                assert stored["password_set"] and result["changed"]


def test_fault_figures(fault_runs: TableRun) -> None:  # pylint: disable=redefined-outer-name
    """Every faulted case meant to succeed did; prints the table's figures for the report."""
    injected = sum(sum(1 if rule["count"] is None else rule["count"] for rule in case.faults) for case in CASES)
    meant_to_survive = [case.name for case in CASES if case.outcome == OK and case.faults]
    survived = [name for name in meant_to_survive if fault_runs.entry(name)["status"] == OK]
    print(f"\nfault table: {len(CASES)} cases, {injected} finite fault answers injected (+ persistent ones), "
          f"{len(survived)} of {len(meant_to_survive)} faulted tasks succeeded")
    assert meant_to_survive and survived == meant_to_survive
