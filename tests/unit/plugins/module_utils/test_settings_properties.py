# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property-based tests of the SMTP settings logic against a small model of the DocSpace server.

For any configuration a task can ask for and any state a portal can hold:
- the module's planned request is accepted by the server (the module validates at least as strictly);
- applying it and planning again yields "no change" (idempotence);
- check mode predicts the change and the resulting settings that the real run gets.

The server model below is written from docspace-smtp-api.md (§1.1-1.3 read/save/reset, §2.1 validation,
§2.2 storage, §4 quirks); it shares no code with the module or the emulator on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_settings as model
from ansible_collections.onlyoffice.docspace.plugins.modules import smtp_settings

DEFAULT_NAME = "ONLYOFFICE Postman"
EXAMPLES = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


# --- The server model -------------------------------------------------------------------------------


class BadRequest(Exception):
    """The server answered 400 (model validation or an ArgumentException in the SmtpSettings constructor)."""


@dataclass(frozen=True)
class Stored:
    """One tenant's stored settings row: '#'-joined fields, so "" and null are the same (§2.2)."""

    host: str | None
    port: int
    sender: str | None
    display: str | None
    user: str | None
    password: str | None
    ssl: bool
    ntlm: bool

    def normalised(self) -> Stored:
        """What Deserialize() gives back: empty fields become null."""
        return replace(self, host=self.host or None, sender=self.sender or None, display=self.display or None,
                       user=self.user or None, password=self.password or None)


# The tenant -1 row of a self-hosted installation (§1.1); its password is never shown.
INSTALLATION_DEFAULT = Stored("notify.onlyoffice.info", 25, "postman@notify.onlyoffice.info", DEFAULT_NAME,
                              "postman@notify.onlyoffice.info", "postman-secret", False, False)
CLOUD_EMPTY = {"port": 0, "credentialsUserPassword": "", "enableSSL": False, "enableAuth": False, "useNtlm": False,
               "isDefaultSettings": True}


@dataclass
class Server:
    """One DocSpace portal's SMTP settings: GET, POST (save) and DELETE (reset)."""

    own: Stored | None
    standalone: bool = True

    def get(self) -> dict[str, Any]:
        """GET /api/2.0/smtpsettings/smtp: the tenant's row, else the installation default (§1.1)."""
        if self.own is None:
            return _dto(INSTALLATION_DEFAULT, True) if self.standalone else dict(CLOUD_EMPTY)
        return _dto(self.own, False)

    def save(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST: validate, replace everything, answer with the request as constructed (§1.2, §2.1, §4)."""
        port = body.get("port")
        if port is not None and not 1 <= port <= 65535:
            raise BadRequest("Port out of range")
        for key in ("host", "senderAddress", "senderDisplayName", "credentialsUserName"):
            if isinstance(body.get(key), str) and len(body[key]) > 255:
                raise BadRequest(f"{key} longer than 255")
        if not body.get("host"):
            raise BadRequest("Empty smtp host.")
        if not body.get("senderAddress"):
            raise BadRequest("Empty sender address.")
        if body.get("senderDisplayName") is None:
            raise BadRequest("Value cannot be null. (Parameter 'senderDisplayName')")
        auth = bool(body.get("enableAuth"))
        user = password = None
        if auth:
            user, password = body.get("credentialsUserName"), body.get("credentialsUserPassword")
            if not user:
                raise BadRequest("Empty user name.")
            if not password:
                raise BadRequest("Empty password.")
        port = 25 if port is None else port
        # useNtlm is never copied from the request.
        self.own = Stored(body["host"], port, body["senderAddress"], body["senderDisplayName"], user, password,
                          bool(body.get("enableSSL")), False).normalised()
        answer = {"host": body["host"], "port": port, "senderAddress": body["senderAddress"],
                  "senderDisplayName": body["senderDisplayName"]}
        if user is not None:
            answer["credentialsUserName"] = user
        answer.update(credentialsUserPassword="", enableSSL=bool(body.get("enableSSL")), enableAuth=auth,
                      useNtlm=False, isDefaultSettings=False)
        return answer

    def reset(self) -> dict[str, Any]:
        """DELETE: forget the tenant's row (if any) and answer what GET now shows (§1.3)."""
        self.own = None
        return self.get()


def _dto(row: Stored, is_default: bool) -> dict[str, Any]:
    """SmtpSettingsDto of a stored row: nulls omitted, password blank, enableAuth derived (§2, §4)."""
    row = row.normalised()
    auth = bool(row.user and row.password)
    dto: dict[str, Any] = {"port": row.port, "senderDisplayName": row.display or DEFAULT_NAME,
                           "credentialsUserPassword": "", "enableSSL": row.ssl, "enableAuth": auth,
                           "useNtlm": row.ntlm and auth, "isDefaultSettings": is_default}
    for key, value in (("host", row.host), ("senderAddress", row.sender), ("credentialsUserName", row.user)):
        if value is not None:
            dto[key] = value
    return dto


# --- The module's own decision and action, against the server model -------------------------------------


class ServerClient:
    """The part of DocSpaceClient that smtp_settings.carry_out() calls, answered by the server model."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.writes: list[str] = []

    def get(self, path: str) -> Any:
        assert path == model.SETTINGS_PATH
        return SimpleNamespace(response=self.server.get())

    def post(self, path: str, body: dict[str, Any]) -> Any:
        assert path == model.SETTINGS_PATH
        self.writes.append("POST")
        return SimpleNamespace(response=self.server.save(body))

    def delete(self, path: str) -> Any:
        assert path == model.SETTINGS_PATH
        self.writes.append("DELETE")
        return SimpleNamespace(response=self.server.reset())


@dataclass
class Outcome:
    """What one task run did: the action taken, the settings it returned and the writes it sent."""

    action: str
    settings: dict[str, Any]
    failure: str | None = None
    writes: list[str] = field(default_factory=list)


def run_task(server: Server, params: dict[str, Any], check_mode: bool = False) -> Outcome:
    """The module's read, its plan (model.plan) and its action (smtp_settings.carry_out), as its run_task does."""
    client = ServerClient(server)
    current = model.normalize_dto(client.get(model.SETTINGS_PATH).response)
    the_plan = model.plan(params, current, check_mode=check_mode)
    if the_plan.failure:
        return Outcome("failed", current, the_plan.failure, client.writes)
    settings = smtp_settings.carry_out(client, the_plan, check_mode)  # type: ignore[arg-type]
    return Outcome(the_plan.action, settings, writes=client.writes)


# --- Strategies -------------------------------------------------------------------------------------------

LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
HOSTS = st.one_of(st.builds(lambda a, b: f"{a}.{b}", LABEL, st.sampled_from(["test", "example.com", "local"])),
                  st.sampled_from(["notify.onlyoffice.info", "127.0.0.1", "smtp.example.com", " padded.test ",
                                   "h#ash.test", "x" * 255, "x" * 256]))
EMAILS = st.one_of(st.builds(lambda a, b: f"{a}@{b}.test", LABEL, LABEL),
                   st.sampled_from(["postman@notify.onlyoffice.info", "first.last+tag@example.com",
                                    "a" * 243 + "@example.test"]))
DISPLAY_NAMES = st.one_of(st.none(), st.just(""), st.just(DEFAULT_NAME), st.text(max_size=40),
                          st.just("n" * 255), st.just("n" * 256))
USERNAMES = st.one_of(st.none(), EMAILS, LABEL, st.just("postman@notify.onlyoffice.info"), st.just("u" * 256))
PASSWORDS = st.one_of(st.none(), st.text(min_size=1, max_size=20))
PORTS = st.one_of(st.none(), st.sampled_from([25, 465, 587, 2525, 1, 65535]), st.integers(1, 65535))
OPTIONAL_BOOL = st.one_of(st.none(), st.booleans())


@st.composite
def task_params(draw: Any) -> dict[str, Any]:
    """Module options that pass the module's own validation (bad input has its own tests).

    The strategies also draw values just over DocSpace's limits: the module must reject them itself,
    or the server model answers 400 and test_the_planned_request_is_accepted_by_the_server fails.
    """
    params = {
        "state": draw(st.sampled_from(["present", "present", "present", "absent"])),
        "host": draw(HOSTS), "port": draw(PORTS), "sender_address": draw(EMAILS),
        "sender_display_name": draw(DISPLAY_NAMES), "enable_ssl": draw(OPTIONAL_BOOL),
        "enable_auth": draw(OPTIONAL_BOOL), "username": draw(USERNAMES), "password": draw(PASSWORDS),
        "update_password": draw(st.sampled_from(["on_change", "always"])), "use_ntlm": draw(OPTIONAL_BOOL),
    }
    # AnsibleModule fills in the documented defaults before the module sees its options.
    params["port"] = 25 if params["port"] is None else params["port"]
    params["sender_display_name"] = DEFAULT_NAME if params["sender_display_name"] is None \
        else params["sender_display_name"]
    params["enable_ssl"] = bool(params["enable_ssl"])
    params["use_ntlm"] = bool(params["use_ntlm"])
    assume(not model.validate(params))
    return params


STORED_TEXT = st.one_of(st.none(), st.just(""), LABEL, EMAILS)


@st.composite
def servers(draw: Any) -> Server:
    """Any state the emulator can hold: installation or cloud default, or any row its control API can store."""
    standalone = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        return Server(None, standalone)
    row = Stored(host=draw(st.one_of(STORED_TEXT, HOSTS)), port=draw(st.integers(0, 65535)),
                 sender=draw(STORED_TEXT), display=draw(st.one_of(st.none(), st.just(""), st.text(max_size=20))),
                 user=draw(STORED_TEXT), password=draw(st.one_of(st.none(), st.just(""), st.text(max_size=8))),
                 ssl=draw(st.booleans()), ntlm=draw(st.booleans())).normalised()
    return Server(row, standalone)


def _copy(server: Server) -> Server:
    return Server(server.own, server.standalone)


# --- Properties -------------------------------------------------------------------------------------------


@EXAMPLES
@given(params=task_params(), server=servers())
def test_the_planned_request_is_accepted_by_the_server(params, server):
    """A configuration the module lets through never draws a 400 from DocSpace."""
    try:
        outcome = run_task(server, params)
    except BadRequest as error:
        pytest.fail(f"the server rejected the module's request: {error}")
    if outcome.failure:
        # The only failure before a write: a save with authentication but no password to send.
        assert model.auth_wanted(params) and not params.get("password")
        assert "password" in outcome.failure


@EXAMPLES
@given(params=task_params(), server=servers())
def test_applying_the_plan_then_comparing_again_yields_no_change(params, server):
    """Idempotence: the second run of the same task finds nothing to do."""
    first = run_task(server, params)
    assume(not first.failure)
    second = run_task(server, params)
    if params["update_password"] == "always" and model.auth_wanted(params) and params["state"] == "present":
        # Documented: an authenticated configuration is saved on every run, but nothing else differs.
        assert second.action == "save"
        assert model.compare(model.normalize_desired(params), first.settings) == []
    else:
        assert (second.action, second.writes) == ("none", []), (first, second)
    # What the first run reported is what the portal now shows.
    assert model.compared(first.settings) == model.compared(model.normalize_dto(server.get()))


@EXAMPLES
@given(params=task_params(), server=servers())
def test_check_mode_predicts_the_real_outcome(params, server):
    """Check mode reports the same change and, for a save, the same resulting settings as the real run."""
    before = server.own
    predicted = run_task(server, params, check_mode=True)
    assert predicted.writes == [] and server.own == before, "check mode must not change the portal"
    real = run_task(_copy(server), params)
    if real.failure:
        # Check mode reports the change with a warning instead of failing.
        assert predicted.action == "save"
        return
    assert predicted.action == real.action
    # The real run sends exactly the one write its action names, and none when nothing is to be done.
    assert real.writes == {"none": [], "save": ["POST"], "reset": ["DELETE"]}[real.action]
    if real.action == "save":
        assert predicted.settings == real.settings
    if real.action == "reset":
        assert predicted.settings["is_default"] and real.settings["is_default"]


@EXAMPLES
@given(server=servers())
def test_absent_is_idempotent_from_any_state(server):
    """Reset, then reset again: the second run changes nothing and the portal shows a default."""
    params = {"state": "absent", "update_password": "on_change"}
    run_task(server, params)
    assert run_task(server, params).action == "none"
    assert server.get()["isDefaultSettings"] is True


def test_the_server_model_keeps_docspace_quirks():
    """Guard the model itself: blank display name, dropped useNtlm, discarded credentials, derived enableAuth."""
    server = Server(None)
    answer = server.save({"host": "h.test", "senderAddress": "a@b.test", "senderDisplayName": "",
                          "enableAuth": False, "credentialsUserName": "u", "credentialsUserPassword": "p",
                          "useNtlm": True})
    assert answer["senderDisplayName"] == "" and "credentialsUserName" not in answer
    assert server.get()["senderDisplayName"] == DEFAULT_NAME
    assert server.get()["useNtlm"] is False and server.get()["enableAuth"] is False
    with pytest.raises(BadRequest):
        server.save({"host": "h.test", "senderAddress": "a@b.test", "senderDisplayName": "x", "enableAuth": True,
                     "credentialsUserName": "u"})
    assert server.reset()["isDefaultSettings"] is True
    assert Server(None, standalone=False).get() == CLOUD_EMPTY
