# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The scripted HTTP session fails the test on every request off its script, even when the product swallows it."""

from __future__ import annotations

import pytest

from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import (
    Call,
    ScriptedSession,
    ScriptViolation,
    check_every_session_made,
    envelope,
)

URL = "http://portal.test"


def _swallowed(session: ScriptedSession, method: str, path: str, **options) -> None:
    """What a client's transport handling may do with the script's exception: catch it."""
    try:
        session.request(method, URL + path, **options)
    except ScriptViolation:
        pass


@pytest.mark.parametrize("script, requests, problem", [
    ([Call("GET", "/a", envelope({}))], [("GET", "/a", {}), ("GET", "/b", {})], "unexpected extra request GET /b"),
    ([Call("GET", "/a", envelope({})), Call("POST", "/b", envelope({}))], [("POST", "/b", {})],
     "expected GET /a, got POST /b"),
    ([Call("POST", "/a", envelope({}), body={"port": 25})], [("POST", "/a", {"json": {"port": 2525}})],
     "POST /a body {'port': 2525} != expected {'port': 25}"),
    ([Call("GET", "/a", envelope({}), headers={"Authorization": "Bearer k"})], [("GET", "/a", {"headers": {}})],
     "GET /a header Authorization: None, expected 'Bearer k'"),
], ids=["extra", "out of order", "body", "header"])
def test_a_swallowed_violation_still_fails(script, requests, problem):
    session = ScriptedSession(script)
    for method, path, options in requests:
        _swallowed(session, method, path, **options)
    with pytest.raises(AssertionError, match="requests that broke the script") as caught:
        session.assert_done()
    assert problem in str(caught.value)
    ScriptedSession.made.remove(session)  # judged here; the autouse fixture would fail this test on it again


def test_a_call_never_made_fails():
    session = ScriptedSession([Call("GET", "/a", envelope({})), Call("GET", "/b", envelope({}))])
    session.request("GET", URL + "/a")
    with pytest.raises(AssertionError, match=r"expected requests never sent: \['GET /b'\]"):
        session.assert_done()
    ScriptedSession.made.remove(session)


def test_every_session_a_test_makes_is_checked_after_it():
    """The check after each test (tests/unit/plugins/conftest.py) fails on a session no runner looked at."""
    unchecked = ScriptedSession([Call("GET", "/a", envelope({}))])
    _swallowed(unchecked, "GET", "/b")
    with pytest.raises(AssertionError, match="expected GET /a, got GET /b"):
        check_every_session_made()
    assert ScriptedSession.made == []  # checked once: the fixture's own check after this test finds nothing
