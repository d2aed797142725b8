# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run real ansible-playbook processes with this checkout's collection and read back every task result.

The one playbook runner of the system suite and the benchmark. Results come from the harness's stdout
callback (callback_plugins/docspace_results.py), which prints nothing and writes one JSON document.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import yaml

CALLBACK_DIR = Path(__file__).resolve().parent / "callback_plugins"
# Environment variables that would make a run depend on the developer's machine.
_FOREIGN_ENV_PREFIXES = ("DOCSPACE_", "ANSIBLE_")
_FOREIGN_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTP_PROXY", "HTTPS_PROXY",
                "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")
# Host name -> host variables (written as YAML), or an INI inventory text.
Inventory = Union[dict[str, dict[str, Any]], str, None]


@dataclass
class TaskRecord:
    """One task as the callback saw it: {host: {status, end, result}}, times from the controller's clock."""

    name: str
    action: str
    start: float
    hosts: dict[str, dict[str, Any]]

    @property
    def end(self) -> float:
        """When the last host's result arrived."""
        return max((host["end"] for host in self.hosts.values()), default=self.start)

    @property
    def duration(self) -> float:
        """Seconds from the task's start to its last host result."""
        return self.end - self.start

    def result(self, host: str | None = None) -> dict[str, Any]:
        """The result of one host (the first when host is None)."""
        return self.hosts[host]["result"] if host else next(iter(self.hosts.values()))["result"]

    def status(self, host: str | None = None) -> str:
        """changed / ok / skipped / failed / unreachable."""
        record = self.hosts[host] if host else next(iter(self.hosts.values()))
        return "changed" if record["status"] == "ok" and record["result"].get("changed") else str(record["status"])


@dataclass
class PlaybookRun:
    """What one ansible-playbook process did, and how long it took."""

    rc: int
    stdout: str
    stderr: str
    tasks: list[TaskRecord] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    wall: float = 0.0
    cpu: float = 0.0  # user + system seconds of ansible-playbook and every process it started
    document: str = ""  # the callback's JSON, as written
    extra: dict[str, Any] = field(default_factory=dict)  # what a test gathered beside the run
    replaced: list[dict[str, Any]] | None = None  # results a test rewrote (e.g. free ports masked)

    @property
    def output(self) -> str:
        """Everything the process printed or recorded."""
        return self.stdout + self.stderr + self.document

    @property
    def results(self) -> list[dict[str, Any]]:
        """One record {task, host, status, result, seconds} per task and host, in order (or what a test set)."""
        if self.replaced is not None:
            return self.replaced
        return [{"task": task.name, "host": host, "status": record["status"], "result": record["result"],
                 "seconds": round(record["end"] - task.start, 3)}
                for task in self.tasks for host, record in task.hosts.items()]

    @results.setter
    def results(self, records: list[dict[str, Any]]) -> None:
        self.replaced = records

    def entry(self, name: str, host: str | None = None) -> dict[str, Any]:
        """The record of the (first) task called name (on host, or on the first host)."""
        for record in self.results:
            if record["task"] == name and (host is None or record["host"] == host):
                return record
        raise KeyError(f"no task {name!r} in {[t.name for t in self.tasks]}\n{self.output[-3000:]}")

    def task(self, name: str, host: str | None = None) -> dict[str, Any]:
        """The result of the (first) task called name."""
        return self.entry(name, host)["result"]

    def named(self, prefix: str) -> list[TaskRecord]:
        """Tasks whose name starts with prefix, in order."""
        return [task for task in self.tasks if task.name.startswith(prefix)]

    def failures(self) -> list[str]:
        """One line per failed host result, for error messages."""
        return [f"{task.name} [{host}]: {record['result'].get('msg', record['result'])}"
                for task in self.tasks for host, record in task.hosts.items()
                if record["status"] in ("failed", "unreachable")]

    def check(self) -> PlaybookRun:
        """Raise with the output when the run failed."""
        if self.rc != 0:
            details = "\n".join(self.failures()[:5]) or self.output[-3000:]
            raise RuntimeError(f"ansible-playbook failed (rc {self.rc}):\n{details}")
        return self


class Ansible:
    """ansible-playbook with one collections root, this interpreter, and nothing from the developer's setup."""

    def __init__(self, collections_root: Path, python: str = sys.executable, env: dict[str, str] | None = None) -> None:
        self.collections_root = collections_root
        self.python = python
        self.binary = str(Path(python).with_name("ansible-playbook"))
        self.extra_env = env or {}

    def env(self, results_file: Path | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        """This collection only, no retry files, no colour, no proxies; the results callback unless results_file is None."""
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(_FOREIGN_ENV_PREFIXES) and name not in _FOREIGN_ENV}
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections_root),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_DIR),
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_HOST_KEY_CHECKING": "false",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_PYTHON_INTERPRETER": self.python,
            "NO_PROXY": "*",
            "no_proxy": "*",
        })
        if results_file:
            env.update({"ANSIBLE_STDOUT_CALLBACK": "docspace_results", "DOCSPACE_RESULTS_FILE": str(results_file)})
        env.update(self.extra_env)
        env.update(extra or {})
        return env

    def run(self, plays: list[dict[str, Any]], *args: str, inventory: Inventory = None, results: bool = True,
            env: dict[str, str] | None = None, extra_vars: dict[str, Any] | None = None,
            timeout: float = 600) -> PlaybookRun:
        """Write plays (and the inventory: default localhost) to files and run ansible-playbook on them.

        With results=False the default callback prints what a person would see (for -vvv searches).
        extra_vars go to a file passed with -e @file, where a user would keep secrets (a vault):
        ansible-core quotes the playbook lines around a failed task, so secrets written into tasks would be printed.
        """
        with tempfile.TemporaryDirectory(prefix="docspace-play-") as workdir:
            playbook = Path(workdir, "play.yml")
            playbook.write_text(yaml.safe_dump(plays, sort_keys=False, width=1000))
            inventory_file = _write_inventory(Path(workdir), inventory)
            if extra_vars:
                Path(workdir, "vars.yml").write_text(yaml.safe_dump(extra_vars))
                args = ("-e", "@" + str(Path(workdir, "vars.yml")), *args)
            results_file = Path(workdir, "results.json") if results else None
            command = [self.binary, "-i", str(inventory_file), str(playbook), *args]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=workdir,
                                       env=self.env(results_file, env), check=False)
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            text = results_file.read_text() if results_file and results_file.exists() else ""
        document = json.loads(text) if text else {}
        tasks = [TaskRecord(t["name"], t["action"], t["start"], t["hosts"]) for t in document.get("tasks", [])]
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return PlaybookRun(completed.returncode, completed.stdout, completed.stderr, tasks, document.get("stats", {}),
                           wall, cpu, text)


def _write_inventory(workdir: Path, inventory: Inventory) -> Path:
    """An INI text as it is; host variables as YAML, every host reached with the local connection."""
    if isinstance(inventory, str):
        path = workdir / "inventory.ini"
        path.write_text(inventory)
        return path
    hosts = {name: {"ansible_connection": "local", **hostvars} for name, hostvars in (inventory or {"localhost": {}}).items()}
    path = workdir / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    return path
