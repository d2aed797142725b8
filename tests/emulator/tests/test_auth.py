"""Authentication and authorization rules of docs/docspace-api.md §5: API keys, login tokens, Basic, scopes, login failures."""

import base64

import requests

from conftest import LOGIN, SMTP, STATUS, TEST, Api

VALID = {"host": "smtp.example.com", "port": 25, "senderAddress": "a@example.com", "senderDisplayName": ""}


def _login(portal, user_name: str, password: str, **extra) -> requests.Response:
    return Api(portal).post({"userName": user_name, "password": password, **extra}, path=LOGIN)


def test_no_credentials_is_401_with_empty_body(portal) -> None:
    for method, path in (("GET", SMTP), ("POST", SMTP), ("DELETE", SMTP), ("GET", TEST), ("GET", STATUS)):
        response = Api(portal).call(method, path, json=VALID if method == "POST" else None)
        assert response.status_code == 401, (method, path)
        assert response.content == b""


def test_api_key_needs_bearer(portal) -> None:
    assert Api(portal, portal.admin_api_key).get().status_code == 200
    bare = Api(portal, headers={"Authorization": portal.admin_api_key}).get()
    assert bare.status_code == 401 and bare.content == b""


def test_bearer_prefix_is_exact(portal) -> None:
    # BaseStartup.cs / ApiKeyBearerAuthHandler.cs: ordinal "Bearer ", the key cut at 7 characters, no second trim.
    key = portal.admin_api_key
    for header in ("bearer " + key, "BEARER " + key, "Bearer  " + key, "Bearer\t" + key):
        response = Api(portal, headers={"Authorization": header}).get()
        assert response.status_code == 401 and response.content == b"", header


def test_login_token_with_a_lowercase_bearer_is_401(portal) -> None:
    token = _login(portal, portal.admin_email, portal.admin_password).json()["response"]["token"]
    assert Api(portal, headers={"Authorization": "bearer " + token}).get().status_code == 401
    assert Api(portal, headers={"Authorization": "Bearer  " + token}).get().status_code == 401
    assert Api(portal, headers={"Authorization": token}).get().status_code == 200


def test_basic_prefix_is_exact(portal) -> None:
    good = base64.b64encode(f"{portal.admin_email}:{portal.admin_password}".encode()).decode()
    response = Api(portal, headers={"Authorization": f"basic {good}"}).get()
    assert response.status_code == 401 and "WWW-Authenticate" not in response.headers


def test_unknown_api_key_is_401(portal) -> None:
    response = Api(portal, "sk-not-a-key").get()
    assert response.status_code == 401 and response.content == b""


def test_api_key_of_another_portal_is_401(emu, portal) -> None:
    assert Api(portal, emu.portals[1].admin_api_key).get().status_code == 401


def test_login_returns_token_and_cookie(portal) -> None:
    response = _login(portal, portal.admin_email, portal.admin_password)
    assert response.status_code == 200
    body = response.json()
    token = body["response"]["token"]
    assert body["response"]["sms"] is False and body["response"]["tfa"] is False
    assert body["response"]["expires"].endswith("+00:00")
    assert response.cookies.get("asc_auth_key") == token
    assert body["links"] == [{"href": portal.base_url + LOGIN, "action": "POST"}]


def test_login_session_shows_the_default_expiry(portal) -> None:
    # AuthenticationTokenDto.Expires is a non-nullable DateTime: always written, default(DateTime) for a session.
    body = _login(portal, portal.admin_email, portal.admin_password, session=True).json()
    assert body["response"]["expires"] == "0001-01-01T00:00:00"


def test_login_session_null_is_a_validation_error(portal) -> None:
    response = _login(portal, portal.admin_email, portal.admin_password, session=None)
    assert response.status_code == 400
    assert "$.session" in response.json()["response"]["errors"]


def test_login_trims_the_password(portal) -> None:
    assert _login(portal, portal.admin_email, f"  {portal.admin_password}\t").status_code == 200
    assert _login(portal, portal.admin_email, "   ").status_code == 401


def test_login_user_name_is_case_insensitive_and_properties_too(portal) -> None:
    response = Api(portal).post({"UserName": portal.admin_email.upper(), "PASSWORD": portal.admin_password}, path=LOGIN)
    assert response.status_code == 200


def test_token_accepted_three_ways(portal) -> None:
    token = _login(portal, portal.admin_email, portal.admin_password).json()["response"]["token"]
    assert Api(portal, headers={"Authorization": token}).get().status_code == 200
    assert Api(portal, headers={"Authorization": f"Bearer {token}"}).get().status_code == 200
    assert Api(portal, headers={"Cookie": f"asc_auth_key={token}"}).get().status_code == 200
    assert Api(portal, headers={"Authorization": "Bearer x" + token}).get().status_code == 401


def test_token_carries_write_scope(portal) -> None:
    token = _login(portal, portal.admin_email, portal.admin_password).json()["response"]["token"]
    assert Api(portal, headers={"Authorization": token}).post(VALID).status_code == 200


def test_reset_forgets_tokens(portal) -> None:
    token = _login(portal, portal.admin_email, portal.admin_password).json()["response"]["token"]
    portal.reset()
    assert Api(portal, headers={"Authorization": token}).get().status_code == 401


def test_login_failures_are_401_user_authentication_failed(portal) -> None:
    for user_name, password in ((portal.admin_email, "wrong"), ("nobody@example.com", "x"), ("", ""),
                                (portal.admin_email, "")):
        response = _login(portal, user_name, password)
        assert response.status_code == 401
        body = response.json()
        assert body == {"error": {"message": "User authentication failed", "type": None, "stack": None, "hresult": 0},
                        "status": 1, "statusCode": 401}


def test_login_with_a_wrongly_typed_body_is_a_validation_error(portal) -> None:
    response = Api(portal).post({"userName": portal.admin_email, "password": 123}, path=LOGIN)
    assert response.status_code == 400
    assert "$.password" in response.json()["response"]["errors"]


def test_basic_auth(portal) -> None:
    good = base64.b64encode(f"{portal.admin_email}:{portal.admin_password}".encode()).decode()
    assert Api(portal, headers={"Authorization": f"Basic {good}"}).get().status_code == 200
    bad = base64.b64encode(f"{portal.admin_email}:nope".encode()).decode()
    response = Api(portal, headers={"Authorization": f"Basic {bad}"}).get()
    assert response.status_code == 401 and response.content == b""
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_readonly_key_can_read_but_not_write(portal) -> None:
    reader = Api(portal, portal.readonly_api_key)
    assert reader.get().status_code == 200
    assert reader.get(STATUS).status_code == 200
    for method in ("POST", "DELETE"):
        response = reader.call(method, SMTP, json=VALID if method == "POST" else None)
        assert response.status_code == 403 and response.content == b"", method
    # The test trigger is a GET: read scope is enough (docs/docspace-api.md §5).
    assert reader.get(TEST).status_code == 200


def test_scope_check_precedes_validation(portal) -> None:
    response = Api(portal, portal.readonly_api_key).post({"port": 0})
    assert response.status_code == 403 and response.content == b""


def test_non_admin_user_by_login_gets_403_access_denied(portal) -> None:
    token = _login(portal, portal.user_email, portal.user_password).json()["response"]["token"]
    response = Api(portal, headers={"Authorization": token}).get()
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Access denied"
