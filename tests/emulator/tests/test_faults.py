"""Fault injection: every kind, matching by method and path (exact or regex), consumption after count uses."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import SMTP, STATUS, TEST, Api

VALID = {"host": "h.example.com", "senderAddress": "a@example.com", "senderDisplayName": "X"}


def test_status_fault_with_docspace_body(admin: Api, portal) -> None:
    portal.add_fault(kind="status", status=503, method="GET", path=SMTP)
    response = admin.get()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == 1 and body["statusCode"] == 503
    assert body["error"]["message"] == "Service Unavailable"
    # Consumed after one use.
    assert admin.get().status_code == 200


def test_html_fault(admin: Api, portal) -> None:
    portal.add_fault(kind="html", status=502)
    response = admin.get()
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"
    assert "<h1>502 Bad Gateway</h1>" in response.text


def test_retry_after_fault(admin: Api, portal) -> None:
    portal.add_fault(kind="retry_after", retry_after=7)
    response = admin.get()
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.content == b""


def test_delay_fault_then_normal_answer(admin: Api, portal) -> None:
    portal.add_fault(kind="delay", delay=0.4)
    started = time.monotonic()
    response = admin.get()
    assert response.status_code == 200 and time.monotonic() - started >= 0.4


def test_delay_longer_than_client_timeout(admin: Api, portal) -> None:
    portal.add_fault(kind="delay", delay=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        admin.get(timeout=0.3)


def test_a_reset_refuses_a_delayed_save(admin: Api, portal) -> None:
    """A save still in its delay when the portal is reset is refused with 409 and never lands on the fresh portal."""
    portal.add_fault(kind="delay", delay=1.0, method="POST", path=SMTP)
    with ThreadPoolExecutor(max_workers=1) as pool:
        save = pool.submit(admin.post, VALID, timeout=10)
        time.sleep(0.3)  # the save is in its delay
        portal.reset()
        assert save.result().status_code == 409
    time.sleep(1.0)  # past the end of the delay, when the save would have landed
    assert portal.requests() == [] and admin.get().json()["response"]["host"] != VALID["host"]


def test_drop_fault(admin: Api, portal) -> None:
    portal.add_fault(kind="drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        admin.get()
    assert admin.get().status_code == 200
    assert [r["fault"] for r in portal.requests()] == ["drop", None]
    assert portal.requests()[0]["status"] is None


def test_malformed_json_fault(admin: Api, portal) -> None:
    portal.add_fault(kind="malformed_json")
    response = admin.get()
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_empty_body_fault(admin: Api, portal) -> None:
    portal.add_fault(kind="empty_body")
    response = admin.get()
    assert response.status_code == 200 and response.content == b""


def test_method_and_exact_path_matching(admin: Api, portal) -> None:
    portal.add_fault(kind="status", status=500, method="POST", path=SMTP)
    assert admin.get().status_code == 200
    assert admin.get(STATUS).status_code == 200
    assert admin.post(VALID).status_code == 500
    assert admin.post(VALID).status_code == 200


def test_regex_path_matching_and_count(admin: Api, portal) -> None:
    portal.add_fault(kind="status", status=504, path_regex=r"/smtp/test(/status)?$", count=2)
    assert admin.get().status_code == 200
    assert admin.get(STATUS).status_code == 504
    assert admin.get(TEST).status_code == 504
    assert admin.get(STATUS).status_code == 200
    assert portal.list_faults() == []


def test_unlimited_count_until_cleared(admin: Api, portal) -> None:
    portal.add_fault(kind="status", status=503, count=None)
    assert [admin.get().status_code for _attempt in range(3)] == [503, 503, 503]
    portal.clear_faults()
    assert admin.get().status_code == 200


def test_fault_without_processing_changes_nothing(admin: Api, portal) -> None:
    portal.add_fault(kind="status", status=503, method="POST")
    assert admin.post(VALID).status_code == 503
    assert portal.stored_settings() is None


def test_fault_after_processing_loses_only_the_answer(admin: Api, portal) -> None:
    portal.add_fault(kind="drop", method="POST", process=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        admin.post(VALID)
    assert portal.stored_settings()["host"] == "h.example.com"


def test_faults_come_before_authentication(portal) -> None:
    portal.add_fault(kind="status", status=503)
    assert Api(portal).get().status_code == 503


def test_slow_job(admin: Api, portal) -> None:
    portal.configure(job_step_delay=0.1)
    started = time.monotonic()
    assert admin.run_test()["error"] == ""
    assert time.monotonic() - started >= 0.7  # seven steps with the default's AUTH


def test_bad_rules_are_refused(portal) -> None:
    for rule in ({"kind": "nope"}, {"kind": "status", "count": 0}, {"kind": "status", "status": 42},
                 {"kind": "status", "method": "FETCH"}, {"kind": "delay", "delay": -1}, {"kind": "status", "bogus": 1}):
        with pytest.raises(ValueError):
            portal.add_fault(rule)
