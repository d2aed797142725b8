# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""The SMTP settings model: validate, normalise, compare, plan, predict and show. Pure code, no I/O.

Everything follows from FIELDS, one row per DocSpace setting: adding a setting is one row there plus its
documentation (module DOCUMENTATION/RETURN, the role's variable).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _names
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceResponseError

SETTINGS_PATH = "/api/2.0/smtpsettings/smtp"

# DocSpace's [StringLength(255)] on every string field of the settings DTO.
MAX_LENGTH = 255
# How much of an invalid value a message repeats: enough to recognise it, never a wall of text.
SHOWN_VALUE_LENGTH = 60
# MailKit uses TLS from the first byte only on this port (docspace-smtp-api.md §7.6).
IMPLICIT_TLS_PORT = 465

PASSWORD_NOTE = "(will be sent, not shown)"
# A fact for the host of the portal: true once settings were saved, false once a test mail through them went out
# (or they were reset). With a fact cache it outlives the run, so the role tests again after a failed test.
UNTESTED_FACT = "docspace_smtp_untested"
# common/ASC.Core.Common/Notify/Senders/SmtpSender.cs: one sender per notify process, whose credentials are
# replaced only when the settings it reads have a user name (BuildSmtpSettingsAsync), so turning the login off
# leaves the previous one in use (docspace-smtp-api.md §8.3).
NOTIFY_KEEPS_OLD_LOGIN = (
    "SMTP authentication is turned off by this save, but DocSpace's notify service, which sends invitations and "
    "notifications, keeps logging in to the relay with the previous user name and password until it is "
    "restarted: its one shared SMTP sender replaces the credentials only when a user name is set "
    "(common/ASC.Core.Common/Notify/Senders/SmtpSender.cs). The test mail runs in the API service and uses the "
    "new settings; restart the notify service (ASC.Notify) on the DocSpace server so that notifications do too.")


@dataclass(frozen=True)
class Field:
    """One DocSpace SMTP setting: its module option, its SmtpSettingsDto key and how the model treats it."""

    option: str
    dto_key: str
    kind: type
    default: Any = None
    compared: bool = True  # part of the comparison that decides whether to save
    shown: bool = True  # a key of the `settings` return value
    auth_only: bool = False  # sent and meaningful only with enable_auth
    secret: bool = False
    read_only: bool = False  # reported by DocSpace, not a module option
    aliases: tuple[str, ...] = ()


# In the order diffs, messages and `settings` show them. Source: web/ASC.Web.Api/ApiModels/ResponseDto/
# SmtpSettingsDto.cs and common/ASC.Core.Common/Configuration/SmtpSettings.cs (defaults).
FIELDS = (
    Field("host", "host", str),
    Field("port", "port", int, default=25),
    Field("sender_address", "senderAddress", str),
    Field("sender_display_name", "senderDisplayName", str, default="ONLYOFFICE Postman"),
    Field("enable_ssl", "enableSSL", bool, default=False),
    Field("enable_auth", "enableAuth", bool),  # no fixed default: see auth_wanted()
    Field("username", "credentialsUserName", str, auth_only=True, aliases=("credentials_user_name",)),
    Field("password", "credentialsUserPassword", str, compared=False, shown=False, auth_only=True, secret=True,
          aliases=("credentials_user_password",)),
    # Accepted by DocSpace but never stored, so it always reads back as false (docspace-smtp-api.md §4.3).
    Field("use_ntlm", "useNtlm", bool, default=False, compared=False),
    Field("is_default", "isDefaultSettings", bool, default=False, read_only=True),
)
FIELDS_BY_OPTION = {setting.option: setting for setting in FIELDS}
OPTION_FIELDS = tuple(setting for setting in FIELDS if not setting.read_only)
COMPARED_FIELDS = tuple(setting.option for setting in FIELDS if setting.compared)
SETTINGS_KEYS = tuple(setting.option for setting in FIELDS if setting.shown)
SECRET_DTO_KEYS = frozenset(setting.dto_key for setting in FIELDS if setting.secret)

DEFAULT_PORT = FIELDS_BY_OPTION["port"].default
DEFAULT_SENDER_DISPLAY_NAME = FIELDS_BY_OPTION["sender_display_name"].default

_SPEC_TYPES = {str: "str", int: "int", bool: "bool"}

# Deliberately loose: a local part without blanks or mail-syntax characters, '@', and a host name or
# bracketed address literal. It catches typos and non-addresses; the SMTP server has the final word.
_EMAIL = re.compile(r"^[^\s@<>()\[\],;:\\\"]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$")
# "Name <address>", the form mail programs show.
_NAMED_ADDRESS = re.compile(r"^\s*\"?([^\"<]*?)\"?\s*<([^<>]+)>\s*$")
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


class UnexpectedAnswer(DocSpaceResponseError):
    """DocSpace answered with settings of a shape or type its API never produces (of the client's error family)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"DocSpace's answer for {SETTINGS_PATH} is not what its API defines: {detail}. "
                         f"Check that {_names.name('base_url')} points at a DocSpace portal")


@dataclass
class Plan:
    """The whole decision of a task: the module only carries it out.

    `action` is none, save or reset; `body` is what a save sends; `after` is the predicted state (what check
    mode reports); `failure` stops the task before any write; `after_save` are warnings that hold once the
    save went through.
    """

    action: str
    differences: list[str] = field(default_factory=list)
    body: dict[str, Any] | None = None
    after: dict[str, Any] = field(default_factory=dict)
    sends_password: bool = False
    warnings: list[str] = field(default_factory=list)
    failure: str | None = None
    after_save: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the task reports a change."""
        return self.action != "none"


def option_spec() -> dict[str, dict[str, Any]]:
    """The AnsibleModule argument spec of the SMTP options, made from FIELDS."""
    spec: dict[str, dict[str, Any]] = {}
    for setting in OPTION_FIELDS:
        entry: dict[str, Any] = {"type": _SPEC_TYPES[setting.kind]}
        if setting.default is not None:
            entry["default"] = setting.default
        if setting.aliases:
            entry["aliases"] = list(setting.aliases)
        if setting.secret:
            entry["no_log"] = True
        spec[setting.option] = entry
    return spec


def is_email(text: str) -> bool:
    """Whether text looks like a plain e-mail address."""
    return bool(_EMAIL.match(text or ""))


def auth_wanted(params: dict[str, Any]) -> bool:
    """The effective enable_auth: as given, or on exactly when a username is given."""
    if params.get("enable_auth") is None:
        return bool(params.get("username"))
    return bool(params["enable_auth"])


def shown(value: str) -> str:
    """An invalid value as a message repeats it: quoted, and shortened when long."""
    if len(value) <= SHOWN_VALUE_LENGTH:
        return repr(value)
    return f"{value[:SHOWN_VALUE_LENGTH]!r}... ({len(value)} characters)"


def validate(params: dict[str, Any]) -> list[str]:
    """Return what is wrong with the module's SMTP options (empty when they are usable)."""
    problems = _control_character_problems(params)
    if params.get("state", "present") != "present":
        return problems
    problems += _host_problems(params.get("host"))
    port = params.get("port")
    if port is None or not 1 <= port <= 65535:
        problems.append(f"{_names.name('port')} must be between 1 and 65535, not {port}")
    problems += _sender_problems(params.get("sender_address"))
    for name in ("sender_display_name", "username"):
        value = params.get(name)
        if value and len(value) > MAX_LENGTH:
            problems.append(f"{_names.name(name)} must be at most {MAX_LENGTH} characters long, not {len(value)}")
    if auth_wanted(params) and not params.get("username"):
        problems.append(f"{_names.name('enable_auth')} is true, so {_names.name('username')} (the SMTP login) is required")
    return problems


def _control_character_problems(params: dict[str, Any]) -> list[str]:
    """Control characters (CR, LF, NUL ...) in any string option: DocSpace would store them as they are."""
    problems = []
    for setting in OPTION_FIELDS:
        value = params.get(setting.option)
        if setting.kind is str and isinstance(value, str) and _CONTROL_CHARACTER.search(value):
            what = "" if setting.secret else f" {shown(value)}"
            problems.append(f"{_names.name(setting.option)}{what} contains a control character (such as a line break); "
                            "remove it")
    return problems


def _host_problems(host: str | None) -> list[str]:
    """A host must be a bare server name or address: no scheme, port, path or blanks."""
    if host is None or not host.strip():
        return [f"{_names.name('host')} must not be empty"]
    if len(host) > MAX_LENGTH:
        return [f"{_names.name('host')} must be at most {MAX_LENGTH} characters long, not {len(host)}"]
    if _CONTROL_CHARACTER.search(host):
        return []  # already reported by _control_character_problems
    if any(character.isspace() for character in host):
        return [f"{_names.name('host')} {shown(host)} must not contain blanks; give the server name only, "
                f"such as {_names.name('host')}: {host.split()[0]}"]
    split = split_host(host)
    if split is None:
        return []
    name, port = split
    correction = f"{_names.name('host')}: {name}" + (f" and {_names.name('port')}: {port}" if port else "")
    return [f"{_names.name('host')} {shown(host)} must be the server name or address only, without a scheme, port or path; "
            f"use {correction}"]


def split_host(host: str) -> tuple[str, int | None] | None:
    """(name, port) for a host written as a URL or name:port, or None when host is already a bare name."""
    if host.count(":") > 1 and not any(mark in host for mark in "[/@"):
        return None  # a bare IPv6 address such as 2001:db8::25
    parts = urlsplit(host if "://" in host else f"//{host}")
    try:
        port = parts.port
    except ValueError:
        port = None  # "name:abc": the name is still the right suggestion
    name = parts.hostname or ""
    if not name or (name == host.lower() and port is None):
        return None
    return name, port


def _sender_problems(sender: str | None) -> list[str]:
    """The sender must be a plain address; a display name belongs in sender_display_name."""
    if sender is None or not sender.strip():
        return [f"{_names.name('sender_address')} must not be empty"]
    named = _NAMED_ADDRESS.match(sender)
    if named and is_email(named.group(2).strip()):
        name, address = named.group(1).strip(), named.group(2).strip()
        if not name:
            return [f"{_names.name('sender_address')} {shown(sender)} must be the plain address; use {_names.name('sender_address')}: {address}"]
        return [f"{_names.name('sender_address')} {shown(sender)} carries a display name; use {_names.name('sender_address')}: {address} "
                f"and {_names.name('sender_display_name')}: {name}"]
    if len(sender) > MAX_LENGTH or not is_email(sender):
        return [f"{_names.name('sender_address')} {shown(sender)} is not an e-mail address such as noreply@example.com"]
    return []


def option_warnings(params: dict[str, Any]) -> list[str]:
    """Warnings about options that are accepted but will not do what they seem to."""
    warnings = []
    if params.get("use_ntlm"):
        warnings.append(f"{_names.name('use_ntlm')} is sent as given, but DocSpace does not store it (it always reads back as "
                        "false), so it is left out of the comparison and NTLM will not be used")
    if params.get("state", "present") != "present":
        return warnings
    if not auth_wanted(params):
        ignored = [_names.name(option) for option in ("username", "password") if params.get(option)]
        if ignored:
            warnings.append(f"{' and '.join(ignored)} ignored because {_names.name('enable_auth')} is false: DocSpace "
                            "discards credentials of a configuration without authentication")
    if params.get("port") == IMPLICIT_TLS_PORT and not params.get("enable_ssl"):
        warnings.append(f"{_names.name('port')} {IMPLICIT_TLS_PORT} expects TLS from the first byte, but {_names.name('enable_ssl')} is false: "
                        "DocSpace will connect in plain text and its test will stall at 'Connect to host'. "
                        f"Set {_names.name('enable_ssl')}: true (DocSpace then uses implicit TLS on port 465)")
    return warnings


def effective_options(params: dict[str, Any]) -> dict[str, Any]:
    """The task's SMTP options with DocSpace's defaults filled in where the task left them out."""
    enable_auth = auth_wanted(params)
    options = {}
    for setting in OPTION_FIELDS:
        value = params.get(setting.option)
        options[setting.option] = setting.default if value is None else value
    options["enable_auth"] = enable_auth
    for setting in OPTION_FIELDS:
        if setting.auth_only and not enable_auth:
            options[setting.option] = None
    if enable_auth and options["password"] is None:
        options["password"] = ""
    return options


def normalize_desired(params: dict[str, Any]) -> dict[str, Any]:
    """The compared fields of the configuration the task asks for."""
    options = effective_options(params)
    desired = {name: options.get(name) for name in COMPARED_FIELDS}
    desired["sender_display_name"] = _display_name(options["sender_display_name"])
    desired["is_default"] = False
    return desired


def normalize_dto(dto: Any) -> dict[str, Any]:
    """The settings view of a DocSpace SmtpSettingsDto; raises UnexpectedAnswer for a malformed one.

    The serializer omits nulls, so a missing key is a null. DocSpace derives enableAuth on read.
    """
    if not isinstance(dto, dict):
        raise UnexpectedAnswer(f"the settings are {_json_type(dto)}, not an object")
    view = {setting.option: _read_field(setting, dto.get(setting.dto_key)) for setting in FIELDS if setting.shown}
    view["enable_auth"] = bool(view["enable_auth"])
    for setting in FIELDS:
        if setting.auth_only and setting.shown and not view["enable_auth"]:
            view[setting.option] = None
    view["sender_display_name"] = _display_name(view["sender_display_name"])
    return view


def _read_field(setting: Field, value: Any) -> Any:
    """One DTO value checked against the type the API defines; booleans default when absent."""
    if value is None:
        return setting.default if setting.kind is bool else None
    if setting.kind is int and isinstance(value, str) and value.strip().isdigit():
        return int(value)  # DocSpace accepts, and may echo, the port as a string
    if setting.kind is int and isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, setting.kind) and not (setting.kind is int and isinstance(value, bool)):
        return value
    # The value itself is not shown: a hostile answer could carry anything, a secret included.
    raise UnexpectedAnswer(f"{setting.dto_key} is {_json_type(value)}, not {_JSON_NAMES[setting.kind]}")


_JSON_NAMES = {str: "a string", int: "a whole number", bool: "true or false"}


def _json_type(value: Any) -> str:
    """The JSON type of value, in words."""
    if value is None:
        return "null"
    for kind, name in ((bool, "a boolean"), (str, "a string"), (int, "a number"), (float, "a number"),
                       (list, "a list"), (dict, "an object")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def compared(settings: dict[str, Any]) -> dict[str, Any]:
    """Only the compared fields of a settings view or desired configuration."""
    return {name: settings.get(name) for name in COMPARED_FIELDS}


def compare(desired: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """The names of the compared fields that differ, in COMPARED_FIELDS order."""
    return [name for name in COMPARED_FIELDS if desired.get(name) != current.get(name)]


def plan(params: dict[str, Any], current: dict[str, Any], check_mode: bool = False) -> Plan:
    """Decide what the task does to the portal, given its options and the normalised current settings."""
    if params.get("state", "present") == "absent":
        if current.get("is_default"):
            return Plan("none", after=current)
        return Plan("reset", after=predict_reset())
    desired = normalize_desired(params)
    differences = compare(desired, current)
    if not differences and not (params.get("update_password") == "always" and desired["enable_auth"]):
        return Plan("none", after=current)
    body = request_body(params)
    result = Plan("save", differences=differences, body=body, after=predict_saved(body),
                  sends_password=bool(desired["enable_auth"] and params.get("password")))
    if desired["enable_auth"] and not params.get("password"):
        _refuse_save_without_password(result, check_mode)
    if current.get("enable_auth") and not desired["enable_auth"]:
        if check_mode:
            result.warnings.append(f"check mode: the real run will save these settings. {NOTIFY_KEEPS_OLD_LOGIN}")
        else:
            result.after_save.append(NOTIFY_KEEPS_OLD_LOGIN)
    return result


def _refuse_save_without_password(result: Plan, check_mode: bool) -> None:
    """A save of an authenticated configuration needs the password: fail, or warn in check mode."""
    differences = result.differences
    verb = "differs" if len(differences) == 1 else "differ"
    reason = (f"{', '.join(_names.name(option) for option in differences)} {verb} from the portal" if differences
              else f"{_names.name('update_password')} is always")
    problem = (f"The SMTP settings must be saved ({reason}), but no password was given: DocSpace never "
               "returns the stored SMTP password and needs it with every save of a configuration with "
               f"authentication. Set {_names.name('password')} to the SMTP password.")
    if check_mode:
        result.warnings.append(f"check mode: {problem} The real run will fail.")
    else:
        result.failure = problem


def request_body(params: dict[str, Any]) -> dict[str, Any]:
    """The complete SmtpSettingsDto a save sends: POST replaces everything, so nothing is left out.

    Sent as given ("" display name included): DocSpace itself turns "" into its default name.
    """
    options = effective_options(params)
    return {setting.dto_key: options[setting.option] for setting in OPTION_FIELDS
            if not setting.auth_only or options["enable_auth"]}


def predict_saved(body: dict[str, Any]) -> dict[str, Any]:
    """The settings view DocSpace's answer to saving body will show (what check mode reports)."""
    answer = {key: value for key, value in body.items() if key not in SECRET_DTO_KEYS}
    # The answer echoes the request, except for what DocSpace does not store (useNtlm): that is exactly why
    # such a field is not compared, and it reads back as its default. Credentials without auth are dropped
    # by normalize_dto.
    for setting in FIELDS:
        if not setting.compared and not setting.secret:
            answer[setting.dto_key] = setting.default
    answer[FIELDS_BY_OPTION["is_default"].dto_key] = False
    return normalize_dto(answer)


def predict_reset() -> dict[str, Any]:
    """The settings view after a reset when DocSpace has not said which defaults are in force."""
    settings: dict[str, Any] = {key: None for key in SETTINGS_KEYS}
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
