"""The control API under ``/_emulator/``: what tests use to look inside a portal and to bend it.

Portal-scoped endpoints act on the portal whose port received the call. Global ones (the portal list,
the whole info document, the global SMTP mailbox) answer on every port.
"""

import json
from typing import TYPE_CHECKING, Any, Callable, Dict, Tuple

from .http_types import Request, Response
from .portal import Portal
from .startup import StartUp

if TYPE_CHECKING:  # pragma: no cover
    from .emulator import Emulator

PREFIX = "/_emulator"


class ControlError(Exception):
    """A bad control request → 400 with ``{"error": ...}``."""


def _json_body(request: Request) -> Any:
    if not request.body.strip():
        return None
    try:
        return json.loads(request.body)
    except ValueError as error:
        raise ControlError(f"body is not JSON: {error}") from None


def _object_body(request: Request) -> Dict[str, Any]:
    body = _json_body(request)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def _requests(portal: Portal, request: Request, _emu: "Emulator") -> Any:
    if request.method == "DELETE":
        portal.clear_requests()
    return {"requests": portal.requests()}


def _mailbox(portal: Portal, request: Request, _emu: "Emulator") -> Any:
    if request.method == "DELETE":
        portal.clear_mailbox()
    return {"messages": portal.mailbox()}


def _faults(portal: Portal, request: Request, _emu: "Emulator") -> Any:
    if request.method == "POST":
        return {"fault": portal.add_fault(_object_body(request)), "faults": portal.list_faults()}
    if request.method == "DELETE":
        portal.clear_faults()
    return {"faults": portal.list_faults()}


def _config(portal: Portal, request: Request, _emu: "Emulator") -> Any:
    if request.method == "PUT":
        return portal.configure(_object_body(request))
    return portal.config()


def _settings(portal: Portal, request: Request, _emu: "Emulator") -> Any:
    if request.method == "PUT":
        body = _json_body(request)
        if body is not None and not isinstance(body, dict):
            raise ControlError("body must be a JSON object or null")
        portal.set_settings(body)
    return {"stored": portal.stored_settings(), "effective": portal.settings_dto()}


def _job(portal: Portal, _request: Request, _emu: "Emulator") -> Any:
    return {"job": portal.job()}


def _job_cancel(portal: Portal, _request: Request, _emu: "Emulator") -> Any:
    job = portal.cancel_job()
    if job is None:
        raise ControlError(f"{portal.name} has no test job to cancel")
    return {"job": job}


def _installation(portal: Portal, request: Request, _emu: "Emulator") -> Any:
    if request.method == "PUT":
        return portal.installation.configure(_object_body(request))
    return portal.installation.info()


def _reset(portal: Portal, _request: Request, _emu: "Emulator") -> Any:
    portal.reset()
    return {"reset": portal.name}


def _portal(portal: Portal, _request: Request, _emu: "Emulator") -> Any:
    return portal.info()


def _portals(_portal: Portal, request: Request, emu: "Emulator") -> Any:
    if request.method == "POST":
        count = _object_body(request).get("count", 1)  # plus optional "version" and "installation"
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 50:
            raise ControlError("count must be an integer between 1 and 50")
        body = _object_body(request)
        spec = emu.portal_spec({k: v for k, v in body.items() if k != "count"})
        return {"portals": [p.info() for p in emu.add_portals(count, **spec)]}
    return {"portals": [p.info() for p in emu.portals]}


def _start_up(portal: Portal, request: Request, emu: "Emulator") -> Any:
    if request.method == "POST":
        return {"start_up": emu.start_up(portal, StartUp.parse(_object_body(request)))}
    return {"start_up": portal.startup.info()}


def _info(_portal: Portal, _request: Request, emu: "Emulator") -> Any:
    return emu.info()


def _smtp_messages(_portal: Portal, request: Request, emu: "Emulator") -> Any:
    if request.method == "DELETE":
        emu.smtp.clear()
    return {"messages": emu.smtp.messages()}


Handler = Callable[[Portal, Request, "Emulator"], Any]
ENDPOINTS: Dict[str, Tuple[Tuple[str, ...], Handler]] = {
    "/requests": (("GET", "DELETE"), _requests),
    "/mailbox": (("GET", "DELETE"), _mailbox),
    "/faults": (("GET", "POST", "DELETE"), _faults),
    "/config": (("GET", "PUT"), _config),
    "/settings": (("GET", "PUT"), _settings),
    "/job": (("GET",), _job),
    "/job/cancel": (("POST",), _job_cancel),
    "/installation": (("GET", "PUT"), _installation),
    "/reset": (("POST",), _reset),
    "/start-up": (("GET", "POST"), _start_up),
    "/portal": (("GET",), _portal),
    "/portals": (("GET", "POST"), _portals),
    "/info": (("GET",), _info),
    "/smtp/messages": (("GET", "DELETE"), _smtp_messages),
}


def is_control(path: str) -> bool:
    """Whether a path belongs to the control API (and so is neither faulted nor logged)."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def handle(emu: "Emulator", portal: Portal, request: Request) -> Response:
    """Answer one control request."""
    endpoint = ENDPOINTS.get(request.path[len(PREFIX):].rstrip("/"))
    if endpoint is None:
        return Response.control_json({"error": f"unknown control endpoint {request.path}", "endpoints": sorted(ENDPOINTS)}, 404)
    methods, action = endpoint
    if request.method not in methods:
        return Response.control_json({"error": f"{request.method} not allowed; use {', '.join(methods)}"}, 405)
    try:
        return Response.control_json(action(portal, request, emu))
    except (ControlError, ValueError) as error:
        return Response.control_json({"error": str(error)}, 400)
