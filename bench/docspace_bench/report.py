# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Turn the measurements into goals met/missed, a Markdown report, a JSON file and the fleet plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PER_TASK_VS_PING = 1.2
URI_VS_OURS = 2.0
LATENCY_MEDIAN = 0.25
SECONDS_PER_READ = 0.2
FLEET_GROWTH = 0.20
FLEET_100_SECONDS = 60.0


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every goal of the issue with its measured value and verdict (None: not measured in this run)."""
    rows: list[dict[str, Any]] = []
    if "requests" in results:
        checked = [row for row in results["requests"] if row["met"] is not None]
        rows.append({"goal": "requests per task = SPEC minimums", "target": f"{len(checked)} scenarios exact",
                     "measured": f"{sum(row['met'] for row in checked)}/{len(checked)} exact",
                     "met": all(row["met"] for row in checked)})
    if "task_times" in results:
        ratios = results["task_times"]["ratios"]
        rows.append({"goal": "smtp_settings unchanged vs ping", "target": f"≤ {PER_TASK_VS_PING}×",
                     "measured": f"{ratios['unchanged_vs_ping']:.2f}×",
                     "met": ratios["unchanged_vs_ping"] <= PER_TASK_VS_PING})
        for key, label in (("uri_vs_ours_unchanged", "uri way vs ours, unchanged"),
                           ("uri_vs_ours_changed", "uri way vs ours, changed")):
            rows.append({"goal": label, "target": f"≥ {URI_VS_OURS}×", "measured": f"{ratios[key]:.2f}×",
                         "met": ratios[key] >= URI_VS_OURS})
    if "test_latency" in results:
        for series in ("instant", "relay_0_to_2s"):
            data = results["test_latency"][series]
            rows.append({"goal": f"smtp_test detection, {series.replace('_', ' ')}",
                         "target": f"median ≤ {LATENCY_MEDIAN} s, ≥ {SECONDS_PER_READ} s per read",
                         "measured": f"median {data['detect_median']:.3f} s (max {data['detect_max']:.3f}), "
                                     f"{data['seconds_per_read']:.2f} s per read",
                         "met": data["detect_median"] <= LATENCY_MEDIAN
                         and data["seconds_per_read"] >= SECONDS_PER_READ})
    if "fleet" in results:
        fleet = results["fleet"]
        audits = fleet["audits"]
        if len(audits) > 1:
            rows.append({"goal": f"time per portal flat, {audits[0]['portals']} → {audits[-1]['portals']} portals",
                         "target": f"within {FLEET_GROWTH:.0%}", "measured": f"{fleet['per_portal_growth']:+.0%}",
                         "met": fleet["per_portal_growth"] <= FLEET_GROWTH})
        hundred = [run for run in audits if run["portals"] == 100]
        if hundred:
            rows.append({"goal": "100 portals audited (--check --diff)", "target": f"< {FLEET_100_SECONDS:.0f} s",
                         "measured": f"{hundred[0]['wall']:.1f} s", "met": hundred[0]["wall"] < FLEET_100_SECONDS})
    return rows


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _counts(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "—"
    if not counts:
        return "none"
    return ", ".join(f"{n} {key.replace('/api/2.0/smtpsettings/smtp', '…/smtp').replace('/api/2.0', '')}"
                     for key, n in counts.items())


def markdown(results: dict[str, Any]) -> str:
    """The human report."""
    meta = results["meta"]
    lines = [f"# onlyoffice.docspace benchmark ({'quick' if meta['quick'] else 'full'})", "",
             f"{meta['date']} · {meta['cpus']} CPUs · Python {meta['python']} · ansible-core {meta['ansible_core']} · "
             f"load average {meta['load_before']} before, {meta['load_after']} after · "
             f"benchmark took {meta['duration']:.0f} s", "",
             "Reproduce: `make bench` (or `make bench ARGS=--quick`).", "", "## Goals", "",
             "| goal | target | measured | |", "|---|---|---|---|"]
    for row in results["goals"]:
        verdict = "met" if row["met"] else "**missed**"
        lines.append(f"| {row['goal']} | {row['target']} | {row['measured']} | {verdict} |")
    if "requests" in results:
        lines += ["", "## 1. Requests per task (emulator request log, api_key auth unless noted)", "",
                  "| scenario | SPEC | observed | |", "|---|---|---|---|"]
        for row in results["requests"]:
            verdict = {True: "exact", False: "**differs**", None: row["note"]}[row["met"]]
            lines.append(f"| {row['scenario']} | {_counts(row['expected'])} | {_counts(row['observed'])} | {verdict} |")
    if "task_times" in results:
        data = results["task_times"]
        lines += ["", f"## 2. Wall time per operation ({data['counted_cycles']} interleaved cycles, start of one "
                  "op to the start of the next, one playbook, localhost)", "",
                  "| variant | median | p10 | p90 | results |", "|---|---|---|---|---|"]
        for name, stats in data["variants"].items():
            lines.append(f"| {name} | {_ms(stats['median'])} | {_ms(stats['p10'])} | {_ms(stats['p90'])} | "
                         f"{', '.join(stats['statuses'])} |")
        ratios, of_medians = data["ratios"], data["ratios_of_medians"]
        lines += ["", f"Median of per-cycle ratios (ratio of medians in brackets): unchanged task / ping "
                  f"**{ratios['unchanged_vs_ping']:.2f}×** ({of_medians['unchanged_vs_ping']:.2f}×); uri way / ours "
                  f"**{ratios['uri_vs_ours_unchanged']:.2f}×** ({of_medians['uri_vs_ours_unchanged']:.2f}×) unchanged, "
                  f"**{ratios['uri_vs_ours_changed']:.2f}×** ({of_medians['uri_vs_ours_changed']:.2f}×) changed."]
    if "import_cost" in results:
        data = results["import_cost"]
        lines += ["", f"## 3. Module start-up (median of {data['repetitions']}, bare `python -c 'import …'`, "
                  f"interpreter alone {data['interpreter_startup_ms']:.0f} ms)", "",
                  "| module | import | over ping | `requests` (cumulative) | `ansible.module_utils.basic` | "
                  "modules imported | extra over ping, by package (self time) |", "|---|---|---|---|---|---|---|"]
        for label, module in data["modules"].items():
            watched = module["watched_cumulative_ms"]
            extra = module["extra_over_ping"]
            by_package = ", ".join(f"{name} {ms:.0f}" for name, ms in extra["by_package_ms"].items() if ms >= 0.5)
            lines.append(f"| {label} | {module['import_ms']:.0f} ms | {module['extra_over_ping_ms']:+.0f} ms | "
                         f"{watched.get('requests', 0):.0f} ms | {watched.get('ansible.module_utils.basic', 0):.0f} ms | "
                         f"{module['modules_imported']} | {by_package or '—'} |")
    if "test_latency" in results:
        data = results["test_latency"]
        lines += ["", "## 4. smtp_test: job completion → module result (default poll_interval)", "",
                  "| series | runs | job length (median) | detecting read: median / max | task result: median / max | "
                  "status reads | seconds per read |", "|---|---|---|---|---|---|---|"]
        for series in ("instant", "relay_0_to_2s"):
            s = data[series]
            lines.append(f"| {series.replace('_', ' ')} | {s['n']} | {s['job_seconds_median']:.2f} s | "
                         f"{s['detect_median']:.3f} / {s['detect_max']:.3f} s | "
                         f"{s['return_median']:.3f} / {s['return_max']:.3f} s | {s['status_reads_total']} | "
                         f"{s['seconds_per_read']:.2f} |")
    if "fleet" in results:
        data = results["fleet"]
        lines += ["", f"## 5. Fleet: role `onlyoffice.docspace.smtp`, one host per portal, forks {data['forks']}", "",
                  "| run | portals | wall | per portal | tasks only, per portal | CPU per portal | start-up + end | "
                  "requests per portal | writes | changed |", "|---|---|---|---|---|---|---|---|---|---|"]
        runs = [("audit --check --diff", run) for run in data["audits"]]
        runs += [("configure (half drifted)", data["configure"]), ("re-run (nothing to do)", data["rerun"])]
        runs += [(f"{label} (extra)", run) for label, run in data.get("extras", {}).items()]
        for label, run in runs:
            lines.append(f"| {label} | {run['portals']} | {run['wall']:.1f} s | {run['per_portal']:.3f} s | "
                         f"{run['tasks_per_portal']:.3f} s | {run['cpu_per_portal']:.3f} s | "
                         f"{run['startup_and_teardown']:.1f} s | {run['requests_per_portal']:.2f} | {run['writes']} | "
                         f"{run['changed_hosts']} |")
        if data.get("marginal_per_portal") is not None:
            lines += ["", f"Each extra portal adds {data['marginal_per_portal']:.3f} s (least-squares slope); "
                      f"per-portal time changes {data['per_portal_growth']:+.0%} from the smallest to the largest fleet."]
        largest = data["audits"][-1]
        lines += ["", f"Where the {largest['portals']}-portal audit spends its time (sum over the task's span; tasks "
                  "overlap across forks only within one task):", "", "| task | span | share |", "|---|---|---|"]
        total = sum(largest["task_spans"].values()) or 1.0
        for name, span in sorted(largest["task_spans"].items(), key=lambda item: -item[1]):
            lines.append(f"| {name} | {span:.1f} s | {span / total:.0%} |")
        if results.get("plot"):
            lines += ["", f"![fleet scaling]({results['plot']})"]
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], target: Path) -> str | None:
    """Fleet scaling PNG (total wall and time per portal over fleet size); None without matplotlib."""
    try:
        import matplotlib  # pylint: disable=import-outside-toplevel  # optional: only the plot needs it
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    audits = results["fleet"]["audits"]
    sizes = [run["portals"] for run in audits]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(sizes, [run["wall"] for run in audits], "o-", label="audit --check --diff")
    configure = results["fleet"]["configure"]
    left.plot([configure["portals"]], [configure["wall"]], "s", label="configure (half drifted)")
    left.axhline(FLEET_100_SECONDS, color="grey", linestyle=":", label="goal for 100 portals")
    left.set(xlabel="portals", ylabel="wall time (s)", title="Total wall time")
    left.legend()
    per_portal = [run["per_portal"] for run in audits]
    right.plot(sizes, per_portal, "o-", label="wall / portals")
    right.plot(sizes, [run["tasks_per_portal"] for run in audits], "^--", label="without start-up / portals")
    right.fill_between(sizes, per_portal[0] * (1 - FLEET_GROWTH), per_portal[0] * (1 + FLEET_GROWTH),
                       alpha=0.15, label=f"±{FLEET_GROWTH:.0%} of {sizes[0]} portals")
    right.set(xlabel="portals", ylabel="seconds per portal", title="Time per portal (audit)", ylim=(0, None))
    right.legend()
    fig.tight_layout()
    fig.savefig(target, dpi=100)
    plt.close(fig)
    return target.name


def write(results: dict[str, Any], out: Path, stem: str) -> list[Path]:
    """Write <stem>.md, (for a fleet run) <stem>-fleet.png, and the raw <stem>.json (git ignores it) into out."""
    out.mkdir(parents=True, exist_ok=True)
    results["goals"] = goals(results)
    results["plot"] = plot(results, out / f"{stem}-fleet.png") if "fleet" in results else None
    written = [out / f"{stem}.json", out / f"{stem}.md"]
    written[0].write_text(json.dumps(results, indent=1, default=str) + "\n")
    written[1].write_text(markdown(results))
    if results["plot"]:
        written.append(out / results["plot"])
    return written
