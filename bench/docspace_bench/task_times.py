# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Figure 2: wall time per task of smtp_settings against ansible.builtin.ping and the uri way, in one run.

One playbook holds, per round, a block of repeated operations for every variant (interleaved, so that
machine noise hits all of them alike). An operation's cost is the time from its first task's start to the
next operation's first task's start: the module run plus all of Ansible's per-task overhead, which is what
a user waits for. The first operation of each block is a warm-up and is not counted.
"""

from __future__ import annotations

import statistics
from typing import Any, Callable

from .emulator import EmulatorProcess, Portal
from .fixtures import connection, control_task, smtp_config, to_dto, uri_way
from .playbook import Ansible

Builder = Callable[[int, str], list[dict[str, Any]]]


def _variants(info: dict[str, Any], portal: Portal) -> dict[str, tuple[str | None, Builder]]:
    """name → (configuration stored before the block, op builder(index, tag) → tasks)."""
    key = connection(portal)
    a, b = smtp_config(info, "A"), smtp_config(info, "B")
    settings = "onlyoffice.docspace.smtp_settings"

    def alternate(index: int) -> dict[str, Any]:
        return a if index % 2 == 0 else b  # stored B first, so every op changes something

    return {
        "ping (floor)": (None, lambda i, tag: [{"name": f"op {tag}", "ansible.builtin.ping": {}}]),
        "smtp_settings unchanged": ("A", lambda i, tag: [{"name": f"op {tag}", settings: {**key, **a}}]),
        "smtp_settings changed": ("B", lambda i, tag: [{"name": f"op {tag}", settings: {**key, **alternate(i)}}]),
        "smtp_settings check mode (drift)": (
            "B", lambda i, tag: [{"name": f"op {tag}", settings: {**key, **a}, "check_mode": True}]),
        "uri way unchanged": ("A", lambda i, tag: _named(uri_way(portal, a, tag.replace(" ", "_")), tag)),
        "uri way changed": ("B", lambda i, tag: _named(uri_way(portal, alternate(i), tag.replace(" ", "_")), tag)),
    }


def _named(tasks: list[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    """Mark an op's first task so that its start can be found; the others keep their names."""
    tasks[0] = {**tasks[0], "name": f"op {tag}"}
    return tasks


def _plays(info: dict[str, Any], portal: Portal, rounds: int, per_block: int) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    for round_index in range(rounds):
        for variant_index, (name, (stored, build)) in enumerate(_variants(info, portal).items()):
            prefix = f"r{round_index} v{variant_index}"
            tasks.append(control_task(portal, f"setup {prefix}", reset=True,
                                      settings=to_dto(smtp_config(info, stored)) if stored else None))
            for op_index in range(per_block):
                tasks.extend(build(op_index, f"{prefix} o{op_index}"))
            tasks.append({"name": f"end {prefix}", "ansible.builtin.debug": {"msg": "block end"}})
    return [{"name": "task times", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


def _summary(samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    return {"median": statistics.median(ordered), "mean": statistics.fmean(ordered), "min": ordered[0],
            "max": ordered[-1], "p90": ordered[int(0.9 * (len(ordered) - 1))], "n": len(ordered)}


def measure(ansible: Ansible, emulator: EmulatorProcess, rounds: int, per_block: int) -> dict[str, Any]:
    """Per-op cost of every variant (median over rounds × (per_block - 1) samples) and the goal ratios."""
    portal = emulator.portal(0)
    variants = list(_variants(emulator.info, portal))
    run = ansible.run(_plays(emulator.info, portal, rounds, per_block), timeout=1800).check()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    statuses: dict[str, set[str]] = {name: set() for name in variants}
    starts = {task.name: index for index, task in enumerate(run.tasks)}
    for round_index in range(rounds):
        for variant_index, name in enumerate(variants):
            prefix = f"r{round_index} v{variant_index}"
            for op_index in range(1, per_block):
                this = run.tasks[starts[f"op {prefix} o{op_index}"]]
                following = f"op {prefix} o{op_index + 1}" if op_index + 1 < per_block else f"end {prefix}"
                samples[name].append(run.tasks[starts[following]].start - this.start)
                statuses[name].add(this.status())
    result = {name: {**_summary(values), "statuses": sorted(statuses[name])} for name, values in samples.items()}
    ping = result["ping (floor)"]["median"]
    ours_unchanged = result["smtp_settings unchanged"]["median"]
    ratios = {
        "unchanged_vs_ping": ours_unchanged / ping,
        "uri_vs_ours_unchanged": result["uri way unchanged"]["median"] / ours_unchanged,
        "uri_vs_ours_changed": result["uri way changed"]["median"] / result["smtp_settings changed"]["median"],
    }
    return {"variants": result, "ratios": ratios, "rounds": rounds, "per_block": per_block,
            "playbook_wall": run.wall}
