# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How messages name the options (placeholder)."""
from __future__ import annotations


def name(option: str) -> str:
    """The name a message uses for a module option."""
    return option
