# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of base_url: normalisation, the checks that refuse it, and how it is echoed."""

from __future__ import annotations

import pytest

from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceConfigError
from ansible_collections.onlyoffice.docspace.plugins.module_utils._urls import normalize_base_url
from ansible_collections.onlyoffice.docspace.tests.unit.plugins.client_cases import PASSWORD


# ---------------------------------------------------------------- base_url and option checks

@pytest.mark.parametrize("given, expected", [
    ("https://portal.test/", "https://portal.test"),
    ("https://portal.test", "https://portal.test"),
    ("http://portal.test:8080/docspace/", "http://portal.test:8080/docspace"),
    (" https://portal.test/ ", "https://portal.test"),
], ids=["trailing-slash", "bare", "port-and-prefix", "surrounding-spaces"])
def test_normalize_base_url(given, expected):
    assert normalize_base_url(given) == expected


@pytest.mark.parametrize("given, problem", [
    ("portal.test", "http:// or https://"),
    ("ftp://portal.test", "http:// or https://"),
    ("https://", "no host"),
    ("https://portal.test/?tenant=1", "query string or fragment"),
    ("https://portal.test/#settings", "query string or fragment"),
    ("https://portal.test:99999", "port"),
    ("https://portal.test:https", "port"),
], ids=["no-scheme", "ftp", "no-host", "query", "fragment", "port-out-of-range", "port-not-a-number"])
def test_normalize_base_url_refuses(given, problem):
    with pytest.raises(DocSpaceConfigError) as caught:
        normalize_base_url(given)
    assert "base_url" in str(caught.value) and problem in str(caught.value)


@pytest.mark.parametrize("given", [
    f"https://admin:{PASSWORD}@portal.test/",
    f"https://admin:{PASSWORD}@portal.test:99999/",
    f"admin:{PASSWORD}@portal.test",
    "https://admin:Adm1n/pa55word@portal.test/",
], ids=["user-password", "with-bad-port", "no-scheme", "slash-in-password"])
def test_normalize_base_url_never_echoes_credentials(given):
    with pytest.raises(DocSpaceConfigError) as caught:
        normalize_base_url(given)
    assert "portal.test" in str(caught.value)
    assert "Adm1n" not in str(caught.value) and "pa55word" not in str(caught.value)


# ---------------------------------------------------------------- option echoes

@pytest.mark.parametrize("extra, refused", [
    (2048 - len("https://portal.test/"), False), (2049 - len("https://portal.test/"), True)])
def test_a_base_url_longer_than_2048_characters_is_refused(extra, refused):
    given = "https://portal.test/" + "a" * extra
    if refused:
        with pytest.raises(DocSpaceConfigError, match="it is 2049 characters long, more than the 2048"):
            normalize_base_url(given)
    else:
        assert normalize_base_url(given) == given


@pytest.mark.parametrize("given, hidden", [
    ("https://portal.test/?api_key=sk-query-secret-0042", "sk-query-secret-0042"),
    ("portal.test/" + "a" * 10000, "a" * 100),
    ("https://portal.test/\n" + "b" * 50, "\n"),
], ids=["query-with-key", "10000-characters", "control-character"])
def test_a_refused_base_url_is_echoed_short_and_without_its_query(given, hidden):
    with pytest.raises(DocSpaceConfigError) as caught:
        normalize_base_url(given)
    assert hidden not in str(caught.value) and len(str(caught.value)) < 300


def test_a_control_character_in_base_url_is_named():
    with pytest.raises(DocSpaceConfigError, match="control character U\\+000A at position 21"):
        normalize_base_url("https://portal.test/\nx")
