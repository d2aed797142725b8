# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Start the portal emulator as its own process (as users do) and drive its control API (Portal)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

SETTINGS_PATH = "/api/2.0/smtpsettings/smtp"


EMULATOR_DIR = Path(__file__).resolve().parents[1] / "emulator"


class EmulatorProcess:
    """`run_emulator.py ARGS` in the background, as users start it; a context manager.

    The one way the noxfile (integration targets, `make emulator`), the demo and the benchmark start the
    emulator. python is an interpreter with the emulator's requirements (tests/requirements/emulator.txt).

    However it ends (the with block returns or raises, Ctrl-C, SIGTERM or SIGHUP), it stops the emulator and
    leaves no file with keys behind: the info file, the log (it holds the banner with the keys), the paths
    given to remove_on_exit (`make emulator`'s inventory), and workdir itself if this created it. While it is
    open in the main thread, SIGTERM and SIGHUP raise KeyboardInterrupt there (when nothing else handles them),
    so that the with blocks unwind instead of the process dying with the emulator left running.
    """

    def __init__(self, *args: str, python: str = sys.executable, workdir: Path | None = None,
                 emulator_dir: Path = EMULATOR_DIR, foreground: bool = False) -> None:
        self.args = args
        self.python = python
        self.emulator_dir = emulator_dir
        self.foreground = foreground
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="docspace-emulator-")
        self.workdir = workdir or Path(self._tmp.name)  # type: ignore[union-attr]
        self._created_workdir = workdir is not None and not workdir.exists()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.info_file = self.workdir / "info.json"
        self.log_file = self.workdir / "emulator.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self._remove: list[Path] = []
        self._signals: dict[int, Any] = {}

    def remove_on_exit(self, path: Path) -> Path:
        """Remove path (a file or a tree) when the emulator stops; returns path."""
        self._remove.append(path)
        return path

    def _stop_on_signals(self) -> None:
        def interrupt(signum: int, _frame: object) -> None:
            raise KeyboardInterrupt(signal.Signals(signum).name)

        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) is signal.SIG_DFL:
                self._signals[signum] = signal.signal(signum, interrupt)

    def _restore_signals(self) -> None:
        for signum, handler in self._signals.items():
            signal.signal(signum, handler)
        self._signals.clear()

    def __enter__(self) -> EmulatorProcess:
        self._stop_on_signals()
        try:
            return self._start()
        except BaseException:
            self._restore_signals()
            raise

    def _start(self) -> EmulatorProcess:
        env = {**os.environ, "PYTHONPATH": str(self.emulator_dir)}
        command = [self.python, str(self.emulator_dir / "run_emulator.py"), *self.args,
                   "--info-file", str(self.info_file)]
        if self.foreground:  # its banner and log on the terminal
            self.process = subprocess.Popen(command, env=env)
        else:
            with open(self.log_file, "wb") as log:
                self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        # The info file is not removed first: an emulator still running with it keeps it (ours then refuses
        # to start, it locks "<info>.lock"). Ours is the one that names our process id.
        deadline = time.monotonic() + 60
        try:
            while not self._read_own_info():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self._stop_process()
                    log_text = self.log_file.read_text()[-3000:] if self.log_file.exists() else ""
                    raise RuntimeError(f"the portal emulator did not start:\n{log_text}")
                time.sleep(0.05)
        except BaseException:
            # Not ours to remove: the files of an emulator that already runs in workdir (ours then refused).
            self._stop_process()
            if self.log_file.exists() and not self.foreground:
                self.log_file.unlink()
            if self._tmp:
                self._tmp.cleanup()
            raise
        return self

    def _read_own_info(self) -> bool:
        """Load the info file once it is complete and written by our process."""
        try:
            info = json.loads(self.info_file.read_text())
        except (OSError, ValueError):
            return False
        if self.process is None or info.get("pid") != self.process.pid:
            return False
        self.info = info
        return True

    def wait(self) -> None:
        """Until the emulator stops (Ctrl-C)."""
        if self.process:
            self.process.wait()

    def _stop_process(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __exit__(self, *exc: Any) -> None:
        try:
            self._stop_process()
        finally:
            self._restore_signals()
            self._remove_files()

    def _remove_files(self) -> None:
        """What this wrote: the emulator removes its info file itself unless it was killed."""
        for path in (*self._remove, self.info_file, self.log_file):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists() or path.is_symlink():
                path.unlink()
        if self._tmp:
            self._tmp.cleanup()
        elif self._created_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def cpu_seconds(self) -> float:
        """CPU time the emulator's process has used so far (user + system; Linux /proc, else 0)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()  # type: ignore[union-attr]
        except (OSError, AttributeError, IndexError):
            return 0.0
        # utime and stime are fields 14 and 15 of proc(5); the split starts at field 3.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def portal(self, index: int) -> Portal:
        """Control handle of portal number index."""
        return Portal(self.info["portals"][index])

    def all_portals(self) -> list[Portal]:
        """Every portal's control handle."""
        return [Portal(entry) for entry in self.info["portals"]]


class Portal:
    """One emulated portal: connection facts and its /_emulator control API."""

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry
        self.name: str = entry["name"]
        self.base_url: str = entry["base_url"].rstrip("/")
        self.api_key: str = entry["admin"]["api_key"]
        self.admin_email: str = entry["admin"]["email"]
        self.admin_password: str = entry["admin"]["password"]
        import requests  # pylint: disable=import-outside-toplevel  # the noxfile has no requests

        self._http = requests.Session()

    def _control(self, method: str, what: str, body: Any = None) -> Any:
        response = self._http.request(method, f"{self.base_url}/_emulator/{what}", json=body, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        """Back to the installation default, empty log, mailbox, faults and job."""
        self._control("POST", "reset")

    def set_settings(self, dto: dict[str, Any]) -> None:
        """Store SMTP settings directly (DocSpace DTO names)."""
        self._control("PUT", "settings", dto)

    def configure(self, config: dict[str, Any]) -> None:
        """Emulator behaviour switches (job_step_delay, ...)."""
        self._control("PUT", "config", config)

    def requests_log(self) -> list[dict[str, Any]]:
        """The API requests received since the last clear, oldest first."""
        answer = self._control("GET", "requests")
        return answer["requests"] if isinstance(answer, dict) and "requests" in answer else answer

    def clear_log(self) -> None:
        """Forget the request log."""
        self._control("DELETE", "requests")

    def job(self) -> Any:
        """The emulator's view of the SMTP test job."""
        return self._control("GET", "job")

    def mailbox(self) -> Any:
        """Messages the emulator's SMTP server received."""
        return self._control("GET", "mailbox")

    def clear_mailbox(self) -> None:
        """Forget received mail."""
        self._control("DELETE", "mailbox")


def count_requests(records: list[dict[str, Any]]) -> dict[str, int]:
    """{"GET /api/2.0/...": n} over API requests (the control API is not counted)."""
    counts: dict[str, int] = {}
    for record in records:
        if record["path"].startswith("/_emulator"):
            continue
        key = f"{record['method']} {record['path']}"
        counts[key] = counts.get(key, 0) + 1
    return counts
