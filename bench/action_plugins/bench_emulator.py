# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark-only action: drive the emulator's control API from the controller, with no module run.

Set-up and log reads between measured tasks would otherwise be uri tasks, each a whole module run that
costs as much as the task being measured; this keeps the benchmark's own overhead small.
Options: base_url; reset, clear_log, clear_mailbox (bool); settings, config (dict); read (list of
"requests" / "mailbox"). Returns the read documents under their names.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from ansible.plugins.action import ActionBase


def _control(base_url: str, method: str, what: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base_url}/_emulator/{what}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # nosec - loopback emulator only
        text = response.read()
    return json.loads(text) if text else None


class ActionModule(ActionBase):
    """Run the requested control calls in order."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: Any = None) -> dict[str, Any]:
        """reset → settings → config → clear_log → clear_mailbox → read."""
        result = super().run(tmp, task_vars)
        args = self._task.args
        base_url = str(args["base_url"]).rstrip("/")
        if args.get("reset"):
            _control(base_url, "POST", "reset", {})
        if args.get("settings") is not None:
            _control(base_url, "PUT", "settings", dict(args["settings"]))
        if args.get("config") is not None:
            _control(base_url, "PUT", "config", dict(args["config"]))
        if args.get("clear_log"):
            _control(base_url, "DELETE", "requests")
        if args.get("clear_mailbox"):
            _control(base_url, "DELETE", "mailbox")
        for name in args.get("read") or []:
            result[name] = _control(base_url, "GET", {"requests": "requests", "mailbox": "mailbox"}[name])
        result["changed"] = False
        return result
