"""SmtpEmailChannel certified with the shipped SocialChannelContract.

Backend: aiosmtpd on 127.0.0.1 requiring STARTTLS (a trustme certificate the channel
trusts through ``ca_bundle``) and AUTH, reached by the adapter's real smtplib client;
the sent ledger and the unsubscribe key in local storage. ``delivered`` reads what the
server accepted; message ids come back through the ledger (by ``Message-ID``). E-mail
keeps what was delivered in the mailbox, so ``network_keeps_private_messages`` is set.
E-mail declares no profiles, connections or replies: the kit checks those are refused
with ``Unsupported``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from email_helpers import BACKEND, delivered_messages, email_channel, email_settings
from smtp_fake import SmtpServer, SmtpSink

from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.ports import SocialChannel
from socialreferral.providers.email.channel import SmtpEmailChannel
from socialreferral.testing.contracts import SocialChannelContract


class EmailFixtures:
    @pytest.fixture
    def backend(self) -> str:
        return BACKEND

    @pytest.fixture
    def social(self, smtp_server: tuple[SmtpServer, SmtpSink], sink: SmtpSink,
               ca_bundle: str, data_dir: Path) -> Iterator[SmtpEmailChannel]:
        channel = email_channel(email_settings(smtp_server[0].port, ca_bundle), data_dir)
        yield channel
        channel.close()

    @pytest.fixture
    def seed_social(self) -> Callable[[Sequence[Profile], Sequence[Connection]], None]:
        def seed(profiles: Sequence[Profile], connections: Sequence[Connection]) -> None:
            assert not profiles and not connections, "e-mail has no profiles or ties"
        return seed

    @pytest.fixture
    def delivered(self, social: SmtpEmailChannel, sink: SmtpSink
                  ) -> Callable[..., list[OutboundMessage]]:
        def read(recipient_id: str | None = None) -> list[OutboundMessage]:
            return [m for m in delivered_messages(social, sink)
                    if recipient_id in (None, m.recipient_id)]
        return read

    def assert_forgotten_from_storage(self, social: SocialChannel,
                                      forgotten: Sequence[str]) -> None:
        assert isinstance(social, SmtpEmailChannel)
        folder = Path(str(social.ledger._store.path)).parent  # type: ignore[attr-defined]
        raw = b"".join(p.read_bytes() for p in folder.glob("*.sqlite3*"))
        assert [t for t in forgotten if t.encode() in raw] == []


class TestSmtpEmailChannel(EmailFixtures, SocialChannelContract):
    """The SocialChannel contract on SmtpEmailChannel against aiosmtpd."""

    network_keeps_private_messages = True
