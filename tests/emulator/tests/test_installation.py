"""One installation, many portals: one shared test queue, one job at a time, the cleaner; unlicensed installations."""

# pytest fixtures are parameters named like the fixture functions.
# pylint: disable=redefined-outer-name

import time

import pytest
import requests

from conftest import SMTP, STATUS, TEST, Api
from docspace_emulator import Emulator


@pytest.fixture(scope="module")
def shared() -> Emulator:
    """portal1 on its own; portal2 and portal3 in the installation "shared"; a fast cleaner for the tests."""
    extra = [{"installation": "shared"}, {"installation": "shared"}]
    with Emulator(portals=1, extra_portals=extra, job_expiry=60, cleaner_interval=0.1) as emulator:
        yield emulator


@pytest.fixture
def trio(shared):
    """The three portals, reset, storing settings for the plain listener; the installation back to 60 s."""
    portals = [shared.portal(name) for name in ("portal1", "portal2", "portal3")]
    for portal in portals:
        portal.reset()
        portal.set_settings({"host": "127.0.0.1", "port": shared.smtp.listeners["plain"], "senderAddress": "a@example.com"})
    shared.installation("shared").configure({"job_expiry": 60, "unlicensed": False})
    yield portals
    for portal in portals:
        portal.reset()


def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_portals_of_one_installation_take_turns(shared, trio) -> None:
    _alone, first, second = trio
    first.configure(job_step_delay=0.1)
    Api(first, first.admin_api_key).get(TEST)
    queued = Api(second, second.admin_api_key).get(TEST).json()["response"]
    assert (queued["completed"], queued["percents"], queued["status"]) == (False, 0, "")
    installation = requests.get(f"{second.base_url}/_emulator/installation", timeout=5).json()
    assert installation["portals"] == ["portal2", "portal3"] and installation["queue"][-1] == queued["id"]
    # While portal2's job runs, portal3's has not moved.
    _wait(lambda: first.job()["percents"] >= 40)
    assert second.job()["percents"] == 0
    _wait(lambda: second.job()["completed"])
    assert [m["portal"] for m in shared.smtp.messages() if m["portal"] in ("portal2", "portal3")] == ["portal2", "portal3"]


def test_portals_of_different_installations_run_at_once(trio) -> None:
    alone, first, _second = trio
    first.configure(job_step_delay=0.2)
    alone.configure(job_step_delay=0.01)
    Api(first, first.admin_api_key).get(TEST)
    Api(alone, alone.admin_api_key).get(TEST)
    _wait(lambda: alone.job()["completed"])
    assert first.job()["completed"] is False


def test_a_finished_job_unread_for_the_expiry_is_gone(shared, trio) -> None:
    _alone, first, _second = trio
    shared.installation("shared").configure({"job_expiry": 0.3})
    api = Api(first, first.admin_api_key)
    api.get(TEST)
    _wait(lambda: first.job() is not None and first.job()["completed"])
    _wait(lambda: first.job() is None, timeout=3)
    assert api.get(STATUS).json()["count"] == 0


def test_a_queued_job_that_waits_past_the_expiry_is_forgotten_but_still_runs(shared, trio) -> None:
    _alone, first, second = trio
    first.configure(job_step_delay=0.2)  # 1.4 s in all, with a change of state every 0.2 s
    shared.installation("shared").configure({"job_expiry": 0.8})
    Api(first, first.admin_api_key).get(TEST)
    Api(second, second.admin_api_key).get(TEST)
    _wait(lambda: second.job() is None, timeout=3)
    assert first.job() is not None  # the running job changes state every 0.2 s: it stays
    assert Api(second, second.admin_api_key).get(STATUS).json()["count"] == 0
    # DistributedTaskQueue.cs only forgets it: the queue still runs it, and the mail still goes out.
    _wait(lambda: len(second.mailbox()) == 1)


def test_a_running_job_unchanged_past_the_expiry_is_cancelled_and_gone(shared, trio) -> None:
    _alone, first, _second = trio
    first.configure(job_step_delay=1.0)
    shared.installation("shared").configure({"job_expiry": 0.3})
    Api(first, first.admin_api_key).get(TEST)
    _wait(lambda: first.job() is None, timeout=3)
    time.sleep(1.2)
    assert first.mailbox() == []


def test_installation_settings_are_checked(trio) -> None:
    url = f"{trio[1].base_url}/_emulator/installation"
    for body in ({"job_expiry": 0}, {"cleaner_interval": "1"}, {"unlicensed": 1}, {"workers": 2}):
        assert requests.put(url, json=body, timeout=5).status_code == 400, body
    assert requests.put(url, json={"job_expiry": 5}, timeout=5).json()["job_expiry"] == 5.0


def test_unlicensed_installation_is_402_on_all_its_portals(shared, trio) -> None:
    alone, first, second = trio
    requests.put(f"{first.base_url}/_emulator/installation", json={"unlicensed": True}, timeout=5)
    for portal in (first, second):
        response = Api(portal, portal.admin_api_key).get(SMTP)
        assert response.status_code == 402 and response.content == b""
    assert Api(alone, alone.admin_api_key).get(SMTP).status_code == 200
