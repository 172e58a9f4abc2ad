"""Referral to lead (DESIGN.md, flow 3): recommend → signed link → lead → reward → fraud.

* :func:`recommend` — the referrer recommends an offer: a :class:`Referral` (one per offer)
  and a signed, expiring link (HMAC key ``referral-link-key`` from the SecretStore; the
  key's version is the token's key id, so rotating the key keeps old links working) sent
  to the prospect through the SocialChannel.
* :func:`open_link` — verify a token (tampering, unknown key, expiry → ``SignatureInvalid``).
* :func:`submit_lead` — the prospect's form: validated :class:`LeadInput`, a CRM lead
  (deduplicated by the CRM on e-mail/phone), the referrer's incentive, the fraud checks,
  and a reward — approved, or held for review with a CRM task when a rule flags it.

Exactly once: the referral id derives from the offer, the lead id from the referral, the
reward id from both; records are created create-only and CRM creates are idempotent on
id, so submitting the same form twice (or retrying after a crash) gives one lead and one
reward.

Monthly cap, race-safe: a reward's amount is *reserved* on the referrer's budget document
for the month (``incentive_budgets/<referrer>:<YYYY-MM>``, etag-guarded read-modify-write)
before the reward is created, and the incentive is computed inside that update from what
the other rewards of the month reserved. Two lead submissions for the same referrer at the
same moment therefore cannot both fit under the cap: the second sees the first's
reservation. Reservations are keyed by reward id, so a retry does not reserve twice (it
reuses its reservation); a reward held for review reserves too (it may be approved) and a
rejection releases it. A crash between reserving and creating the reward leaves a
reservation that only makes later amounts smaller, and the retry picks it up.
"""

from __future__ import annotations

import secrets as pysecrets
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from socialreferral.domain.crm import CrmTask, LeadInput
from socialreferral.domain.fraud import LeadContact, check_referral
from socialreferral.domain.incentives import Incentive, compute_incentive
from socialreferral.domain.links import sign_referral_token, verify_referral_token
from socialreferral.domain.people import Customer
from socialreferral.domain.referrals import (
    Offer,
    OfferStatus,
    Referral,
    ReferralStatus,
    Reward,
    RewardStatus,
    message_id_for,
    referral_id_for,
    reward_id_for,
)
from socialreferral.domain.settings import ReferralSettings
from socialreferral.domain.social import OutboundMessage
from socialreferral.errors import InvalidInput, NotFound, SecretNotFound, SignatureInvalid
from socialreferral.ports import CRM, DocumentStore, SecretStore, SocialChannel
from socialreferral.records import Capability
from socialreferral.service.messages import record_timing
from socialreferral.service.records import (
    Collections,
    create_model,
    get_model,
    iter_models,
    put_model,
    safe_key,
)
from socialreferral.service.worker import advance_offer

LINK_KEY_SECRET = "referral-link-key"
DEFAULT_LINK_BASE = "https://example.invalid/referral"
BUDGETS = "incentive_budgets"
"""Collection of the per-referrer, per-month incentive reservations."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def signing_key(secrets: SecretStore) -> tuple[str, bytes]:
    """(key id, key) to sign new links with; created on first use."""
    try:
        secret = secrets.get(LINK_KEY_SECRET)
    except SecretNotFound:
        secret = secrets.set(LINK_KEY_SECRET, pysecrets.token_urlsafe(32))
    return secret.version, secret.value.encode("utf-8")


def verification_keys(secrets: SecretStore) -> dict[str, bytes]:
    """Every key version still accepted (all stored versions, or just the current one)."""
    try:
        current = secrets.get(LINK_KEY_SECRET)
    except SecretNotFound:
        return {}
    keys = {current.version: current.value.encode("utf-8")}
    if secrets.supports(Capability.VERSIONS):
        for version in secrets.versions(LINK_KEY_SECRET):
            if version.version not in keys:
                keys[version.version] = secrets.get(
                    LINK_KEY_SECRET, version=version.version).value.encode("utf-8")
    return keys


def recommend(
    offer_id: str,
    *,
    store: DocumentStore,
    secrets: SecretStore,
    social: SocialChannel,
    settings: ReferralSettings,
    now: datetime | None = None,
    link_base: str = DEFAULT_LINK_BASE,
) -> tuple[Referral, str]:
    """The referrer recommends ``offer_id``: the referral and the link sent to the prospect.

    Idempotent: a second call returns the same referral and a link to it (re-signed with
    the same expiry) and sends nothing new.
    """
    now = _now(now)
    offer = get_model(store, Collections.OFFERS, offer_id, Offer)
    if offer is None:
        raise InvalidInput(f"no offer {offer_id!r}", field="offer_id")
    referral_id = referral_id_for(offer_id)
    referral = Referral(
        referral_id=referral_id, offer_id=offer_id, referrer_id=offer.referrer_id,
        prospect_id=offer.prospect_id, product_id=offer.product_id, created_at=now,
        link_expires_at=now + timedelta(hours=settings.link_ttl_hours),
    )
    if not create_model(store, Collections.REFERRALS, referral_id, referral):
        stored = get_model(store, Collections.REFERRALS, referral_id, Referral)
        assert stored is not None
        referral = stored
    key_id, key = signing_key(secrets)
    token = sign_referral_token(referral_id, referral.link_expires_at, key, key_id)
    link = f"{link_base}?token={token}"
    social.send(OutboundMessage(
        message_id=message_id_for(referral_id, "offer"), recipient_id=offer.prospect_id,
        text=offer.text, link=link, kind="offer",
    ))
    advance_offer(store, offer_id, OfferStatus.RECOMMENDED)
    return referral, token


def open_link(
    token: str, *, store: DocumentStore, secrets: SecretStore, now: datetime | None = None
) -> Referral:
    """The referral behind a genuine, unexpired, still-usable link."""
    now = _now(now)
    claims = verify_referral_token(token, verification_keys(secrets), now)
    referral = get_model(store, Collections.REFERRALS, claims.referral_id, Referral)
    if referral is None:
        raise SignatureInvalid("link refers to no referral", field="token")
    if referral.status in (ReferralStatus.EXPIRED, ReferralStatus.REVOKED):
        raise SignatureInvalid(f"referral is {referral.status.value}", field="token")
    return referral


def parse_lead_form(form: Mapping[str, Any], product_id: str, referral_id: str) -> LeadInput:
    """Validate the prospect's form; ``InvalidInput`` naming the first bad field."""
    data = {k: v for k, v in form.items() if k not in {"product_id", "referral_id", "source"}}
    try:
        return LeadInput.model_validate(
            {**data, "product_id": product_id, "referral_id": referral_id, "source": "referral"}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "form"
        raise InvalidInput(first["msg"], field=where) from None


def submit_lead(
    token: str,
    form: Mapping[str, Any],
    *,
    store: DocumentStore,
    secrets: SecretStore,
    crm: CRM,
    settings: ReferralSettings,
    now: datetime | None = None,
) -> Reward:
    """The prospect submits details through the link: lead, incentive, fraud, reward."""
    now = _now(now)
    referral = open_link(token, store=store, secrets=secrets, now=now)
    lead_input = parse_lead_form(form, referral.product_id, referral.referral_id)
    result = crm.create_lead(lead_input, lead_id=f"lead_{referral.referral_id[4:]}")
    lead = result.lead
    if store.find(Collections.LEADS, referral.referral_id) is None:
        # "created": a new person for the bank (a lead the CRM did not have before).
        store.put(Collections.LEADS, referral.referral_id, {
            "referral_id": referral.referral_id, "lead_id": lead.lead_id,
            "referrer_id": referral.referrer_id, "product_id": referral.product_id,
            "created": result.created or lead.referral_id == referral.referral_id,
            "at": now.isoformat(),
        })
    reward_id = reward_id_for(referral.referral_id, lead.lead_id)
    existing = get_model(store, Collections.REWARDS, reward_id, Reward)
    if existing is not None:
        return existing

    referrer = get_model(store, Collections.CUSTOMERS, referral.referrer_id, Customer)
    if referrer is None:
        raise NotFound(f"referrer {referral.referrer_id!r} is not a stored customer")
    started = time.perf_counter()
    reward = _reward(store, settings, referral, referrer, lead.lead_id, reward_id,
                     lead_input, result.created, lead.referral_id, now)
    record_timing(store, "incentive", reward_id, time.perf_counter() - started)
    if create_model(store, Collections.REWARDS, reward_id, reward, product_id=referral.product_id,
                    at=now.isoformat()) and reward.flags:
        crm.save_task(CrmTask(
            task_id=f"review_{reward_id}", subject=f"Review flagged referral reward {reward_id}",
            related_id=reward_id,
            details={"flags": list(reward.flags), "summary": reward.explanation.summary,
                     "referrer_id": referral.referrer_id, "lead_id": lead.lead_id},
        ))
    stored = get_model(store, Collections.REWARDS, reward_id, Reward)
    assert stored is not None
    captured = referral.model_copy(update={"status": ReferralStatus.LEAD_CAPTURED})
    put_model(store, Collections.REFERRALS, referral.referral_id, captured)
    advance_offer(store, referral.offer_id, OfferStatus.AVAILED)
    return stored


def _reward(
    store: DocumentStore, settings: ReferralSettings, referral: Referral, referrer: Customer,
    lead_id: str, reward_id: str, lead_input: LeadInput, lead_created: bool,
    lead_referral_id: str | None, now: datetime,
) -> Reward:
    eligibility = store.find(Collections.ELIGIBILITY,
                             safe_key(referrer.customer_id, _network(store, referral)))
    facts = eligibility.value if eligibility is not None else {}
    past = [r for r in iter_models(store, Collections.REWARDS, Reward,
                                   {"referrer_id": referrer.customer_id})]
    successful = sum(1 for r in past if r.status in (RewardStatus.APPROVED, RewardStatus.PAID))
    prior = [r for r in iter_models(store, Collections.REFERRALS, Referral,
                                    {"prospect_id": referral.prospect_id})]
    if lead_referral_id and lead_referral_id != referral.referral_id:
        # The CRM already had this person as another referral's lead: that one counts too.
        other = get_model(store, Collections.REFERRALS, lead_referral_id, Referral)
        if other is not None and all(o.referral_id != other.referral_id for o in prior):
            prior.append(other)
    recent = [datetime.fromisoformat(d.value["at"]) for d in store.iter_query(
        Collections.LEADS, {"referrer_id": referrer.customer_id})
        if d.value["referral_id"] != referral.referral_id]
    verdict = check_referral(
        LeadContact.of(lead_input, person_id=referral.prospect_id), referrer,
        _is_customer(store, lead_input, referral.prospect_id, _network(store, referral)),
        prior, recent, now, settings.fraud,
    )
    status = RewardStatus.PENDING_REVIEW if verdict.flags else RewardStatus.APPROVED

    def incentive_for(paid: Decimal) -> Incentive:
        return compute_incentive(referrer, successful, int(facts.get("_connections", 0)),
                                 float(facts.get("_influence", 0.0)), paid, settings.incentives)

    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    incentive = reserve_incentive(
        store, referrer.customer_id, reward_id, now, incentive_for,
        # Rewards of this month from before budgets were kept (an upgrade mid-month).
        legacy=lambda: sum(
            (r.amount for r in past
             if r.status in (RewardStatus.APPROVED, RewardStatus.PAID)
             and _reward_time(store, r.reward_id) >= month_start), Decimal("0")),
    )
    explanation = incentive.explanation.model_copy(update={
        "summary": f"{incentive.explanation.summary}; fraud: {verdict.explanation.summary}"
        + (f" (recommended: {verdict.recommended_status.value})" if verdict.flags else "")
    })
    return Reward(
        reward_id=reward_id, referral_id=referral.referral_id, referrer_id=referrer.customer_id,
        lead_id=lead_id, amount=incentive.amount, currency=settings.currency, status=status,
        flags=verdict.codes, explanation=explanation,
    )


def budget_key(referrer_id: str, at: datetime) -> str:
    """Key of ``referrer_id``'s budget document for the month of ``at`` (UTC)."""
    return safe_key(referrer_id, at.astimezone(UTC).strftime("%Y-%m"))


def reserve_incentive(
    store: DocumentStore,
    referrer_id: str,
    reward_id: str,
    now: datetime,
    incentive_for: Callable[[Decimal], Incentive],
    legacy: Callable[[], Decimal] = lambda: Decimal("0"),
) -> Incentive:
    """Compute ``reward_id``'s incentive against the month's budget and reserve it, atomically.

    ``incentive_for(paid)`` computes the incentive given what the referrer's other rewards
    of the month reserved (it applies the monthly cap). The budget document is updated under
    its etag, so concurrent reservations serialise; an existing reservation for
    ``reward_id`` (a retry) is reused and counted once. ``legacy`` is called once, when the
    month's document is created: the amount earned before budgets existed.
    """
    key = budget_key(referrer_id, now)
    baseline: list[Decimal] = []
    outcome: dict[str, Incentive] = {}

    def reserve(current: dict[str, Any] | None) -> dict[str, Any]:
        if current is None:
            if not baseline:
                baseline.append(legacy())
            current = {"referrer_id": referrer_id, "month": key.rsplit(":", 1)[-1],
                       "baseline": str(baseline[0]), "reserved": {}}
        reserved: dict[str, str] = dict(current.get("reserved", {}))
        others = sum((Decimal(v) for k, v in reserved.items() if k != reward_id),
                     Decimal(current.get("baseline", "0")))
        incentive = incentive_for(others)
        if reward_id in reserved and Decimal(reserved[reward_id]) != incentive.amount:
            # A retry after a crash between reserving and creating the reward: keep the
            # reservation made then (others may have reserved since).
            incentive = incentive.model_copy(update={
                "amount": min(incentive.amount, Decimal(reserved[reward_id])),
                "explanation": incentive.explanation.model_copy(update={
                    "summary": f"{incentive.explanation.summary} (amount reserved earlier)"}),
            })
        outcome["incentive"] = incentive
        reserved[reward_id] = str(incentive.amount)
        return {**current, "reserved": reserved,
                "total": str(sum((Decimal(v) for v in reserved.values()),
                                 Decimal(current.get("baseline", "0"))))}

    store.update(BUDGETS, key, reserve)
    return outcome["incentive"]


def release_incentive(store: DocumentStore, referrer_id: str, reward_id: str,
                      at: datetime) -> None:
    """Take back ``reward_id``'s reservation (a rejected reward); no-op if there is none."""
    if store.find(BUDGETS, budget_key(referrer_id, at)) is None:
        return

    def release(current: dict[str, Any] | None) -> dict[str, Any]:
        current = current or {"reserved": {}}
        reserved = {k: v for k, v in current.get("reserved", {}).items() if k != reward_id}
        return {**current, "reserved": reserved,
                "total": str(sum((Decimal(v) for v in reserved.values()),
                                 Decimal(current.get("baseline", "0"))))}

    store.update(BUDGETS, budget_key(referrer_id, at), release)


def _network(store: DocumentStore, referral: Referral) -> str:
    offer = store.find(Collections.OFFERS, referral.offer_id)
    return str(offer.value.get("_network", "facebook")) if offer is not None else "facebook"


def _reward_time(store: DocumentStore, reward_id: str) -> datetime:
    document = store.find(Collections.REWARDS, reward_id)
    at = document.value.get("_at") if document is not None else None
    return datetime.fromisoformat(at) if isinstance(at, str) else datetime.min.replace(tzinfo=UTC)


def _is_customer(store: DocumentStore, lead: LeadInput, prospect_id: str, network: str) -> bool:
    if store.find(Collections.PERSONS, safe_key(network, prospect_id)) is not None:
        return True
    for field_name, value in (("email", lead.email), ("phone", lead.phone)):
        if value and next(iter(store.iter_query(Collections.CUSTOMERS, {field_name: value})),
                          None) is not None:
            return True
    return False


def review_reward(
    store: DocumentStore, reward_id: str, status: RewardStatus
) -> Reward:
    """A reviewer's decision on a held reward (approve or reject)."""
    document = store.get(Collections.REWARDS, reward_id)
    reward = get_model(store, Collections.REWARDS, reward_id, Reward)
    assert reward is not None
    moved = reward.with_status(status)
    meta = {k[1:]: v for k, v in document.value.items() if k.startswith("_")}
    put_model(store, Collections.REWARDS, reward_id, moved, if_match=document.etag, **meta)
    if moved.status is RewardStatus.REJECTED:
        # A rejected reward is never paid: its reservation goes back to the month's budget.
        release_incentive(store, reward.referrer_id, reward_id,
                          _reward_time(store, reward_id))
    return moved


__all__ = [
    "BUDGETS",
    "LINK_KEY_SECRET",
    "budget_key",
    "open_link",
    "parse_lead_form",
    "recommend",
    "release_incentive",
    "reserve_incentive",
    "review_reward",
    "signing_key",
    "submit_lead",
    "verification_keys",
]
