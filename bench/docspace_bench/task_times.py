# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Figure 2: wall time per task of smtp_settings against ansible.builtin.ping and the uri way, in one run.

One playbook repeats a cycle of one operation per variant, so that machine noise hits every variant alike,
and the cycle is built so that no set-up runs inside it: the portal holds configuration A at the start of
each cycle, the "changed" op of ours writes B and the "changed" op of the uri way writes A back.
An operation's cost is the time from its first task's start to the next operation's first task's start:
the module run plus all of Ansible's per-task overhead, which is what a user waits for. The first cycle
is a warm-up and is not counted. Ratios are the median of the per-cycle ratios (paired, so a slow
moment of the machine cancels out) and, for comparison, the ratio of the medians.
"""

from __future__ import annotations

import statistics
from typing import Any, Callable

from docspace_harness.emulator import EmulatorProcess, Portal
from .fixtures import connection, control_tasks, smtp_config, to_dto, uri_way
from docspace_harness.playbook import Ansible

Builder = Callable[[str], list[dict[str, Any]]]
PING = "ping (floor)"
UNCHANGED = "smtp_settings unchanged"
CHANGED = "smtp_settings changed"
URI_UNCHANGED = "uri way unchanged"
URI_CHANGED = "uri way changed"


def _variants(info: dict[str, Any], portal: Portal) -> dict[str, Builder]:
    """name → op builder(tag) → tasks, in cycle order (stored A before and after the cycle)."""
    key = connection(portal)
    a, b = smtp_config(info, "A"), smtp_config(info, "B")
    settings = "onlyoffice.docspace.smtp_settings"
    return {
        PING: lambda tag: [{"name": f"op {tag}", "ansible.builtin.ping": {}}],
        UNCHANGED: lambda tag: [{"name": f"op {tag}", settings: {**key, **a}}],
        "smtp_settings check mode (drift)": lambda tag: [
            {"name": f"op {tag}", settings: {**key, **b}, "check_mode": True}],
        URI_UNCHANGED: lambda tag: _named(uri_way(portal, a, tag.replace(" ", "_")), tag),
        CHANGED: lambda tag: [{"name": f"op {tag}", settings: {**key, **b}}],  # A → B
        URI_CHANGED: lambda tag: _named(uri_way(portal, a, tag.replace(" ", "_")), tag),  # B → A
    }


def _named(tasks: list[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    """Mark an op's first task so that its start can be found; the others keep their names."""
    tasks[0] = {**tasks[0], "name": f"op {tag}"}
    return tasks


def _plays(info: dict[str, Any], portal: Portal, cycles: int) -> list[dict[str, Any]]:
    tasks = control_tasks(portal, "setup", reset=True, settings=to_dto(smtp_config(info, "A")))
    for cycle in range(cycles):
        for index, build in enumerate(_variants(info, portal).values()):
            tasks.extend(build(f"c{cycle} v{index}"))
    tasks.append({"name": "op end", "ansible.builtin.debug": {"msg": "end"}})
    return [{"name": "task times", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


def _summary(samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    return {"median": statistics.median(ordered), "mean": statistics.fmean(ordered), "min": ordered[0],
            "max": ordered[-1], "p10": ordered[int(0.1 * (len(ordered) - 1))],
            "p90": ordered[int(0.9 * (len(ordered) - 1))], "n": len(ordered)}


def _ratio(costs: list[dict[str, float]], numerator: str, denominator: str) -> float:
    return statistics.median(cycle[numerator] / cycle[denominator] for cycle in costs)


def measure(ansible: Ansible, emulator: EmulatorProcess, cycles: int) -> dict[str, Any]:
    """Per-op cost of every variant over cycles - 1 counted cycles, and the goal ratios."""
    portal = emulator.portal(0)
    names = list(_variants(emulator.info, portal))
    run = ansible.run(_plays(emulator.info, portal, cycles), timeout=3600).check()
    ops = [task for task in run.tasks if task.name.startswith("op ")]
    costs: list[dict[str, float]] = []
    statuses: dict[str, set[str]] = {name: set() for name in names}
    for cycle in range(1, cycles):
        cost = {}
        for index, name in enumerate(names):
            position = cycle * len(names) + index
            cost[name] = ops[position + 1].start - ops[position].start
            statuses[name].add(ops[position].status())
        costs.append(cost)
    variants = {name: {**_summary([cycle[name] for cycle in costs]), "statuses": sorted(statuses[name])}
                for name in names}
    ratios = {
        "unchanged_vs_ping": _ratio(costs, UNCHANGED, PING),
        "uri_vs_ours_unchanged": _ratio(costs, URI_UNCHANGED, UNCHANGED),
        "uri_vs_ours_changed": _ratio(costs, URI_CHANGED, CHANGED),
    }
    of_medians = {
        "unchanged_vs_ping": variants[UNCHANGED]["median"] / variants[PING]["median"],
        "uri_vs_ours_unchanged": variants[URI_UNCHANGED]["median"] / variants[UNCHANGED]["median"],
        "uri_vs_ours_changed": variants[URI_CHANGED]["median"] / variants[CHANGED]["median"],
    }
    return {"variants": variants, "ratios": ratios, "ratios_of_medians": of_medians, "cycles": cycles,
            "counted_cycles": len(costs), "playbook_wall": run.wall}
