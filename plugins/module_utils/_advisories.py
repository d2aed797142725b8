# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""Provider advisories: what is known to threaten a stored relay, from one table. Pure code, no I/O.

A mail provider that changes its rules stops a portal's mail without anything changing on the portal. Each
row of ADVISORIES says how such a relay is recognised in the portal's settings, what changes and from when,
where that is published, and what works with DocSpace instead. DocSpace logs in to a relay with a user name
and password only: it has no OAuth2 / XOAUTH2 for SMTP on any branch up to release/v3.8.0
(docspace-smtp-api.md §8.1), so an OAuth-only relay is not an option for it.

The date of the run is passed in (today), so the wording moves from "will" to "since" on the day itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Mapping


@dataclass(frozen=True)
class Advisory:
    """One provider change that affects relays of a kind, and what to do about it."""

    id: str
    provider: str
    # Host names as stored in the settings, lower case; "*.example.com" matches the sub-domains of example.com.
    hosts: tuple[str, ...]
    # True when only relays that DocSpace logs in to (enable_auth) are affected.
    with_login_only: bool
    effective: date
    effective_words: str  # how the source states the date, e.g. "the end of December 2026"
    before: str  # what changes, said before `effective`; "{when}" is replaced by effective_words
    since: str  # the same, said on or after `effective`
    advice: str
    source: str
    # The report: a portal's cell says "<label> (<effective>)", the summary "<count> portals <fleet_phrase>".
    label: str
    fleet_phrase: str
    # Relay answers (regular expressions) that this change produces, and what such an answer means: a failed
    # test mail with one of them, from a relay this advisory matches, carries the meaning and the advice.
    # DocSpace stores MailKit's message, which drops the reply code ("5.7.139 Authentication unsuccessful"),
    # so the patterns look at the enhanced status code only.
    replies: tuple[str, ...] = ()
    refusal: str = ""

    def matches(self, settings: Mapping[str, Any]) -> bool:
        """Whether the portal's stored relay is one this advisory is about."""
        host = str(settings.get("host") or "").strip().rstrip(".").lower()
        if not host or (self.with_login_only and not settings.get("enable_auth")):
            return False
        return any(host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
                   for pattern in self.hosts)

    def summary(self, today: date) -> str:
        """What changes, in the tense that fits the run's date."""
        text = self.since if today >= self.effective else self.before
        return text.format(when=self.effective_words)

    def as_result(self, today: date) -> dict[str, str]:
        """The module's return value for this advisory (SPEC.md: id, summary, advice, effective, source)."""
        return {"id": self.id, "summary": self.summary(today), "advice": self.advice,
                "effective": self.effective.isoformat(), "source": self.source}


MICROSOFT_365_ADVICE = (
    "DocSpace cannot log in with OAuth2, so move this portal to a relay that takes a user name and password or "
    "none: Azure Communication Services SMTP (user name <resource>.<application id>.<tenant id>, password a "
    "client secret of that application), an Exchange Online connector that accepts the DocSpace server by its "
    "IP address or certificate (host <domain>.mail.protection.outlook.com, port 25, no login), or Microsoft 365 "
    "High Volume Email for internal recipients only. Until then a tenant admin can turn SMTP AUTH back on for "
    "the tenant or the sending mailbox; Microsoft will announce its final removal in the second half of 2027.")

ADVISORIES = (
    Advisory(
        id="microsoft-365-basic-auth",
        provider="Microsoft 365 / Exchange Online",
        hosts=("smtp.office365.com", "smtp-legacy.office365.com", "smtp-mail.outlook.com"),
        with_login_only=True,
        effective=date(2026, 12, 31),
        effective_words="the end of December 2026",
        before=("Microsoft turns SMTP AUTH basic authentication (a user name and password) off by default for "
                "existing Exchange Online tenants at {when}; new tenants no longer get it at all. This portal "
                "logs in to Microsoft 365 with a user name and password, so its mail will stop unless the "
                "tenant keeps SMTP AUTH on."),
        since=("SMTP AUTH basic authentication (a user name and password) is off by default for existing "
               "Exchange Online tenants since {when}, and new tenants do not get it at all. This portal logs "
               "in to Microsoft 365 with a user name and password, so its mail stops unless the tenant turned "
               "SMTP AUTH back on."),
        advice=MICROSOFT_365_ADVICE,
        source=("Microsoft Exchange Team blog, 'Exchange Online to retire Basic auth for Client Submission (SMTP "
                "AUTH)', updated 27 January 2026: https://techcommunity.microsoft.com/t5/exchange-team-blog/"
                "exchange-online-to-retire-basic-auth-for-client-submission-smtp/ba-p/4114750"),
        label="Microsoft 365 turns SMTP AUTH basic authentication off",
        fleet_phrase="relay through Microsoft 365 with basic authentication",
        replies=(r"\b5\.7\.30\b", r"\b5\.7\.139\b"),
        refusal=("Microsoft 365 refused basic authentication (SMTP AUTH with a user name and password) for this "
                 "tenant or mailbox"),
    ),
    Advisory(
        id="google-app-password",
        provider="Gmail / Google Workspace",
        hosts=("smtp.gmail.com", "smtp.googlemail.com"),
        with_login_only=True,
        effective=date(2025, 5, 1),
        effective_words="1 May 2025",
        before=("Google Workspace accounts stop accepting the account password over SMTP on {when} (the end of "
                "'less secure apps'; personal Gmail accounts stopped on 30 May 2022). This portal logs in to "
                "Gmail with a user name and password, which will work only if that password is an app password."),
        since=("Google Workspace accounts no longer accept the account password over SMTP since {when} (the end "
               "of 'less secure apps'; personal Gmail accounts since 30 May 2022). This portal logs in to Gmail "
               "with a user name and password, which works only if that password is an app password."),
        advice=("Turn on 2-Step Verification for the sending account, create an app password for it and save it "
                "as the SMTP password, or use Google Workspace's SMTP relay service (smtp-relay.gmail.com) with the "
                "DocSpace server's IP address allowed."),
        source=("Google Workspace Admin Help, 'Control access to less secure apps': "
                "https://support.google.com/a/answer/6260879"),
        label="Gmail takes only an app password",
        fleet_phrase="relay through Gmail with a password (an app password is needed)",
        replies=(r"\b5\.7\.9\b",),
        refusal="Gmail accepts only an app password here, not the account's own password",
    ),
)
ADVISORIES_BY_ID = {advisory.id: advisory for advisory in ADVISORIES}


def run_date() -> date:
    """Today in UTC: the date the modules word advisories for (tests pass their own)."""
    return datetime.now(timezone.utc).date()


def warning(advisory: Mapping[str, str]) -> str:
    """The module warning for one advisory of advisories_for(): what changes, then what to do."""
    return f"{advisory['summary']} {advisory['advice']}"


def advisories_for(settings: Mapping[str, Any] | None, today: date) -> list[dict[str, str]]:
    """The advisories for a portal's settings (normalised as the modules return them); [] for an unknown relay."""
    if not settings:
        return []
    return [advisory.as_result(today) for advisory in ADVISORIES if advisory.matches(settings)]


def advisory_for_reply(reply: str, relay: Mapping[str, Any] | None) -> Advisory | None:
    """The advisory whose provider answers this way ("5.7.139 ..."), when the relay is that provider's.

    The relay decides as much as the answer: 5.7.9 is also any server's "authentication mechanism is too
    weak" (RFC 4954), which no Gmail advice helps with. Without the relay (not readable), the answer alone.
    """
    return next((advisory for advisory in ADVISORIES
                 if any(re.search(pattern, reply) for pattern in advisory.replies)
                 and (relay is None or advisory.matches(relay))), None)


def advise(module: Any, settings: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The advisories for the settings, each also shown as the module's warning: the modules' one call."""
    found = advisories_for(settings, run_date())
    for advisory in found:
        module.warn(warning(advisory))
    return found
