"""Referral to lead: signed links, one lead and one reward per form, fraud to review."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from service_helpers import NOW, add_customer, ingest, make_worker

from socialreferral.bootstrap import Providers
from socialreferral.domain.referrals import Offer, OfferStatus, Reward, RewardStatus
from socialreferral.errors import InvalidInput, SignatureInvalid
from socialreferral.repositories.referrals import BUDGETS, budget_key
from socialreferral.service.referrals import open_link, recommend, submit_lead

FORM = {"name": "Pat Prospect", "email": "pat@mail.example.org", "phone": "+15550001111"}


def _offer(providers: Providers, author: str = "p1", post: str = "1_1",
           text: str = "I am looking for a car loan") -> Offer:
    ingest(providers, [(post, author, text)])
    make_worker(providers).run_once()
    offers = [o for o in providers.repositories.referrals.offers()
              if o.prospect_id == author and o.event_id.startswith(f"facebook:{post}:")]
    assert len(offers) == 1
    return offers[0]


def _recommend(providers: Providers, offer: Offer, now: Any = NOW) -> str:
    _, token = recommend(offer.offer_id, repositories=providers.repositories,
                         secrets=providers.secrets, social=providers.social,
                         settings=providers.settings.referral,
                         public_base_url=providers.settings.web.public_base_url, now=now)
    return token


def _submit(providers: Providers, token: str, form: dict[str, Any] = FORM,
            now: Any = NOW) -> Reward:
    return submit_lead(token, form, repositories=providers.repositories,
                       secrets=providers.secrets, crm=providers.crm,
                       settings=providers.settings.referral,
                       now=now + timedelta(minutes=1))


@pytest.fixture
def offer(providers: Providers) -> Offer:
    add_customer(providers, 1, {"p1": 5, "p2": 5, "p3": 5})
    return _offer(providers)


def test_recommendation_sends_a_signed_link_to_the_prospect(providers: Providers,
                                                            offer: Offer) -> None:
    token = _recommend(providers, offer)
    social: Any = providers.social
    [sent] = [m for m in social.sent_messages("p1") if m.kind == "offer"]
    assert sent.link is not None and sent.link.endswith(token)
    assert open_link(token, repositories=providers.repositories, secrets=providers.secrets,
                     now=NOW).offer_id == offer.offer_id
    stored = providers.repositories.referrals.offer(offer.offer_id)
    assert stored is not None and stored.status is OfferStatus.RECOMMENDED


def test_tampered_link_is_rejected(providers: Providers, offer: Offer) -> None:
    token = _recommend(providers, offer)
    body, signature = token.split(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
    for bad in (forged, token[:-3] + "xyz", "garbage"):
        with pytest.raises(SignatureInvalid):
            open_link(bad, repositories=providers.repositories, secrets=providers.secrets, now=NOW)
        with pytest.raises(SignatureInvalid):
            _submit(providers, bad)
    assert providers.crm.list_leads() == []


def test_expired_link_is_rejected(providers: Providers, offer: Offer) -> None:
    token = _recommend(providers, offer)
    later = NOW + timedelta(hours=providers.settings.referral.link_ttl_hours + 1)
    with pytest.raises(SignatureInvalid, match="expired"):
        open_link(token, repositories=providers.repositories, secrets=providers.secrets, now=later)
    with pytest.raises(SignatureInvalid):
        _submit(providers, token, now=later)
    assert providers.crm.list_leads() == []


def test_same_form_twice_gives_one_lead_and_one_reward(providers: Providers,
                                                       offer: Offer) -> None:
    token = _recommend(providers, offer)
    first = _submit(providers, token)
    second = _submit(providers, token)
    assert first == second
    assert len(providers.crm.list_leads()) == 1
    assert len(providers.repositories.referrals.rewards()) == 1
    assert first.status is RewardStatus.APPROVED and first.amount > 0
    assert first.explanation.factors  # the incentive arithmetic is kept
    stored = providers.repositories.referrals.offer(offer.offer_id)
    assert stored is not None and stored.status is OfferStatus.AVAILED


def test_invalid_form_names_the_field(providers: Providers, offer: Offer) -> None:
    token = _recommend(providers, offer)
    with pytest.raises(InvalidInput) as info:
        _submit(providers, token, {"name": "Pat", "email": "not-an-email"})
    assert info.value.field == "email"
    assert providers.crm.list_leads() == []


def _flagged(providers: Providers, reward: Reward, code: str) -> None:
    assert code in reward.flags
    assert reward.status is RewardStatus.PENDING_REVIEW
    tasks = [t for t in providers.crm.list_tasks() if t.related_id == reward.reward_id]
    assert len(tasks) == 1 and code in tasks[0].details["flags"]


def test_self_referral_is_held_for_review(providers: Providers, offer: Offer) -> None:
    token = _recommend(providers, offer)
    reward = _submit(providers, token, {**FORM, "email": "c1@bank.example.com"})
    _flagged(providers, reward, "self_referral")


def test_existing_customer_is_held_for_review(providers: Providers, offer: Offer) -> None:
    add_customer(providers, 7, {"p9": 5}, email="known@bank.example.com")
    token = _recommend(providers, offer)
    reward = _submit(providers, token, {**FORM, "email": "known@bank.example.com",
                                        "phone": None})
    _flagged(providers, reward, "existing_customer")


def test_already_referred_prospect_is_held_for_review(providers: Providers) -> None:
    add_customer(providers, 1, {"p1": 3})
    first_offer = _offer(providers)
    _recommend(providers, first_offer)
    # Later a second customer with a stronger tie becomes the conduit for another product.
    add_customer(providers, 2, {"p1": 12})
    second_offer = _offer(providers, post="1_2", text="can anyone suggest the best house loan")
    assert second_offer.referrer_id == "c2"
    token = _recommend(providers, second_offer, now=NOW + timedelta(hours=1))
    reward = _submit(providers, token, now=NOW + timedelta(hours=1))
    _flagged(providers, reward, "already_referred")


def test_velocity_is_held_for_review(tmp_path: Any) -> None:
    from service_helpers import local_providers

    with local_providers(tmp_path / "v", fraud={"velocity_max_leads_per_24h": 1},
                         contact_policy={"max_asks_per_referrer": 10}) as providers:
        add_customer(providers, 1, {"p1": 5, "p2": 5})
        rewards = []
        for n, person in enumerate(("p1", "p2")):
            offer = _offer(providers, author=person, post=f"1_{n}")
            token = _recommend(providers, offer)
            rewards.append(_submit(providers, token, {"name": person,
                                                      "email": f"{person}@mail.example.org"}))
        assert rewards[0].status is RewardStatus.APPROVED
        _flagged(providers, rewards[1], "velocity")


# -- monthly incentive cap under concurrency -------------------------------------------------
def test_two_concurrent_leads_cannot_both_fit_under_the_monthly_cap(tmp_path: Any) -> None:
    import threading
    from decimal import Decimal

    from service_helpers import local_providers

    # Each lead alone earns the per-reward cap (30); the month allows 45 in all.
    incentives = {"cap_per_reward": "30.00", "monthly_cap_per_referrer": "45.00",
                  "base_amount": "30.00"}
    with local_providers(tmp_path / "race", incentives=incentives,
                         contact_policy={"max_asks_per_referrer": 10}) as providers:
        add_customer(providers, 1, {"p1": 5, "p2": 5})
        tokens = [_recommend(providers, _offer(providers, author=person, post=f"1_{n}"))
                  for n, person in enumerate(("p1", "p2"))]
        barrier = threading.Barrier(2)
        rewards: list[Reward] = []
        errors: list[BaseException] = []

        def submit(token: str, person: str) -> None:
            try:
                barrier.wait()
                rewards.append(_submit(providers, token, {
                    "name": person, "email": f"{person}@mail.example.org"}))
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=submit, args=(t, p))
                   for t, p in zip(tokens, ("p1", "p2"), strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        amounts = sorted(r.amount for r in rewards)
        assert amounts == [Decimal("15.00"), Decimal("30.00")]  # one was capped by the month
        budget = providers.store.get(BUDGETS, budget_key("c1", NOW))
        assert Decimal(budget.value["total"]) == Decimal("45.00")
        assert set(budget.value["reserved"]) == {r.reward_id for r in rewards}

        # A retry of either form reserves nothing more.
        again = _submit(providers, tokens[0], {"name": "p1", "email": "p1@mail.example.org"})
        assert again in rewards
        assert providers.store.get(BUDGETS, budget_key("c1", NOW)).value == budget.value


def test_reservation_is_idempotent_per_reward_and_released_on_rejection(
    providers: Providers,
) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from socialreferral.domain.customers import Customer
    from socialreferral.domain.incentives import IncentiveRules, compute_incentive

    rules = IncentiveRules(base_amount=Decimal("30"), cap_per_reward=Decimal("30"),
                           monthly_cap_per_referrer=Decimal("50"))
    customer = Customer(customer_id="c1", display_name="C1")
    seen: list[Decimal] = []

    def incentive_for(paid: Decimal) -> Any:
        seen.append(paid)
        return compute_incentive(customer, 0, 0, 0.0, paid, rules)

    store, referrals = providers.store, providers.repositories.referrals
    first = referrals.reserve_incentive("c1", "rw1", NOW, incentive_for,
                                        legacy=lambda: Decimal("5"))
    retry = referrals.reserve_incentive("c1", "rw1", NOW, incentive_for)
    second = referrals.reserve_incentive("c1", "rw2", NOW, incentive_for)
    assert (first.amount, retry.amount, second.amount) == (Decimal("30.00"),
                                                           Decimal("30.00"),
                                                           Decimal("15.00"))
    assert seen == [Decimal("5"), Decimal("5"), Decimal("35.00")]  # legacy counted once
    assert Decimal(store.get(BUDGETS, budget_key("c1", NOW)).value["total"]) == Decimal("50")
    referrals.release_incentive("c1", "rw1", NOW)
    assert Decimal(store.get(BUDGETS, budget_key("c1", NOW)).value["total"]) == Decimal("20")
    # Another month has its own budget.
    next_month = referrals.reserve_incentive("c1", "rw3", NOW + timedelta(days=40),
                                             incentive_for)
    assert next_month.amount == Decimal("30.00")


def test_a_retry_after_a_crash_behind_the_reward_finishes_the_task_and_the_statuses(
        providers: Providers, offer: Offer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (found by the chaos suite): the reward was stored, then the attempt
    died before the review task was opened; the retry used to return the stored reward
    at once, so the task was never opened and the offer and referral stayed behind."""
    token = _recommend(providers, offer)
    crm: Any = providers.crm
    real_save = crm.save_task

    def crash(task: Any) -> Any:
        raise RuntimeError("killed after the reward was stored")

    monkeypatch.setattr(crm, "save_task", crash)
    with pytest.raises(RuntimeError):
        _submit(providers, token, {**FORM, "email": "c1@bank.example.com"})
    assert providers.crm.list_tasks() == []
    monkeypatch.setattr(crm, "save_task", real_save)
    reward = _submit(providers, token, {**FORM, "email": "c1@bank.example.com"})
    _flagged(providers, reward, "self_referral")
    stored = providers.repositories.referrals.offer(offer.offer_id)
    assert stored is not None and stored.status is OfferStatus.AVAILED
    # A third attempt after a reviewer closed the task leaves the task as they left it.
    task = providers.crm.list_tasks()[0]
    providers.crm.save_task(task.model_copy(update={"done": True}))
    _submit(providers, token, {**FORM, "email": "c1@bank.example.com"})
    assert [t.done for t in providers.crm.list_tasks()] == [True]
