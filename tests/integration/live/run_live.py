"""Run the collection's module and role story (live.yml) against a real DocSpace portal.

    python tests/integration/live/run_live.py CONFIG.yml

CONFIG.yml is a filled-in copy of tests/integration/integration_config.yml.template. The run refuses a
portal whose SMTP settings are its own (isDefaultSettings false), and resets the portal to the
installation default when it ends, whatever the outcome. Exit status: 0 passed, 1 the story failed,
2 refused (bad config, unreachable portal, settings of its own), 3 the final reset failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import requests
import yaml

HERE = Path(__file__).resolve().parent
COLLECTION_ROOT = HERE.parents[2]  # the checkout: galaxy.yml, plugins/, roles/
SETTINGS_PATH = "/api/2.0/smtpsettings/smtp"
LOGIN_PATH = "/api/2.0/authentication"


class Refused(Exception):
    """The run must not start; the message says why and what to do."""


def load_config(path: str) -> dict[str, Any]:
    """The ``docspace_live`` mapping of CONFIG.yml, checked."""
    try:
        with open(path, encoding="utf-8") as stream:
            document = yaml.safe_load(stream) or {}
    except (OSError, yaml.YAMLError) as error:
        raise Refused(f"cannot read the live-portal config {path}: {error}") from None
    live = document.get("docspace_live") if isinstance(document, dict) else None
    if not isinstance(live, dict) or not str(live.get("base_url") or "").startswith(("http://", "https://")):
        raise Refused(f"{path} needs docspace_live.base_url (http:// or https://); copy "
                      "tests/integration/integration_config.yml.template and fill it in")
    if not live.get("api_key") and not (live.get("auth_username") and live.get("auth_password")):
        raise Refused(f"{path} needs docspace_live.api_key, or docspace_live.auth_username and auth_password")
    live["base_url"] = str(live["base_url"]).rstrip("/")
    return live


class Portal:
    """The few API calls the runner makes itself: read the settings, and reset them."""

    def __init__(self, live: dict[str, Any]) -> None:
        self.base_url = live["base_url"]
        self.session = requests.Session()
        self.session.verify = live.get("ca_path") or bool(live.get("validate_certs", True))
        if live.get("api_key"):
            self.session.headers["Authorization"] = f"Bearer {live['api_key']}"
        else:
            answer = self._call("POST", LOGIN_PATH, json={"userName": live["auth_username"], "password": live["auth_password"]})
            self.session.headers["Authorization"] = answer["response"]["token"]

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.session.request(method, self.base_url + path, timeout=30, **kwargs)
        except requests.RequestException as error:
            raise Refused(f"{method} {path} on {self.base_url} failed: {type(error).__name__}") from None
        if response.status_code != 200:
            raise Refused(f"{method} {path} on {self.base_url} answered HTTP {response.status_code}"
                          + (" (an API key needs DocSpace 3.1 or later; try auth_username/auth_password)"
                             if response.status_code == 401 else ""))
        return response.json()

    def settings(self) -> dict[str, Any]:
        """GET the SMTP settings."""
        return self._call("GET", SETTINGS_PATH)["response"]

    def reset(self) -> dict[str, Any]:
        """DELETE the SMTP settings: back to the installation default."""
        return self._call("DELETE", SETTINGS_PATH)["response"]


def run_story(live: dict[str, Any]) -> int:
    """ansible-playbook live.yml with this checkout as the onlyoffice.docspace collection."""
    workdir = Path(tempfile.mkdtemp(prefix="docspace-live-"))
    try:
        link = workdir / "ansible_collections" / "onlyoffice" / "docspace"
        link.parent.mkdir(parents=True)
        link.symlink_to(COLLECTION_ROOT)
        variables = workdir / "vars.json"  # the secrets go in a private file, never on the command line
        variables.write_text(json.dumps({"docspace_live": live}), encoding="utf-8")
        variables.chmod(0o600)
        # The modules run with this interpreter, which has requests (a run-time dependency).
        env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(workdir), "ANSIBLE_RETRY_FILES_ENABLED": "false",
               "ANSIBLE_PYTHON_INTERPRETER": sys.executable}
        command = ["ansible-playbook", "-i", "localhost,", str(HERE / "live.yml"), "-e", f"@{variables}"]
        return subprocess.run(command, env=env, check=False).returncode
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str]) -> int:
    """Check, run, reset; see the module docstring for the exit status."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        live = load_config(argv[0])
        portal = Portal(live)
        current = portal.settings()
    except Refused as refused:
        print(f"live-portal run refused: {refused}", file=sys.stderr)
        return 2
    if not current.get("isDefaultSettings", False):
        print(f"live-portal run refused: {live['base_url']} has SMTP settings of its own (host {current.get('host')!r}, "
              "isDefaultSettings false), and this run would overwrite them. Note them down and reset them "
              "(DELETE /api/2.0/smtpsettings/smtp, or state: absent), or use another portal.", file=sys.stderr)
        return 2
    outcome = 1
    try:
        outcome = 0 if run_story(live) == 0 else 1  # ansible-playbook's own codes (2, 4, …) would mix with ours
    finally:
        try:
            after = portal.reset()
            print(f"reset {live['base_url']} to the installation default (isDefaultSettings: {after.get('isDefaultSettings')})")
        except Refused as failed:
            print(f"could not reset {live['base_url']}: {failed}; reset its SMTP settings by hand", file=sys.stderr)
            outcome = 3
    return outcome


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
