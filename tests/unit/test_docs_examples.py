# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The --diff examples of the README and the user guide are what ansible-core's default output shows.

(Controller context: it renders with ansible-core's default callback.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ansible.plugins.callback import CallbackBase

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_settings as model

ROOT = Path(__file__).resolve().parents[2]
# The audit both documents show: a hand-edited display name, and an authenticated relay whose save would
# send the password again.
TASK = {"host": "smtp.example.com", "port": 587, "enable_ssl": True, "sender_address": "docspace@example.com",
        "sender_display_name": "DocSpace notifications", "username": "docspace@example.com", "password": "x",
        "update_password": "on_change"}
PORTAL = {"host": "smtp.example.com", "port": 587, "enableSSL": True, "senderAddress": "docspace@example.com",
          "senderDisplayName": "Hand-edited name", "enableAuth": True, "credentialsUserName": "docspace@example.com",
          "isDefaultSettings": False}


def rendered_diff() -> list[str]:
    """The diff lines the default callback prints for that audit (the hunk, without the file headers)."""
    current = model.normalize_dto(PORTAL)
    plan = model.plan(TASK, current, check_mode=True)
    diff = model.build_diff(current, plan.after, plan.sends_password)
    text = CallbackBase()._get_diff(diff)  # pylint: disable=protected-access  # the default callback's renderer
    return [line.rstrip() for line in text.splitlines() if line.startswith((" ", "+", "-", "@")) and line.strip()]


def documented_diff(document: str) -> list[str]:
    """The first diff block of a document, unindented, without the task and result lines."""
    text = (ROOT / document).read_text(encoding="utf-8")
    block = re.search(r"```diff\n(.*?)```", text, re.DOTALL)
    assert block, f"{document} has no diff example"
    lines = block.group(1).splitlines()
    indent = min(len(line) - len(line.lstrip(" ")) for line in lines if line.strip())
    return [line[indent:].rstrip() for line in lines
            if line.strip() and line[indent:].startswith((" ", "+", "-", "@"))]


@pytest.mark.parametrize("document", ["README.md", "docs/user-guide.md"])
def test_the_documented_diff_is_the_default_output(document):
    assert documented_diff(document) == rendered_diff()
