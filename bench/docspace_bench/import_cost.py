# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Figure 3: what a module costs to start: import time in a bare interpreter, and what dominates it."""

from __future__ import annotations

import os
import statistics
import subprocess
from pathlib import Path
from typing import Any

MODULES = {
    "ansible.builtin.ping (reference)": "ansible.modules.ping",
    "smtp_settings": "ansible_collections.onlyoffice.docspace.plugins.modules.smtp_settings",
    "smtp_settings_info": "ansible_collections.onlyoffice.docspace.plugins.modules.smtp_settings_info",
    "smtp_test": "ansible_collections.onlyoffice.docspace.plugins.modules.smtp_test",
}
# Imports whose cumulative time is reported on their own: the usual suspects of a module's start-up.
WATCHED = ["ansible.module_utils.basic", "requests", "urllib3", "charset_normalizer", "http.client", "ssl",
           "email.parser", "json"]
# Groups for "what the collection adds over ping": stdlib modules that requests pulls in count as "stdlib".
THIRD_PARTY = ("requests", "urllib3", "charset_normalizer", "idna", "certifi", "ansible_collections", "ansible")

TIMER = "import sys, time; t = time.perf_counter(); import {module}; sys.stdout.write(str(time.perf_counter() - t))"


def _env(collections_root: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(collections_root), "PYTHONDONTWRITEBYTECODE": "",
            "PYTHONWARNINGS": "ignore"}


def _import_seconds(python: str, module: str, env: dict[str, str]) -> float:
    completed = subprocess.run([python, "-c", TIMER.format(module=module)], capture_output=True, text=True,
                               env=env, check=True, timeout=60)
    return float(completed.stdout)


def _process_seconds(python: str, code: str, env: dict[str, str]) -> float:
    import time  # pylint: disable=import-outside-toplevel  # local: only this helper needs a wall clock
    started = time.perf_counter()
    subprocess.run([python, "-c", code], capture_output=True, env=env, check=True, timeout=60)
    return time.perf_counter() - started


def importtime(python: str, module: str, env: dict[str, str]) -> list[dict[str, Any]]:
    """`python -X importtime -c "import module"` as [{name, self_us, cumulative_us, depth}] (warm cache)."""
    completed = subprocess.run([python, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                               text=True, env=env, check=True, timeout=60)
    rows = []
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = (part.strip() for part in line[len("import time:"):].split("|"))
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append({"name": name.strip(), "self_us": int(self_us), "cumulative_us": int(cumulative_us),
                     "depth": depth})
    return rows


def _median_rows(runs: list[list[dict[str, Any]]]) -> dict[str, dict[str, float]]:
    """Per module name: median self and cumulative ms over several importtime runs."""
    names = {row["name"] for rows in runs for row in rows}
    merged = {}
    for name in names:
        selfs = [row["self_us"] for rows in runs for row in rows if row["name"] == name]
        cumulatives = [row["cumulative_us"] for rows in runs for row in rows if row["name"] == name]
        merged[name] = {"self_ms": statistics.median(selfs) / 1000,
                        "cumulative_ms": statistics.median(cumulatives) / 1000}
    return merged


def _group(name: str) -> str:
    top = name.split(".", maxsplit=1)[0]
    return top if top in THIRD_PARTY else "stdlib"


def _extra_over(reference: dict[str, dict[str, float]], rows: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Modules imported here but not by the reference, with their self time grouped by package."""
    extra = {name: data for name, data in rows.items() if name not in reference}
    groups: dict[str, float] = {}
    for name, data in extra.items():
        groups[_group(name)] = groups.get(_group(name), 0.0) + data["self_ms"]
    return {"count": len(extra), "self_ms": sum(data["self_ms"] for data in extra.values()),
            "by_package_ms": dict(sorted(groups.items(), key=lambda item: -item[1])),
            "top": [{"name": name, "self_ms": data["self_ms"]}
                    for name, data in sorted(extra.items(), key=lambda item: -item[1]["self_ms"])[:10]]}


def measure(python: str, collections_root: Path, repetitions: int) -> dict[str, Any]:
    """Median import time per module, bare interpreter start-up, and the importtime breakdown."""
    env = _env(collections_root)
    for module in MODULES.values():  # warm the bytecode cache, as a second run of a module would find it
        _import_seconds(python, module, env)
    bare = [_process_seconds(python, "pass", env) for _attempt in range(repetitions)]
    result: dict[str, Any] = {"interpreter_startup_ms": statistics.median(bare) * 1000, "repetitions": repetitions,
                              "modules": {}}
    # Repetitions outside, modules inside: a busy moment of the machine then hits every module alike.
    seconds: dict[str, list[float]] = {label: [] for label in MODULES}
    process: dict[str, list[float]] = {label: [] for label in MODULES}
    for _attempt in range(repetitions):
        for label, module in MODULES.items():
            seconds[label].append(_import_seconds(python, module, env))
            process[label].append(_process_seconds(python, f"import {module}", env))
    reference: dict[str, dict[str, float]] = {}
    for label, module in MODULES.items():
        rows = _median_rows([importtime(python, module, env) for _attempt in range(max(3, repetitions // 2))])
        if not reference:
            reference = rows
        result["modules"][label] = {
            "import_ms": statistics.median(seconds[label]) * 1000,
            "import_min_ms": min(seconds[label]) * 1000,
            "process_ms": statistics.median(process[label]) * 1000,
            "modules_imported": len(rows),
            "watched_cumulative_ms": {name: rows[name]["cumulative_ms"] for name in WATCHED if name in rows},
            "extra_over_ping": _extra_over(reference, rows),
        }
    ping = result["modules"]["ansible.builtin.ping (reference)"]["import_ms"]
    for data in result["modules"].values():
        data["extra_over_ping_ms"] = data["import_ms"] - ping
    return result
