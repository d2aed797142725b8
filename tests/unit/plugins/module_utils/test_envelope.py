# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of reading DocSpace's answers: the envelope, hostile JSON."""

from __future__ import annotations

import pytest

from ansible_collections.onlyoffice.docspace.plugins.module_utils._envelope import parse_json
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceError
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.client_cases import SETTINGS_PATH, make_client
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import Call, FakeResponse, envelope


# ---------------------------------------------------------------- envelope

def test_envelope_without_response_gives_none_and_count_zero():
    client, _session, _sleeps = make_client([Call("GET", "/api/2.0/smtpsettings/smtp/test/status", envelope(None))])
    reply = client.get("/api/2.0/smtpsettings/smtp/test/status")
    assert (reply.status, reply.response, reply.count) == (200, None, 0)


def test_count_is_read_from_the_body():
    client, _session, _sleeps = make_client([Call("GET", "/api/2.0/keys", envelope([{"id": 1}, {"id": 2}], count=2))])
    reply = client.get("/api/2.0/keys")
    assert (reply.response, reply.count) == ([{"id": 1}, {"id": 2}], 2)


# ---------------------------------------------------------------- hostile JSON and types

@pytest.mark.parametrize("text, words", [
    ('{"response": {"port": NaN}, "status": 0}', "NaN"),
    ('{"response": {"port": Infinity}, "status": 0}', "Infinity"),
    ('{"response": {"port": 1e999}, "status": 0}', "1e999"),
    ('{"response": ' + "[" * 5000 + "]" * 5000 + ', "status": 0}', "nested more than 64 levels"),
], ids=["nan", "infinity", "overflowing-float", "deep-nesting"])
def test_hostile_json_is_refused_in_words(text, words):
    client, _session, _sleeps = make_client([Call("GET", SETTINGS_PATH, FakeResponse(200, text))])
    with pytest.raises(DocSpaceError) as caught:
        client.get(SETTINGS_PATH)
    assert words in str(caught.value) and "HTTP 200" in str(caught.value)


@pytest.mark.parametrize("levels, refused", [(1, False), (64, False), (65, True)])
def test_the_nesting_rule_refuses_more_than_64_levels(levels, refused):
    """The boundary itself: 64 levels are JSON like any other, 65 are refused; brackets in strings do not count."""
    body, problem = parse_json('{"a": ' * (levels - 1) + '["[[[{{{"]' + "}" * (levels - 1))
    assert (problem is not None) is refused
    if not refused:
        for _level in range(levels - 1):
            body = body["a"]
        assert body == ["[[[{{{"]
