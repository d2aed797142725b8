"""A portal that is still starting: nothing listens, then the proxy's 502 page, then the start page, then the API."""

import time
from typing import Optional

import pytest
import requests

from docspace_emulator.startup import StartUp

VERSION = "/api/2.0/settings/version/build"


def _get(portal, path: str = VERSION) -> requests.Response:
    return requests.get(f"{portal.base_url}{path}", timeout=5)


def _start_up(portal, **phases) -> requests.Response:
    return requests.post(f"{portal.base_url}/_emulator/start-up", json=phases, timeout=5)


def _wait_for(portal, phase: Optional[str], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while portal.startup.info() is not None and portal.startup.info()["phase"] != phase:
        assert time.monotonic() < deadline, f"{portal.name} never reached {phase}"
        time.sleep(0.05)


def test_the_phases_follow_each_other_then_the_api_answers(portal) -> None:
    answer = _start_up(portal, refuse=0.6, bad_gateway=0.6, start_page=0.6)
    assert answer.status_code == 200 and answer.json()["start_up"]["phase"] == "refuse"
    with pytest.raises(requests.exceptions.ConnectionError) as refused:
        _get(portal)
    assert "refused" in str(refused.value).lower()
    _wait_for(portal, "bad_gateway")
    time.sleep(0.15)  # the port is open again a moment after the phase changes
    bad_gateway = _get(portal)
    assert bad_gateway.status_code == 502 and "text/html" in bad_gateway.headers["Content-Type"]
    assert "<title>500 Error Page</title>" in bad_gateway.text
    _wait_for(portal, "start_page")
    start_page = _get(portal, "/api/2.0/smtpsettings/smtp")
    assert start_page.status_code == 200 and start_page.text.lstrip().startswith("<!DOCTYPE html>")
    _wait_for(portal, None)
    ready = _get(portal)
    assert ready.status_code == 200 and ready.json()["response"]
    kinds = [record.get("fault") for record in portal.requests()]
    assert kinds.count("starting") == 2


def test_a_start_up_without_a_refusing_phase_keeps_listening(portal) -> None:
    _start_up(portal, bad_gateway=5)
    assert _get(portal).status_code == 502
    portal.reset()  # a reset ends the start-up at once
    assert _get(portal).status_code == 200


@pytest.mark.parametrize("body, problem", [
    ({"booting": 3}, "unknown start-up phases"),
    ({"refuse": -1}, "refuse must be a number of seconds"),
    ({"start_page": "soon"}, "start_page must be a number of seconds"),
    ({"bad_gateway": 601}, "bad_gateway must be a number of seconds from 0 to 600"),
])
def test_a_start_up_is_checked(portal, body, problem) -> None:
    answer = _start_up(portal, **body)
    assert answer.status_code == 400 and problem in answer.json()["error"]


def test_the_phase_at_a_moment():
    startup = StartUp(refuse=1, bad_gateway=2, start_page=3, began=100.0)
    assert [startup.phase(100.0 + t) for t in (0, 0.99, 1, 2.99, 3, 5.99, 6, 60)] == [
        "refuse", "refuse", "bad_gateway", "bad_gateway", "start_page", "start_page", None, None]
