"""Who is calling (docs/docspace-api.md §5): API keys, login tokens (header or cookie) and Basic; and what they may do."""

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Dict, Optional, Tuple

from .http_types import Request
from .identities import ApiKey, User

COOKIE_NAME = "asc_auth_key"
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Identity:
    """An authenticated caller: the user the request acts as and the scopes it carries."""

    user: User
    scopes: frozenset
    via: str  # "api_key", "token" or "basic"

    def may(self, method: str) -> bool:
        """GET needs *:read or *:write; anything else *:write (SMTP routes have no scope of their own)."""
        if method.upper() == "GET":
            return bool(self.scopes & {"*:read", "*:write"})
        return "*:write" in self.scopes


def _strip_bearer(value: str) -> str:
    """``value.Trim()``, then ``[7..]`` when it contains "Bearer" anywhere (ordinal), as both handlers do."""
    value = value.strip()
    return value[len("Bearer "):] if "Bearer" in value else value


class Credentials:
    """The users, API keys and issued login tokens of one portal."""

    def __init__(self, users: "list[User]", keys: "list[ApiKey]") -> None:
        self.users: Dict[str, User] = {u.email.lower(): u for u in users}
        self.keys: Dict[str, ApiKey] = {k.key: k for k in keys}
        self.tokens: Dict[str, User] = {}

    def login(self, user_name: str, password: str) -> Optional[User]:
        """The user for an e-mail/password pair, or None."""
        user = self.users.get((user_name or "").strip().lower())
        if user is None or not password or not secrets.compare_digest(user.password.encode(), password.encode()):
            return None
        return user

    def issue_token(self, user: User) -> str:
        """A new login token (opaque; never looks like an API key or a JWT)."""
        token = "emu" + secrets.token_urlsafe(48).replace("-", "A").replace("_", "B")
        self.tokens[token] = user
        return token

    def forget_tokens(self) -> None:
        """Log everybody out."""
        self.tokens.clear()

    def authenticate(self, request: Request) -> Tuple[Optional[Identity], bool]:
        """(identity or None, whether the Basic handler answered — it adds WWW-Authenticate).

        The handler is chosen as BaseStartup.cs's ForwardDefaultSelector does, with ordinal (case-sensitive)
        prefixes: "Basic " → Basic; "Bearer " + a JWT → JWT; "Bearer " + "sk-…" → API key (from v3.1; the
        handler is ApiKeyBearerAuthHandler.cs); anything else → CookieAuthHandler.cs. Those two handlers
        trim the header and then, if it contains "Bearer", drop its first 7 characters without a second
        trim: "Bearer  sk-…" (two spaces) and "bearer sk-…" are 401.
        """
        header = request.header("Authorization") or ""
        if header.startswith("Basic "):
            return self._basic(header[len("Basic "):].strip()), True
        if header.startswith("Bearer "):
            token = header[len("Bearer "):].strip()
            if _JWT.match(token):
                return None, False  # the OAuth2/JWT handler: the emulator issues no JWTs
            if token.startswith("sk-") and self.keys:
                key = self.keys.get(_strip_bearer(header))
                return (Identity(key.owner, key.scopes, "api_key") if key else None), False
        # Cookie handler: the cookie first, else the Authorization header.
        value = self._cookie(request) or header
        user = self.tokens.get(_strip_bearer(value)) if value.strip() else None
        return (Identity(user, frozenset({"*:write"}), "token") if user else None), False

    def _basic(self, encoded: str) -> Optional[Identity]:
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        email, _sep, password = decoded.partition(":")
        user = self.login(email, password)
        return Identity(user, frozenset({"*:write"}), "basic") if user else None

    @staticmethod
    def _cookie(request: Request) -> Optional[str]:
        raw = request.header("Cookie")
        if not raw:
            return None
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(raw)
        except CookieError:
            return None
        morsel = cookie.get(COOKIE_NAME)
        return morsel.value if morsel else None
