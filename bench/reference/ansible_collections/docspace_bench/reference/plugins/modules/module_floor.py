# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The least a module with smtp_settings' options does: ansible-core's option checks, and one GET with requests."""

from __future__ import annotations

from typing import Any

import requests

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_settings as model
from ansible_collections.onlyoffice.docspace.plugins.module_utils._module import connection_argument_spec

# The rules between the connection options, as ansible-core checks them (the collection checks them itself).
CONNECTION_RULES: dict[str, Any] = {"mutually_exclusive": [("api_key", "auth_username"), ("api_key", "auth_password")],
                                    "required_one_of": [("api_key", "auth_username")],
                                    "required_together": [("auth_username", "auth_password")]}


def argument_spec() -> dict[str, Any]:
    """smtp_settings' options, composed as that module composes them, and the switch for the GET."""
    spec = connection_argument_spec()
    spec.update(model.option_spec())
    spec.update(state={"type": "str", "choices": ["present", "absent"], "default": "present"},
                update_password={"type": "str", "choices": ["on_change", "always"], "default": "on_change", "no_log": False},
                send_get={"type": "bool", "default": False})
    return spec


def read_settings(params: dict[str, Any]) -> Any:
    """One GET of the settings through a fresh requests session, as a module process would make it."""
    with requests.Session() as session:
        session.trust_env = False
        answer = session.get(params["base_url"].rstrip("/") + model.SETTINGS_PATH, timeout=params["timeout"],
                             headers={"Authorization": f"Bearer {params['api_key']}", "Accept": "application/json"})
        answer.raise_for_status()
        return answer.json()["response"]


def main() -> None:
    """Check the options; read the settings when asked to."""
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_if=[("state", "present", ("host", "sender_address"))], **CONNECTION_RULES)
    settings = read_settings(module.params) if module.params["send_get"] else None
    module.exit_json(changed=False, settings=settings)


if __name__ == "__main__":
    main()
