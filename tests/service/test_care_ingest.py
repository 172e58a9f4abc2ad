"""Care ingestion through the service: threads traced in any arrival order, conversations
merged, brand replies recognised as agent responses, workflow from timestamps, redelivery
idempotent, and brand-page events reaching care through the referral worker's sink."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from care_helpers import BRAND, PAGE, T0, care_providers, desk_for, post
from service_helpers import APP_SECRET, analyzer, sign

from socialreferral.channels import MetaChannel
from socialreferral.channels.meta import APP_SECRET as META_APP_SECRET
from socialreferral.service.care import CareEventSink
from socialreferral.service.ingest import ingest_webhook
from socialreferral.service.worker import Worker

X_THREAD = [
    post("1", "cust1", "@acmecare my refund is still not here after 3 weeks", minutes=0),
    post("2", BRAND, "@cust1 sorry! please DM us your order number", minutes=10, parent="1"),
    post("3", "cust1", "@acmecare sent it an hour ago, still nothing. ridiculous",
         minutes=70, parent="2"),
    post("4", "cust9", "@cust1 same here, waiting for weeks", minutes=80, parent="3"),
]


@pytest.mark.parametrize("order", list(itertools.permutations(range(4)))[::5])
def test_every_arrival_order_gives_one_thread_and_one_item(tmp_path: Path,
                                                           order: tuple[int, ...]) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        for i in order:  # one post per call: replies before their parents
            desk.ingest([X_THREAD[i]])
        threads = providers.repositories.care_threads
        nodes = [threads.get(f"x:{i}") for i in "1234"]
        assert all(n is not None for n in nodes)
        assert {n.root_id for n in nodes if n} == {"x:1"}
        assert not any(n.provisional for n in nodes if n)
        assert {n.conversation_id for n in nodes if n} == {"x:1"}
        items = list(providers.repositories.care_items.with_status(
            "open", "pending", "snoozed", "resolved"))
        assert [i.ticket_id for i in items] == ["x:1"]  # merged, never two
        [item] = items
        assert item.first_response_at == T0.replace(minute=10)  # the brand's reply
        assert item.status == "open"  # the customer wrote after the brand
        assert item.lead_post_id == "x:1" and item.author_id == "cust1"
        assert item.posts == 4 and item.intent == "complaint" and item.actionable


def test_a_redelivered_batch_changes_nothing(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        first = desk.ingest(X_THREAD)
        before = providers.repositories.care_items.require("x:1")
        history = providers.repositories.care_authors.history("x", "cust1")
        again = desk.ingest(X_THREAD)
        assert first.posts == 4 and first.brand_posts == 1
        assert again.posts == 0 and again.duplicates == 4
        after = providers.repositories.care_items.require("x:1")
        assert after.model_dump(exclude={"updated_at"}) == before.model_dump(
            exclude={"updated_at"})
        assert providers.repositories.care_authors.history("x", "cust1") == history
        assert history.main_posts == 1 and history.representative_interactions == 1


def test_brand_reply_then_customer_reply_moves_the_status(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        desk.ingest(X_THREAD[:1])
        assert providers.repositories.care_items.require("x:1").status == "open"
        desk.ingest(X_THREAD[1:2])  # recognised by the handle in brand_ids
        replied = providers.repositories.care_items.require("x:1")
        assert replied.status == "pending" and replied.first_response_at is not None
        desk.resolve("x:1")
        desk.ingest(X_THREAD[2:3])  # the customer writes again: reopened
        assert providers.repositories.care_items.require("x:1").status == "open"


def test_comments_under_a_brand_post_are_conversations_of_their_own(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        announcement = post("9_1", PAGE, "Our new phone is out! 20% off this week",
                             network="facebook")
        complaint = post("9_1_c1", "fb-1", "I was charged twice for my pre-order, I want a "
                         "refund", minutes=5, network="facebook", parent="9_1", root="9_1")
        question = post("9_1_c2", "fb-2", "How much is the new phone without a contract?",
                        minutes=6, network="facebook", parent="9_1", root="9_1")
        answer = post("9_1_c2_r", PAGE, "It is 499 EUR", minutes=20, network="facebook",
                      parent="9_1_c2", root="9_1")
        result = desk.ingest([answer, question, complaint, announcement])
        assert result.brand_posts == 2  # the page's own posts: agent responses
        items = providers.repositories.care_items
        assert items.get("facebook:9_1") is None  # the announcement needs no answer
        assert items.require("facebook:9_1_c1").status == "open"
        assert items.require("facebook:9_1_c2").status == "pending"  # the page answered
        assert all(providers.repositories.care_threads.get(p).root_id == "facebook:9_1"
                   for p in ("facebook:9_1_c1", "facebook:9_1_c2", "facebook:9_1_c2_r"))


def test_brand_page_events_reach_care_through_the_worker_sink(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        providers.secrets.set(META_APP_SECRET, APP_SECRET)
        changes = [
            {"field": "feed", "value": {"item": "status", "verb": "add", "post_id": "1_7",
                                        "from": {"id": "fb-9"}, "created_time": 1772442000,
                                        "message": "My refund never arrived, still waiting"}},
            {"field": "feed", "value": {"item": "comment", "verb": "add", "post_id": "1_7",
                                        "comment_id": "7_1", "parent_id": "1_7",
                                        "from": {"id": PAGE}, "created_time": 1772442600,
                                        "message": "Sorry! Please DM us your order id"}},
        ]
        body = json.dumps({"object": "page", "entry": [
            {"id": PAGE, "time": 1772442000, "changes": changes},
            {"id": "other-page", "time": 1772442000, "changes": [
                {"field": "feed", "value": {"item": "status", "verb": "add", "post_id": "5_5",
                                            "from": {"id": "fb-3"}, "created_time": 1772442000,
                                            "message": "my refund never arrived"}}]}]}).encode()
        ingest_webhook(MetaChannel(), sign(body), body, queue=providers.queue,
                       secrets=providers.secrets, repositories=providers.repositories)
        desk = desk_for(providers)
        worker = Worker(queue=providers.queue, repositories=providers.repositories,
                        crm=providers.crm, social=providers.social,
                        settings=providers.settings.referral, analyzer=analyzer(),
                        sinks=(CareEventSink(desk),))
        outcomes = worker.run_once()
        assert len(outcomes) == 3 and all(o.status != "failed" for o in outcomes)
        item = providers.repositories.care_items.require("facebook:1_7")
        assert item.status == "pending" and item.first_response_at is not None
        assert providers.repositories.care_items.get("facebook:5_5") is None  # not ours
        # the referral side still recorded every event
        assert len(providers.repositories.events.processed()) == 3
        assert providers.queue.receive(10) == []  # all acked


def test_a_failing_sink_leaves_its_events_unacked(tmp_path: Path) -> None:
    class Broken:
        name = "broken"

        def consume(self, events: object) -> set[str]:
            raise RuntimeError("care store down")

    with care_providers(tmp_path / "data") as providers:
        providers.secrets.set(META_APP_SECRET, APP_SECRET)
        from service_helpers import delivery

        headers, body = delivery([("1_1", "p1", "hello there")])
        ingest_webhook(MetaChannel(), headers, body, queue=providers.queue,
                       secrets=providers.secrets, repositories=providers.repositories)
        worker = Worker(queue=providers.queue, repositories=providers.repositories,
                        crm=providers.crm, social=providers.social,
                        settings=providers.settings.referral, analyzer=analyzer(),
                        sinks=(Broken(),))
        [outcome] = worker.run_once()
        assert outcome.status == "failed"
        assert worker.stats.failed == 1
