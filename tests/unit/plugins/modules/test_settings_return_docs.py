# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The documented `settings` return value of both settings modules matches what the model returns."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_settings as model
from ansible_collections.onlyoffice.docspace.plugins.modules import smtp_settings, smtp_settings_info


@pytest.mark.parametrize("module", [smtp_settings, smtp_settings_info], ids=["smtp_settings", "smtp_settings_info"])
def test_documented_settings_keys_are_the_returned_ones(module):
    documented = yaml.safe_load(module.RETURN)["settings"]["contains"]
    assert set(documented) == set(model.SETTINGS_KEYS)
    assert "password" not in documented


def test_both_modules_document_settings_alike():
    # The two RETURN blocks are written out twice (doc fragments cannot hold return values); keep them equal.
    documented = [yaml.safe_load(module.RETURN)["settings"]["contains"] for module in (smtp_settings, smtp_settings_info)]
    assert {key: value["type"] for key, value in documented[0].items()} == \
        {key: value["type"] for key, value in documented[1].items()}
