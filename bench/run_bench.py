#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark driver; `nox -s bench` (make bench) sets up the venv and the collection tree and then calls this.

Exit status: 0 when everything ran (goals met or not: speed is reported, not enforced, unless --strict),
1 on breakage (a playbook failed, or a task sent other requests than SPEC.md says), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # docspace_harness

# pylint: disable=wrong-import-position  # the path above makes the package importable from any cwd
from docspace_bench import fleet, import_cost, report, requests_per_task, task_times, test_latency
from docspace_bench.fixtures import EMULATOR_ACTIONS
from docspace_harness.emulator import EmulatorProcess
from docspace_harness.playbook import Ansible

SECTIONS = ("requests", "task_times", "import_cost", "test_latency", "fleet")


def _sizes(quick: bool) -> dict[str, Any]:
    """How much of everything: --quick keeps the whole run (set-up excluded) to about two minutes."""
    if quick:
        return {"cycles": 3, "import_reps": 3, "latency_runs": 3, "fleet_sizes": [10],
                "fleet_reps": 1, "configure_size": 10, "pipelining": False}
    return {"cycles": 25, "import_reps": 15, "latency_runs": 20, "fleet_sizes": [10, 50, 100],
            "fleet_reps": 3, "configure_size": 100, "pipelining": True}


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def _ansible_core_version() -> str:
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel  # only for the report
    return __version__


def main() -> int:
    """Parse options, run the chosen sections, write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections-root", type=Path,
                        help="directory holding ansible_collections/onlyoffice/docspace")
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="only rewrite the Markdown report and the plot from an earlier JSON result")
    parser.add_argument("--quick", action="store_true", help="small sizes: checks that the benchmark works")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only these sections")
    parser.add_argument("--strict", action="store_true", help="also exit 1 when a speed goal is missed")
    options = parser.parse_args()
    if options.render:
        saved = json.loads(options.render.read_text())
        for path in report.write(saved, options.render.parent, options.render.stem):
            print(f"wrote {path}")
        return 0
    if options.collections_root is None:
        parser.error("--collections-root is required")
    collection = options.collections_root / "ansible_collections" / "onlyoffice" / "docspace"
    if not (collection / "galaxy.yml").is_file():
        parser.error(f"{collection} does not hold the collection")
    sizes = _sizes(options.quick)
    sections = options.only or list(SECTIONS)
    # emulator_request for the emulator's set-up without a module run (fixtures.control_tasks); no deprecation
    # warnings in the measured output.
    ansible = Ansible(options.collections_root.resolve(), env={
        "ANSIBLE_ACTION_PLUGINS": str(EMULATOR_ACTIONS),
        "ANSIBLE_DEPRECATION_WARNINGS": "false"})
    started = time.monotonic()
    results: dict[str, Any] = {"meta": {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "quick": options.quick,
        "cpus": os.cpu_count(), "python": platform.python_version(), "ansible_core": _ansible_core_version(),
        "load_before": _load(), "sizes": sizes, "sections": sections}}

    def timed(name: str, action: Callable[[], Any]) -> None:
        print(f"==> {name}", flush=True)
        section_started = time.monotonic()
        results[name] = action()
        results["meta"].setdefault("section_seconds", {})[name] = time.monotonic() - section_started
        print(f"    done in {time.monotonic() - section_started:.0f} s", flush=True)

    try:
        if {"requests", "task_times", "test_latency"} & set(sections):
            with EmulatorProcess("--portals", "1") as emulator:
                if "requests" in sections:
                    timed("requests", lambda: requests_per_task.measure(ansible, emulator))
                if "task_times" in sections:
                    timed("task_times", lambda: task_times.measure(ansible, emulator, sizes["cycles"]))
                if "test_latency" in sections:
                    timed("test_latency", lambda: test_latency.measure(ansible, emulator, sizes["latency_runs"]))
        if "import_cost" in sections:
            timed("import_cost", lambda: import_cost.measure(sys.executable, options.collections_root.resolve(),
                                                             sizes["import_reps"]))
        if "fleet" in sections:
            fleet_portals = max(sizes["fleet_sizes"] + [sizes["configure_size"]])
            with EmulatorProcess("--portals", str(fleet_portals)) as emulator:
                timed("fleet", lambda: fleet.measure(ansible, emulator, sizes["fleet_sizes"], sizes["fleet_reps"],
                                                     sizes["configure_size"], pipelining=sizes["pipelining"]))
    except (RuntimeError, OSError, KeyError, ValueError) as error:
        print(f"benchmark broken: {error}", file=sys.stderr)
        return 1
    results["meta"]["duration"] = time.monotonic() - started
    results["meta"]["load_after"] = _load()
    stem = "bench-quick" if options.quick else "bench"
    for path in report.write(results, options.out, stem):
        print(f"wrote {path}")
    print(report.markdown(results).split("## 1.", maxsplit=1)[0])
    broken = [row for row in results.get("requests", []) if row["met"] is False]
    if broken:
        print(f"requests differ from SPEC.md: {[row['scenario'] for row in broken]}", file=sys.stderr)
        return 1
    if options.strict and not all(goal["met"] for goal in results["goals"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
