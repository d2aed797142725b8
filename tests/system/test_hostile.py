# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Whole runs against a hostile portal (tests/system/hostile.py) and a hostile environment.

One playbook holds a task per case (CASES: name, module, options, words the failure must hold); it runs
once with the JSON callback (to judge each case) and once at -vvv (what a person sees). The harness searches
both outputs for every registered secret in every form (harness.leak_forms), so each echo case is also a
leak test. Environment cases (.netrc, proxy variables) run in playbooks of their own.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import play

import harness
import hostile

HOSTILE_KEY = "sk-hostile-key-7Gd2Qx9Lw4Pz1Nc8Vb"
HOSTILE_PASSWORD = "hostile-admin-pw-Rt6Yk3Jm"
URL_PASSWORD = "url-pw-hostile-Mx5Wq8Zt"
QUERY_KEY = "sk-query-hostile-Lp3Vn7Hd"
NETRC_PASSWORD = "netrc-pw-hostile-Ce4Ub9Ko"
# Quotes, a backslash, a blank and a non-ASCII letter: every escape and encoding changes it.
ODD_SMTP_PASSWORD = 'p@$$"w\\o{rd} \u00fc-Hs9Kq2Lm'
for _name, _value in {"hostile API key": HOSTILE_KEY, "hostile admin password": HOSTILE_PASSWORD,
                      "hostile login token": hostile.TOKEN, "password inside base_url": URL_PASSWORD,
                      "API key in base_url's query": QUERY_KEY, "netrc password": NETRC_PASSWORD,
                      "SMTP password with quotes and a backslash": ODD_SMTP_PASSWORD}.items():
    harness.register_secret(_name, _value)

SECRETS = {"api_key": HOSTILE_KEY, "admin_password": HOSTILE_PASSWORD, "smtp_password": ODD_SMTP_PASSWORD,
           "url_with_password": "", "url_with_query": f"https://docspace.example.test/?api_key={QUERY_KEY}"}
KEY = {"api_key": "{{ api_key }}"}
LOGIN = {"auth_username": "admin@hostile.test", "auth_password": "{{ admin_password }}"}
SAVE = {"host": "smtp.example.test", "port": 587, "sender_address": "noreply@example.test",
        "username": "mailer@example.test", "password": "{{ smtp_password }}"}
INFO, SETTINGS = "onlyoffice.docspace.smtp_settings_info", "onlyoffice.docspace.smtp_settings"
LIMIT = "larger than 4 MiB after decompression"
ROOT = "Check base_url: it must be the portal root"


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


REFUSED_PORT = closed_port()


def cases(server: hostile.HostileServer) -> list[tuple[str, str, dict[str, Any], tuple[str, ...]]]:
    """name, module, options, words; every case fails, and its message must hold the words."""
    url = server.url
    port = url("x").split(":")[2].split("/")[0]
    refused = REFUSED_PORT
    return [
        ("a save echoed in the error message", SETTINGS, {"base_url": url("echo"), **KEY, **SAVE}, ("HTTP 400", "********")),
        ("a save echoed in a text page", SETTINGS, {"base_url": url("echo-text"), **KEY, **SAVE}, ("HTTP 400", "not JSON")),
        ("the token echoed", INFO, {"base_url": url("token"), **LOGIN}, ("Token rejected: ********",)),
        ("an endless answer", INFO, {"base_url": url("stream"), **KEY}, (LIMIT,)),
        ("a gzip bomb", INFO, {"base_url": url("bomb"), **KEY}, (LIMIT,)),
        ("one byte per second", INFO, {"base_url": url("slow"), **KEY, "timeout": 2}, ("no complete answer within 2 s",)),
        ("NaN as the port", INFO, {"base_url": url("nan"), **KEY}, ("NaN", "the API never sends")),
        ("Infinity as the port", INFO, {"base_url": url("infinity"), **KEY}, ("Infinity",)),
        ("nesting 100000 deep", INFO, {"base_url": url("deep"), **KEY}, ("nested more than 64 levels",)),
        ("an HTML page with 200", INFO, {"base_url": url("html"), **KEY}, ("HTML page", ROOT)),
        ("a path prefix that is not the root", INFO, {"base_url": url("products/files"), **KEY},
         (f"Nothing found at http://127.0.0.1:{port}/products/files/api/2.0/smtpsettings/smtp (HTTP 404 on GET "
          "/api/2.0/smtpsettings/smtp)", f"{ROOT}, not the address of its API or of a page in it; use base_url: "
          f"http://127.0.0.1:{port}")),
        ("an unpaid portal", INFO, {"base_url": url("unpaid"), **KEY},
         ("The portal is unpaid or the installation has no valid licence (HTTP 402 on GET",)),
        ("an API key on DocSpace 3.0", INFO, {"base_url": url("oldkey"), **KEY},
         (f"The portal runs DocSpace {hostile.OLD_VERSION}, older than 3.1, which has no API keys, and rejected the key "
          "(HTTP 401 on GET /api/2.0/smtpsettings/smtp). Log in with a user name and password instead, which works on "
          "every version",)),
        ("a closed port", INFO, {"base_url": f"http://127.0.0.1:{refused}", **KEY},
         (f"connection refused by 127.0.0.1 port {refused}: GET http://127.0.0.1:{refused}/api/2.0/smtpsettings/smtp",)),
        ("a name that does not resolve", INFO, {"base_url": "http://docspace.invalid", **KEY},
         ("the name docspace.invalid does not resolve",)),
        ("https to a plain HTTP port", INFO, {"base_url": f"https://127.0.0.1:{port}/html", **KEY, "validate_certs": False},
         (f"127.0.0.1 port {port} does not speak TLS", f"use http:// in base_url (http://127.0.0.1:{port}/html)")),
        ("a base_url of 10000 characters", INFO, {"base_url": "ftp://" + "a" * 10000, **KEY}, ("(10006 characters)",)),
        ("an API key in base_url's query", INFO, {"base_url": "{{ url_with_query }}", **KEY}, ("query string",)),
        ("credentials in base_url, a missing option", INFO, {"base_url": "{{ url_with_password }}"}, ("no credentials are set",)),
        ("credentials in base_url, an unknown option", INFO, {"base_url": "{{ url_with_password }}", **KEY, "colour": 1},
         ("Unsupported parameters",)),
        ("credentials in base_url, a wrong type", INFO, {"base_url": "{{ url_with_password }}", **KEY, "timeout": "soon"},
         ("timeout",)),
        ("credentials in base_url, exclusive options", INFO, {"base_url": "{{ url_with_password }}", **KEY, **LOGIN},
         ("both an API key and a login are set",)),
    ]


@pytest.fixture(scope="module")
def server() -> Iterator[hostile.HostileServer]:
    """The hostile portal for the whole module."""
    started = hostile.HostileServer().start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def runs(server: hostile.HostileServer) -> dict[str, harness.PlaybookRun]:  # pylint: disable=redefined-outer-name
    """The case playbook with the JSON callback and at -vvv, side by side."""
    tasks = [{"name": name, module: options, "ignore_errors": True} for name, module, options, _words in cases(server)]
    secrets = {**SECRETS, "url_with_password": f"http://admin:{URL_PASSWORD}@127.0.0.1:{closed_port()}/"}
    jobs: list[dict[str, Any]] = [
        {"plays": play(tasks), "extra_vars": secrets, "label": "hostile cases"},
        {"plays": play(tasks), "args": ("-vvv",), "json_results": False, "extra_vars": secrets,
         "label": "hostile cases -vvv"}]
    return dict(zip(("json", "-vvv"), harness.run_parallel(jobs)))


@pytest.mark.parametrize("index", range(22))
def test_each_hostile_case_fails_in_words(index: int, server: hostile.HostileServer,  # pylint: disable=redefined-outer-name
                                          runs: dict[str, harness.PlaybookRun]) -> None:  # pylint: disable=redefined-outer-name
    """The case's task failed, its message holds the words, and no traceback took its place."""
    name, _module, _options, words = cases(server)[index]
    entry = runs["json"].entry(name)
    message = entry["result"].get("msg", "")
    assert entry["status"] == "failed", (name, entry)
    for word in words:
        assert word in message, (name, message)
    assert "Traceback (most recent call last)" not in message and "module_stderr" not in entry["result"]
    assert len(message) < 1200, (name, len(message))
    if name == "one byte per second":
        # Stopped by the client's deadline, not by the server ending its dribble.
        assert entry["seconds"] < hostile.DRIBBLE_SECONDS / 2, entry["seconds"]


def test_the_clear_text_warning_comes_with_a_failure(runs: dict[str, harness.PlaybookRun]) -> None:  # pylint: disable=redefined-outer-name
    """http:// to a host that is not loopback warns, even when the task then fails."""
    warnings = runs["json"].task("a name that does not resolve").get("warnings", [])
    assert any("clear text" in warning for warning in warnings)
    assert not runs["json"].task("a closed port").get("warnings")


def test_url_credentials_never_reach_invocation(runs: dict[str, harness.PlaybookRun]) -> None:  # pylint: disable=redefined-outer-name
    """ansible-core's own option checks fail first, and the password in base_url is still hidden."""
    result = runs["json"].task("credentials in base_url, an unknown option")
    assert result["invocation"]["module_args"]["base_url"]
    assert harness.leaked_form(URL_PASSWORD, str(result)) is None
    assert harness.leaked_form(URL_PASSWORD, runs["-vvv"].output) is None


def test_the_vvv_run_shows_the_same_failures(runs: dict[str, harness.PlaybookRun]) -> None:  # pylint: disable=redefined-outer-name
    """The -vvv run (searched for every secret by the harness) really ran the cases."""
    assert runs["-vvv"].output.count("...ignoring") >= 20


def test_netrc_for_the_portal_host_changes_nothing(server: hostile.HostileServer, tmp_path: Path) -> None:  # pylint: disable=redefined-outer-name
    """A ~/.netrc entry for the portal's host does not replace the API key."""
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login someone password {NETRC_PASSWORD}\n")
    netrc.chmod(0o600)
    key = hostile.NETRC_KEY_HEADER.split(" ", 1)[1]
    run = harness.run_playbook(play([{"name": "read", INFO: {"base_url": server.url("netrc"), "api_key": "{{ key }}"}}]),
                               extra_vars={"key": key}, env={"NETRC": str(netrc)}, label="netrc")
    assert run.entry("read")["status"] == "ok", run.task("read")


def test_a_proxy_variable_that_breaks_the_connection_is_named(server: hostile.HostileServer) -> None:  # pylint: disable=redefined-outer-name
    """HTTP_PROXY applies (documented) and a failing proxy is named with its variable."""
    proxy = f"http://127.0.0.1:{closed_port()}"
    env = {"HTTP_PROXY": proxy, "NO_PROXY": "", "no_proxy": ""}
    run = harness.run_playbook(play([{"name": "read", INFO: {"base_url": server.url("netrc"), "api_key": "{{ key }}"}}]),
                               extra_vars={"key": HOSTILE_KEY}, env=env, label="proxy")
    message = run.task("read")["msg"]
    assert f"through the proxy {proxy} (from HTTP_PROXY)" in message, message
