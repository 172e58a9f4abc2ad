"""Reporting (seed 000, Section 4, item 8): the funnel, rewards, new customers, step times.

Everything is computed from stored data (the document store and the CRM), so a report
run on another machine, or after the workers exited, gives the same figures.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.funnel import Funnel, FunnelCounts, compute_funnel
from socialreferral.ports import DocumentStore
from socialreferral.service.messages import PAPER_SECONDS, STEPS
from socialreferral.service.records import Collections


class StepTime(DomainModel):
    """Average measured time of one pipeline step beside the paper's Table 2 figure."""

    step: str
    activity: str
    samples: int
    mean_seconds: float | None
    paper_seconds: float


class Report(DomainModel):
    """The dashboard's figures."""

    funnel: Funnel
    rewards_by_status: dict[str, int] = Field(default_factory=dict)
    rewards_processed: int = 0
    rewards_amount: str = "0.00"
    new_customers: int = 0
    outcomes: dict[str, int] = Field(default_factory=dict)
    steps: tuple[StepTime, ...] = ()


def _values(store: DocumentStore, collection: str) -> list[dict[str, Any]]:
    return [d.value for d in store.iter_query(collection, page_size=1000)]


def build_report(store: DocumentStore) -> Report:
    """The funnel (total and per product), rewards, new customers and step times."""
    events = _values(store, Collections.EVENTS)
    offers = _values(store, Collections.OFFERS)
    referrals = _values(store, Collections.REFERRALS)
    leads = _values(store, Collections.LEADS)
    rewards = _values(store, Collections.REWARDS)
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for e in events:
        if e.get("matched") and e.get("product_id"):
            per[e["product_id"]]["matched"] += 1
    for name, items in (("offers", offers), ("referrals", referrals), ("leads", leads)):
        for item in items:
            per[item.get("product_id") or "?"][name] += 1
    for r in rewards:
        per[r.get("_product_id") or "?"]["rewards"] += 1
    total = FunnelCounts(
        events=len(events), matched=sum(1 for e in events if e.get("matched")),
        offers=len(offers), referrals=len(referrals), leads=len(leads), rewards=len(rewards),
    )
    funnel = compute_funnel(total, {pid: FunnelCounts(**c) for pid, c in per.items()})
    statuses = Counter(str(r["status"]) for r in rewards)
    processed = [r for r in rewards if r["status"] in ("approved", "paid")]
    amount = sum((Decimal(str(r["amount"])) for r in processed), Decimal("0"))
    samples: dict[str, list[float]] = defaultdict(list)
    for t in _values(store, Collections.TIMINGS):
        samples[str(t["step"])].append(float(t["seconds"]))
    steps = tuple(
        StepTime(step=step, activity=STEPS[step], samples=len(samples[step]),
                 mean_seconds=statistics.fmean(samples[step]) if samples[step] else None,
                 paper_seconds=PAPER_SECONDS[step])
        for step in STEPS
    )
    return Report(
        funnel=funnel,
        rewards_by_status=dict(statuses),
        rewards_processed=len(processed),
        rewards_amount=f"{amount:.2f}",
        new_customers=sum(1 for lead in leads if lead.get("created")),
        steps=steps,
    )


def report_json(report: Report) -> dict[str, Any]:
    """A JSON-friendly dict (``socialreferral report --json``)."""
    data: dict[str, Any] = report.model_dump(mode="json")
    data["totals"] = {s.name: s.count for s in report.funnel.total.stages}
    return data


__all__ = ["Report", "StepTime", "build_report", "report_json"]
