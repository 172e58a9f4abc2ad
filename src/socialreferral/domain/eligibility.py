"""Who may take part in the referral campaign (seed 000, Section 2).

"Once necessary permissions are authorized, the customer's social credentials, such as the
number of friends, influence in the network, and activeness, are accessed to evaluate the
user's eligibility". Each criterion is a threshold from settings; the explanation records
every criterion, passed or failed, so a refused customer can be told why.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.explain import Explanation, Factor
from socialreferral.domain.social import Connection, Profile


class EligibilityRules(DomainModel):
    """Thresholds a customer must meet (all of them) to be listened to."""

    min_connections: int = Field(default=20, ge=0)
    min_influence: float = Field(default=0.1, ge=0.0, le=1.0)
    min_activity_per_30d: int = Field(default=2, ge=0)


class Eligibility(DomainModel):
    """The verdict; ``failed`` names the criteria that were not met."""

    eligible: bool
    failed: tuple[str, ...] = ()
    explanation: Explanation


def count_connections(profile: Profile, connections: Sequence[Connection]) -> int:
    """Distinct people connected to ``profile``.

    Networks often report a total (``profile.followers``) larger than the list they let an
    app read (``/me/friends`` only lists friends who use the app), so the larger is used.
    """
    listed = {c.other_id for c in connections if c.person_id == profile.person_id}
    return max(len(listed), profile.followers)


def assess_eligibility(
    profile: Profile,
    connections: Sequence[Connection],
    recent_activity_count: int,
    influence: float,
    rules: EligibilityRules,
) -> Eligibility:
    """Check connections, influence (0..1) and activity in the last 30 days against ``rules``.

    Each factor's ``value`` is 1.0 when the criterion passes and 0.0 when it fails; the
    note carries the observed figure and the threshold.
    """
    observed = count_connections(profile, connections)
    checks = [
        ("connections", observed, rules.min_connections, observed >= rules.min_connections),
        ("influence", influence, rules.min_influence, influence >= rules.min_influence),
        (
            "activity_30d",
            recent_activity_count,
            rules.min_activity_per_30d,
            recent_activity_count >= rules.min_activity_per_30d,
        ),
    ]
    factors = []
    failed = []
    for name, seen, needed, ok in checks:
        if not ok:
            failed.append(name)
        verdict = "ok" if ok else "too low"
        factors.append(
            Factor(
                name=name,
                value=1.0 if ok else 0.0,
                weight=1.0,
                contribution=1.0 if ok else 0.0,
                note=f"{seen:g} observed, {needed:g} required: {verdict}",
            )
        )
    if failed:
        summary = f"{profile.person_id} is not eligible: {', '.join(failed)} below threshold"
    else:
        summary = f"{profile.person_id} is eligible: every criterion met"
    return Eligibility(
        eligible=not failed,
        failed=tuple(failed),
        explanation=Explanation(summary=summary, factors=tuple(factors)),
    )


__all__ = ["Eligibility", "EligibilityRules", "assess_eligibility", "count_connections"]
