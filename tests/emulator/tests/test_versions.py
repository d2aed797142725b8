"""Per-portal DocSpace versions: API keys from 3.1, each version's DTO validation, 2.0's missing first status."""

# pytest fixtures are parameters named like the fixture functions.
# pylint: disable=redefined-outer-name

import time
from collections.abc import Iterator

import pytest

from conftest import LOGIN, TEST, Api
from docspace_emulator import Emulator

VALID = {"host": "smtp.example.com", "port": 25, "senderAddress": "a@example.com", "senderDisplayName": "x"}
LONG = "h" * 256


@pytest.fixture(scope="module")
def versions() -> Iterator[Emulator]:
    """portal1 is 3.7; portal2 3.0; portal3 3.1; portal4 2.6; portal5 and portal6 are 2.0 sharing one installation."""
    extra = [{"version": "3.0"}, {"version": "3.1"}, {"version": "2.6"},
             {"version": "2.0", "installation": "old"}, {"version": "2.0", "installation": "old"}]
    with Emulator(portals=1, extra_portals=extra) as emulator:
        yield emulator


def _by_login(portal) -> Api:
    token = Api(portal).post({"userName": portal.admin_email, "password": portal.admin_password}, path=LOGIN).json()["response"]["token"]
    return Api(portal, headers={"Authorization": token})


def test_api_keys_exist_from_3_1(versions) -> None:
    v37, v30, v31 = (versions.portal(name) for name in ("portal1", "portal2", "portal3"))
    assert Api(v37, v37.admin_api_key).get().status_code == 200
    assert Api(v31, v31.admin_api_key).get().status_code == 200
    refused = Api(v30, v30.admin_api_key).get()
    assert refused.status_code == 401 and refused.content == b""


def test_login_works_on_every_version(versions) -> None:
    for portal in versions.portals:
        assert _by_login(portal).get().status_code == 200, portal.version.text


def test_info_has_no_keys_before_3_1(versions) -> None:
    info = {p["name"]: p for p in versions.info()["portals"]}
    assert info["portal2"]["version"] == "3.0"
    assert (info["portal2"]["admin"]["api_key"], info["portal2"]["user"]["api_key"], info["portal2"]["readonly_api_key"]) == (None, None, None)
    assert info["portal3"]["admin"]["api_key"].startswith("sk-portal3-admin-")


@pytest.mark.parametrize("name, body, errors", [
    ("portal1", {**VALID, "host": LONG}, ["Host"]),
    ("portal1", {**VALID, "senderDisplayName": LONG}, ["SenderDisplayName"]),
    ("portal2", {**VALID, "port": 0}, ["Port"]),
    ("portal2", {**VALID, "enableAuth": True, "credentialsUserName": LONG, "credentialsUserPassword": "p"}, ["CredentialsUserName"]),
    ("portal2", {**VALID, "host": LONG, "senderAddress": LONG, "senderDisplayName": LONG}, None),
    ("portal4", {**VALID, "port": 0}, None),
    ("portal4", {**VALID, "port": 70000, "host": LONG}, None),
])
def test_dto_validation_by_version(versions, name, body, errors) -> None:
    portal = versions.portal(name)
    portal.reset()
    response = _by_login(portal).post(body)
    if errors is None:
        assert response.status_code == 200, response.text
        assert portal.stored_settings()["port"] == body["port"]
    else:
        assert response.status_code == 400
        assert list(response.json()["response"]["errors"]) == errors
        assert portal.stored_settings() is None


def test_first_status_of_2_0_can_lack_status(versions) -> None:
    first, second = versions.portal("portal5"), versions.portal("portal6")
    for portal in (first, second):
        portal.reset()
        portal.set_settings({"host": "127.0.0.1", "port": versions.smtp.listeners["plain"], "senderAddress": "a@example.com"})
    first.configure(job_step_delay=0.1)
    runner = _by_login(first)
    runner.get(TEST)
    # portal6's job waits behind portal5's in their installation's queue: no step yet, so no status.
    queued = _by_login(second).get(TEST).json()["response"]
    assert queued["completed"] is False and queued["percents"] == 0
    assert "status" not in queued
    runner.wait_job()
    deadline = time.monotonic() + 10
    while not second.job()["completed"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert second.job()["status"] == "Send test message"


def test_first_status_from_2_6_is_empty(versions) -> None:
    portal = versions.portal("portal4")
    portal.reset()
    portal.set_settings({"host": "127.0.0.1", "port": versions.smtp.listeners["plain"], "senderAddress": "a@example.com"})
    portal.configure(job_step_delay=0.1)
    api = _by_login(portal)
    status = api.get(TEST).json()["response"]
    assert status["status"] in ("", "Setup tenant")
    api.wait_job()


def test_the_build_version_answers_without_credentials_on_every_version(versions) -> None:
    # web/ASC.Web.Api/Api/Settings/VersionController.cs: [AllowAnonymous] [AllowNotPayment], 2.0 on.
    for portal in versions.portals:
        answer = Api(portal).get("/api/2.0/settings/version/build")
        assert answer.status_code == 200, portal.version.text
        build = answer.json()["response"]
        assert build["docSpace"].startswith(portal.version.text)
        assert ("communityServer" in build) is (not portal.version.has_api_keys)
