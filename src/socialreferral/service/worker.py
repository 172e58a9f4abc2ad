"""The processing worker (seed 000, Section 5.2): queue batch in, offers and asks out.

For each event: analyse the text (the domain's :class:`ActivityAnalyzer`) against the CRM
catalog → find the eligible, consenting customers connected to the author → choose the
conduit (strongest tie, explained) → apply the contact policy (race-safe, see
:mod:`socialreferral.service.contacts`) → create a personalised offer, or open a CRM
opportunity for a manual-offer product → ask the referrer through the SocialChannel → ack.

Exactly once: every effect has a deterministic id (``offer_id_for`` ...) and is written
create-only or sent idempotently, and the message is acked only after all of them. A
worker killed half way leaves the message unacked; when it is redelivered the steps
already done are no-ops and the rest complete. :func:`collect_manual_offers` later turns
the CRM's answered opportunities into offers the same way.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from socialreferral.domain.crm import Opportunity, OpportunityStatus, Product
from socialreferral.domain.people import Consent, Customer
from socialreferral.domain.referrals import (
    Offer,
    OfferKind,
    OfferStatus,
    message_id_for,
    offer_id_for,
    opportunity_id_for,
    personalise,
)
from socialreferral.domain.settings import ReferralSettings
from socialreferral.domain.social import Connection, OutboundMessage, SocialEvent
from socialreferral.domain.ties import ConduitChoice, choose_conduit
from socialreferral.errors import CRMRecordNotFound, InvalidInput
from socialreferral.ports import CRM, DocumentStore, Queue, SocialChannel
from socialreferral.records import Document, Filter, ReceivedMessage, WriteItem
from socialreferral.service.contacts import reserve_contact
from socialreferral.service.messages import (
    EventMessage,
    decode_event,
    flush_timings,
    timing_item,
)
from socialreferral.service.records import (
    Collections,
    create_model,
    get_model,
    load,
    safe_key,
)
from socialreferral.text.activity import ActivityAnalyzer, ActivitySignal
from socialreferral.text.keyword_analyzer import KeywordAnalyzer

log = logging.getLogger(__name__)

StepHook = Callable[[str, str], None]
"""Called as ``hook(step, record_id)`` after each durable step (tests simulate crashes)."""

_IN_CHUNK = 50  # authors per "in" query (DynamoDB allows 100 values in an IN condition)


@dataclass
class _BatchCache:
    """Reads shared by the events of one batch (a batch is seconds long).

    Connections of every author in the batch come from one query per network instead of
    one per event, and the eligibility, consent and customer of a conduit candidate are
    read once per batch however many authors they are connected to. Writes are not
    cached: the contact policy and the offers still read and write through the store.
    """

    connections: dict[tuple[str, str], list[Document]] = field(default_factory=dict)
    candidates: dict[tuple[str, str], tuple[Customer, Any] | None] = field(
        default_factory=dict)
    events: list[WriteItem] = field(default_factory=list)


@dataclass
class Outcome:
    """What processing one event did (``status`` is one word, for counters and tests)."""

    event_id: str
    status: str
    offer_id: str | None = None
    detail: str = ""


@dataclass
class Worker:
    """Processes queue batches with one set of adapters and settings."""

    queue: Queue
    store: DocumentStore
    crm: CRM
    social: SocialChannel
    settings: ReferralSettings
    analyzer: ActivityAnalyzer | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    hook: StepHook | None = None
    _catalog: list[Product] | None = field(default=None, repr=False)
    _timings: list[WriteItem] = field(default_factory=list, repr=False)
    _batch: _BatchCache | None = field(default=None, repr=False)

    # -- batch level -----------------------------------------------------------------
    def run_once(self, max_messages: int = 10, wait_seconds: float = 0.0) -> list[Outcome]:
        """Receive one batch, process it, ack what succeeded. Returns the outcomes."""
        messages = self.queue.receive(max_messages, wait_seconds=wait_seconds)
        return self.process_batch(messages)

    def drain(self, *, idle_seconds: float = 0.5, max_seconds: float = 300.0) -> int:
        """Process until the queue stays empty for ``idle_seconds``; return events done."""
        done = 0
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline:
            outcomes = self.run_once(wait_seconds=idle_seconds)
            if not outcomes:
                break
            done += len(outcomes)
        return done

    def process_batch(self, messages: Sequence[ReceivedMessage]) -> list[Outcome]:
        """Process ``messages``; ack each one whose event was fully handled.

        A message whose body is not ours is acked (retrying cannot fix it) and logged;
        one whose processing raised stays unacked, to be redelivered (and dead-lettered
        after ``max_receives``).
        """
        decoded: list[tuple[ReceivedMessage, EventMessage]] = []
        outcomes: list[Outcome] = []
        done: list[ReceivedMessage] = []
        for message in messages:
            try:
                decoded.append((message, decode_event(message.body)))
            except InvalidInput as exc:
                log.warning("dropping malformed queue message %s: %s", message.message_id, exc)
                outcomes.append(Outcome(message.message_id, "malformed", detail=str(exc)))
                done.append(message)
        if decoded:
            analyzer = self._analyzer()
            catalog = self.catalog()
            prepare = getattr(analyzer, "prepare", None)
            if callable(prepare):  # model building is once per catalog, not per-event time
                prepare(catalog)
            started = time.perf_counter()
            signals = analyzer.analyze([d.event for _, d in decoded], catalog)
            share = (time.perf_counter() - started) / len(decoded)
            self._batch = _BatchCache()
            try:
                self._prefetch_connections(
                    [d.event for (_, d), sig in zip(decoded, signals, strict=True)
                     if sig.purchase_intent])
                for (message, item), signal in zip(decoded, signals, strict=True):
                    self._time("semantic", item.event.event_id, share)
                    try:
                        outcomes.append(self.process_event(item, signal))
                    except Exception as exc:  # leave it unacked: redelivery retries it
                        log.warning("event %s failed, will be redelivered: %s",
                                    item.event.event_id, exc)
                        outcomes.append(Outcome(item.event.event_id, "failed",
                                                detail=str(exc)))
                        continue
                    done.append(message)
                # The processed-event records go in one batch write, before the ack (they
                # are keyed by event id, so a redelivery rewrites rather than adds).
                _put_all(self.store, Collections.EVENTS, self._batch.events)
            finally:
                self._batch = None
        # Samples are written before the ack: a crash loses at most this batch's samples.
        flush_timings(self.store, self._timings)
        if done:
            self.queue.ack(*done)
        return outcomes

    # -- event level -----------------------------------------------------------------
    def process_event(self, item: EventMessage, signal: ActivitySignal) -> Outcome:
        """Handle one analysed event (all steps idempotent)."""
        event, now = item.event, self.clock()
        record = WriteItem(safe_key(event.event_id), {
            "event_id": event.event_id, "network": event.network, "author_id": event.author_id,
            "matched": signal.purchase_intent, "product_id": signal.product_id,
            "sentiment": signal.sentiment, "score": signal.score,
            "accepted_at": item.accepted_at, "processed_at": time.time(),
        })
        if self._batch is not None:
            self._batch.events.append(record)
        else:
            self.store.put(Collections.EVENTS, record.key, record.value)
        if not signal.purchase_intent or signal.product_id is None:
            return Outcome(event.event_id, "no_intent")
        if self.store.find(Collections.PERSONS, safe_key(event.network, event.author_id)):
            # The author is a customer already: nobody to acquire through a referral.
            return Outcome(event.event_id, "author_is_customer")
        product = next((p for p in self.catalog() if p.product_id == signal.product_id), None)
        if product is None:
            return Outcome(event.event_id, "unknown_product", detail=signal.product_id)

        started = time.perf_counter()
        candidates = self.candidates(event)
        choice = choose_conduit(candidates, now, self.settings.ties)
        self._time("influence", event.event_id, time.perf_counter() - started)
        if choice is None:
            return Outcome(event.event_id, "no_conduit")

        started = time.perf_counter()
        offer_id = offer_id_for(event.event_id, product.product_id, event.author_id)
        decision = reserve_contact(
            self.store, self.settings.contact_policy, offer_id=offer_id,
            prospect_id=event.author_id, referrer_id=choice.customer_id,
            product_id=product.product_id, now=now,
        )
        if not decision.allowed:
            return Outcome(event.event_id, f"policy_{decision.reason.value}",
                           detail=decision.explanation.summary)
        referrer = next((c for c, _ in candidates if c.customer_id == choice.customer_id), None)
        if referrer is None:  # consistency guard: the conduit is one of the candidates
            return Outcome(event.event_id, "no_conduit", detail="referrer vanished")
        prospect_name = str(event.extra.get("author_name") or "there")
        if product.manual_offer:
            self._open_opportunity(event, product, referrer, choice, item.accepted_at)
            return Outcome(event.event_id, "manual_offer_routed")
        offer = Offer(
            offer_id=offer_id, event_id=event.event_id, product_id=product.product_id,
            prospect_id=event.author_id, referrer_id=referrer.customer_id,
            text=personalise(product, prospect_name, referrer.display_name),
            kind=OfferKind.PERSONALISED, created_at=now, explanation=choice.explanation,
        )
        self.store_and_ask(offer, referrer, event.network, item.accepted_at)
        self._time("offer", event.event_id, time.perf_counter() - started)
        return Outcome(event.event_id, "offer", offer_id=offer_id)

    def store_and_ask(
        self, offer: Offer, referrer: Customer, network: str, accepted_at: float
    ) -> None:
        """Create the offer (once), ask the referrer (idempotent send), mark it ASKED."""
        create_model(self.store, Collections.OFFERS, offer.offer_id, offer,
                     network=network, accepted_at=accepted_at, stored_at=time.time(),
                     referrer_person_id=referrer.person_id(network))
        self._step("offer_stored", offer.offer_id)
        recipient = referrer.person_id(network) or referrer.customer_id
        self.social.send(OutboundMessage(
            message_id=message_id_for(offer.offer_id, "ask"), recipient_id=recipient,
            text=f"Your friend may be interested: {offer.text} Would you recommend it?",
            kind="ask",
        ))
        self._step("referrer_asked", offer.offer_id)
        self.store.update(Collections.OFFERS, offer.offer_id, _advance(OfferStatus.ASKED))

    def candidates(self, event: SocialEvent) -> list[tuple[Customer, Connection]]:
        """Eligible customers with an active consent who are connected to the author."""
        out = []
        batch = self._batch
        cached = None if batch is None else batch.connections.get(
            (event.network, event.author_id))
        connections = cached if cached is not None else self.store.iter_query(
            Collections.CONNECTIONS, {"other_id": event.author_id, "network": event.network}
        )
        for document in connections:
            customer_id = document.value.get("_customer_id")
            if not isinstance(customer_id, str):
                continue
            key = (customer_id, event.network)
            if batch is not None and key in batch.candidates:
                found = batch.candidates[key]
            else:
                found = self._candidate(customer_id, event.network)
                if batch is not None:
                    batch.candidates[key] = found
            if found is not None and found[1].active_at(self.clock()):
                out.append((found[0], load(Connection, document.value)))
        return out

    def _candidate(self, customer_id: str, network: str) -> tuple[Customer, Consent] | None:
        """The customer and consent if eligible on ``network`` with a consent on record."""
        eligibility = self.store.find(Collections.ELIGIBILITY, safe_key(customer_id, network))
        if eligibility is None or not eligibility.value.get("eligible"):
            return None
        consent = get_model(self.store, Collections.CONSENTS, safe_key(customer_id, network),
                            Consent)
        if consent is None:
            return None
        customer = get_model(self.store, Collections.CUSTOMERS, customer_id, Customer)
        return None if customer is None else (customer, consent)

    def _prefetch_connections(self, events: Sequence[SocialEvent]) -> None:
        """Read the connections of every author in ``events`` with a few "in" queries."""
        batch = self._batch
        assert batch is not None
        authors: dict[str, set[str]] = {}
        for event in events:
            authors.setdefault(event.network, set()).add(event.author_id)
        for network, ids in authors.items():
            ordered = sorted(ids)
            for start in range(0, len(ordered), _IN_CHUNK):
                chunk = ordered[start : start + _IN_CHUNK]
                found: dict[tuple[str, str], list[Document]] = {
                    (network, author): [] for author in chunk}
                try:
                    for document in self.store.iter_query(Collections.CONNECTIONS, [
                        Filter("network", "eq", network), Filter("other_id", "in", chunk),
                    ]):
                        other = document.value.get("other_id")
                        if isinstance(other, str) and (network, other) in found:
                            found[(network, other)].append(document)
                except Exception as exc:  # each event then queries for itself, as before
                    log.warning("prefetching connections failed: %s", exc)
                    continue
                batch.connections.update(found)

    def catalog(self) -> list[Product]:
        """The CRM's active products (read once per worker; a job is short-lived)."""
        if self._catalog is None:
            self._catalog = self.crm.list_products()
        return self._catalog

    def _analyzer(self) -> ActivityAnalyzer:
        if self.analyzer is None:
            self.analyzer = make_analyzer(self.settings)
        return self.analyzer

    def _time(self, step: str, record_id: str, seconds: float) -> None:
        # Collected and written once per batch: timing is bookkeeping, not worth a write
        # per step on the hot path.
        self._timings.append(timing_item(step, record_id, seconds))

    def _step(self, step: str, record_id: str) -> None:
        if self.hook is not None:
            self.hook(step, record_id)

    def _open_opportunity(
        self, event: SocialEvent, product: Product, referrer: Customer,
        choice: ConduitChoice, accepted_at: float,
    ) -> None:
        opportunity_id = opportunity_id_for(event.event_id, product.product_id, event.author_id)
        try:
            self.crm.get_opportunity(opportunity_id)
        except CRMRecordNotFound:
            # save_opportunity overwrites: only create when absent, or a redelivery
            # would reset an agent's answer to OPEN.
            self.crm.save_opportunity(Opportunity(
                opportunity_id=opportunity_id, product_id=product.product_id,
                prospect_id=event.author_id, referrer_id=referrer.customer_id,
                context=f"{event.text[:3000]}\n\nconduit: {choice.explanation.summary}",
            ))
        self.store.put(Collections.MANUAL, opportunity_id, {
            "opportunity_id": opportunity_id, "event_id": event.event_id,
            "network": event.network, "product_id": product.product_id,
            "prospect_id": event.author_id, "referrer_id": referrer.customer_id,
            "accepted_at": accepted_at, "explanation": choice.explanation.model_dump(mode="json"),
        })


def _put_all(store: DocumentStore, collection: str, items: list[WriteItem]) -> None:
    if not items:
        return
    if store.supports("batch"):
        result = store.put_many(collection, items)
        if result.failed:  # unconditional writes: only a store error gets here
            raise next(iter(result.failed.values()))
    else:
        for item in items:
            store.put(collection, item.key, item.value)


def make_analyzer(settings: ReferralSettings) -> ActivityAnalyzer:
    """The analyzer ``settings.analyzer.kind`` names: ``"text"`` (default) or ``"keyword"``."""
    if settings.analyzer.kind == "keyword":
        return KeywordAnalyzer(settings.analyzer)
    # Imported here: the text models cost ~0.6 s to import; keyword-only workers skip it.
    from socialreferral.text.catalog_analyzer import TextAnalyticsAnalyzer

    return TextAnalyticsAnalyzer(settings.analyzer)


def _advance(status: OfferStatus) -> Callable[[dict[str, Any] | None], dict[str, Any]]:
    def change(current: dict[str, Any] | None) -> dict[str, Any]:
        if current is None:
            raise InvalidInput("offer vanished", field="offer_id")
        offer = load(Offer, current)
        try:
            moved = offer.with_status(status)
        except ValueError:
            return current  # already further along (a redelivery): keep it
        meta = {k: v for k, v in current.items() if k.startswith("_")}
        return {**moved.model_dump(mode="json"), **meta}

    return change


def advance_offer(store: DocumentStore, offer_id: str, status: OfferStatus) -> None:
    """Move an offer forward (no-op if it is already there or further)."""
    store.update(Collections.OFFERS, offer_id, _advance(status))


def collect_manual_offers(worker: Worker) -> int:
    """Turn the CRM's answered manual-offer opportunities into offers (idempotent).

    Returns how many offers this run created.
    """
    created = 0
    for opportunity in worker.crm.list_opportunities(status=OpportunityStatus.ANSWERED.value):
        pending = worker.store.find(Collections.MANUAL, opportunity.opportunity_id)
        if pending is None or not opportunity.offer_text:
            continue
        info = pending.value
        offer_id = offer_id_for(info["event_id"], info["product_id"], info["prospect_id"])
        referrer = get_model(worker.store, Collections.CUSTOMERS, info["referrer_id"], Customer)
        if referrer is None:
            continue
        if worker.store.find(Collections.OFFERS, offer_id) is None:
            created += 1
        offer = Offer(
            offer_id=offer_id, event_id=info["event_id"], product_id=info["product_id"],
            prospect_id=info["prospect_id"], referrer_id=referrer.customer_id,
            text=opportunity.offer_text, kind=OfferKind.MANUAL,
            created_at=opportunity.answered_at or worker.clock(),
        )
        worker.store_and_ask(offer, referrer, info["network"], float(info["accepted_at"]))
    return created


__all__ = [
    "Outcome",
    "StepHook",
    "Worker",
    "advance_offer",
    "collect_manual_offers",
    "make_analyzer",
]


# -- batch task entry point ------------------------------------------------------------
def task_payload(settings: Any, **options: Any) -> dict[str, Any]:
    """The JSON payload of a ``referral.process-batch`` job for ``settings``.

    Secrets (every ``SecretStr`` provider setting) are left out: payloads may be logged or
    stored by a batch service. A worker adds them from the submitter's settings file when
    it can read it (``settings_file``: a worker on the same machine) and from its own
    ``SOCIALREFERRAL__*`` environment (a container); the local provider's secret store
    falls back to its key file in ``data_dir``.
    """
    # Imported here: building the payload needs the provider models (composition root).
    from socialreferral.bootstrap import shareable_settings

    payload: dict[str, Any] = {"settings": shareable_settings(settings), **options}
    if getattr(settings, "source_file", None) is not None:
        payload["settings_file"] = str(settings.source_file)
    return payload


def process_batch_task(payload: dict[str, Any], index: int) -> None:
    """Batch task ``referral.process-batch``: drain the events queue, then exit.

    ``payload``: ``settings`` (a settings mapping, see :func:`task_payload`), optionally
    ``settings_file`` (read when this worker can see it),
    ``idle_seconds`` (stop after the queue stayed empty that long, default 1),
    ``max_seconds`` (hard stop, default 600). Every array child drains the same queue;
    the queue hands each message to one of them.
    """
    # Imported here: this function is an entry point (a composition root of its own,
    # running in a fresh worker process); the rest of the service never builds adapters.
    from pathlib import Path

    from socialreferral.bootstrap import build_providers
    from socialreferral.settings import load_settings

    settings_file = payload.get("settings_file")
    readable = settings_file if settings_file and Path(settings_file).is_file() else None
    # File (secrets included), then the payload (everything else, as submitted), then env.
    settings = load_settings(readable, env=os.environ, overrides=payload.get("settings") or {})
    with build_providers(settings) as providers:
        worker = Worker(queue=providers.queue, store=providers.store, crm=providers.crm,
                        social=providers.social, settings=settings.referral)
        worker.drain(idle_seconds=float(payload.get("idle_seconds", 1.0)),
                     max_seconds=float(payload.get("max_seconds", 600.0)))
