# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""What only the controller's worker path needs (plugin_utils/_in_process.py): the client's first-request set-up,
done once in Ansible's main process before it forks, and a quicker proxy lookup. A module shipped to a target
never imports this file.
"""

from __future__ import annotations

import os
import urllib.request
from typing import Mapping

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _transport
from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import VERSION_PATH, DocSpaceClient
from ansible_collections.onlyoffice.docspace.plugins.module_utils._envelope import Answer

# An address of TEST-NET-1 (RFC 5737): nothing to resolve, and the warm-up sends nothing anyway.
WARM_UP_URL = "https://192.0.2.1"


def warm_up() -> None:
    """Do once, sending nothing, the work a process's first request does before and after the network.

    Ansible forks a worker per task and host from its main process, and the collection's action plugins run
    the modules in those workers: what a first request sets up (codec lookups, compiled patterns, requests'
    session, URL and header handling, the envelope's parsing) is then inherited instead of redone per task.
    The workers inherit the quicker proxy lookup too (quick_environ_proxies).
    """
    if not _transport.HAS_REQUESTS:
        return
    _transport.environ_proxies = quick_environ_proxies
    # No proxy lookup: on macOS it asks the system's proxy configuration (SystemConfiguration), which must
    # not be set up in a process that forks, and it reads the environment anew on every call anyway.
    client = DocSpaceClient(WARM_UP_URL, api_key="warm-up", look_up_proxy=False)
    try:
        rehearse(client)
    finally:
        client.close()


def rehearse(client: DocSpaceClient) -> None:
    """What a GET does on either side of the network, without the network: see warm_up."""
    # pylint: disable=protected-access  # the collection's own client, driven as its _send() would
    requests = _transport.requests
    headers = client._send_headers({"Authorization": client._authorization()})
    client._session.prepare_request(requests.Request("GET", client.base_url + VERSION_PATH, json=None, headers=headers))
    answer_headers = requests.structures.CaseInsensitiveDict({"Content-Type": "application/json; charset=utf-8"})
    client._interpret("GET", VERSION_PATH, Answer(200, answer_headers, '{"response": {}, "count": 1, "status": 0}'))


def quick_environ_proxies(url: str) -> Mapping[str, str]:
    """requests' proxy lookup (module_utils/_transport.py environ_proxies), skipped where it can find nothing."""
    if not may_name_a_proxy(os.environ):
        return {}
    return _transport.requests.utils.get_environ_proxies(url)


def may_name_a_proxy(environ: Mapping[str, str]) -> bool:
    """False only where requests would find no proxy for any URL; its own lookup costs a forked worker ~0.4 ms.

    That is where the platform takes proxies from the environment alone (macOS and Windows also ask the
    system) and no variable other than NO_PROXY names one: urllib reads every *_proxy variable, any case.
    """
    if urllib.request.getproxies is not urllib.request.getproxies_environment:
        return True
    return any(value and key.lower().endswith("_proxy") and key.lower() != "no_proxy" for key, value in environ.items())
