"""Envelope, error bodies, model validation and the save checks of docs/docspace-api.md §1 and §2."""

import pytest

from conftest import SMTP, STATUS, TEST, Api

VALID = {"host": "smtp.example.com", "port": 587, "senderAddress": "noreply@example.com", "senderDisplayName": "DocSpace",
         "enableSSL": True, "enableAuth": True, "credentialsUserName": "noreply@example.com", "credentialsUserPassword": "s3cret"}


def test_success_envelope_shape(admin: Api) -> None:
    response = admin.get(SMTP + "?x=1")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["response", "count", "links", "status", "statusCode"]
    assert body["count"] == 1 and body["status"] == 0 and body["statusCode"] == 200
    assert body["links"] == [{"href": f"{admin.portal.base_url}{SMTP}?x=1", "action": "GET"}]
    assert "total" not in body


def test_links_carry_method_and_full_url(admin: Api) -> None:
    body = admin.post(VALID).json()
    assert body["links"] == [{"href": admin.portal.base_url + SMTP, "action": "POST"}]
    body = admin.delete().json()
    assert body["links"][0]["action"] == "DELETE"


def test_fields_query_filters_response(admin: Api) -> None:
    body = admin.get(SMTP + "?fields=host,port").json()
    assert body["response"] == {"host": "notify.onlyoffice.info", "port": 25}


def test_routing_is_case_insensitive_and_unknown_paths_404(admin: Api) -> None:
    assert admin.get("/API/2.0/SmtpSettings/SMTP").status_code == 200
    assert admin.get(SMTP + "/").status_code == 200
    missing = admin.get("/api/2.0/smtpsettings/nothing")
    assert missing.status_code == 404 and missing.content == b""
    wrong_method = admin.call("PUT", SMTP, json={})
    assert wrong_method.status_code == 405


def test_error_envelope_for_argument_exception(admin: Api) -> None:
    response = admin.post({**VALID, "host": ""})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["error", "status", "statusCode"]
    assert body["status"] == 1 and body["statusCode"] == 400
    error = body["error"]
    assert error["message"] == "Empty smtp host. (Parameter 'host')"
    assert error["type"] == "System.ArgumentException"
    assert error["hresult"] == -2147024809
    assert error["stack"].startswith("   at ")


@pytest.mark.parametrize("change, message", [
    ({"host": None}, "Empty smtp host. (Parameter 'host')"),
    ({"host": ""}, "Empty smtp host. (Parameter 'host')"),
    ({"senderAddress": ""}, "Empty sender address. (Parameter 'senderAddress')"),
    ({"senderAddress": None}, "Empty sender address. (Parameter 'senderAddress')"),
    ({"senderDisplayName": None}, "Value cannot be null. (Parameter 'senderDisplayName')"),
    ({"credentialsUserName": ""}, "Empty user name. (Parameter 'userName')"),
    ({"credentialsUserName": None}, "Empty user name. (Parameter 'userName')"),
    ({"credentialsUserPassword": ""}, "Empty password. (Parameter 'password')"),
    ({"credentialsUserPassword": None}, "Empty password. (Parameter 'password')"),
])
def test_constructor_checks(admin: Api, change: dict, message: str) -> None:
    response = admin.post({**VALID, **change})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
    # Nothing is saved when a check fails.
    assert admin.get().json()["response"]["isDefaultSettings"] is True


def test_missing_display_name_is_a_null_error(admin: Api) -> None:
    body = {k: v for k, v in VALID.items() if k != "senderDisplayName"}
    error = admin.post(body).json()["error"]
    assert error["message"] == "Value cannot be null. (Parameter 'senderDisplayName')"
    assert error["type"] == "System.ArgumentNullException"


def test_constructor_checks_run_in_order(admin: Api) -> None:
    everything_wrong = {"host": "", "senderAddress": "", "enableAuth": True}
    assert admin.post(everything_wrong).json()["error"]["message"] == "Empty smtp host. (Parameter 'host')"
    assert admin.post({**everything_wrong, "host": "h"}).json()["error"]["message"] == "Empty sender address. (Parameter 'senderAddress')"
    assert (admin.post({**everything_wrong, "host": "h", "senderAddress": "a@b"}).json()["error"]["message"]
            == "Value cannot be null. (Parameter 'senderDisplayName')")
    no_credentials = {"host": "h", "senderAddress": "a@b", "senderDisplayName": "", "enableAuth": True}
    assert admin.post(no_credentials).json()["error"]["message"] == "Empty user name. (Parameter 'userName')"


def test_whitespace_host_is_accepted(admin: Api) -> None:
    response = admin.post({**VALID, "host": "   "})
    assert response.status_code == 200
    assert response.json()["response"]["host"] == "   "


def test_literal_null_body(admin: Api) -> None:
    response = admin.call("POST", SMTP, data="null", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Value cannot be null. (Parameter 'inDto')"


def _problem(response) -> dict:
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 1 and body["statusCode"] == 400 and body["count"] == 1
    assert body["links"][0]["action"] == "POST"
    problem = body["response"]
    assert problem["type"] == "https://tools.ietf.org/html/rfc9110#section-15.5.1"
    assert problem["title"] == "One or more validation errors occurred."
    assert problem["status"] == 400
    assert problem["traceId"].startswith("00-")
    return problem["errors"]


@pytest.mark.parametrize("port", [0, 65536, -1, "0", 100000])
def test_port_out_of_range(admin: Api, port) -> None:
    errors = _problem(admin.post({**VALID, "port": port}))
    assert errors == {"Port": ["The field Port must be between 1 and 65535."]}


@pytest.mark.parametrize("field, key", [("host", "Host"), ("senderAddress", "SenderAddress"),
                                        ("senderDisplayName", "SenderDisplayName"), ("credentialsUserName", "CredentialsUserName")])
def test_string_limit_255(admin: Api, field: str, key: str) -> None:
    assert admin.post({**VALID, field: "x" * 255}).status_code == 200
    errors = _problem(admin.post({**VALID, field: "x" * 256}))
    assert errors == {key: [f"The field {key} must be a string with a maximum length of 255."]}


def test_all_annotation_errors_reported_together(admin: Api) -> None:
    errors = _problem(admin.post({**VALID, "host": "h" * 300, "port": 0}))
    assert list(errors) == ["Host", "Port"]


def test_password_has_no_length_limit(admin: Api) -> None:
    assert admin.post({**VALID, "credentialsUserPassword": "p" * 1000}).status_code == 200


def test_validation_runs_before_ctor_checks(admin: Api) -> None:
    errors = _problem(admin.post({"host": "", "port": 0}))
    assert errors == {"Port": ["The field Port must be between 1 and 65535."]}


def test_malformed_json(admin: Api) -> None:
    errors = _problem(admin.call("POST", SMTP, data='{"host": ', headers={"Content-Type": "application/json"}))
    assert set(errors) == {"$", "inDto"}
    assert errors["inDto"] == ["The inDto field is required."]
    assert "Path: $" in errors["$"][0]


def test_empty_body(admin: Api) -> None:
    errors = _problem(admin.call("POST", SMTP, data=b"", headers={"Content-Type": "application/json"}))
    assert errors == {"": ["A non-empty request body is required."]}


@pytest.mark.parametrize("field, value, type_name", [
    ("enableSSL", "true", "System.Boolean"),
    ("enableAuth", 1, "System.Boolean"),
    ("useNtlm", None, "System.Boolean"),
    ("port", "25x", "System.Nullable`1[System.Int32]"),
    ("port", 25.5, "System.Nullable`1[System.Int32]"),
    ("port", True, "System.Nullable`1[System.Int32]"),
    ("host", 42, "System.String"),
    ("senderAddress", ["a@b"], "System.String"),
])
def test_wrong_types(admin: Api, field: str, value, type_name: str) -> None:
    errors = _problem(admin.post({**VALID, field: value}))
    assert list(errors) == [f"$.{field}", "inDto"]
    assert errors[f"$.{field}"][0].startswith(f"The JSON value could not be converted to {type_name}. Path: $.{field} |")


def test_body_must_be_an_object(admin: Api) -> None:
    errors = _problem(admin.post([VALID]))
    assert set(errors) == {"$", "inDto"}


def test_numbers_as_strings_accepted(admin: Api) -> None:
    response = admin.post({**VALID, "port": "2525"})
    assert response.status_code == 200
    assert response.json()["response"]["port"] == 2525


def test_property_names_case_insensitive_and_unknown_ignored(admin: Api) -> None:
    body = {"HOST": "mail.example.com", "Port": 465, "SenderAddress": "a@example.com", "SENDERDISPLAYNAME": "X",
            "EnableSsl": True, "somethingElse": {"nested": 1}}
    response = admin.post(body)
    assert response.status_code == 200, response.text
    stored = admin.get().json()["response"]
    assert (stored["host"], stored["port"], stored["senderAddress"], stored["enableSSL"]) == ("mail.example.com", 465, "a@example.com", True)


def test_validation_precedes_permission_check(portal) -> None:
    user = Api(portal, portal.user_api_key)
    assert user.post({**VALID, "port": 0}).status_code == 400
    assert user.post(VALID).status_code == 403


def test_permission_precedes_ctor_checks(portal) -> None:
    user = Api(portal, portal.user_api_key)
    response = user.post({**VALID, "host": ""})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Access denied"


def test_every_endpoint_demands_admin(portal) -> None:
    user = Api(portal, portal.user_api_key)
    for method, path in (("GET", SMTP), ("POST", SMTP), ("DELETE", SMTP), ("GET", TEST), ("GET", STATUS)):
        response = user.call(method, path, json=VALID if method == "POST" else None)
        assert response.status_code == 403, (method, path)
        body = response.json()
        assert body["error"]["message"] == "Access denied"
        assert body["error"]["type"] == "ASC.Common.Security.Authorizing.AuthorizingException"
        assert body["statusCode"] == 403


def test_hidden_settings_give_402(admin: Api, portal) -> None:
    portal.configure(hide_smtp_settings=True)
    for method, path in (("GET", SMTP), ("POST", SMTP), ("DELETE", SMTP), ("GET", TEST), ("GET", STATUS)):
        response = admin.call(method, path, json=VALID if method == "POST" else None)
        assert response.status_code == 402, (method, path)
        assert response.json()["error"]["message"] == "Your pricing plan does not support this option"
    # The admin check comes first: a non-admin still gets 403.
    assert Api(portal, portal.user_api_key).get().status_code == 403
    # Validation still comes before it.
    assert admin.post({**VALID, "port": 0}).status_code == 400
    assert portal.mailbox() == []
