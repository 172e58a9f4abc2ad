"""Authorization (token only in the SecretStore, eligibility stored) and promotions."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from service_helpers import NOW, add_customer, ingest, make_worker

from socialreferral.bootstrap import Providers
from socialreferral.domain.crm import Promotion
from socialreferral.domain.customers import Customer
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
    good = eligibility_of(providers.repositories, "c1", "facebook")
    bad = eligibility_of(providers.repositories, "c2", "facebook")
    assert good["eligible"] is True and bad["eligible"] is False
    assert set(bad["failed"]) >= {"connections", "activity_30d"}
    assert [f["name"] for f in good["explanation"]["factors"]] == [
        "connections", "influence", "activity_30d"]


def test_empty_token_is_refused_naming_the_field(providers: Providers) -> None:
    with pytest.raises(InvalidInput) as info:
        connect_account(repositories=providers.repositories, secrets=providers.secrets,
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
    kwargs: Any = dict(repositories=providers.repositories, crm=providers.crm,
                       social=providers.social, settings=providers.settings.referral, now=NOW)
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
    assert send_reminders(repositories=providers.repositories, social=providers.social,
                          settings=settings, now=early) == 0
    assert send_reminders(repositories=providers.repositories, social=providers.social,
                          settings=settings, now=late) == 1
    assert send_reminders(repositories=providers.repositories, social=providers.social,
                          settings=settings, now=late) == 0


def test_report_counts_the_funnel_from_stored_data(providers: Providers) -> None:
    add_customer(providers, 1, {"p1": 5})
    ingest(providers, [("1_1", "p1", "I am looking for a car loan"),
                       ("1_2", "p2", "lovely weather")])
    make_worker(providers).run_once()
    report = build_report(providers.repositories)
    counts = {s.name: s.count for s in report.funnel.total.stages}
    assert counts == {"events": 2, "matched": 1, "offers": 1, "referrals": 0, "leads": 0,
                      "rewards": 0}
    [row] = report.funnel.products
    assert row.product_id == "personal-loan" and row.stage("offers").count == 1


# -- influence: the scoring package's pillars -------------------------------------------------
def _profile(followers: int = 0, posts: int = 0, listed: int = 0) -> Any:
    from socialreferral.domain.social import Profile

    return Profile(person_id="me", network="facebook", followers=followers, posts=posts,
                   listed=listed)


def _connections(n: int, interactions: int = 0, mutual: int = 0, kind: str = "comment") -> Any:
    from socialreferral.domain.social import Connection, Interaction

    return [Connection(person_id="me", other_id=f"f{i}", network="facebook",
                       since=NOW - timedelta(days=300), mutual_connections=mutual,
                       interactions=tuple(Interaction(kind=kind, at=NOW - timedelta(days=1))
                                          for _ in range(interactions)))
            for i in range(n)]


def test_default_pillar_influence_is_bounded_monotone_and_explained() -> None:
    from socialreferral.scoring import PILLARS
    from socialreferral.service.authorization import (
        DEFAULT_FEATURE_WEIGHTS,
        influence_profile,
        influence_score,
        pillar_influence,
    )

    assert sum(DEFAULT_FEATURE_WEIGHTS.values()) == pytest.approx(1.0)
    assert all(any(f in cols for cols in PILLARS.values()) for f in DEFAULT_FEATURE_WEIGHTS)
    assert influence_score(_profile(), [], NOW) == 0.0
    small = influence_score(_profile(followers=20), _connections(5), NOW)
    big = influence_score(_profile(followers=2000), _connections(5), NOW)
    engaged = influence_score(_profile(followers=20), _connections(5, interactions=4), NOW)
    old = _connections(5, interactions=4)
    stale = influence_score(_profile(followers=20), [
        c.model_copy(update={"interactions": tuple(
            i.model_copy(update={"at": NOW - timedelta(days=90)}) for i in c.interactions)})
        for c in old], NOW)
    assert 0.0 < small < big <= 1.0
    assert engaged > small and stale == pytest.approx(small)  # only the last 30 days count
    profile = _profile(followers=10**7, posts=10**6, listed=10**4)
    huge = influence_score(profile, [*_connections(5, interactions=500, mutual=500),
                                     *_connections(5, interactions=500, kind="like")], NOW)
    assert huge == pytest.approx(1.0)

    features = influence_profile(_profile(followers=3), _connections(10, 2, mutual=4, kind="like"),
                                 NOW)
    assert features.follower_count == 10  # the listed connections beat the reported count
    assert (features.retweets_received, features.mentions_received) == (20, 0)
    assert features.network_feature_1 == 4
    parts = pillar_influence(features)
    assert parts.influence == pytest.approx(parts.reach + parts.resonance + parts.relevance,
                                            abs=1e-5)
    assert "reach" in parts.explanation and "network proxy" in parts.explanation


def test_a_fitted_influence_model_can_be_used(providers: Providers) -> None:
    import numpy as np

    from socialreferral.scoring import InfluenceModel
    from socialreferral.service.authorization import influence_profile, pillar_influence

    rng = np.random.default_rng(0)
    a, b = rng.lognormal(3, 2, size=(120, 11)), rng.lognormal(3, 2, size=(120, 11))
    choice = (a[:, 0] + a[:, 4] > b[:, 0] + b[:, 4]).astype(int)
    model = InfluenceModel(n_estimators=20).fit(np.hstack([a, b]), choice)
    quiet = pillar_influence(influence_profile(_profile(followers=2), _connections(2), NOW),
                             model)
    loud = pillar_influence(influence_profile(_profile(followers=50_000),
                                              _connections(30, interactions=20), NOW), model)
    assert 0.0 <= quiet.influence < loud.influence <= 1.0
    assert loud.explanation.startswith("InfluenceModel:")

    customer = Customer(customer_id="c7", display_name="C7")
    result = connect_account(repositories=providers.repositories, secrets=providers.secrets,
                             social=_seed_profile(providers, "fb-c7", 50_000),
                             rules=providers.settings.referral.eligibility, customer=customer,
                             network="facebook", person_id="fb-c7", token="tok-xyz-7",
                             scopes=(), now=NOW, influence_model=model)
    stored = eligibility_of(providers.repositories, "c7", "facebook")
    assert stored["_influence"] == result.influence
    assert stored["_influence_explanation"].startswith("InfluenceModel:")


def _seed_profile(providers: Providers, person: str, followers: int) -> Any:
    from socialreferral.domain.social import Profile

    social: Any = providers.social
    social.add_profile(Profile(person_id=person, network="facebook", followers=followers))
    return social


def test_eligibility_document_carries_the_influence_pillars(providers: Providers) -> None:
    add_customer(providers, 1, {"p1": 5, "p2": 3})
    stored = eligibility_of(providers.repositories, "c1", "facebook")
    pillars = stored["_influence_pillars"]
    assert set(pillars) == {"reach", "resonance", "relevance"}
    assert stored["_influence"] == pytest.approx(sum(pillars.values()), abs=1e-5)
    assert stored["_influence"] >= 0.1 and "default pillar weights" in stored[
        "_influence_explanation"]
