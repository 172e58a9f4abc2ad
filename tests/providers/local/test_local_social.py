"""LocalSocialChannel and the RecordingSocialChannel fake: the SocialChannel conformance
kit, plus local-specific tests (replay of recorded deliveries, the fake's counters).

Backend: a real SQLite file under tmp_path (plain dicts for the fake); replay reads real
files; no mocks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.errors import InvalidInput, ProfileNotFound
from socialreferral.ports import SocialChannel
from socialreferral.providers import BuildContext
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.social import LocalSocialChannel, WebhookDelivery, replay
from socialreferral.records import Capability
from socialreferral.testing.contracts import SocialChannelContract
from socialreferral.testing.fakes import RecordingSocialChannel

Seed = Callable[[Sequence[Profile], Sequence[Connection]], None]


class LocalSocialFixtures:
    """A LocalSocialChannel on a fresh SQLite file; forget() is checked in the raw file."""

    @pytest.fixture
    def backend(self) -> str:
        return "local SQLite"

    @pytest.fixture
    def social(self, tmp_path: Path) -> Iterator[LocalSocialChannel]:
        adapter = LocalSocialChannel.from_settings(
            LocalSettings(data_dir=tmp_path / "d"), BuildContext()
        )
        yield adapter
        adapter.close()

    @pytest.fixture
    def seed_social(self, social: LocalSocialChannel) -> Seed:
        def seed(profiles: Sequence[Profile], connections: Sequence[Connection]) -> None:
            for profile in profiles:
                social.add_profile(profile)
            social.add_connections(connections)

        return seed

    @pytest.fixture
    def delivered(self, social: LocalSocialChannel) -> Callable[..., list[OutboundMessage]]:
        return social.sent_messages

    def assert_forgotten_from_storage(
        self, social: SocialChannel, forgotten: Sequence[str]
    ) -> None:
        assert isinstance(social, LocalSocialChannel)
        path = social.path
        raw = b"".join(p.read_bytes() for p in path.parent.glob(f"{path.name}*"))
        left = [text for text in forgotten if text.encode() in raw]
        assert left == [], f"[local SQLite] forgotten data still in the file: {left}"


class TestLocalSocialChannel(LocalSocialFixtures, SocialChannelContract):
    """The SocialChannel contract on LocalSocialChannel (profiles and connections)."""


class _SendOnly(LocalSocialChannel):
    """A channel that can only send (like e-mail): no profiles, no connections."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset()


class TestSendOnlyLocalChannel(LocalSocialFixtures, SocialChannelContract):
    """The contract's Unsupported branches: profiles and connections undeclared."""

    @pytest.fixture
    def backend(self) -> str:
        return "local SQLite (send only)"

    @pytest.fixture
    def social(self, tmp_path: Path) -> Iterator[LocalSocialChannel]:
        adapter = _SendOnly(tmp_path / "social.sqlite3")
        yield adapter
        adapter.close()


class TestRecordingSocialChannel(SocialChannelContract):
    """The SocialChannel contract on the RecordingSocialChannel fake."""

    @pytest.fixture
    def backend(self) -> str:
        return "RecordingSocialChannel fake (dicts)"

    @pytest.fixture
    def social(self) -> RecordingSocialChannel:
        return RecordingSocialChannel()

    @pytest.fixture
    def seed_social(self, social: RecordingSocialChannel) -> Seed:
        def seed(profiles: Sequence[Profile], connections: Sequence[Connection]) -> None:
            social.profiles.update({p.person_id: p for p in profiles})
            for connection in connections:
                social.connections.setdefault(connection.person_id, []).append(connection)

        return seed

    @pytest.fixture
    def delivered(self, social: RecordingSocialChannel) -> Callable[..., list[OutboundMessage]]:
        def read(recipient_id: str | None = None) -> list[OutboundMessage]:
            return [m for m in social.sent if recipient_id in (None, m.recipient_id)]

        return read


def _msg(message_id: str, to: str, text: str = "Hi") -> OutboundMessage:
    return OutboundMessage(message_id=message_id, recipient_id=to, text=text)


def test_replay_reads_deliveries_in_name_order(tmp_path: Path) -> None:
    body = '{"object":"page","entry":[{"id":"1","time":1,"changes":[]}]}'
    signature = "sha256=" + hmac.new(b"app-secret", body.encode(), hashlib.sha256).hexdigest()
    (tmp_path / "002-meta.json").write_text(
        json.dumps({"headers": {"X-Hub-Signature-256": signature}, "body": body})
    )
    (tmp_path / "001-raw.body").write_bytes(b'{"raw": true}\n')
    (tmp_path / "notes.txt").write_text("ignored")
    deliveries = list(LocalSocialChannel.replay(tmp_path))
    assert [d.source for d in deliveries] == ["001-raw.body", "002-meta.json"]
    assert deliveries[0] == WebhookDelivery(
        headers={}, body=b'{"raw": true}\n', source="001-raw.body"
    )
    meta = deliveries[1]
    assert meta.body == body.encode()  # byte for byte, so the signature still verifies
    expected = hmac.new(b"app-secret", meta.body, hashlib.sha256).hexdigest()
    assert meta.headers["X-Hub-Signature-256"] == f"sha256={expected}"


def test_replay_rejects_parsed_bodies_and_missing_dirs(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({"headers": {}, "body": {"parsed": 1}}))
    with pytest.raises(InvalidInput, match="raw body"):
        list(replay(tmp_path))
    with pytest.raises(InvalidInput):
        list(replay(tmp_path / "missing"))


def test_recording_fake_channel() -> None:
    fake = RecordingSocialChannel(
        profiles={"ann": Profile(person_id="ann", network="fake")},
        connections={"ann": [Connection(person_id="ann", other_id="bob", network="fake")]},
    )
    assert fake.get_profile("ann").person_id == "ann"
    with pytest.raises(ProfileNotFound):
        fake.get_profile("bob")
    assert [c.other_id for c in fake.get_connections("ann")] == ["bob"]
    fake.send(_msg("m1", "bob"))
    fake.send(_msg("m1", "bob"))
    assert [m.message_id for m in fake.sent] == ["m1"]
    fake.fail_sends = 1
    with pytest.raises(RuntimeError):
        fake.send(_msg("m2", "bob"))
    assert fake.send_attempts == 3 and len(fake.sent) == 1
