"""Fault injection rules: what a test asks the next matching requests to suffer."""

import re
import threading
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional

KINDS = ("status", "html", "retry_after", "delay", "drop", "malformed_json", "empty_body")
METHODS = ("GET", "POST", "DELETE", "PUT", "PATCH", "*")
DEFAULT_STATUS = {"status": 503, "html": 502, "retry_after": 429, "malformed_json": 200, "empty_body": 200}


@dataclass
class FaultRule:
    """One rule. ``count`` None means "until cleared"; ``process`` lets the request take effect first."""

    kind: str
    method: str = "*"
    path: Optional[str] = None
    path_regex: Optional[str] = None
    status: Optional[int] = None
    count: Optional[int] = 1
    retry_after: int = 1
    delay: float = 5.0
    process: bool = False
    id: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Method equal (or "*") and path equal (case-insensitive, like ASP.NET routing) or regex found in it."""
        if self.method != "*" and self.method != method.upper():
            return False
        if self.path is not None and self.path.rstrip("/").lower() != path.rstrip("/").lower():
            return False
        if self.path_regex is not None and not re.search(self.path_regex, path):
            return False
        return True


def parse_rule(data: Dict[str, Any]) -> FaultRule:
    """Validate a control-API rule body; raises ValueError with a readable reason."""
    if not isinstance(data, dict):
        raise ValueError("a fault rule is a JSON object")
    unknown = set(data) - {"kind", "method", "path", "path_regex", "status", "count", "retry_after", "delay", "process"}
    if unknown:
        raise ValueError(f"unknown fault rule keys: {sorted(unknown)}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    method = str(data.get("method", "*")).upper()
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    if data.get("path_regex") is not None:
        re.compile(data["path_regex"])
    count = data.get("count", 1)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ValueError("count must be a positive integer or null (no limit)")
    status = data.get("status", DEFAULT_STATUS.get(kind))
    if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599):
        raise ValueError("status must be an HTTP status code")
    retry_after, delay = data.get("retry_after", 1), data.get("delay", 5.0)
    if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
        raise ValueError("retry_after must be a non-negative integer (seconds)")
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
        raise ValueError("delay must be a non-negative number (seconds)")
    return FaultRule(kind=kind, method=method, path=data.get("path"), path_regex=data.get("path_regex"), status=status,
                     count=count, retry_after=retry_after, delay=float(delay), process=bool(data.get("process", False)))


class FaultTable:
    """The rules of one portal; the first matching rule is used and consumed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: List[FaultRule] = []
        self._next_id = 1

    def add(self, rule: FaultRule) -> FaultRule:
        """Append a rule and give it an id."""
        with self._lock:
            rule.id = self._next_id
            self._next_id += 1
            self._rules.append(rule)
            return rule

    def take(self, method: str, path: str) -> Optional[FaultRule]:
        """The first rule matching the request, with one use consumed (removed when used up)."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    if rule.count is not None:
                        rule.count -= 1
                        if rule.count <= 0:
                            self._rules.remove(rule)
                    return rule
        return None

    def list(self) -> List[Dict[str, Any]]:
        """The rules still active, with the uses they have left."""
        with self._lock:
            return [asdict(rule) for rule in self._rules]

    def clear(self) -> None:
        """Forget every rule."""
        with self._lock:
            self._rules.clear()
