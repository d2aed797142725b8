# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stdout callback of the system suite: one JSON document with every task result and its duration.

ansible-core ships no JSON stdout callback (ansible.posix has one), so the suite brings this small one.
Results are written whole (returned values, warnings, diff, invocation with no_log already applied), so
that the tests can assert on them and search them for secrets.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: docspace_results
type: stdout
short_description: Print every task result as one JSON document (system tests only)
description:
  - Collects each host's result of each task with its duration and prints them as JSON at the end.
"""


class CallbackModule(CallbackBase):
    """Collect the results; print them when the playbook ends."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "docspace_results"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._results: list[dict[str, Any]] = []
        self._started: dict[str, float] = {}

    def v2_playbook_on_task_start(self, task: Any, is_conditional: bool) -> None:
        """Note when the task started."""
        self._started[task._uuid] = time.monotonic()  # pylint: disable=protected-access

    def v2_playbook_on_handler_task_start(self, task: Any) -> None:
        """Handlers are timed like tasks."""
        self.v2_playbook_on_task_start(task, False)

    def _record(self, result: Any, status: str) -> None:
        task = result._task  # pylint: disable=protected-access
        data = getattr(result, "result", None)
        if data is None:
            data = result._result  # pylint: disable=protected-access  # before ansible-core 2.19
        started = self._started.get(task._uuid)  # pylint: disable=protected-access
        self._results.append({
            "task": task.get_name(), "host": result._host.get_name(),  # pylint: disable=protected-access
            "status": status, "result": data,
            "seconds": None if started is None else round(time.monotonic() - started, 3),
        })

    def v2_runner_on_ok(self, result: Any) -> None:
        """Record a success."""
        self._record(result, "ok")

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        """Record a failure (ignored or not)."""
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result: Any) -> None:
        """Record a skip."""
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result: Any) -> None:
        """Record an unreachable host."""
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats: Any) -> None:
        """Print everything collected."""
        summary = {host: stats.summarize(host) for host in sorted(stats.processed)}
        self._display.display(json.dumps({"results": self._results, "stats": summary}, default=str, indent=1))
