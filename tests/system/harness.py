# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run real ansible-playbook processes against the portal emulator and read their results.

Every run's whole output (stdout and stderr) is searched for every secret registered with
`register_secret`; what is found is kept in `LEAKS`, which the suite's conftest checks after each test.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import yaml

COLLECTION_DIR = Path(__file__).resolve().parents[2]
# The playbooks must load this checkout's collection: scripts/test.sh lays it out as
# <build>/ansible_collections/onlyoffice/docspace and runs the system tests from there.
COLLECTIONS_ROOT = COLLECTION_DIR.parents[min(2, len(COLLECTION_DIR.parents) - 1)]

# Environment variables that would make a run depend on the developer's machine.
_FOREIGN_ENV_PREFIXES = ("DOCSPACE_", "ANSIBLE_")
_FOREIGN_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTP_PROXY", "HTTPS_PROXY",
                "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


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


@functools.lru_cache(maxsize=None)
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


_ENCODINGS = {
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


def _check_layout() -> None:
    if COLLECTION_DIR.parts[-3:] != ("ansible_collections", "onlyoffice", "docspace"):
        raise RuntimeError(f"{COLLECTION_DIR} is not .../ansible_collections/onlyoffice/docspace: "
                           "run the system tests with `scripts/test.sh system`")


@dataclass
class PlaybookRun:
    """The outcome of one ansible-playbook process."""

    rc: int
    stdout: str
    stderr: str
    results: list[dict[str, Any]]
    seconds: float = 0.0

    @property
    def output(self) -> str:
        """Everything the process printed."""
        return self.stdout + self.stderr

    def task(self, name: str, host: str | None = None) -> dict[str, Any]:
        """The result of the (first) task called name (on host, or on the first host)."""
        return self.entry(name, host)["result"]

    def entry(self, name: str, host: str | None = None) -> dict[str, Any]:
        """The record {task, host, status, result, seconds} of the (first) task called name."""
        for result in self.results:
            if result["task"] == name and (host is None or result["host"] == host):
                return result
        raise KeyError(f"no task {name!r} in {[r['task'] for r in self.results]}\n{self.output[-3000:]}")


def ansible_env(**extra: str) -> dict[str, str]:
    """Environment for ansible-playbook: this collection only, no retry files, no colour, no proxies."""
    _check_layout()
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(_FOREIGN_ENV_PREFIXES) and name not in _FOREIGN_ENV}
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_ROOT),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_HOST_KEY_CHECKING": "false",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        # The suite's own JSON stdout callback (ansible-core ships none).
        "ANSIBLE_CALLBACK_PLUGINS": str(Path(__file__).resolve().parent / "callback_plugins"),
        "NO_PROXY": "*",
        "no_proxy": "*",
    })
    env.update(extra)
    return env


def run_playbook(plays: list[dict[str, Any]], *args: str, inventory: dict[str, dict[str, Any]] | None = None,
                 json_results: bool = True, env: dict[str, str] | None = None, timeout: float = 300,
                 label: str = "a playbook", extra_vars: dict[str, Any] | None = None) -> PlaybookRun:
    """Write plays to a file and run ansible-playbook on them.

    With json_results the json callback is used and each task's per-host result is collected;
    otherwise the default callback prints what a person would see (use that for -vvv searches).
    inventory maps host names to host variables; by default it holds localhost alone. Every host is
    reached with the local connection, which is where the modules run.
    extra_vars go to a file passed with -e @file, where a user would keep secrets (a vault): ansible-core
    quotes the playbook lines around a failed task, so secrets written into tasks would be printed.
    """
    hosts = {name: {"ansible_connection": "local", **hostvars}
             for name, hostvars in (inventory or {"localhost": {}}).items()}
    with tempfile.TemporaryDirectory(prefix="docspace-play-") as workdir:
        playbook = Path(workdir, "play.yml")
        playbook.write_text(yaml.safe_dump(plays, sort_keys=False, width=1000))
        inventory_file = Path(workdir, "inventory.yml")
        inventory_file.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
        if extra_vars:
            Path(workdir, "secrets.yml").write_text(yaml.safe_dump(extra_vars))
            args = ("-e", "@" + str(Path(workdir, "secrets.yml")), *args)
        callback = {"ANSIBLE_STDOUT_CALLBACK": "docspace_results"} if json_results else {}
        command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory_file), str(playbook), *args]
        started = time.monotonic()
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=workdir,
                                   env={**ansible_env(**callback), **(env or {})}, check=False)
        seconds = time.monotonic() - started
    results = _task_results(completed.stdout) if json_results else []
    run = PlaybookRun(completed.returncode, completed.stdout, completed.stderr, results, seconds)
    SCAN.search(f"{label} ({' '.join(args) or 'no options'})", run.output)
    return run


def run_parallel(jobs: list[dict[str, Any]]) -> list[PlaybookRun]:
    """Start several ansible-playbook processes at once; each job holds run_playbook's arguments."""
    def one(job: dict[str, Any]) -> PlaybookRun:
        job = dict(job)
        return run_playbook(job.pop("plays"), *job.pop("args", ()), **job)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs))


def _task_results(stdout: str) -> list[dict[str, Any]]:
    """The docspace_results callback's records: [{task, host, status, result, seconds}]."""
    start = stdout.find('{\n "results"')
    if start < 0:
        return []
    return json.loads(stdout[start:])["results"]
