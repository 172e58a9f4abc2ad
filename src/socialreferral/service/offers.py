"""Creating an offer and asking its referrer: the step every kind of offer ends with.

Personalised offers (the worker) and manual offers (the CRM's answers, picked up by
:func:`collect_manual_offers`) both go through :func:`create_and_ask`: the offer is
created once (deterministic id, create-only), the referrer is asked through the
SocialChannel (idempotent on the message id), and the offer moves to ASKED — so a retry
at any point completes the rest without repeating what was done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from socialreferral import observability
from socialreferral.domain.crm import OpportunityStatus
from socialreferral.domain.customers import Customer
from socialreferral.domain.referrals import (
    Offer,
    OfferKind,
    OfferStatus,
    message_id_for,
    offer_id_for,
)
from socialreferral.domain.social import OutboundMessage
from socialreferral.errors import TokenInvalid
from socialreferral.ports import CRM, SocialChannel
from socialreferral.repositories import Repositories
from socialreferral.repositories.referrals import NewOffer, OfferMove, OfferVersion

StepHook = Callable[[str, str], None]
"""Called as ``hook(step, record_id)`` after each durable step (tests simulate crashes)."""


def create_and_ask(offer: Offer, referrer: Customer, network: str, accepted_at: float, *,
                   repositories: Repositories, social: SocialChannel,
                   hook: StepHook | None = None, asked: list[OfferMove] | None = None) -> bool:
    """Create the offer (once), ask the referrer, mark it ASKED; True if created now.

    With ``asked`` given, the move to ASKED is appended there instead of written: the
    caller writes the moves with ``repositories.referrals.advance_offers`` before it
    acknowledges the message (the worker does it once per batch).
    """
    with observability.span("offer.create", attributes={"socialreferral.offer_id": offer.offer_id,
                                                        "socialreferral.kind": offer.kind.value}):
        created = _create_and_ask(offer, referrer, network, accepted_at,
                                  repositories=repositories, social=social, hook=hook,
                                  asked=asked)
    if created:
        observability.count("socialreferral.offers", kind=offer.kind.value)
    return created


def _create_and_ask(offer: Offer, referrer: Customer, network: str, accepted_at: float, *,
                    repositories: Repositories, social: SocialChannel,
                    hook: StepHook | None, asked: list[OfferMove] | None) -> bool:
    version = repositories.referrals.store_new_offer(
        offer, network=network, accepted_at=accepted_at, stored_at=time.time(),
        referrer_person_id=referrer.person_id(network))
    _ask(offer, version, referrer, network, repositories=repositories, social=social,
         hook=hook, asked=asked)
    return version is not None


@dataclass(frozen=True, slots=True)
class OfferToAsk:
    """One offer of :func:`create_and_ask_many`; ``trace`` is the parent span's context
    (the event's), so each offer's span joins its event's trace."""

    offer: Offer
    referrer: Customer
    network: str
    accepted_at: float
    trace: Mapping[str, str] = field(default_factory=dict)


def create_and_ask_many(items: Sequence[OfferToAsk], *, repositories: Repositories,
                        social: SocialChannel, hook: StepHook | None = None,
                        asked: list[OfferMove] | None = None) -> list[bool | Exception]:
    """:func:`create_and_ask` for many offers: one batch write creates every offer, then
    each referrer is asked in turn, so each offer still goes stored → asked → ASKED.

    Per item, in order: True if its offer was created now, False if it existed, or the
    exception that stopped it (the others go on). Raises when the batch write itself
    fails: then no referrer was asked.
    """
    stored_at = time.time()
    versions = repositories.referrals.store_new_offers([
        NewOffer(item.offer, item.network, item.accepted_at, stored_at,
                 item.referrer.person_id(item.network)) for item in items])
    results: list[bool | Exception] = []
    for item in items:
        offer, version = item.offer, versions[item.offer.offer_id]
        if isinstance(version, Exception):
            results.append(version)
            continue
        try:
            with observability.span("offer.create", parent=item.trace or None, attributes={
                    "socialreferral.offer_id": offer.offer_id,
                    "socialreferral.kind": offer.kind.value}):
                _ask(offer, version, item.referrer, item.network, repositories=repositories,
                     social=social, hook=hook, asked=asked)
        except Exception as exc:  # this offer only: the caller keeps its message unacked
            results.append(exc)
            continue
        if version is not None:
            observability.count("socialreferral.offers", kind=offer.kind.value)
        results.append(version is not None)
    return results


def _ask(offer: Offer, version: OfferVersion | None, referrer: Customer, network: str, *,
         repositories: Repositories, social: SocialChannel, hook: StepHook | None,
         asked: list[OfferMove] | None) -> None:
    """Ask the referrer about the stored ``offer`` and move it to ASKED (or append the
    move to ``asked``)."""
    if hook is not None:
        hook("offer_stored", offer.offer_id)
    account = referrer.person_id(network)
    try:
        social.send(OutboundMessage(
            message_id=message_id_for(offer.offer_id, "ask"),
            recipient_id=account or referrer.customer_id,
            text=f"Your friend may be interested: {offer.text} Would you recommend it?",
            kind="ask",
        ))
    except TokenInvalid as refused:
        if refused.person_id is None:
            raise  # the Page's own token: an operator must reconnect it; the job waits
        # The referrer's grant expired or was revoked: ask them to log in again instead of
        # failing the job; the offer stays stored (not ASKED) for a later reminder.
        repositories.customers.require_reconsent(referrer.customer_id, network,
                                                 datetime.now(UTC))
        return
    if hook is not None:
        hook("referrer_asked", offer.offer_id)
    move: OfferMove = (offer.offer_id, OfferStatus.ASKED, version)
    if asked is None:
        repositories.referrals.advance_offers([move])
    else:
        asked.append(move)


def collect_manual_offers(*, repositories: Repositories, crm: CRM, social: SocialChannel,
                          now: datetime) -> int:
    """Turn the CRM's answered manual-offer opportunities into offers (idempotent).

    Returns how many offers this run created.
    """
    created = 0
    for opportunity in crm.list_opportunities(status=OpportunityStatus.ANSWERED.value):
        pending = repositories.referrals.pending_manual(opportunity.opportunity_id)
        if pending is None or not opportunity.offer_text:
            continue
        referrer = repositories.customers.get(pending.referrer_id)
        if referrer is None:
            continue
        offer = Offer(
            offer_id=offer_id_for(pending.event_id, pending.product_id, pending.prospect_id),
            event_id=pending.event_id, product_id=pending.product_id,
            prospect_id=pending.prospect_id, referrer_id=referrer.customer_id,
            text=opportunity.offer_text, kind=OfferKind.MANUAL,
            created_at=opportunity.answered_at or now,
        )
        created += create_and_ask(offer, referrer, pending.network, pending.accepted_at,
                                  repositories=repositories, social=social)
    return created


__all__ = ["OfferToAsk", "StepHook", "collect_manual_offers", "create_and_ask",
           "create_and_ask_many"]
