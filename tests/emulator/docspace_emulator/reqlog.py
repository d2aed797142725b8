"""The per-portal request log, with secrets masked before anything is stored."""

import json
import re
import threading
import time
from typing import Any, Dict, List, Optional

MASK = "********"
SECRET_BODY_KEYS = {"credentialsuserpassword", "password", "passwordhash"}


def mask_headers(headers: Dict[str, str]) -> Dict[str, str]:
    """Authorization → scheme + "***" (or just "***"); the login cookie's value → "***"."""
    masked = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered == "authorization":
            scheme, _sep, rest = value.partition(" ")
            masked[name] = f"{scheme} ***" if rest else "***"
        elif lowered == "cookie":
            masked[name] = re.sub(r"(asc_auth_key=)[^;]*", r"\1***", value, flags=re.IGNORECASE)
        else:
            masked[name] = value
    return masked


def mask_body(value: Any) -> Any:
    """Replace non-empty secret values (any nesting, any key case) by the mask; "" stays "" so tests see it was empty."""
    if isinstance(value, dict):
        return {k: (MASK if isinstance(k, str) and k.lower() in SECRET_BODY_KEYS and v not in ("", None) else mask_body(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask_body(item) for item in value]
    return value


def mask_text(text: str) -> str:
    """Best effort for bodies that are not valid JSON: blank out the value of any secret-looking member."""
    pattern = r'("(?:' + "|".join(SECRET_BODY_KEYS) + r')"\s*:\s*)"(?:[^"\\]|\\.)+"'
    return re.sub(pattern, r'\1"' + MASK + '"', text, flags=re.IGNORECASE)


class RequestLog:
    """Thread-safe list of masked API request records."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: List[Dict[str, Any]] = []
        self._seq = 0

    def add(self, method: str, path: str, query: str, headers: Dict[str, str], raw_body: bytes,
            status: Optional[int], fault: Optional[str]) -> None:
        """Record one request (after it was answered, so ``status`` is known)."""
        body: Any = None
        body_text: Optional[str] = None
        if raw_body:
            text = raw_body.decode("utf-8", errors="replace")
            try:
                body = mask_body(json.loads(text))
            except ValueError:
                body_text = mask_text(text)
        with self._lock:
            self._seq += 1
            self._records.append({
                "seq": self._seq, "time": time.time(), "method": method, "path": path, "query": query,
                "status": status, "headers": mask_headers(headers), "body": body, "body_text": body_text, "fault": fault,
            })

    def list(self) -> List[Dict[str, Any]]:
        """A copy of the records, oldest first."""
        with self._lock:
            return [dict(record) for record in self._records]

    def clear(self) -> None:
        """Forget the records (sequence numbers keep counting)."""
        with self._lock:
            self._records.clear()
