"""The real SMTP server beside the portals: five aiosmtpd listeners on one asyncio loop in one thread.

* ``plain`` — no STARTTLS offered;
* ``starttls`` — offers STARTTLS (not required);
* ``smtps`` — implicit TLS with a certificate the portals trust;
* ``smtps_untrusted`` — implicit TLS with a certificate from a CA nobody trusts;
* ``starttls_untrusted`` — offers STARTTLS with a certificate from a CA nobody trusts.

All offer AUTH PLAIN/LOGIN, also over plain connections, against a fixed list of accounts; sending does
not require AUTH. The logins of providers.REFUSING_ACCOUNTS get their provider's refusal instead of aiosmtpd's
535 5.7.8. Every accepted message is kept in memory.
"""

import asyncio
import email
import email.policy
import itertools
import logging
import threading
import time
from typing import Any, Dict, List, Optional

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from .certs import CertificateSet
from .identities import DOMAIN
from .providers import REFUSING_ACCOUNTS

LISTENERS = ("plain", "starttls", "smtps", "smtps_untrusted", "starttls_untrusted")
SERVER_NAME = f"smtp.{DOMAIN}"

# aiosmtpd logs every connection, a deprecation warning on each AUTH and a traceback for each client
# that gives up during a TLS handshake (which the untrusted listener provokes on purpose).
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


class MessageStore:
    """Messages received by any listener, plus the map that tells which portal's job sent them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: List[Dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._clients: Dict[int, str] = {}

    def expect_client(self, local_port: int, portal: str) -> None:
        """A portal's job is connected from ``local_port``; attribute what arrives on it to ``portal``."""
        with self._lock:
            self._clients[local_port] = portal

    def forget_client(self, local_port: int) -> None:
        """The job's connection is closed."""
        with self._lock:
            self._clients.pop(local_port, None)

    def add(self, record: Dict[str, Any], peer_port: Optional[int]) -> None:
        """Keep one message; the sender portal comes from the client map, else from the recipient domain."""
        with self._lock:
            portal = self._clients.get(peer_port) if peer_port is not None else None
            if portal is None:
                portal = _portal_from_recipients(record["rcpt_tos"])
            record["id"] = next(self._ids)
            record["portal"] = portal
            self._messages.append(record)

    def list(self, portal: Optional[str] = None) -> List[Dict[str, Any]]:
        """Messages, oldest first, optionally only those of one portal."""
        with self._lock:
            return [dict(m) for m in self._messages if portal is None or m["portal"] == portal]

    def clear(self, portal: Optional[str] = None) -> None:
        """Forget messages (of one portal, or all)."""
        with self._lock:
            self._messages = [m for m in self._messages if portal is not None and m["portal"] != portal]


def _portal_from_recipients(rcpt_tos: List[str]) -> Optional[str]:
    """``someone@portal3.docspace.test`` → ``portal3`` (for mail not sent by a portal's job)."""
    for rcpt in rcpt_tos:
        domain = rcpt.rpartition("@")[2].lower()
        if domain.endswith("." + DOMAIN):
            return domain[: -len(DOMAIN) - 1]
    return None


class _Handler:
    """aiosmtpd handler of one listener: turns each DATA into a message record."""

    def __init__(self, listener: str, store: MessageStore) -> None:
        self.listener = listener
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:  # noqa: N802  pylint: disable=invalid-name
        """Record the message; always accept."""
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        headers: Dict[str, str] = {}
        for name, value in message.items():
            headers.setdefault(name, str(value))
        auth_user = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            auth_user = session.auth_data.login.decode("utf-8", errors="replace")
        transport = server.transport
        record = {
            "time": time.time(),
            "listener": self.listener,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "subject": str(message.get("Subject", "")),
            "from": str(message.get("From", "")),
            "to": str(message.get("To", "")),
            "headers": headers,
            "auth_user": auth_user,
            "tls": bool(transport is not None and transport.get_extra_info("ssl_object") is not None),
            "raw": raw.decode("utf-8", errors="replace"),
        }
        peer = session.peer
        self.store.add(record, peer[1] if isinstance(peer, tuple) and len(peer) > 1 else None)
        return "250 2.0.0 OK: queued"


class SmtpServer:
    """Runs the four listeners; ``listeners`` maps listener name → port once started."""

    def __init__(self, certs: CertificateSet, accounts: Dict[str, str], host: str = "127.0.0.1",
                 base_port: Optional[int] = None) -> None:
        self.host = host
        self.certs = certs
        self.ca_path = certs.smtp_ca_path
        self.accounts = dict(accounts)
        self.store = MessageStore()
        self.listeners: Dict[str, int] = {}
        self._base_port = base_port
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._servers: List[asyncio.base_events.Server] = []
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None

    # -- life cycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the loop thread and wait until every listener accepts connections."""
        self._thread = threading.Thread(target=self._run, name="docspace-emulator-smtp", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise RuntimeError(f"SMTP server failed to start: {self._error}") from self._error
        if not self._ready.is_set():
            raise RuntimeError("SMTP server did not start in time")

    def stop(self) -> None:
        """Close the listeners, stop the loop, join the thread."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = None

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        # A client that gives up in the TLS handshake (the untrusted listener's purpose) is not an error here.
        loop.set_exception_handler(lambda _loop, _context: None)
        try:
            loop.run_until_complete(self._open_listeners(loop))
        except (OSError, RuntimeError) as error:
            self._error = error
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            for server in self._servers:
                server.close()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            # Not Server.wait_closed(): from Python 3.12 on it also waits for idle client connections.
            loop.close()

    async def _open_listeners(self, loop: asyncio.AbstractEventLoop) -> None:
        settings = {
            "plain": (None, None),
            "starttls": (None, self.certs.smtp_server_context()),
            "smtps": (self.certs.smtp_server_context(), None),
            "smtps_untrusted": (self.certs.smtp_server_context(trusted=False), None),
            "starttls_untrusted": (None, self.certs.smtp_server_context(trusted=False)),
        }
        for offset, name in enumerate(LISTENERS):
            implicit, starttls = settings[name]
            handler = _Handler(name, self.store)

            def factory(handler: _Handler = handler, starttls: Any = starttls) -> SMTP:
                return SMTP(handler, hostname=SERVER_NAME, tls_context=starttls, require_starttls=False,
                            authenticator=self._authenticate, auth_require_tls=False, loop=loop)

            port = 0 if self._base_port is None else self._base_port + offset
            server = await loop.create_server(factory, host=self.host, port=port, ssl=implicit)
            self._servers.append(server)
            self.listeners[name] = server.sockets[0].getsockname()[1]

    # -- AUTH --------------------------------------------------------------------------------------

    def _authenticate(self, _server: SMTP, _session: Any, _envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        """PLAIN/LOGIN against the accounts; a wrong password gets aiosmtpd's 535 5.7.8."""
        if mechanism not in ("PLAIN", "LOGIN") or not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", errors="replace")
        password = auth_data.password.decode("utf-8", errors="replace")
        if login in self.accounts and self.accounts[login] == password:
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False, message=REFUSING_ACCOUNTS.get(login))

    # -- reading -----------------------------------------------------------------------------------

    def messages(self, portal: Optional[str] = None) -> List[Dict[str, Any]]:
        """Received messages (all, or one portal's)."""
        return self.store.list(portal)

    def clear(self, portal: Optional[str] = None) -> None:
        """Forget received messages."""
        self.store.clear(portal)

    def implicit_tls_ports(self) -> "set[int]":
        """The ports a portal treats like 465 (the emulator cannot bind 465 itself)."""
        return {465, self.listeners["smtps"], self.listeners["smtps_untrusted"]}

    def info(self) -> Dict[str, Any]:
        """The ``smtp`` member of the info file."""
        return {
            "host": self.host,
            "ca_path": self.ca_path,
            "listeners": dict(self.listeners),
            "accounts": [{"username": u, "password": p} for u, p in self.accounts.items()],
            "refusing_accounts": [{"username": u, "reply": r} for u, r in REFUSING_ACCOUNTS.items()],
        }
