# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Attribute descriptions shared by the modules of onlyoffice.docspace; each module states its support."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """Descriptions of check_mode, diff_mode, idempotent and action_group; modules add C(support)."""

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and then reports what would change without changing the portal.
  diff_mode:
    description: Returns the differences between the portal's state and the task when run with C(--diff).
  idempotent:
    description: Running the task again with the same options reports no change and changes nothing.
  action_group:
    description: Use C(group/onlyoffice.docspace.docspace) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - onlyoffice.docspace.docspace
"""
