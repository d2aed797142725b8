# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Figure 4: how soon smtp_test notices that the portal's test job has finished (default poll_interval).

The emulator's job sends its mail as its last step and completes right after QUIT, so the time the
emulator's SMTP server received the message is the job's completion time (to within a millisecond on
loopback). The module's detecting read is the status request that answered `completed: true` (the
request log stamps a request once it has been answered); the task's end is when Ansible got the result.
Two series: the emulator's default (the job finishes within milliseconds of the trigger) and a relay
that takes 0 to ~2 s (job_step_delay spread evenly over the runs), where the poll schedule matters.
"""

from __future__ import annotations

import statistics
from typing import Any

from docspace_harness.emulator import EmulatorProcess
from .fixtures import connection, control_tasks, smtp_config, to_dto
from docspace_harness.playbook import Ansible
from .requests_per_task import STATUS, TRIGGER

# Seven steps with a login: a job_step_delay of 0.3 s makes the job last about 2.1 s.
MAX_STEP_DELAY = 0.3


def _plays(emulator: EmulatorProcess, delays: list[float]) -> list[dict[str, Any]]:
    portal = emulator.portal(0)
    tasks = control_tasks(portal, "setup", reset=True, settings=to_dto(smtp_config(emulator.info)))
    for index, delay in enumerate(delays):
        tasks += [
            *control_tasks(portal, f"setup {index}", config={"job_step_delay": delay}, clear_log=True,
                           clear_mailbox=True),
            {"name": f"test {index}", "onlyoffice.docspace.smtp_test": connection(portal)},
            *control_tasks(portal, f"log {index}", read=["requests", "mailbox"]),
        ]
    return [{"name": "smtp_test latency", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


def _one(run: Any, index: int, delay: float) -> dict[str, Any]:
    task = run.named(f"test {index}")[0]
    log = run.named(f"log {index} requests")[0].result()["json"]["requests"]
    messages = run.named(f"log {index} mailbox")[0].result()["json"]["messages"]
    trigger = [r for r in log if f"{r['method']} {r['path']}" == TRIGGER]
    status = [r for r in log if f"{r['method']} {r['path']}" == STATUS]
    if task.status() != "ok" or not messages or not trigger or not status:
        raise RuntimeError(f"smtp_test run {index} did not deliver: {task.result()}")
    completed_at = messages[-1]["time"]
    detected_at = status[-1]["time"]
    polling = max(detected_at - trigger[0]["time"], 1e-6)
    return {"step_delay": delay, "job_seconds": completed_at - trigger[0]["time"],
            "detect_latency": detected_at - completed_at, "return_latency": task.end - completed_at,
            "status_reads": len(status), "reads_per_second": len(status) / polling,
            "module_elapsed": task.result().get("elapsed")}


def _stats(runs: list[dict[str, Any]]) -> dict[str, Any]:
    detect = [run["detect_latency"] for run in runs]
    back = [run["return_latency"] for run in runs]
    reads = sum(run["status_reads"] for run in runs)
    polling = sum(run["status_reads"] / run["reads_per_second"] for run in runs)
    return {"n": len(runs), "detect_median": statistics.median(detect), "detect_max": max(detect),
            "return_median": statistics.median(back), "return_max": max(back),
            "job_seconds_median": statistics.median(run["job_seconds"] for run in runs),
            "status_reads_total": reads, "reads_per_second": reads / polling,
            "seconds_per_read": polling / reads}


def measure(ansible: Ansible, emulator: EmulatorProcess, runs: int) -> dict[str, Any]:
    """Both series, `runs` jobs each, in one playbook."""
    spread = [MAX_STEP_DELAY * index / max(1, runs - 1) for index in range(runs)]
    delays = [0.0] * runs + spread
    run = ansible.run(_plays(emulator, delays), timeout=1800).check()
    results = [_one(run, index, delay) for index, delay in enumerate(delays)]
    instant, slow = results[:runs], results[runs:]
    return {"instant": _stats(instant), "relay_0_to_2s": _stats(slow), "runs": results,
            "goal_series": "relay_0_to_2s"}
