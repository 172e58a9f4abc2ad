"""``socialreferral demo``: the whole referral system on a synthetic bank, end to end.

Builds the bank on the configured providers (local by default, in a temporary or given
data directory), connects the customers (authorization workflow), delivers signed Meta
webhooks through :func:`ingest_webhook` (one delivery is sent twice to show that the
duplicate enqueues nothing), runs the ``referral.process-batch`` task on BatchCompute
(the worker processes drain the queue), answers the manual-offer opportunities in the
CRM, simulates recommendations and lead forms (including a self-referral and a repeated
form), runs the promotion job and the reminders, and returns the report.
"""

from __future__ import annotations

import random
import secrets as pysecrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from socialreferral.bootstrap import Providers
from socialreferral.channels import MetaChannel
from socialreferral.channels.meta import APP_SECRET
from socialreferral.demo.bank import NETWORK, Bank, build_bank, meta_delivery
from socialreferral.domain.crm import OpportunityStatus
from socialreferral.domain.referrals import OfferStatus
from socialreferral.errors import SocialReferralError
from socialreferral.records import JobState, JobStatus
from socialreferral.repositories import TimingSample
from socialreferral.service.authorization import connect_account
from socialreferral.service.ingest import ingest_webhook
from socialreferral.service.offers import collect_manual_offers
from socialreferral.service.promotions import run_promotions, send_reminders
from socialreferral.service.referrals import recommend, submit_lead
from socialreferral.service.reports import Report, build_report
from socialreferral.tasks.referral import task_payload

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; the CLI draws a bar from it."""



class SocialSeed(Protocol):
    """Puts the synthetic bank where a real network would already hold it, for a channel
    the demo cannot seed itself (a network adapter against its fake; see
    :mod:`socialreferral.testing.vendor_fakes.demo`)."""

    def seed_social(self, profiles: Any, connections: Any) -> None:
        """Make the network hold these profiles and connections."""

    def token_for(self, person_id: str) -> str:
        """The token the person's login would have produced."""


DELIVERY_SIZE = 10
STALL_SECONDS = 300.0
"""How long the queue may stand still before the demo gives up on its worker job."""
WORKER_MAX_SECONDS = 3600.0
"""Each worker's own hard stop; the demo's stall check normally ends a bad run first."""
POLL_SECONDS = 2.0


@dataclass
class DemoResult:
    """The report plus what the demo itself did."""

    report: Report
    ingest: dict[str, int] = field(default_factory=dict)
    simulated: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    job_state: str = ""


def _noop(stage: str, done: int, total: int) -> None:
    return None


def load_world(
    providers: Providers, bank: Bank, now: datetime, progress: Progress = _noop,
    seed: SocialSeed | None = None,
) -> int:
    """Load the catalog, seed the social channel (itself, or through ``seed``), connect
    every customer; return how many are eligible."""
    social: Any = providers.social
    local = hasattr(social, "add_profile") and hasattr(social, "add_connections")
    if not local and seed is None:
        raise SocialReferralError(
            f"the demo seeds profiles into the social channel, which "
            f"{providers.social.adapter_name} cannot do; use social = \"local\", or "
            "`socialreferral demo --fakes` for the Meta adapter against its fake"
        )
    for product in bank.products:
        providers.crm.upsert_product(product)
    if seed is not None and not local:
        seed.seed_social(bank.profiles, bank.connections)
    else:
        for profile in bank.profiles:
            social.add_profile(profile)
        social.add_connections(bank.connections)
    eligible = 0
    for n, customer in enumerate(bank.customers, 1):
        result = connect_account(
            repositories=providers.repositories, secrets=providers.secrets, social=providers.social,
            rules=providers.settings.referral.eligibility, customer=customer,
            network=NETWORK, person_id=f"fb-{customer.customer_id}",
            token=(seed.token_for(f"fb-{customer.customer_id}") if seed is not None
                   else f"EAAB{pysecrets.token_hex(16)}"),
            scopes=("user_posts", "user_friends"),
            now=now,
        )
        eligible += result.eligibility.eligible
        progress("connect customers", n, len(bank.customers))
    return eligible


def deliver(
    providers: Providers, bank: Bank, app_secret: str, progress: Progress = _noop,
    *, replay_first: bool = True,
) -> dict[str, int]:
    """Deliver the bank's posts as signed Meta webhooks (and replay the first one)."""
    counts = {"deliveries": 0, "enqueued": 0, "duplicates": 0, "rejected": 0}
    posts = bank.posts
    channel, repositories = MetaChannel(), providers.repositories
    max_bytes = providers.settings.web.max_body_bytes
    first: tuple[dict[str, str], bytes] | None = None
    for start in range(0, len(posts), DELIVERY_SIZE):
        chunk = posts[start : start + DELIVERY_SIZE]
        began = time.perf_counter()
        headers, body = meta_delivery(chunk, app_secret)
        share = (time.perf_counter() - began) / len(chunk)
        repositories.timings.add(TimingSample("post", post.post_id, share) for post in chunk)
        first = first or (headers, body)
        result = ingest_webhook(channel, headers, body, queue=providers.queue,
                                secrets=providers.secrets, repositories=repositories,
                                max_body_bytes=max_bytes)
        counts["deliveries"] += 1
        counts["enqueued"] += len(result.enqueued)
        counts["duplicates"] += len(result.duplicates)
        counts["rejected"] += len(result.rejected)
        progress("deliver webhooks", min(start + DELIVERY_SIZE, len(posts)), len(posts))
    if replay_first and first is not None:  # Meta retries: the replay must enqueue nothing
        result = ingest_webhook(channel, first[0], first[1], queue=providers.queue,
                                secrets=providers.secrets, repositories=repositories,
                                max_body_bytes=max_bytes)
        counts["deliveries"] += 1
        counts["duplicates"] += len(result.duplicates)
        counts["enqueued"] += len(result.enqueued)
    return counts


def _simulate_referrals(
    providers: Providers, bank: Bank, rng: random.Random, now: datetime, progress: Progress
) -> dict[str, int]:
    repositories, settings = providers.repositories, providers.settings.referral
    counts = {"recommended": 0, "forms": 0, "repeated_forms": 0, "self_referrals": 0}
    offers = repositories.referrals.offers_with_status(OfferStatus.ASKED)
    emails = {c.customer_id: c.email for c in bank.customers}
    for n, offer in enumerate(offers, 1):
        progress("recommend and submit", n, len(offers))
        if rng.random() > 0.85:
            continue
        _, token = recommend(offer.offer_id, repositories=repositories,
                             secrets=providers.secrets, social=providers.social,
                             settings=settings,
                             public_base_url=providers.settings.web.public_base_url, now=now)
        counts["recommended"] += 1
        if rng.random() > 0.75:
            continue
        email = f"{offer.prospect_id}@mail.example.org"
        if n % 17 == 0:  # a referrer who "refers" themself
            email = emails.get(offer.referrer_id) or email
            counts["self_referrals"] += 1
        form = {"name": bank.prospects.get(offer.prospect_id, "Prospect"), "email": email,
                "phone": f"+1555{rng.randint(1000000, 9999999)}", "consent_marketing": True}
        submit_lead(token, form, repositories=repositories, secrets=providers.secrets,
                    crm=providers.crm, settings=settings, now=now + timedelta(minutes=5))
        counts["forms"] += 1
        if n % 5 == 0:  # the prospect presses "submit" twice
            submit_lead(token, form, repositories=repositories, secrets=providers.secrets,
                        crm=providers.crm, settings=settings, now=now + timedelta(minutes=6))
            counts["repeated_forms"] += 1
    return counts


def drain_with_workers(
    providers: Providers, workers: int, progress: Progress = _noop, *,
    stall_seconds: float = STALL_SECONDS,
) -> JobStatus:
    """Run ``referral.process-batch`` on BatchCompute and wait until it has drained the
    queue; ``SocialReferralError`` if it fails, or makes no progress for ``stall_seconds``
    (then it is cancelled).

    The wait has no fixed deadline: on a busy machine the same work takes longer, and
    only a queue that stops moving means something is wrong.
    """
    queue, batch = providers.queue, providers.batch
    total = max(queue.depth(), 1)
    progress("workers drain the queue", 0, total)
    job = batch.submit(
        "referral.process-batch",
        task_payload(providers.settings, idle_seconds=1.0, max_seconds=WORKER_MAX_SECONDS),
        array_size=workers if batch.supports("array_jobs") else 1,
    )
    lowest, moved_at = total, time.monotonic()
    while True:
        status = batch.wait(job, timeout=POLL_SECONDS)
        depth = queue.depth()
        progress("workers drain the queue", total - min(depth, total), total)
        if status.state.finished:
            break
        if depth < lowest:
            lowest, moved_at = depth, time.monotonic()
        elif time.monotonic() - moved_at > stall_seconds:
            batch.cancel(job)
            raise SocialReferralError(
                f"worker job {job} made no progress for {stall_seconds:.0f} s "
                f"({depth} events still queued); it was cancelled"
            )
    if status.state is not JobState.SUCCEEDED:
        raise SocialReferralError(f"worker job {job} ended {status.state}: {status.error}")
    return status


def run_demo(
    providers: Providers,
    *,
    customers: int = 40,
    posts: int = 160,
    seed: int = 7,
    workers: int = 2,
    progress: Progress = _noop,
    social_seed: SocialSeed | None = None,
) -> DemoResult:
    """Run the demo on ``providers`` (see the module docstring); returns the report.
    ``social_seed`` puts the bank into a network adapter's fake (``--fakes``)."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    rng = random.Random(seed)
    bank = build_bank(customers, posts, seed, now)
    app_secret = pysecrets.token_hex(16)
    providers.secrets.set(APP_SECRET, app_secret)
    load_world(providers, bank, now, progress, social_seed)
    ingest = deliver(providers, bank, app_secret, progress)

    status = drain_with_workers(providers, workers, progress)

    # A bank agent answers the manual-offer opportunities in the CRM...
    for opportunity in providers.crm.list_opportunities(status=OpportunityStatus.OPEN.value):
        providers.crm.save_opportunity(opportunity.model_copy(update={
            "status": OpportunityStatus.ANSWERED, "answered_at": datetime.now(UTC),
            "offer_text": "A free demat account and advice from our investment desk.",
        }))
    # ...and the next worker run picks the answers up.
    manual = collect_manual_offers(repositories=providers.repositories, crm=providers.crm,
                                   social=providers.social, now=datetime.now(UTC))
    simulated = _simulate_referrals(providers, bank, rng, now, progress)
    for promotion in bank.promotions:
        providers.crm.upsert_promotion(promotion)
    repositories = providers.repositories
    promo = run_promotions(repositories=repositories, crm=providers.crm,
                           social=providers.social, settings=providers.settings.referral, now=now)
    again = run_promotions(repositories=repositories, crm=providers.crm,
                           social=providers.social, settings=providers.settings.referral, now=now)
    reminders = send_reminders(repositories=repositories, social=providers.social,
                               settings=providers.settings.referral,
                               now=now + timedelta(days=providers.settings.referral
                                                   .remind_after_days + 1))
    simulated.update(manual_offers=manual, promotions_published=promo.published,
                     promotions_republished_on_rerun=again.published, reminders=reminders)
    report = build_report(repositories, currency=providers.settings.referral.currency)
    return DemoResult(report=report, ingest=ingest, simulated=simulated,
                      seconds=time.perf_counter() - started, job_state=status.state.value)


__all__ = ["DemoResult", "Progress", "SocialSeed", "deliver", "drain_with_workers", "load_world",
           "run_demo"]
