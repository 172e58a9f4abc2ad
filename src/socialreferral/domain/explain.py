"""Explanations: every decision in the referral domain says why it came out as it did.

A decision is a weighted sum of named factors (tie strength, incentive, eligibility, ...).
:class:`Explanation` keeps the factors with their value, weight and contribution so that a
person reviewing a reward, an offer or a refused contact can see the arithmetic, and so
that tests can check that the contributions add up to the reported result.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from socialreferral.domain._base import DomainModel


class Factor(DomainModel):
    """One input to a decision: ``contribution`` is usually ``value * weight``."""

    name: str = Field(min_length=1, max_length=64)
    value: float
    weight: float = 1.0
    contribution: float
    note: str = Field(default="", max_length=400)


def factor(name: str, value: float, weight: float = 1.0, note: str = "") -> Factor:
    """A factor whose contribution is ``value * weight``."""
    return Factor(name=name, value=value, weight=weight, contribution=value * weight, note=note)


class Explanation(DomainModel):
    """A one-line ``summary`` plus the ``factors`` behind it, in the order they were applied."""

    summary: str = Field(max_length=2000)
    factors: tuple[Factor, ...] = ()

    @property
    def total(self) -> float:
        """Sum of the factors' contributions."""
        return sum(f.contribution for f in self.factors)

    def factor(self, name: str) -> Factor:
        """The factor called ``name``; ``KeyError`` if there is none."""
        for item in self.factors:
            if item.name == name:
                return item
        raise KeyError(name)

    def names(self) -> list[str]:
        """The factor names, in order."""
        return [f.name for f in self.factors]

    def lines(self) -> list[str]:
        """Human-readable lines: the summary, then one line per factor."""
        out = [self.summary]
        for f in self.factors:
            note = f" ({f.note})" if f.note else ""
            out.append(
                f"  {f.name}: value={f.value:.4g} x weight={f.weight:.4g}"
                f" = {f.contribution:.4g}{note}"
            )
        return out

    @classmethod
    def from_weighted(
        cls,
        summary: str,
        items: Iterable[tuple[str, float, float] | tuple[str, float, float, str]],
    ) -> Explanation:
        """Build from ``(name, value, weight[, note])`` tuples; contribution = value * weight."""
        factors = []
        for item in items:
            name, value, weight = item[0], item[1], item[2]
            note = item[3] if len(item) == 4 else ""
            factors.append(factor(name, value, weight, note))
        return cls(summary=summary, factors=tuple(factors))


__all__ = ["Explanation", "Factor", "factor"]
