# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make demo` as a new user meets it: it succeeds, every step says what it does, and it reads like prose."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

COLLECTION = Path(__file__).resolve().parents[2]
STEP = re.compile(r"^━━ \d\. ")


@pytest.fixture(scope="module", name="demo_output")
def fixture_demo_output() -> str:
    """The whole demo, run once, as `nox -s demo` runs it (ansible-core and the emulator from this venv)."""
    env = {**os.environ, "PATH": os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", "")))}
    completed = subprocess.run([sys.executable, str(COLLECTION / "demo" / "run_demo.py"), str(COLLECTION)],
                               capture_output=True, text=True, timeout=600, check=False, env=env)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed.stdout


def test_every_step_has_a_lead_in_line(demo_output: str) -> None:
    lines = demo_output.splitlines()
    steps = [index for index, line in enumerate(lines) if STEP.match(line)]
    assert len(steps) == 5, demo_output
    for index in steps:
        lead_in = lines[index + 1]
        assert lead_in.strip() and not lead_in.startswith("$ "), f"{lines[index]!r} is followed by {lead_in!r}"


def test_counts_are_written_as_a_person_writes_them(demo_output: str) -> None:
    assert "(s)" not in demo_output
    assert "no write" in demo_output and "1 settings read" in demo_output


def test_the_skipped_test_task_of_the_re_run_is_explained(demo_output: str) -> None:
    rerun = demo_output.split("━━ 2. ", 1)[1].split("━━ 3. ", 1)[0]
    assert "skipped=1" in rerun and "the test runs only when the settings changed" in rerun
