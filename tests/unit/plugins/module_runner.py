# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a module's main() in-process with given arguments and a scripted HTTP session."""

from __future__ import annotations

import contextlib
import json
from typing import Any, Callable

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _transport
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import ScriptedSession


class ModuleExit(Exception):
    """Raised instead of exit_json/fail_json so that the test can read the result."""

    def __init__(self, result: dict[str, Any], failed: bool) -> None:
        super().__init__(result)
        self.result = result
        self.failed = failed


@contextlib.contextmanager
def _module_args(args: dict[str, Any]):
    """Hand args to AnsibleModule, on every supported ansible-core."""
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core >= 2.19
    except ImportError:
        patch_module_args = None
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    previous = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))  # pylint: disable=protected-access
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = previous  # pylint: disable=protected-access


def run_module(main: Callable[[], None], args: dict[str, Any], session: ScriptedSession | None,
               monkeypatch: Any) -> ModuleExit:
    """Run main() with args; every HTTP request goes to session. Returns the exit or failure."""

    def exit_json(_module, **result):
        raise ModuleExit(result, failed=False)

    def fail_json(_module, **result):
        raise ModuleExit(result, failed=True)

    def no_session():
        raise AssertionError("this case must not send any request")

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(_transport, "open_session", (lambda: session) if session is not None else no_session)
    with _module_args(args):
        try:
            main()
        except ModuleExit as outcome:
            return outcome
    raise AssertionError("the module returned without exit_json or fail_json")
