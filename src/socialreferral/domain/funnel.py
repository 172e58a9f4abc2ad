"""The referral funnel for the reporting dashboard (seed 000, Section 4, item 8).

Stages: events → matched (purchase intent on a catalog product) → offers → referrals →
leads → rewards. Each stage reports its conversion from the previous stage and from the
first; a rate whose denominator is zero is ``None`` (undefined), never a division error
and never a misleading 0 %.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from socialreferral.domain._base import DomainModel

STAGES = ("events", "matched", "offers", "referrals", "leads", "rewards")


class FunnelCounts(DomainModel):
    """Raw counts per stage (for all products, or for one)."""

    events: int = Field(default=0, ge=0)
    matched: int = Field(default=0, ge=0)
    offers: int = Field(default=0, ge=0)
    referrals: int = Field(default=0, ge=0)
    leads: int = Field(default=0, ge=0)
    rewards: int = Field(default=0, ge=0)

    def count(self, stage: str) -> int:
        """The count for ``stage`` (one of :data:`STAGES`)."""
        if stage not in STAGES:
            raise KeyError(stage)
        value: int = getattr(self, stage)
        return value


class FunnelStage(DomainModel):
    name: str
    count: int
    rate_from_previous: float | None
    rate_from_start: float | None


class FunnelRow(DomainModel):
    """One product's funnel (``product_id`` None for the total)."""

    product_id: str | None
    stages: tuple[FunnelStage, ...]

    def stage(self, name: str) -> FunnelStage:
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(name)


class Funnel(DomainModel):
    total: FunnelRow
    products: tuple[FunnelRow, ...] = ()


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def funnel_row(counts: FunnelCounts, product_id: str | None = None) -> FunnelRow:
    """Conversion rates for one set of counts."""
    first = counts.count(STAGES[0])
    stages = []
    previous: int | None = None
    for name in STAGES:
        n = counts.count(name)
        stages.append(
            FunnelStage(
                name=name,
                count=n,
                rate_from_previous=None if previous is None else _rate(n, previous),
                rate_from_start=_rate(n, first),
            )
        )
        previous = n
    return FunnelRow(product_id=product_id, stages=tuple(stages))


def compute_funnel(
    total: FunnelCounts, per_product: Mapping[str, FunnelCounts] | None = None
) -> Funnel:
    """The funnel for ``total`` plus one row per product (ordered by product id).

    ``events`` is usually unknown per product (an event is attributed to a product only
    once matched), so product rows may carry ``events=0``; their ``rate_from_start`` is then
    ``None`` and ``matched`` is the natural base to read from.
    """
    rows = tuple(funnel_row(c, pid) for pid, c in sorted((per_product or {}).items()))
    return Funnel(total=funnel_row(total), products=rows)


__all__ = [
    "STAGES",
    "Funnel",
    "FunnelCounts",
    "FunnelRow",
    "FunnelStage",
    "compute_funnel",
    "funnel_row",
]
