"""Command line: start the emulator, print how to use it, run until SIGTERM/SIGINT."""

import argparse
import fcntl
import os
import signal
import sys
import threading
from typing import IO, Any, Dict, List, Optional

from .emulator import Emulator, Portal


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    """The command line options."""
    parser = argparse.ArgumentParser(
        prog="run_emulator.py",
        description="ONLYOFFICE DocSpace SMTP-settings portal emulator with a real SMTP server beside it (loopback only).")
    parser.add_argument("--portals", type=int, default=1, metavar="N", help="how many portals to serve (default 1)")
    parser.add_argument("--https", action="store_true", help="serve the portals over HTTPS (the CA goes to ca_path)")
    parser.add_argument("--cloud-default", action="store_true",
                        help="portals without settings show the cloud's empty default instead of the self-hosted one")
    parser.add_argument("--info-file", metavar="PATH", help="write the connection details here (JSON) once listening")
    parser.add_argument("--port", type=int, metavar="BASE_PORT", help="portal i listens on BASE_PORT+i-1 (default: free ports)")
    parser.add_argument("--smtp-port", type=int, metavar="BASE_PORT",
                        help="the SMTP listeners plain, starttls, smtps, smtps_untrusted on BASE_PORT..BASE_PORT+3")
    parser.add_argument("--random-secrets", action="store_true", help="random passwords and API keys instead of derived ones")
    parser.add_argument("--quiet", action="store_true", help="print only the info file path")
    parser.add_argument("--portal", action="append", default=[], metavar="SPEC", dest="extra_portals",
                        help="one more portal after the --portals ones, SPEC = comma-separated version=X.Y and/or "
                             "installation=NAME (portals naming the same installation share its test queue); repeatable")
    parser.add_argument("--job-expiry", type=float, default=60.0, metavar="SECONDS",
                        help="a test job unchanged for this long is removed by the queue's cleaner (DocSpace: 60)")
    parser.add_argument("--cleaner-interval", type=float, default=10.0, metavar="SECONDS",
                        help="how often the queue's cleaner runs (DocSpace: 10)")
    args = parser.parse_args(argv)
    if args.portals < 1:
        parser.error("--portals must be at least 1")
    if args.job_expiry <= 0 or args.cleaner_interval <= 0:
        parser.error("--job-expiry and --cleaner-interval must be positive")
    try:
        args.extra_portals = [parse_portal_spec(spec) for spec in args.extra_portals]
    except ValueError as error:
        parser.error(f"--portal: {error}")
    return args


def parse_portal_spec(text: str) -> Dict[str, Any]:
    """``version=3.0,installation=shared`` → {"version": "3.0", "installation": "shared"} (checked)."""
    spec: Dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or key.strip() not in ("version", "installation"):
            raise ValueError(f"{item!r} is not version=X.Y or installation=NAME")
        spec[key.strip()] = value.strip()
    return Emulator.portal_spec(spec)


class InfoFileBusy(Exception):
    """Another emulator that is still running writes this info file."""


def lock_info_file(path: str) -> IO[str]:
    """Hold ``PATH.lock`` for the life of this process, so that a second emulator cannot take over PATH.

    The kernel releases the lock when the process dies, however it dies, so a stale lock never blocks.
    """
    lock_path = os.path.abspath(path) + ".lock"
    os.makedirs(os.path.dirname(lock_path), exist_ok=True)
    handle = open(lock_path, "a+", encoding="utf-8")  # pylint: disable=consider-using-with  # held until exit
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        owner = handle.read().strip() or "unknown"
        handle.close()
        raise InfoFileBusy(
            f"another emulator (pid {owner}) is running with the info file {path}; nothing was started and its "
            f"files were left alone. Stop it first (Ctrl-C in its terminal, or kill {owner}), or give this one "
            f"another --info-file (with `make emulator`: another DOCSPACE_EMULATOR_DIR).") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def summary(emu: Emulator) -> str:
    """A human-friendly description with a ready-to-paste example."""
    first = emu.portals[0]
    lines = ["DocSpace emulator is running (Ctrl-C or SIGTERM stops it).", ""]
    for portal in emu.portals:
        extra = "" if portal.installation.name == portal.name and portal.version.text == "3.7" else \
            f"   (DocSpace {portal.version.text}, installation {portal.installation.name})"
        lines += [
            f"{portal.name}: {portal.base_url}{extra}",
            f"  admin      {portal.admin_email} / {portal.admin_password}",
            f"  user       {portal.user_email} / {portal.user_password}   (not an admin: 403)",
        ]
        if portal.version.has_api_keys:
            lines += [f"  admin key  {portal.admin_api_key}", f"  user key   {portal.user_api_key}",
                      f"  read-only  {portal.readonly_api_key}   (scope *:read: 403 on POST/DELETE)"]
        else:
            lines.append("  no API keys before DocSpace 3.1: log in (any Bearer sk-... gets 401)")
    smtp = emu.smtp
    lines += ["", f"SMTP server on {smtp.host}:"]
    lines += [f"  {name:<16} port {port}" for name, port in smtp.listeners.items()]
    lines += [f"  account          {a['username']} / {a['password']}" for a in smtp.info()["accounts"]]
    lines += [f"  CA (trusted by the portals): {smtp.ca_path}",
              f"  enableSSL uses implicit TLS on port 465 and on ports {smtp.listeners['smtps']} and {smtp.listeners['smtps_untrusted']}"
              " (config implicit_tls_ports), STARTTLS when offered on any other"]
    if emu.ca_path:
        lines += ["", f"Portal CA (pass as ca_path / DOCSPACE_CA_PATH): {emu.ca_path}"]
    lines += ["", f"Control API: {emu.control_url}/_emulator/ (requests, mailbox, faults, config, settings, job, reset, portals)"]
    lines += ["", "Try it:", f"  export DOCSPACE_BASE_URL={first.base_url}", f"  export DOCSPACE_API_KEY={first.admin_api_key}"]
    if emu.ca_path:
        lines.append(f"  export DOCSPACE_CA_PATH={emu.ca_path}")
    lines += ["", "  - name: Configure outgoing mail", "    onlyoffice.docspace.smtp_settings:",
              "      host: 127.0.0.1", f"      port: {smtp.listeners['starttls']}", "      enable_ssl: true",
              "      sender_address: noreply@example.com", f"      username: {smtp.info()['accounts'][0]['username']}",
              f"      password: {smtp.info()['accounts'][0]['password']}",
              "  - name: Send a test mail", "    onlyoffice.docspace.smtp_test:", "",
              f"Messages received: curl -s {first.base_url}/_emulator/mailbox"]
    if emu.info_file:
        lines += ["", f"Info file: {emu.info_file}"]
    return "\n".join(lines)


def _announce(portals: List[Portal]) -> None:
    for portal in portals:
        print(f"added {portal.name}: {portal.base_url} (admin key {portal.admin_api_key})", flush=True)


def main(argv: Optional[List[str]] = None) -> int:
    """Run until told to stop; exit 0 on a clean stop."""
    args = parse_args(argv)
    stop = threading.Event()

    def request_stop(_signum: int, _frame: object) -> None:
        stop.set()

    # Each of them stops it cleanly: the info file (it holds the API keys) and the certificates are removed.
    # SIGHUP is a closed terminal.
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, request_stop)
    lock = None
    if args.info_file:
        try:
            lock = lock_info_file(args.info_file)
        except InfoFileBusy as busy:
            print(f"cannot start the emulator: {busy}", file=sys.stderr)
            return 1
    emu = Emulator(portals=args.portals, https=args.https, cloud_default=args.cloud_default, random_secrets=args.random_secrets,
                   base_port=args.port, smtp_base_port=args.smtp_port, info_file=args.info_file,
                   extra_portals=args.extra_portals, job_expiry=args.job_expiry, cleaner_interval=args.cleaner_interval)
    try:
        emu.start()
    except OSError as error:
        print(f"cannot start the emulator: {error}", file=sys.stderr)
        return 1
    emu.on_portals_added = None if args.quiet else _announce
    print(args.info_file if args.quiet else summary(emu), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        try:
            emu.stop()
        finally:
            # It holds the API keys, and a stale one would point at closed ports (tests poll for its appearance).
            if args.info_file and os.path.exists(args.info_file):
                os.unlink(args.info_file)
            if lock is not None:
                lock.close()
    return 0
