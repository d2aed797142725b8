# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The AWX credential type (docs/awx/credential_type.yml) injects exactly the modules' environment fallbacks."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ansible_collections.onlyoffice.docspace.plugins.module_utils._module import connection_argument_spec

CREDENTIAL_TYPE = Path(__file__).resolve().parents[4] / "docs" / "awx" / "credential_type.yml"


def _fallbacks() -> dict[str, str]:
    """Environment variable -> option, from the modules' own argument spec."""
    return {name: option for option, spec in connection_argument_spec().items() if "fallback" in spec
            for name in spec["fallback"][1]}


def _definition() -> dict:
    return yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))


def test_the_injected_variables_are_the_modules_environment_fallbacks():
    assert sorted(_definition()["injectors"]["env"]) == sorted(_fallbacks())


def test_each_variable_carries_its_own_input_and_secrets_stay_secret():
    """DOCSPACE_API_KEY renders the api_key input, and so on; the CA path is the file AWX writes."""
    definition = _definition()
    fields = {field["id"]: field for field in definition["inputs"]["fields"]}
    spec = connection_argument_spec()
    for variable, option in _fallbacks().items():
        template = definition["injectors"]["env"][variable]
        if option == "ca_path":
            assert "tower.filename.ca_bundle" in template
            assert definition["injectors"]["file"]["template.ca_bundle"] == "{{ ca_bundle }}"
            continue
        assert re.fullmatch(r"\{\{ %s \}\}" % option, template), (variable, template)
        assert bool(fields[option].get("secret")) == bool(spec[option].get("no_log")), option
    assert fields["validate_certs"]["type"] == "boolean"
    assert definition["inputs"]["required"] == ["base_url"]
