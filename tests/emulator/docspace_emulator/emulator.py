"""The emulator as a whole: certificates, the SMTP server and N portals, each on its own port."""

import json
import os
import shutil
import tempfile
import threading
from typing import Any, Callable, Dict, List, Optional

from .certs import CertificateSet
from .identities import DOMAIN, SecretSource
from .installation import CLEANER_INTERVAL, JOB_EXPIRY, Installation
from .job import JobEnvironment
from .portal import Portal, PortalConfig, SharedContext
from .server import Acceptor, PortalHTTPServer
from .startup import StartUp
from .settings import DEFAULT_SENDER
from .smtp_server import SmtpServer
from .version import DEFAULT_VERSION, ServerVersion

__all__ = ["Emulator", "Portal"]


class Emulator:
    """Start with ``with Emulator(portals=2) as emu:`` or ``start()``/``stop()``.

    ``portals`` – how many portals to start; ``https`` – serve the portals over TLS (CA at ``ca_path``);
    ``cloud_default`` – portals show the cloud's empty default; ``random_secrets`` – fresh secrets;
    ``base_port`` – portal *i* listens on ``base_port + i`` (else free ports); ``smtp_base_port`` – the
    four SMTP listeners on consecutive ports from there (else free ports); ``info_file`` – written
    atomically once everything listens, and rewritten when portals are added; ``extra_portals`` – more
    portals after the first ``portals``, each a dict with optional ``version`` (default 3.7) and
    ``installation`` (a name; portals naming the same one share its test queue; default: a new one);
    ``job_expiry`` / ``cleaner_interval`` – the test queue's cleaner (60 s / 10 s in DocSpace).
    Each of the first ``portals`` is an installation of its own.
    """

    def __init__(self, portals: int = 1, https: bool = False, cloud_default: bool = False, random_secrets: bool = False,
                 base_port: Optional[int] = None, smtp_base_port: Optional[int] = None, host: str = "127.0.0.1",
                 info_file: Optional[str] = None, extra_portals: Optional[List[Dict[str, Any]]] = None,
                 job_expiry: float = JOB_EXPIRY, cleaner_interval: float = CLEANER_INTERVAL) -> None:
        if portals < 1:
            raise ValueError("at least one portal")
        self._extra = [self.portal_spec(spec) for spec in extra_portals or []]
        if job_expiry <= 0 or cleaner_interval <= 0:
            raise ValueError("job_expiry and cleaner_interval must be positive")
        self.job_expiry, self.cleaner_interval = float(job_expiry), float(cleaner_interval)
        self.installations: Dict[str, Installation] = {}
        self.host = host
        self.https = https
        self.base_port = base_port
        self.info_file = info_file
        self.stopping = threading.Event()
        self.portals: List[Portal] = []
        self._initial_portals = portals
        self._config = PortalConfig(cloud_default=cloud_default)
        self._secrets = SecretSource(random=random_secrets)
        self._servers: List[PortalHTTPServer] = []
        self._acceptor: Optional[Acceptor] = None
        self._lock = threading.Lock()
        self._workdir = tempfile.mkdtemp(prefix="docspace-emulator-")
        self.certs = CertificateSet(self._workdir)
        self.ca_path: Optional[str] = self.certs.portal_ca_path if https else None
        accounts = {
            f"mailer@smtp.{DOMAIN}": f"smtp-mailer-pw-{self._secrets.token('smtp/mailer', 12)}",
            # The installation default's relay account (its host is routed to the plain listener).
            DEFAULT_SENDER: f"postman-default-pw-{self._secrets.token('smtp/postman', 12)}",
            # A password beyond ASCII: MailKit sends SASL credentials as UTF-8 (issue #15).
            f"intl@smtp.{DOMAIN}": f"smtp-p\u00e4ssw\u00f6rd-\u00df-{self._secrets.token('smtp/intl', 12)}",
        }
        self.smtp = SmtpServer(self.certs, accounts, host=host, base_port=smtp_base_port)
        self.control_url = ""
        self._shared: Optional[SharedContext] = None
        self.started = False
        self.on_portals_added: Optional[Callable[[List[Portal]], None]] = None

    # -- life cycle --------------------------------------------------------------------------------

    def start(self) -> "Emulator":
        """Start the SMTP server and the portals; returns self."""
        try:
            self.smtp.start()
            listeners = self.smtp.listeners
            self._shared = SharedContext(
                smtp=self.smtp,
                job_env=JobEnvironment(smtp_host=self.smtp.host, plain_port=listeners["plain"],
                                       starttls_port=listeners["starttls"],
                                       implicit_tls_ports=self.smtp.implicit_tls_ports(),
                                       client_context=self.certs.smtp_client_context(),
                                       expect_client=self.smtp.store.expect_client, forget_client=self.smtp.store.forget_client),
                default_smtp_password=self.smtp.accounts[DEFAULT_SENDER],
            )
            self._acceptor = Acceptor()
            self.started = True
            self.add_portals(self._initial_portals, write_info=False)
            for spec in self._extra:
                self.add_portals(1, write_info=False, **spec)
            self.control_url = self.portals[0].base_url
            if self.info_file:
                self.write_info(self.info_file)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop everything, join threads, free ports, remove the certificate files."""
        self.stopping.set()
        with self._lock:  # add_portals checks `started` under the same lock: no portal is added from now on
            self.started = False
            portals = list(self.portals)
            servers, self._servers = list(self._servers), []
            acceptor, self._acceptor = self._acceptor, None
        for portal in portals:
            portal.cancel_jobs()
        for installation in list(self.installations.values()):
            installation.stop()
        for server in servers:
            if acceptor is not None:
                acceptor.remove(server)
            server.stop()
        if acceptor is not None:
            acceptor.stop()
        self.smtp.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- portals -----------------------------------------------------------------------------------

    @staticmethod
    def portal_spec(spec: Dict[str, Any]) -> Dict[str, Any]:
        """Check an extra portal's description: ``version`` and ``installation`` only."""
        if not isinstance(spec, dict) or set(spec) - {"version", "installation"}:
            raise ValueError("an extra portal is described by 'version' and 'installation' only")
        checked: Dict[str, Any] = {}
        if spec.get("version") is not None:
            checked["version"] = ServerVersion.parse(spec["version"]).text
        if spec.get("installation") is not None:
            name = spec["installation"]
            if not isinstance(name, str) or not name.strip():
                raise ValueError("an installation is named by a non-empty string")
            checked["installation"] = name.strip()
        return checked

    def installation(self, name: str) -> Installation:
        """The installation called ``name``, created (with the emulator's cleaner settings) if new."""
        if name not in self.installations:
            self.installations[name] = Installation(name, self.job_expiry, self.cleaner_interval)
        return self.installations[name]

    def add_portals(self, count: int, write_info: bool = True, version: str = DEFAULT_VERSION,
                    installation: Optional[str] = None) -> List[Portal]:
        """Start ``count`` more portals (named portal<N>), each on its own port.

        ``version``: the DocSpace version they behave as; ``installation``: the name of the installation
        they join (sharing its test queue); by default each portal is an installation of its own.
        """
        parsed = ServerVersion.parse(version)
        added = []
        with self._lock:
            if not self.started:
                raise RuntimeError("the emulator is not running")
            for _index in range(count):
                index = len(self.portals) + 1
                assert self._shared is not None
                name = f"portal{index}"
                portal = Portal(name, self._secrets, self._shared, self._config,
                                self.installation(installation or name), parsed)
                port = 0 if self.base_port is None else self.base_port + index - 1
                server = PortalHTTPServer((self.host, port), self, portal, "https" if self.https else "http",
                                          self.certs.portal_server_context() if self.https else None)
                portal.base_url = f"{server.scheme}://{self.host}:{server.server_port}"
                assert self._acceptor is not None
                try:
                    self._acceptor.add(server)
                except BaseException:
                    server.server_close()
                    raise
                self.portals.append(portal)
                self._servers.append(server)
                added.append(portal)
        if write_info and self.info_file:
            self.write_info(self.info_file)
        if self.on_portals_added is not None:
            self.on_portals_added(added)
        return added

    def start_up(self, portal: Portal, startup: StartUp) -> Dict[str, Any]:
        """Play a portal that is starting (startup.py): first nothing listens on its port for `startup.refuse`
        seconds, then its API paths get the proxy's 502 and then the start page, then the API answers."""
        portal.startup.begin(startup)
        if startup.refuse > 0:
            with self._lock:
                server = next((s for s in self._servers if s.portal is portal), None)
                if server is None:
                    raise ValueError(f"{portal.name} is refusing connections already")
                assert self._acceptor is not None
                self._acceptor.remove(server)
                server.server_close()  # new connections are refused; the open ones (this request's) finish
                self._servers.remove(server)
            timer = threading.Timer(startup.refuse, self._listen_again, (portal, server.server_address, server.scheme))
            timer.daemon = True
            timer.start()
        return startup.info()

    def _listen_again(self, portal: Portal, address: Any, scheme: str) -> None:
        """The end of a start-up's refusing phase: listen on the portal's port again."""
        with self._lock:
            if not self.started:
                return
            server = PortalHTTPServer(address, self, portal, scheme,
                                      self.certs.portal_server_context() if scheme == "https" else None)
            assert self._acceptor is not None
            self._acceptor.add(server)
            self._servers.append(server)

    def portal(self, name: str) -> Portal:
        """A portal by name."""
        for portal in self.portals:
            if portal.name == name:
                return portal
        raise KeyError(name)

    # -- description -------------------------------------------------------------------------------

    def info(self) -> Dict[str, Any]:
        """What the info file holds."""
        with self._lock:
            portals = [p.info() for p in self.portals]
            installations = {name: inst.info() for name, inst in self.installations.items()}
        return {"ca_path": self.ca_path, "portals": portals, "smtp": self.smtp.info(), "control_url": self.control_url,
                "installations": installations, "pid": os.getpid()}

    def write_info(self, path: str) -> None:
        """Write the info file atomically (temp file in the same folder, then rename)."""
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".emulator-info-", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(self.info(), stream, indent=2)
                stream.write("\n")
            os.replace(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
