# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""The module base every module of the collection starts with: the shared options, their environment
fallbacks, the rules between them and the start-up checks, all before the task's first request; then the
task's client (DocSpaceModule.client()), which masks every value ansible-core knows as no_log.

The rules between options are checked here rather than by AnsibleModule (mutually_exclusive, required_if ...)
so that a message can say where a value came from (DOCSPACE_API_KEY in the environment) and name the options
as the caller does (option_names, see _names.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _names
from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import DocSpaceClient
from ansible_collections.onlyoffice.docspace.plugins.module_utils._names import name
from ansible_collections.onlyoffice.docspace.plugins.module_utils._transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.onlyoffice.docspace.plugins.module_utils._urls import url_secrets

# option -> the environment variable it falls back to (documented in the connection doc fragment).
ENVIRONMENT = {
    "base_url": "DOCSPACE_BASE_URL",
    "api_key": "DOCSPACE_API_KEY",
    "auth_username": "DOCSPACE_AUTH_USERNAME",
    "auth_password": "DOCSPACE_AUTH_PASSWORD",
    "validate_certs": "DOCSPACE_VALIDATE_CERTS",
    "ca_path": "DOCSPACE_CA_PATH",
}


def set_env_fallback(*names: str) -> str:
    """ansible-core's env_fallback, but a variable that is set and empty counts as unset.

    AWX and Automation Platform render an empty credential field as an empty string in their injectors, so an
    API-key credential sets DOCSPACE_AUTH_USERNAME=''; taken as given, it would conflict with the key.
    """
    for variable in names:
        value = os.environ.get(variable)
        if value:
            return value
    raise AnsibleFallbackNotFound


def _fallback(option: str) -> tuple[Any, list[str]]:
    return (set_env_fallback, [ENVIRONMENT[option]])


def connection_argument_spec() -> dict[str, dict[str, Any]]:
    """The options every module has: the connection (connection doc fragment), option_names and from_variables.

    from_variables is the action's on the controller (plugin_utils/_from_variables.py), which takes it out of
    the arguments; it is declared here so that the documentation and the argument spec agree.
    """
    return {
        # Required, but checked by DocSpaceModule, whose message can name DOCSPACE_BASE_URL.
        "base_url": {"type": "str", "fallback": _fallback("base_url")},
        "api_key": {"type": "str", "no_log": True, "fallback": _fallback("api_key")},
        "auth_username": {"type": "str", "fallback": _fallback("auth_username")},
        "auth_password": {"type": "str", "no_log": True, "fallback": _fallback("auth_password")},
        "validate_certs": {"type": "bool", "default": True, "fallback": _fallback("validate_certs")},
        "ca_path": {"type": "path", "fallback": _fallback("ca_path")},
        "timeout": {"type": "int", "default": 30},
        "ready_timeout": {"type": "int", "default": 0},
        "option_names": {"type": "dict"},
        "from_variables": {"type": "dict"},
    }


class DocSpaceModule(AnsibleModule):
    """AnsibleModule with the collection's start-up: names, URL credentials, option rules, the requests library.

    required_if takes AnsibleModule's form, [(option, value, (options required then,))], and is checked by
    this class, in the caller's names.
    """

    def __init__(self, argument_spec: dict[str, Any], required_if: Iterable[tuple[str, Any, Iterable[str]]] = (),
                 **kwargs: Any) -> None:
        self._options_in_task: set[str] = set()
        super().__init__(argument_spec=argument_spec, **kwargs)
        self.no_log_values.update(url_secrets(str(self.params.get("base_url") or "")))
        problems = connection_problems(self.params, self._from_environment())
        problems += [problem for rule in required_if for problem in _required_if_problems(self.params, *rule)]
        if problems:
            self.fail_json(msg="; ".join(problems))
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)

    def client(self, **kwargs: Any) -> DocSpaceClient:
        """The task's DocSpace client, built from the connection options; its warnings go to warn().

        Every value ansible-core knows as no_log (the credentials, the options a module declares secret, such
        as the SMTP password of the settings model's FIELDS, and what URL credentials _load_params found) is a
        secret of the client: masked in any message it words.
        """
        client = DocSpaceClient.from_params(self.params, secrets=self.no_log_values, **kwargs)
        for warning in client.warnings:
            self.warn(warning)
        return client

    def _load_params(self) -> None:
        """Load the options, then take the names and hide URL credentials before ansible-core validates (and
        may echo) them."""
        super()._load_params()
        _names.use(self.params.get("option_names"))
        self._options_in_task = {option for option, value in self.params.items() if value is not None}
        for text in (self.params.get("base_url"), os.environ.get(ENVIRONMENT["base_url"])):
            if isinstance(text, str):
                self.no_log_values.update(url_secrets(text))

    def _from_environment(self) -> dict[str, str]:
        """The options whose value came from an environment variable: option -> variable."""
        return {option: variable for option, variable in ENVIRONMENT.items()
                if option not in self._options_in_task and os.environ.get(variable)}


def _named(option: str, from_environment: dict[str, str]) -> str:
    """An option in a message, with where its value came from when that was the environment."""
    variable = from_environment.get(option)
    return f"{name(option)} (from {variable} in the environment)" if variable else name(option)


def _empty_variables(*options: str) -> str:
    """A note on the environment variables of these options that are set but empty."""
    empty = [ENVIRONMENT[option] for option in options if os.environ.get(ENVIRONMENT[option]) == ""]
    if not empty:
        return ""
    verb = "is" if len(empty) == 1 else "are"
    return f" ({' and '.join(empty)} {verb} set but empty, which counts as unset)"


def connection_problems(params: dict[str, Any], from_environment: dict[str, str]) -> list[str]:
    """What is wrong between the connection options: a missing base_url or credentials, or two ways to log in."""
    problems = []
    if not params.get("base_url"):
        problems.append(f"{name('base_url')} is not set: set it to the portal's address, such as "
                        f"https://docspace.example.com, or set DOCSPACE_BASE_URL in the environment"
                        f"{_empty_variables('base_url')}")
    login = [option for option in ("auth_username", "auth_password") if params.get(option)]
    if params.get("api_key") and login:
        problems.append(_two_ways_to_log_in(login, from_environment))
    elif not params.get("api_key") and not login:
        problems.append(f"no credentials are set: set {name('api_key')}, or {name('auth_username')} with "
                        f"{name('auth_password')}, or their variables DOCSPACE_API_KEY, or DOCSPACE_AUTH_USERNAME with "
                        f"DOCSPACE_AUTH_PASSWORD, in the environment"
                        f"{_empty_variables('api_key', 'auth_username', 'auth_password')}")
    elif len(login) == 1:
        present, absent = login[0], ({"auth_username", "auth_password"} - set(login)).pop()
        problems.append(f"{_named(present, from_environment)} is set without {name(absent)}: set {name(absent)} "
                        f"(or {ENVIRONMENT[absent]} in the environment){_empty_variables(absent)}, or log in with "
                        f"{name('api_key')} instead")
    return problems


def _two_ways_to_log_in(login: list[str], from_environment: dict[str, str]) -> str:
    """Both an API key and a login: say which came from where, and how to keep one of them."""
    login_given = " with ".join(_named(option, from_environment) for option in login)
    return (f"both an API key and a login are set: {_named('api_key', from_environment)}, and {login_given}. "
            f"Keep one of them: {_drop(['api_key'], from_environment)} to log in, or "
            f"{_drop(login, from_environment)} to use the API key")


def _drop(options: list[str], from_environment: dict[str, str]) -> str:
    """How to take options away: unset the variables they came from, or remove them from the task."""
    variables = [from_environment[option] for option in options if option in from_environment]
    given = [name(option) for option in options if option not in from_environment]
    steps = [f"remove {' and '.join(given)}"] if given else []
    if variables:
        steps.append(f"unset {' and '.join(variables)} (an empty value counts as unset)")
    return " and ".join(steps)


def _required_if_problems(params: dict[str, Any], option: str, value: Any, required: Iterable[str]) -> list[str]:
    """AnsibleModule's required_if rule, worded with the caller's names."""
    if params.get(option) != value:
        return []
    return [f"{name(needed)} is required when {name(option)} is {value}" for needed in required
            if params.get(needed) is None]
