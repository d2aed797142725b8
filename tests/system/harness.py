# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The system suite's use of the harness playbook runner (tests/docspace_harness/playbook.py).

Every run's whole output (stdout, stderr and the recorded results) is searched for every secret
registered with `register_secret`; what is found is kept in `SCAN`, which the suite's conftest checks
after each test.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docspace_harness.playbook import Ansible, Inventory, PlaybookRun

COLLECTION_DIR = Path(__file__).resolve().parents[2]
# The playbooks must load this checkout's collection: noxfile.py (session system) lays it out as
# <build>/ansible_collections/onlyoffice/docspace and runs the system tests from there.
COLLECTIONS_ROOT = COLLECTION_DIR.parents[min(2, len(COLLECTION_DIR.parents) - 1)]
ANSIBLE = Ansible(COLLECTIONS_ROOT)
__all__ = ["SCAN", "PlaybookRun", "register_secret", "run_parallel", "run_playbook"]


@dataclass
class SecretScan:
    """The secrets every run is searched for, and what the searches found."""

    secrets: dict[str, str] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)
    reported: int = 0
    runs: int = 0
    searches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def search(self, label: str, text: str) -> None:
        """Record every registered secret that occurs in text."""
        with self.lock:
            self.runs += 1
            for name, secret in self.secrets.items():
                self.searches += 1
                if secret in text:
                    self.leaks.append(f"{name} found in the output of {label}")


SCAN = SecretScan()


def register_secret(name: str, value: str) -> None:
    """Search every later run's output for value (at least 8 characters, or it would match by chance)."""
    if value and len(value) >= 8:
        SCAN.secrets[name] = value


def run_playbook(plays: list[dict[str, Any]], *args: str, inventory: Inventory = None, json_results: bool = True,
                 env: dict[str, str] | None = None, timeout: float = 300, label: str = "a playbook",
                 extra_vars: dict[str, Any] | None = None) -> PlaybookRun:
    """Run plays (see Ansible.run) and search the whole output for secrets."""
    if COLLECTION_DIR.parts[-3:] != ("ansible_collections", "onlyoffice", "docspace"):
        raise RuntimeError(f"{COLLECTION_DIR} is not .../ansible_collections/onlyoffice/docspace: "
                           "run the system tests with `make system` (nox -s system)")
    run = ANSIBLE.run(plays, *args, inventory=inventory, results=json_results, env=env, extra_vars=extra_vars,
                      timeout=timeout)
    SCAN.search(f"{label} ({' '.join(args) or 'no options'})", run.output)
    return run


def run_parallel(jobs: list[dict[str, Any]]) -> list[PlaybookRun]:
    """Start several ansible-playbook processes at once; each job holds run_playbook's arguments."""
    def one(job: dict[str, Any]) -> PlaybookRun:
        job = dict(job)
        return run_playbook(job.pop("plays"), *job.pop("args", ()), **job)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs))
