"""XSocialChannel certified with the shipped SocialChannelContract.

Backend: the X API v2 fake (``socialreferral.testing.vendor_fakes.x_api``) on 127.0.0.1,
reached by tweepy's real ``Client`` (requests, with the host adapter of
``providers/x/api.py``); tokens in a local SecretStore, the sent ledger in a local
DocumentStore. ``delivered`` reads what the fake received; message ids come back through
the ledger. Direct messages stay in the inbox, so ``network_keeps_private_messages``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from x_helpers import BACKEND, give_token, x_channel

from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.ports import SocialChannel
from socialreferral.providers.x.channel import XSocialChannel
from socialreferral.testing.contracts import SocialChannelContract
from socialreferral.testing.vendor_fakes.server import LoopbackServer
from socialreferral.testing.vendor_fakes.x_api import XApiFake, XUser


def x_delivered(social: XSocialChannel, fake: XApiFake) -> Callable[..., list[OutboundMessage]]:
    """What the fake received from ``social``, as the messages it was asked to send."""

    def read(recipient_id: str | None = None) -> list[OutboundMessage]:
        ours = social.ledger.by_network_id()
        found = []
        for d in fake.delivered():
            record = ours.get(d.network_id)
            message_id = record.message_id if record else d.network_id
            if d.kind == "dm":
                found.append(OutboundMessage(
                    message_id=message_id, recipient_id=d.target,
                    text=d.text.split("\nhttps://x.com/i/status/")[0],
                    in_reply_to=record.reply_to if record else None))
            else:
                found.append(OutboundMessage(
                    message_id=message_id, recipient_id=record.recipient_id if record else "?",
                    text=d.text, in_reply_to=d.target or None, private=False))
        return [m for m in found if recipient_id in (None, m.recipient_id)]
    return read


class XFixtures:
    @pytest.fixture
    def backend(self) -> str:
        return BACKEND

    @pytest.fixture
    def social(self, x_server: tuple[LoopbackServer, XApiFake], x_fake: XApiFake,
               tmp_path: Path) -> Iterator[XSocialChannel]:
        channel = x_channel(x_server[0], x_fake, tmp_path / "d")
        yield channel
        channel.close()

    @pytest.fixture
    def seed_social(self, social: XSocialChannel, x_fake: XApiFake
                    ) -> Callable[[Sequence[Profile], Sequence[Connection]], None]:
        def seed(profiles: Sequence[Profile], connections: Sequence[Connection]) -> None:
            assert not connections, "X declares no connections"
            for p in profiles:
                x_fake.add_user(XUser(p.person_id, p.display_name or "x", p.person_id[:15],
                                      followers=p.followers, tweets=p.posts))
                give_token(social, x_fake, p.person_id)
        return seed

    @pytest.fixture
    def delivered(self, social: XSocialChannel, x_fake: XApiFake
                  ) -> Callable[..., list[OutboundMessage]]:
        return x_delivered(social, x_fake)

    def assert_forgotten_from_storage(self, social: SocialChannel,
                                      forgotten: Sequence[str]) -> None:
        assert isinstance(social, XSocialChannel)
        folder = Path(str(social.ledger._store.path)).parent  # type: ignore[attr-defined]
        raw = b"".join(p.read_bytes() for p in folder.glob("*.sqlite3*"))
        assert [t for t in forgotten if t.encode() in raw] == []


class TestXSocialChannel(XFixtures, SocialChannelContract):
    """The SocialChannel contract on XSocialChannel against the X API fake."""

    network_keeps_private_messages = True


class _ForgetfulXChannel(XSocialChannel):
    """A broken variant: sends without consulting the ledger (not idempotent)."""

    def _send(self, message: OutboundMessage) -> str:
        from socialreferral.providers.x.channel import _compose

        return self._deliver(message, _compose(message))


def test_the_kit_catches_a_channel_that_resends(x_server: tuple[LoopbackServer, XApiFake],
                                                 x_fake: XApiFake, tmp_path: Path) -> None:
    built = x_channel(x_server[0], x_fake, tmp_path / "d")
    broken = _ForgetfulXChannel(built.settings, secrets=built._secrets, ledger=built.ledger)
    broken.retry = built.retry
    delivered = x_delivered(broken, x_fake)
    with pytest.raises(AssertionError, match="idempotent"):
        TestXSocialChannel().test_send_is_idempotent_on_message_id(broken, delivered, BACKEND)
