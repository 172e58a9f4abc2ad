"""Referral to lead (DESIGN.md, flow 3): recommend → signed link → lead → reward → fraud.

* :func:`recommend` — the referrer recommends an offer: a :class:`Referral` (one per offer)
  and a signed, expiring link (HMAC key ``referral-link-key`` from the SecretStore; the
  key's version is the token's key id, so rotating the key keeps old links working) sent
  to the prospect through the SocialChannel. The link is ``<public base URL>/referrals/
  <token>``, the route the web app serves.
* :func:`open_link` — verify a token (tampering, unknown key, expiry → ``SignatureInvalid``).
* :func:`submit_lead` — the prospect's form: validated :class:`LeadInput`, a CRM lead
  (deduplicated by the CRM on e-mail/phone), the referrer's incentive, the fraud checks,
  and a reward — approved, or held for review with a CRM task when a rule flags it.
* :func:`review_reward` — a reviewer's decision on a held reward.

Exactly once: the referral id derives from the offer, the lead id from the referral, the
reward id from both; records are created create-only and CRM creates are idempotent on
id, so submitting the same form twice (or retrying after a crash) gives one lead and one
reward. The monthly cap is race-safe: the incentive is reserved on the referrer's budget
for the month before the reward exists (see the referral repository).
"""

from __future__ import annotations

import secrets as pysecrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from socialreferral import observability
from socialreferral.domain.crm import CrmTask, LeadInput, LeadResult
from socialreferral.domain.customers import Customer
from socialreferral.domain.fraud import LeadContact, check_referral
from socialreferral.domain.incentives import Incentive, compute_incentive
from socialreferral.domain.links import referral_url, sign_referral_token, verify_referral_token
from socialreferral.domain.referrals import (
    OfferStatus,
    Referral,
    ReferralStatus,
    Reward,
    RewardStatus,
    lead_id_for,
    message_id_for,
    referral_id_for,
    reward_id_for,
)
from socialreferral.domain.settings import ReferralSettings
from socialreferral.domain.social import OutboundMessage
from socialreferral.errors import (
    CRMRecordNotFound,
    InvalidInput,
    NotFound,
    SecretNotFound,
    SignatureInvalid,
)
from socialreferral.ports import CRM, SecretStore, SocialChannel
from socialreferral.records import Capability
from socialreferral.repositories import (
    ReferralLead,
    Repositories,
    ReviewDecision,
    TimingSample,
)

LINK_KEY_SECRET = "referral-link-key"
MAX_FORM_FIELDS = 20


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
    repositories: Repositories,
    secrets: SecretStore,
    social: SocialChannel,
    settings: ReferralSettings,
    public_base_url: str,
    now: datetime | None = None,
) -> tuple[Referral, str]:
    """The referrer recommends ``offer_id``: the referral and the token of the link sent
    to the prospect (``<public_base_url>/referrals/<token>``).

    Idempotent: a second call returns the same referral and a link to it (re-signed with
    the same expiry) and sends nothing new.
    """
    now = now or datetime.now(UTC)
    offer = repositories.referrals.offer(offer_id)
    if offer is None:
        raise InvalidInput(f"no offer {offer_id!r}", field="offer_id")
    referral = repositories.referrals.create_referral(Referral(
        referral_id=referral_id_for(offer_id), offer_id=offer_id,
        referrer_id=offer.referrer_id, prospect_id=offer.prospect_id,
        product_id=offer.product_id, created_at=now,
        link_expires_at=now + timedelta(hours=settings.link_ttl_hours),
    ))
    key_id, key = signing_key(secrets)
    token = sign_referral_token(referral.referral_id, referral.link_expires_at, key, key_id)
    social.send(OutboundMessage(
        message_id=message_id_for(referral.referral_id, "offer"),
        recipient_id=offer.prospect_id, text=offer.text,
        link=referral_url(public_base_url, token), kind="offer",
    ))
    repositories.referrals.advance_offer(offer_id, OfferStatus.RECOMMENDED)
    return referral, token


def open_link(token: str, *, repositories: Repositories, secrets: SecretStore,
              now: datetime | None = None) -> Referral:
    """The referral behind a genuine, unexpired, still-usable link."""
    claims = verify_referral_token(token, verification_keys(secrets), now or datetime.now(UTC))
    referral = repositories.referrals.referral(claims.referral_id)
    if referral is None:
        raise SignatureInvalid("link refers to no referral", field="token")
    if referral.status in (ReferralStatus.EXPIRED, ReferralStatus.REVOKED):
        raise SignatureInvalid(f"referral is {referral.status.value}", field="token")
    return referral


def parse_lead_form(form: Mapping[str, Any], product_id: str, referral_id: str) -> LeadInput:
    """Validate the prospect's form; ``InvalidInput`` naming the first bad field."""
    if len(form) > MAX_FORM_FIELDS:
        raise InvalidInput(f"more than {MAX_FORM_FIELDS} fields", field="form")
    data = {k: v for k, v in form.items() if k not in {"product_id", "referral_id", "source"}}
    try:
        return LeadInput.model_validate(
            {**data, "product_id": product_id, "referral_id": referral_id, "source": "referral"})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "form"
        raise InvalidInput(first["msg"], field=where) from None


def submit_lead(
    token: str,
    form: Mapping[str, Any],
    *,
    repositories: Repositories,
    secrets: SecretStore,
    crm: CRM,
    settings: ReferralSettings,
    now: datetime | None = None,
) -> Reward:
    """The prospect submits details through the link: lead, incentive, fraud, reward."""
    with observability.span("lead.submit"):
        return _submit_lead(token, form, repositories=repositories, secrets=secrets,
                            crm=crm, settings=settings, now=now or datetime.now(UTC))


def _submit_lead(token: str, form: Mapping[str, Any], *, repositories: Repositories,
                 secrets: SecretStore, crm: CRM, settings: ReferralSettings,
                 now: datetime) -> Reward:
    referrals = repositories.referrals
    referral = open_link(token, repositories=repositories, secrets=secrets, now=now)
    lead_input = parse_lead_form(form, referral.product_id, referral.referral_id)
    result = crm.create_lead(lead_input, lead_id=lead_id_for(referral.referral_id))
    lead = result.lead
    if result.created:
        observability.count("socialreferral.leads")
    # "created": a new person for the bank (a lead the CRM did not have before).
    referrals.record_lead(ReferralLead(
        referral_id=referral.referral_id, lead_id=lead.lead_id,
        referrer_id=referral.referrer_id, product_id=referral.product_id,
        created=result.created or lead.referral_id == referral.referral_id, at=now))
    reward_id = reward_id_for(referral.referral_id, lead.lead_id)
    if referrals.reward(reward_id) is None:
        referrer = repositories.customers.get(referral.referrer_id)
        if referrer is None:
            raise NotFound(f"referrer {referral.referrer_id!r} is not a stored customer")
        with observability.span("reward.create"):
            started = time.perf_counter()
            reward = _reward(repositories, settings, referral, referrer, reward_id,
                             lead_input, result, now)
            repositories.timings.add([TimingSample("incentive", reward_id,
                                                   time.perf_counter() - started)])
            if referrals.create_reward(reward, product_id=referral.product_id, at=now):
                observability.count("socialreferral.rewards", status=reward.status.value)
    # Whoever created the reward (this call, an earlier attempt that failed or was killed
    # after it, a concurrent submission), the steps after it run on every attempt: each
    # is idempotent, and skipping them on a retry would lose the review task or leave
    # the referral and the offer behind (found by the chaos suite's injected faults).
    stored = referrals.reward(reward_id)
    assert stored is not None
    if stored.flags:
        _open_review_task(crm, stored, referral.referrer_id)
    if referral.status is not ReferralStatus.LEAD_CAPTURED:
        referrals.save_referral(referral.model_copy(
            update={"status": ReferralStatus.LEAD_CAPTURED}))
    referrals.advance_offer(referral.offer_id, OfferStatus.AVAILED)
    return stored


def _open_review_task(crm: CRM, reward: Reward, referrer_id: str) -> None:
    """The reviewers' CRM task for a flagged reward, created once: a task that exists
    (perhaps already done by a reviewer) is left as it is."""
    task_id = f"review_{reward.reward_id}"
    try:
        crm.get_task(task_id)
        return
    except CRMRecordNotFound:
        pass
    crm.save_task(CrmTask(
        task_id=task_id, subject=f"Review flagged referral reward {reward.reward_id}",
        related_id=reward.reward_id,
        details={"flags": list(reward.flags), "summary": reward.explanation.summary,
                 "referrer_id": referrer_id, "lead_id": reward.lead_id},
    ))


def review_reward(reward_id: str, status: RewardStatus, *,
                  repositories: Repositories, reviewer: str | None = None, note: str = "",
                  now: datetime | None = None, automatic: bool = False,
                  expected: RewardStatus | None = None) -> Reward:
    """A reviewer's decision on a held reward (approve or reject; a rejection releases
    the reward's reservation on the referrer's monthly budget). With ``reviewer`` the
    decision is recorded beside the reward (who, when, the note; ``automatic`` for the
    deadline job); with ``expected`` it applies only to a reward still in that status
    (``InvalidInput`` otherwise), so a decision already taken is never overturned by a
    late one. See :mod:`socialreferral.service.reviews` for the queue."""
    decision = None if reviewer is None else ReviewDecision(
        by=reviewer, at=now or datetime.now(UTC), note=note, automatic=automatic)
    return repositories.referrals.review_reward(reward_id, status, decision=decision,
                                                expected=expected)


def _reward(repositories: Repositories, settings: ReferralSettings, referral: Referral,
            referrer: Customer, reward_id: str, lead_input: LeadInput, result: LeadResult,
            now: datetime) -> Reward:
    referrals = repositories.referrals
    network = referrals.offer_network(referral.offer_id)
    facts = repositories.graph.eligibility(referrer.customer_id, network)
    past = referrals.rewards_of(referrer.customer_id)
    successful = sum(1 for r in past
                     if r.reward.status in (RewardStatus.APPROVED, RewardStatus.PAID))
    prior = referrals.referrals_of_prospect(referral.prospect_id)
    lead_referral_id = result.lead.referral_id
    if lead_referral_id and lead_referral_id != referral.referral_id:
        # The CRM already had this person as another referral's lead: that one counts too.
        other = referrals.referral(lead_referral_id)
        if other is not None and all(o.referral_id != other.referral_id for o in prior):
            prior.append(other)
    known = repositories.customers.is_known(network, referral.prospect_id,
                                            email=lead_input.email, phone=lead_input.phone)
    verdict = check_referral(
        LeadContact.of(lead_input, person_id=referral.prospect_id), referrer, known, prior,
        referrals.lead_times(referrer.customer_id, excluding=referral.referral_id), now,
        settings.fraud,
    )

    def incentive_for(paid: Decimal) -> Incentive:
        return compute_incentive(referrer, successful, facts.connections if facts else 0,
                                 facts.influence if facts else 0.0, paid, settings.incentives)

    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    incentive = referrals.reserve_incentive(
        referrer.customer_id, reward_id, now, incentive_for,
        # Rewards of this month from before budgets were kept (an upgrade mid-month).
        legacy=lambda: sum((r.reward.amount for r in past
                            if r.reward.status in (RewardStatus.APPROVED, RewardStatus.PAID)
                            and r.at >= month_start), Decimal("0")),
    )
    explanation = incentive.explanation.model_copy(update={
        "summary": f"{incentive.explanation.summary}; fraud: {verdict.explanation.summary}"
        + (f" (recommended: {verdict.recommended_status.value})" if verdict.flags else "")
    })
    return Reward(
        reward_id=reward_id, referral_id=referral.referral_id, referrer_id=referrer.customer_id,
        lead_id=result.lead.lead_id, amount=incentive.amount, currency=settings.currency,
        status=RewardStatus.PENDING_REVIEW if verdict.flags else RewardStatus.APPROVED,
        flags=verdict.codes, explanation=explanation,
    )


__all__ = [
    "LINK_KEY_SECRET",
    "open_link",
    "parse_lead_form",
    "recommend",
    "review_reward",
    "signing_key",
    "submit_lead",
    "verification_keys",
]
