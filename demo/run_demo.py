#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make demo` (nox -s demo): the role onlyoffice.docspace.smtp against the bundled portal emulator.

It builds the collection artifact from COLLECTION_DIR and installs it into a throw-away collections path,
starts three emulated portals and a real SMTP server, configures the portals with demo/site.yml (test mail
included), re-runs it (nothing changes, no mail), edits one portal by hand and shows the `--check --diff`
audit catching it, then puts it right. Everything it starts is stopped at the end.
Usage: run_demo.py COLLECTION_DIR
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(DEMO_DIR.parent / "tests"))
# pylint: disable=wrong-import-position  # the paths above make the harness importable from any cwd
import emulator_tool as tool  # noqa: E402
from docspace_harness.emulator import EmulatorProcess  # noqa: E402

BOLD, DIM, RESET = ("\033[1m", "\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "", "")


def heading(text: str) -> None:
    """A step of the demo."""
    print(f"\n{BOLD}━━ {text}{RESET}", flush=True)


def ansible(*command: str, env: dict[str, str], quiet: bool = False) -> None:
    """Run an Ansible command with the demo's collections path; stop the demo when it fails."""
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL if quiet else None)


def main(collection: Path) -> int:
    """Set up, then the five steps."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="docspace-demo-") as work_name:
        work = Path(work_name)
        env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(work / "collections"),
               "ANSIBLE_CONFIG": str(DEMO_DIR / "ansible.cfg")}
        heading("Setting up: collection artifact, portal emulator")
        ansible("ansible-galaxy", "collection", "build", str(collection), "--output-path", str(work / "dist"),
                env=env, quiet=True)
        artifact = next((work / "dist").glob("onlyoffice-docspace-*.tar.gz"))
        ansible("ansible-galaxy", "collection", "install", "--offline", "-p", str(work / "collections"), str(artifact),
                env=env, quiet=True)
        print(f"built {artifact.name} and installed it into a temporary collections path")
        with EmulatorProcess("--portals", "3") as emulator:
            info, inventory = emulator.info, str(work / "inventory.yml")
            tool.write_inventory(info, inventory)
            print("three emulated DocSpace portals and an SMTP relay (STARTTLS, login required) are running:")
            for portal in info["portals"]:
                print(f"  {portal['name']}  {portal['base_url']}")
            drifted = info["portals"][1]["name"]

            def playbook(*args: str) -> None:
                print(f"{DIM}$ ansible-playbook -i inventory.yml demo/site.yml{' ' if args else ''}{' '.join(args)}{RESET}",
                      flush=True)
                ansible("ansible-playbook", "-i", inventory, str(DEMO_DIR / "site.yml"), *args, env=env)

            heading("1. Configure outgoing mail on every portal; each one sends a test mail")
            print("The role saves each portal's SMTP settings, then has the portal send a test mail through them:")
            playbook()
            print("The SMTP relay received:")
            tool.mailbox(info)
            heading("2. Run it again: nothing to change, so no test mail")
            print("The role reads each portal's settings once, finds them equal and skips the test mail")
            print("(that is the 'skipped=1' in the recap: the test runs only when the settings changed).")
            tool.clear(info)
            playbook()
            print("What the portals saw during the re-run:")
            tool.requests_summary(info)
            heading(f"3. Someone edits {drifted}'s mail settings by hand")
            print("An admin changes the sender name and the port in the web UI; the emulator's control API plays that part:")
            tool.drift(info, drifted)
            heading(f"4. Audit every portal with --check --diff: only {drifted} drifted")
            print("Check mode reads every portal and shows the differences as a diff; it writes nothing and sends no mail.")
            tool.clear(info)
            playbook("--check", "--diff")
            print("What the portals saw during the audit (reads only, no mail):")
            tool.requests_summary(info)
            heading(f"5. Put it right: a normal run repairs {drifted} and proves it with a test mail")
            print(f"A normal run on {drifted} alone saves the settings again (password included) and sends a test mail:")
            tool.clear(info)
            playbook("--limit", drifted)
            print("The SMTP relay received:")
            tool.mailbox(info)
    heading(f"Done in {time.monotonic() - started:.0f} s; the emulator is stopped")
    print("Next: 'make test' runs every test suite; 'make emulator' keeps an emulator running for your own playbooks.")
    print("Read README.md and docs/user-guide.md.")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
