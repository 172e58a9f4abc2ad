"""LocalSocialChannel: recorded sends, stored profiles/connections, erasure, replay; and the
RecordingSocialChannel fake.

Backend: a real SQLite file under tmp_path; replay reads real files; no mocks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.errors import InvalidInput, ProfileNotFound
from socialreferral.providers import BuildContext
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.social import LocalSocialChannel, WebhookDelivery, replay
from socialreferral.testing.fakes import RecordingSocialChannel


@pytest.fixture
def channel(tmp_path: Path) -> Iterator[LocalSocialChannel]:
    adapter = LocalSocialChannel.from_settings(
        LocalSettings(data_dir=tmp_path / "d"), BuildContext()
    )
    yield adapter
    adapter.close()


def _msg(message_id: str, to: str, text: str = "Hi") -> OutboundMessage:
    return OutboundMessage(message_id=message_id, recipient_id=to, text=text)


def test_send_is_recorded_once_per_message_id(channel: LocalSocialChannel) -> None:
    assert channel.send(_msg("m1", "ann", "first")) == "m1"
    assert channel.send(_msg("m1", "ann", "retry with other text")) == "m1"
    channel.send(_msg("m2", "bob"))
    assert [(m.message_id, m.text) for m in channel.sent_messages()] == [
        ("m1", "first"),
        ("m2", "Hi"),
    ]
    assert [m.message_id for m in channel.sent_messages("bob")] == ["m2"]


def test_profiles_and_connections_served(channel: LocalSocialChannel) -> None:
    with pytest.raises(ProfileNotFound):
        channel.get_profile("ann")
    channel.add_profile(Profile(person_id="ann", network="local", followers=10))
    channel.add_profile(Profile(person_id="ann", network="local", followers=12))
    assert channel.get_profile("ann").followers == 12
    channel.add_connections(
        [
            Connection(person_id="ann", other_id="cat", network="local"),
            Connection(person_id="ann", other_id="bob", network="local", mutual_connections=3),
        ]
    )
    assert [c.other_id for c in channel.get_connections("ann")] == ["bob", "cat"]
    assert channel.get_connections("bob") == []  # only what bob's own account shared


def test_forget_erases_person_everywhere(channel: LocalSocialChannel, tmp_path: Path) -> None:
    for person in ("zed-erasable", "bob"):
        channel.add_profile(Profile(person_id=person, network="local"))
    channel.add_connections(
        [
            Connection(person_id="zed-erasable", other_id="bob", network="local"),
            Connection(person_id="bob", other_id="zed-erasable", network="local"),
            Connection(person_id="bob", other_id="cat", network="local"),
        ]
    )
    channel.send(_msg("m1", "zed-erasable", "secret offer for zed"))
    channel.send(_msg("m2", "bob"))
    channel.forget("zed-erasable")
    channel.forget("zed-erasable")  # idempotent
    with pytest.raises(ProfileNotFound):
        channel.get_profile("zed-erasable")
    assert channel.get_connections("zed-erasable") == []
    assert [c.other_id for c in channel.get_connections("bob")] == ["cat"]
    assert [m.message_id for m in channel.sent_messages()] == ["m2"]
    channel.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "d").glob("social.sqlite3*"))
    assert b"secret offer for zed" not in raw  # not left behind in free pages or the WAL


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
