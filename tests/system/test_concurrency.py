# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Concurrency: 8 ansible-playbook processes configure the same portal with the same settings at once.

DocSpace has no locking (last writer wins, docspace-smtp-api.md §4.12), so each run reads, compares and
may save; since every run writes the same configuration, all must succeed and the portal must end with it.
"""

from __future__ import annotations

from typing import Any

from conftest import (GET_SETTINGS_KEY, LOGIN_PATH, POST_SETTINGS_KEY, SETTINGS_PATH, SMTP_PASSWORD, TEST_PATH,
                      connection, play)

import harness

RUNS = 8
DESIRED = {"host": "smtp.concurrent.test", "port": 587, "sender_address": "noreply@concurrent.test",
           "sender_display_name": "Concurrent", "enable_ssl": True, "username": "mailer@concurrent.test",
           "password": SMTP_PASSWORD}
STORED = {"host": "smtp.concurrent.test", "port": 587, "senderAddress": "noreply@concurrent.test",
          "senderDisplayName": "Concurrent", "enableSSL": True, "enableAuth": True,
          "credentialsUserName": "mailer@concurrent.test", "password_set": True}


def _overlap(portal: Any) -> None:
    """Hold every save back for a second before DocSpace handles it, so that the runs' reads and writes
    interleave: reads made meanwhile still see the old settings and their runs save too."""
    portal.add_fault(method="POST", path=SETTINGS_PATH, kind="delay", delay=1, count=RUNS)


def _job(portal: Any, index: int) -> dict[str, Any]:
    """Run number index: even ones use the API key, odd ones log in."""
    auth = "login" if index % 2 else "api_key"
    task = {"name": "configure", "onlyoffice.docspace.smtp_settings": {**connection(portal, auth), **DESIRED}}
    return {"plays": play([task]), "label": f"parallel run {index}"}


def _role_play(portal: Any, emulator: Any, test: str) -> list[dict[str, Any]]:
    """The role on every inventory host; all hosts name the same portal and the emulator's SMTP relay."""
    smtp = emulator.smtp.info()
    relay = {**DESIRED, "host": "127.0.0.1", "port": smtp["listeners"]["plain"], "enable_ssl": False,
             "username": smtp["accounts"][0]["username"], "password": smtp["accounts"][0]["password"]}
    variables = {"docspace_base_url": portal.base_url, "docspace_api_key": portal.info()["admin"]["api_key"],
                 **{f"docspace_smtp_{key}": value for key, value in relay.items()}, "docspace_smtp_test": test}
    return [{"name": "configure every portal", "hosts": "all", "gather_facts": False,
             "roles": [{"role": "onlyoffice.docspace.smtp", "vars": variables}]}]


def _expect_stored(portal: Any, wanted: dict[str, Any]) -> None:
    assert {key: portal.stored_settings().get(key) for key in wanted} == wanted


def _counts(portal: Any) -> dict[str, int]:
    log = portal.requests()
    assert [record for record in log if record["status"] != 200] == [], "a request failed"
    return {key: sum(1 for r in log if f"{r['method']} {r['path']}" == key) for key in
            (GET_SETTINGS_KEY, POST_SETTINGS_KEY, f"POST {LOGIN_PATH}", f"GET {TEST_PATH}")}


def test_eight_parallel_playbook_runs(portal: Any) -> None:
    """8 ansible-playbook processes at once (4 with the API key, 4 logging in): no failure, the right
    settings, a change reported exactly by the runs that saved; a ninth run then changes nothing."""
    _overlap(portal)
    runs = harness.run_parallel([_job(portal, index) for index in range(RUNS)])
    assert [run.output[-1500:] for run in runs if run.rc != 0] == []
    _expect_stored(portal, STORED)
    counts = _counts(portal)
    assert counts[GET_SETTINGS_KEY] == RUNS and counts[f"POST {LOGIN_PATH}"] == RUNS // 2
    saved = sum(1 for run in runs if run.task("configure")["changed"])
    assert 1 <= saved == counts[POST_SETTINGS_KEY] <= RUNS
    print(f"\n{RUNS} parallel runs: {saved} saved, {RUNS - saved} found the settings in place")
    again = harness.run_playbook(play([{"name": "again", "onlyoffice.docspace.smtp_settings":
                                        {**connection(portal), **DESIRED}}]))
    assert again.rc == 0 and again.task("again")["changed"] is False


def test_eight_hosts_run_the_role_on_one_portal(portal: Any, emulator: Any) -> None:
    """The role on 8 inventory hosts (forks 8) that all name one portal, without test mail: all succeed."""
    _overlap(portal)
    run = harness.run_playbook(_role_play(portal, emulator, "never"), "--forks", str(RUNS),
                               inventory={f"portal-{index}": {} for index in range(RUNS)})
    assert run.rc == 0, run.output[-2000:]
    wanted = {**STORED, "host": "127.0.0.1", "enableSSL": False}
    wanted.update(port=emulator.smtp.info()["listeners"]["plain"],
                  credentialsUserName=emulator.smtp.info()["accounts"][0]["username"])
    _expect_stored(portal, wanted)
    counts = _counts(portal)
    assert counts[GET_SETTINGS_KEY] == RUNS and 1 <= counts[POST_SETTINGS_KEY] <= RUNS


def test_concurrent_test_mails_on_one_portal_share_one_job(portal: Any, emulator: Any) -> None:
    """Known limit, kept visible: with docspace_smtp_test=changed, hosts that saved at the same moment all
    ask for a test mail; DocSpace runs one job per portal and deletes it at the first completed read, so
    one host gets the result and the others fail saying the job vanished and why. Settings stay right."""
    _overlap(portal)
    portal.configure(job_step_delay=0.1)
    run = harness.run_playbook(_role_play(portal, emulator, "changed"), "--forks", str(RUNS),
                               inventory={f"portal-{index}": {} for index in range(RUNS)})
    tests = [r for r in run.results if r["task"].endswith("Send a test mail through the stored settings")
             and r["status"] != "skipped"]
    saves = [r for r in run.results if r["task"].endswith("Make the portal's SMTP settings match the role variables")]
    assert all(r["status"] == "ok" for r in saves) and tests
    assert sum(1 for r in tests if r["status"] == "ok") >= 1
    failures = [r["result"]["msg"] for r in tests if r["status"] == "failed"]
    assert all("vanished before its result was read" in message and "parallel task" in message
               for message in failures), failures
    assert _counts(portal)[f"GET {TEST_PATH}"] == len(tests)
    assert len(portal.mailbox()) == 1
    print(f"\n{len(tests)} hosts asked for a test mail on one portal: 1 mail, {len(failures)} 'vanished' failures")
