"""A portal that is still starting, as a DocSpace installation is in its first minutes.

From DocSpace-buildtools (install/docker, config/nginx): until the proxy container runs, nothing listens on the
portal's port (connection refused); then the router answers API paths whose service is not up yet with 502
and its error page (config/nginx/onlyoffice.conf: `error_page 500 502 503 504 /custom_50x.html`, a page titled
"500 Error Page", config/nginx/html/custom_50x.html); the web front end can already serve its start page, an
HTML page, where the API will answer. Then the API answers.

The emulator plays these phases for set durations, counted from the moment the start-up is asked for. The
refusing phase is real: the portal's listening socket is closed and opened again on the same port
(Emulator.start_up).
"""

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from .http_types import Response

PHASES = ("refuse", "bad_gateway", "start_page")
# Longest phase the control API accepts, in seconds: a test must not hold a portal for longer.
MAX_PHASE = 600.0

ERROR_PAGE = (b'<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <meta charset="UTF-8" />\n'
              b"    <title>500 Error Page</title>\n  </head>\n  <body><div class=\"error-container\">"
              b"Something went wrong</div></body>\n</html>\n")
START_PAGE = (b'<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <meta charset="utf-8" />\n'
              b"    <title>ONLYOFFICE</title>\n  </head>\n  <body><div id=\"root\"></div></body>\n</html>\n")


@dataclass
class StartUp:
    """The phases of one start-up: seconds each, from `began` (time.monotonic)."""

    refuse: float = 0.0
    bad_gateway: float = 0.0
    start_page: float = 0.0
    began: float = field(default_factory=time.monotonic)

    @classmethod
    def parse(cls, body: Dict[str, Any]) -> "StartUp":
        """Check a control request's phases: numbers of seconds, 0 to MAX_PHASE, nothing else."""
        unknown = set(body) - set(PHASES)
        if unknown:
            raise ValueError(f"unknown start-up phases {sorted(unknown)}; use {', '.join(PHASES)}")
        seconds = {}
        for phase in PHASES:
            value = body.get(phase, 0)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_PHASE:
                raise ValueError(f"{phase} must be a number of seconds from 0 to {MAX_PHASE:g}")
            seconds[phase] = float(value)
        return cls(**seconds)

    @property
    def total(self) -> float:
        """Seconds until the API answers."""
        return self.refuse + self.bad_gateway + self.start_page

    def phase(self, now: Optional[float] = None) -> Optional[str]:
        """The phase at `now`, or None once the portal is ready."""
        elapsed = (time.monotonic() if now is None else now) - self.began
        for phase in PHASES:
            elapsed -= getattr(self, phase)
            if elapsed < 0:
                return phase
        return None

    def answer(self, now: Optional[float] = None) -> Optional[Response]:
        """What the portal answers to any API request now, while it starts; None when the API answers itself."""
        phase = self.phase(now)
        if phase == "bad_gateway":
            return Response(502, ERROR_PAGE, [("Content-Type", "text/html"), ("Server", "nginx")])
        if phase == "start_page":
            return Response(200, START_PAGE, [("Content-Type", "text/html; charset=utf-8"), ("Server", "nginx")])
        return None  # ready; while refusing, nothing is listening to ask

    def info(self) -> Dict[str, Any]:
        """The start-up as the control API shows it."""
        return {**{phase: getattr(self, phase) for phase in PHASES}, "phase": self.phase(), "ready_in": max(
            0.0, round(self.total - (time.monotonic() - self.began), 3))}


class StartUpState:
    """A portal's current start-up, if any; read by every request, so guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: Optional[StartUp] = None

    def begin(self, startup: StartUp) -> None:
        with self._lock:
            self._current = startup

    def clear(self) -> None:
        with self._lock:
            self._current = None

    def answer(self) -> Optional[Response]:
        """The starting portal's answer to an API request, or None."""
        with self._lock:
            current = self._current
        return None if current is None else current.answer()

    def info(self) -> Optional[Dict[str, Any]]:
        with self._lock:
            current = self._current
        return None if current is None else current.info()
