# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""The SMTP settings model: validate, normalise, compare, plan, predict and show. Pure code, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SETTINGS_PATH = "/api/2.0/smtpsettings/smtp"

DEFAULT_PORT = 25
DEFAULT_SENDER_DISPLAY_NAME = "ONLYOFFICE Postman"
# DocSpace's [StringLength(255)] on every string field of the settings DTO.
MAX_LENGTH = 255

# The fields compared to decide whether a save is needed, in the order diffs and messages show them.
COMPARED_FIELDS = ("host", "port", "sender_address", "sender_display_name", "enable_ssl", "enable_auth",
                   "username", "is_default")
# The keys of the `settings` return value; never a password.
SETTINGS_KEYS = ("host", "port", "sender_address", "sender_display_name", "enable_ssl", "enable_auth",
                 "username", "use_ntlm", "is_default")

PASSWORD_NOTE = "(will be sent, not shown)"

# Deliberately loose: a local part without blanks or mail-syntax characters, '@', and a host name or
# bracketed address literal. It catches typos and non-addresses; the SMTP server has the final word.
_EMAIL = re.compile(r"^[^\s@<>()\[\],;:\\\"]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$")


@dataclass
class Plan:
    """What a task will do: `action` is none, save or reset; `failure` stops the task before any write."""

    action: str
    differences: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failure: str | None = None

    @property
    def changed(self) -> bool:
        """Whether the task reports a change."""
        return self.action != "none"


def is_email(text: str) -> bool:
    """Whether text looks like a plain e-mail address."""
    return bool(_EMAIL.match(text or ""))


def auth_wanted(params: dict[str, Any]) -> bool:
    """The effective enable_auth: as given, or on exactly when a username is given."""
    if params.get("enable_auth") is None:
        return bool(params.get("username"))
    return bool(params["enable_auth"])


def validate(params: dict[str, Any]) -> list[str]:
    """Return what is wrong with the module's SMTP options (empty when they are usable)."""
    if params.get("state", "present") != "present":
        return []
    problems = []
    host = params.get("host")
    if host is None or not host.strip():
        problems.append("host must not be empty")
    elif len(host) > MAX_LENGTH:
        problems.append(f"host must be at most {MAX_LENGTH} characters long, not {len(host)}")
    port = params.get("port")
    if port is None or not 1 <= port <= 65535:
        problems.append(f"port must be between 1 and 65535, not {port}")
    sender = params.get("sender_address")
    if sender is None or not sender.strip():
        problems.append("sender_address must not be empty")
    elif len(sender) > MAX_LENGTH or not is_email(sender):
        problems.append(f"sender_address {sender!r} is not an e-mail address such as noreply@example.com")
    display_name = params.get("sender_display_name")
    if display_name is not None and len(display_name) > MAX_LENGTH:
        problems.append(f"sender_display_name must be at most {MAX_LENGTH} characters long")
    username = params.get("username")
    if auth_wanted(params) and not username:
        problems.append("enable_auth is true, so username (the SMTP login) is required")
    elif username and len(username) > MAX_LENGTH:
        problems.append(f"username must be at most {MAX_LENGTH} characters long")
    return problems


def option_warnings(params: dict[str, Any]) -> list[str]:
    """Warnings about options that are accepted but have no effect."""
    warnings = []
    if params.get("use_ntlm"):
        warnings.append("use_ntlm is sent as given, but DocSpace does not store it (it always reads back as "
                        "false), so it is left out of the comparison and NTLM will not be used")
    if params.get("state", "present") == "present" and not auth_wanted(params):
        ignored = [name for name in ("username", "password") if params.get(name)]
        if ignored:
            warnings.append(f"{' and '.join(ignored)} ignored because enable_auth is false: DocSpace "
                            "discards credentials of a configuration without authentication")
    return warnings


def effective_options(params: dict[str, Any]) -> dict[str, Any]:
    """The task's SMTP options with DocSpace's defaults filled in where the task left them out."""
    enable_auth = auth_wanted(params)
    display_name = params.get("sender_display_name")
    return {
        "host": params.get("host"),
        "port": DEFAULT_PORT if params.get("port") is None else params["port"],
        "sender_address": params.get("sender_address"),
        "sender_display_name": DEFAULT_SENDER_DISPLAY_NAME if display_name is None else display_name,
        "enable_ssl": bool(params.get("enable_ssl")),
        "enable_auth": enable_auth,
        "username": params.get("username") if enable_auth else None,
        "password": (params.get("password") or "") if enable_auth else None,
        "use_ntlm": bool(params.get("use_ntlm")),
    }


def normalize_desired(params: dict[str, Any]) -> dict[str, Any]:
    """The compared fields of the configuration the task asks for."""
    options = effective_options(params)
    desired = {name: options[name] for name in COMPARED_FIELDS if name in options}
    desired["sender_display_name"] = _display_name(options["sender_display_name"])
    desired["is_default"] = False
    return desired


def normalize_dto(dto: Any) -> dict[str, Any]:
    """The settings view of a DocSpace SmtpSettingsDto; copes with the cloud's empty default."""
    dto = dto if isinstance(dto, dict) else {}
    # The serializer omits nulls, so a missing key is a null; DocSpace derives enableAuth on read.
    enable_auth = bool(dto.get("enableAuth", False))
    return {
        "host": dto.get("host"),
        "port": _port(dto.get("port")),
        "sender_address": dto.get("senderAddress"),
        "sender_display_name": _display_name(dto.get("senderDisplayName")),
        "enable_ssl": bool(dto.get("enableSSL", False)),
        "enable_auth": enable_auth,
        "username": dto.get("credentialsUserName") if enable_auth else None,
        "use_ntlm": bool(dto.get("useNtlm", False)),
        "is_default": bool(dto.get("isDefaultSettings", False)),
    }


def compared(settings: dict[str, Any]) -> dict[str, Any]:
    """Only the compared fields of a settings view or desired configuration."""
    return {name: settings.get(name) for name in COMPARED_FIELDS}


def compare(desired: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """The names of the compared fields that differ, in COMPARED_FIELDS order."""
    return [name for name in COMPARED_FIELDS if desired.get(name) != current.get(name)]


def plan(desired: dict[str, Any], current: dict[str, Any], update_password: str, password_given: bool,
         state: str, check_mode: bool = False) -> Plan:
    """Decide what the task does to the portal, given the normalised desired and current settings."""
    if state == "absent":
        return Plan("none") if current.get("is_default") else Plan("reset")
    differences = compare(desired, current)
    if not differences and not (update_password == "always" and desired["enable_auth"]):
        return Plan("none")
    result = Plan("save", differences=differences)
    if desired["enable_auth"] and not password_given:
        verb = "differs" if len(differences) == 1 else "differ"
        reason = (f"{', '.join(differences)} {verb} from the portal" if differences
                  else "update_password is always")
        problem = (f"The SMTP settings must be saved ({reason}), but no password was given: DocSpace never "
                   "returns the stored SMTP password and needs it with every save of a configuration with "
                   "authentication. Give the SMTP password in the password option.")
        if check_mode:
            result.warnings.append(f"check mode: {problem} The real run will fail.")
        else:
            result.failure = problem
    return result


def request_body(params: dict[str, Any]) -> dict[str, Any]:
    """The complete SmtpSettingsDto a save sends: POST replaces everything, so nothing is left out."""
    options = effective_options(params)
    body = {
        "host": options["host"],
        "port": options["port"],
        "senderAddress": options["sender_address"],
        # Sent as given ("" included): DocSpace itself turns "" into its default name.
        "senderDisplayName": options["sender_display_name"],
        "enableSSL": options["enable_ssl"],
        "enableAuth": options["enable_auth"],
        "useNtlm": options["use_ntlm"],
    }
    if options["enable_auth"]:
        body["credentialsUserName"] = options["username"]
        body["credentialsUserPassword"] = options["password"]
    return body


def predict_saved(body: dict[str, Any]) -> dict[str, Any]:
    """The settings view DocSpace's answer to saving body will show (what check mode reports)."""
    answer = {key: value for key, value in body.items() if key != "credentialsUserPassword"}
    # The answer echoes the request, except that DocSpace drops useNtlm and credentials without auth.
    answer.update(useNtlm=False, isDefaultSettings=False)
    if not body.get("enableAuth"):
        answer.pop("credentialsUserName", None)
    return normalize_dto(answer)


def predict_reset() -> dict[str, Any]:
    """The settings view after a reset when DocSpace has not said which defaults are in force."""
    settings = {key: None for key in SETTINGS_KEYS}
    settings["is_default"] = True
    return settings


def build_diff(before: dict[str, Any], after: dict[str, Any], sends_password: bool) -> dict[str, Any]:
    """The --diff of the compared fields; a save that sends a password notes it, never its value."""
    diff_after = compared(after)
    if sends_password:
        diff_after["password"] = PASSWORD_NOTE
    return {"before": compared(before), "after": diff_after}


def _display_name(value: Any) -> Any:
    """DocSpace stores "" as no name and reads it back as its default name."""
    return DEFAULT_SENDER_DISPLAY_NAME if value == "" else value


def _port(value: Any) -> Any:
    """The port as an int (DocSpace accepts and may echo it as a string); None stays None."""
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return value
