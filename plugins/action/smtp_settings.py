# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action for onlyoffice.docspace.smtp_settings: runs the module in Ansible's worker on the controller, else ships it."""

from __future__ import annotations

from ansible_collections.onlyoffice.docspace.plugins.plugin_utils._in_process import DocSpaceAction, preload

preload()


class ActionModule(DocSpaceAction):
    """The smtp_settings module, in-process on a local connection (see plugin_utils/_in_process.py)."""

    module = "smtp_settings"
