"""The fraud review queue: flagged rewards, reviewers' decisions, the auto-approve deadline.

A reward a fraud rule flagged waits in ``pending_review``. A reviewer approves or
rejects it with a note (:func:`decide`, through
:func:`socialreferral.service.referrals.review_reward`); whatever nobody decided on
within ``[referral] review_deadline_hours`` of being flagged is approved by the scheduled
task ``referral.auto-approve`` (:func:`auto_approve_expired`), as ReferralCandy does — the
referrer is not kept waiting forever by an empty review desk. ``0`` turns the deadline off.

Exactly once: each decision is a write conditional on the version read and on the reward
still being ``pending_review``, so a reviewer's decision and the deadline job racing for
one reward end with one decision; the job skips the loser, and a second run finds
nothing left to approve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from socialreferral.domain.fraud import FraudCode
from socialreferral.domain.referrals import Referral, Reward, RewardStatus
from socialreferral.domain.settings import ReferralSettings
from socialreferral.errors import ConcurrencyConflict, InvalidInput
from socialreferral.repositories import Repositories, RewardRecord
from socialreferral.service.referrals import review_reward

AUTO_REVIEWER = "auto-approve"
"""The name recorded as the decider of a reward the deadline job approved."""
MAX_NOTE_CHARS = 2000

FLAG_REASONS: dict[str, str] = {
    FraudCode.SELF_REFERRAL.value: "The lead has the referrer's own e-mail, phone or "
                                   "social account.",
    FraudCode.EXISTING_CUSTOMER.value: "The prospect is already a customer of the bank.",
    FraudCode.ALREADY_REFERRED.value: "Another referrer referred this prospect first and "
                                      "keeps the credit.",
    FraudCode.VELOCITY.value: "The referrer produced unusually many leads in 24 hours.",
}
"""What each fraud flag means, for people (the rule's own detail is in the explanation)."""


@dataclass(frozen=True)
class ReviewItem:
    """A flagged reward with what a reviewer needs to decide: the reasons, the evidence
    (the referral, the referrer, the incentive's factors) and the deadline."""

    record: RewardRecord
    referral: Referral | None
    referrer_name: str | None
    deadline: datetime | None

    @property
    def reward(self) -> Reward:
        """The reward under review."""
        return self.record.reward

    @property
    def reasons(self) -> list[tuple[str, str]]:
        """(flag code, what it means), in the order the rules raised them."""
        return [(code, FLAG_REASONS.get(code, code)) for code in self.reward.flags]

    def remaining(self, now: datetime) -> timedelta | None:
        """Time left before the deadline job approves it (never negative)."""
        if self.deadline is None:
            return None
        return max(self.deadline - now, timedelta(0))


def deadline_for(record: RewardRecord, settings: ReferralSettings) -> datetime | None:
    """When the deadline job approves ``record`` if nobody decides (None: never)."""
    if settings.review_deadline_hours <= 0:
        return None
    return record.at + timedelta(hours=settings.review_deadline_hours)


def review_queue(repositories: Repositories, settings: ReferralSettings,
                 limit: int = 200) -> list[ReviewItem]:
    """The rewards waiting for review, the nearest deadline first (then the oldest)."""
    records = sorted(repositories.referrals.rewards(RewardStatus.PENDING_REVIEW),
                     key=lambda r: (r.at, r.reward.reward_id))[:limit]
    items = []
    names: dict[str, str | None] = {}
    for record in records:
        referrer_id = record.reward.referrer_id
        if referrer_id not in names:
            customer = repositories.customers.get(referrer_id)
            names[referrer_id] = customer.display_name if customer else None
        items.append(ReviewItem(
            record=record, referral=repositories.referrals.referral(record.reward.referral_id),
            referrer_name=names[referrer_id], deadline=deadline_for(record, settings)))
    return items


def review_item(repositories: Repositories, settings: ReferralSettings,
                reward_id: str) -> ReviewItem | None:
    """One reward of the queue (None when it is not waiting for review)."""
    for item in review_queue(repositories, settings, limit=10_000):
        if item.reward.reward_id == reward_id:
            return item
    return None


def decide(reward_id: str, approve: bool, *, reviewer: str, note: str,
           repositories: Repositories, now: datetime) -> Reward:
    """A reviewer's decision on a flagged reward, recorded with their name and note.
    ``InvalidInput`` when it is no longer waiting (decided by someone else, or by the
    deadline job), ``NotFound`` for an unknown reward."""
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"at most {MAX_NOTE_CHARS} characters", field="note")
    status = RewardStatus.APPROVED if approve else RewardStatus.REJECTED
    try:
        return review_reward(reward_id, status, repositories=repositories, reviewer=reviewer,
                             note=note.strip(), now=now, expected=RewardStatus.PENDING_REVIEW)
    except ConcurrencyConflict:
        raise InvalidInput("someone else decided on this reward a moment ago",
                           field="status") from None


@dataclass
class AutoApproval:
    """What one run of the deadline job did: the rewards it approved, and those it found
    decided by someone else between reading and writing."""

    approved: list[str] = field(default_factory=list)
    lost_races: list[str] = field(default_factory=list)


def auto_approve_expired(repositories: Repositories, settings: ReferralSettings,
                         now: datetime) -> AutoApproval:
    """Approve every reward still waiting for review whose deadline has passed."""
    outcome = AutoApproval()
    if settings.review_deadline_hours <= 0:
        return outcome
    for record in repositories.referrals.rewards(RewardStatus.PENDING_REVIEW):
        deadline = deadline_for(record, settings)
        if deadline is None or deadline > now:
            continue
        reward_id = record.reward.reward_id
        try:
            review_reward(reward_id, RewardStatus.APPROVED, repositories=repositories,
                          reviewer=AUTO_REVIEWER, now=now, automatic=True,
                          note=f"no decision within {settings.review_deadline_hours:g} h",
                          expected=RewardStatus.PENDING_REVIEW)
        except (ConcurrencyConflict, InvalidInput):
            outcome.lost_races.append(reward_id)
            continue
        outcome.approved.append(reward_id)
    return outcome


__all__ = [
    "AUTO_REVIEWER",
    "FLAG_REASONS",
    "MAX_NOTE_CHARS",
    "AutoApproval",
    "ReviewItem",
    "auto_approve_expired",
    "deadline_for",
    "decide",
    "review_item",
    "review_queue",
]
