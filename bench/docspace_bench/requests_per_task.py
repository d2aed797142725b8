# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Figure 1: API requests per task, read from the emulator's request log, against SPEC.md's minimums."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docspace_harness.emulator import EmulatorProcess, Portal, count_requests
from .fixtures import SETTINGS_PATH, connection, control_tasks, smtp_config, to_dto
from docspace_harness.playbook import Ansible

GET = f"GET {SETTINGS_PATH}"
POST = f"POST {SETTINGS_PATH}"
DELETE = f"DELETE {SETTINGS_PATH}"
LOGIN = "POST /api/2.0/authentication"
TRIGGER = f"GET {SETTINGS_PATH}/test"
STATUS = f"GET {SETTINGS_PATH}/test/status"


@dataclass
class Scenario:
    """One measured task: the stored state before it, the task, and the requests SPEC.md allows."""

    name: str
    stored: str | None  # None: installation default; "A"/"B": that configuration
    task: dict[str, Any]
    expected: dict[str, int] | None  # None: no fixed expectation (reported only)
    check_mode: bool = False
    note: str = ""
    stored_config: dict[str, Any] | None = None


def scenarios(info: dict[str, Any], portal: Portal) -> list[Scenario]:
    """Every case of SPEC.md's "Requests per task", plus the other modules and the role for context."""
    config = smtp_config(info, "A")
    key = connection(portal)
    login = {"base_url": portal.base_url, "auth_username": portal.admin_email, "auth_password": portal.admin_password}
    settings = "onlyoffice.docspace.smtp_settings"
    role_vars = {"docspace_base_url": portal.base_url, "docspace_api_key": portal.api_key,
                 **{f"docspace_smtp_{name}": value for name, value in config.items()}}
    role = {"ansible.builtin.include_role": {"name": "onlyoffice.docspace.smtp"}, "vars": role_vars}
    return [
        Scenario("smtp_settings unchanged", "A", {settings: {**key, **config}}, {GET: 1}),
        Scenario("smtp_settings changed", None, {settings: {**key, **config}}, {GET: 1, POST: 1}),
        Scenario("smtp_settings absent on a default portal", None, {settings: {**key, "state": "absent"}}, {GET: 1}),
        Scenario("smtp_settings reset (absent)", "A", {settings: {**key, "state": "absent"}}, {GET: 1, DELETE: 1}),
        Scenario("smtp_settings unchanged, login auth", "A", {settings: {**config, **login}},
                 {LOGIN: 1, GET: 1}, note="login adds one"),
        Scenario("smtp_settings changed, login auth", None, {settings: {**config, **login}},
                 {LOGIN: 1, GET: 1, POST: 1}, note="login adds one"),
        Scenario("smtp_settings changed, check mode", None, {settings: {**key, **config}}, {GET: 1}, check_mode=True),
        Scenario("smtp_settings reset, check mode", "A", {settings: {**key, "state": "absent"}}, {GET: 1}, check_mode=True),
        Scenario("smtp_settings_info", "A", {"onlyoffice.docspace.smtp_settings_info": key}, {GET: 1}),
        Scenario("smtp_test (job finishes at once)", "A", {"onlyoffice.docspace.smtp_test": key}, None,
                 note="1 trigger + status reads until completed"),
        Scenario("smtp_test, check mode", "A", {"onlyoffice.docspace.smtp_test": key}, {}, check_mode=True),
        Scenario("role smtp, unchanged (no test mail)", "A", role, {GET: 1}),
        Scenario("role smtp, changed (+ test mail)", None, role, None, note="GET + POST + test trigger + status reads"),
    ]


def _plays(portal: Portal, cases: list[Scenario]) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    for index, case in enumerate(cases):
        stored = to_dto(case.stored_config) if case.stored_config else None
        tasks += control_tasks(portal, f"setup {index}", reset=True, settings=stored, clear_log=True)
        measured = {"name": f"measure {index}", **case.task}
        if case.check_mode:
            measured["check_mode"] = True
        tasks.append(measured)
        tasks += control_tasks(portal, f"log {index}", read=["requests"])
    return [{"name": "requests per task", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


def measure(ansible: Ansible, emulator: EmulatorProcess) -> list[dict[str, Any]]:
    """Run every scenario once in one playbook and compare the request counts with the expectations."""
    portal = emulator.portal(0)
    cases = scenarios(emulator.info, portal)
    for case in cases:
        case.stored_config = smtp_config(emulator.info, case.stored) if case.stored else None
    run = ansible.run(_plays(portal, cases)).check()
    rows = []
    for index, case in enumerate(cases):
        measured = run.named(f"measure {index}")[0]
        log = run.named(f"log {index} requests")[0].result()["json"]["requests"]
        observed = count_requests(log)
        met = None if case.expected is None else observed == case.expected
        rows.append({"scenario": case.name, "expected": case.expected, "observed": observed,
                     "total": sum(observed.values()), "met": met, "status": measured.status(),
                     "check_mode": case.check_mode, "note": case.note})
    return rows
