# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the provider advisories: which relays they match, and their wording on a given date."""

from __future__ import annotations

from datetime import date

import pytest

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _advisories as advisories

BEFORE_M365 = date(2026, 12, 4)
M365_DAY = date(2026, 12, 31)


def relay(host, enable_auth=True, **more):
    return {"host": host, "port": 587, "enable_ssl": True, "enable_auth": enable_auth,
            "username": "mailer@contoso.com" if enable_auth else None, "is_default": False, **more}


@pytest.mark.parametrize("host, expected", [
    ("smtp.office365.com", ["microsoft-365-basic-auth"]),
    ("SMTP.Office365.com.", ["microsoft-365-basic-auth"]),  # as typed, with DNS's trailing dot
    ("smtp-legacy.office365.com", ["microsoft-365-basic-auth"]),
    ("smtp-mail.outlook.com", ["microsoft-365-basic-auth"]),
    ("smtp.gmail.com", ["google-app-password"]),
    ("smtp.googlemail.com", ["google-app-password"]),
    # A connector relay by IP or certificate is the advice, not a problem; look-alike names are not Microsoft's.
    ("contoso-com.mail.protection.outlook.com", []),
    ("smtp.office365.com.example.net", []),
    ("notsmtp.gmail.com", []),
    ("smtp-relay.gmail.com", []),
    ("smtp.example.com", []),
    ("", []),
])
def test_a_relay_is_recognised_by_its_host(host, expected):
    assert [entry["id"] for entry in advisories.advisories_for(relay(host), BEFORE_M365)] == expected


@pytest.mark.parametrize("host", ["smtp.office365.com", "smtp.gmail.com"])
def test_only_a_login_with_a_password_is_affected(host):
    assert advisories.advisories_for(relay(host, enable_auth=False), BEFORE_M365) == []
    assert advisories.advisories_for(None, BEFORE_M365) == []
    assert advisories.advisories_for({"host": None, "is_default": True}, BEFORE_M365) == []


def test_a_domain_pattern_matches_its_sub_domains_only():
    entry = advisories.Advisory(**{**advisories.ADVISORIES[0].__dict__, "hosts": ("*.relay.example",)})
    assert entry.matches(relay("eu.relay.example")) and not entry.matches(relay("relay.example"))
    assert not entry.matches(relay("evilrelay.example"))


@pytest.mark.parametrize("today, fragment", [
    (date(2026, 12, 30), "off by default for existing Exchange Online tenants at the end of December 2026"),
    (M365_DAY, "is off by default for existing Exchange Online tenants since the end of December 2026"),
    (date(2027, 8, 1), "is off by default for existing Exchange Online tenants since the end of December 2026"),
])
def test_the_wording_follows_the_run_date(today, fragment):
    (entry,) = advisories.advisories_for(relay("smtp.office365.com"), today)
    assert fragment in entry["summary"]
    assert ("will stop" in entry["summary"]) is (today < M365_DAY)


def test_the_result_names_the_date_the_source_and_what_works_with_docspace():
    (entry,) = advisories.advisories_for(relay("smtp.office365.com"), BEFORE_M365)
    assert set(entry) == {"id", "summary", "advice", "effective", "source"}
    assert entry["effective"] == "2026-12-31"
    assert entry["source"].startswith("Microsoft Exchange Team blog") and "https://techcommunity.microsoft.com/" in entry["source"]
    for relay_that_works in ("Azure Communication Services SMTP", "connector", "High Volume Email"):
        assert relay_that_works in entry["advice"]


# As DocSpace stores them: MailKit's message, without the reply code (docspace-smtp-api.md §3.4).
@pytest.mark.parametrize("reply, host, expected", [
    ("5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
     "smtp.office365.com", "microsoft-365-basic-auth"),
    ("5.7.30 Basic authentication is not supported for Client Submission.", "smtp-mail.outlook.com",
     "microsoft-365-basic-auth"),
    ("5.7.9 Application-specific password required.", "smtp.gmail.com", "google-app-password"),
    # The same enhanced code from another relay is that relay's own refusal ("mechanism too weak").
    ("5.7.9 Authentication mechanism is too weak", "mail.example.com", None),
    ("5.7.8 Error: authentication failed", "smtp.gmail.com", None),
    ("5.7.1390 something else", "smtp.office365.com", None),
])
def test_a_relay_answer_points_to_its_advisory(reply, host, expected):
    found = advisories.advisory_for_reply(reply, relay(host))
    assert (found.id if found else None) == expected


def test_without_the_relay_the_answer_alone_decides():
    found = advisories.advisory_for_reply("5.7.139 Authentication unsuccessful", None)
    assert found is not None and found.id == "microsoft-365-basic-auth"


def test_every_entry_is_complete():
    """A row added to the table says everything a user needs, in both tenses."""
    assert len({entry.id for entry in advisories.ADVISORIES}) == len(advisories.ADVISORIES)
    for entry in advisories.ADVISORIES:
        assert entry.hosts and entry.advice and entry.source.count("https://") == 1 and entry.fleet_phrase
        assert "{when}" in entry.before and "{when}" in entry.since and entry.before != entry.since


def test_gmail_has_taken_only_app_passwords_since_may_2025():
    (entry,) = advisories.advisories_for(relay("smtp.gmail.com"), BEFORE_M365)
    assert entry["effective"] == "2025-05-01"
    assert "no longer accept the account password over SMTP since 1 May 2025" in entry["summary"]
    (before,) = advisories.advisories_for(relay("smtp.gmail.com"), date(2025, 4, 30))
    assert "stop accepting the account password over SMTP on 1 May 2025" in before["summary"]


def test_advise_warns_once_for_each_advisory_it_returns(monkeypatch):
    """The modules' one call: the advisories of the relay, each also shown as a warning, in the run's date."""
    monkeypatch.setattr(advisories, "run_date", lambda: BEFORE_M365)
    warned = []
    module = type("Module", (), {"warn": lambda self, text: warned.append(text)})()
    found = advisories.advise(module, relay("smtp.office365.com"))
    assert found == advisories.advisories_for(relay("smtp.office365.com"), BEFORE_M365)
    assert warned == [f"{found[0]['summary']} {found[0]['advice']}"]
    assert advisories.advise(module, relay("smtp.example.com")) == [] and len(warned) == 1
