"""The control API over HTTP, the request log and its masking, many portals."""

import json

import requests

from conftest import LOGIN, SMTP, Api

SECRET = "relay-secret-that-must-not-leak"


def _control(portal, method: str, path: str, body=None) -> requests.Response:
    return requests.request(method, f"{portal.base_url}/_emulator{path}", json=body, timeout=10)


def test_request_log_records_api_calls_only(admin: Api, portal) -> None:
    admin.get(SMTP + "?fields=host")
    _control(portal, "GET", "/config")
    [record] = _control(portal, "GET", "/requests").json()["requests"]
    assert record["method"] == "GET" and record["path"] == SMTP and record["query"] == "fields=host"
    assert record["status"] == 200 and record["fault"] is None and record["body"] is None
    assert isinstance(record["seq"], int) and record["time"] > 0


def test_request_log_masks_secrets_but_keeps_the_rest(admin: Api, portal) -> None:
    body = {"host": "h", "senderAddress": "a@b", "senderDisplayName": "", "enableAuth": True,
            "credentialsUserName": "relay-user", "credentialsUserPassword": SECRET}
    admin.post(body)
    admin.post({**body, "credentialsUserPassword": ""})
    Api(portal).post({"userName": portal.admin_email, "password": portal.admin_password}, path=LOGIN)
    records = _control(portal, "GET", "/requests").json()["requests"]
    first, second, login = records
    assert first["headers"]["Authorization"] == "Bearer ***"
    assert first["body"] == {**body, "credentialsUserPassword": "********"}
    assert second["body"]["credentialsUserPassword"] == ""
    assert login["body"] == {"userName": portal.admin_email, "password": "********"}
    dumped = json.dumps(records)
    for secret in (SECRET, portal.admin_password, portal.admin_api_key):
        assert secret not in dumped


def test_request_log_masks_tokens_and_cookies(portal) -> None:
    Api(portal, headers={"Authorization": "some-login-token", "Cookie": "a=1; asc_auth_key=tok123"}).get()
    [record] = portal.requests()
    assert record["headers"]["Authorization"] == "***"
    assert record["headers"]["Cookie"] == "a=1; asc_auth_key=***"
    assert record["status"] == 401


def test_request_log_masks_unparsable_bodies(admin: Api, portal) -> None:
    admin.call("POST", SMTP, data='{"credentialsUserPassword": "' + SECRET + '", ', headers={"Content-Type": "application/json"})
    [record] = portal.requests()
    assert record["body"] is None and SECRET not in record["body_text"] and "********" in record["body_text"]


def test_clear_request_log(admin: Api, portal) -> None:
    admin.get()
    assert _control(portal, "DELETE", "/requests").json() == {"requests": []}
    assert portal.requests() == []


def test_fault_endpoints(admin: Api, portal) -> None:
    added = _control(portal, "POST", "/faults", {"kind": "status", "status": 500, "method": "GET", "path": SMTP, "count": 2})
    assert added.status_code == 200 and added.json()["fault"]["count"] == 2
    assert len(_control(portal, "GET", "/faults").json()["faults"]) == 1
    assert admin.get().status_code == 500
    assert _control(portal, "GET", "/faults").json()["faults"][0]["count"] == 1
    assert _control(portal, "DELETE", "/faults").json() == {"faults": []}
    assert admin.get().status_code == 200
    bad = _control(portal, "POST", "/faults", {"kind": "teapot"})
    assert bad.status_code == 400 and "kind" in bad.json()["error"]


def test_config_endpoints(portal) -> None:
    config = _control(portal, "GET", "/config").json()
    assert config["cloud_default"] is False and config["smtp_connect_timeout"] == 30.0
    changed = _control(portal, "PUT", "/config", {"hide_smtp_settings": True, "job_step_delay": 0.5}).json()
    assert changed["hide_smtp_settings"] is True and changed["job_step_delay"] == 0.5
    assert _control(portal, "PUT", "/config", {"rate_limit": "yes"}).status_code == 400
    assert _control(portal, "PUT", "/config", {"nonsense": 1}).status_code == 400


def test_settings_endpoints_bypass_api_and_log(admin: Api, portal) -> None:
    written = _control(portal, "PUT", "/settings", {"host": "drift.example.com", "port": 2525, "senderAddress": "d@example.com",
                                                    "credentialsUserName": "u", "credentialsUserPassword": SECRET}).json()
    assert written["stored"]["host"] == "drift.example.com" and written["stored"]["password_set"] is True
    assert SECRET not in json.dumps(written)
    assert portal.requests() == []
    current = admin.get().json()["response"]
    assert (current["host"], current["port"], current["enableAuth"], current["isDefaultSettings"]) == ("drift.example.com", 2525, True, False)
    back = _control(portal, "PUT", "/settings", None).json()
    assert back["stored"] is None and back["effective"]["isDefaultSettings"] is True


def test_job_endpoint_does_not_consume(admin: Api, portal) -> None:
    assert _control(portal, "GET", "/job").json() == {"job": None}
    admin.run_test()
    portal.configure(job_step_delay=0.05)
    admin.get("/api/2.0/smtpsettings/smtp/test")
    job = _control(portal, "GET", "/job").json()["job"]
    assert _control(portal, "GET", "/job").json()["job"]["id"] == job["id"]
    assert admin.wait_job()["id"] == job["id"]


def test_mailbox_endpoints(admin: Api, portal) -> None:
    admin.run_test()
    messages = _control(portal, "GET", "/mailbox").json()["messages"]
    assert [m["subject"] for m in messages] == ["SMTP test message"]
    assert _control(portal, "DELETE", "/mailbox").json() == {"messages": []}


def test_reset_endpoint(admin: Api, portal) -> None:
    admin.post({"host": "h", "senderAddress": "a@b", "senderDisplayName": "x"})
    portal.add_fault(kind="status", path="/nothing")
    portal.configure(hide_smtp_settings=True)
    assert _control(portal, "POST", "/reset").status_code == 200
    assert portal.stored_settings() is None and portal.list_faults() == [] and portal.requests() == []
    assert portal.config()["hide_smtp_settings"] is False


def test_unknown_control_endpoint(portal) -> None:
    assert _control(portal, "GET", "/nothing").status_code == 404
    assert _control(portal, "PATCH", "/config").status_code == 405


def test_control_calls_ignore_faults(portal) -> None:
    portal.add_fault(kind="status", status=503, count=None)
    assert _control(portal, "GET", "/config").status_code == 200


def test_portals_are_independent_and_listed(emu) -> None:
    listed = requests.get(f"{emu.control_url}/_emulator/portals", timeout=10).json()["portals"]
    assert [p["name"] for p in listed[:3]] == ["portal1", "portal2", "portal3"]
    assert len({p["base_url"] for p in listed}) == len(listed)
    assert len({p["admin"]["api_key"] for p in listed}) == len(listed)
    assert listed == emu.info()["portals"]


def test_add_portals_at_runtime(emu) -> None:
    before = len(emu.portals)
    added = requests.post(f"{emu.control_url}/_emulator/portals", json={"count": 2}, timeout=10).json()["portals"]
    assert [p["name"] for p in added] == [f"portal{before + 1}", f"portal{before + 2}"]
    new = emu.portal(added[0]["name"])
    response = Api(new, added[0]["admin"]["api_key"]).get()
    assert response.status_code == 200 and response.json()["links"][0]["href"].startswith(added[0]["base_url"])
    assert requests.post(f"{emu.control_url}/_emulator/portals", json={"count": 0}, timeout=10).status_code == 400


def test_info_endpoint_matches_python_api(emu) -> None:
    info = requests.get(f"{emu.portals[1].base_url}/_emulator/info", timeout=10).json()
    assert info == emu.info()
    assert set(info["smtp"]["listeners"]) == {"plain", "starttls", "smtps", "smtps_untrusted", "starttls_untrusted"}
    assert info["ca_path"] is None


def test_secrets_are_deterministic_and_distinctive(emu) -> None:
    portal = emu.portals[0]
    assert portal.admin_api_key.startswith("sk-portal1-admin-")
    assert portal.admin_password.startswith("portal1-admin-pw-")
    assert portal.readonly_api_key.startswith("sk-portal1-readonly-")
    assert portal.user_email == "user@portal1.docspace.test"


def test_settings_a_real_server_cannot_hold_are_refused(portal) -> None:
    for body in ({"senderAddress": "a@example.com"}, {"host": "h"}, {"host": "", "senderAddress": "a@example.com"},
                 {"host": "h", "senderAddress": "a@b", "port": 70000}):
        response = _control(portal, "PUT", "/settings", body)
        assert response.status_code == 400, body
        assert "cannot exist on a real DocSpace" in response.json()["error"] or "port" in response.json()["error"]
    assert portal.stored_settings() is None


def test_add_portals_of_a_version_and_installation(emu) -> None:
    url = f"{emu.control_url}/_emulator/portals"
    [added] = requests.post(url, json={"count": 1, "version": "3.0", "installation": "extra"}, timeout=10).json()["portals"]
    assert (added["version"], added["installation"], added["admin"]["api_key"]) == ("3.0", "extra", None)
    assert emu.portal(added["name"]).installation is emu.installation("extra")
    for body in ({"count": 1, "version": "three"}, {"count": 1, "installation": ""}, {"count": 1, "size": 2}):
        assert requests.post(url, json=body, timeout=10).status_code == 400, body
