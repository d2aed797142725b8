"""Transport-neutral request and response objects passed between the HTTP server and the handlers."""

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from . import envelope


@dataclass
class Request:
    """One HTTP request as the handlers see it."""

    method: str
    path: str
    query: str
    headers: Dict[str, str]
    body: bytes
    url: str
    client_ip: str = "127.0.0.1"

    def header(self, name: str) -> Optional[str]:
        """Case-insensitive header lookup."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None


@dataclass
class Response:
    """An answer; ``drop`` closes the connection without one."""

    status: int
    body: bytes = b""
    headers: List[Tuple[str, str]] = field(default_factory=list)
    drop: bool = False
    fault: Optional[str] = None

    @classmethod
    def api_json(cls, status: int, body: Any) -> "Response":
        """A DocSpace JSON answer (compact, UTF-8)."""
        return cls(status, envelope.dumps(body), [("Content-Type", "application/json; charset=utf-8")])

    @classmethod
    def control_json(cls, body: Any, status: int = 200) -> "Response":
        """A control-API answer (indented, for humans with curl)."""
        return cls(status, json.dumps(body, indent=2).encode("utf-8") + b"\n", [("Content-Type", "application/json")])

    @classmethod
    def empty(cls, status: int, *headers: Tuple[str, str]) -> "Response":
        """No body at all (401/403 from the auth middleware, 429 from the rate limiter)."""
        return cls(status, b"", list(headers))
