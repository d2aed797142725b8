# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: smtp_report
type: aggregate
short_description: Write a fleet report of the portals' SMTP settings (JSON, Markdown, HTML)
version_added: 0.1.0
description:
  - Collects the results of M(onlyoffice.docspace.smtp_settings) and M(onlyoffice.docspace.smtp_test) (run by
    the role C(onlyoffice.docspace.smtp) or by your own tasks)
    for every inventory host of the run, and writes C(smtp-report.json), C(smtp-report.md) and a self-contained,
    sortable C(smtp-report.html) when the playbook ends.
  - One row per inventory host (one host per portal, as the role expects) - in sync, drifted (which fields,
    before and after), would be reset, on the installation default, changed or reset (a real run), failed
    (the portal answered with an error, or another task failed; with the message) or unreachable (the portal
    did not answer, or Ansible could not reach the host), and the test mail's result when a test ran.
  - A test mail that failed after the settings were saved leaves the row's status as the settings task made it
    (for example changed) and shows the failure, with its message, in the test mail column; the summary counts
    failed test mails beside the failed portals.
  - Each row also lists the provider advisories for the portal's relay that M(onlyoffice.docspace.smtp_settings)
    or M(onlyoffice.docspace.smtp_settings_info) returned (for example Microsoft 365 turning SMTP AUTH basic
    authentication off), and the summary counts the portals each advisory concerns.
  - Run the playbook with C(--check --diff) for an audit; without C(--diff) the statuses are the same, but the
    report cannot name the fields that differ. The report holds no secret; the SMTP password shows as
    C(not comparable). Text that a portal controls is escaped in the HTML and the Markdown file.
  - Enable it with E(ANSIBLE_CALLBACKS_ENABLED=onlyoffice.docspace.smtp_report); it does not replace the
    normal screen output.
requirements:
  - Enabled in the C(callbacks_enabled) setting.
options:
  report_dir:
    description:
      - Directory the three report files are written to; created when missing. Existing report files in it
        are replaced.
    type: path
    default: .
    env:
      - name: DOCSPACE_REPORT_DIR
    ini:
      - section: callback_smtp_report
        key: report_dir
  report_audit:
    description:
      - Names the audit this run is one part of, when one audit is run as several runs (AWX or Automation
        Platform job slices, or several controllers). The run then also writes a report part,
        C(smtp-report-part-<run>.json), which the C(onlyoffice.docspace.smtp_report_merge) playbook merges with
        the other parts of the audit into one report, checking that every portal is in exactly one part.
      - Defaults to C(awx-workflow-<awx_workflow_job_id>) in a sliced AWX job (AWX passes C(awx_workflow_job_id)
        to every slice); without it and without this option no part is written.
    type: str
    env:
      - name: DOCSPACE_REPORT_AUDIT
    ini:
      - section: callback_smtp_report
        key: report_audit
  report_run:
    description:
      - Names this run among the parts of the audit (O(report_audit)); defaults to C(awx-job-<awx_job_id>) in
        AWX, else to the controller's host name and the process id.
    type: str
    env:
      - name: DOCSPACE_REPORT_RUN
    ini:
      - section: callback_smtp_report
        key: report_run
"""

import os
import re
import socket
import tempfile
from datetime import datetime, timezone
from typing import Any

from ansible import context
from ansible.plugins.callback import CallbackBase

from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _smtp_report as report

SETTINGS_ACTION = "onlyoffice.docspace.smtp_settings"
INFO_ACTION = "onlyoffice.docspace.smtp_settings_info"
TEST_ACTION = "onlyoffice.docspace.smtp_test"
FILES = {"smtp-report.json": report.render_json, "smtp-report.md": report.render_markdown,
         "smtp-report.html": report.render_html}


def _action(task: Any) -> str:
    """The task's module as a fully qualified name (resolved_action exists once the task has run)."""
    return str(getattr(task, "resolved_action", None) or task.action)


def _write(path: str, text: str) -> None:
    """Write a file whole or not at all: slices of one audit may share the directory."""
    directory = os.path.dirname(path) or "."
    handle, temporary = tempfile.mkstemp(prefix=".smtp-report-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _message(data: dict[str, Any]) -> str:
    """The message Ansible shows for a failed or unreachable result."""
    return str(data.get("msg") or data.get("message") or data.get("reason") or "failed without a message")


class CallbackModule(CallbackBase):
    """Record each host's smtp_settings and smtp_test results; write the report when the playbook ends."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "onlyoffice.docspace.smtp_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._portals: dict[str, report.PortalResults] = {}
        self._title = "DocSpace portals"
        self._extra_vars: dict[str, Any] = {}

    def _portal(self, result: Any) -> report.PortalResults:
        name = result._host.get_name()  # pylint: disable=protected-access
        if name not in self._portals:
            self._portals[name] = report.PortalResults(name)
        return self._portals[name]

    def _record(self, result: Any, failed: bool = False, ignored: bool = False) -> None:
        """Keep what the report needs from one task result."""
        task, data = result._task, result._result  # pylint: disable=protected-access
        portal = self._portal(result)
        action = _action(task)
        portal.check_mode = portal.check_mode or bool(context.CLIARGS.get("check")) or task.check_mode is True
        if not (failed or action in (SETTINGS_ACTION, INFO_ACTION, TEST_ACTION)):
            return
        # ansible-core up to 2.21 replaces no_log values in the result itself; 2.22 masks every registered secret
        # in the result it hands to callbacks (executor/task_result.py CallbackTaskResult.result).
        data = dict(data)
        if action in (SETTINGS_ACTION, INFO_ACTION) and not failed:
            portal.advisories = list(data.get("advisories") or [])
        if action == SETTINGS_ACTION:
            portal.settings = {**data, "failed": True} if failed else data  # ansible-core 2.19 drops the key
        elif action == TEST_ACTION:
            portal.test, portal.test_failed = data, failed
        # A failure the play ignores does not fail the portal, unless it is one of ours. The first failure is the
        # news (a rescue repeats it); the modules say with `reachable` whether the portal answered the request.
        if failed and portal.failure is None and (not ignored or action in (SETTINGS_ACTION, TEST_ACTION)):
            portal.failure, portal.failed_task = _message(data), task.get_name()
            portal.failure_from_test = action == TEST_ACTION
            reachable = data.get("reachable")
            portal.failure_reachable = reachable if isinstance(reachable, bool) else None

    def v2_playbook_on_start(self, playbook: Any) -> None:
        """Title the report after the playbook."""
        self._title = os.path.basename(playbook._file_name)  # pylint: disable=protected-access

    def v2_playbook_on_play_start(self, play: Any) -> None:
        """Keep the extra variables: AWX passes awx_job_id and awx_workflow_job_id to every job as such."""
        manager = play.get_variable_manager()
        self._extra_vars = dict(getattr(manager, "extra_vars", None) or {})

    def _part_names(self) -> tuple[str, str] | None:
        """(audit, run) when this run is a part of an audit, else None."""
        workflow, job = self._extra_vars.get("awx_workflow_job_id"), self._extra_vars.get("awx_job_id")
        audit = self.get_option("report_audit") or (f"awx-workflow-{workflow}" if workflow else None)
        if not audit:
            return None
        run = self.get_option("report_run") or (f"awx-job-{job}" if job else f"{socket.gethostname()}-{os.getpid()}")
        return str(audit), str(run)

    def v2_runner_on_ok(self, result: Any) -> None:
        """A task succeeded."""
        self._record(result)

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        """A task failed."""
        self._record(result, failed=True, ignored=ignore_errors)

    def v2_runner_on_skipped(self, result: Any) -> None:
        """A skipped task still shows that the portal was part of the run."""
        self._portal(result)

    def v2_runner_on_unreachable(self, result: Any) -> None:
        """Ansible could not reach the host."""
        portal = self._portal(result)
        portal.unreachable = _message(result._result)  # pylint: disable=protected-access

    def v2_playbook_on_stats(self, stats: Any) -> None:
        """Write the three files: every host of the run has a row, even one no task reported on."""
        for name in stats.processed:
            self._portals.setdefault(name, report.PortalResults(name))
        rows = [report.build_row(portal) for portal in self._portals.values()]
        check_mode = any(portal.check_mode for portal in self._portals.values()) or bool(context.CLIARGS.get("check"))
        meta = {"title": self._title, "check_mode": check_mode,
                "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")}
        directory = self.get_option("report_dir")
        os.makedirs(directory, exist_ok=True)
        for filename, render in FILES.items():
            _write(os.path.join(directory, filename), render(rows, meta))
        names = self._part_names()
        if names is not None:
            # The file name holds the run's name only as far as it is safe in a path.
            part = os.path.join(directory, f"smtp-report-part-{re.sub(r'[^A-Za-z0-9_.-]', '_', names[1])}.json")
            _write(part, report.render_part(rows, meta, *names))
        data = report.summary(rows, check_mode)
        # On stderr: stdout may be a JSON stdout callback's document that a pipeline parses.
        self._display.display(f"SMTP report: {report.summary_line(data)} "
                              f"(written to {os.path.join(directory, 'smtp-report.{json,md,html}')})", stderr=True)
