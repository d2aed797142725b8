"""Fixtures: one emulator for the whole session, and a freshly reset portal per test."""

# pytest fixtures are parameters named like the fixture functions.
# pylint: disable=redefined-outer-name

import os
import sys
import time
from typing import Any, Callable, Dict, Iterator, Optional

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from docspace_emulator import Emulator, Portal  # noqa: E402  pylint: disable=wrong-import-position

SMTP = "/api/2.0/smtpsettings/smtp"
TEST = SMTP + "/test"
STATUS = TEST + "/status"
LOGIN = "/api/2.0/authentication"


class Api:
    """A thin requests wrapper bound to one portal and one credential."""

    def __init__(self, portal: Portal, key: Optional[str] = None, headers: Optional[Dict[str, str]] = None,
                 verify: Any = True) -> None:
        self.portal = portal
        self.headers = dict(headers or {})
        if key is not None:
            self.headers["Authorization"] = f"Bearer {key}"
        self.session = requests.Session()
        self.verify = verify

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request; keyword arguments go to requests."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.portal.base_url + path, headers=headers, verify=self.verify, **kwargs)

    def get(self, path: str = SMTP, **kwargs: Any) -> requests.Response:
        """GET (default: the settings)."""
        return self.call("GET", path, **kwargs)

    def post(self, body: Any, path: str = SMTP, **kwargs: Any) -> requests.Response:
        """POST a JSON body (default: save settings)."""
        return self.call("POST", path, json=body, **kwargs)

    def delete(self, path: str = SMTP, **kwargs: Any) -> requests.Response:
        """DELETE (default: reset settings)."""
        return self.call("DELETE", path, **kwargs)

    def wait_job(self, timeout: float = 10.0) -> Dict[str, Any]:
        """Poll the status until a completed job is read (that read consumes it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.get(STATUS).json()
            if body.get("response", {}).get("completed"):
                return body["response"]
            time.sleep(0.02)
        raise AssertionError("the job did not complete in time")

    def run_test(self) -> Dict[str, Any]:
        """Trigger the test and wait for its outcome."""
        trigger = self.get(TEST)
        assert trigger.status_code == 200, trigger.text
        if trigger.json()["response"]["completed"]:
            return trigger.json()["response"]
        return self.wait_job()


@pytest.fixture(scope="session")
def emu() -> Iterator[Emulator]:
    """Three portals and the SMTP server, for the whole session."""
    with Emulator(portals=3) as emulator:
        yield emulator


@pytest.fixture
def portal(emu: Emulator) -> Iterator[Portal]:
    """portal1, reset before each test (settings, job, log, mailbox, faults, config)."""
    first = emu.portals[0]
    first.reset()
    yield first
    first.reset()


@pytest.fixture
def admin(portal: Portal) -> Api:
    """The portal's admin, by API key."""
    return Api(portal, portal.admin_api_key)


@pytest.fixture
def smtp_settings(emu: Emulator) -> Callable[..., Dict[str, Any]]:
    """Build a save body for one of the emulator's SMTP listeners."""
    def make(listener: str = "plain", auth: bool = True, ssl: bool = False, password: Optional[str] = None,
             **extra: Any) -> Dict[str, Any]:
        account = emu.smtp.info()["accounts"][0]
        body = {"host": "127.0.0.1", "port": emu.smtp.listeners[listener], "senderAddress": "noreply@example.com",
                "senderDisplayName": "Rehearsal", "enableSSL": ssl, "enableAuth": auth}
        if auth:
            body["credentialsUserName"] = account["username"]
            body["credentialsUserPassword"] = account["password"] if password is None else password
        body.update(extra)
        return body
    return make
