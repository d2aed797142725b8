# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""Secrets in every form they could come back in, and the one way a server's text is fit into a message:
masked first, then shortened (Secrets.shown), so that no secret cut in half survives as its start.

The client takes its secrets from what ansible-core knows as no_log (DocSpaceModule.client()).
"""

from __future__ import annotations

import html
import json
from typing import Iterable
from urllib.parse import quote, quote_plus

MASK = "********"
# A secret cut short (by a server's message limit or ours) is still masked down to this many characters.
MIN_MASKED_PREFIX = 6


class Secrets:
    """Every secret of one client, masked in any form it could come back in."""

    def __init__(self, values: Iterable[str | None] = ()) -> None:
        self._forms: set[str] = set()
        for value in values:
            self.add(value)

    def add(self, value: str | None) -> None:
        """Mask value from now on (values shorter than 3 characters cannot be told from ordinary text)."""
        if value and len(value.strip()) >= 3:
            self._forms.update(form for form in secret_forms(value) if len(form) >= 3)

    def shown(self, text: str, limit: int = 120) -> str:
        """A server's text fit for a message: every secret masked, then shortened to limit characters."""
        return snippet(self.mask(text), limit)

    def mask(self, text: str) -> str:
        """Replace every form of every secret in text, and any cut-off beginning of one."""
        for form in sorted(self._forms, key=len, reverse=True):
            text = text.replace(form, MASK)
        return self._mask_prefixes(text)

    def _mask_prefixes(self, text: str) -> str:
        """Mask the start of a secret left by truncation ("sk-abc..." of "sk-abcdef").

        Forms that begin alike (the secret as sent and JSON-escaped, say) share a head; at each place the head
        occurs, as much is masked as the longest of them matches, so that no form's rest stays visible.
        """
        forms_by_head: dict[str, list[str]] = {}
        for form in self._forms:
            if len(form) > MIN_MASKED_PREFIX:
                forms_by_head.setdefault(form[:MIN_MASKED_PREFIX], []).append(form)
        for head, forms in forms_by_head.items():
            start = text.find(head)
            while start >= 0:
                end = max(start + _common_prefix_length(text[start:], form) for form in forms)
                text = text[:start] + MASK + text[end:]
                start = text.find(head, start + len(MASK))
        return text


def _common_prefix_length(text: str, form: str) -> int:
    length = 0
    while length < min(len(text), len(form)) and text[length] == form[length]:
        length += 1
    return length


def secret_forms(secret: str) -> set[str]:
    """The forms a secret takes when echoed: as sent, trimmed, folded, escaped, encoded or mis-decoded.

    Encodings are applied twice: a server that quotes our JSON body in its JSON error escapes it twice,
    and one that URL-encodes that text encodes the escaped form.
    """
    forms = {secret, secret.strip(), " ".join(secret.split())}
    for _level in range(2):
        forms |= {encoded for form in forms for encoded in _encodings(form)}
    return forms


def _encodings(text: str) -> set[str]:
    """text escaped, encoded or mis-decoded once, in each way an echo may use."""
    return {
        json.dumps(text)[1:-1],                     # JSON-escaped ("p@$$\"w\\o{rd}" and \u00fc)
        json.dumps(text, ensure_ascii=False)[1:-1],
        repr(text)[1:-1],                           # Python exception texts
        quote(text, safe=""), quote(text), quote_plus(text),
        html.escape(text),
        text.encode("utf-8").decode("latin-1"),     # UTF-8 bytes read as latin-1
        text.encode("unicode_escape").decode("ascii"),
        " ".join(text.split()),
    }


def snippet(text: str, limit: int = 120) -> str:
    """Shorten text for an error message (mask secrets before calling this)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "..."
