"""Authorization (token only in the SecretStore, eligibility stored) and promotions."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from service_helpers import NOW, add_customer, ingest, make_worker

from socialreferral.bootstrap import Providers
from socialreferral.domain.crm import Promotion
from socialreferral.domain.people import Customer
from socialreferral.errors import InvalidInput
from socialreferral.service.authorization import (
    connect_account,
    eligibility_of,
    token_secret_name,
)
from socialreferral.service.promotions import run_promotions, send_reminders
from socialreferral.service.reports import build_report

COLLECTIONS = ("customers", "persons", "profiles", "connections", "consents", "eligibility")


def test_token_lives_only_in_the_secret_store(providers: Providers,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    add_customer(providers, 1, {"p1": 5})
    token = "tok-secret-1-xyz"
    assert providers.secrets.get_value(token_secret_name("facebook", "fb-c1")) == token
    for collection in COLLECTIONS:
        for document in providers.store.iter_query(collection):
            assert token not in json.dumps(document.value)
    assert token not in caplog.text


def test_eligibility_is_stored_with_its_explanation(providers: Providers) -> None:
    add_customer(providers, 1, {"p1": 5, "p2": 3})
    add_customer(providers, 2, {"p1": 0}, followers=2)
    good, bad = eligibility_of(providers.store, "c1", "facebook"), eligibility_of(
        providers.store, "c2", "facebook")
    assert good["eligible"] is True and bad["eligible"] is False
    assert set(bad["failed"]) >= {"connections", "activity_30d"}
    assert [f["name"] for f in good["explanation"]["factors"]] == [
        "connections", "influence", "activity_30d"]


def test_empty_token_is_refused_naming_the_field(providers: Providers) -> None:
    with pytest.raises(InvalidInput) as info:
        connect_account(store=providers.store, secrets=providers.secrets,
                        social=providers.social, rules=providers.settings.referral.eligibility,
                        customer=Customer(customer_id="c9"), network="facebook",
                        person_id="fb-c9", token=" ", scopes=(), now=NOW)
    assert info.value.field == "token"


def _promotion(pid: str, product: str, minutes: int) -> Promotion:
    return Promotion(promotion_id=pid, product_id=product, title=f"{product} deal",
                     starts_at=NOW - timedelta(days=1),
                     updated_at=NOW - timedelta(minutes=minutes))


def test_promotions_publish_once_across_reruns(providers: Providers) -> None:
    add_customer(providers, 1, {"p1": 5})
    add_customer(providers, 2, {"p2": 5})
    add_customer(providers, 3, {"p3": 0}, followers=2)  # not eligible: not targeted
    providers.crm.upsert_promotion(_promotion("promo-1", "home-loan", 10))
    kwargs: Any = dict(store=providers.store, crm=providers.crm, social=providers.social,
                       settings=providers.settings.referral, now=NOW)
    first = run_promotions(**kwargs)
    assert (first.promotions, first.published) == (1, 2)
    assert run_promotions(**kwargs).published == 0  # watermark: nothing new
    providers.crm.upsert_promotion(_promotion("promo-2", "shares", 5))
    assert run_promotions(**kwargs).published == 2
    social: Any = providers.social
    assert sorted(m.recipient_id for m in social.sent_messages()
                  if m.kind == "promotion") == ["fb-c1", "fb-c1", "fb-c2", "fb-c2"]


def test_reminders_are_sent_once_after_the_delay(providers: Providers) -> None:
    add_customer(providers, 1, {"p1": 5})
    ingest(providers, [("1_1", "p1", "I am looking for a car loan")])
    make_worker(providers).run_once()
    settings = providers.settings.referral
    early = NOW + timedelta(days=settings.remind_after_days - 1)
    late = NOW + timedelta(days=settings.remind_after_days + 1)
    assert send_reminders(store=providers.store, social=providers.social, settings=settings,
                          now=early) == 0
    assert send_reminders(store=providers.store, social=providers.social, settings=settings,
                          now=late) == 1
    assert send_reminders(store=providers.store, social=providers.social, settings=settings,
                          now=late) == 0


def test_report_counts_the_funnel_from_stored_data(providers: Providers) -> None:
    add_customer(providers, 1, {"p1": 5})
    ingest(providers, [("1_1", "p1", "I am looking for a car loan"),
                       ("1_2", "p2", "lovely weather")])
    make_worker(providers).run_once()
    report = build_report(providers.store)
    counts = {s.name: s.count for s in report.funnel.total.stages}
    assert counts == {"events": 2, "matched": 1, "offers": 1, "referrals": 0, "leads": 0,
                      "rewards": 0}
    [row] = report.funnel.products
    assert row.product_id == "personal-loan" and row.stage("offers").count == 1
