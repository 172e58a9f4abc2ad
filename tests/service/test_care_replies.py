"""Replies from one place: public and private through the local channel, refused on a
channel without the capability, exactly once under retries and crashes; mass response
to a cluster, idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from care_helpers import COMPLAINTS, care_providers, desk_for, post

from socialreferral.errors import InvalidInput, NotFound, StateConflict, Unsupported
from socialreferral.providers.local.social import LocalSocialChannel
from socialreferral.records import Capability
from socialreferral.testing.fakes import RecordingSocialChannel

CRASHES = [
    "@acmecare the app keeps crashing after the update",
    "@acmecare app keeps crashing since the update today",
    "@acmecare since the update the app keeps crashing",
]


class _PublicOnly(LocalSocialChannel):
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PUBLIC_REPLIES})


def test_public_and_private_replies_through_the_local_channel(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        desk.ingest([post("1", "cust1", COMPLAINTS[0]),
                     post("2", "cust1", "@acmecare and nobody answers the phone", minutes=3,
                          parent="1")])
        public = desk.reply("x:1", "Sorry! We are looking into it.", agent_id="ann")
        assert public.sent_now and public.item.status == "pending"
        assert public.item.first_response_at is not None
        private = desk.reply("x:1", "Here is your case number 4711.", private=True,
                             post_id="x:1")
        social: Any = providers.social
        sent = social.sent_messages("cust1")
        assert [(m.in_reply_to, m.private) for m in sent] == [("2", False), ("1", True)]
        assert {m.kind for m in sent} == {"care_reply"}
        again = desk.reply("x:1", "Sorry! We are looking into it.", agent_id="ann")
        assert not again.sent_now and again.reply.reply_id == public.reply.reply_id
        assert len(social.sent_messages("cust1")) == 2  # the same answer goes out once
        detail = desk.explain("x:1")
        assert [r.private for r in detail.replies] == [False, True]
        assert detail.reply_kinds == ("public", "private")
        assert private.reply.status == "sent"
        with pytest.raises(InvalidInput):
            desk.reply("x:1", "   ")
        with pytest.raises(NotFound):
            desk.reply("x:1", "hi", post_id="x:999")  # not a post of the conversation


def test_a_channel_without_the_capability_refuses_before_anything_is_recorded(
        tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        channel = _PublicOnly(tmp_path / "public-only.sqlite3")
        desk = desk_for(providers, social=channel)
        desk.ingest([post("1", "cust1", COMPLAINTS[0])])
        with pytest.raises(Unsupported) as refused:
            desk.reply("x:1", "Please DM us", private=True)
        assert refused.value.capability == "private_replies"
        assert "_PublicOnly" in str(refused.value)
        assert channel.sent_messages() == []
        assert providers.repositories.care_items.replies("x:1") == []
        assert providers.repositories.care_items.require("x:1").status == "open"
        assert desk.explain("x:1").reply_kinds == ("public",)
        assert desk.reply("x:1", "We are on it").sent_now  # public works
        channel.close()


def test_a_reply_interrupted_by_a_failing_send_is_sent_once_on_retry(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        fake = RecordingSocialChannel()
        desk = desk_for(providers, social=fake)
        desk.ingest([post("1", "cust1", COMPLAINTS[0])])
        fake.fail_sends = 1
        with pytest.raises(RuntimeError):
            desk.reply("x:1", "We are on it", reply_id="retry-me")
        stored = providers.repositories.care_items.reply("retry-me")
        assert stored is not None and stored.status == "sending"
        assert providers.repositories.care_items.require("x:1").status == "open"
        done = desk.reply("x:1", "We are on it", reply_id="retry-me")
        assert done.sent_now and done.reply.status == "sent"
        assert done.item.status == "pending"
        assert [m.message_id for m in fake.sent] == ["care:retry-me"]
        assert not desk.reply("x:1", "We are on it", reply_id="retry-me").sent_now
        assert len(fake.sent) == 1 and fake.send_attempts == 2


def test_no_reply_to_a_resolved_item(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        desk.ingest([post("1", "cust1", COMPLAINTS[0])])
        desk.resolve("x:1")
        with pytest.raises(StateConflict) as refused:
            desk.reply("x:1", "late answer")
        assert refused.value.field == "status"


def test_mass_response_answers_each_post_of_a_cluster_once(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        fake = RecordingSocialChannel()
        desk = desk_for(providers, social=fake)
        desk.ingest([post(str(10 + i), f"c{i}", text, minutes=i)
                     for i, text in enumerate(CRASHES)]
                    + [post("50", "c9", COMPLAINTS[0], minutes=9)])
        clusters = desk.clusters()
        crash_ids = {"x:10", "x:11", "x:12"}
        [cluster] = [c for c in clusters if set(c.ticket_ids) & crash_ids]
        assert set(cluster.ticket_ids) == crash_ids
        assert cluster.representative in crash_ids and "crashing" in " ".join(cluster.top_terms)
        text = "Version 5.2.1 fixes the crash: please update."
        desk.resolve("x:12")  # one of them was handled meanwhile
        original = fake._send
        calls = {"n": 0}

        def flaky(message: Any) -> str:  # the second send fails: a crash half way
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("network down")
            return original(message)

        fake._send = flaky  # type: ignore[method-assign]
        with pytest.raises(RuntimeError):
            desk.mass_response(cluster.ticket_ids, text, agent_id="bob")
        fake._send = original  # type: ignore[method-assign]
        response_id, outcomes = desk.mass_response(cluster.ticket_ids, text, agent_id="bob")
        status = {o.ticket_id: o.status for o in outcomes}
        assert status["x:12"] == "refused"  # resolved: not answered
        assert sorted(status[t] for t in ("x:10", "x:11")) == ["already_sent", "sent"]
        again_id, again = desk.mass_response(cluster.ticket_ids, text, agent_id="bob")
        assert again_id == response_id
        assert {o.ticket_id: o.status for o in again}["x:10"] == "already_sent"
        recipients = sorted(m.recipient_id for m in fake.sent)
        assert recipients == ["c0", "c1"]  # each post answered once, the resolved one never
        replies = [r for t in ("x:10", "x:11") for r in
                   providers.repositories.care_items.replies(t)]
        assert {r.mass_response_id for r in replies} == {response_id}
        with pytest.raises(InvalidInput):
            desk.mass_response([], text)
