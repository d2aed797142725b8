# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""Every error of the collection's DocSpace calls, in one family: a module catches DocSpaceError alone.

The settings model's UnexpectedAnswer (_smtp_settings.py) is a DocSpaceResponseError, the test job's SmtpTestError
(_smtp_test.py) a DocSpaceError; both are defined where their wording lives. Nothing here imports the collection.
"""

from __future__ import annotations

from typing import Any


class DocSpaceError(Exception):
    """A failed DocSpace call, carrying what a person needs to act on it."""

    def __init__(self, message: str, method: str | None = None, path: str | None = None,
                 status: int | None = None, server_message: str | None = None,
                 retry_after: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.server_message = server_message
        self.retry_after = retry_after
        # The SMTP test job's last state where the failure came from one (SmtpTestError), else None.
        self.operation: Any = None

    def __str__(self) -> str:
        return self.message


class DocSpaceConfigError(DocSpaceError):
    """The connection options are unusable; raised before any request is sent."""


class DocSpaceAuthError(DocSpaceError):
    """Credentials rejected (401), feature hidden by the plan (402) or access denied (403)."""


class DocSpaceResponseError(DocSpaceError):
    """DocSpace answered, but not with what the API defines (wrong type, not JSON, too large)."""


class DocSpaceTransportError(DocSpaceError):
    """No usable HTTP answer: connection refused or reset, timeout, TLS failure."""

    def __init__(self, message: str, method: str, path: str, retryable: bool) -> None:
        super().__init__(message, method=method, path=path)
        # True for passing failures (refused, reset, connect timeout) worth repeating for an idempotent call.
        self.retryable = retryable
        # The cause alone, in words (the message adds where and what to do).
        self.cause = message


def failure_details(error: Exception) -> dict[str, Any]:
    """Return values of a task that failed on a DocSpace call: whether the portal answered at all.

    The fleet report counts a portal that did not answer (refused, timed out, name not found, TLS handshake)
    as unreachable, apart from one that answered with an error.
    """
    return {"reachable": not isinstance(error, DocSpaceTransportError)}
