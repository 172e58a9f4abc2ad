"""Shared by the e-mail tests: settings for the loopback server and a channel builder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smtp_fake import PASSWORD, USER, SmtpSink

from socialreferral.domain.social import OutboundMessage
from socialreferral.ports import RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.email.channel import AddressBook, SmtpEmailChannel
from socialreferral.providers.email.settings import EmailSettings
from socialreferral.providers.email.templates import body_text
from socialreferral.providers.local.secrets import LocalSecretStore
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.store import LocalDocumentStore

BACKEND = "aiosmtpd on 127.0.0.1 (STARTTLS with a trustme CA, AUTH) via smtplib"
FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.01, max_advised_wait=5)
BASE = "https://bank.example.test"


def email_settings(port: int, ca_bundle: str | None, **overrides: Any) -> EmailSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1", "port": port, "security": "starttls", "username": USER,
        "password": PASSWORD, "from_address": "offers@bank.example.test",
        "from_name": "Example Bank", "public_base_url": BASE, "ca_bundle": ca_bundle,
        "timeout_seconds": 10}
    values.update(overrides)
    return EmailSettings.model_validate(values)


def test_address(person_id: str) -> str | None:
    """The fixtures' address book: every test person has a mailbox at example.test."""
    return f"{person_id}@example.test"


def email_channel(settings: EmailSettings, folder: Path,
                  address_book: AddressBook | None = test_address) -> SmtpEmailChannel:
    """A channel built as bootstrap builds it, over local store and secrets in ``folder``."""
    local = LocalSettings(data_dir=folder)
    store = LocalDocumentStore.from_settings(local, BuildContext())
    secrets = LocalSecretStore.from_settings(local, BuildContext())
    channel = SmtpEmailChannel.from_settings(
        settings, BuildContext(extra={"store": store, "secrets": secrets}),
        address_book=address_book)
    channel.retry = FAST
    return channel


def delivered_messages(channel: SmtpEmailChannel, sink: SmtpSink) -> list[OutboundMessage]:
    """What the server accepted, as the messages the channel was asked to send."""
    ours = channel.ledger.by_network_id()
    found = []
    for received in sink.received:
        record = ours.get(str(received.message["Message-ID"]))
        part = received.message.get_body(("plain",))
        assert part is not None
        text = body_text(part.get_content()).rstrip("\n")  # type: ignore[attr-defined]
        for address in received.rcpt_tos:
            found.append(OutboundMessage(
                message_id=record.message_id if record else str(received.message["Message-ID"]),
                recipient_id=record.recipient_id if record else address, text=text))
    return found
