# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The harness's stdout callback: prints nothing, writes every task's per-host results and timings as JSON.

ansible-core ships no JSON stdout callback (ansible.posix has one), so the harness brings this small one.
Results are written whole (returned values, warnings, diff, invocation with no_log already applied), so
that the system suite can assert on them and search them for secrets, and the benchmark can time tasks.
Printing nothing keeps the benchmark's own overhead out of its figures.
"""

from __future__ import annotations

DOCUMENTATION = """
    name: docspace_results
    type: stdout
    short_description: Record task results and timings for the onlyoffice.docspace test harness
    description:
      - Prints nothing; at the end of the run writes one JSON document to the file named by E(DOCSPACE_RESULTS_FILE).
      - Times are C(time.time()) floats taken in the controller when a task starts and when each host's result arrives.
"""

import json
import os
import time
from typing import Any

from ansible.plugins.callback import CallbackBase


def _plain(value: Any) -> Any:
    """Make a result JSON-safe (ansible-core 2.19 wraps values in tagged types)."""
    return json.loads(json.dumps(value, default=str))


class CallbackModule(CallbackBase):
    """Collect {tasks: [{name, action, start, hosts: {host: {status, end, result}}}]}; status as Ansible counts it."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "docspace_results"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tasks: list[dict[str, Any]] = []
        self._started = time.time()

    def v2_playbook_on_task_start(self, task: Any, is_conditional: bool) -> None:
        """Open a record for the task; its start is the controller's clock when the strategy queues it."""
        self._tasks.append({"name": task.get_name(), "action": task.action, "start": time.time(), "hosts": {}})

    def v2_playbook_on_handler_task_start(self, task: Any) -> None:
        """Handlers are timed like tasks."""
        self.v2_playbook_on_task_start(task, False)

    def _record(self, result: Any, status: str) -> None:
        data = getattr(result, "result", None)
        if data is None:
            data = result._result  # pylint: disable=protected-access  # ansible-core < 2.19
        if self._tasks:
            record = {"status": status, "end": time.time(), "result": _plain(data)}
            self._tasks[-1]["hosts"][result.host.get_name()] = record

    def v2_runner_on_ok(self, result: Any) -> None:
        """A host finished the task."""
        self._record(result, "ok")

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        """A host failed the task."""
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result: Any) -> None:
        """A host skipped the task."""
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result: Any) -> None:
        """A host could not be reached."""
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats: Any) -> None:
        """Write everything out."""
        target = os.environ.get("DOCSPACE_RESULTS_FILE")
        summary = {host: stats.summarize(host) for host in sorted(stats.processed)}
        document = {"started": self._started, "finished": time.time(), "tasks": self._tasks, "stats": summary}
        if target:
            with open(target, "w", encoding="utf-8") as handle:
                json.dump(document, handle)
