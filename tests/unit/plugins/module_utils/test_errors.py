# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the error family: what a failed task returns about the portal."""

from __future__ import annotations

from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import (
    DocSpaceAuthError, DocSpaceTransportError, failure_details)
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.client_cases import SETTINGS_PATH


def test_a_failure_says_whether_the_portal_answered():
    refused = DocSpaceTransportError("connection refused", "GET", SETTINGS_PATH, retryable=True)
    rejected = DocSpaceAuthError("HTTP 401", method="GET", path=SETTINGS_PATH, status=401)
    assert failure_details(refused) == {"reachable": False}
    assert failure_details(rejected) == {"reachable": True}
