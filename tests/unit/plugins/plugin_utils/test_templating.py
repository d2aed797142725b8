# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit test of the main process's first template (plugin_utils/_templating.py) on the installed ansible-core."""

from __future__ import annotations

from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _templating


def test_the_first_template_renders_through_the_public_templar() -> None:
    # preload() ignores a failure here (the tasks' own templates would report it): this is where it shows.
    assert _templating.warm_up() is False
