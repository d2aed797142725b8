"""Real delivery by the test job: TLS modes, AUTH, failures at the right step, what lands in the mailbox."""

import socket

import pytest
from conftest import Api
from docspace_emulator.providers import REFUSING_ACCOUNTS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_plain_with_auth(admin: Api, portal, emu, smtp_settings) -> None:
    admin.post(smtp_settings("plain", auth=True))
    assert admin.run_test()["error"] == ""
    [message] = portal.mailbox()
    assert message["listener"] == "plain" and message["tls"] is False
    assert message["auth_user"] == "mailer@smtp.docspace.test"
    assert message["mail_from"] == "noreply@example.com"
    assert message["rcpt_tos"] == [portal.admin_email]
    assert message["subject"] == "SMTP test message"
    assert message["headers"]["Auto-Submitted"] == "auto-generated"
    assert message["headers"]["From"] == "Rehearsal <noreply@example.com>"
    assert message["headers"]["To"] == portal.admin_email
    assert message["raw"].rstrip().endswith("SMTP test message")
    assert message["portal"] == portal.name
    assert emu.smtp.messages()[-1]["id"] == message["id"]


def test_plain_without_auth(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings("plain", auth=False))
    assert admin.run_test()["error"] == ""
    assert portal.mailbox()[0]["auth_user"] is None


def test_starttls_when_ssl_enabled(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings("starttls", ssl=True))
    assert admin.run_test()["error"] == ""
    [message] = portal.mailbox()
    assert message["listener"] == "starttls" and message["tls"] is True
    assert message["auth_user"] == "mailer@smtp.docspace.test"


def test_no_starttls_when_ssl_disabled(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings("starttls", ssl=False))
    assert admin.run_test()["error"] == ""
    assert portal.mailbox()[0]["tls"] is False


def test_ssl_enabled_on_plain_listener_stays_plain(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings("plain", ssl=True))
    assert admin.run_test()["error"] == ""
    assert portal.mailbox()[0]["tls"] is False


def test_implicit_tls_on_smtps_listener(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings("smtps", ssl=True))
    assert admin.run_test()["error"] == ""
    [message] = portal.mailbox()
    assert message["listener"] == "smtps" and message["tls"] is True


def test_host_name_is_checked_against_the_certificate(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings("smtps", ssl=True, host="smtp.docspace.test"))
    assert admin.run_test()["error"] == ""
    assert portal.mailbox()[0]["tls"] is True


def test_tls_failure_at_connect(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings("smtps_untrusted", ssl=True))
    outcome = admin.run_test()
    assert (outcome["completed"], outcome["percents"], outcome["status"]) == (True, 40, "Connect to host")
    assert outcome["error"].startswith("An error occurred while attempting to establish an SSL or TLS connection.")
    assert "certificate" in outcome["error"]
    assert portal.mailbox() == []


def test_auth_rejected_at_authenticate(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings("starttls", ssl=True, password="wrong-password"))
    outcome = admin.run_test()
    assert (outcome["percents"], outcome["status"]) == (60, "Authenticate")
    assert outcome["error"] == "5.7.8 Authentication credentials invalid"
    assert portal.mailbox() == []


def test_connection_refused_at_connect(admin: Api, smtp_settings) -> None:
    admin.post(smtp_settings(port=_free_port()))
    outcome = admin.run_test()
    assert (outcome["percents"], outcome["status"], outcome["error"]) == (40, "Connect to host", "Connection refused")


def test_connect_timeout(admin: Api, portal, smtp_settings) -> None:
    portal.configure(smtp_connect_timeout=0.5)
    with socket.socket() as silent:
        # Listening but never answering: the TCP connection opens, the greeting never comes.
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        admin.post(smtp_settings(port=silent.getsockname()[1]))
        outcome = admin.run_test()
    assert (outcome["percents"], outcome["status"], outcome["error"]) == (40, "Connect to host", "The operation has timed out.")


def test_unknown_host_never_leaves_the_machine(admin: Api, smtp_settings) -> None:
    admin.post(smtp_settings(host="smtp.example.com", port=25))
    outcome = admin.run_test()
    assert (outcome["percents"], outcome["error"]) == (40, "Name or service not known")


def test_installation_default_is_delivered_by_the_postman(admin: Api, portal) -> None:
    assert admin.run_test()["error"] == ""
    [message] = portal.mailbox()
    assert message["auth_user"] == "postman@notify.onlyoffice.info"
    assert message["headers"]["From"] == "ONLYOFFICE Postman <postman@notify.onlyoffice.info>"


def test_cloud_portal_tests_with_the_installation_default(admin: Api, portal) -> None:
    portal.configure(cloud_default=True)
    assert admin.run_test()["error"] == ""
    assert portal.mailbox()[0]["mail_from"] == "postman@notify.onlyoffice.info"


def test_empty_display_name_sends_the_default_name(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings(senderDisplayName=""))
    admin.run_test()
    assert portal.mailbox()[0]["headers"]["From"] == "ONLYOFFICE Postman <noreply@example.com>"


def test_malformed_sender_fails_at_create_mime_message(admin: Api, smtp_settings) -> None:
    admin.post(smtp_settings(senderAddress="not an address"))
    outcome = admin.run_test()
    assert (outcome["percents"], outcome["status"]) == (20, "Create mime message")
    assert outcome["error"] != ""


def test_mailbox_is_per_portal(emu, portal, smtp_settings) -> None:
    other = emu.portals[2]
    other.reset()
    Api(other, other.admin_api_key).post(smtp_settings())
    Api(other, other.admin_api_key).run_test()
    assert portal.mailbox() == []
    assert [m["rcpt_tos"] for m in other.mailbox()] == [[other.admin_email]]
    other.clear_mailbox()
    assert other.mailbox() == []


def test_implicit_tls_only_on_the_ports_counted_as_465(admin: Api, portal, emu, smtp_settings) -> None:
    # With only 465 itself counted, enableSSL on the smtps listener means plain text + STARTTLS-if-offered:
    # the client waits for a greeting the TLS listener never sends, until the connect timeout.
    portal.configure(implicit_tls_ports=[465], smtp_connect_timeout=0.5)
    admin.post(smtp_settings("smtps", ssl=True))
    outcome = admin.run_test()
    assert (outcome["percents"], outcome["status"], outcome["error"]) == (40, "Connect to host", "The operation has timed out.")
    # Counted as 465 again, the same settings deliver over implicit TLS.
    portal.configure(implicit_tls_ports=[emu.smtp.listeners["smtps"]])
    assert admin.run_test()["error"] == ""
    assert portal.mailbox()[0]["tls"] is True


def test_plain_connection_to_a_tls_first_listener_stalls_at_connect(admin: Api, portal, smtp_settings) -> None:
    portal.configure(smtp_connect_timeout=0.5)
    admin.post(smtp_settings("smtps", ssl=False))
    outcome = admin.run_test()
    assert (outcome["percents"], outcome["status"], outcome["error"]) == (40, "Connect to host", "The operation has timed out.")


def test_starttls_with_an_untrusted_certificate(admin: Api, portal, smtp_settings) -> None:
    admin.post(smtp_settings("starttls_untrusted", ssl=True))
    outcome = admin.run_test()
    assert (outcome["percents"], outcome["status"]) == (40, "Connect to host")
    assert outcome["error"].startswith("An error occurred while attempting to establish an SSL or TLS connection.")
    # Without enableSSL, STARTTLS is never tried and the mail goes out in plain text.
    admin.post(smtp_settings("starttls_untrusted", ssl=False))
    assert admin.run_test()["error"] == ""
    assert portal.mailbox()[0]["tls"] is False


def test_non_ascii_password_is_sent_as_utf8(admin: Api, portal, emu, smtp_settings) -> None:
    account = next(a for a in emu.smtp.info()["accounts"] if not a["password"].isascii())
    for listener in ("plain", "starttls"):
        portal.clear_mailbox()
        admin.post(smtp_settings(listener, ssl=listener == "starttls", credentialsUserName=account["username"],
                                 credentialsUserPassword=account["password"]))
        assert admin.run_test()["error"] == ""
        assert portal.mailbox()[0]["auth_user"] == account["username"]


def test_a_provider_host_is_played_by_the_starttls_listener(admin: Api, portal, smtp_settings) -> None:
    """smtp.office365.com:587 reaches the emulator, with TLS checked against that name; its accounts log in."""
    admin.post(smtp_settings(ssl=True, host="smtp.office365.com", port=587))
    assert admin.run_test()["error"] == ""
    [message] = portal.mailbox()
    assert message["listener"] == "starttls" and message["tls"] is True


@pytest.mark.parametrize("login, reply", list(REFUSING_ACCOUNTS.items()))
def test_a_provider_refuses_basic_authentication_in_its_words(admin: Api, portal, smtp_settings, login: str,
                                                              reply: str) -> None:
    admin.post(smtp_settings(ssl=True, host="smtp.office365.com", port=587, credentialsUserName=login))
    outcome = admin.run_test()
    assert (outcome["percents"], outcome["status"]) == (60, "Authenticate")
    # MailKit's message is the reply's text without its code, as for any refused login.
    assert outcome["error"] == reply.split(" ", 1)[1]
    assert portal.mailbox() == []
