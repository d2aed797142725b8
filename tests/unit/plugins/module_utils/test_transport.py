# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the transport: answers bounded in size and time, the session, the environment and its proxy."""

from __future__ import annotations

import gzip
import json

import pytest
import requests

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _transport
from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import DocSpaceClient
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import (
    DocSpaceResponseError, DocSpaceTransportError)
from ansible_collections.onlyoffice.docspace.plugins.module_utils._transport import environment_proxy, open_session
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.client_cases import API_KEY, SETTINGS_PATH, make_client
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.http_script import Call, FakeResponse, envelope


# ---------------------------------------------------------------- bounded answers

def test_an_answer_larger_than_the_cap_is_refused():
    huge = FakeResponse(200, "", {"Content-Type": "application/json"}, content=b"[" + b"0," * (3 * 1024 * 1024) + b"0]")
    client, session, _sleeps = make_client([Call("GET", SETTINGS_PATH, huge)])
    with pytest.raises(DocSpaceResponseError) as caught:
        client.get(SETTINGS_PATH)
    assert "larger than 4 MiB after decompression" in str(caught.value)
    session.assert_done()  # not retried


def test_a_gzip_bomb_is_refused_after_the_cap_not_after_inflating_it():
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)
    reply = FakeResponse(200, "", {"Content-Encoding": "gzip"}, content=bomb, piece=4096)
    client, _session, _sleeps = make_client([Call("GET", SETTINGS_PATH, reply)])
    with pytest.raises(DocSpaceResponseError, match="larger than 4 MiB after decompression"):
        client.get(SETTINGS_PATH)
    assert reply.raw._body.tell() < len(bomb)  # pylint: disable=protected-access  # stopped reading early


def test_a_gzip_answer_is_read():
    body = json.dumps({"response": {"host": "smtp.test"}, "count": 1, "status": 0}).encode()
    reply = FakeResponse(200, "", {"Content-Encoding": "gzip"}, content=gzip.compress(body), piece=7)
    client, _session, _sleeps = make_client([Call("GET", SETTINGS_PATH, reply)])
    assert client.get(SETTINGS_PATH).response == {"host": "smtp.test"}


def test_a_dribbling_answer_meets_the_whole_request_deadline(monkeypatch):
    monkeypatch.setattr(_transport, "DEADLINE_GRACE", 0.1)
    # One byte every 50 ms: each read is quick, so only a deadline for the whole request stops it.
    slow = envelope({"host": "smtp.test"})
    slow = FakeResponse(200, slow.text, slow.headers, piece=1, pause=0.05)
    client, _session, _sleeps = make_client([Call("GET", SETTINGS_PATH, slow)], timeout=0.3)
    body = slow.raw  # close() replaces it, so that a replayed answer could be read again
    with pytest.raises(DocSpaceTransportError) as caught:
        client.get(SETTINGS_PATH)
    assert str(caught.value).startswith("no complete answer within 0.3 s (timeout)")
    # The client gave up while the body was still arriving: it did not wait for the read in progress.
    assert not body.finished()


# ---------------------------------------------------------------- environment and warnings

def test_netrc_never_replaces_the_authorization_header(tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine portal.test login someone password netrc-pw\n")
    monkeypatch.setenv("NETRC", str(netrc))
    session = open_session()
    prepared = session.prepare_request(requests.Request("GET", "https://portal.test/api", headers={"Authorization": "Bearer k"}))
    assert prepared.headers["Authorization"] == "Bearer k"


def test_ca_variables_are_ignored(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/bundle.pem")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/nonexistent/bundle.pem")
    settings = open_session().merge_environment_settings("https://portal.test/", {}, None, True, None)
    assert settings["verify"] is True


def test_a_proxy_from_the_environment_is_used_and_named(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert environment_proxy("https://portal.test") == ("http://proxy.test:3128", "HTTPS_PROXY")
    failure = requests.exceptions.ProxyError("Unable to connect to proxy")
    client, session, _sleeps = make_client([Call("GET", SETTINGS_PATH, failure)], retries=0)
    client = DocSpaceClient("https://portal.test", api_key=API_KEY, session=session, retries=0)
    with pytest.raises(DocSpaceTransportError) as caught:
        client.get(SETTINGS_PATH)
    assert "proxy http://proxy.test:3128 (from HTTPS_PROXY)" in str(caught.value)
    assert session.seen[0]["options"]["proxies"] == {"https": "http://proxy.test:3128"}


def test_no_proxy_turns_the_proxy_off(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    monkeypatch.setenv("NO_PROXY", "portal.test")
    assert environment_proxy("https://portal.test") is None
