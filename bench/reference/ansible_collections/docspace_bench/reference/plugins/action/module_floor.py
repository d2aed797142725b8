# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The reference module through onlyoffice.docspace's own action path: in Ansible's worker on the controller."""

from __future__ import annotations

from ansible_collections.onlyoffice.docspace.plugins.plugin_utils._in_process import DocSpaceAction, preload

preload()


class ActionModule(DocSpaceAction):
    """module_floor, run as the collection's actions run their modules."""

    module = "module_floor"
    modules_package = "ansible_collections.docspace_bench.reference.plugins.modules"
