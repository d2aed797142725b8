# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the controller-only warm-up and proxy short cut (plugin_utils/_warm_up.py)."""

from __future__ import annotations

import os
import socket
import urllib.request
from urllib.parse import urlsplit

import pytest
import requests

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _transport
from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import VERSION_PATH, DocSpaceClient
from ansible_collections.onlyoffice.docspace.plugins.module_utils._transport import environment_proxy
from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _warm_up
from ansible_collections.onlyoffice.docspace.plugins.plugin_utils._warm_up import warm_up


class _SilentSession(requests.Session):
    """A real session that fails the test if anything is sent, and remembers what it prepared and being closed."""

    closed = False

    def __init__(self) -> None:
        super().__init__()
        self.prepared: list[str] = []

    def prepare_request(self, request):
        self.prepared.append(request.url)
        return super().prepare_request(request)

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        raise AssertionError(f"the warm-up sent {request.method} {request.url}")

    def close(self) -> None:
        self.closed = True
        super().close()


def test_the_warm_up_sends_nothing_and_closes_its_session(monkeypatch):
    """Run in Ansible's main process before it forks the workers that send: no request, no name lookup."""
    sessions: list[_SilentSession] = []
    interpreted: list[str] = []

    def open_silent_session() -> _SilentSession:
        sessions.append(_SilentSession())
        return sessions[-1]

    def no_network(*args, **kwargs):
        raise AssertionError(f"the warm-up looked up or connected to {args!r}")

    for name in ("getaddrinfo", "gethostbyname", "create_connection"):
        monkeypatch.setattr(socket, name, no_network)
    monkeypatch.setattr(_transport, "environment_proxy", no_network)
    monkeypatch.setattr(_transport, "environ_proxies", _transport.environ_proxies)  # warm_up() puts its short cut there
    monkeypatch.setattr(_transport, "open_session", open_silent_session)
    real_interpret = DocSpaceClient._interpret

    def recorded_interpret(self, method, path, answer):
        interpreted.append(path)
        return real_interpret(self, method, path, answer)

    monkeypatch.setattr(DocSpaceClient, "_interpret", recorded_interpret)
    warm_up()
    # Both sides of a GET were done: the request prepared, a DocSpace envelope read.
    assert len(sessions) == 1 and sessions[0].prepared == [f"{_warm_up.WARM_UP_URL}{VERSION_PATH}"]
    assert interpreted == [VERSION_PATH]
    assert sessions[0].closed


PROXY_ENVIRONMENTS = [
    {},
    {"NO_PROXY": "portal.test", "no_proxy": "*"},
    {"HTTPS_PROXY": "http://proxy.test:3128"},
    {"Https_Proxy": "http://proxy.test:3128"},
    {"all_proxy": "socks5://proxy.test:1080"},
    {"HTTP_PROXY": "http://proxy.test:3128"},
    {"HTTPS_PROXY": ""},
    {"HTTPS_PROXY": "http://proxy.test:3128", "NO_PROXY": "portal.test"},
]


@pytest.mark.skipif(urllib.request.getproxies is not urllib.request.getproxies_environment,
                    reason="this platform also asks the system for proxies")
@pytest.mark.parametrize("environment", PROXY_ENVIRONMENTS)
@pytest.mark.parametrize("url", ["https://portal.test", "http://portal.test:8092"])
def test_the_proxy_is_the_one_requests_would_take(monkeypatch, environment, url):
    """The short cut taken when nothing names a proxy finds what requests' own lookup finds."""
    monkeypatch.setattr(_transport, "environ_proxies", _warm_up.quick_environ_proxies)  # as warm_up() leaves it
    for name in [name for name in os.environ if name.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    proxies = requests.utils.get_environ_proxies(url)
    expected = proxies.get(urlsplit(url).scheme) or proxies.get("all")
    found = environment_proxy(url)
    assert (found[0] if found else None) == expected
    if not any(value and name.lower() != "no_proxy" for name, value in environment.items()):
        def no_lookup(*_args):
            raise AssertionError("requests was asked although no variable names a proxy")

        monkeypatch.setattr(requests.utils, "get_environ_proxies", no_lookup)
        assert environment_proxy(url) is None
