"""The processing worker (seed 000, Section 5.2): queue batch in, offers and asks out.

For each event: analyse the text (an :class:`ActivityAnalyzer`) against the CRM catalog →
find the eligible, consenting customers connected to the author → choose the conduit
(strongest tie, explained) → apply the contact policy (race-safe, in the contact
repository) → create a personalised offer, or open a CRM opportunity for a manual-offer
product → ask the referrer through the SocialChannel → ack.

Exactly once: every effect has a deterministic id and is written create-only or sent
idempotently, and a message is acked only after all of its effects. A worker killed half
way leaves the message unacked; when it is redelivered the steps already done are no-ops.

Other consumers of the same events (the care queue takes the events of the brand's
pages) plug in as ``sinks``: each gets the batch's fully processed events before they are
acknowledged and names the ones it failed on, whose messages then stay unacked and are
redelivered — so a sink must be idempotent, like every step here. With no sinks the
worker is exactly the referral flow.

Robust batches: the analyzer is built and warmed (:meth:`Worker.start`) *before* the first
receive, so no message waits on a model build; the messages of a batch are held under a
:class:`~socialreferral.service.leases.Lease` that extends their visibility while the batch
runs; a message that cannot be decoded is isolated alone (released to reach the
dead-letter queue, or recorded and dropped when the queue has none) and one whose
processing raises stays unacked alone — the rest of the batch is acked either way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from socialreferral import observability
from socialreferral.domain.crm import Opportunity, Product
from socialreferral.domain.customers import Customer
from socialreferral.domain.referrals import (
    Offer,
    OfferKind,
    PendingManualOffer,
    offer_id_for,
    opportunity_id_for,
    personalise,
)
from socialreferral.domain.settings import ReferralSettings
from socialreferral.domain.social import Connection, SocialEvent
from socialreferral.domain.ties import ConduitChoice, choose_conduit
from socialreferral.errors import CRMRecordNotFound, InvalidInput
from socialreferral.ports import CRM, Queue, SocialChannel
from socialreferral.records import Capability, ReceivedMessage
from socialreferral.repositories import ProcessedEvent, Repositories, TimingSample
from socialreferral.repositories.referrals import OfferMove
from socialreferral.service.leases import Lease
from socialreferral.service.offers import OfferToAsk, StepHook, create_and_ask_many
from socialreferral.service.queued_events import QueuedEvent, decode_event
from socialreferral.text.activity import ActivityAnalyzer, ActivitySignal, make_analyzer

log = logging.getLogger(__name__)

Candidate = tuple[Customer, Connection]


class EventSink(Protocol):
    """Another consumer of the worker's events (module docstring)."""

    name: str

    def consume(self, events: Sequence[SocialEvent]) -> set[str]:
        """Take ``events`` (idempotently); return the ids of those that failed."""


@dataclass
class Outcome:
    """What processing one message did (``status`` is one word, for counters and tests)."""

    event_id: str
    status: str
    offer_id: str | None = None
    detail: str = ""


@dataclass
class WorkerStats:
    """Counters of one worker's life (logged when a drain ends)."""

    batches: int = 0
    processed: int = 0
    failed: int = 0
    malformed: int = 0
    stale_acks: int = 0
    extensions: int = 0


@dataclass
class _Batch:
    """Reads shared by the events of one batch (a batch is seconds long): connections of
    every author come from a few queries, a candidate's records are read once."""

    connections: dict[tuple[str, str], list[tuple[str, Connection]]] = field(
        default_factory=dict)
    candidates: dict[tuple[str, str], Customer | None] = field(default_factory=dict)
    customer_authors: dict[tuple[str, str], bool] = field(default_factory=dict)
    records: list[ProcessedEvent] = field(default_factory=list)
    timings: list[TimingSample] = field(default_factory=list)
    asked: list[OfferMove] = field(default_factory=list)
    offers: list[_PendingOffer] = field(default_factory=list)


@dataclass
class _PendingOffer:
    """An offer decided for an event, created with the rest of its batch (one write)."""

    message_id: str
    outcome: Outcome
    request: OfferToAsk
    seconds: float  # the event's share of the offer step so far (contact reservation)


@dataclass
class Worker:
    """Processes queue batches with one set of adapters, repositories and settings."""

    queue: Queue
    repositories: Repositories
    crm: CRM
    social: SocialChannel
    settings: ReferralSettings
    analyzer: ActivityAnalyzer | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    hook: StepHook | None = None
    sinks: Sequence[EventSink] = ()
    batch_size: int = 50
    """Messages :meth:`drain` asks for per receive (capped by the queue's ``max_batch``):
    per-batch costs (the lease, the prefetching reads, the bookkeeping writes) are spread
    over more events, and a batch of 50 still takes well under a second."""
    stats: WorkerStats = field(default_factory=WorkerStats)
    _catalog: list[Product] | None = field(default=None, repr=False)
    _warm: bool = field(default=False, repr=False)

    # -- life cycle ------------------------------------------------------------------
    def start(self) -> None:
        """Read the catalog and build/warm the analyzer for it (idempotent). Called before
        the first receive, so no received message waits on a model build."""
        if self._warm:
            return
        self._analyzer().prepare(self.catalog())
        self._warm = True

    def run_once(self, max_messages: int = 10, wait_seconds: float = 0.0) -> list[Outcome]:
        """Receive one batch, process it, ack what succeeded. Returns the outcomes."""
        self.start()
        return self.process_batch(self.queue.receive(max_messages, wait_seconds=wait_seconds))

    def drain(self, *, idle_seconds: float = 0.5, max_seconds: float = 300.0) -> int:
        """Process until the queue stays empty for ``idle_seconds``; return messages done."""
        self.start()
        done = 0
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline:
            outcomes = self.run_once(self.batch_size, wait_seconds=idle_seconds)
            if not outcomes:
                break
            done += len(outcomes)
        log.info("worker drained: %s", self.stats)
        return done

    # -- batch level -----------------------------------------------------------------
    def process_batch(self, messages: Sequence[ReceivedMessage]) -> list[Outcome]:
        """Process ``messages``; ack each whose event was fully handled (see module doc)."""
        if not messages:
            return []
        self.stats.batches += 1
        outcomes: list[Outcome] = []
        with Lease(self.queue, messages) as lease:
            decoded: list[tuple[ReceivedMessage, QueuedEvent]] = []
            for message in messages:
                try:
                    decoded.append((message, decode_event(message.body)))
                except InvalidInput as exc:
                    outcomes.append(self._isolate(lease, message, exc))
            done = self._process_decoded(decoded, outcomes) if decoded else []
            lease.ack(done)
            self.stats.stale_acks += lease.stale_acks
            self.stats.extensions += lease.extensions
        return outcomes

    def _process_decoded(self, decoded: list[tuple[ReceivedMessage, QueuedEvent]],
                         outcomes: list[Outcome]) -> list[str]:
        self.start()
        batch = _Batch()
        started = time.perf_counter()
        signals = self._analyze([item.event for _, item in decoded])
        share = (time.perf_counter() - started) / len(decoded)
        done: list[str] = []
        self._prefetch(batch, [item.event for (_, item), signal in zip(decoded, signals,
                                                                        strict=True)
                               if signal is not None and signal.purchase_intent])
        for (message, item), signal in zip(decoded, signals, strict=True):
            event_id = item.event.event_id
            if signal is None:
                outcomes.append(self._failed(event_id, "analysis failed"))
                continue
            batch.timings.append(TimingSample("semantic", event_id, share))
            try:
                # The span continues the webhook's trace carried inside the message.
                with observability.span("worker.process_event", kind="consumer",
                                        parent=item.trace,
                                        attributes={"messaging.message.id": message.message_id,
                                                    "socialreferral.receive_count":
                                                        message.receive_count}):
                    outcome = self._process_event(batch, item, signal)
            except Exception as exc:  # left unacked: redelivered, dead-lettered alone
                log.warning("event %s failed, will be redelivered: %s", event_id, exc)
                outcomes.append(self._failed(event_id, str(exc)))
                observability.count("socialreferral.worker.events", status="failed")
                continue
            if batch.offers and batch.offers[-1].outcome is outcome:
                batch.offers[-1].message_id = message.message_id
                continue  # counted once its offer is created (_create_offers)
            outcomes.append(outcome)
            observability.count("socialreferral.worker.events", status=outcome.status)
            observability.observe("socialreferral.worker.latency",
                                  max(0.0, time.time() - item.accepted_at))
            done.append(message.message_id)
        if batch.offers:
            done.extend(self._create_offers(batch, {m.message_id: q for m, q in decoded},
                                            outcomes))
        if self.sinks and done:
            done = self._to_sinks(decoded, done, outcomes)
        try:
            # The batch's offers move to ASKED in one write, before any of its messages
            # is acked: a crash before it redelivers them, and the redelivery finds the
            # offers created and the asks sent, and moves them then.
            self.repositories.referrals.advance_offers(batch.asked)
            # Keyed by event id, so a redelivery rewrites rather than adds; written before
            # the ack, so a crash loses at most this batch's bookkeeping.
            self.repositories.events.record_processed(batch.records)
            self.repositories.timings.add(batch.timings)
        except Exception as exc:
            log.warning("batch bookkeeping failed; the batch will be redelivered: %s", exc)
            return []
        self.stats.processed += len(done)
        return done

    def _create_offers(self, batch: _Batch, items: dict[str, QueuedEvent],
                       outcomes: list[Outcome]) -> list[str]:
        """Create the batch's offers in one write, then ask each referrer; return the
        message ids of the events whose offer went through (the others stay unacked)."""
        pending, started = batch.offers, time.perf_counter()
        try:
            results: list[bool | Exception] = list(create_and_ask_many(
                [p.request for p in pending], repositories=self.repositories,
                social=self.social, hook=self.hook, asked=batch.asked))
        except Exception as exc:  # the batch write failed: nobody was asked
            results = [exc] * len(pending)
        share = (time.perf_counter() - started) / len(pending)
        done = []
        for entry, result in zip(pending, results, strict=True):
            event_id = entry.outcome.event_id
            if isinstance(result, Exception):
                log.warning("event %s failed, will be redelivered: %s", event_id, result)
                outcomes.append(self._failed(event_id, str(result)))
                observability.count("socialreferral.worker.events", status="failed")
                continue
            batch.timings.append(TimingSample("offer", event_id, entry.seconds + share))
            outcomes.append(entry.outcome)
            observability.count("socialreferral.worker.events", status=entry.outcome.status)
            observability.observe("socialreferral.worker.latency",
                                  max(0.0, time.time() - items[entry.message_id].accepted_at))
            done.append(entry.message_id)
        return done

    def _to_sinks(self, decoded: list[tuple[ReceivedMessage, QueuedEvent]], done: list[str],
                  outcomes: list[Outcome]) -> list[str]:
        """Hand the processed events to the sinks; keep unacked those a sink failed on."""
        finished = set(done)
        events = [item.event for message, item in decoded if message.message_id in finished]
        failed: set[str] = set()
        for sink in self.sinks:
            try:
                failed |= sink.consume(events)
            except Exception as exc:  # a sink that raises fails the whole batch's events
                log.warning("sink %s failed; the batch will be redelivered: %s",
                            sink.name, exc)
                failed |= {e.event_id for e in events}
        if not failed:
            return done
        for outcome in outcomes:
            if outcome.event_id in failed:
                outcome.status, outcome.detail = "failed", "a sink failed; redelivered"
        self.stats.failed += len(failed)
        return [m.message_id for m, item in decoded
                if m.message_id in finished and item.event.event_id not in failed]

    def _analyze(self, events: list[SocialEvent]) -> list[ActivitySignal | None]:
        """Signals for ``events``; if the batch call fails, each event alone (a bad text
        costs only itself, its signal None)."""
        analyzer, catalog = self._analyzer(), self.catalog()
        try:
            return list(analyzer.analyze(events, catalog))
        except Exception as exc:
            log.warning("batch analysis failed, analysing one by one: %s", exc)
        signals: list[ActivitySignal | None] = []
        for event in events:
            try:
                signals.append(analyzer.analyze([event], catalog)[0])
            except Exception as exc:
                log.warning("analysis of event %s failed: %s", event.event_id, exc)
                signals.append(None)
        return signals

    def _isolate(self, lease: Lease, message: ReceivedMessage, error: InvalidInput) -> Outcome:
        """A message that is not ours: dead-lettered alone when the queue can, else
        recorded (without its body) and dropped."""
        self.stats.malformed += 1
        observability.count("socialreferral.queue.dead_letters")
        if self.queue.supports(Capability.DEAD_LETTER) and self.queue.max_receives:
            log.warning("malformed queue message %s released towards the dead-letter "
                        "queue: %s", message.message_id, error)
            lease.release([message.message_id])
        else:
            log.warning("dropping malformed queue message %s: %s", message.message_id, error)
            self.repositories.events.record_rejected(message.message_id, message.body,
                                                     str(error), time.time())
            lease.ack([message.message_id])
        return Outcome(message.message_id, "malformed", detail=str(error))

    def _failed(self, event_id: str, detail: str) -> Outcome:
        self.stats.failed += 1
        return Outcome(event_id, "failed", detail=detail)

    # -- event level -----------------------------------------------------------------
    def _process_event(self, batch: _Batch, item: QueuedEvent,
                       signal: ActivitySignal) -> Outcome:
        """Handle one analysed event (all steps idempotent)."""
        event, now = item.event, self.clock()
        batch.records.append(ProcessedEvent(
            event_id=event.event_id, network=event.network, author_id=event.author_id,
            matched=signal.purchase_intent, product_id=signal.product_id,
            sentiment=signal.sentiment, score=signal.score, accepted_at=item.accepted_at,
            processed_at=time.time()))
        if not signal.purchase_intent or signal.product_id is None:
            return Outcome(event.event_id, "no_intent")
        owned = batch.customer_authors.get((event.network, event.author_id))
        if owned is None:
            owned = self.repositories.customers.owns_account(event.network, event.author_id)
        if owned:
            # The author is a customer already: nobody to acquire through a referral.
            return Outcome(event.event_id, "author_is_customer")
        product = next((p for p in self.catalog() if p.product_id == signal.product_id), None)
        if product is None:
            return Outcome(event.event_id, "unknown_product", detail=signal.product_id)

        started = time.perf_counter()
        candidates = self._candidates(batch, event)
        choice = choose_conduit(candidates, now, self.settings.ties)
        batch.timings.append(TimingSample("influence", event.event_id,
                                          time.perf_counter() - started))
        if choice is None:
            return Outcome(event.event_id, "no_conduit")
        referrer = next(c for c, _ in candidates if c.customer_id == choice.customer_id)

        started = time.perf_counter()
        offer_id = offer_id_for(event.event_id, product.product_id, event.author_id)
        decision = self.repositories.contacts.reserve(
            self.settings.contact_policy, offer_id=offer_id, prospect_id=event.author_id,
            referrer_id=referrer.customer_id, product_id=product.product_id, now=now)
        if not decision.allowed:
            return Outcome(event.event_id, f"policy_{decision.reason.value}",
                           detail=decision.explanation.summary)
        if product.manual_offer:
            self._open_opportunity(event, product, referrer, choice, item.accepted_at)
            return Outcome(event.event_id, "manual_offer_routed")
        prospect_name = str(event.extra.get("author_name") or "there")
        offer = Offer(
            offer_id=offer_id, event_id=event.event_id, product_id=product.product_id,
            prospect_id=event.author_id, referrer_id=referrer.customer_id,
            text=personalise(product, prospect_name, referrer.display_name),
            kind=OfferKind.PERSONALISED, created_at=now, explanation=choice.explanation,
        )
        outcome = Outcome(event.event_id, "offer", offer_id=offer_id)
        # Created, and its referrer asked, with the batch's other offers (_create_offers),
        # still inside this event's trace.
        batch.offers.append(_PendingOffer(
            "", outcome, OfferToAsk(offer, referrer, event.network, item.accepted_at,
                                    observability.carrier()),
            time.perf_counter() - started))
        return outcome

    def _candidates(self, batch: _Batch, event: SocialEvent) -> list[Candidate]:
        """Eligible customers with a consent active now who are connected to the author."""
        key = (event.network, event.author_id)
        if key not in batch.connections:
            batch.connections.update(self._connections(event.network, [event.author_id]))
        out = []
        for customer_id, connection in batch.connections[key]:
            ckey = (customer_id, event.network)
            if ckey not in batch.candidates:
                batch.candidates[ckey] = self._candidate(customer_id, event.network)
            customer = batch.candidates[ckey]
            if customer is not None:
                out.append((customer, connection))
        return out

    def _candidate(self, customer_id: str, network: str) -> Customer | None:
        """The customer if eligible on ``network`` with a consent covering now."""
        facts = self.repositories.graph.eligibility(customer_id, network)
        if facts is None or not facts.eligible:
            return None
        consent = self.repositories.customers.consent(customer_id, network)
        if consent is None or not consent.active_at(self.clock()):
            return None
        return self.repositories.customers.get(customer_id)

    def _prefetch(self, batch: _Batch, events: Sequence[SocialEvent]) -> None:
        """What the events with purchase intent will read, a few batch reads per network:
        which authors are customers, their connections, the connected customers'
        eligibility, consent and record. Whatever is not prefetched (a read failed) each
        event reads for itself."""
        authors: dict[str, set[str]] = {}
        for event in events:
            authors.setdefault(event.network, set()).add(event.author_id)
        for network, ids in authors.items():
            try:
                owned = self.repositories.customers.owned_accounts(network, ids)
                batch.customer_authors.update({(network, a): a in owned for a in ids})
                connections = self._connections(network, sorted(ids))
                batch.connections.update(connections)
                connected = {c for pairs in connections.values() for c, _ in pairs}
                batch.candidates.update(self._candidates_of(sorted(connected), network))
            except Exception as exc:  # each event then queries for itself
                log.warning("prefetching a batch's reads failed: %s", exc)

    def _candidates_of(self, customer_ids: Sequence[str],
                       network: str) -> dict[tuple[str, str], Customer | None]:
        """:meth:`_candidate` for many customers in three batch reads."""
        facts = self.repositories.graph.eligibility_of(customer_ids, network)
        eligible = [c for c in customer_ids if c in facts and facts[c].eligible]
        consents = self.repositories.customers.consents(eligible, network)
        now = self.clock()
        active = [c for c in eligible if c in consents and consents[c].active_at(now)]
        found = self.repositories.customers.get_many(active)
        return {(c, network): found.get(c) for c in customer_ids}

    def _connections(self, network: str, authors: Sequence[str],
                     ) -> dict[tuple[str, str], list[tuple[str, Connection]]]:
        found = self.repositories.graph.connections_to(network, authors)
        return {(network, author): pairs for author, pairs in found.items()}

    def catalog(self) -> list[Product]:
        """The CRM's active products (read once per worker; a job is short-lived)."""
        if self._catalog is None:
            self._catalog = self.crm.list_products()
        return self._catalog

    def _analyzer(self) -> ActivityAnalyzer:
        if self.analyzer is None:
            self.analyzer = make_analyzer(self.settings.analyzer)
        return self.analyzer

    def _open_opportunity(self, event: SocialEvent, product: Product, referrer: Customer,
                          choice: ConduitChoice, accepted_at: float) -> None:
        opportunity_id = opportunity_id_for(event.event_id, product.product_id, event.author_id)
        try:
            self.crm.get_opportunity(opportunity_id)
        except CRMRecordNotFound:
            # save_opportunity overwrites: only create when absent, or a redelivery would
            # reset an agent's answer to OPEN.
            self.crm.save_opportunity(Opportunity(
                opportunity_id=opportunity_id, product_id=product.product_id,
                prospect_id=event.author_id, referrer_id=referrer.customer_id,
                context=f"{event.text[:3000]}\n\nconduit: {choice.explanation.summary}",
            ))
        self.repositories.referrals.save_pending_manual(PendingManualOffer(
            opportunity_id=opportunity_id, event_id=event.event_id, network=event.network,
            product_id=product.product_id, prospect_id=event.author_id,
            referrer_id=referrer.customer_id, accepted_at=accepted_at,
            explanation=choice.explanation,
        ))


__all__ = ["EventSink", "Outcome", "Worker", "WorkerStats"]
