"""What differs between DocSpace server versions, as far as the SMTP endpoints and the login show it.

Each rule names the DocSpace-server file (github.com/ONLYOFFICE/DocSpace-server) whose history shows it;
docs/docspace-api.md ("Versions") summarises them.
"""

import re
from dataclasses import dataclass
from typing import List, Tuple

from .binding import Field
from .settings import SMTP_SETTINGS_FIELDS

DEFAULT_VERSION = "3.7"
_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")


@dataclass(frozen=True)
class ServerVersion:
    """A DocSpace server version such as 2.0, 3.0 or 3.7 (a patch number is accepted and kept)."""

    text: str
    number: Tuple[int, int, int]

    @classmethod
    def parse(cls, text: str) -> "ServerVersion":
        """``"3.0"`` → ServerVersion; raises ValueError for anything else or a version before 2.0."""
        match = _VERSION.match(str(text).strip())
        if match is None:
            raise ValueError(f"version must look like 3.0 or 3.7.2, not {text!r}")
        number = (int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
        if number < (2, 0, 0):
            raise ValueError(f"version {text} is older than DocSpace 2.0, the first one emulated")
        return cls(str(text).strip(), number)

    @property
    def has_api_keys(self) -> bool:
        """common/ASC.Api.Core/Auth/ApiKeyBearerAuthHandler.cs first appears in v3.1.0."""
        return self.number >= (3, 1, 0)

    @property
    def status_set_on_init(self) -> bool:
        """web/ASC.Web.Api/Core/SmtpJob.cs sets ``CurrentOperation = string.Empty`` in Init from v2.6.0.

        Before, the status is null until the first step, and null members are not written: the first
        read of a job can lack ``status``.
        """
        return self.number >= (2, 6, 0)

    def smtp_settings_fields(self) -> List[Field]:
        """web/ASC.Web.Api/ApiModels/ResponseDto/SmtpSettingsDto.cs: the data annotations of this version.

        v2.x has none; v3.0.x only [Range(1, 65535)] on Port and [StringLength(255)] on CredentialsUserName;
        v3.1.0 added [StringLength(255)] on Host, SenderAddress and SenderDisplayName.
        """
        if self.number >= (3, 1, 0):
            return SMTP_SETTINGS_FIELDS
        if self.number >= (3, 0, 0):
            kept = {"Port", "CredentialsUserName"}
            return [f if f.cs_name in kept else Field(f.json_name, f.cs_name, f.type_name) for f in SMTP_SETTINGS_FIELDS]
        return [Field(f.json_name, f.cs_name, f.type_name) for f in SMTP_SETTINGS_FIELDS]
