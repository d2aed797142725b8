# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of options taken from variables by name (plugin_utils/_from_variables.py), with ansible-core's templar."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _from_variables
from ansible_collections.onlyoffice.docspace.plugins.plugin_utils._templating import trust_as_template

MAPPING = {"host": "docspace_smtp_host", "port": "docspace_smtp_port", "password": "vault_relay_password"}


def taken(task_args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
    """task_args after take() with MAPPING, with a templar over task_vars as the action has one."""
    variables = {name: trust_as_template(value) if isinstance(value, str) else value for name, value in task_vars.items()}
    variables["omit"] = "__omit_place_holder__test"  # ansible-core 2.17's omit; 2.19+ renders omit itself
    templar = Templar(loader=DataLoader(), variables=variables)
    _from_variables.take(MAPPING, task_args, variables, templar)
    return task_args


def test_a_defined_variable_sets_its_option_and_an_undefined_one_leaves_it_unset() -> None:
    args = taken({}, {"docspace_smtp_host": "relay.example.com"})
    assert args["host"] == "relay.example.com"
    assert "port" not in args and "password" not in args


def test_a_defined_variable_wins_over_the_tasks_value_and_an_undefined_one_keeps_it() -> None:
    # module_defaults arrive in the task's arguments too, so this is also their rank.
    args = taken({"host": "from.module.defaults", "port": 2525}, {"docspace_smtp_host": "relay.example.com"})
    assert (args["host"], args["port"]) == ("relay.example.com", 2525)


def test_a_variable_holding_a_template_gives_its_rendered_value() -> None:
    args = taken({}, {"docspace_smtp_host": "{{ relay }}.example.com", "relay": "smtp", "docspace_smtp_port": 587})
    assert (args["host"], args["port"]) == ("smtp.example.com", 587)


def test_a_variable_that_renders_to_omit_leaves_the_option_unset() -> None:
    args = taken({}, {"docspace_smtp_host": "{{ omit }}", "docspace_smtp_port": 587})
    assert "host" not in args and args["port"] == 587


def test_a_null_variable_is_passed_as_null_as_a_template_would() -> None:
    assert taken({}, {"docspace_smtp_host": None})["host"] is None


def test_messages_name_the_variables_unless_option_names_says_otherwise() -> None:
    args = taken({"option_names": {"port": "relay_port"}}, {})
    assert args["option_names"] == {"host": "docspace_smtp_host", "port": "relay_port", "password": "vault_relay_password"}


def test_mapping_of_takes_the_option_out_of_the_arguments() -> None:
    args = {"from_variables": {"host": "docspace_smtp_host"}, "port": 25}
    assert _from_variables.mapping_of(args) == {"host": "docspace_smtp_host"}
    assert args == {"port": 25}
    assert _from_variables.mapping_of({"port": 25}) == {}


@pytest.mark.parametrize("given, said", [
    (["docspace_smtp_host"], "got a list"),
    ({"host": ""}, "got no variable name for host"),
    ({"password": {"nested": "s3cr3t-value"}}, "got no variable name for password"),
])
def test_a_mapping_that_does_not_name_variables_fails_the_task_without_showing_values(given: Any, said: str) -> None:
    with pytest.raises(AnsibleActionFail) as failure:
        _from_variables.mapping_of({"from_variables": given})
    message = str(failure.value)
    assert message.startswith("from_variables must map option names to variable names") and said in message
    assert "s3cr3t-value" not in message
