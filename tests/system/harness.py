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

import functools
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, quote_plus

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
        """Record every registered secret that occurs in text, in any of the forms of leak_forms."""
        with self.lock:
            self.runs += 1
            for name, secret in self.secrets.items():
                self.searches += 1
                form = leaked_form(secret, text)
                if form:
                    self.leaks.append(f"{name} found ({form}) in the output of {label}")


@functools.cache
def leak_forms(secret: str) -> dict[str, str]:
    """The forms in which a secret counts as leaked, as {form: how it was made}: as given, escaped, encoded,
    folded or mis-decoded, up to three times over (a JSON body quoted in a JSON error, printed by a JSON
    callback), and the first and the last half of each (what a cut, or a mask that stopped short, leaves)."""
    forms = {secret: "as given"}
    for _level in range(3):
        for form, kind in list(forms.items()):
            for name, encode in _ENCODINGS.items():
                forms.setdefault(encode(form), f"{kind}, {name}")
    for form, kind in list(forms.items()):
        half = max(8, (len(form) + 1) // 2)
        forms.setdefault(form[:half], f"first half of {kind}")
        forms.setdefault(form[-half:], f"last half of {kind}")
    return forms


_ENCODINGS: dict[str, Callable[[str], str]] = {
    "JSON-escaped": lambda text: json.dumps(text)[1:-1],
    "JSON-escaped, non-ASCII kept": lambda text: json.dumps(text, ensure_ascii=False)[1:-1],
    "whitespace folded": lambda text: " ".join(text.split()),
    "URL-encoded": lambda text: quote(text, safe=""),
    "form-encoded": quote_plus,
    "UTF-8 read as latin-1": lambda text: text.encode("utf-8").decode("latin-1"),
    "Python-escaped": lambda text: repr(text)[1:-1],
}


def leaked_form(secret: str, text: str) -> str | None:
    """How the first form of secret found in text was made, or None."""
    return next((kind for form, kind in leak_forms(secret).items() if form and form in text), None)


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
