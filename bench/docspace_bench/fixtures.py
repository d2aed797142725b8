# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SMTP configurations the benchmark writes, and the task snippets built from them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docspace_harness.emulator import Portal

SETTINGS_PATH = "/api/2.0/smtpsettings/smtp"


def smtp_config(info: dict[str, Any], variant: str = "A") -> dict[str, Any]:
    """Module options of a working configuration: the emulator's own SMTP server, with a login."""
    account = info["smtp"]["accounts"][0]
    return {
        "host": info["smtp"]["host"],
        "port": info["smtp"]["listeners"]["plain"],
        "sender_address": "noreply@bench.example.com",
        "sender_display_name": f"DocSpace bench {variant}",
        "enable_ssl": False,
        "enable_auth": True,
        "username": account["username"],
        "password": account["password"],
    }


def to_dto(config: dict[str, Any]) -> dict[str, Any]:
    """The same configuration in DocSpace's DTO names, for /_emulator/settings."""
    return {
        "host": config["host"], "port": config["port"], "senderAddress": config["sender_address"],
        "senderDisplayName": config["sender_display_name"], "enableSSL": config["enable_ssl"],
        "enableAuth": config["enable_auth"], "credentialsUserName": config["username"],
        "credentialsUserPassword": config["password"], "useNtlm": False,
    }


def connection(portal: Portal) -> dict[str, Any]:
    """Connection options for module_defaults (API key auth)."""
    return {"base_url": portal.base_url, "api_key": portal.api_key}


# emulator_request, the integration targets' action for the emulator's control API: no module run per call.
EMULATOR_ACTIONS = Path(__file__).resolve().parents[2] / "tests" / "integration" / "targets" / "setup_emulator" / "action_plugins"
CONTROL_STEPS = (("reset", "POST", "reset"), ("settings", "PUT", "settings"), ("config", "PUT", "config"),
                 ("clear_log", "DELETE", "requests"), ("clear_mailbox", "DELETE", "mailbox"))


def control_tasks(portal: Portal, name: str, **actions: Any) -> list[dict[str, Any]]:
    """Tasks that drive the emulator's control API in Ansible's worker, in the order of CONTROL_STEPS.

    actions: reset / clear_log / clear_mailbox (true), settings / config (a dict, or None for settings: none stored),
    read (["requests", "mailbox"]: one task each, named "<name> <what>", its document under "json").
    """
    tasks = []
    for action, method, path in CONTROL_STEPS:
        if action in actions and actions[action] is not False:
            request = {"url": f"{portal.base_url}/_emulator/{path}", "method": method}
            if method == "PUT":
                request["body"] = actions[action]
            tasks.append({"name": f"{name} {action}", "emulator_request": request})
    tasks += [{"name": f"{name} {what}", "emulator_request": {"url": f"{portal.base_url}/_emulator/{what}"}}
              for what in actions.get("read", ())]
    return tasks


def uri_way(portal: Portal, config: dict[str, Any], tag: str) -> list[dict[str, Any]]:
    """How people do it without the collection: uri GET, compare in `when`, conditional uri POST."""
    headers = {"Authorization": f"Bearer {portal.api_key}", "Accept": "application/json"}
    current = f"uri_current_{tag}"
    stored = f"{current}.json.response"
    differs = " or ".join([
        f"{stored}.host != {config['host']!r}",
        f"{stored}.port | int != {config['port']}",
        f"{stored}.senderAddress != {config['sender_address']!r}",
        f"{stored}.senderDisplayName != {config['sender_display_name']!r}",
        f"{stored}.enableSSL != {config['enable_ssl']}",
        f"{stored}.enableAuth != {config['enable_auth']}",
        f"{stored}.credentialsUserName | default('') != {config['username']!r}",
        f"{stored}.isDefaultSettings | default(false)",
    ])
    return [
        {"name": f"uri-get {tag}", "ansible.builtin.uri": {
            "url": portal.base_url + SETTINGS_PATH, "headers": headers}, "register": current},
        {"name": f"uri-post {tag}", "ansible.builtin.uri": {
            "url": portal.base_url + SETTINGS_PATH, "method": "POST", "headers": headers, "body_format": "json",
            "body": to_dto(config)}, "changed_when": True, "no_log": True, "when": differs},
    ]
