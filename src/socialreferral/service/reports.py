"""Reporting (seed 000, Section 4, item 8): the funnel, rewards, new customers, step times.

Everything is computed from stored data (the repositories), so a report run on another
machine, or after the workers exited, gives the same figures.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.funnel import Funnel, FunnelCounts, compute_funnel
from socialreferral.domain.referrals import RewardStatus
from socialreferral.domain.steps import PAPER_SECONDS, STEPS
from socialreferral.repositories import Repositories


class StepTime(DomainModel):
    """Average measured time of one pipeline step beside the paper's Table 2 figure."""

    step: str
    activity: str
    samples: int
    mean_seconds: float | None
    paper_seconds: float


class Report(DomainModel):
    """The dashboard's figures. ``rewards_amount`` is in ``currency``."""

    funnel: Funnel
    rewards_by_status: dict[str, int] = Field(default_factory=dict)
    rewards_processed: int = 0
    rewards_amount: str = "0.00"
    currency: str = "USD"
    new_customers: int = 0
    outcomes: dict[str, int] = Field(default_factory=dict)
    steps: tuple[StepTime, ...] = ()


def build_report(repositories: Repositories, *, currency: str = "USD") -> Report:
    """The funnel (total and per product), rewards, new customers and step times."""
    referrals = repositories.referrals
    events = repositories.events.processed()
    offers, sent, leads = referrals.offers(), referrals.referrals(), referrals.leads()
    rewards = referrals.rewards()
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for e in events:
        if e.matched and e.product_id:
            per[e.product_id]["matched"] += 1
    for name, products in (("offers", [o.product_id for o in offers]),
                           ("referrals", [r.product_id for r in sent]),
                           ("leads", [lead.product_id for lead in leads]),
                           ("rewards", [r.product_id or "?" for r in rewards])):
        for product_id in products:
            per[product_id][name] += 1
    total = FunnelCounts(
        events=len(events), matched=sum(1 for e in events if e.matched),
        offers=len(offers), referrals=len(sent), leads=len(leads), rewards=len(rewards),
    )
    funnel = compute_funnel(total, {pid: FunnelCounts(**c) for pid, c in per.items()})
    processed = [r.reward for r in rewards
                 if r.reward.status in (RewardStatus.APPROVED, RewardStatus.PAID)]
    amount = sum((r.amount for r in processed), Decimal("0"))
    samples = repositories.timings.by_step()
    steps = tuple(
        StepTime(step=step, activity=STEPS[step], samples=len(samples.get(step, ())),
                 mean_seconds=statistics.fmean(samples[step]) if samples.get(step) else None,
                 paper_seconds=PAPER_SECONDS[step])
        for step in STEPS
    )
    return Report(
        funnel=funnel,
        rewards_by_status=dict(Counter(r.reward.status.value for r in rewards)),
        rewards_processed=len(processed),
        rewards_amount=f"{amount:.2f}",
        currency=currency,
        new_customers=sum(1 for lead in leads if lead.created),
        steps=steps,
    )


def report_json(report: Report) -> dict[str, Any]:
    """A JSON-friendly dict (``socialreferral report --json``)."""
    data: dict[str, Any] = report.model_dump(mode="json")
    data["totals"] = {s.name: s.count for s in report.funnel.total.stages}
    return data


__all__ = ["Report", "StepTime", "build_report", "report_json"]
