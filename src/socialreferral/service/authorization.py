"""The authorization workflow (seed 000, Section 5.1): a customer connects a social account.

Steps: the OAuth token goes to the SecretStore (only there: never into a document, a log
line or an exception message) → the consent and the customer are recorded → the profile
and the connections the customer shares are read from the SocialChannel and stored (the
profile is also captured for people fusion, with the consent's scopes: seed 001) → the
customer's eligibility (connections, influence, activity; thresholds from settings) is
computed by the domain and stored with its explanation.

Influence is the Reach / Resonance / Relevance pillar score of :mod:`socialreferral.scoring`
(seed 002) on what the channel shows (:func:`influence_profile`). A fitted
:class:`~socialreferral.scoring.InfluenceModel` may be passed (``influence_model=``): its
``score(...).percentile / 100`` is then the 0..1 influence. Without one (the scoring package
ships no fitted model, and fitting needs labelled pairs), :func:`pillar_influence` scores the
same pillars with fixed default weights: the pillar and feature weights
``InfluenceModel.fit`` learns on the Kaggle "Influencers in Social Networks" pairs (reach
0.47, resonance 0.23, relevance 0.30), each count mapped to 0..1 on a log scale that
saturates at a documented count (:data:`SATURATION`).

Re-connecting is idempotent: the token gets a new version, the records are overwritten
with the fresh profile, and eligibility is recomputed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field

from socialreferral.domain._base import DomainModel
from socialreferral.domain.customers import Consent, Customer
from socialreferral.domain.eligibility import Eligibility, EligibilityRules, assess_eligibility
from socialreferral.domain.oauth import token_secret_name
from socialreferral.domain.social import Connection, Profile
from socialreferral.errors import InvalidInput
from socialreferral.ports import SecretStore, SocialChannel
from socialreferral.records import Capability
from socialreferral.repositories import Repositories
from socialreferral.scoring import PILLARS, InfluenceModel
from socialreferral.scoring import Profile as InfluenceProfile
from socialreferral.service.people.capture import capture_login_profile

ACTIVITY_WINDOW = timedelta(days=30)

DEFAULT_FEATURE_WEIGHTS: Mapping[str, float] = {
    # Reach 0.47: followers, lists, posts (weights as InfluenceModel.fit learns them on the
    # Kaggle pairs: random-forest importances, rounded).
    "follower_count": 0.159,
    "listed_count": 0.253,
    "posts": 0.057,
    # Resonance 0.23: engagement received.
    "retweets_received": 0.099,
    "mentions_received": 0.135,
    # Relevance 0.30: per keyword in seed 002; eligibility is not about one keyword, so, as
    # the Kaggle data does with its anonymous network features, a network proxy stands in:
    # how embedded the customer is (mean mutual connections per connection).
    "network_feature_1": 0.297,
}
"""Default weight of each pillar feature (they sum to 1, so the influence is in 0..1)."""

SATURATION: Mapping[str, float] = {
    "follower_count": 1000.0,
    "listed_count": 50.0,
    "posts": 500.0,
    "retweets_received": 100.0,  # likes and shares in the last 30 days
    "mentions_received": 50.0,  # comments, messages, mentions in the last 30 days
    "network_feature_1": 50.0,  # mean mutual connections
}
"""Count at which a feature reaches 1.0: ``min(1, log1p(count) / log1p(saturation))``."""

_AMPLIFY = frozenset({"like", "reaction", "share", "retweet", "repost"})


@dataclass(frozen=True, slots=True)
class PillarInfluence:
    """A 0..1 influence, each pillar's part of it, and a one-line explanation."""

    influence: float
    reach: float
    resonance: float
    relevance: float
    explanation: str


class ConnectResult(DomainModel):
    """What connecting an account produced (no token in it, by construction)."""

    customer_id: str
    network: str
    person_id: str
    secret_name: str
    secret_version: str
    connections: int = Field(ge=0)
    influence: float = Field(ge=0.0, le=1.0)
    eligibility: Eligibility


def recent_activity(connections: Sequence[Connection], now: datetime) -> int:
    """Interactions with connections in the last 30 days (the activity the channel shows)."""
    start = now - ACTIVITY_WINDOW
    return sum(1 for c in connections for i in c.interactions if start < i.at <= now)


def influence_profile(
    profile: Profile, connections: Sequence[Connection], now: datetime
) -> InfluenceProfile:
    """The pillar features of :mod:`socialreferral.scoring` from what the channel shows.

    Followers are the larger of the reported count and the connections listed (as for
    eligibility); engagement received is the last 30 days' interactions with connections,
    likes and shares as amplification (``retweets_received``), the rest as mentions;
    ``network_feature_1`` is the mean number of mutual connections (the Relevance proxy).
    """
    start = now - ACTIVITY_WINDOW
    recent = [i for c in connections for i in c.interactions if start < i.at <= now]
    amplified = sum(1 for i in recent if i.kind.lower() in _AMPLIFY)
    mutual = sum(c.mutual_connections for c in connections) / max(1, len(connections))
    return InfluenceProfile(
        follower_count=float(max(profile.followers, len({c.other_id for c in connections}))),
        following_count=float(profile.following),
        listed_count=float(profile.listed),
        retweets_received=float(amplified),
        mentions_received=float(len(recent) - amplified),
        posts=float(profile.posts),
        network_feature_1=float(mutual),
    )


def pillar_influence(
    features: InfluenceProfile, model: InfluenceModel | None = None
) -> PillarInfluence:
    """Pillar influence of ``features``: with a fitted ``model``, its percentile among the
    users it was trained on; otherwise the default weights (module docstring)."""
    if model is not None:
        scored = model.score(features)
        return PillarInfluence(
            influence=round(min(1.0, max(0.0, scored.percentile / 100.0)), 6),
            reach=scored.reach, resonance=scored.resonance, relevance=scored.relevance,
            explanation=f"InfluenceModel: {scored.explanation}",
        )
    parts: dict[str, float] = {}
    for pillar, columns in PILLARS.items():
        parts[pillar] = sum(
            DEFAULT_FEATURE_WEIGHTS.get(column, 0.0)
            * min(1.0, math.log1p(max(0.0, getattr(features, column)))
                  / math.log1p(SATURATION[column]))
            for column in columns if column in DEFAULT_FEATURE_WEIGHTS
        )
    total = min(1.0, sum(parts.values()))
    top = max(parts, key=lambda k: parts[k])
    explanation = (
        f"default pillar weights: reach {parts['reach']:.3f}, resonance "
        f"{parts['resonance']:.3f}, relevance {parts['relevance']:.3f} (network proxy); "
        f"strongest {top}"
    )
    return PillarInfluence(
        influence=round(total, 6), reach=round(parts["reach"], 6),
        resonance=round(parts["resonance"], 6), relevance=round(parts["relevance"], 6),
        explanation=explanation,
    )


def influence_score(
    profile: Profile, connections: Sequence[Connection], now: datetime,
    model: InfluenceModel | None = None,
) -> float:
    """The 0..1 influence eligibility and incentives use (see :func:`pillar_influence`)."""
    return pillar_influence(influence_profile(profile, connections, now), model).influence


def connect_account(
    *,
    repositories: Repositories,
    secrets: SecretStore,
    social: SocialChannel,
    rules: EligibilityRules,
    customer: Customer,
    network: str,
    person_id: str,
    token: str,
    scopes: Sequence[str],
    now: datetime,
    influence_model: InfluenceModel | None = None,
) -> ConnectResult:
    """Run the authorization workflow for ``customer``'s account ``person_id``.

    ``influence_model``: a fitted :class:`~socialreferral.scoring.InfluenceModel` to score
    influence with; by default the pillars are scored with the default weights.

    Raises ``InvalidInput`` naming the field for an empty token or person id, and
    ``ProfileNotFound`` when the channel does not know the person.
    """
    if not isinstance(token, str) or not token.strip():
        raise InvalidInput("must be a non-empty string", field="token")
    if not person_id:
        raise InvalidInput("must not be empty", field="person_id")
    secret = secrets.set(token_secret_name(network, person_id), token)

    customer = repositories.customers.link_account(customer, network, person_id)
    previous = repositories.customers.consent(customer.customer_id, network)
    repositories.customers.save_consent(
        Consent(customer_id=customer.customer_id, network=network, person_id=person_id,
                scopes=tuple(scopes),
                granted_at=previous.granted_at if previous and previous.active else now),
        secret_name=secret.name)

    profile = social.get_profile(person_id)
    # A network that shares no friend list (capability "connections") still connects:
    # eligibility then rests on the profile's own counts.
    shared = (social.get_connections(person_id)
              if social.supports(Capability.CONNECTIONS) else [])
    connections = [c for c in shared if c.person_id == person_id]
    repositories.graph.save_profile(profile)
    repositories.graph.save_connections(customer.customer_id, network, connections)
    capture_login_profile(repositories, profile, customer_id=customer.customer_id,
                          scopes=scopes, now=now)

    pillars = pillar_influence(influence_profile(profile, connections, now), influence_model)
    eligibility = assess_eligibility(profile, connections, recent_activity(connections, now),
                                     pillars.influence, rules)
    repositories.graph.save_eligibility(
        customer.customer_id, network, person_id, eligibility, influence=pillars.influence,
        connections=len(connections),
        pillars={"reach": pillars.reach, "resonance": pillars.resonance,
                 "relevance": pillars.relevance},
        influence_explanation=pillars.explanation, at=now)
    return ConnectResult(
        customer_id=customer.customer_id,
        network=network,
        person_id=person_id,
        secret_name=secret.name,
        secret_version=secret.version,
        connections=len(connections),
        influence=pillars.influence,
        eligibility=eligibility,
    )


def revoke_consent(repositories: Repositories, customer_id: str, network: str,
                   at: datetime) -> None:
    """Stop listening to ``customer_id`` on ``network`` (the worker skips revoked consents)."""
    repositories.customers.revoke_consent(customer_id, network, at)


def eligibility_of(repositories: Repositories, customer_id: str,
                   network: str) -> dict[str, object]:
    """The stored eligibility (verdict, explanation, influence figures) or ``{}``."""
    facts = repositories.graph.eligibility(customer_id, network)
    return {} if facts is None else dict(facts.document)


__all__ = [
    "DEFAULT_FEATURE_WEIGHTS",
    "SATURATION",
    "ConnectResult",
    "PillarInfluence",
    "connect_account",
    "eligibility_of",
    "influence_profile",
    "influence_score",
    "pillar_influence",
    "recent_activity",
    "revoke_consent",
    "token_secret_name",
]
