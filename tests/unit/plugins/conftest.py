# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared fixtures of the unit tests."""

from __future__ import annotations

from typing import Iterator

import pytest

from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import ScriptedSession, check_every_session_made


@pytest.fixture(autouse=True)
def every_script_played_out() -> Iterator[None]:
    """Fail the test when any scripted HTTP session it made saw a request off its script or kept calls unmade.

    Checked here rather than only by each test's runner, because the client handles the exception a broken
    script raises (as a transport failure), and a test that expects a failure would otherwise pass.
    """
    ScriptedSession.made.clear()
    yield
    check_every_session_made()
