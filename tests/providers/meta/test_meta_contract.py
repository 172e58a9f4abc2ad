"""MetaSocialChannel certified with the shipped SocialChannelContract.

Backend: the Graph API fake (``socialreferral.testing.vendor_fakes.graph``) on
127.0.0.1, reached by the adapter's real httpx client; tokens in a local SecretStore,
the sent ledger in a local DocumentStore. ``delivered`` reads what the fake received;
message ids are attributed through the adapter's ledger (Graph knows only its own ids).
Messenger keeps delivered messages, so ``network_keeps_private_messages`` is set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from meta_helpers import BACKEND, give_token, meta_channel

from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.ports import SocialChannel
from socialreferral.providers.meta.channel import MetaSocialChannel
from socialreferral.testing.contracts import SocialChannelContract
from socialreferral.testing.vendor_fakes.graph import FakeUser, GraphFake
from socialreferral.testing.vendor_fakes.server import LoopbackServer


class MetaFixtures:
    @pytest.fixture
    def backend(self) -> str:
        return BACKEND

    @pytest.fixture
    def social(self, graph_server: tuple[LoopbackServer, GraphFake], graph: GraphFake,
               tmp_path: Path) -> Iterator[MetaSocialChannel]:
        channel = meta_channel(graph_server[0], graph, tmp_path / "d")
        yield channel
        channel.close()

    @pytest.fixture
    def seed_social(self, social: MetaSocialChannel, graph: GraphFake
                    ) -> Callable[[Sequence[Profile], Sequence[Connection]], None]:
        def seed(profiles: Sequence[Profile], connections: Sequence[Connection]) -> None:
            for profile in profiles:
                graph.add_user(FakeUser(profile.person_id, profile.display_name or "x",
                                        friends=["someone"] * profile.followers,
                                        posts=profile.posts))
                give_token(social, graph, profile.person_id)
            for tie in connections:
                for pid in (tie.person_id, tie.other_id):
                    if pid not in graph.users:
                        graph.add_user(FakeUser(pid, "friend"))
                owner = graph.users[tie.person_id]
                owner.friends.append(tie.other_id)
                owner.mutual[tie.other_id] = tie.mutual_connections
                if not any(t[0] == tie.person_id for t in graph.tokens.values()):
                    give_token(social, graph, tie.person_id)
        return seed

    @pytest.fixture
    def delivered(self, social: MetaSocialChannel, graph: GraphFake
                  ) -> Callable[..., list[OutboundMessage]]:
        def read(recipient_id: str | None = None) -> list[OutboundMessage]:
            ours = social.ledger.by_network_id()
            found = []
            for d in graph.delivered():
                record = ours.get(d.network_id)
                to = d.target if d.kind == "message" else (record.recipient_id if record
                                                           else "?")
                reply_to = None if d.kind == "message" else d.target
                found.append(OutboundMessage(
                    message_id=record.message_id if record else d.network_id,
                    recipient_id=to, text=d.text, in_reply_to=reply_to,
                    private=d.kind != "comment"))
            return [m for m in found if recipient_id in (None, m.recipient_id)]
        return read

    def assert_forgotten_from_storage(self, social: SocialChannel,
                                      forgotten: Sequence[str]) -> None:
        assert isinstance(social, MetaSocialChannel)
        folder = Path(str(social.ledger._store.path)).parent  # type: ignore[attr-defined]
        raw = b"".join(p.read_bytes() for p in folder.glob("*.sqlite3*"))
        assert [t for t in forgotten if t.encode() in raw] == []


class TestMetaSocialChannel(MetaFixtures, SocialChannelContract):
    """The SocialChannel contract on MetaSocialChannel against the Graph fake."""

    network_keeps_private_messages = True
