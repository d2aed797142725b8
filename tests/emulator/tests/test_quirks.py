"""The round-trip quirks and the installation default of docs/docspace-api.md §2."""

from conftest import Api

AUTH = {"host": "smtp.example.com", "port": 587, "senderAddress": "noreply@example.com", "senderDisplayName": "DocSpace",
        "enableSSL": True, "enableAuth": True, "credentialsUserName": "relay-user", "credentialsUserPassword": "relay-secret-1"}

SELF_HOSTED_DEFAULT = {"host": "notify.onlyoffice.info", "port": 25, "senderAddress": "postman@notify.onlyoffice.info",
                       "senderDisplayName": "ONLYOFFICE Postman", "credentialsUserName": "postman@notify.onlyoffice.info",
                       "credentialsUserPassword": "", "enableSSL": False, "enableAuth": True, "useNtlm": False,
                       "isDefaultSettings": True}
CLOUD_DEFAULT = {"port": 0, "credentialsUserPassword": "", "enableSSL": False, "enableAuth": False, "useNtlm": False,
                 "isDefaultSettings": True}


def test_self_hosted_default(admin: Api) -> None:
    assert admin.get().json()["response"] == SELF_HOSTED_DEFAULT


def test_cloud_default_switch(admin: Api, portal) -> None:
    portal.configure(cloud_default=True)
    assert admin.get().json()["response"] == CLOUD_DEFAULT
    assert admin.delete().json()["response"] == CLOUD_DEFAULT


def test_password_never_returned(admin: Api) -> None:
    saved = admin.post(AUTH).json()["response"]
    assert saved["credentialsUserPassword"] == ""
    assert admin.get().json()["response"]["credentialsUserPassword"] == ""
    admin.delete()
    assert admin.get().json()["response"]["credentialsUserPassword"] == ""
    assert "relay-secret-1" not in admin.get().text


def test_post_answer_and_get_after_save(admin: Api) -> None:
    saved = admin.post(AUTH).json()["response"]
    expected = {"host": "smtp.example.com", "port": 587, "senderAddress": "noreply@example.com", "senderDisplayName": "DocSpace",
                "credentialsUserName": "relay-user", "credentialsUserPassword": "", "enableSSL": True, "enableAuth": True,
                "useNtlm": False, "isDefaultSettings": False}
    assert saved == expected
    assert admin.get().json()["response"] == expected


def test_post_is_a_full_replace(admin: Api) -> None:
    admin.post(AUTH)
    minimal = {"host": "other.example.com", "senderAddress": "x@example.com", "senderDisplayName": "X"}
    assert admin.post(minimal).status_code == 200
    current = admin.get().json()["response"]
    assert current["port"] == 25
    assert current["enableSSL"] is False and current["enableAuth"] is False
    assert "credentialsUserName" not in current


def test_use_ntlm_dropped(admin: Api) -> None:
    assert admin.post({**AUTH, "useNtlm": True}).json()["response"]["useNtlm"] is False
    assert admin.get().json()["response"]["useNtlm"] is False


def test_credentials_discarded_without_enable_auth(admin: Api, portal) -> None:
    saved = admin.post({**AUTH, "enableAuth": False}).json()["response"]
    assert "credentialsUserName" not in saved and saved["enableAuth"] is False
    current = admin.get().json()["response"]
    assert "credentialsUserName" not in current and current["enableAuth"] is False
    assert portal.stored_settings()["password_set"] is False


def test_enable_auth_derived_on_read(admin: Api, portal) -> None:
    # Storage has no EnableAuth flag: credentials written behind the API's back make it true ...
    portal.set_settings({"host": "h", "senderAddress": "a@b", "credentialsUserName": "u", "credentialsUserPassword": "p",
                         "enableAuth": False})
    assert admin.get().json()["response"]["enableAuth"] is True
    # ... and a user name without a password makes it false while the name is still shown.
    portal.set_settings({"host": "h", "senderAddress": "a@b", "credentialsUserName": "u"})
    current = admin.get().json()["response"]
    assert current["enableAuth"] is False and current["credentialsUserName"] == "u"


def test_use_ntlm_read_back_only_with_credentials(admin: Api, portal) -> None:
    portal.set_settings({"host": "h", "senderAddress": "a@b", "useNtlm": True})
    assert admin.get().json()["response"]["useNtlm"] is False
    portal.set_settings({"host": "h", "senderAddress": "a@b", "useNtlm": True, "credentialsUserName": "u", "credentialsUserPassword": "p"})
    assert admin.get().json()["response"]["useNtlm"] is True


def test_empty_display_name_round_trip(admin: Api) -> None:
    saved = admin.post({**AUTH, "senderDisplayName": ""}).json()["response"]
    assert saved["senderDisplayName"] == ""
    assert admin.get().json()["response"]["senderDisplayName"] == "ONLYOFFICE Postman"


def test_port_defaults_to_25(admin: Api) -> None:
    assert admin.post({**AUTH, "port": None}).json()["response"]["port"] == 25


def test_is_default_settings_in_request_ignored(admin: Api) -> None:
    assert admin.post({**AUTH, "isDefaultSettings": True}).json()["response"]["isDefaultSettings"] is False


def test_no_email_format_check(admin: Api) -> None:
    assert admin.post({**AUTH, "senderAddress": "not an address"}).status_code == 200


def test_delete_is_idempotent_and_returns_defaults(admin: Api) -> None:
    admin.post(AUTH)
    first = admin.delete()
    assert first.status_code == 200
    assert first.json()["response"] == SELF_HOSTED_DEFAULT
    second = admin.delete()
    assert second.status_code == 200 and second.json()["response"] == SELF_HOSTED_DEFAULT
    assert admin.get().json()["response"]["isDefaultSettings"] is True


def test_settings_are_per_portal(emu, admin: Api) -> None:
    other = emu.portals[1]
    other.reset()
    admin.post(AUTH)
    assert Api(other, other.admin_api_key).get().json()["response"]["isDefaultSettings"] is True


def test_null_members_omitted_on_success(admin: Api) -> None:
    body = admin.post({**AUTH, "enableAuth": False}).json()
    assert None not in body["response"].values()
    assert "total" not in body
