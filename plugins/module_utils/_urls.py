# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""base_url: the checks that make it a portal root, the root within an address copied from a page, how it is
echoed (shown_url), and what in a URL may be a secret (url_secrets)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlsplit

from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceConfigError
from ansible_collections.onlyoffice.docspace.plugins.module_utils._names import name

# base_url is echoed in messages at most this long.
SHOWN_URL_LENGTH = 80
MAX_BASE_URL_LENGTH = 2048

# The first path segment of DocSpace's API and of the pages of its web client: a base_url that holds one
# was copied from the browser or the API docs, and the root is what comes before it.
PAGE_SEGMENTS = frozenset(("api", "products", "rooms", "files", "accounts", "portal-settings", "settings", "profile",
                           "doceditor", "login", "developer-tools", "management"))


def url_secrets(text: str) -> set[str]:
    """What in a URL may be a secret: the user:password text, its password, and the query's values."""
    secrets = set()
    if "@" in text:
        # Whatever precedes the last "@" may be a user:password, even where urlsplit does not see one
        # ("admin:pw@host", "https://admin:pa/ss@host").
        userinfo = text.rsplit("@", 1)[0].split("://", 1)[-1]
        secrets.add(userinfo)
        if ":" in userinfo:
            secrets.add(userinfo.split(":", 1)[1])
    query = text.partition("?")[2].partition("#")[0]
    if query:
        # ?api_key=sk-... is a credential too; short values (tenant=1) would mask unrelated text.
        secrets.add(query)
        secrets.update(value for _name, value in parse_qsl(query) if len(value) >= 4)
    return {secret for secret in secrets if secret}


def normalize_base_url(base_url: str) -> str:
    """Return base_url without a trailing slash, or raise DocSpaceConfigError if it is not a portal root."""
    text = (base_url or "").strip()
    problem = base_url_problem(text)
    if problem:
        raise DocSpaceConfigError(
            f"{name('base_url')} {shown_url(text)!r} is not a portal root such as https://docspace.example.com: {problem}")
    return text.rstrip("/")


def base_url_problem(text: str) -> str | None:
    """What makes text unusable as a portal root, or None."""
    control = re.search(r"[\x00-\x1f\x7f]", text)
    if control:
        return f"it contains the control character U+{ord(control.group()):04X} at position {control.start() + 1}"
    if len(text) > MAX_BASE_URL_LENGTH:
        return f"it is {len(text)} characters long, more than the {MAX_BASE_URL_LENGTH} a portal address can have"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        return "it must start with http:// or https://"
    if not parts.hostname:
        return "it has no host name"
    if parts.query or parts.fragment:
        return "it must not carry a query string or fragment"
    if parts.username or parts.password:
        return f"it must not carry credentials; use {name('api_key')} or {name('auth_username')}/{name('auth_password')}"
    try:
        parts.port  # pylint: disable=pointless-statement  # raises ValueError on a bad port
    except ValueError:
        return "its port is not a number between 0 and 65535"
    return None


def suggested_root(base_url: str) -> str | None:
    """The portal root within base_url when its path holds DocSpace's API or one of its pages, else None."""
    parts = urlsplit(base_url)
    segments = parts.path.split("/")
    for index, segment in enumerate(segments):
        if segment.lower() in PAGE_SEGMENTS:
            return f"{parts.scheme}://{parts.netloc}{'/'.join(segments[:index])}"
    return None


def shown_url(text: str) -> str:
    """text fit to echo: no credentials, no query or fragment, control characters escaped, shortened."""
    # Never echo what may be credentials (see url_secrets), even where urlsplit sees none.
    shown = f"***@{text.rsplit('@', 1)[1]}" if "@" in text else text
    if "?" in shown or "#" in shown:
        shown = re.split(r"[?#]", shown, maxsplit=1)[0] + "?..."
    shown = re.sub(r"[\x00-\x1f\x7f]", lambda found: f"\\x{ord(found.group()):02x}", shown)
    if len(shown) > SHOWN_URL_LENGTH:
        shown = f"{shown[:SHOWN_URL_LENGTH]}... ({len(text)} characters)"
    return shown


def is_loopback(host: str | None) -> bool:
    """Whether host is this machine (localhost or a loopback address)."""
    if not host:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
