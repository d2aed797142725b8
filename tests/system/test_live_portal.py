# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The live-portal mode (tests/integration/live/run_live.py): against a real portal when configured, and
its guards (refusal, reset after a failure) against the emulator standing in for a live portal."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from docspace_emulator import Emulator, Portal

RUNNER = Path(__file__).resolve().parents[1] / "integration" / "live" / "run_live.py"
LIVE_CONFIG = os.environ.get("DOCSPACE_LIVE_CONFIG", "")


def _run(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUNNER), str(config)], capture_output=True, text=True, timeout=600, check=False)


def _config(tmp_path: Path, portal: Portal, mailbox: dict | None = None) -> Path:
    """A live-portal config for an emulated portal, by the admin's login."""
    live = {"base_url": portal.base_url, "auth_username": portal.admin_email, "auth_password": portal.admin_password}
    if mailbox:
        live["mailbox"] = mailbox
    path = tmp_path / "live.yml"
    path.write_text(json.dumps({"docspace_live": live}), encoding="utf-8")  # JSON is YAML
    return path


def _mailbox(emulator: Emulator, port: int) -> dict:
    account = emulator.smtp.info()["accounts"][0]
    return {"host": "127.0.0.1", "port": port, "enable_ssl": False, "username": account["username"],
            "password": account["password"], "sender_address": "noreply@example.com"}


@pytest.mark.skipif(not LIVE_CONFIG, reason="live-portal mode: set DOCSPACE_LIVE_CONFIG to a filled-in copy of "
                                            "tests/integration/integration_config.yml.template to run against a real portal")
def test_live_portal() -> None:
    result = subprocess.run([sys.executable, str(RUNNER), LIVE_CONFIG], timeout=900, check=False)
    assert result.returncode == 0


def test_live_mode_story_then_reset(tmp_path: Path, emulator: Emulator, portal: Portal) -> None:
    result = _run(_config(tmp_path, portal, _mailbox(emulator, emulator.smtp.listeners["plain"])))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert [m["subject"] for m in portal.mailbox()] == ["SMTP test message"]
    assert portal.stored_settings() is None
    assert [(r["method"], r["status"]) for r in portal.requests()][-1] == ("DELETE", 200)


def test_live_mode_refuses_a_portal_with_its_own_settings(tmp_path: Path, portal: Portal) -> None:
    portal.set_settings({"host": "relay.example.com", "senderAddress": "owner@example.com"})
    result = _run(_config(tmp_path, portal))
    assert result.returncode == 2
    assert "has SMTP settings of its own (host 'relay.example.com'" in result.stderr
    assert portal.stored_settings()["host"] == "relay.example.com"
    assert [r["method"] for r in portal.requests()] == ["POST", "GET"]  # the login and one read, nothing else


def test_live_mode_resets_after_a_failure(tmp_path: Path, emulator: Emulator, portal: Portal) -> None:
    # The test mail cannot be delivered (nothing listens on the mailbox port): the story fails after saving.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    result = _run(_config(tmp_path, portal, _mailbox(emulator, closed)))
    assert result.returncode == 1, result.stdout[-3000:]
    assert "reset " in result.stdout and "to the installation default (isDefaultSettings: True)" in result.stdout
    assert portal.stored_settings() is None
    assert any(r["method"] == "POST" and r["path"].endswith("/smtp") for r in portal.requests())
