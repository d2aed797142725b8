"""The SMTP server as an ordinary SMTP client sees it."""

import smtplib
import ssl
from email.message import EmailMessage

import pytest
import requests


def _message(to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "client@example.com"
    message["To"] = to
    message["Subject"] = "hello from a client"
    message.set_content("body text")
    return message


@pytest.fixture
def smtp(emu):
    """The SMTP server with an empty store."""
    emu.smtp.clear()
    yield emu.smtp
    emu.smtp.clear()


def _account(smtp) -> tuple:
    account = smtp.info()["accounts"][0]
    return account["username"], account["password"]


def test_plain_listener_offers_auth_but_no_starttls(smtp) -> None:
    with smtplib.SMTP("127.0.0.1", smtp.listeners["plain"], timeout=5) as client:
        client.ehlo()
        assert not client.has_extn("starttls")
        assert "PLAIN" in client.esmtp_features["auth"] and "LOGIN" in client.esmtp_features["auth"]
        client.login(*_account(smtp))
        client.send_message(_message("someone@portal2.docspace.test"))
    [message] = smtp.messages()
    assert message["listener"] == "plain" and message["tls"] is False
    assert message["auth_user"] == _account(smtp)[0]
    assert message["subject"] == "hello from a client"
    assert message["rcpt_tos"] == ["someone@portal2.docspace.test"]
    # Mail not sent by a portal's job is attributed by the recipient's domain.
    assert message["portal"] == "portal2"


def test_sending_without_auth_is_allowed(smtp) -> None:
    with smtplib.SMTP("127.0.0.1", smtp.listeners["plain"], timeout=5) as client:
        client.send_message(_message("x@example.org"))
    [message] = smtp.messages()
    assert message["auth_user"] is None and message["portal"] is None


def test_bad_password_gets_535(smtp) -> None:
    with smtplib.SMTP("127.0.0.1", smtp.listeners["plain"], timeout=5) as client:
        with pytest.raises(smtplib.SMTPAuthenticationError) as failure:
            client.login(_account(smtp)[0], "wrong")
    assert failure.value.smtp_code == 535


def test_starttls_listener(smtp) -> None:
    context = ssl.create_default_context(cafile=smtp.ca_path)
    with smtplib.SMTP("localhost", smtp.listeners["starttls"], timeout=5) as client:
        client.ehlo()
        assert client.has_extn("starttls")
        client.starttls(context=context)
        client.login(*_account(smtp))
        client.send_message(_message("a@portal1.docspace.test"))
    [message] = smtp.messages()
    assert message["listener"] == "starttls" and message["tls"] is True


def test_implicit_tls_listener(smtp) -> None:
    context = ssl.create_default_context(cafile=smtp.ca_path)
    with smtplib.SMTP_SSL("127.0.0.1", smtp.listeners["smtps"], timeout=5, context=context) as client:
        client.send_message(_message("a@portal1.docspace.test"))
    assert smtp.messages()[0]["listener"] == "smtps" and smtp.messages()[0]["tls"] is True


def test_untrusted_listener_fails_verification(smtp) -> None:
    context = ssl.create_default_context(cafile=smtp.ca_path)
    with pytest.raises(ssl.SSLCertVerificationError):
        smtplib.SMTP_SSL("127.0.0.1", smtp.listeners["smtps_untrusted"], timeout=5, context=context)


def test_global_mailbox_over_http(smtp, emu) -> None:
    with smtplib.SMTP("127.0.0.1", smtp.listeners["plain"], timeout=5) as client:
        client.send_message(_message("x@example.org"))
    url = f"{emu.control_url}/_emulator/smtp/messages"
    assert [m["rcpt_tos"] for m in requests.get(url, timeout=5).json()["messages"]] == [["x@example.org"]]
    assert requests.delete(url, timeout=5).json() == {"messages": []}
