"""LinkedInSocialChannel certified with the shipped SocialChannelContract.

Backend: the LinkedIn fake (``socialreferral.testing.vendor_fakes.linkedin_api``) on
127.0.0.1, reached by the official ``linkedin-api-client`` (requests, with the host hook
of ``providers/_requests.py``); the organisation token in a local SecretStore, the sent
ledger in a local DocumentStore.

LinkedIn gives an app no way to message a member (its messaging APIs are partner-only),
so the channel refuses plain messages with ``Unsupported``. The kit's tests that send
plain messages are therefore replaced here, one for one, by the same checks on what
LinkedIn does deliver, public comments as the organisation, plus the refusal itself;
every other kit test runs unchanged (profiles, connections and private replies are
checked to be ``Unsupported``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from linkedin_helpers import BACKEND, li_channel

from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.errors import Unsupported
from socialreferral.ports import SocialChannel
from socialreferral.providers.linkedin.channel import LinkedInSocialChannel
from socialreferral.testing.contracts import SocialChannelContract
from socialreferral.testing.contracts._support import transient_once, unique
from socialreferral.testing.vendor_fakes.linkedin_api import LinkedInFake
from socialreferral.testing.vendor_fakes.server import LoopbackServer

Delivered = Callable[..., list[OutboundMessage]]


def _reply(message_id: str, to: str, text: str = "Hello from the kit") -> OutboundMessage:
    return OutboundMessage(message_id=message_id, recipient_id=to, text=text,
                           kind="care_reply", in_reply_to=unique("post-"), private=False)


def _ids(messages: Sequence[OutboundMessage]) -> list[str]:
    return [m.message_id for m in messages]


class LinkedInFixtures:
    @pytest.fixture
    def backend(self) -> str:
        return BACKEND

    @pytest.fixture
    def social(self, li_server: tuple[LoopbackServer, LinkedInFake], li_fake: LinkedInFake,
               tmp_path: Path) -> Iterator[LinkedInSocialChannel]:
        channel = li_channel(li_server[0], li_fake, tmp_path / "d")
        yield channel
        channel.close()

    @pytest.fixture
    def seed_social(self) -> Callable[[Sequence[Profile], Sequence[Connection]], None]:
        def seed(profiles: Sequence[Profile], connections: Sequence[Connection]) -> None:
            assert not profiles and not connections, "LinkedIn declares neither"
        return seed

    @pytest.fixture
    def delivered(self, social: LinkedInSocialChannel, li_fake: LinkedInFake) -> Delivered:
        def read(recipient_id: str | None = None) -> list[OutboundMessage]:
            ours = social.ledger.by_network_id()
            found = []
            for d in li_fake.delivered():
                record = ours.get(d.urn)
                if d.kind != "comment" or record is None:
                    continue
                found.append(OutboundMessage(
                    message_id=record.message_id, recipient_id=record.recipient_id,
                    text=d.text, in_reply_to=record.reply_to, private=False))
            return [m for m in found if recipient_id in (None, m.recipient_id)]
        return read

    def assert_forgotten_from_storage(self, social: SocialChannel,
                                      forgotten: Sequence[str]) -> None:
        assert isinstance(social, LinkedInSocialChannel)
        folder = Path(str(social.ledger._store.path)).parent  # type: ignore[attr-defined]
        raw = b"".join(p.read_bytes() for p in folder.glob("*.sqlite3*"))
        assert [t for t in forgotten if t.encode() in raw] == []


class TestLinkedInSocialChannel(LinkedInFixtures, SocialChannelContract):
    """The kit on LinkedInSocialChannel; plain-message tests replaced (module docstring)."""

    def test_send_delivers_and_returns_an_id(self, social: SocialChannel,
                                             delivered: Delivered, backend: str) -> None:
        to = unique("ann-")
        with pytest.raises(Unsupported) as caught:
            social.send(OutboundMessage(message_id=unique("m-"), recipient_id=to, text="hi"))
        assert social.adapter_name in str(caught.value) and delivered(to) == []
        sent = _reply(unique("m-"), to, "Grüße 👋, here is your offer")
        network_id = social.send(sent)
        assert network_id.startswith("urn:li:comment:(urn:li:share:")
        got = delivered(to)
        assert _ids(got) == [sent.message_id] and got[0].text == sent.text, backend
        assert got[0].in_reply_to == sent.in_reply_to

    def test_send_is_idempotent_on_message_id(self, social: SocialChannel,
                                              delivered: Delivered, backend: str) -> None:
        to, message_id = unique("bob-"), unique("m-")
        first = social.send(_reply(message_id, to, "first text"))
        second = social.send(_reply(message_id, to, "retry with other text"))
        got = delivered(to)
        assert _ids(got) == [message_id] and got[0].text == "first text", backend
        assert first == second

    def test_distinct_ids_are_distinct_messages_in_order(
            self, social: SocialChannel, delivered: Delivered, backend: str) -> None:
        to, other = unique("cat-"), unique("dan-")
        ids = [unique("m-") for _ in range(3)]
        for message_id in ids:
            social.send(_reply(message_id, to))
        social.send(_reply(unique("m-"), other))
        assert _ids(delivered(to)) == ids, backend

    def test_forget_removes_profile_connections_both_ways_and_messages(
            self, social: SocialChannel, seed_social: object, delivered: Delivered,
            backend: str) -> None:
        zed, bob = unique("zed-"), unique("bob-")
        secret_text = f"a reply for {zed}"
        to_zed, to_bob = unique("m-"), unique("m-")
        social.send(_reply(to_zed, zed, secret_text))
        social.send(_reply(to_bob, bob))
        social.forget(zed)
        social.forget(zed)
        social.forget(unique("nobody-"))
        assert delivered(zed) == [], f"[{backend}] comments to {zed} survived forget()"
        assert to_bob in _ids(delivered())
        self.assert_forgotten_from_storage(social, [secret_text])

    @pytest.mark.parametrize("primitive", ["_send", "_get_profile", "_get_connections",
                                           "_forget"])
    def test_transient_failure_of_a_primitive_is_retried(
            self, social: SocialChannel, seed_social: object, delivered: Delivered,
            backend: str, primitive: str) -> None:
        if primitive != "_send":
            SocialChannelContract.test_transient_failure_of_a_primitive_is_retried(
                self, social, seed_social, delivered, backend, primitive)  # type: ignore[arg-type]
            return
        person, message_id = unique("fay-"), unique("m-")
        with transient_once(social, "_send") as attempts:
            social.send(_reply(message_id, person))
        assert attempts[0] == 2 and _ids(delivered(person)) == [message_id], backend
