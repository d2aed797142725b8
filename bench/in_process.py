# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The two ways a local task runs, side by side in one benchmark run: in Ansible's worker (the default) and
shipped as a module process (DOCSPACE_IN_PROCESS=false).

Per task: one playbook per path repeats a cycle of ansible.builtin.ping, ansible.builtin.debug, an
unchanged smtp_settings task and the reference module (bench/reference) with the same options, once with
only ansible-core's option checks and once with one GET through requests; the two paths' playbooks
alternate, so machine noise hits both alike; an operation's cost is the time from its start to the next
operation's start (bench_timing callback), the first cycle is a warm-up, ratios are medians of per-cycle
ratios. The reference module runs through the same action path, so its two rows show what any module with
these options costs there, and what is left is the collection's own code.
Fleet: the role's audit (--check --diff, --forks 20) over N portals in each path, one GET per portal and no
write checked on the emulator's request logs; the role's own per-host tasks (argument validation, the
skipped test) are reported from the per-task spans. Right after the in-process audit, Ansible's floor for the
same fleet, inventory and variables: three tasks per host, two debug tasks and one skipped (the goal: the audit
at most 1.4x its wall time); then the same with the role's argument validation (ansible-core's
validate_argument_spec with the role's spec) instead of the first debug task, which shows how much of the
audit is that validation, a task the role cannot shed.
Cores: with --core PYTHON (a virtualenv's interpreter with another ansible-core), every measurement runs on
this interpreter's ansible-core and on each other one, interleaved (per round, per fleet size), so that the
cores are compared side by side under the same machine noise. `nox -s bench-cores` runs it on the default
core and the newest tested one.

Run with the benchmark's virtualenv, on a collection laid out as `nox -s bench` lays it out (tests/docspace_harness/collection.py):
    python bench/in_process.py --collections-root BUILD [--portals 100 1000] [--cycles 15] [--shipped-max 100]
                               [--core OTHER_VENV/bin/python ...] [--slices 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # docspace_harness
# pylint: disable=wrong-import-position  # the path above makes the package importable from any cwd
from docspace_bench import fleet
import slices
from docspace_harness.emulator import EmulatorProcess, Portal
from docspace_bench.fixtures import EMULATOR_ACTIONS, connection, control_tasks, smtp_config, to_dto
from docspace_harness.playbook import Ansible

PATHS = {"in-process": {}, "shipped": {"DOCSPACE_IN_PROCESS": "false"}}
PING, DEBUG, OURS = "ansible.builtin.ping", "ansible.builtin.debug", "smtp_settings unchanged"
CHECKS, GET = "reference: option checks", "reference: option checks + requests GET"
OPERATIONS = (PING, DEBUG, OURS, CHECKS, GET)
GOALS = {"ours / ping": 0.4, "ours / debug": 1.5}
# The reference module's collection (bench/reference), beside the collection measured.
REFERENCE_ROOT = Path(__file__).resolve().parent / "reference"
FLEET_GOALS = {100: 8.0, 1000: 80.0}
FLOOR = "three-task floor (2 debug, 1 skipped)"
VALIDATED = "floor with the role's argument validation (validate_argument_spec, debug, skipped)"
FLOOR_GOAL = 1.4


def _cycle_plays(info: dict[str, Any], portal: Portal, cycles: int) -> list[dict[str, Any]]:
    options = {**connection(portal), **smtp_config(info, "A")}
    ops: dict[str, dict[str, Any]] = {PING: {"ansible.builtin.ping": {}}, DEBUG: {"ansible.builtin.debug": {"msg": "hello"}},
                                      OURS: {"onlyoffice.docspace.smtp_settings": options},
                                      CHECKS: {"docspace_bench.reference.module_floor": options},
                                      GET: {"docspace_bench.reference.module_floor": {**options, "send_get": True}}}
    tasks = control_tasks(portal, "setup", reset=True, settings=to_dto(smtp_config(info, "A")))
    for cycle in range(cycles):
        tasks += [{"name": f"op c{cycle} {name}", **op} for name, op in ops.items()]
    tasks.append({"name": "op end", "ansible.builtin.debug": {"msg": "end"}})
    return [{"name": "per task", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


def _costs(run: Any) -> list[dict[str, float]]:
    """Per counted cycle: every operation's cost in seconds."""
    ops = [task for task in run.tasks if task.name.startswith("op ")]
    per_cycle = len(OPERATIONS)
    costs = []
    for start in range(per_cycle, len(ops) - 1, per_cycle):  # cycle 0 is the warm-up
        costs.append({ops[start + i].name.split(" ", 2)[2]: ops[start + i + 1].start - ops[start + i].start
                      for i in range(per_cycle)})
    return costs


def per_task(cores: dict[str, Ansible], emulator: EmulatorProcess, cycles: int, rounds: int) -> dict[str, Any]:
    """Each core's per-task costs and ratios in both paths; cores and paths alternate `rounds` times."""
    portal = emulator.portal(0)
    costs: dict[str, dict[str, list[dict[str, float]]]] = {core: {path: [] for path in PATHS} for core in cores}
    for _round in range(rounds):
        for core, ansible in cores.items():
            with_reference = {"ANSIBLE_COLLECTIONS_PATH": os.pathsep.join((str(ansible.collections_root),
                                                                           str(REFERENCE_ROOT)))}
            for path, env in PATHS.items():
                run = ansible.run(_cycle_plays(emulator.info, portal, cycles), env={**env, **with_reference},
                                  timeout=1800).check()
                costs[core][path] += _costs(run)
    return {core: _per_task_figures(samples) for core, samples in costs.items()}


def _per_task_figures(costs: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, samples in costs.items():
        out[path] = {
            "median_seconds": {name: statistics.median(c[name] for c in samples) for name in OPERATIONS},
            "ours / ping": statistics.median(c[OURS] / c[PING] for c in samples),
            "ours / debug": statistics.median(c[OURS] / c[DEBUG] for c in samples),
            "reference / debug": {name: statistics.median(c[name] / c[DEBUG] for c in samples) for name in (CHECKS, GET)},
            "cycles": len(samples)}
    out["shipped / in-process (ours)"] = (out["shipped"]["median_seconds"][OURS]
                                          / out["in-process"]["median_seconds"][OURS])
    return out


def audit(ansible: Ansible, emulator: EmulatorProcess, size: int,
          shipped_max: int) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    """The role's audit over `size` portals in each path, the shipped one up to shipped_max portals
    (fleet._run_once: prepared portals, request counts), and Ansible's floors for the same fleet."""
    out = {}
    floors: dict[str, dict[str, float]] = {}
    for path, env in PATHS.items():
        if path == "shipped" and size > shipped_max:
            continue
        run = fleet._run_once(ansible, emulator, size, check=True, env=env)  # pylint: disable=protected-access
        out[path] = {key: run[key] for key in ("wall", "cpu", "emulator_cpu", "per_portal", "requests_per_portal", "writes",
                                               "requests_by_kind", "task_spans", "startup_and_teardown")}
        if path == "in-process":
            # Right after it, so that the machine's speed at the time is the same for all three.
            floors = {name: floor(ansible, emulator, size, tasks) for name, tasks in _floor_tasks(ansible).items()}
    return out, floors


def _floor_tasks(ansible: Ansible) -> dict[str, list[dict[str, Any]]]:
    """Ansible's own cost of three tasks per host: two debug tasks and one skipped as the role's test is in
    check mode (FLOOR, the goal's measure); and the same with the role's argument validation as the first task
    (VALIDATED: what ansible-core's validate_argument_spec of the role's spec adds, which the role cannot shed)."""
    role = ansible.collections_root / "ansible_collections" / "onlyoffice" / "docspace" / "roles" / "smtp"
    spec = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]
    debug = {"name": "debug", "ansible.builtin.debug": {"msg": "hello"}}
    skipped = {"name": "skipped", "ansible.builtin.debug": {"msg": "skipped"}, "when": "not ansible_check_mode"}
    validate = {"name": "validate", "ansible.builtin.validate_argument_spec": {"argument_spec": spec["options"]}}
    return {FLOOR: [debug, debug, skipped], VALIDATED: [validate, debug, skipped]}


def floor(ansible: Ansible, emulator: EmulatorProcess, size: int, tasks: list[dict[str, Any]]) -> dict[str, float]:
    """Wall and CPU time of these tasks over `size` portals, with the audit's inventory, variables and options."""
    portals = emulator.all_portals()[:size]
    play = fleet._plays(emulator.info)[0]  # pylint: disable=protected-access
    plays = [{"name": "Ansible's floor", "hosts": "portals", "gather_facts": False, "vars": play["vars"], "tasks": tasks}]
    run = ansible.run(plays, "--forks", str(fleet.FORKS), "--check", "--diff",
                      inventory=fleet._inventory(ansible, portals), timeout=1800).check()  # pylint: disable=protected-access
    return {"wall": run.wall, "cpu": run.cpu}


def _print(results: dict[str, Any]) -> None:
    for core, measured in results["cores"].items():
        print(f"\n===== ansible-core {core}")
        _print_core(measured)


def _print_core(results: dict[str, Any]) -> None:
    print("\nper task (median seconds; ratios are medians of per-cycle ratios)")
    print(f"{'path':<12} {'ping':>7} {'debug':>7} {'ours':>7} {'ours/ping':>10} {'ours/debug':>11}")
    for path in PATHS:
        row = results["per_task"][path]
        seconds = row["median_seconds"]
        print(f"{path:<12} {seconds[PING]:7.3f} {seconds[DEBUG]:7.3f} {seconds[OURS]:7.3f} "
              f"{row['ours / ping']:10.2f} {row['ours / debug']:11.2f}")
    print(f"goals (in-process): ours/ping <= {GOALS['ours / ping']}, ours/debug <= {GOALS['ours / debug']}")
    for path in PATHS:
        row = results["per_task"][path]
        reference = ", ".join(f"{name.split(': ')[1]} {row['median_seconds'][name]:.3f} s ({ratio:.2f}x debug)"
                              for name, ratio in row["reference / debug"].items())
        print(f"reference module with the same options, {path}: {reference}")
    for size, paths in results.get("audits", {}).items():
        print(f"\nrole audit, {size} portals, --check --diff, --forks {fleet.FORKS} (goal in-process <= "
              f"{FLEET_GOALS.get(int(size), '-')} s)")
        floors = results["floors"][size]
        for name, base in floors.items():
            print(f"  {name}: wall {base['wall']:6.1f} s  cpu {base['cpu']:6.1f} s; "
                  f"in-process / this: wall {paths['in-process']['wall'] / base['wall']:.2f}, "
                  f"cpu {paths['in-process']['cpu'] / base['cpu']:.2f}")
        print(f"  goal: in-process / {FLOOR} <= {FLOOR_GOAL} (wall)")
        for path, run in paths.items():
            spans = ", ".join(f"{name} {seconds:.1f}" for name, seconds in sorted(run["task_spans"].items()))
            print(f"  {path:<11} wall {run['wall']:6.1f} s  cpu {run['cpu']:6.1f} s (emulator {run['emulator_cpu']:.1f} s)  "
                  f"{run['per_portal'] * 1000:5.0f} "
                  f"ms/portal  requests/portal {run['requests_per_portal']:.2f}  writes {run['writes']}")
            print(f"              task spans (s, summed over hosts): {spans}")


def core_version(python: str) -> str:
    """The ansible-core release installed for this interpreter."""
    return subprocess.run([python, "-c", "import ansible.release; print(ansible.release.__version__)"],
                          capture_output=True, text=True, check=True).stdout.strip()


def main() -> int:
    """Measure, print, and write the JSON result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections-root", type=Path, required=True)
    parser.add_argument("--portals", type=int, nargs="*", default=[100])
    parser.add_argument("--cycles", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--shipped-max", type=int, default=100,
                        help="largest fleet audited in the shipped path too (it takes ~0.3 s per portal)")
    parser.add_argument("--core", action="append", default=[], metavar="PYTHON",
                        help="the interpreter of a virtualenv with another ansible-core, measured side by side")
    parser.add_argument("--slices", type=int, default=0, metavar="N",
                        help="also audit the largest fleet as N AWX job slices, 2 at a time, and merge their parts "
                             "(bench/slices.py), on this interpreter's ansible-core")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "in-process.json")
    options = parser.parse_args()
    env = {"ANSIBLE_ACTION_PLUGINS": str(EMULATOR_ACTIONS), "ANSIBLE_DEPRECATION_WARNINGS": "false"}
    cores = {core_version(python): Ansible(options.collections_root.resolve(), python=python, env=env)
             for python in (sys.executable, *options.core)}
    started = time.monotonic()
    results: dict[str, Any] = {"meta": {"cpus": os.cpu_count(), "load_before": os.getloadavg()},
                               "cores": {core: {"audits": {}, "floors": {}} for core in cores}}
    with EmulatorProcess("--portals", str(max([1, *options.portals]))) as emulator:
        for core, figures in per_task(cores, emulator, options.cycles, options.rounds).items():
            results["cores"][core]["per_task"] = figures
        for size in options.portals:
            for core, ansible in cores.items():
                paths, floor_run = audit(ansible, emulator, size, options.shipped_max)
                results["cores"][core]["audits"][str(size)], results["cores"][core]["floors"][str(size)] = paths, floor_run
        if options.slices:
            with tempfile.TemporaryDirectory(prefix="docspace-slices-") as workdir:
                results["slices"] = slices.measure(cores[core_version(sys.executable)], emulator, max(options.portals),
                                                   options.slices, 2, Path(workdir))
    results["meta"].update(load_after=os.getloadavg(), seconds=time.monotonic() - started)
    _print(results)
    if "slices" in results:
        slices.print_result(results["slices"])
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nwrote {options.out}")
    failures = [f"ansible-core {core}, {size} portals, {path}: {run['requests_by_kind']}"
                for core, measured in results["cores"].items() for size, paths in measured["audits"].items()
                for path, run in paths.items() if run["writes"] or run["requests_per_portal"] != 1]
    if "slices" in results and not slices.complete(results["slices"]):
        failures.append("the merged report of the slices is not the unsliced audit's")
    for failure in failures:
        print(f"not one GET per portal: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
