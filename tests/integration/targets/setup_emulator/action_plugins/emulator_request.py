# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""emulator_request: one HTTP request from the targets to the portal emulator, answered in Ansible's worker.

The targets read and steer the emulator (request log, mailbox, test job, faults, reset) around every step,
about 250 requests a run. ansible.builtin.uri would ship a module for each, a new Python process that
costs about 0.3 s; this plugin answers in a few milliseconds, with what the targets used of uri:
the options url, method, body (JSON, as with uri's body_format json), headers and status_code, and the results status and json.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from typing import Any

from ansible.plugins.action import ActionBase

ARGUMENT_SPEC: dict[str, Any] = {
    "url": {"type": "str", "required": True},
    "method": {"type": "str", "default": "GET", "choices": ["GET", "POST", "PUT", "DELETE"]},
    "body": {"type": "raw"},
    "headers": {"type": "dict", "default": {}},
    "status_code": {"type": "list", "elements": "int", "default": [200]},
}
# The emulator runs on this machine: a proxy of the environment must not stand in between.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def send(url: str, method: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
    """The answer's status and body; an HTTP error status is an answer too."""
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={**({"Content-Type": "application/json"} if data else {}), **headers})
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def encoded(body: Any) -> bytes:
    """The request body as uri's body_format json sends it: a string as it is, anything else (null too) as JSON."""
    return (body if isinstance(body, str) else json.dumps(body)).encode()


def parsed(text: str) -> Any:
    """The JSON document of an answer; None for an empty or non-JSON body."""
    try:
        return json.loads(text)
    except ValueError:
        return None


class ActionModule(ActionBase):
    """Send the request; fail when the status is not one of status_code."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: Any = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        args = self.validate_argument_spec(ARGUMENT_SPEC)[1]
        try:
            data = encoded(args["body"]) if "body" in self._task.args else None
            status, content = send(args["url"], args["method"], data, args["headers"])
        # OSError: no connection or none in time; HTTPException: a broken answer; ValueError: a malformed url.
        except (OSError, http.client.HTTPException, ValueError) as error:
            return {**result, "failed": True, "msg": f"{args['method']} {args['url']}: no answer ({error})"}
        text = content.decode("utf-8", "replace")
        result.update(changed=False, status=status, json=parsed(text))
        if status not in args["status_code"]:
            result.update(failed=True, msg=f"{args['method']} {args['url']} answered HTTP {status}: {text[:500]}")
        return result
