"""Unpaid portals: PaymentFilter's empty 402 on every SMTP endpoint, and where it sits among the checks."""

import base64

import pytest

from conftest import LOGIN, SMTP, STATUS, TEST, Api

VALID = {"host": "smtp.example.com", "port": 25, "senderAddress": "a@example.com", "senderDisplayName": "x"}
ENDPOINTS = [("GET", SMTP), ("POST", SMTP), ("DELETE", SMTP), ("GET", TEST), ("GET", STATUS)]


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_every_smtp_endpoint_is_an_empty_402(admin: Api, portal, method, path) -> None:
    portal.configure(not_paid=True)
    response = admin.call(method, path, json=VALID if method == "POST" else None)
    assert response.status_code == 402 and response.content == b""
    assert portal.stored_settings() is None and portal.job() is None


def test_login_is_allowed_when_not_paid(portal) -> None:
    portal.configure(not_paid=True)
    response = Api(portal).post({"userName": portal.admin_email, "password": portal.admin_password}, path=LOGIN)
    assert response.status_code == 200


def test_authentication_and_scope_come_first_validation_after(portal, admin: Api) -> None:
    portal.configure(not_paid=True)
    assert Api(portal).get().status_code == 401
    basic = base64.b64encode(f"{portal.admin_email}:wrong".encode()).decode()
    assert Api(portal, headers={"Authorization": f"Basic {basic}"}).get().status_code == 401
    assert Api(portal, portal.readonly_api_key).post(VALID).status_code == 403
    # A resource filter runs before model binding: an invalid body still gets the 402.
    assert admin.post({**VALID, "port": 0}).status_code == 402
    # And before the action's admin check.
    assert Api(portal, portal.user_api_key).get().status_code == 402


def test_payment_info_header_other_than_true_skips_the_check(admin: Api, portal) -> None:
    portal.configure(not_paid=True)
    assert admin.get(headers={"Payment-Info": "false"}).status_code == 200
    assert admin.get(headers={"Payment-Info": "True"}).status_code == 402
