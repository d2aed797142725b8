# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleet report as an auditor sees it: a real --check --diff run of the role over four portals with the
smtp_report callback, then its HTML page opened in headless Chromium.

The browser comes from browser.find_or_install() (Debian's chromium package, installed on first use when
allowed); without one the tests skip and say why. Set DOCSPACE_REPORT_SAMPLE_DIR to keep the report and
its screenshot (that is how docs/smtp-report.png and the user guide's sample are made).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import SMTP_PASSWORD

import browser
import harness

# The colours of the status cells in the page's style sheet (plugins/plugin_utils/_smtp_report.py).
GREEN, AMBER, RED, BLUE = (0xD8, 0xF3, 0xDC), (0xFF, 0xF1, 0xC2), (0xFF, 0xD6, 0xD6), (0xE8, 0xEE, 0xF7)


@pytest.fixture(scope="module")
def chromium() -> str:
    path, reason = browser.find_or_install()
    if not path:
        pytest.skip(f"no headless browser: {reason}")
    return path


@pytest.fixture(scope="module")
def report(emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Four portals audited: in sync, drifted, on the installation default, and a rejected API key; returns the directory holding the three report files."""
    in_sync, drifted, default, rejected = emulator.add_portals(4)
    relay = {"host": "smtp.example.com", "port": 587, "senderAddress": "noreply@docspace.example.com",
             "senderDisplayName": "DocSpace", "enableSSL": True, "enableAuth": True,
             "credentialsUserName": "mailer", "credentialsUserPassword": SMTP_PASSWORD}
    in_sync.set_settings(relay)
    drifted.set_settings({**relay, "port": 25, "senderDisplayName": "Hand-edited"})
    inventory = {}
    for name, portal in (("eu-portal", in_sync), ("us-portal", drifted), ("new-portal", default), ("old-portal", rejected)):
        inventory[name] = {"docspace_base_url": portal.base_url, "docspace_api_key": portal.info()["admin"]["api_key"]}
    inventory["old-portal"]["docspace_api_key"] = "sk-revoked-key-0000000000000000"
    role_vars = {"docspace_smtp_host": "smtp.example.com", "docspace_smtp_port": 587, "docspace_smtp_enable_ssl": True,
                 "docspace_smtp_sender_address": "noreply@docspace.example.com",
                 "docspace_smtp_sender_display_name": "DocSpace", "docspace_smtp_username": "mailer",
                 "docspace_smtp_password": "{{ relay_password }}"}
    plays = [{"name": "Audit the outgoing mail of every portal", "hosts": "all", "gather_facts": False,
              "vars": role_vars, "roles": [{"role": "onlyoffice.docspace.smtp"}]}]
    directory = tmp_path_factory.mktemp("smtp-report")
    run = harness.run_playbook(plays, "--check", "--diff", inventory=inventory, json_results=False,
                               extra_vars={"relay_password": SMTP_PASSWORD}, label="the audit with a report",
                               env={"ANSIBLE_CALLBACKS_ENABLED": "onlyoffice.docspace.smtp_report",
                                    "DOCSPACE_REPORT_DIR": str(directory)})
    assert run.rc == 2, run.output[-3000:]  # old-portal fails
    yield directory
    sample = os.environ.get("DOCSPACE_REPORT_SAMPLE_DIR")
    if sample:
        shutil.copytree(directory, sample, dirs_exist_ok=True)


def _rows(dom: str) -> list[tuple[str, str]]:
    """(portal, status cell class) of each table row, in page order."""
    return re.findall(r'<tr><td>([^<]*)</td><td class="s-([a-z_]+)"', dom)


def test_the_sort_script_orders_the_rows(chromium: str, report: Path) -> None:
    """The page as the browser built it: sorted by the #sort fragment, every portal with its status."""
    page = (report / "smtp-report.html").as_uri()
    default = browser.headless(chromium, "--dump-dom", page)
    by_portal = browser.headless(chromium, "--dump-dom", page + "#sort=-portal")
    assert by_portal.returncode == 0, by_portal.stderr[-2000:]
    expected = {"eu-portal": "in_sync", "us-portal": "drifted", "new-portal": "default", "old-portal": "failed"}
    assert dict(_rows(by_portal.stdout)) == expected
    assert [name for name, _status in _rows(by_portal.stdout)] == sorted(expected, reverse=True)
    assert _rows(default.stdout)[0] == ("old-portal", "failed")  # worst first until someone sorts
    assert 'data-column="portal" data-type="text" title="sort by portal" aria-sort="descending"' in by_portal.stdout
    assert "4 portals, check run (nothing was changed): 1 failed, 1 drifted, 1 on the installation default, 1 in sync" in by_portal.stdout


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        header = body if kind == b"IHDR" else header
        chunks += [body] if kind == b"IDAT" else []
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    step = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(b"".join(chunks)), width * step, [], bytes(width * step)
    for index in range(height):
        kind, line = raw[index * (stride + 1)], bytearray(raw[index * (stride + 1) + 1:(index + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up, corner = previous[i], previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                near = min((abs(estimate - left), left), (abs(estimate - up), up), (abs(estimate - corner), corner),
                           key=lambda pair: pair[0])
                line[i] = (line[i] + near[1]) & 0xFF
        rows.append(bytes(line))
        previous = bytes(line)
    return width, height, [bytes(row[i:i + 3]) for row in rows for i in range(0, stride, step)]


def test_the_screenshot_shows_each_status_in_its_colour(chromium: str, report: Path) -> None:
    """Red, amber, blue and green cells on screen: the statuses are told apart by colour at a glance."""
    shot = report / "smtp-report.png"
    done = browser.headless(chromium, f"--screenshot={shot}", "--window-size=1100,420",
                            (report / "smtp-report.html").as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    width, height, pixels = _png_pixels(shot.read_bytes())
    assert (width, height) == (1100, 420)
    counts = {name: pixels.count(bytes(colour)) for name, colour in
              (("green", GREEN), ("amber", AMBER), ("red", RED), ("blue", BLUE))}
    assert all(count > 500 for count in counts.values()), counts
