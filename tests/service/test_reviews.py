"""The fraud review queue and the auto-approve deadline (service.reviews).

Backend: local provider in tmp_path; rewards are written through the referral
repository with chosen flag times, so the deadline arithmetic is exact.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from socialreferral.bootstrap import Providers
from socialreferral.domain.customers import Customer
from socialreferral.domain.explain import Explanation
from socialreferral.domain.referrals import Reward, RewardStatus
from socialreferral.domain.settings import ReferralSettings
from socialreferral.errors import InvalidInput, NotFound
from socialreferral.repositories import Repositories
from socialreferral.service.privacy import erase_person
from socialreferral.service.reviews import (
    AUTO_REVIEWER,
    auto_approve_expired,
    decide,
    review_queue,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RULES = ReferralSettings(review_deadline_hours=72)


def add_reward(repositories: Repositories, n: int, flagged_at: datetime,
               status: RewardStatus = RewardStatus.PENDING_REVIEW,
               referrer: str = "c1") -> str:
    reward = Reward(
        reward_id=f"rwd_{n}", referral_id=f"ref_{n}", referrer_id=referrer, lead_id=f"lead_{n}",
        amount=Decimal("10.00"), currency="USD", status=status,
        flags=("velocity",) if status is RewardStatus.PENDING_REVIEW else (),
        explanation=Explanation(summary=f"fraud: flagged: velocity (lead {n})"))
    assert repositories.referrals.create_reward(reward, product_id="loan", at=flagged_at)
    return reward.reward_id


def statuses(repositories: Repositories) -> dict[str, RewardStatus]:
    return {r.reward.reward_id: r.reward.status for r in repositories.referrals.rewards()}


def test_the_deadline_job_approves_exactly_the_undecided_expired_rewards_once(
        providers: Providers) -> None:
    repos = providers.repositories
    expired = [add_reward(repos, 1, NOW - timedelta(hours=73)),
               add_reward(repos, 2, NOW - timedelta(hours=72))]  # due exactly now
    waiting = add_reward(repos, 3, NOW - timedelta(hours=71))
    rejected = add_reward(repos, 4, NOW - timedelta(hours=100))
    decide(rejected, False, reviewer="rita", note="self-referral", repositories=repos,
           now=NOW - timedelta(hours=90))
    approved_clean = add_reward(repos, 5, NOW - timedelta(hours=200), RewardStatus.APPROVED)

    first = auto_approve_expired(repos, RULES, NOW)

    assert sorted(first.approved) == sorted(expired) and first.lost_races == []
    after = statuses(repos)
    assert {k for k, v in after.items() if v is RewardStatus.APPROVED} == {
        *expired, approved_clean}
    assert after[waiting] is RewardStatus.PENDING_REVIEW
    assert after[rejected] is RewardStatus.REJECTED
    records = {r.reward.reward_id: r for r in repos.referrals.rewards()}
    for reward_id in expired:
        review = records[reward_id].review
        assert review is not None and review.automatic and review.by == AUTO_REVIEWER
        assert review.at == NOW
    assert records[rejected].review is not None and records[rejected].review.by == "rita"
    assert records[approved_clean].review is None  # never in review, never touched
    # Once: a second run at the same time, and one just before the next deadline,
    # approve nothing more.
    assert auto_approve_expired(repos, RULES, NOW).approved == []
    assert auto_approve_expired(repos, RULES, NOW + timedelta(minutes=59)).approved == []
    assert auto_approve_expired(repos, RULES, NOW + timedelta(hours=1)).approved == [waiting]


def test_a_decision_taken_after_the_read_is_not_overturned(providers: Providers) -> None:
    """The deadline job reads the queue, a reviewer rejects one of its rewards, then the
    job writes: the reward stays rejected and the job reports the lost race."""
    repos = providers.repositories
    reward_id = add_reward(repos, 1, NOW - timedelta(hours=80))
    real_rewards = repos.referrals.rewards

    def rewards_then_reviewer_decides(status: RewardStatus | None = None) -> list:
        found = real_rewards(status)
        decide(reward_id, False, reviewer="rita", note="no", repositories=repos, now=NOW)
        return found

    repos.referrals.rewards = rewards_then_reviewer_decides  # type: ignore[method-assign]
    outcome = auto_approve_expired(repos, RULES, NOW)
    repos.referrals.rewards = real_rewards  # type: ignore[method-assign]
    assert outcome.approved == [] and outcome.lost_races == [reward_id]
    assert statuses(repos)[reward_id] is RewardStatus.REJECTED


def test_no_deadline_when_it_is_zero(providers: Providers) -> None:
    repos = providers.repositories
    add_reward(repos, 1, NOW - timedelta(days=400))
    off = ReferralSettings(review_deadline_hours=0)
    assert auto_approve_expired(repos, off, NOW).approved == []
    [item] = review_queue(repos, off)
    assert item.deadline is None and item.remaining(NOW) is None


def test_the_queue_shows_reasons_evidence_and_time_left(providers: Providers) -> None:
    repos = providers.repositories
    repos.customers.save(Customer(customer_id="c1", display_name="Carla Referrer",
                                  customer_value=0.5))
    later = add_reward(repos, 2, NOW - timedelta(hours=1))
    sooner = add_reward(repos, 1, NOW - timedelta(hours=70))
    add_reward(repos, 3, NOW - timedelta(hours=1), RewardStatus.APPROVED)
    items = review_queue(repos, RULES)
    assert [i.reward.reward_id for i in items] == [sooner, later]
    first = items[0]
    assert first.referrer_name == "Carla Referrer"
    assert first.reasons[0][0] == "velocity" and "24 hours" in first.reasons[0][1]
    assert first.remaining(NOW) == timedelta(hours=2)
    assert first.remaining(NOW + timedelta(hours=5)) == timedelta(0)


def test_a_reviewer_decides_once_with_a_note(providers: Providers) -> None:
    repos = providers.repositories
    reward_id = add_reward(repos, 1, NOW - timedelta(hours=1))
    reward = decide(reward_id, True, reviewer="rita", note="  known family  ",
                    repositories=repos, now=NOW)
    assert reward.status is RewardStatus.APPROVED
    [record] = repos.referrals.rewards()
    assert record.review is not None
    assert (record.review.by, record.review.note, record.review.automatic) == (
        "rita", "known family", False)
    with pytest.raises(InvalidInput) as late:
        decide(reward_id, False, reviewer="sam", note="", repositories=repos, now=NOW)
    assert late.value.field == "status"
    assert statuses(repos)[reward_id] is RewardStatus.APPROVED
    with pytest.raises(NotFound):
        decide("rwd_missing", True, reviewer="rita", note="", repositories=repos, now=NOW)
    with pytest.raises(InvalidInput):
        decide(reward_id, True, reviewer="rita", note="x" * 2001, repositories=repos,
               now=NOW)


def test_erasure_of_the_referrer_removes_the_review_note(providers: Providers) -> None:
    repos = providers.repositories
    repos.customers.save(Customer(customer_id="c1", display_name="Carla", customer_value=0.5))
    reward_id = add_reward(repos, 1, NOW - timedelta(hours=1))
    decide(reward_id, False, reviewer="rita", note="Carla's sister, lives with her",
           repositories=repos, now=NOW)
    erase_person(customer_id="c1", repositories=repos, secrets=providers.secrets,
                 crm=providers.crm, social=providers.social)
    [record] = repos.referrals.rewards()
    assert record.review is not None
    assert record.review.note == "erased" and record.review.by == "rita"
    assert record.reward.referrer_id != "c1"
