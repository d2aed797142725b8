# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run one ansible-playbook process and read back the bench_timing callback's record of it."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BENCH_DIR = Path(__file__).resolve().parents[1]


@dataclass
class TaskRecord:
    """One task as the callback saw it."""

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
        """The result of one host (the only one when host is None)."""
        record = self.hosts[host] if host else next(iter(self.hosts.values()))
        return record["result"]

    def status(self, host: str | None = None) -> str:
        """ok / changed / skipped / failed / unreachable."""
        record = self.hosts[host] if host else next(iter(self.hosts.values()))
        return record["status"]


@dataclass
class PlaybookRun:
    """What one ansible-playbook process did, and how long it took."""

    rc: int
    wall: float
    cpu: float  # user + system seconds of ansible-playbook and every process it started
    stdout: str
    stderr: str
    tasks: list[TaskRecord] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def named(self, prefix: str) -> list[TaskRecord]:
        """Tasks whose name starts with prefix, in order."""
        return [task for task in self.tasks if task.name.startswith(prefix)]

    def failures(self) -> list[str]:
        """One line per failed host result, for error messages."""
        lines = []
        for task in self.tasks:
            for host, record in task.hosts.items():
                if record["status"] in ("failed", "unreachable"):
                    lines.append(f"{task.name} [{host}]: {record['result'].get('msg', record['result'])}")
        return lines

    def check(self) -> "PlaybookRun":
        """Raise with the output when the run failed."""
        if self.rc != 0:
            details = "\n".join(self.failures()[:5]) or (self.stdout + self.stderr)[-3000:]
            raise RuntimeError(f"ansible-playbook failed (rc {self.rc}):\n{details}")
        return self


class Ansible:
    """ansible-playbook with this checkout's collection, the bench venv's Python and the timing callback."""

    def __init__(self, collections_root: Path, python: str = sys.executable) -> None:
        self.collections_root = collections_root
        self.python = python
        self.binary = str(Path(python).with_name("ansible-playbook"))

    def env(self, timing_file: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Environment that isolates the run from the developer's own Ansible and DocSpace settings."""
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("DOCSPACE_", "ANSIBLE_"))}
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections_root),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
            "ANSIBLE_CALLBACK_PLUGINS": str(BENCH_DIR / "callback_plugins"),
            "ANSIBLE_ACTION_PLUGINS": str(BENCH_DIR / "action_plugins"),
            "ANSIBLE_STDOUT_CALLBACK": "bench_timing",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_HOST_KEY_CHECKING": "false",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_PYTHON_INTERPRETER": self.python,
            "ANSIBLE_DEPRECATION_WARNINGS": "false",
            "BENCH_TIMING_FILE": str(timing_file),
        })
        env.update(extra or {})
        return env

    def run(self, plays: list[dict[str, Any]], *args: str, inventory: str | None = None,
            env: dict[str, str] | None = None, timeout: float = 600) -> PlaybookRun:
        """Write plays (and an inventory text, default: localhost only) to files and run them."""
        with tempfile.TemporaryDirectory(prefix="docspace-bench-") as workdir:
            playbook = Path(workdir, "play.yml")
            playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
            inventory_file = Path(workdir, "inventory.ini")
            inventory_file.write_text(inventory or f"localhost ansible_connection=local "
                                                   f"ansible_python_interpreter={self.python}\n")
            timing_file = Path(workdir, "timing.json")
            command = [self.binary, "-i", str(inventory_file), str(playbook), *args]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=workdir,
                                       env=self.env(timing_file, env), check=False)
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            document = json.loads(timing_file.read_text()) if timing_file.exists() else {}
        tasks = [TaskRecord(t["name"], t["action"], t["start"], t["hosts"]) for t in document.get("tasks", [])]
        return PlaybookRun(completed.returncode, wall, cpu, completed.stdout, completed.stderr, tasks,
                           document.get("stats", {}))


def median(values: list[float]) -> float:
    """statistics.median that tolerates an empty list (NaN)."""
    return statistics.median(values) if values else float("nan")
