"""The test job of docs/docspace-api.md §3: envelope, steps and percents, one job per portal, destructive status reads."""

import re
import threading
import time

import requests

from conftest import LOGIN, STATUS, TEST, Api

STEPS_WITH_AUTH = [(5, "Setup tenant"), (10, "Setup user"), (15, "Find user data"), (20, "Create mime message"),
                   (40, "Connect to host"), (60, "Authenticate"), (80, "Send test message"), (100, "Send test message")]
STEPS_WITHOUT_AUTH = [step for step in STEPS_WITH_AUTH if step[1] != "Authenticate"]
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _watch(portal, timeout: float = 10.0) -> list:
    """Every distinct (percents, status) the job shows, read without consuming it."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = portal.job()
        if job is None:
            break
        step = (job["percents"], job["status"])
        if not seen or seen[-1] != step:
            seen.append(step)
        if job["completed"]:
            break
        time.sleep(0.005)
    return seen


def test_no_job_gives_empty_envelope(admin: Api, portal) -> None:
    body = admin.get(STATUS).json()
    assert body == {"count": 0, "links": [{"href": portal.base_url + STATUS, "action": "GET"}], "status": 0, "statusCode": 200}


def test_trigger_response_shape(admin: Api, portal, smtp_settings) -> None:
    portal.configure(job_step_delay=0.2)
    admin.post(smtp_settings())
    body = admin.get(TEST).json()
    assert body["count"] == 1 and body["statusCode"] == 200
    job = body["response"]
    assert list(job) == ["id", "completed", "percents", "status", "error"]
    assert GUID.match(job["id"])
    assert job["completed"] is False
    assert job["percents"] <= 20 and job["error"] == ""
    assert job["status"] in ("", "Setup tenant", "Setup user", "Find user data", "Create mime message")


def test_status_is_empty_before_the_first_step(admin: Api, portal, smtp_settings) -> None:
    portal.configure(job_step_delay=0.3)
    admin.post(smtp_settings())
    # The first read happens right after the thread is started, usually before its first step.
    first = admin.get(TEST).json()["response"]
    assert (first["percents"], first["status"]) in ((0, ""), (5, "Setup tenant"))


def test_steps_and_percents_with_auth(admin: Api, portal, smtp_settings) -> None:
    portal.configure(job_step_delay=0.15)
    admin.post(smtp_settings(auth=True))
    admin.get(TEST)
    assert _watch(portal)[-len(STEPS_WITH_AUTH):] == STEPS_WITH_AUTH
    assert admin.wait_job()["error"] == ""


def test_steps_and_percents_without_auth(admin: Api, portal, smtp_settings) -> None:
    portal.configure(job_step_delay=0.15)
    admin.post(smtp_settings(auth=False))
    admin.get(TEST)
    assert _watch(portal)[-len(STEPS_WITHOUT_AUTH):] == STEPS_WITHOUT_AUTH


def test_success_outcome(admin: Api, smtp_settings) -> None:
    admin.post(smtp_settings())
    outcome = admin.run_test()
    assert outcome["completed"] is True and outcome["percents"] == 100
    assert outcome["status"] == "Send test message" and outcome["error"] == ""


def test_completed_read_is_destructive(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings())
    job_id = admin.get(TEST).json()["response"]["id"]
    while not portal.job()["completed"]:
        time.sleep(0.01)
    first = admin.get(STATUS).json()
    assert first["response"]["id"] == job_id and first["response"]["completed"] is True
    second = admin.get(STATUS).json()
    assert "response" not in second and second["count"] == 0
    assert portal.job() is None


def test_running_job_returned_instead_of_a_new_one(admin: Api, portal, smtp_settings) -> None:
    portal.configure(job_step_delay=0.2)
    admin.post(smtp_settings())
    first = admin.get(TEST).json()["response"]
    # Another session of another credential (a login token) joins the same job.
    token = Api(portal).post({"userName": portal.admin_email, "password": portal.admin_password}, path=LOGIN).json()["response"]["token"]
    second = Api(portal, headers={"Authorization": token}).get(TEST).json()["response"]
    assert second["id"] == first["id"]
    admin.wait_job()
    assert len(portal.mailbox()) == 1


def test_completed_job_replaced_by_a_new_one(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings())
    first = admin.get(TEST).json()["response"]["id"]
    while not portal.job()["completed"]:
        time.sleep(0.01)
    second = admin.get(TEST).json()["response"]["id"]
    assert second != first
    admin.wait_job()
    assert len(portal.mailbox()) == 2


def test_trigger_uses_stored_settings_including_password(admin: Api, portal, emu, smtp_settings) -> None:
    admin.post(smtp_settings(auth=True))
    outcome = admin.run_test()
    assert outcome["error"] == ""
    assert portal.mailbox()[0]["auth_user"] == emu.smtp.info()["accounts"][0]["username"]


def test_job_is_per_portal(emu, admin: Api, portal, smtp_settings) -> None:
    other = emu.portals[1]
    other.reset()
    portal.configure(job_step_delay=0.2)
    admin.post(smtp_settings())
    admin.get(TEST)
    assert Api(other, other.admin_api_key).get(STATUS).json()["count"] == 0
    admin.wait_job()


def test_readonly_key_triggers_as_its_owner(portal, admin: Api, smtp_settings) -> None:
    admin.post(smtp_settings())
    reader = Api(portal, portal.readonly_api_key)
    assert reader.run_test()["error"] == ""
    assert portal.mailbox()[0]["rcpt_tos"] == [portal.admin_email]


def test_rate_limit(admin: Api, portal, smtp_settings) -> None:
    portal.configure(rate_limit=True, job_step_delay=0.05)
    admin.post(smtp_settings())
    for _attempt in range(5):
        assert admin.get(TEST).status_code == 200
    limited = admin.get(TEST)
    assert limited.status_code == 429
    assert limited.content == b""
    assert 1 <= int(limited.headers["Retry-After"]) <= 900
    # Only the trigger is limited; the status and the settings are not.
    assert admin.get(STATUS).status_code == 200
    assert admin.get().status_code == 200
    portal.configure(rate_limit=False)
    assert admin.get(TEST).status_code == 200


def test_rate_limit_is_per_user(admin: Api, portal, smtp_settings) -> None:
    portal.configure(rate_limit=True)
    admin.post(smtp_settings())
    for _attempt in range(5):
        admin.get(TEST)
    assert admin.get(TEST).status_code == 429
    # Same user through another credential: still limited. A different user is not (gets 403 instead).
    assert Api(portal, portal.readonly_api_key).get(TEST).status_code == 429
    assert Api(portal, portal.user_api_key).get(TEST).status_code == 403


def test_rate_limit_off_by_default(admin: Api, smtp_settings) -> None:
    admin.post(smtp_settings())
    assert all(admin.get(TEST).status_code == 200 for _attempt in range(7))


def test_trigger_read_of_a_finished_job_consumes_it(admin: Api, portal, smtp_settings) -> None:
    # An unresolvable host fails at once, so the trigger's own read often already sees the outcome.
    admin.post(smtp_settings(host="unknown.example.com"))
    for _attempt in range(20):
        first = admin.get(TEST).json()["response"]
        following = admin.get(STATUS).json()
        if first["completed"]:
            assert first["error"] == "Name or service not known"
            assert following["count"] == 0 and "response" not in following
        else:
            outcome = following.get("response") or admin.wait_job()
            if not outcome["completed"]:
                outcome = admin.wait_job()
            assert outcome["id"] == first["id"] and outcome["completed"] is True
        assert portal.job() is None


def test_concurrent_triggers_share_one_job(admin: Api, portal, smtp_settings) -> None:
    portal.configure(job_step_delay=0.1)
    admin.post(smtp_settings())
    ids = []

    def trigger() -> None:
        ids.append(Api(portal, portal.admin_api_key).get(TEST).json()["response"]["id"])

    threads = [threading.Thread(target=trigger) for _attempt in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(ids) == 8 and len(set(ids)) == 1
    assert admin.wait_job()["error"] == ""
    assert len(portal.mailbox()) == 1


def test_reset_cancels_a_running_job(admin: Api, portal, smtp_settings) -> None:
    portal.configure(job_step_delay=0.3)
    admin.post(smtp_settings())
    admin.get(TEST)
    started = time.monotonic()
    portal.reset()
    assert time.monotonic() - started < 2.0
    time.sleep(0.3)
    assert portal.job() is None and portal.mailbox() == []
    assert admin.get(STATUS).json()["count"] == 0


def test_cancelled_job_is_completed_without_error_below_100(admin: Api, portal, smtp_settings) -> None:
    portal.configure(job_step_delay=0.2)
    admin.post(smtp_settings())
    admin.get(TEST)
    while portal.job()["percents"] < 40:
        time.sleep(0.01)
    cancelled = requests.post(f"{portal.base_url}/_emulator/job/cancel", timeout=5).json()["job"]
    assert cancelled["completed"] is True and cancelled["error"] == "" and 40 <= cancelled["percents"] < 100
    time.sleep(0.5)  # the job's thread stops; nothing it does later changes the frozen state
    outcome = admin.get(STATUS).json()["response"]
    assert outcome == cancelled
    assert portal.mailbox() == []


def test_cancel_job_at_a_step(admin: Api, portal, smtp_settings) -> None:
    portal.configure(cancel_job_at=60)
    admin.post(smtp_settings(auth=True))
    outcome = admin.run_test()
    assert (outcome["completed"], outcome["percents"], outcome["status"], outcome["error"]) == (True, 60, "Authenticate", "")
    assert portal.mailbox() == []


def test_cancel_without_a_job_is_refused(portal) -> None:
    response = requests.post(f"{portal.base_url}/_emulator/job/cancel", timeout=5)
    assert response.status_code == 400 and "no test job" in response.json()["error"]
