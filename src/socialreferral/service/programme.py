"""The referral programme report (seed 000, Section 4, item 8): the console's programme
page, its JSON twin and its CSV export.

It is :func:`~socialreferral.service.reports.build_report` (the funnel events → matched →
offers → referrals → leads → rewards with its conversion rates, new customers, rewards by
status) — so the console, ``socialreferral report`` and the JSON API give the same figures
— plus breakdowns **by product, by channel and by ISO week**, and rewards by status with
their amounts. Each record counts where it belongs: an event by its network and the week
it was processed, an offer by the network of the event that triggered it and the week it
was created, a referral, lead or reward by its offer's network and its own week.

The CSV is long-form (``dimension,key,metric,value``), one fact per row, which pivots in
any spreadsheet; text cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.funnel import Funnel
from socialreferral.domain.referrals import RewardStatus
from socialreferral.repositories import Repositories
from socialreferral.service.reports import build_report

SLICE_METRICS = ("events", "matched", "offers", "referrals", "leads", "new_customers",
                 "rewards", "rewards_amount")
_PAID = (RewardStatus.APPROVED, RewardStatus.PAID)


class Slice(DomainModel):
    """The programme's figures for one product, channel or week (``key``).
    ``rewards_amount`` counts approved and paid rewards only."""

    key: str
    events: int = 0
    matched: int = 0
    offers: int = 0
    referrals: int = 0
    leads: int = 0
    new_customers: int = 0
    rewards: int = 0
    rewards_amount: str = "0.00"

    @property
    def lead_rate(self) -> float | None:
        """Leads per referral sent (None without referrals)."""
        return self.leads / self.referrals if self.referrals else None


class StatusTotal(DomainModel):
    """Rewards in one status: how many and how much."""

    status: str
    count: int
    amount: str


class ProgrammeReport(DomainModel):
    """Everything the programme page shows (module docstring)."""

    generated_at: datetime
    currency: str
    funnel: Funnel
    new_customers: int
    rewards_processed: int
    rewards_amount: str
    rewards_by_status: tuple[StatusTotal, ...]
    by_product: tuple[Slice, ...] = ()
    by_channel: tuple[Slice, ...] = ()
    by_week: tuple[Slice, ...] = Field(default=(), description="chronological")


def iso_week(moment: datetime) -> str:
    """``2026-W05`` for a moment (its UTC ISO week)."""
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


class _Tally:
    """Counters per (dimension key) while the records are read."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.amounts: dict[str, Decimal] = defaultdict(Decimal)

    def add(self, key: str, metric: str) -> None:
        self.counts[key][metric] += 1

    def slices(self) -> tuple[Slice, ...]:
        # Keys sort as text: product ids, network names, and ISO weeks chronologically.
        return tuple(
            Slice(key=key, rewards_amount=f"{self.amounts[key]:.2f}", **self.counts[key])
            for key in sorted(self.counts))


def build_programme(repositories: Repositories, *, currency: str = "USD",
                    now: datetime | None = None) -> ProgrammeReport:
    """The programme report from stored data (module docstring)."""
    report = build_report(repositories, currency=currency)
    referrals_repo = repositories.referrals
    channels = referrals_repo.offer_channels()
    referrals = {r.referral_id: r for r in referrals_repo.referrals()}

    def channel_of_referral(referral_id: str) -> str:
        referral = referrals.get(referral_id)
        return channels.get(referral.offer_id, "?") if referral else "?"

    product, channel, week = _Tally(), _Tally(), _Tally()

    def count(metric: str, product_id: str | None, network: str, at: datetime | None) -> None:
        product.add(product_id or "?", metric)
        channel.add(network, metric)
        if at is not None:
            week.add(iso_week(at), metric)

    for event in repositories.events.processed():
        at = datetime.fromtimestamp(event.processed_at, UTC) if event.processed_at else None
        channel.add(event.network, "events")
        if at is not None:
            week.add(iso_week(at), "events")
        if event.matched:
            count("matched", event.product_id, event.network, at)
    for offer in referrals_repo.offers():
        count("offers", offer.product_id, channels.get(offer.offer_id, "?"), offer.created_at)
    for referral in referrals.values():
        count("referrals", referral.product_id, channels.get(referral.offer_id, "?"),
              referral.created_at)
    for lead in referrals_repo.leads():
        network = channel_of_referral(lead.referral_id)
        count("leads", lead.product_id, network, lead.at)
        if lead.created:
            count("new_customers", lead.product_id, network, lead.at)
    by_status: dict[str, list[Decimal]] = defaultdict(list)
    for record in referrals_repo.rewards():
        reward = record.reward
        network = channel_of_referral(reward.referral_id)
        at = record.at if record.at.year > 1 else None
        count("rewards", record.product_id, network, at)
        by_status[reward.status.value].append(reward.amount)
        if reward.status in _PAID:
            for tally, key in ((product, record.product_id or "?"), (channel, network)):
                tally.amounts[key] += reward.amount
            if at is not None:
                week.amounts[iso_week(at)] += reward.amount
    statuses = tuple(StatusTotal(status=s.value, count=len(by_status.get(s.value, ())),
                                 amount=f"{sum(by_status.get(s.value, ()), Decimal(0)):.2f}")
                     for s in RewardStatus)
    return ProgrammeReport(
        generated_at=now or datetime.now(UTC), currency=currency, funnel=report.funnel,
        new_customers=report.new_customers, rewards_processed=report.rewards_processed,
        rewards_amount=report.rewards_amount, rewards_by_status=statuses,
        by_product=product.slices(), by_channel=channel.slices(), by_week=week.slices())


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A leading = + - @ makes a spreadsheet evaluate the cell (CSV injection, OWASP).
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def programme_rows(report: ProgrammeReport) -> Iterable[tuple[str, str, str, object]]:
    """(dimension, key, metric, value) for every figure of the report."""
    for stage in report.funnel.total.stages:
        yield "funnel", "total", stage.name, stage.count
        yield "funnel", "total", f"{stage.name}_rate_from_previous", stage.rate_from_previous
        yield "funnel", "total", f"{stage.name}_rate_from_start", stage.rate_from_start
    yield "summary", "total", "new_customers", report.new_customers
    yield "summary", "total", "rewards_processed", report.rewards_processed
    yield "summary", "total", f"rewards_amount_{report.currency}", report.rewards_amount
    for total in report.rewards_by_status:
        yield "reward_status", total.status, "count", total.count
        yield "reward_status", total.status, f"amount_{report.currency}", total.amount
    for dimension, slices in (("product", report.by_product), ("channel", report.by_channel),
                              ("week", report.by_week)):
        for item in slices:
            for metric in SLICE_METRICS:
                yield dimension, item.key, metric, getattr(item, metric)


def programme_csv(report: ProgrammeReport) -> str:
    """The report as long-form CSV (module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("dimension", "key", "metric", "value"))
    for row in programme_rows(report):
        writer.writerow(tuple(_cell(v) for v in row))
    return out.getvalue()


__all__ = [
    "SLICE_METRICS",
    "ProgrammeReport",
    "Slice",
    "StatusTotal",
    "build_programme",
    "iso_week",
    "programme_csv",
    "programme_rows",
]
