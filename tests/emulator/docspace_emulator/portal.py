"""One emulated portal: its state (settings, job, log, faults, switches) and its Python control API."""

import math
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Deque, Dict, Iterator, List, Optional

from .auth import Credentials
from .faults import FaultRule, FaultTable, parse_rule
from .identities import SecretSource, make_portal_identities
from .installation import Installation
from .job import JobEnvironment, SmtpTestJob
from .reqlog import RequestLog
from .settings import CLOUD_EMPTY_DTO, StoredSmtp, from_control, installation_default
from .startup import StartUpState
from .smtp_server import SmtpServer
from .version import ServerVersion


@dataclass
class PortalConfig:
    """Per-portal switches, set with ``configure()`` / ``PUT /_emulator/config``."""

    cloud_default: bool = False         # cloud-style empty default instead of the self-hosted one
    hide_smtp_settings: bool = False    # web:hide-settings contains SmtpSettings → 402
    rate_limit: bool = False            # the SensitiveApi limiter on GET .../smtp/test
    rate_limit_max: int = 5
    rate_limit_window: float = 900.0
    job_step_delay: float = 0.0         # seconds the test job waits after each step
    smtp_connect_timeout: float = 30.0  # MailKit's SmtpClient.Timeout
    not_paid: bool = False              # TenantExtra.IsNotPaidAsync: PaymentFilter answers an empty 402
    cancel_job_at: Optional[int] = None          # percents at which the next jobs are cancelled
    implicit_tls_ports: Optional[List[int]] = None  # ports treated like 465; None = 465 + smtps listeners

    def updated(self, changes: Dict[str, Any]) -> "PortalConfig":
        """A copy with ``changes`` applied after type checks; raises ValueError on bad input."""
        if not isinstance(changes, dict):
            raise ValueError("config is a JSON object")
        types = {f.name: f.type for f in fields(self)}
        for key, value in changes.items():
            if key not in types:
                raise ValueError(f"unknown config key {key!r}; known: {sorted(types)}")
            if key == "cancel_job_at":
                if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100):
                    raise ValueError("cancel_job_at must be null or percents (0-100) of a step: 5, 10, 15, 20, 40, 60, 80")
                continue
            if key == "implicit_tls_ports":
                if value is not None and (not isinstance(value, list) or not all(
                        isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 65535 for p in value)):
                    raise ValueError("implicit_tls_ports must be null or a list of port numbers")
                continue
            kind = types[key]
            wanted = kind if isinstance(kind, str) else kind.__name__
            if wanted == "bool" and not isinstance(value, bool):
                raise ValueError(f"{key} must be a boolean")
            if wanted in ("int", "float") and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                raise ValueError(f"{key} must be a non-negative number")
        return replace(self, **changes)


@dataclass(frozen=True)
class SharedContext:
    """What all portals share: the SMTP server, the job environment, the default's password."""

    smtp: SmtpServer
    job_env: JobEnvironment
    default_smtp_password: str


class Portal:
    """A portal. Handlers and tests call into it from many threads; one lock guards its state."""

    def __init__(self, name: str, secrets: SecretSource, shared: SharedContext, config: PortalConfig,
                 installation: Installation, version: ServerVersion) -> None:
        self.name = name
        self.version = version
        self.installation = installation
        installation.portals.append(name)
        self.admin, self.user, keys = make_portal_identities(name, secrets)
        # Versions without API keys keep the strings (to show that such a key gets 401) but never accept them.
        self.admin_api_key, self.user_api_key, self.readonly_api_key = (k.key for k in keys)
        self.credentials = Credentials([self.admin, self.user], keys if version.has_api_keys else [])
        self.shared = shared
        self.base_url = ""  # set once the HTTP listener is bound
        self.log = RequestLog()
        self.faults = FaultTable()
        self.startup = StartUpState()  # a start-up being played (Emulator.start_up)
        self._initial_config = config
        self._config = config
        self._lock = threading.RLock()
        self._stored: Optional[StoredSmtp] = None
        self._rate: Dict[str, Deque[float]] = {}
        # API requests being answered, and how many resets there were: a reset cuts delay faults short and
        # waits for the requests in flight, so that nothing of an earlier test lands on the fresh portal.
        self._flight = threading.Condition()
        self._in_flight = 0
        self._resets = 0

    # -- identities ---------------------------------------------------------------------------------

    @property
    def admin_email(self) -> str:
        """The DocSpace admin's e-mail (login name)."""
        return self.admin.email

    @property
    def admin_password(self) -> str:
        """The DocSpace admin's password."""
        return self.admin.password

    @property
    def user_email(self) -> str:
        """A plain (non-admin) user's e-mail."""
        return self.user.email

    @property
    def user_password(self) -> str:
        """The plain user's password."""
        return self.user.password

    # -- settings, as the API sees them ---------------------------------------------------------------

    @property
    def config_now(self) -> PortalConfig:
        """The switches in force."""
        with self._lock:
            return self._config

    def effective_settings(self) -> "tuple[StoredSmtp, bool]":
        """GetDefaultSmtpSettingsAsync: the portal's own settings, or the installation default (flagged)."""
        with self._lock:
            if self._stored is not None:
                return self._stored, False
            return installation_default(self.shared.default_smtp_password), True

    def settings_dto(self) -> Dict[str, Any]:
        """What GET (and DELETE) answer: cloud portals show SmtpSettings.Empty instead of the default."""
        with self._lock:
            current, is_default = self.effective_settings()
            if is_default and self._config.cloud_default:
                return dict(CLOUD_EMPTY_DTO)
            return current.to_dto(is_default)

    def save_settings(self, stored: StoredSmtp) -> None:
        """SetSmtpSettingsAsync for this tenant."""
        with self._lock:
            self._stored = stored

    def reset_settings(self) -> Dict[str, Any]:
        """DELETE: drop the tenant's own settings (if any) and answer like GET."""
        with self._lock:
            self._stored = None
            return self.settings_dto()

    # -- the test job ---------------------------------------------------------------------------------

    def not_paid(self) -> bool:
        """TenantExtra.IsNotPaidAsync: this portal unpaid, or its installation without a valid licence."""
        return self.config_now.not_paid or self.installation.unlicensed

    def start_job(self, recipient: str) -> Optional[Dict[str, Any]]:
        """StartSmtpJob + GetStatus: one job per portal, queued on the installation's shared queue."""
        def make_job() -> SmtpTestJob:
            with self._lock:
                settings = self.effective_settings()[0]  # stored password included
                config = self._config
            env = self.shared.job_env
            ports = None if config.implicit_tls_ports is None else set(config.implicit_tls_ports)
            return SmtpTestJob(self.name, settings, recipient, env, config.job_step_delay, config.smtp_connect_timeout,
                               implicit_tls_ports=ports, cancel_at=config.cancel_job_at,
                               status_on_init=self.version.status_set_on_init)

        self.installation.start_job(self.name, make_job)
        return self.job_status()

    def job_status(self) -> Optional[Dict[str, Any]]:
        """GetStatus: the job's state; reading a completed job removes it."""
        return self.installation.job_status(self.name)

    def cancel_job(self) -> Optional[Dict[str, Any]]:
        """Cancel the portal's job as the real queue's token would; it stays readable (completed, no error)."""
        job = self.installation.peek(self.name)
        if job is None:
            return None
        job.cancel()
        return job.state()

    def cancel_jobs(self) -> None:
        """Drop this portal's queued jobs and cancel its running one (reset, emulator stop)."""
        self.installation.forget_portal_jobs(self.name)

    def rate_limited(self, key: str) -> Optional[int]:
        """Sliding-window check for the test trigger: None when allowed, else seconds for Retry-After."""
        with self._lock:
            config = self._config
            if not config.rate_limit:
                return None
            now = time.monotonic()
            window = self._rate.setdefault(key, deque())
            while window and now - window[0] >= config.rate_limit_window:
                window.popleft()
            if len(window) >= config.rate_limit_max:
                return max(1, math.ceil(config.rate_limit_window - (now - window[0])))
            window.append(now)
            return None

    # -- Python control API (also behind /_emulator/ on the portal's port) ---------------------------------

    def requests(self) -> List[Dict[str, Any]]:
        """The request log (masked), oldest first."""
        return self.log.list()

    def clear_requests(self) -> None:
        """Empty the request log."""
        self.log.clear()

    def mailbox(self) -> List[Dict[str, Any]]:
        """Messages the SMTP server received from this portal's jobs (or addressed to this portal's domain)."""
        return self.shared.smtp.messages(self.name)

    def clear_mailbox(self) -> None:
        """Forget this portal's messages."""
        self.shared.smtp.clear(self.name)

    def add_fault(self, rule: Optional[Dict[str, Any]] = None, **kwargs: Any) -> Dict[str, Any]:
        """Add a fault rule (dict or keyword arguments, as ``POST /_emulator/faults``)."""
        added: FaultRule = self.faults.add(parse_rule({**(rule or {}), **kwargs}))
        return asdict(added)

    def list_faults(self) -> List[Dict[str, Any]]:
        """Fault rules still active."""
        return self.faults.list()

    def clear_faults(self) -> None:
        """Remove all fault rules."""
        self.faults.clear()

    def configure(self, changes: Optional[Dict[str, Any]] = None, **kwargs: Any) -> Dict[str, Any]:
        """Change switches; returns the whole config."""
        with self._lock:
            self._config = self._config.updated({**(changes or {}), **kwargs})
            if not self._config.rate_limit:
                self._rate.clear()
            return asdict(self._config)

    def config(self) -> Dict[str, Any]:
        """The switches in force."""
        with self._lock:
            return asdict(self._config)

    def set_settings(self, settings: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
        """Write stored settings directly (DTO names, password included); None → back to the default."""
        stored = None if settings is None else from_control(settings)
        with self._lock:
            self._stored = stored
        return self.stored_settings()

    def stored_settings(self) -> Optional[Dict[str, Any]]:
        """The stored settings (None when on the default); the password only as ``password_set``."""
        with self._lock:
            stored = self._stored
        if stored is None:
            return None
        data = stored.to_dto(is_default=False)
        del data["credentialsUserPassword"], data["isDefaultSettings"]
        data["password_set"] = bool(stored.password)
        return data

    def job(self) -> Optional[Dict[str, Any]]:
        """The current job's state without consuming it."""
        job = self.installation.peek(self.name)
        return job.state() if job is not None else None

    @contextmanager
    def serving(self) -> Iterator[int]:
        """Around the answer to one API request, which a reset then waits for; yields the resets so far."""
        with self._flight:
            self._in_flight += 1
            resets = self._resets
        try:
            yield resets
        finally:
            with self._flight:
                self._in_flight -= 1
                self._flight.notify_all()

    def wait_out(self, seconds: float, stopping: threading.Event, resets: int) -> bool:
        """A delay fault's wait; False when a reset after the request's arrival (serving()) cut it short."""
        deadline = time.monotonic() + seconds
        with self._flight:
            while self._resets == resets and not stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                # Short waits, because the emulator's shutdown sets an event, not this condition.
                self._flight.wait(min(left, 0.1))
            return self._resets == resets

    def reset(self) -> None:
        """Back to the initial state: default settings, no job, empty log/mailbox, no faults, initial config.

        Requests still held by a delay fault are refused (409) without taking effect; requests being answered
        finish first (10 s at most). Faults go first, so that a request arriving meanwhile meets none.
        """
        self.faults.clear()
        self.startup.clear()
        with self._flight:
            self._resets += 1
            self._flight.notify_all()
            self._flight.wait_for(lambda: self._in_flight == 0, timeout=10)
        # First the jobs, so that no mail of theirs arrives after the mailbox was emptied.
        self.cancel_jobs()
        with self._lock:
            self._stored = None
            self._config = self._initial_config
            self._rate.clear()
            self.credentials.forget_tokens()
        self.log.clear()
        self.clear_mailbox()

    def info(self) -> Dict[str, Any]:
        """This portal's entry of the info file."""
        info: Dict[str, Any] = {
            "name": self.name,
            "base_url": self.base_url,
            "admin": {"email": self.admin.email, "password": self.admin.password, "api_key": self.admin_api_key},
            "user": {"email": self.user.email, "password": self.user.password, "api_key": self.user_api_key},
            "readonly_api_key": self.readonly_api_key,
            "version": self.version.text,
            "installation": self.installation.name,
        }
        if not self.version.has_api_keys:  # there is no such thing as an API key before 3.1
            for who in ("admin", "user"):
                info[who]["api_key"] = None
            info["readonly_api_key"] = None
        return info
