# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Headless Chromium for the tests that look at a page as a person would.

`find_or_install()` returns the browser, installing Debian's `chromium` package first when it is missing
and this process may (root, or password-less sudo); it is idempotent and safe when several test processes
call it at once (a lock file). When no browser can be had, it says why, and the test skips with that reason.
Run it by hand with `python tests/system/browser.py`.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_TIMEOUT = 900
LOCK = Path(tempfile.gettempdir()) / "docspace-tests-chromium.lock"


def find() -> str | None:
    """The path of an installed Chromium (or Chrome), if any."""
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _apt(prefix: list[str], *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run([*prefix, "apt-get", *args], capture_output=True, text=True, env=env,
                          timeout=INSTALL_TIMEOUT, check=False)


def _privilege() -> list[str] | None:
    """How to run apt-get: directly as root, through password-less sudo, or not at all."""
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0:
        return ["sudo", "-n"]
    return None


def find_or_install() -> tuple[str | None, str]:
    """(browser path, "") or (None, the reason there is none)."""
    path = find()
    if path:
        return path, ""
    if not shutil.which("apt-get"):
        return None, "no Chromium installed, and no apt-get to install Debian's chromium package"
    prefix = _privilege()
    if prefix is None:
        return None, "no Chromium installed, and installing it needs root: run `apt-get install chromium`"
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test process may be installing it right now
        path = find()
        if path:
            return path, ""
        try:
            for args in (("update", "-qq"), ("install", "-y", "-qq", "--no-install-recommends", "chromium")):
                done = _apt(prefix, *args)
                if done.returncode != 0:
                    return None, f"apt-get {' '.join(args)} failed: {(done.stderr or done.stdout).strip()[-500:]}"
        except subprocess.TimeoutExpired:
            return None, f"installing chromium took longer than {INSTALL_TIMEOUT} s"
    path = find()
    return (path, "") if path else (None, "apt-get installed chromium, but no browser is on PATH")


def headless(browser: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the browser headless (no sandbox: tests often run as root, where Chromium's sandbox refuses)."""
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--hide-scrollbars", *args]
    with tempfile.TemporaryDirectory(prefix="docspace-chromium-") as profile:
        return subprocess.run([*command, f"--user-data-dir={profile}"], capture_output=True, text=True,
                              timeout=timeout, check=False)


if __name__ == "__main__":
    found, reason = find_or_install()
    print(found or reason)
    sys.exit(0 if found else 1)
