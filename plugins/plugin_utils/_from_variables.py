# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""A task's options taken from variables by name (the modules' from_variables option), on the controller.

The onlyoffice.docspace.smtp role hands its variables to the modules this way instead of writing one
template per option (`host: "{{ docspace_smtp_host | default(omit) }}"`): ansible-core compiles every template
of a task anew in each forked worker, so those templates were a third of what an audit cost per portal. Here a
variable that holds a plain value costs a dictionary lookup; one that holds a template is rendered as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleActionFail

VaultedValue: Any
try:  # ansible-core 2.19+: a vaulted value is an EncryptedString, which the templar decrypts
    from ansible.parsing.vault import EncryptedString  # noqa: F401  # pylint: disable=unused-import
except ImportError:  # ansible-core 2.17: an object of its own, which its templar would split into characters
    from ansible.parsing.yaml.objects import AnsibleVaultEncryptedUnicode
    VaultedValue = AnsibleVaultEncryptedUnicode
else:
    VaultedValue = None

OPTION = "from_variables"


def mapping_of(task_args: dict[str, Any]) -> dict[str, str]:
    """The task's from_variables, removed from its arguments, checked: option name -> variable name."""
    mapping = task_args.pop(OPTION, None)
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping) or not all(
            isinstance(option, str) and isinstance(variable, str) and variable for option, variable in mapping.items()):
        raise AnsibleActionFail(f"{OPTION} must map option names to variable names, for example "
                                f"{{host: docspace_smtp_host}}; got {_shape(mapping)}.")
    return dict(mapping)


def take(mapping: dict[str, str], task_args: dict[str, Any], task_vars: Mapping[str, Any], templar: Any) -> None:
    """Set each option of the mapping whose variable is defined to that variable's value, in task_args.

    A defined variable wins over the task's own value and module_defaults; an undefined one leaves the option
    to them, the environment and the module's default. Messages name the options by these variables, unless
    the task's option_names says otherwise.
    """
    defined = {option: task_vars[variable] for option, variable in mapping.items() if variable in task_vars}
    vaulted = {option: str(value) for option, value in defined.items()
               if VaultedValue is not None and isinstance(value, VaultedValue)}
    # One call for all: ansible-core 2.19+ leaves out a value that renders to omit.
    rendered = templar.template({option: value for option, value in defined.items() if option not in vaulted})
    omitted = task_vars.get("omit")  # ansible-core 2.17's placeholder string
    task_args.update({option: value for option, value in rendered.items() if omitted is None or value != omitted})
    task_args.update(vaulted)
    task_args["option_names"] = {**mapping, **(task_args.get("option_names") or {})}


def _shape(value: Any) -> str:
    """What was given instead of a mapping of names, without its values (one of them may be a secret)."""
    if not isinstance(value, Mapping):
        return f"a {type(value).__name__}"
    wrong = [str(option) for option, variable in value.items() if not isinstance(variable, str) or not variable]
    return f"no variable name for {', '.join(wrong)}" if wrong else "a mapping with keys that are not names"
