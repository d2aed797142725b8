"""The SMTP test job (docs/docspace-api.md §3): steps and percents as SmtpJob.DoJob, and a real delivery with smtplib.

How ``enableSSL`` is honoured, as MailKit's SecureSocketOptions.Auto does it: implicit TLS on port 465,
STARTTLS when the server offers it on any other port, plain text when ``enableSSL`` is false. The emulator
cannot own port 465, so by default its own implicit-TLS listener ports count as "465" too; a portal's
``implicit_tls_ports`` switch sets exactly which ports do. A plain connection to a TLS-first listener
waits for a greeting that never comes, until the job's timeout, as with MailKit.

The job never leaves the machine: loopback addresses, ``localhost`` and ``*.docspace.test`` go to
127.0.0.1; the installation default's ``notify.onlyoffice.info`` goes to the emulator's plain listener
(any port), the mail providers' hosts the emulator plays (providers.py) to its STARTTLS listener (any port);
every other name fails at "Connect to host" like an unknown host would.
"""

import ipaddress
import smtplib
import socket
import ssl
import threading
import time
import uuid
from base64 import b64encode
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any, Callable, Dict, Optional, Set, Tuple

from .identities import DOMAIN
from .providers import PROVIDER_HOSTS
from .settings import DEFAULT_HOST, StoredSmtp

SUBJECT = "SMTP test message"
BODY = "SMTP test message"
TLS_FAILURE = "An error occurred while attempting to establish an SSL or TLS connection."


@dataclass(frozen=True)
class JobEnvironment:
    """What a job needs from the emulator: where the SMTP server is and whom to trust."""

    smtp_host: str
    plain_port: int
    starttls_port: int
    implicit_tls_ports: Set[int]
    client_context: ssl.SSLContext
    expect_client: Callable[[int, str], None]
    forget_client: Callable[[int], None]


class JobFailure(Exception):
    """Ends the job at the current step with ``message`` as its ``error``."""


def resolve(host: str, port: int, env: JobEnvironment) -> Tuple[str, int]:
    """Map the configured host to a loopback address (see the module docstring) or fail like DNS would."""
    name = host.strip().rstrip(".").lower()
    if name == DEFAULT_HOST:
        return env.smtp_host, env.plain_port
    if name in PROVIDER_HOSTS:
        return env.smtp_host, env.starttls_port
    if name in ("localhost", DOMAIN) or name.endswith("." + DOMAIN):
        return env.smtp_host, port
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        raise JobFailure("Name or service not known") from None
    if not address.is_loopback:
        raise JobFailure("Network is unreachable")
    return str(address), port


class _Connector:
    """Mixin for smtplib clients: connect to the resolved address but keep the configured name for TLS."""

    target: Tuple[str, int] = ("127.0.0.1", 25)

    def _get_socket(self, _host: str, _port: int, timeout: float) -> socket.socket:  # smtplib's hook
        return super()._get_socket(self.target[0], self.target[1], timeout)  # type: ignore[misc]  # pylint: disable=no-member


class _PlainClient(_Connector, smtplib.SMTP):
    pass


class _ImplicitTlsClient(_Connector, smtplib.SMTP_SSL):
    pass


def _smtp_error_text(error: Exception) -> str:
    """The reply text without the code, as MailKit puts it into its exception messages."""
    text = getattr(error, "smtp_error", b"")
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return str(text) or str(error)


def _connection_error_text(error: BaseException) -> str:
    """Socket / TLS failures worded like .NET and MailKit."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return (f"{TLS_FAILURE}\n\nThe server's SSL certificate could not be validated for the following reasons:\n"
                f"\u2022 {error.verify_message}")
    if isinstance(error, ssl.SSLError):
        return f"{TLS_FAILURE}\n\n{error.reason or error}"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "The operation has timed out."
    if isinstance(error, ConnectionRefusedError):
        return "Connection refused"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        # smtplib turns a read timeout into "Connection unexpectedly closed"; the timeout is its context.
        if isinstance(error.__context__, (socket.timeout, TimeoutError)):
            return "The operation has timed out."
        return "The SMTP server has unexpectedly disconnected."
    if isinstance(error, smtplib.SMTPResponseException):
        return _smtp_error_text(error)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


class JobCancelled(Exception):
    """The job's cancellation token fired; SmtpJob swallows it (no error, progress frozen)."""


class SmtpTestJob:
    """One test job; run by its installation's queue worker, its state read under a lock.

    ``cancel_at`` (percents) cancels the job when it reaches that step, like a cancellation of the real
    queue's token would; ``implicit_tls_ports`` are the ports treated like 465; ``status_on_init`` is
    False for versions before 2.6, whose first status can be missing.
    """

    def __init__(self, portal: str, settings: StoredSmtp, recipient: str, env: JobEnvironment,
                 step_delay: float, timeout: float, implicit_tls_ports: Optional[Set[int]] = None,
                 cancel_at: Optional[int] = None, status_on_init: bool = True) -> None:
        self.id = str(uuid.uuid4())
        self.portal = portal
        self.settings = settings
        self.recipient = recipient
        self.env = env
        self.step_delay = step_delay
        self.timeout = timeout
        self.implicit_tls_ports = set(env.implicit_tls_ports if implicit_tls_ports is None else implicit_tls_ports)
        self.cancel_at = cancel_at
        self.status_on_init = status_on_init
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._client: Optional[smtplib.SMTP] = None
        self._started = False
        self.completed = False
        self.cancelled = False
        self.percents = 0
        self.status = ""
        self.error = ""
        self.last_modified = time.monotonic()

    def touch(self) -> None:
        """PublishChanges: the state counts as changed now (the queue's cleaner looks at this)."""
        with self._lock:
            self.last_modified = time.monotonic()

    def cancel(self) -> None:
        """Fire the cancellation token: the job ends at once as SmtpJob leaves it after a cancellation.

        completed, no error, percents and status frozen where they were; an open SMTP connection is cut.
        """
        self._cancel.set()
        with self._lock:
            if not self._started:
                self._done.set()
            if not self.completed:
                self.completed = self.cancelled = True
                self.last_modified = time.monotonic()
            client = self._client
        if client is not None and client.sock is not None:
            try:
                client.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def wait(self, timeout: float) -> bool:
        """Wait until run() has returned (or the job never ran and was cancelled)."""
        return self._done.wait(timeout)

    def state(self) -> Dict[str, Any]:
        """SmtpOperationStatusRequestsDto."""
        with self._lock:
            state: Dict[str, Any] = {"id": self.id, "completed": self.completed, "percents": self.percents,
                                     "status": self.status, "error": self.error}
            if not self.status and not self.status_on_init and self.percents == 0:
                del state["status"]  # null before the first step, and nulls are not written
            return state

    def is_completed(self) -> bool:
        """Whether the job has finished (successfully, failed or cancelled)."""
        with self._lock:
            return self.completed

    def _step(self, percents: int, status: str) -> None:
        if self._cancel.is_set():
            raise JobCancelled()
        with self._lock:
            self.percents, self.status = percents, status
            self.last_modified = time.monotonic()
        if self.cancel_at is not None and percents >= self.cancel_at:
            self.cancel()
            raise JobCancelled()
        # The step delay lets tests watch the progress; a cancel cuts it short and ends the job.
        if self.step_delay > 0:
            self._cancel.wait(self.step_delay)
        if self._cancel.is_set():
            raise JobCancelled()

    def _finish(self, percents: Optional[int] = None, error: Optional[str] = None) -> None:
        """The job's ``finally``: completed, published; nothing changes after a cancellation."""
        with self._lock:
            if not self.cancelled:
                if percents is not None:
                    self.percents = percents
                if error is not None:
                    self.error = error
                self.completed = True
                self.last_modified = time.monotonic()

    def run(self) -> None:
        """DoJob, in the calling (queue worker) thread."""
        with self._lock:
            self._started = True
        try:
            if self._cancel.is_set():
                return
            self._deliver()
            self._finish(percents=100)
        except JobCancelled:
            self._finish()
        except JobFailure as failure:
            self._finish(error="" if self._cancel.is_set() else str(failure))
        except Exception as error:  # pylint: disable=broad-except  # anything unexpected ends up in `error`, as in SmtpJob
            self._finish(error=str(error) or type(error).__name__)
        finally:
            self._done.set()

    def _deliver(self) -> None:
        settings = self.settings
        self._step(5, "Setup tenant")
        self._step(10, "Setup user")
        self._step(15, "Find user data")
        self._step(20, "Create mime message")
        message = self._message(settings)
        self._step(40, "Connect to host")
        client = self._connect(settings)
        local_port = client.sock.getsockname()[1] if client.sock else 0
        self.env.expect_client(local_port, self.portal)
        try:
            if settings.enable_auth:
                self._step(60, "Authenticate")
                self._authenticate(client, settings)
            self._step(80, "Send test message")
            try:
                client.send_message(message, from_addr=settings.sender_address, to_addrs=[self.recipient])
            except (smtplib.SMTPException, OSError) as error:
                raise JobFailure(_connection_error_text(error)) from None
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                pass
        finally:
            client.close()
            self.env.forget_client(local_port)

    def _message(self, settings: StoredSmtp) -> EmailMessage:
        sender = settings.sender_address or ""
        local, at, domain = sender.partition("@")
        # MimeKit refuses to build a MailboxAddress from a malformed address; the text is the emulator's own.
        if not (local and at and domain) or any(c.isspace() for c in sender) or "@" in domain:
            raise JobFailure(f"Invalid addr-spec token at offset 0: '{sender}'")
        message = EmailMessage()
        message["From"] = formataddr((settings.display_name, sender))
        message["To"] = self.recipient
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=domain)
        message["Subject"] = SUBJECT
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(BODY)
        return message

    def _connect(self, settings: StoredSmtp) -> smtplib.SMTP:
        host = settings.host or ""
        target = resolve(host, settings.port, self.env)
        # MailKit's SecureSocketOptions.Auto: TLS from the first byte only on 465 (and its stand-ins here).
        implicit = settings.enable_ssl and settings.port in self.implicit_tls_ports
        client: smtplib.SMTP
        if implicit:
            client = _ImplicitTlsClient(local_hostname="docspace-emulator", timeout=self.timeout, context=self.env.client_context)
        else:
            client = _PlainClient(local_hostname="docspace-emulator", timeout=self.timeout)
        client.target = target
        # smtplib takes the TLS server name from _host, which only its constructor sets.
        client._host = host.strip()  # type: ignore[union-attr]  # pylint: disable=protected-access
        with self._lock:
            self._client = client
        try:
            client.connect(host.strip(), settings.port)
            client.ehlo()
            if settings.enable_ssl and not implicit and client.has_extn("starttls"):
                client.starttls(context=self.env.client_context)
                client.ehlo()
        except (smtplib.SMTPException, OSError) as error:
            client.close()
            raise JobFailure(_connection_error_text(error)) from None
        return client

    @staticmethod
    def _authenticate(client: smtplib.SMTP, settings: StoredSmtp) -> None:
        if not client.has_extn("auth"):
            raise JobFailure("The SMTP server does not support authentication.")
        offered = client.esmtp_features.get("auth", "").upper().split()
        mechanism = "PLAIN" if "PLAIN" in offered else "LOGIN" if "LOGIN" in offered else None
        if mechanism is None:
            raise JobFailure("No compatible authentication mechanisms found.")
        try:
            code, reply = _sasl(client, mechanism, settings.user or "", settings.password or "")
        except (smtplib.SMTPException, OSError) as error:
            raise JobFailure(_connection_error_text(error)) from None
        if code != 235:
            raise JobFailure(reply.decode("utf-8", errors="replace"))


def _b64(text: str) -> str:
    # MailKit's SASL PLAIN and LOGIN encode user name and password as UTF-8; smtplib's auth() would
    # encode them as ASCII and fail on any other character (issue #15).
    return b64encode(text.encode("utf-8")).decode("ascii")


def _sasl(client: smtplib.SMTP, mechanism: str, user: str, password: str) -> Tuple[int, bytes]:
    """AUTH PLAIN (initial response) or AUTH LOGIN with UTF-8 credentials; the final reply."""
    if mechanism == "PLAIN":
        return client.docmd("AUTH", "PLAIN " + _b64(f"\0{user}\0{password}"))
    code, reply = client.docmd("AUTH", "LOGIN")
    for answer in (user, password):
        if code != 334:
            return code, reply
        code, reply = client.docmd(_b64(answer))
    return code, reply
