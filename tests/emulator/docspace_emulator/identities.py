"""Users, API keys and the secrets the emulator hands out.

Secrets are distinctive (tests grep logs and outputs for them) and deterministic by default, derived from a
seed and the portal name, so that a developer can paste them between runs. ``random`` gives a fresh seed.
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field

DEFAULT_SEED = "docspace-emulator"
DOMAIN = "docspace.test"


class SecretSource:
    """Derives named secrets from one seed."""

    def __init__(self, random: bool = False) -> None:
        self.seed = secrets.token_hex(16) if random else DEFAULT_SEED

    def token(self, label: str, length: int = 24) -> str:
        """A hex string that depends only on the seed and the label."""
        return hashlib.sha256(f"{self.seed}/{label}".encode()).hexdigest()[:length]

    def uuid(self, label: str) -> str:
        """A GUID-looking id derived like ``token`` (DocSpace user ids are GUIDs)."""
        return str(uuid.UUID(hex=self.token(label, 32)))


@dataclass(frozen=True)
class User:
    """A portal user. ``is_admin`` stands for "DocSpace owner or admin" (EditPortalSettings allowed)."""

    id: str
    email: str
    password: str
    display_name: str
    is_admin: bool


@dataclass(frozen=True)
class ApiKey:
    """An API key ("sk-..."); the request acts as ``owner`` with ``scopes``."""

    key: str
    owner: User
    scopes: frozenset = field(default_factory=lambda: frozenset({"*:write"}))


def make_portal_identities(name: str, source: SecretSource) -> "tuple[User, User, list[ApiKey]]":
    """The admin, the plain user and the three API keys of a portal."""
    admin = User(
        id=source.uuid(f"{name}/admin/id"),
        email=f"admin@{name}.{DOMAIN}",
        password=f"{name}-admin-pw-{source.token(f'{name}/admin/pw', 12)}",
        display_name="Portal Admin",
        is_admin=True,
    )
    user = User(
        id=source.uuid(f"{name}/user/id"),
        email=f"user@{name}.{DOMAIN}",
        password=f"{name}-user-pw-{source.token(f'{name}/user/pw', 12)}",
        display_name="Portal User",
        is_admin=False,
    )
    keys = [
        # A key created with permission "*" gets the global write scope (which implies read).
        ApiKey(f"sk-{name}-admin-{source.token(f'{name}/admin/key', 32)}", admin, frozenset({"*:write"})),
        ApiKey(f"sk-{name}-user-{source.token(f'{name}/user/key', 32)}", user, frozenset({"*:write"})),
        ApiKey(f"sk-{name}-readonly-{source.token(f'{name}/readonly/key', 32)}", admin, frozenset({"*:read"})),
    ]
    return admin, user, keys
