# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the DocSpace client: envelope, errors, retries, login, TLS options."""

from __future__ import annotations

import pytest

from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace import DocSpaceClient
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import Call, ScriptedSession, envelope

SETTINGS_PATH = "/api/2.0/smtpsettings/smtp"


def make_client(calls, **options):
    session = ScriptedSession(calls)
    sleeps = []
    client = DocSpaceClient("http://portal.test/", api_key=options.pop("api_key", "sk-test"), session=session,
                            sleep=sleeps.append, **options)
    return client, session, sleeps


def test_get_unwraps_the_envelope_and_sends_the_api_key_as_bearer():
    client, session, sleeps = make_client(
        [Call("GET", SETTINGS_PATH, envelope({"host": "smtp.test"}), headers={"Authorization": "Bearer sk-test"})])
    reply = client.get(SETTINGS_PATH)
    assert (reply.response, reply.count, reply.status) == ({"host": "smtp.test"}, 1, 200)
    session.assert_done()
    assert not sleeps
