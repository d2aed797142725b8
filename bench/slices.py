# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One audit of N portals run whole and as AWX job slices, and the merge of the slices' report parts.

Unsliced: the role's audit (--check --diff, --forks 20) over N portals, with the smtp_report callback writing one
report part. Sliced: the same audit as an AWX sliced job runs it - the hosts ordered by name and dealt round-robin
(slice i of n takes hosts[i::n], awx/main/models/inventory.py get_sliced_hosts), each slice an ansible-playbook
run of its own with awx_job_id and the shared awx_workflow_job_id as extra variables, --parallel slices at a time
(AWX runs a workflow's jobs as its capacity allows) - each writing its part. Then the merge: the collection's
merge of the parts against the inventory (plugin_utils/_smtp_report.merge_parts, the smtp_report_merge filter's
work; goal under 1 s) and the whole smtp_report_merge playbook as a user runs it. Wall and CPU time of each
phase; the CPU of the portals' emulator is left out (real portals are remote). Exit status 1 when the merged
report does not hold every portal exactly once, or differs from the unsliced one.

Run with the benchmark's virtualenv, on a collection laid out as `nox -s bench` lays it out:
    python bench/slices.py --collections-root BUILD [--portals 1000] [--slices 4] [--parallel 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # docspace_harness
# pylint: disable=wrong-import-position  # the paths above make the packages importable from any cwd
from docspace_bench import fleet
from docspace_bench.fixtures import EMULATOR_ACTIONS
from docspace_harness.emulator import EmulatorProcess, Portal
from docspace_harness.playbook import Ansible

REPORT_CALLBACK = {"ANSIBLE_CALLBACKS_ENABLED": "onlyoffice.docspace.smtp_report"}
WORKFLOW_JOB = 41


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _audit(ansible: Ansible, emulator: EmulatorProcess, portals: list[Portal], reports: Path,
           job: int | None = None) -> None:
    """One audit run over these portals, its report part written into `reports`."""
    env = {**REPORT_CALLBACK, "DOCSPACE_REPORT_DIR": str(reports)}
    extra = {"awx_job_id": job, "awx_workflow_job_id": WORKFLOW_JOB} if job is not None else None
    if extra is None:
        env["DOCSPACE_REPORT_AUDIT"] = "unsliced"
    ansible.run(fleet._plays(emulator.info), "--forks", str(fleet.FORKS), "--check", "--diff",  # pylint: disable=protected-access
                inventory=fleet._inventory(ansible, portals), env=env, extra_vars=extra,  # pylint: disable=protected-access
                timeout=3600).check()


def _phase(emulator: EmulatorProcess, work: Any) -> dict[str, float]:
    """Wall and CPU (this process's children, without the emulator's) of work()."""
    cpu, emulator_cpu, started = _children_cpu(), emulator.cpu_seconds(), time.perf_counter()
    work()
    return {"wall": time.perf_counter() - started,
            "cpu": _children_cpu() - cpu - (emulator.cpu_seconds() - emulator_cpu)}


def _merged(portals: list[Portal], reports: Path) -> tuple[Any, list[str]]:
    """The collection's merge of the parts in `reports` (the smtp_report_merge filter's work), and its three formats."""
    # pylint: disable-next=import-outside-toplevel  # the collection is importable once the tree is on sys.path
    from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _smtp_report
    parts = [json.loads(part.read_text()) for part in sorted(reports.glob("smtp-report-part-*.json"))]
    merged = _smtp_report.merge_parts(parts, [portal.name for portal in portals])
    return merged, [_smtp_report.render_json(merged.rows, merged.meta), _smtp_report.render_markdown(merged.rows, merged.meta),
                    _smtp_report.render_html(merged.rows, merged.meta)]


def _merge(ansible: Ansible, portals: list[Portal], reports: Path) -> dict[str, Any]:
    """The merge, timed as the filter's work alone and as the whole playbook; the merged rows."""
    started = time.perf_counter()
    merged, rendered = _merged(portals, reports)
    merge_seconds = time.perf_counter() - started
    play = ansible.run([{"import_playbook": "onlyoffice.docspace.smtp_report_merge"}],
                       inventory=fleet._inventory(ansible, portals),  # pylint: disable=protected-access
                       extra_vars={"docspace_report_dir": str(reports), "docspace_report_hosts": "portals"}, timeout=600)
    return {"parts": len(list(reports.glob("smtp-report-part-*.json"))), "merge_seconds": merge_seconds,
            "report_bytes": sum(len(text) for text in rendered), "playbook_wall": play.wall, "playbook_rc": play.rc,
            "problems": merged.problems, "rows": json.loads(rendered[0])["rows"]}


def measure(ansible: Ansible, emulator: EmulatorProcess, size: int, slices: int, parallel: int,
            workdir: Path) -> dict[str, Any]:
    """The unsliced audit, the sliced one, the merge; each audit on freshly prepared portals."""
    if str(ansible.collections_root) not in sys.path:  # the merge below imports the collection's report code
        sys.path.insert(0, str(ansible.collections_root))
    portals = sorted(emulator.all_portals()[:size], key=lambda portal: portal.name)
    whole, sliced = workdir / "unsliced", workdir / "sliced"
    fleet._prepare(emulator, portals)  # pylint: disable=protected-access
    unsliced = _phase(emulator, lambda: _audit(ansible, emulator, portals, whole))
    fleet._prepare(emulator, portals)  # pylint: disable=protected-access

    def run_slices() -> None:
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            for done in [pool.submit(_audit, ansible, emulator, portals[offset::slices], sliced, 1000 + offset)
                         for offset in range(slices)]:
                done.result()

    sliced_run = _phase(emulator, run_slices)
    merge = _merge(ansible, portals, sliced)
    whole_rows = json.loads(_merged(portals, whole)[1][0])["rows"]
    same = _comparable(merge.pop("rows")) == _comparable(whole_rows)
    return {"portals": size, "slices": slices, "parallel": parallel, "forks_per_run": fleet.FORKS,
            "unsliced": unsliced, "sliced": sliced_run, "merge": merge, "same_rows_as_unsliced": same}


def _comparable(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def main() -> int:
    """Measure, print, and write the JSON result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections-root", type=Path, required=True)
    parser.add_argument("--portals", type=int, default=1000)
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--parallel", type=int, default=2, help="slices running at a time")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "slices.json")
    options = parser.parse_args()
    root = options.collections_root.resolve()
    ansible = Ansible(root, env={"ANSIBLE_ACTION_PLUGINS": str(EMULATOR_ACTIONS), "ANSIBLE_DEPRECATION_WARNINGS": "false"})
    with EmulatorProcess("--portals", str(options.portals)) as emulator, \
            tempfile.TemporaryDirectory(prefix="docspace-slices-") as workdir:
        result = measure(ansible, emulator, options.portals, options.slices, options.parallel, Path(workdir))
    print_result(result)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {options.out}")
    return 0 if complete(result) else 1


def print_result(result: dict[str, Any]) -> None:
    """The figures of measure(), for a terminal."""
    print(f"\n{result['portals']} portals unsliced and as {result['slices']} slices, {result['parallel']} at a time, "
          f"--forks {result['forks_per_run']} per run")
    for name in ("unsliced", "sliced"):
        print(f"  {name:<9} wall {result[name]['wall']:6.1f} s  cpu {result[name]['cpu']:6.1f} s")
    merge = result["merge"]
    print(f"  merge of {merge['parts']} parts: {merge['merge_seconds']:.3f} s (goal <= 1 s), "
          f"smtp_report_merge playbook {merge['playbook_wall']:.1f} s; same rows as unsliced: "
          f"{result['same_rows_as_unsliced']}; problems: {merge['problems'] or 'none'}")


def complete(result: dict[str, Any]) -> bool:
    """The merged report holds every portal once, as the unsliced audit does, and the merge playbook passed."""
    return bool(result["same_rows_as_unsliced"] and not result["merge"]["problems"] and result["merge"]["playbook_rc"] == 0)


if __name__ == "__main__":
    sys.exit(main())
