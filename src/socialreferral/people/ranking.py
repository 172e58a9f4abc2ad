"""Ranking a company's contacts for a sales approach (seed 004, "ranking profiles").

Score = weighted sum of three signals in 0..1, each explained:

* **title** — :func:`~socialreferral.people.titles.classify_title`'s score (decision
  makers and buyers first);
* **connections** — ties to our employees: ``1 - exp(-sum of tie strengths / scale)``, so
  one strong tie matters and the tenth weak one adds little;
* **freshness** — ``0.5 ** (days since the profile was updated / half_life_days)``: a
  stale profile may describe a job the person no longer holds.

Equal scores are ordered by contact id, so the ranking is reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from pydantic import AwareDatetime, Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain._time import require_aware
from socialreferral.domain.explain import Explanation, Factor
from socialreferral.people.graph import SocialGraph
from socialreferral.people.titles import TitleAssessment, classify_title


class Contact(DomainModel):
    """A person at a target company (a merged profile)."""

    person_id: str = Field(min_length=1, max_length=128)
    display_name: str = Field(default="", max_length=200)
    company: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=200)
    updated_at: AwareDatetime | None = None


class RankingWeights(DomainModel):
    """Weights of the three signals and the scales that normalise them."""

    title: float = Field(default=0.6, ge=0.0)
    connections: float = Field(default=0.25, ge=0.0)
    freshness: float = Field(default=0.15, ge=0.0)
    connection_scale: float = Field(default=1.5, gt=0.0)
    half_life_days: float = Field(default=365.0, gt=0.0)


class RankedContact(DomainModel):
    """A contact with its score (0..1), title assessment and explanation."""

    contact: Contact
    score: float = Field(ge=0.0, le=1.0)
    title: TitleAssessment
    employee_ties: tuple[tuple[str, float], ...] = Field(
        default=(), description="(employee id, tie strength), strongest first"
    )
    explanation: Explanation


def rank_contacts(
    contacts: Iterable[Contact],
    *,
    now: datetime,
    graph: SocialGraph | None = None,
    employees: Iterable[str] = (),
    weights: RankingWeights | None = None,
) -> list[RankedContact]:
    """``contacts`` best first; ties to ``employees`` are read from ``graph``."""
    require_aware(now)
    w = weights or RankingWeights()
    total = w.title + w.connections + w.freshness
    if total <= 0:
        total = 1.0
    staff = set(employees)
    ranked: list[RankedContact] = []
    for contact in contacts:
        assessment = classify_title(contact.title)
        ties: list[tuple[str, float]] = []
        if graph is not None:
            ties = sorted(
                (
                    (pid, s)
                    for pid, s in graph.neighbours(contact.person_id).items()
                    if pid in staff
                ),
                key=lambda t: (-t[1], t[0]),
            )
        strength_sum = sum(s for _, s in ties)
        connections = 1.0 - math.exp(-strength_sum / w.connection_scale)
        if contact.updated_at is not None:
            age_days = max(0.0, (now - contact.updated_at).total_seconds() / 86400)
            freshness = 0.5 ** (age_days / w.half_life_days)
            fresh_note = f"updated {age_days:.0f} days ago"
        else:
            freshness, fresh_note = 0.0, "last update unknown"
        factors = (
            Factor(
                name="title",
                value=assessment.score,
                weight=w.title / total,
                contribution=assessment.score * w.title / total,
                note=assessment.explanation.summary[:400],
            ),
            Factor(
                name="connections",
                value=connections,
                weight=w.connections / total,
                contribution=connections * w.connections / total,
                note=f"{len(ties)} tie(s) to our employees, strength sum {strength_sum:.2f}",
            ),
            Factor(
                name="freshness",
                value=freshness,
                weight=w.freshness / total,
                contribution=freshness * w.freshness / total,
                note=fresh_note,
            ),
        )
        score = min(1.0, max(0.0, sum(f.contribution for f in factors)))
        summary = (
            f"{contact.display_name or contact.person_id} ({contact.title or 'no title'}): "
            f"score {score:.3f}"
        )
        ranked.append(
            RankedContact(
                contact=contact,
                score=score,
                title=assessment,
                employee_ties=tuple(ties),
                explanation=Explanation(summary=summary[:2000], factors=factors),
            )
        )
    ranked.sort(key=lambda r: (-r.score, r.contact.person_id))
    return ranked


__all__ = ["Contact", "RankedContact", "RankingWeights", "rank_contacts"]
