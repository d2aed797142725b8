# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the system suite: one portal emulator per test module, and a secret check after every test."""

from __future__ import annotations

import time
from typing import Any, Iterator

import pytest
from docspace_emulator import Emulator, Portal

import harness

# SMTP passwords the suite hands to the modules; they must never come back out of Ansible.
SMTP_PASSWORD = "smtp-relay-pw-Zq7Kx2Lm9Tq"
SMTP_PASSWORD_OTHER = "smtp-relay-pw-Vb3Nw8Rt5Yc"
SETTINGS_PATH = "/api/2.0/smtpsettings/smtp"
TEST_PATH = "/api/2.0/smtpsettings/smtp/test"
STATUS_PATH = "/api/2.0/smtpsettings/smtp/test/status"
LOGIN_PATH = "/api/2.0/authentication"

harness.register_secret("smtp password", SMTP_PASSWORD)
harness.register_secret("other smtp password", SMTP_PASSWORD_OTHER)


def register_portal_secrets(portals: list[Portal]) -> None:
    """Search every later run's output for these portals' passwords and API keys."""
    for portal in portals:
        info = portal.info()
        for role in ("admin", "user"):
            harness.register_secret(f"{info['name']} {role} password", info[role]["password"])
            harness.register_secret(f"{info['name']} {role} api_key", info[role]["api_key"])
        harness.register_secret(f"{info['name']} readonly api_key", info["readonly_api_key"])


def start_emulator(**options: Any) -> Emulator:
    """Start an emulator on loopback and register every secret it hands out."""
    emulator = Emulator(**options).start()
    emulator.on_portals_added = register_portal_secrets
    register_portal_secrets(emulator.portals)
    for account in emulator.smtp.info()["accounts"]:
        harness.register_secret(f"smtp account {account['username']}", account["password"])
    return emulator


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """One emulator (plain HTTP) for the whole test module; tests add the portals they need."""
    emu = start_emulator(portals=1)
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def portal(emulator: Emulator) -> Portal:  # pylint: disable=redefined-outer-name
    """The first portal, back in its initial state."""
    emulator.portals[0].reset()
    return emulator.portals[0]


@pytest.fixture(autouse=True)
def no_secret_leaks() -> Iterator[None]:
    """Fail the test when any run since the last check printed a registered secret.

    Counted from the last check rather than from this test's start: module-scoped fixtures run their
    playbooks before this fixture starts, and their leaks must fail the first test that uses them.
    """
    yield
    with harness.SCAN.lock:
        leaks = harness.SCAN.leaks[harness.SCAN.reported:]
        harness.SCAN.reported = len(harness.SCAN.leaks)
    assert not leaks, f"secrets leaked: {leaks}"


def connection(portal: Portal, auth: str = "api_key", **extra: Any) -> dict[str, Any]:
    """Connection options for portal's admin: by API key, or by login (auth="login")."""
    info = portal.info()
    options: dict[str, Any] = {"base_url": info["base_url"]}
    if auth == "login":
        options.update(auth_username=info["admin"]["email"], auth_password=info["admin"]["password"])
    else:
        options["api_key"] = info["admin"]["api_key"]
    options.update(extra)
    return options


def play(tasks: list[dict[str, Any]], name: str = "system test", **keywords: Any) -> list[dict[str, Any]]:
    """A one-play playbook on localhost."""
    return [{"name": name, "hosts": "localhost", "gather_facts": False, "tasks": tasks, **keywords}]


def request_counts(portal: Portal, wait_for: dict[str, int] | None = None, within: float = 0.0) -> dict[str, int]:
    """How many API requests of each "METHOD path" the portal's log holds.

    A delayed request is logged when it is answered, which can be seconds after the client gave up:
    with wait_for, wait up to `within` seconds for the log to reach those counts, then a little longer
    so that an extra request (a retry that should not happen) would show too.
    """
    def counts() -> dict[str, int]:
        found: dict[str, int] = {}
        for record in portal.requests():
            key = f"{record['method']} {record['path']}"
            found[key] = found.get(key, 0) + 1
        return found

    if wait_for:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and any(counts().get(key, 0) < n for key, n in wait_for.items()):
            time.sleep(0.1)
        time.sleep(0.3)
    return counts()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the secret-search figures of the whole suite."""
    scan = harness.SCAN
    if scan.runs:
        terminalreporter.write_line(
            f"secret search: {len(scan.secrets)} secrets x {scan.runs} ansible-playbook outputs "
            f"({scan.searches} searches), {len(scan.leaks)} found")
        for leak in scan.leaks:
            terminalreporter.write_line(f"  {leak}")


class TableRun:
    """The runs of a case table: which portal each case had, and the playbook run that holds its result."""

    def __init__(self) -> None:
        self.portals: dict[str, Portal] = {}
        self.runs: dict[str, harness.PlaybookRun] = {}

    def result(self, name: str) -> dict[str, Any]:
        """The result of the task named like the case."""
        return self.runs[name].task(name)

    def entry(self, name: str) -> dict[str, Any]:
        """The callback record (status, result, seconds) of the task named like the case."""
        return self.runs[name].entry(name)


def run_table(emulator: Emulator, names: list[str], prepare: Any, tasks_for: Any, chunks: int = 3,  # pylint: disable=redefined-outer-name
              args: tuple[str, ...] = ()) -> TableRun:
    """Give each case a fresh portal, prepare it, and run all cases' tasks in `chunks` parallel playbooks.

    prepare(name, portal) sets the portal up (settings, faults); tasks_for(name, portal) returns the case's
    tasks, the one that decides the case being named like the case. A portal per case keeps request logs
    and faults apart, so that cases can share a playbook and still be judged one by one.
    """
    table = TableRun()
    portals = emulator.add_portals(len(names))
    for name, case_portal in zip(names, portals):
        case_portal.reset()
        prepare(name, case_portal)
        table.portals[name] = case_portal
    groups = [names[index::chunks] for index in range(chunks) if names[index::chunks]]
    jobs = [{"plays": play([task for name in group for task in tasks_for(name, table.portals[name])]),
             "args": args, "label": f"cases {group[0]!r}..."} for group in groups]
    for group, run in zip(groups, harness.run_parallel(jobs)):
        for name in group:
            table.runs[name] = run
    return table


GET_SETTINGS_KEY = f"GET {SETTINGS_PATH}"
POST_SETTINGS_KEY = f"POST {SETTINGS_PATH}"
