"""Operator decisions on uncertain pairs, and the pair models clustering consumes.

A reviewer looks at a pair in the review band and either **confirms** it (the two records
are one person) or **splits** it (they are not). Decisions are inputs to clustering, not
edits of its output: every re-run (a full one, an incremental one, one after an erasure)
applies them again, so a decision sticks however the scores move. For one pair the most
recent decision counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from socialreferral.domain._base import DomainModel
from socialreferral.people.records import RECORD_ID_PATTERN


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The two ids of a pair in canonical (sorted) order."""
    return (a, b) if a <= b else (b, a)


class ReviewDecision(DomainModel):
    """An operator's verdict on one pair of records."""

    left_id: str = Field(pattern=RECORD_ID_PATTERN)
    right_id: str = Field(pattern=RECORD_ID_PATTERN)
    decision: Literal["confirm", "split"]
    decided_by: str = Field(min_length=1, max_length=128)
    decided_at: AwareDatetime
    note: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _two_records(self) -> ReviewDecision:
        if self.left_id == self.right_id:
            raise ValueError("a decision needs two different records")
        return self

    @property
    def key(self) -> tuple[str, str]:
        """The pair this decision is about, in canonical order."""
        return pair_key(self.left_id, self.right_id)


def latest_decisions(decisions: Iterable[ReviewDecision]) -> dict[tuple[str, str], ReviewDecision]:
    """The most recent decision per pair (ties: the later one in the input wins)."""
    latest: dict[tuple[str, str], ReviewDecision] = {}
    for decision in decisions:
        current = latest.get(decision.key)
        if current is None or decision.decided_at >= current.decided_at:
            latest[decision.key] = decision
    return latest


__all__ = ["ReviewDecision", "latest_decisions", "pair_key"]
