"""The processing worker: analysis → conduit → policy → offer/opportunity → ask → ack."""

from __future__ import annotations

import time
from typing import Any

import pytest
from service_helpers import NOW, add_customer, ingest, make_worker

from socialreferral.bootstrap import Providers
from socialreferral.domain.crm import OpportunityStatus
from socialreferral.domain.referrals import Offer, OfferKind, OfferStatus
from socialreferral.service.authorization import revoke_consent
from socialreferral.service.offers import collect_manual_offers


def _offers(providers: Providers) -> list[Offer]:
    return providers.repositories.referrals.offers()


def _collect(providers: Providers) -> int:
    return collect_manual_offers(repositories=providers.repositories, crm=providers.crm,
                                 social=providers.social, now=NOW)


def _asks(providers: Providers) -> list[Any]:
    social: Any = providers.social
    return [m for m in social.sent_messages() if m.kind == "ask"]


def test_intent_post_becomes_one_offer_through_the_strongest_tie(providers: Providers) -> None:
    add_customer(providers, 1, {"p1": 10})
    add_customer(providers, 2, {"p1": 3})
    ingest(providers, [("1_1", "p1", "I am looking for a car loan"),
                       ("1_2", "p1", "what a match last night!")])
    outcomes = make_worker(providers).run_once()
    assert sorted(o.status for o in outcomes) == ["no_intent", "offer"]
    [offer] = _offers(providers)
    assert (offer.referrer_id, offer.product_id, offer.prospect_id) == ("c1", "personal-loan",
                                                                          "p1")
    assert offer.status is OfferStatus.ASKED
    assert "c1" in offer.explanation.summary and "c2" in offer.explanation.summary
    [ask] = _asks(providers)
    assert ask.recipient_id == "fb-c1"
    assert providers.queue.depth() == 0


def test_killed_between_offer_write_and_ack_yields_exactly_one_offer(
    providers: Providers,
) -> None:
    add_customer(providers, 1, {"p1": 5})
    ingest(providers, [("1_1", "p1", "can anyone suggest the best house loan")])

    def kill(step: str, record_id: str) -> None:
        if step == "offer_stored":
            raise RuntimeError("worker killed")

    first = make_worker(providers, hook=kill).run_once()
    assert [o.status for o in first] == ["failed"]
    assert len(_offers(providers)) == 1 and _asks(providers) == []
    assert make_worker(providers).run_once() == []  # still invisible, not acked
    time.sleep(1.2)  # visibility timeout is 1 s in the test settings
    second = make_worker(providers).run_once()
    assert [o.status for o in second] == ["offer"]
    [offer] = _offers(providers)
    assert offer.status is OfferStatus.ASKED
    assert len(_asks(providers)) == 1
    assert providers.queue.depth() == 0


def test_same_message_processed_twice_changes_nothing(providers: Providers) -> None:
    add_customer(providers, 1, {"p1": 5})
    ingest(providers, [("1_1", "p1", "I am looking for a car loan")])
    [message] = providers.queue.receive(10)
    providers.queue.send(message.body)  # an at-least-once duplicate
    make_worker(providers).process_batch([message])
    make_worker(providers).run_once()
    assert len(_offers(providers)) == 1
    assert len(_asks(providers)) == 1
    # One prospect and one referrer history document, each with one record.
    contacts = list(providers.store.iter_query("contacts"))
    assert [len(d.value["records"]) for d in contacts] == [1, 1]


def test_manual_offer_goes_to_the_crm_and_comes_back_as_an_offer(
    providers: Providers,
) -> None:
    add_customer(providers, 1, {"p1": 5})
    ingest(providers, [("1_1", "p1", "I need a trading account, any recommendation?")])
    worker = make_worker(providers)
    assert [o.status for o in worker.run_once()] == ["manual_offer_routed"]
    [opportunity] = providers.crm.list_opportunities()
    assert opportunity.status is OpportunityStatus.OPEN and _offers(providers) == []
    assert _collect(providers) == 0  # not answered yet
    providers.crm.save_opportunity(opportunity.model_copy(update={
        "status": OpportunityStatus.ANSWERED, "offer_text": "Zero-fee demat account",
        "answered_at": NOW}))
    assert _collect(providers) == 1
    assert _collect(providers) == 0
    [offer] = _offers(providers)
    assert offer.kind is OfferKind.MANUAL and offer.text == "Zero-fee demat account"
    assert len(_asks(providers)) == 1


def test_redelivery_does_not_reset_an_answered_opportunity(providers: Providers) -> None:
    add_customer(providers, 1, {"p1": 5})
    ingest(providers, [("1_1", "p1", "I need a trading account")])
    [message] = providers.queue.receive(10)
    worker = make_worker(providers)
    worker.process_batch([message])
    [opportunity] = providers.crm.list_opportunities()
    providers.crm.save_opportunity(opportunity.model_copy(update={
        "status": OpportunityStatus.ANSWERED, "offer_text": "ok"}))
    providers.queue.send(message.body)
    worker.run_once()
    assert providers.crm.get_opportunity(opportunity.opportunity_id).status is (
        OpportunityStatus.ANSWERED)


@pytest.mark.parametrize("setup, expected", [
    ("ineligible", "no_conduit"),
    ("revoked", "no_conduit"),
    ("author_is_customer", "author_is_customer"),
])
def test_no_offer_without_an_eligible_consenting_conduit(
    providers: Providers, setup: str, expected: str
) -> None:
    if setup == "ineligible":
        add_customer(providers, 1, {"p1": 0}, followers=2)
        author = "p1"
    elif setup == "revoked":
        add_customer(providers, 1, {"p1": 5})
        revoke_consent(providers.repositories, "c1", "facebook", NOW.replace(year=2025))
        author = "p1"
    else:
        add_customer(providers, 1, {"fb-c2": 5})
        add_customer(providers, 2, {"p1": 5})
        author = "fb-c2"
    ingest(providers, [("1_1", author, "I am looking for a car loan")])
    assert [o.status for o in make_worker(providers).run_once()] == [expected]
    assert _offers(providers) == []


def test_contact_policy_cool_down_blocks_a_second_offer_for_the_same_product(
    providers: Providers,
) -> None:
    add_customer(providers, 1, {"p1": 5})
    ingest(providers, [("1_1", "p1", "I am looking for a car loan"),
                       ("1_2", "p1", "still need a car loan, suggestions?")])
    statuses = sorted(o.status for o in make_worker(providers).run_once())
    assert statuses == ["offer", "policy_product_cooldown"]
    assert len(_offers(providers)) == 1


def test_default_worker_uses_the_text_analytics_and_keyword_stays_selectable(
    providers: Providers,
) -> None:
    from socialreferral.service.worker import Worker
    from socialreferral.text import make_analyzer
    from socialreferral.text.catalog_analyzer import TextAnalyticsAnalyzer
    from socialreferral.text.keyword_analyzer import KeywordAnalyzer

    settings = providers.settings.referral
    assert isinstance(make_analyzer(settings.analyzer), TextAnalyticsAnalyzer)
    keyword = settings.model_copy(update={
        "analyzer": settings.analyzer.model_copy(update={"kind": "keyword"})})
    assert isinstance(make_analyzer(keyword.analyzer), KeywordAnalyzer)

    add_customer(providers, 1, {"p1": 10, "p2": 4, "p3": 2})
    ingest(providers, [("1_1", "p1", "I am looking for a car loan"),
                       ("1_2", "p2", "can anyone suggest the best house loan"),
                       ("1_3", "p3", "what a match last night!")])
    worker = Worker(queue=providers.queue, repositories=providers.repositories,
                    crm=providers.crm, social=providers.social, settings=settings,
                    clock=lambda: NOW)
    outcomes = {o.event_id: o.status for o in worker.run_once()}
    assert isinstance(worker.analyzer, TextAnalyticsAnalyzer)
    assert sorted(outcomes.values()) == ["no_intent", "offer", "offer"]
    assert sorted((o.prospect_id, o.product_id) for o in _offers(providers)) == [
        ("p1", "personal-loan"), ("p2", "home-loan")]
    events = {e.author_id: e for e in providers.repositories.events.processed()}
    assert events["p3"].product_id is None and not events["p3"].matched
