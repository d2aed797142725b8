"""The SMTP settings model: what DocSpace stores, how it reads it back, and how a save is checked (docs/docspace-api.md §2)."""

from dataclasses import dataclass, replace
from typing import Any, Dict, Optional

from . import envelope
from .binding import BOOLEAN, NULLABLE_INT, STRING, Field

DEFAULT_PORT = 25
DEFAULT_SENDER_DISPLAY_NAME = "ONLYOFFICE Postman"

# The installation default seeded for tenant -1 (docs/docspace-api.md §2). Its password is an emulator secret.
DEFAULT_HOST = "notify.onlyoffice.info"
DEFAULT_SENDER = "postman@notify.onlyoffice.info"

SMTP_SETTINGS_FIELDS = [
    Field("host", "Host", STRING, max_length=255),
    Field("port", "Port", NULLABLE_INT, value_range=(1, 65535)),
    Field("senderAddress", "SenderAddress", STRING, max_length=255),
    Field("senderDisplayName", "SenderDisplayName", STRING, max_length=255),
    Field("credentialsUserName", "CredentialsUserName", STRING, max_length=255),
    Field("credentialsUserPassword", "CredentialsUserPassword", STRING),
    Field("enableSSL", "EnableSSL", BOOLEAN),
    Field("enableAuth", "EnableAuth", BOOLEAN),
    Field("useNtlm", "UseNtlm", BOOLEAN),
    Field("isDefaultSettings", "IsDefaultSettings", BOOLEAN),
]
SMTP_SETTINGS_TYPE = "ASC.Web.Api.ApiModels.ResponseDto.SmtpSettingsDto"


def _blank_to_none(value: Optional[str]) -> Optional[str]:
    return value if value else None


@dataclass(frozen=True)
class StoredSmtp:
    """The settings as ``SmtpSettings.Deserialize`` sees them: empty fields are null, no EnableAuth flag."""

    host: Optional[str] = None
    port: int = DEFAULT_PORT
    sender_address: Optional[str] = None
    sender_display_name: Optional[str] = None
    user: Optional[str] = None
    password: Optional[str] = None
    enable_ssl: bool = False
    use_ntlm: bool = False

    @classmethod
    def store(cls, **values: Any) -> "StoredSmtp":
        """Round-trip through the '#'-joined storage string: empty strings come back as null."""
        stored = cls(**values)
        return replace(
            stored,
            host=_blank_to_none(stored.host),
            sender_address=_blank_to_none(stored.sender_address),
            sender_display_name=_blank_to_none(stored.sender_display_name),
            user=_blank_to_none(stored.user),
            password=_blank_to_none(stored.password),
        )

    @property
    def enable_auth(self) -> bool:
        """Recomputed on every read: user name and password both stored."""
        return bool(self.user and self.password)

    @property
    def display_name(self) -> str:
        """A null display name reads back as the default one."""
        return self.sender_display_name if self.sender_display_name is not None else DEFAULT_SENDER_DISPLAY_NAME

    def to_dto(self, is_default: bool) -> Dict[str, Any]:
        """SmtpSettingsDto as GET/DELETE return it: password blanked, nulls omitted."""
        dto: Dict[str, Any] = {}
        if self.host is not None:
            dto["host"] = self.host
        dto["port"] = self.port
        if self.sender_address is not None:
            dto["senderAddress"] = self.sender_address
        dto["senderDisplayName"] = self.display_name
        if self.user is not None:
            dto["credentialsUserName"] = self.user
        dto["credentialsUserPassword"] = ""
        dto["enableSSL"] = self.enable_ssl
        dto["enableAuth"] = self.enable_auth
        # UseNtlm is only read back when credentials exist.
        dto["useNtlm"] = self.use_ntlm and self.enable_auth
        dto["isDefaultSettings"] = is_default
        return dto


# SmtpSettings.Empty, what a cloud (non-Standalone) portal shows when it has no settings of its own.
CLOUD_EMPTY_DTO = {"port": 0, "credentialsUserPassword": "", "enableSSL": False, "enableAuth": False,
                   "useNtlm": False, "isDefaultSettings": True}


def installation_default(password: str) -> StoredSmtp:
    """The tenant -1 row: notify.onlyoffice.info with the postman credentials."""
    return StoredSmtp.store(host=DEFAULT_HOST, port=DEFAULT_PORT, sender_address=DEFAULT_SENDER,
                            sender_display_name=DEFAULT_SENDER_DISPLAY_NAME, user=DEFAULT_SENDER, password=password)


def build_from_request(body: Dict[str, Any]) -> "tuple[StoredSmtp, Dict[str, Any]]":
    """``ToSmtpSettingsConfig`` plus the constructor checks (docs/docspace-api.md §2).

    Returns what gets stored and the POST response DTO, which mirrors the constructed object, not a
    re-read (so ``senderDisplayName: ""`` is echoed as ""). Raises ApiError on the ctor checks.
    """
    host = body.get("host")
    sender = body.get("senderAddress")
    display = body.get("senderDisplayName")
    if not host:
        raise envelope.argument_error("Empty smtp host.", "host")
    if not sender:
        raise envelope.argument_error("Empty sender address.", "senderAddress")
    if display is None:
        raise envelope.argument_null("senderDisplayName")
    port = body.get("port")
    port = DEFAULT_PORT if port is None else port
    enable_ssl = bool(body.get("enableSSL", False))
    enable_auth = bool(body.get("enableAuth", False))
    user = password = None
    if enable_auth:
        user, password = body.get("credentialsUserName"), body.get("credentialsUserPassword")
        if not user:
            raise envelope.argument_error("Empty user name.", "userName", "ASC.Core.Configuration.SmtpSettings.SetCredentials")
        if not password:
            raise envelope.argument_error("Empty password.", "password", "ASC.Core.Configuration.SmtpSettings.SetCredentials")
    # useNtlm is never copied from the request (DocSpace's ToSmtpSettingsConfig never copies it).
    stored = StoredSmtp.store(host=host, port=port, sender_address=sender, sender_display_name=display,
                              user=user, password=password, enable_ssl=enable_ssl, use_ntlm=False)
    response: Dict[str, Any] = {"host": host, "port": port, "senderAddress": sender, "senderDisplayName": display}
    if user is not None:
        response["credentialsUserName"] = user
    response.update({"credentialsUserPassword": "", "enableSSL": enable_ssl, "enableAuth": enable_auth,
                     "useNtlm": False, "isDefaultSettings": False})
    return stored, response


def from_control(body: Dict[str, Any]) -> StoredSmtp:
    """Settings written straight into storage by the control API (drift set-up).

    DTO names, case-insensitive; ``enableAuth`` is ignored because storage has no such flag: credentials
    given are credentials stored.
    """
    lowered = {str(k).lower(): v for k, v in body.items()}

    def text(name: str) -> Optional[str]:
        value = lowered.get(name.lower())
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
        return value

    def flag(name: str) -> bool:
        value = lowered.get(name.lower(), False)
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be a boolean")
        return value

    port = lowered.get("port", DEFAULT_PORT)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError("port must be an integer from 0 to 65535")
    # A real server cannot hold settings without these: SmtpSettings' constructor refuses them on every
    # save (common/ASC.Core.Common/Configuration/SmtpSettings.cs), and Deserialize rebuilds through it.
    for name, what in (("host", "host"), ("senderAddress", "sender address")):
        if not text(name):
            raise ValueError(f"settings without a {what} ({name}) cannot exist on a real DocSpace: SmtpSettings "
                             f"refuses an empty {what}; send {name}, or null to go back to the installation default")
    return StoredSmtp.store(host=text("host"), port=port, sender_address=text("senderAddress"),
                            sender_display_name=text("senderDisplayName"), user=text("credentialsUserName"),
                            password=text("credentialsUserPassword"), enable_ssl=flag("enableSSL"), use_ntlm=flag("useNtlm"))
