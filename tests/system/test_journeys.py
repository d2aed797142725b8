# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Journeys as a user follows them from README.md and docs/user-guide.md, in the user's own project layout.

Each test writes the files the docs show (inventory, group_vars, host_vars, site.yml, ansible.cfg) into a
directory of its own and runs ansible-playbook there with the default screen output, or AWX's runner
(ansible-runner) with the environment AWX renders from docs/awx/credential_type.yml. What happened is read
from the emulator: the requests each portal received and the mails the SMTP server accepted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import ansible_runner
import pytest
import yaml
from conftest import SETTINGS_PATH, TEST_PATH, start_emulator
from docspace_emulator import Emulator, Portal
from jinja2.sandbox import SandboxedEnvironment

import harness

COLLECTION = harness.COLLECTION_DIR
SITE = [{"name": "Configure outgoing mail on every DocSpace portal", "hosts": "docspace_portals",
         "gather_facts": False, "roles": ["onlyoffice.docspace.smtp"]}]
RECAP = re.compile(r"^(?P<host>\S+)\s+: ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                   r"\s+failed=(?P<failed>\d+)\s+skipped=\d+\s+rescued=(?P<rescued>\d+)", re.MULTILINE)


@dataclass
class Run:
    """One ansible-playbook run in a project: its screen output and its recap per host."""

    rc: int
    output: str

    def recap(self, host: str) -> dict[str, int]:
        """The PLAY RECAP counters of host."""
        for match in RECAP.finditer(self.output):
            if match["host"] == host:
                return {key: int(value) for key, value in match.groupdict().items() if key != "host"}
        raise AssertionError(f"no recap for {host}:\n{self.output[-3000:]}")


class Project:
    """A user's Ansible project directory: files written as the docs show them, runs made from inside it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, content: Any) -> Path:
        """Write YAML (or text as it is) to a file of the project."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False))
        return path

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The harness's clean environment with the default screen output, plus extra."""
        return harness.ANSIBLE.env(None, extra)

    def playbook(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """ansible-playbook ARGS from the project directory; the output is searched for secrets."""
        binary = str(Path(sys.executable).with_name("ansible-playbook"))
        completed = subprocess.run([binary, *args], cwd=self.root, env=self.env(env), capture_output=True, text=True,
                                   timeout=300, check=False)
        run = Run(completed.returncode, completed.stdout + completed.stderr)
        harness.SCAN.search(f"journey: ansible-playbook {' '.join(args)}", run.output)
        return run


@pytest.fixture(scope="module")
def fleet() -> Iterator[Emulator]:
    """Portals for the journeys: portal1..portal6, each its own installation."""
    emulator = start_emulator(portals=6)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty project directory."""
    return Project(tmp_path)


def fresh(portal: Portal) -> Portal:
    """The portal in its first state, with empty logs and mailbox."""
    portal.reset()
    portal.clear_requests()
    portal.clear_mailbox()
    return portal


def writes(portal: Portal) -> list[str]:
    """The settings writes and test requests the portal received since its logs were cleared."""
    return [f"{record['method']} {record['path']}" for record in portal.requests()
            if record["path"] == TEST_PATH or (record["path"] == SETTINGS_PATH and record["method"] != "GET")]


def relay(emulator: Emulator, account: int = 0, password: str | None = None) -> dict[str, Any]:
    """The group's SMTP settings, as the README's group_vars file holds them, for the emulator's plain relay."""
    smtp = emulator.smtp.info()
    login = smtp["accounts"][account]
    return {"docspace_smtp_host": smtp["host"], "docspace_smtp_port": smtp["listeners"]["plain"],
            "docspace_smtp_sender_address": "docspace@example.com", "docspace_smtp_sender_display_name": "DocSpace",
            "docspace_smtp_username": login["username"],
            "docspace_smtp_password": login["password"] if password is None else password}


def inventory(*portals: Portal) -> dict[str, Any]:
    """The README's inventory: one host per portal, its address and API key."""
    hosts = {}
    for portal in portals:
        info = portal.info()
        hosts[info["name"]] = {"docspace_base_url": info["base_url"], "docspace_api_key": info["admin"]["api_key"]}
    return {"docspace_portals": {"hosts": hosts}}


def test_quick_start_configures_once_then_changes_nothing(fleet: Emulator, project: Project) -> None:
    """(a) README's Quick start: inventory, group_vars with the relay, site.yml with the role alone."""
    portals = [fresh(fleet.portals[0]), fresh(fleet.portals[1])]
    project.write("inventory.yml", inventory(*portals))
    project.write("group_vars/docspace_portals/smtp.yml", relay(fleet))
    project.write("site.yml", SITE)

    first = project.playbook("-i", "inventory.yml", "site.yml")
    assert first.rc == 0, first.output
    for portal in portals:
        assert first.recap(portal.name) == {"ok": 3, "changed": 1, "unreachable": 0, "failed": 0, "rescued": 0}
        assert writes(portal) == ["POST /api/2.0/smtpsettings/smtp", "GET /api/2.0/smtpsettings/smtp/test"]
        assert len(portal.mailbox()) == 1
        portal.clear_requests()

    again = project.playbook("-i", "inventory.yml", "site.yml")
    assert again.rc == 0, again.output
    for portal in portals:
        assert again.recap(portal.name)["changed"] == 0
        assert writes(portal) == [] and len(portal.mailbox()) == 1


def configure_by_hand(portal: Portal, emulator: Emulator, **changes: Any) -> None:
    """Settings someone saved in the portal's web interface (authenticated, with the relay's real password)."""
    smtp = emulator.smtp.info()
    login = smtp["accounts"][0]
    portal.set_settings({"host": smtp["host"], "port": smtp["listeners"]["plain"], "senderAddress": "hand@example.com",
                         "senderDisplayName": "Set by hand", "enableSSL": False, "enableAuth": True,
                         "credentialsUserName": login["username"], "credentialsUserPassword": login["password"],
                         **changes})
    portal.clear_requests()


def test_an_exported_fleet_is_in_sync_before_and_after_its_vault_variables(fleet: Emulator, project: Project) -> None:
    """(b) A fleet configured by hand, taken over with smtp_export, in the layout the export writes into."""
    authenticated, plain, default = (fresh(fleet.portals[index]) for index in (2, 3, 4))
    configure_by_hand(authenticated, fleet)
    configure_by_hand(plain, fleet, enableAuth=False, credentialsUserName="", credentialsUserPassword="")
    project.write("inventory.yml", inventory(authenticated, plain, default))
    project.write("group_vars/docspace_portals/smtp.yml", relay(fleet))  # the group's relay, outranked by host_vars
    project.write("site.yml", SITE)

    export = project.playbook("-i", "inventory.yml", "onlyoffice.docspace.smtp_export")
    assert export.rc == 0, export.output
    exported = yaml.safe_load((project.root / "host_vars" / authenticated.name / "docspace_smtp.yml").read_text())
    vault_variable = f"vault_docspace_smtp_password_{authenticated.name}"
    assert exported["docspace_smtp_password_from"] == vault_variable

    check = project.playbook("-i", "inventory.yml", "site.yml", "--check", "--diff")
    assert check.rc == 0, check.output
    for portal in (authenticated, plain, default):
        assert check.recap(portal.name)["changed"] == 0, check.output

    # A run that must save, while the vault variable is missing, fails before writing and names it.
    must_save = project.playbook("-i", "inventory.yml", "site.yml", "-l", authenticated.name,
                                 "-e", "docspace_smtp_sender_display_name=Renamed")
    assert must_save.rc != 0
    assert f"Set {vault_variable} to the SMTP password" in must_save.output
    assert writes(authenticated) == []

    project.write("group_vars/all/vault.yml", {vault_variable: fleet.smtp.info()["accounts"][0]["password"]})
    real = project.playbook("-i", "inventory.yml", "site.yml")
    assert real.rc == 0, real.output
    for portal in (authenticated, plain, default):
        assert real.recap(portal.name)["changed"] == 0, real.output
        assert writes(portal) == [] and portal.mailbox() == []


def awx_environment(credential: dict[str, Any], workdir: Path) -> dict[str, str]:
    """The environment AWX gives a job from a credential of docs/awx/credential_type.yml.

    AWX renders each injector template in a Jinja2 sandbox with every input field defined: a field the
    credential leaves empty is an empty string (awx/main/models/credential.py, CredentialType.inject_credential);
    a file injector's text is written to a file whose path is tower.filename.<name>.
    """
    credential_type = yaml.safe_load((COLLECTION / "docs" / "awx" / "credential_type.yml").read_text())
    fields = {field["id"]: credential.get(field["id"], field.get("default", "")) for field in credential_type["inputs"]["fields"]}
    sandbox = SandboxedEnvironment()
    files = {}
    for key, template in credential_type["injectors"].get("file", {}).items():
        path = workdir / f"awx-{key.split('.')[-1]}"
        path.write_text(sandbox.from_string(template).render(**fields))
        files[key.split(".")[-1]] = str(path)
    namespace = {**fields, "tower": {"filename": files}}
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in credential_type["injectors"]["env"].items()}


MODULES_PLAY = [{"name": "The modules with the connection from the credential alone", "hosts": "docspace_portals",
                 "gather_facts": False, "tasks": [
                     {"name": "Read", "onlyoffice.docspace.smtp_settings_info": {}, "delegate_to": "localhost"},
                     {"name": "Configure", "onlyoffice.docspace.smtp_settings": {
                         "host": "{{ docspace_smtp_host }}", "port": "{{ docspace_smtp_port }}",
                         "sender_address": "docspace@example.com", "username": "{{ docspace_smtp_username }}",
                         "password": "{{ docspace_smtp_password }}", "update_password": "always"},
                      "delegate_to": "localhost"},
                     {"name": "Test", "onlyoffice.docspace.smtp_test": {}, "delegate_to": "localhost"}]}]


@pytest.mark.parametrize("kind", ["API key", "login"])
def test_awx_runs_the_role_and_the_modules_with_the_credential_alone(fleet: Emulator, tmp_path: Path, kind: str) -> None:
    """(c) AWX's runner, ansible-runner, with the environment AWX renders from the credential type's injectors."""
    portal = fresh(fleet.portals[5])
    info = portal.info()
    credential = ({"base_url": info["base_url"], "api_key": info["admin"]["api_key"]} if kind == "API key" else
                  {"base_url": info["base_url"], "auth_username": info["admin"]["email"],
                   "auth_password": info["admin"]["password"]})
    environment = awx_environment(credential, tmp_path)
    assert "" in environment.values()  # the empty fields are there, as AWX injects them
    private = Project(tmp_path / "job")
    private.write("project/site.yml", SITE)
    private.write("project/modules.yml", MODULES_PLAY)
    # No docspace_* connection variable anywhere: one host per portal, the SMTP settings for the group.
    private.write("inventory/hosts.yml", {"docspace_portals": {"hosts": {info["name"]: {}}, "vars": relay(fleet)}})
    for playbook in ("site.yml", "modules.yml"):
        portal.reset()
        portal.clear_mailbox()
        job = ansible_runner.run(private_data_dir=str(private.root), playbook=playbook, quiet=True,
                                 process_isolation=False,
                                 envvars={**{name: value for name, value in private.env().items()
                                             if name.startswith("ANSIBLE_")}, **environment})
        output = job.stdout.read()
        harness.SCAN.search(f"journey: ansible-runner {playbook}, {kind} credential", output)
        assert job.status == "successful", output
        assert job.stats["failures"] == {} and job.stats["changed"] == {info["name"]: 1}, output
        assert len(portal.mailbox()) == 1


def test_a_failing_portal_is_one_failure_in_the_role_s_words(fleet: Emulator, project: Project) -> None:
    """(d) A portal whose API key is wrong: one failed task, not rescued, the same words on screen and in the report."""
    good, bad = fresh(fleet.portals[0]), fresh(fleet.portals[1])
    hosts = inventory(good, bad)
    hosts["docspace_portals"]["hosts"][bad.name]["docspace_api_key"] = "sk-not-a-key-of-this-portal-0000"
    project.write("inventory.yml", hosts)
    project.write("group_vars/docspace_portals/smtp.yml", relay(fleet))
    project.write("site.yml", SITE)
    run = project.playbook("-i", "inventory.yml", "site.yml", "--check", "--diff",
                           env={"ANSIBLE_CALLBACKS_ENABLED": "onlyoffice.docspace.smtp_report",
                                "DOCSPACE_REPORT_DIR": str(project.root / "report")})
    assert run.rc != 0
    assert run.recap(bad.name) == {"ok": 1, "changed": 0, "unreachable": 0, "failed": 1, "rescued": 0}
    fatal = [line for line in run.output.splitlines() if line.startswith("fatal: ")]
    assert len(fatal) == 1 and f"[{bad.name} -> localhost]" in fatal[0], run.output
    message = json.loads(fatal[0].split("FAILED! => ", 1)[1])["msg"]
    assert "docspace_api_key" in message and not re.search(r"\bapi_key\b", message.replace("docspace_api_key", ""))
    report = json.loads((project.root / "report" / "smtp-report.json").read_text())
    row = next(row for row in report["rows"] if row["portal"] == bad.name)
    assert row["status"] == "failed" and message in row["message"]


def test_after_a_failed_test_the_next_run_tests_again_until_the_mail_went_out(fleet: Emulator, project: Project) -> None:
    """(e) A wrong relay password fails the test; corrected (update_password: on_change), the next run saves
    and tests again and goes green only when the mail went out; the run after it changes nothing."""
    portal = fresh(fleet.portals[2])
    project.write("ansible.cfg", "[defaults]\nfact_caching = jsonfile\nfact_caching_connection = .facts\n")
    project.write("inventory.yml", inventory(portal))
    project.write("group_vars/docspace_portals/smtp.yml", relay(fleet, password="not-the-relay-password"))
    project.write("site.yml", SITE)

    failed = project.playbook("-i", "inventory.yml", "site.yml")
    assert failed.rc != 0 and failed.recap(portal.name)["failed"] == 1
    assert "The next run saves these settings again and repeats the test until one passes" in failed.output
    assert portal.mailbox() == []

    project.write("group_vars/docspace_portals/smtp.yml", relay(fleet))  # the corrected password, nothing else
    portal.clear_requests()
    green = project.playbook("-i", "inventory.yml", "site.yml")
    assert green.rc == 0, green.output
    assert writes(portal) == ["POST /api/2.0/smtpsettings/smtp", "GET /api/2.0/smtpsettings/smtp/test"]
    assert len(portal.mailbox()) == 1

    portal.clear_requests()
    quiet = project.playbook("-i", "inventory.yml", "site.yml")
    assert quiet.rc == 0 and quiet.recap(portal.name)["changed"] == 0
    assert writes(portal) == [] and len(portal.mailbox()) == 1
    assert os.listdir(project.root / ".facts")  # the fact cache holds the portal's mark, and no secret:
    cached = "".join(path.read_text() for path in (project.root / ".facts").iterdir())
    harness.SCAN.search("journey: the fact cache", cached)
