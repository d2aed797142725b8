# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Provider advisories end to end: the role over portals that relay through Microsoft 365, and one that does not.

The emulator plays smtp.office365.com (its STARTTLS listener, a certificate for that name) and refuses its
basic-auth accounts in Microsoft's words (tests/emulator/docspace_emulator/providers.py). Each portal is an
inventory host, as in the README. The configure run warns once per Microsoft 365 portal, its test mail fails
with the advice where Microsoft refuses the login, and the audit's fleet report lists and counts the advisory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from docspace_emulator.providers import REFUSING_ACCOUNTS

import harness

ADVISORY = "microsoft-365-basic-auth"
REFUSED = next(login for login, reply in REFUSING_ACCOUNTS.items() if "5.7.139" in reply)
# The advice names the relays that take DocSpace's user name and password (plugins/module_utils/_advisories.py).
RELAYS_THAT_WORK = ("Azure Communication Services SMTP", "mail.protection.outlook.com", "High Volume Email")
REPORT_FILES = ("smtp-report.json", "smtp-report.md", "smtp-report.html")
REFUSED_PASSWORD = "Qz4Lr8-basic-auth-pw-Hy6"
harness.register_secret("the password Microsoft 365 refuses", REFUSED_PASSWORD)


def _portal_vars(portal: Any, host: str, port: int, username: str | None, password: str | None) -> dict[str, Any]:
    """A portal's host_vars: its connection and its relay."""
    relay: dict[str, Any] = {"docspace_smtp_host": host, "docspace_smtp_port": port, "docspace_smtp_enable_ssl": True,
                             "docspace_smtp_sender_address": "noreply@example.com"}
    if username:
        relay.update(docspace_smtp_username=username, docspace_smtp_password=password)
    else:
        relay["docspace_smtp_enable_auth"] = False
    return {"docspace_base_url": portal.base_url, "docspace_api_key": portal.info()["admin"]["api_key"], **relay}


@pytest.fixture(scope="module", name="fleet")
def fixture_fleet(emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Three portals configured by the role, then audited with the report callback."""
    portals = emulator.add_portals(3)
    mailer = emulator.smtp.info()["accounts"][0]
    inventory = {
        "m365-refused": _portal_vars(portals[0], "smtp.office365.com", 587, REFUSED, REFUSED_PASSWORD),
        "m365-accepted": _portal_vars(portals[1], "smtp.office365.com", 587, mailer["username"], mailer["password"]),
        "own-relay": _portal_vars(portals[2], "smtp.docspace.test", emulator.smtp.listeners["plain"], None, None),
    }
    role = [{"name": "outgoing mail", "hosts": "all", "gather_facts": False,
             "roles": [{"role": "onlyoffice.docspace.smtp"}]}]
    configure = harness.run_playbook(role, inventory=inventory, label="advisories: configure")
    report_dir = tmp_path_factory.mktemp("advisory-report")
    audit = harness.run_playbook(role, "--check", "--diff", inventory=inventory, label="advisories: audit",
                                 env={"ANSIBLE_CALLBACKS_ENABLED": "onlyoffice.docspace.smtp_report",
                                      "DOCSPACE_REPORT_DIR": str(report_dir)})
    yield {"configure": configure, "audit": audit, "report": report_dir}


def _warnings(run: harness.PlaybookRun, host: str) -> list[str]:
    return [warning for record in run.results if record["host"] == host
            for warning in record["result"].get("warnings", [])]


def test_the_role_warns_once_per_portal_that_relays_through_microsoft_365(fleet: dict[str, Any]) -> None:
    for run in (fleet["configure"], fleet["audit"]):
        for host, expected in (("m365-refused", 1), ("m365-accepted", 1), ("own-relay", 0)):
            assert sum("Exchange Online" in warning for warning in _warnings(run, host)) == expected, (host, run.output[-2000:])


def test_a_refused_login_fails_with_the_relays_that_work_with_docspace(fleet: dict[str, Any]) -> None:
    run = fleet["configure"]
    failures = [record["result"]["msg"] for record in run.results
                if record["host"] == "m365-refused" and record["status"] == "failed"]
    assert failures, run.output[-3000:]
    message = failures[-1]
    assert "5.7.139" in message and "at step 'Authenticate'" in message
    for relay in RELAYS_THAT_WORK:
        assert relay in message
    accepted = [record for record in run.results if record["host"] == "m365-accepted" and record["status"] == "failed"]
    assert accepted == [], accepted


def test_the_report_lists_and_counts_the_advisory(fleet: dict[str, Any]) -> None:
    data = json.loads((fleet["report"] / "smtp-report.json").read_text(encoding="utf-8"))
    advisories = {row["portal"]: [entry["id"] for entry in row["advisories"]] for row in data["rows"]}
    assert advisories == {"m365-refused": [ADVISORY], "m365-accepted": [ADVISORY], "own-relay": []}
    assert data["summary"]["advisories"] == {ADVISORY: 2}
    for name in ("smtp-report.md", "smtp-report.html"):
        assert "2 portals relay through Microsoft 365 with basic authentication" in (fleet["report"] / name).read_text(encoding="utf-8")
    assert all(not harness.leaked_form(REFUSED_PASSWORD, Path(fleet["report"], name).read_text(encoding="utf-8"))
               for name in REPORT_FILES)
