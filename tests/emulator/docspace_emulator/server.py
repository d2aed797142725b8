"""The HTTP side: one threaded HTTP(S) server per portal, fault injection, request logging."""

import selectors
import socket
import socketserver
import ssl
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Optional, Set, Tuple
from urllib.parse import urlsplit

from . import api, control, envelope
from .faults import FaultRule
from .http_types import Request, Response
from .portal import Portal

# The answer to a request that a reset of its portal cut short in a delay fault (an emulator artefact, not DocSpace's).
RESET_WHILE_DELAYED = envelope.ApiError(409, "The emulated portal was reset while this request waited in a delay fault",
                                        None, -2146233088, None)

if TYPE_CHECKING:  # pragma: no cover
    from .emulator import Emulator

MALFORMED_JSON = b'{"response":{"host":"smtp.example.com","port":25,"senderAddress":'
HTML_PAGE = ("<html>\r\n<head><title>{code} {phrase}</title></head>\r\n<body>\r\n<center><h1>{code} {phrase}</h1></center>\r\n"
             "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def fault_response(rule: FaultRule) -> Response:
    """The answer a fault rule stands for (``delay`` has none: the request is then answered normally)."""
    status = rule.status or 503
    if rule.kind == "status":
        return Response.api_json(status, envelope.server_error(status, _phrase(status)).body())
    if rule.kind == "html":
        page = HTML_PAGE.format(code=status, phrase=_phrase(status)).encode()
        return Response(status, page, [("Content-Type", "text/html")])
    if rule.kind == "retry_after":
        return Response.empty(status, ("Retry-After", str(rule.retry_after)))
    if rule.kind == "drop":
        return Response(0, drop=True)
    if rule.kind == "malformed_json":
        return Response(status, MALFORMED_JSON, [("Content-Type", "application/json; charset=utf-8")])
    return Response(status, b"", [("Content-Type", "application/json; charset=utf-8")])  # empty_body


class PortalHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that can cut every open connection on stop (idle keep-alives included)."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # bursts of parallel playbook runs
    # The Acceptor calls handle_request() once the socket is readable; with timeout 0 handle_request never
    # waits in a select of its own, which would hold up every portal.
    timeout = 0

    def __init__(self, address: Tuple[str, int], emu: "Emulator", portal: Portal, scheme: str,
                 tls: Optional[ssl.SSLContext]) -> None:
        self.emu = emu
        self.portal = portal
        self.scheme = scheme
        self._active: Set[Any] = set()
        self._conn_threads: Set[threading.Thread] = set()
        self._active_lock = threading.Lock()
        super().__init__(address, _Handler)
        if tls is not None:
            # Handshake lazily in the connection's thread, so a stalled client cannot block accept().
            self.socket = tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn); not needed and slow without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=self._serve_connection, args=(request, client_address), daemon=True)
        with self._active_lock:
            self._active.add(request)
            self._conn_threads.add(thread)
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._active_lock:
                self._active.discard(request)
                self._conn_threads.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that vanish or fail the TLS handshake are normal in fault tests; stay quiet.
        pass

    def stop(self) -> None:
        """Cut open connections, join their threads, free the port (the Acceptor no longer serves it)."""
        self.server_close()
        with self._active_lock:
            active, threads = list(self._active), list(self._conn_threads)
        for sock in active:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in threads:
            thread.join(5)


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, hands it to the control API or the DocSpace API, writes the answer."""

    protocol_version = "HTTP/1.1"
    timeout = 300  # an idle keep-alive connection is closed after this long
    server_version = "DocSpace-Emulator"
    sys_version = ""
    server: PortalHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        pass  # the request log is the record; no stderr noise

    def do_GET(self) -> None:  # noqa: N802  pylint: disable=invalid-name
        """All methods share one dispatcher."""
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _request(self) -> Request:
        split = urlsplit(self.path)
        host = self.headers.get("Host") or f"{self.server.server_name}:{self.server.server_port}"
        return Request(
            method=self.command.upper(),
            path=split.path,
            query=split.query,
            headers=dict(self.headers.items()),
            body=self._read_body(),
            url=f"{self.server.scheme}://{host}{self.path}",
            client_ip=self.client_address[0],
        )

    def _dispatch(self) -> None:
        request = self._request()
        portal = self.server.portal
        if control.is_control(request.path):
            self._send(control.handle(self.server.emu, portal, request))
            return
        starting = portal.startup.answer()
        if starting is not None:  # the proxy's error page or the front end's start page, not the API
            portal.log.add(request.method, request.path, request.query, request.headers, request.body,
                           starting.status, "starting")
            self._send(starting)
            return
        with portal.serving() as resets:
            rule = portal.faults.take(request.method, request.path)
            # After a delay the answer is normal; an emulator shutdown cuts the wait short. A reset refuses the
            # request with a status the modules do not retry (a dropped connection they would send again).
            if rule is not None and rule.kind == "delay" and not portal.wait_out(rule.delay, self.server.emu.stopping,
                                                                                 resets):
                self._send(Response.api_json(RESET_WHILE_DELAYED.status, RESET_WHILE_DELAYED.body()))
                return
            if rule is not None and rule.kind != "delay" and not rule.process:
                response = fault_response(rule)
            else:
                response = api.handle(portal, request)
                if rule is not None and rule.kind != "delay":
                    response = fault_response(rule)  # the request took effect, its answer is lost
            portal.log.add(request.method, request.path, request.query, request.headers, request.body,
                           None if response.drop else response.status, rule.kind if rule else None)
        self._send(response)

    def _send(self, response: Response) -> None:
        if response.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)


class Acceptor:
    """One thread that accepts the connections of every portal server, waiting on all their sockets at once.

    A serve_forever thread per portal wakes every poll_interval to look for a shutdown request: at 1,000
    portals that was 10,000 wake-ups a second, 29 % of a core with nothing to serve, taken from the
    controller that the benchmark measures. Here the thread sleeps until a client connects or stop() writes
    to its wake-up socket. Each connection is still served in a thread of its own (process_request).
    """

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()  # held while a server is added, removed or accepting
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._wake_write.setblocking(False)
        self._selector.register(self._wake_read, selectors.EVENT_READ, None)
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="docspace-emulator-accept", daemon=True)
        self._thread.start()

    def add(self, server: PortalHTTPServer) -> None:
        """Accept server's connections from now on."""
        with self._lock:
            self._selector.register(server.socket, selectors.EVENT_READ, server)
        # epoll and kqueue see the new socket at once; poll- and select-based selectors at their next wait.
        self._wake()

    def remove(self, server: PortalHTTPServer) -> None:
        """Accept no more of server's connections; returns once none is being accepted."""
        with self._lock:
            try:
                self._selector.unregister(server.socket)
            except (KeyError, ValueError):  # never added, or its socket already closed
                pass

    def stop(self) -> None:
        """End the thread and free its sockets."""
        self._stopping = True
        self._wake()
        self._thread.join(5)
        self._selector.close()
        self._wake_read.close()
        self._wake_write.close()

    def _wake(self) -> None:
        try:
            self._wake_write.send(b"x")
        except OSError:  # its buffer is full of wake-ups not yet read: one is enough
            pass

    def _run(self) -> None:
        while not self._stopping:
            for key, _events in self._selector.select():
                if key.data is None:
                    self._drain_wake_ups()
                else:
                    self._accept(key)

    def _drain_wake_ups(self) -> None:
        try:
            while self._wake_read.recv(4096):
                pass
        except BlockingIOError:
            pass

    def _accept(self, key: selectors.SelectorKey) -> None:
        with self._lock:
            if self._selector.get_map().get(key.fd) is not key:  # removed since select() returned
                return
            try:
                key.data.handle_request()
            except Exception:  # pylint: disable=broad-except  # one portal's failure must not stop every portal
                pass
