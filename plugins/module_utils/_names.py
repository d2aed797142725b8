# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""How messages name the options: by the module's option names, or by the names a caller set in option_names.

The onlyoffice.docspace.smtp role sets option_names to its variables, so that a message about one of its tasks
names what the person running the role typed (docspace_smtp_host, not host). Every message that names an
option takes the name from name(); nothing rewrites a finished message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The names in force for the module run in this process (a module process, or Ansible's worker).
_NAMES: dict[str, str] = {}


def use(names: Any) -> None:
    """Name the options as the mapping says from now on; None or an empty mapping means the option names."""
    _NAMES.clear()
    if isinstance(names, Mapping):
        _NAMES.update({str(option): str(shown) for option, shown in names.items() if shown})


def name(option: str) -> str:
    """The name a message uses for a module option."""
    return _NAMES.get(option, option)


class _Named(dict[str, str]):
    """format_map's mapping: every {option} of a template becomes that option's name."""

    def __missing__(self, option: str) -> str:
        return name(option)


def words(template: str) -> str:
    """A message template whose options are written {option}, in the names in force now.

    For texts kept in module-level tables: they are worded when shown, as a module run may set other names
    than the one before it in the same process.
    """
    return template.format_map(_Named())
