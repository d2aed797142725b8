# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Figure 5: the role over a fleet of emulated portals, one inventory host per portal, forks 20.

Before each run half of the portals (the even ones) hold the wanted configuration and the other half the
installation default, so an audit finds drift on half of the fleet and a configure run changes (and
tests) half of it. Each run is a whole ansible-playbook process, start-up included, as a user would time it.
"""

from __future__ import annotations

import statistics
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from docspace_harness.emulator import EmulatorProcess, Portal, count_requests
from .fixtures import smtp_config, to_dto
from docspace_harness.playbook import Ansible

FORKS = 20
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _inventory(ansible: Ansible, portals: list[Portal]) -> str:
    lines = ["[portals]"]
    for portal in portals:
        lines.append(f"{portal.name} docspace_base_url={portal.base_url} docspace_api_key={portal.api_key}")
    lines += ["", "[portals:vars]", "ansible_connection=local", f"ansible_python_interpreter={ansible.python}"]
    return "\n".join(lines) + "\n"


def _plays(info: dict[str, Any]) -> list[dict[str, Any]]:
    role_vars = {f"docspace_smtp_{name}": value for name, value in smtp_config(info, "A").items()}
    return [{"name": "SMTP settings across the fleet", "hosts": "portals", "gather_facts": False,
             "vars": role_vars, "roles": ["onlyoffice.docspace.smtp"]}]


def _prepare(emulator: EmulatorProcess, portals: list[Portal]) -> None:
    """Even portals in sync, odd ones at the installation default; empty logs and mailboxes."""
    wanted = to_dto(smtp_config(emulator.info, "A"))

    def one(indexed: tuple[int, Portal]) -> None:
        index, portal = indexed
        portal.reset()
        if index % 2 == 0:
            portal.set_settings(wanted)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(one, enumerate(portals)))


def _collect(portals: list[Portal]) -> list[dict[str, int]]:
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda portal: count_requests(portal.requests_log()), portals))


def _run_once(ansible: Ansible, emulator: EmulatorProcess, size: int, check: bool,
              prepare: bool = True, env: dict[str, str] | None = None) -> dict[str, Any]:
    portals = emulator.all_portals()[:size]
    if prepare:
        _prepare(emulator, portals)
    else:
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(lambda portal: portal.clear_log(), portals))
    args = ["--forks", str(FORKS)] + (["--check", "--diff"] if check else [])
    emulator_cpu_before = emulator.cpu_seconds()
    run = ansible.run(_plays(emulator.info), *args, inventory=_inventory(ansible, portals), env=env,
                      timeout=1800).check()
    # The portals are remote in real use: what the emulator spends here is taken from the controller measured.
    emulator_cpu = emulator.cpu_seconds() - emulator_cpu_before
    counts = _collect(portals)
    total = sum(sum(c.values()) for c in counts)
    writes = sum(n for c in counts for key, n in c.items() if key.split()[0] in WRITES)
    changed = sum(1 for host in run.stats.values() if host.get("changed"))
    first = min(task.start for task in run.tasks)
    last = max(task.end for task in run.tasks)
    spans: dict[str, float] = {}
    for task in run.tasks:
        spans[task.name] = spans.get(task.name, 0.0) + task.duration
    return {"portals": size, "check": check, "wall": run.wall, "per_portal": run.wall / size,
            "cpu": run.cpu, "cpu_per_portal": run.cpu / size, "emulator_cpu": emulator_cpu, "tasks_span": last - first,
            "tasks_per_portal": (last - first) / size, "task_spans": spans, "startup_and_teardown": run.wall - (last - first),
            "requests_per_portal": total / size, "writes": writes, "changed_hosts": changed,
            "requests_by_kind": _sum_counts(counts)}


def _sum_counts(counts: list[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for one in counts:
        for key, value in one.items():
            total[key] = total.get(key, 0) + value
    return total


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time, plus every repetition's wall time."""
    ordered = sorted(runs, key=lambda run: run["wall"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["walls"] = [run["wall"] for run in runs]
    chosen["repetitions"] = len(runs)
    return chosen


def measure(ansible: Ansible, emulator: EmulatorProcess, sizes: list[int], repetitions: int,
            configure_size: int, pipelining: bool = False) -> dict[str, Any]:
    """Audits at every size (median of repetitions), then a configure run and a re-run at configure_size.

    With pipelining, the largest audit is repeated with ANSIBLE_PIPELINING=1 (a setting users can choose).
    """
    audits = [_median_run([_run_once(ansible, emulator, size, check=True) for _attempt in range(repetitions)])
              for size in sizes]
    configure = _run_once(ansible, emulator, configure_size, check=False)
    rerun = _run_once(ansible, emulator, configure_size, check=False, prepare=False)
    extras = {}
    if pipelining:
        extras["audit, ANSIBLE_PIPELINING=1"] = _median_run(
            [_run_once(ansible, emulator, sizes[-1], check=True, env={"ANSIBLE_PIPELINING": "1"})])
    smallest, largest = audits[0], audits[-1]
    return {"forks": FORKS, "audits": audits, "configure": configure, "rerun": rerun, "extras": extras,
            "per_portal_growth": largest["per_portal"] / smallest["per_portal"] - 1,
            "marginal_per_portal": _marginal(audits)}


def _marginal(audits: list[dict[str, Any]]) -> float | None:
    """Seconds each extra portal adds (slope of wall time over fleet size, least squares)."""
    if len(audits) < 2:
        return None
    sizes = [run["portals"] for run in audits]
    walls = [run["wall"] for run in audits]
    mean_size, mean_wall = statistics.fmean(sizes), statistics.fmean(walls)
    spread = sum((size - mean_size) ** 2 for size in sizes)
    return sum((s - mean_size) * (w - mean_wall) for s, w in zip(sizes, walls)) / spread if spread else None
