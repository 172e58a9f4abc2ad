"""The e-mail channel beyond the kit: TLS and AUTH, templates, SMTP faults, settings.

Backend: aiosmtpd on 127.0.0.1 (smtp_fake.py); a second server without STARTTLS for the
refusal test. Reply codes injected come from tests/fixtures/email/smtp_replies.json.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from email_helpers import email_channel, email_settings
from smtp_fake import SmtpServer, SmtpSink, free_port

from socialreferral.domain.social import OutboundMessage
from socialreferral.errors import ConfigurationError, InvalidInput, TransientError
from socialreferral.plugins import load_registry
from socialreferral.providers.email.errors import RecipientRefused
from socialreferral.providers.email.settings import EmailSettings
from socialreferral.providers.email.templates import body_text


def _offer(message_id: str, to: str = "ann@example.org", **fields: object) -> OutboundMessage:
    values: dict[str, object] = {"message_id": message_id, "recipient_id": to,
                                 "text": "Your friend Bo thinks you will like our savings "
                                         "account.", "kind": "offer",
                                 "link": "https://bank.example.test/referrals/abc"}
    values.update(fields)
    return OutboundMessage.model_validate(values)


def test_mail_goes_over_starttls_with_auth_and_carries_one_click_unsubscribe(
        smtp_server: tuple[SmtpServer, SmtpSink], sink: SmtpSink, ca_bundle: str,
        data_dir: Path) -> None:
    channel = email_channel(email_settings(smtp_server[0].port, ca_bundle), data_dir,
                            address_book=None)
    network_id = channel.send(_offer("o-1", "Ann@Example.org"))
    [got] = sink.received
    assert (got.tls, got.authenticated) == (True, True)
    assert got.rcpt_tos == ["ann@example.org"] and got.mail_from == "offers@bank.example.test"
    mail = got.message
    assert str(mail["Message-ID"]) == network_id
    assert str(mail["Subject"]) == "An offer for you from Example Bank"
    assert str(mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    link = str(mail["List-Unsubscribe"]).strip("<>")
    assert link.startswith("https://bank.example.test/unsubscribe?token=")
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "https://bank.example.test/referrals/abc" in body and link in body
    assert body_text(body).startswith("Your friend Bo thinks")


def test_reminders_use_their_own_template_and_subject(
        smtp_server: tuple[SmtpServer, SmtpSink], sink: SmtpSink, ca_bundle: str,
        data_dir: Path) -> None:
    channel = email_channel(email_settings(smtp_server[0].port, ca_bundle), data_dir)
    channel.send(_offer("r-1", "cy", kind="reminder", text="Only 3 days left."))
    mail = sink.received[0].message
    assert str(mail["Subject"]) == "A reminder about your offer from Example Bank"
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Your offer is still waiting for you:" in body
    assert sink.received[0].rcpt_tos == ["cy@example.test"]  # through the address book


def test_operator_templates_override_and_a_bad_one_is_a_configuration_error(
        smtp_server: tuple[SmtpServer, SmtpSink], sink: SmtpSink, ca_bundle: str,
        tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "offer.txt").write_text("Hello!\n{{ text }}\n-- \nStop: {{ unsubscribe_url }}\n")
    (folder / "reminder.txt").write_text("{{ txt }}\n")  # a misspelt variable
    channel = email_channel(email_settings(smtp_server[0].port, ca_bundle,
                                           templates_dir=str(folder)), tmp_path / "d")
    channel.send(_offer("t-1"))
    body = sink.received[0].message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.replace("\r\n", "\n").startswith("Hello!\nYour friend Bo")
    with pytest.raises(ConfigurationError, match="reminder"):
        channel.send(_offer("t-2", kind="reminder"))
    assert len(sink.received) == 1


def test_sandbox_refuses_reaching_python_internals(tmp_path: Path, ca_bundle: str) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "offer.txt").write_text("{{ text.__class__.__mro__[1].__subclasses__() }}\n")
    channel = email_channel(email_settings(free_port(), ca_bundle, templates_dir=str(folder)),
                            tmp_path / "d")
    with pytest.raises(ConfigurationError, match="SecurityError"):
        channel.send(_offer("s-1"))


def test_a_server_without_starttls_is_refused_and_nothing_is_sent_in_clear(
        ca_bundle: str, tmp_path: Path) -> None:
    plain = SmtpSink()
    with SmtpServer(plain, None, auth=False) as server:
        channel = email_channel(email_settings(server.port, ca_bundle, username=None,
                                               password=None), tmp_path / "d")
        with pytest.raises(ConfigurationError, match="STARTTLS"):
            channel.send(_offer("p-1"))
    assert plain.received == []


def test_an_untrusted_certificate_is_a_configuration_error(
        smtp_server: tuple[SmtpServer, SmtpSink], sink: SmtpSink, tmp_path: Path) -> None:
    channel = email_channel(email_settings(smtp_server[0].port, None), tmp_path / "d")
    with pytest.raises(ConfigurationError, match="not trusted"):
        channel.send(_offer("u-1"))
    assert sink.received == []


def test_a_wrong_password_is_a_configuration_error(
        smtp_server: tuple[SmtpServer, SmtpSink], sink: SmtpSink, ca_bundle: str,
        data_dir: Path) -> None:
    channel = email_channel(email_settings(smtp_server[0].port, ca_bundle,
                                           password="wrong"), data_dir)
    with pytest.raises(ConfigurationError, match="535"):
        channel.send(_offer("w-1"))


@pytest.mark.parametrize("reply", ["mailbox_busy", "local_error", "insufficient_storage"])
def test_a_deferred_recipient_is_transient_and_the_message_can_be_sent_later(
        smtp_server: tuple[SmtpServer, SmtpSink], sink: SmtpSink, ca_bundle: str,
        data_dir: Path, reply: str) -> None:
    """4yz: TransientError advising 60 s (longer than the worker waits, so the job goes
    back to its queue); the ledger claim is released, so the redelivered job sends."""
    channel = email_channel(email_settings(smtp_server[0].port, ca_bundle), data_dir)
    sink.fail_next_rcpt(reply)
    with pytest.raises(TransientError) as caught:
        channel.send(_offer("d-1"))
    assert caught.value.retry_after == 60.0 and sink.received == []
    channel.send(_offer("d-1"))
    assert len(sink.received) == 1


@pytest.mark.parametrize("reply", ["no_such_user", "not_permitted"])
def test_a_refused_recipient_is_permanent_and_not_retried(
        smtp_server: tuple[SmtpServer, SmtpSink], sink: SmtpSink, ca_bundle: str,
        data_dir: Path, reply: str) -> None:
    channel = email_channel(email_settings(smtp_server[0].port, ca_bundle), data_dir)
    sink.fail_next_rcpt(reply, times=2)
    with pytest.raises(RecipientRefused):
        channel.send(_offer("n-1"))
    assert sink.received == []
    assert len(sink._rcpt_faults) == 1  # one attempt only: a 5yz is not retried


def test_a_closed_port_is_transient(ca_bundle: str, data_dir: Path) -> None:
    channel = email_channel(email_settings(free_port(), ca_bundle), data_dir)
    with pytest.raises(TransientError):
        channel.send(_offer("c-1"))


def test_a_person_without_address_is_invalid_input(
        smtp_server: tuple[SmtpServer, SmtpSink], ca_bundle: str, data_dir: Path) -> None:
    channel = email_channel(email_settings(smtp_server[0].port, ca_bundle), data_dir,
                            address_book=None)
    with pytest.raises(InvalidInput) as caught:
        channel.send(_offer("x-1", "no-address-person"))
    assert caught.value.field == "message.recipient_id"


def test_settings_refuse_plain_smtp_off_loopback_and_half_credentials() -> None:
    with pytest.raises(ValueError, match="loopback"):
        EmailSettings(host="smtp.example.org", security="none")
    with pytest.raises(ValueError, match="together"):
        EmailSettings(username="only-user")
    assert EmailSettings(host="127.0.0.1", security="none").port == 587


def test_the_provider_is_registered() -> None:
    spec = load_registry().spec("social", "email")
    assert spec.extra == "email" and "STARTTLS" in spec.description


def test_tls_context_checks_hostnames(ca_bundle: str, data_dir: Path) -> None:
    channel = email_channel(email_settings(free_port(), ca_bundle), data_dir)
    assert channel._tls.verify_mode == ssl.CERT_REQUIRED and channel._tls.check_hostname
