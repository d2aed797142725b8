#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How the fleet report scales: the smtp_report callback fed 1,000 portals' results, then the page in Chromium.

    python bench/report_scale.py [--portals 1000] [--repeat 5] [--keep DIR]

Drives the real callback (plugins/callback/smtp_report.py) with one result per portal, as ansible-playbook
would, and times v2_playbook_on_stats, which builds the rows and writes the three files (goal: < 2 s for
1,000 portals). Then, when a Chromium is installed, times loading the HTML page headless with and without
the sort script sorting every row (#sort=-portal), and checks the sorted DOM. Prints a Markdown table.
Needs ansible-core (any of the test virtualenvs). Nothing here talks to a network.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

CHECKOUT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CHECKOUT / "tests" / "system"))


def _import_callback():
    """The callback from this checkout, through an ansible_collections layout made of one symlink."""
    root = Path(tempfile.mkdtemp(prefix="report-bench-"))
    (root / "ansible_collections" / "onlyoffice").mkdir(parents=True)
    (root / "ansible_collections" / "onlyoffice" / "docspace").symlink_to(CHECKOUT)
    sys.path.insert(0, str(root))
    from ansible import context  # pylint: disable=import-outside-toplevel
    from ansible.module_utils.common.collections import ImmutableDict  # pylint: disable=import-outside-toplevel
    context.CLIARGS = ImmutableDict({"check": True})
    from ansible_collections.onlyoffice.docspace.plugins.callback import smtp_report  # pylint: disable=import-outside-toplevel
    return smtp_report


SETTINGS = {"host": "smtp.example.com", "port": 587, "sender_address": "noreply@example.com",
            "sender_display_name": "DocSpace", "enable_ssl": True, "enable_auth": True, "username": "mailer",
            "use_ntlm": False, "is_default": False}


def _result(smtp_report, index: int):
    """Portal index's smtp_settings result: mostly in sync, every 7th drifted, every 13th failed."""
    host = SimpleNamespace(get_name=lambda: f"portal-{index:04d}.docspace.example.com")
    task = SimpleNamespace(resolved_action=smtp_report.SETTINGS_ACTION, action="smtp_settings", check_mode=None,
                           get_name=lambda: "Make the portal's SMTP settings match the role variables")
    if index % 13 == 0:
        return SimpleNamespace(_host=host, _task=task, _result={"failed": True, "msg": "GET ... 401 rejected"}), True
    before = {**SETTINGS, "port": 25, "sender_display_name": f"Portal {index}"} if index % 7 == 0 else SETTINGS
    data = {"changed": before is not SETTINGS, "settings": SETTINGS,
            "diff": {"before": before, "after": {**SETTINGS, "password": "(will be sent, not shown)"}}}
    return SimpleNamespace(_host=host, _task=task, _result=data), False


def write_once(smtp_report, portals: int, directory: str) -> float:
    """Seconds of v2_playbook_on_stats after the results of `portals` portals came in."""
    callback = smtp_report.CallbackModule()
    callback.get_option = lambda name: directory
    callback._display = SimpleNamespace(display=lambda text, **kwargs: None)  # pylint: disable=protected-access
    for index in range(portals):
        result, failed = _result(smtp_report, index)
        (callback.v2_runner_on_failed if failed else callback.v2_runner_on_ok)(result)
    names: dict[str, dict[str, Any]] = {f"portal-{index:04d}.docspace.example.com": {} for index in range(portals)}
    started = time.perf_counter()
    callback.v2_playbook_on_stats(SimpleNamespace(processed=names))
    return time.perf_counter() - started


def browser_times(html: Path, repeat: int) -> dict[str, float] | str:
    """Median seconds for headless Chromium to load the page, unsorted and sorted by the script."""
    import browser  # pylint: disable=import-outside-toplevel
    path = browser.find()
    if not path:
        return "no Chromium installed (python tests/system/browser.py installs it)"
    # Load times include starting the browser process; the sort time is measured by the page's own script.
    times: dict[str, list[float]] = {"load": [], "load + sort 1,000 rows": [], "the sort itself (in the page)": []}
    for _round in range(repeat):
        for label, fragment in (("load", ""), ("load + sort 1,000 rows", "#sort=-portal")):
            started = time.perf_counter()
            done = browser.headless(path, "--dump-dom", html.as_uri() + fragment)
            times[label].append(time.perf_counter() - started)
            if fragment:
                sort_ms = re.search(r'data-sort-ms="(\d+)"', done.stdout)
                if not sort_ms or 'aria-sort="descending"' not in done.stdout:
                    return "the sort script did not run"
                times["the sort itself (in the page)"].append(int(sort_ms.group(1)) / 1000)
    return {label: statistics.median(values) for label, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", help="directory to keep the last report in")
    options = parser.parse_args()
    smtp_report = _import_callback()
    directory = options.keep or tempfile.mkdtemp(prefix="report-bench-out-")
    seconds = [write_once(smtp_report, options.portals, directory) for _round in range(options.repeat)]
    sizes = {name: os.path.getsize(os.path.join(directory, name)) for name in smtp_report.FILES}
    print(f"| measure ({options.portals} portals, median of {options.repeat}) | value |\n|---|---|")
    print(f"| callback: rows + three files written | {statistics.median(seconds):.3f} s (max {max(seconds):.3f} s; goal < 2 s) |")
    for name, size in sizes.items():
        print(f"| {name} | {size / 1024:.0f} KiB |")
    page = browser_times(Path(directory) / "smtp-report.html", options.repeat)
    if isinstance(page, str):
        print(f"| Chromium | {page} |")
    else:
        for label, value in page.items():
            print(f"| Chromium headless, {label} | {value:.3f} s |")
    return 0 if statistics.median(seconds) < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
