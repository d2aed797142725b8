# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An audit run as AWX runs a sliced job, and its report parts merged into one fleet report.

AWX deals a sliced job's inventory round-robin, hosts ordered by name, slice i of n taking hosts[i::n]
(awx/main/models/inventory.py get_sliced_hosts), and runs each slice as a job of its own with awx_job_id and the
shared awx_workflow_job_id as extra variables. Here each slice runs with ansible-runner, AWX's runner.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import ansible_runner
import pytest
import yaml
from conftest import start_emulator
from docspace_emulator import Emulator

import harness

SLICES = 4
SITE = [{"name": "Audit the outgoing mail of every DocSpace portal", "hosts": "docspace_portals",
         "gather_facts": False, "roles": ["onlyoffice.docspace.smtp"]}]


@pytest.fixture(scope="module")
def fleet() -> Iterator[Emulator]:
    """Ten portals: half configured as the group's settings say, half on the installation default."""
    emulator = start_emulator(portals=10)
    smtp = emulator.smtp.info()
    for index, portal in enumerate(emulator.portals):
        if index % 2:
            portal.set_settings({"host": smtp["host"], "port": smtp["listeners"]["plain"],
                                 "senderAddress": "docspace@example.com", "senderDisplayName": "DocSpace",
                                 "enableSSL": False, "enableAuth": False})
    try:
        yield emulator
    finally:
        emulator.stop()


def inventory(emulator: Emulator, names: list[str]) -> dict[str, Any]:
    portals = {portal.name: portal.info() for portal in emulator.portals}
    smtp = emulator.smtp.info()
    return {"docspace_portals": {
        "hosts": {name: {"docspace_base_url": portals[name]["base_url"], "docspace_api_key": portals[name]["admin"]["api_key"]}
                  for name in names},
        "vars": {"docspace_smtp_host": smtp["host"], "docspace_smtp_port": smtp["listeners"]["plain"],
                 "docspace_smtp_sender_address": "docspace@example.com", "docspace_smtp_sender_display_name": "DocSpace"}}}


def run_slice(root: Path, emulator: Emulator, names: list[str], reports: Path, job: int) -> None:
    """One slice of the sliced job, as AWX runs it: its hosts only, its job id, the workflow's id."""
    private = root / f"job-{job}"
    (private / "project").mkdir(parents=True)
    (private / "inventory").mkdir()
    (private / "project" / "site.yml").write_text(yaml.safe_dump(SITE, sort_keys=False))
    (private / "inventory" / "hosts.yml").write_text(yaml.safe_dump(inventory(emulator, names)))
    env = {name: value for name, value in harness.ANSIBLE.env(None).items() if name.startswith("ANSIBLE_")}
    env.update(ANSIBLE_CALLBACKS_ENABLED="onlyoffice.docspace.smtp_report", DOCSPACE_REPORT_DIR=str(reports))
    runner = ansible_runner.run(private_data_dir=str(private), playbook="site.yml", quiet=True, process_isolation=False,
                                cmdline="--check --diff", envvars=env,
                                extravars={"awx_job_id": job, "awx_workflow_job_id": 7})
    output = runner.stdout.read()
    harness.SCAN.search(f"slice job {job}", output)
    assert runner.status == "successful", output


def ansible_playbook(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    binary = str(Path(sys.executable).with_name("ansible-playbook"))
    completed = subprocess.run([binary, *args], cwd=cwd, env=harness.ANSIBLE.env(None, env), capture_output=True,
                               text=True, timeout=300, check=False)
    harness.SCAN.search(f"ansible-playbook {' '.join(args)}", completed.stdout + completed.stderr)
    return completed


def rows(report: Path) -> list[dict[str, Any]]:
    return sorted(json.loads(report.read_text())["rows"], key=lambda row: row["portal"])


@pytest.fixture(scope="module")
def audit(fleet: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sliced audit's parts, and one unsliced audit of the same portals to compare with."""
    root = tmp_path_factory.mktemp("slices")
    names = sorted(portal.name for portal in fleet.portals)
    (root / "inventory.yml").write_text(yaml.safe_dump(inventory(fleet, names)))
    (root / "site.yml").write_text(yaml.safe_dump(SITE, sort_keys=False))
    sliced = root / "sliced"
    for offset in range(SLICES):
        run_slice(root, fleet, names[offset::SLICES], sliced, 100 + offset)
    whole = root / "whole"
    run = ansible_playbook(root, "-i", "inventory.yml", "site.yml", "--check", "--diff",
                           env={"ANSIBLE_CALLBACKS_ENABLED": "onlyoffice.docspace.smtp_report", "DOCSPACE_REPORT_DIR": str(whole)})
    assert run.returncode == 0, run.stdout
    return {"root": root, "sliced": sliced, "whole": whole}


def test_each_slice_writes_a_part_named_by_its_job(audit: dict[str, Path]) -> None:
    parts = sorted(path.name for path in audit["sliced"].glob("smtp-report-part-*.json"))
    assert parts == [f"smtp-report-part-awx-job-{100 + offset}.json" for offset in range(SLICES)]
    assert {json.loads((audit["sliced"] / name).read_text())["audit"] for name in parts} == {"awx-workflow-7"}


def test_the_merged_parts_are_the_unsliced_audit(audit: dict[str, Path]) -> None:
    merge = ansible_playbook(audit["root"], "onlyoffice.docspace.smtp_report_merge", "-i", "inventory.yml",
                             "-e", f"docspace_report_dir={audit['sliced']}")
    assert merge.returncode == 0, merge.stdout
    assert rows(audit["sliced"] / "smtp-report.json") == rows(audit["whole"] / "smtp-report.json")
    merged = json.loads((audit["sliced"] / "smtp-report.json").read_text())
    assert merged["coverage"] == [] and merged["runs"] == [f"awx-job-{100 + offset}" for offset in range(SLICES)]
    assert "Coverage" not in (audit["sliced"] / "smtp-report.md").read_text()


def test_a_portal_covered_twice_and_one_not_at_all_are_named_and_fail_the_merge(audit: dict[str, Path]) -> None:
    broken = audit["root"] / "broken"
    shutil.copytree(audit["sliced"], broken)
    first = json.loads((broken / "smtp-report-part-awx-job-100.json").read_text())
    again = {**first, "run": "awx-job-104", "rows": first["rows"][:1]}  # a slice that ran one portal again
    (broken / "smtp-report-part-awx-job-104.json").write_text(json.dumps(again))
    lost = json.loads((broken / "smtp-report-part-awx-job-103.json").read_text())
    (broken / "smtp-report-part-awx-job-103.json").unlink()  # a slice whose part never arrived
    merge = ansible_playbook(audit["root"], "onlyoffice.docspace.smtp_report_merge", "-i", "inventory.yml",
                             "-e", f"docspace_report_dir={broken}")
    twice, missing = first["rows"][0]["portal"], sorted(row["portal"] for row in lost["rows"])
    assert merge.returncode != 0
    assert f"{twice} is in 2 parts (awx-job-100, awx-job-104)" in merge.stdout
    assert f"of the inventory in no part: {', '.join(missing)}" in merge.stdout
    markdown = (broken / "smtp-report.md").read_text()
    assert f"**Coverage:** {twice} is in 2 parts" in markdown


def test_parts_of_another_audit_are_refused(audit: dict[str, Path]) -> None:
    mixed = audit["root"] / "mixed"
    shutil.copytree(audit["sliced"], mixed)
    other = json.loads((mixed / "smtp-report-part-awx-job-101.json").read_text())
    (mixed / "smtp-report-part-awx-job-101.json").write_text(json.dumps({**other, "audit": "awx-workflow-8"}))
    before = (mixed / "smtp-report.json").read_text()
    merge = ansible_playbook(audit["root"], "onlyoffice.docspace.smtp_report_merge", "-i", "inventory.yml",
                             "-e", f"docspace_report_dir={mixed}")
    assert merge.returncode != 0 and "the parts belong to different audits (awx-workflow-7, awx-workflow-8)" in merge.stdout
    assert (mixed / "smtp-report.json").read_text() == before  # nothing is written from mixed parts


def test_portal_text_in_a_part_is_never_templated_by_the_merge(audit: dict[str, Path]) -> None:
    hostile = audit["root"] / "hostile"
    shutil.copytree(audit["sliced"], hostile)
    path = hostile / "smtp-report-part-awx-job-102.json"
    part = json.loads(path.read_text())
    part["rows"][0]["message"] = "{{ lookup('ansible.builtin.pipe', 'id') }} {{ 7 * 7 }}"
    path.write_text(json.dumps(part))
    merge = ansible_playbook(audit["root"], "onlyoffice.docspace.smtp_report_merge", "-i", "inventory.yml",
                             "-e", f"docspace_report_dir={hostile}")
    assert merge.returncode == 0, merge.stdout
    merged = {row["portal"]: row for row in rows(hostile / "smtp-report.json")}
    assert merged[part["rows"][0]["portal"]]["message"] == "{{ lookup('ansible.builtin.pipe', 'id') }} {{ 7 * 7 }}"
