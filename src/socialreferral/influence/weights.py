"""Weights of the per-keyword influence score, learned as TwitterTalker did.

TwitterTalker weighted its criteria by random-forest variable importance on the Kaggle
"Influencers in Social Networks" pairs. :meth:`PillarWeights.from_model` takes them from a
fitted :class:`~socialreferral.scoring.InfluenceModel`:

* **pillar weights** are the summed importances of each pillar's Kaggle features;
* **Reach**: followers, lists and posts/day are weighted by their own importances, and
  placed on a percentile scale against the Kaggle users (quantiles kept in ``reference``);
* **Resonance**: retweets received on the keyword take ``retweets_received``'s importance;
  likes take ``mentions_received``'s (Kaggle has no likes; mentions are the other
  "engagement received" count);
* **Relevance** has no Kaggle counterpart (the data set has no keywords; its anonymous
  network features were the stand-in). The pillar keeps the network features' summed
  importance, and its parts (share of the author's posts on the keyword, recency, keyword
  rarity) have fixed, documented weights.

:meth:`PillarWeights.default` are the weights of a fit on all 5,500 pairs (seed 0),
written by ``python benchmarks/influence.py --write-weights``.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from socialreferral.domain._base import DomainModel

if TYPE_CHECKING:
    from socialreferral.scoring import InfluenceModel

PILLAR_NAMES = ("reach", "resonance", "relevance")
REACH_FEATURES = ("followers", "listed", "posts_per_day")
RESONANCE_FEATURES = ("retweets", "likes")
RELEVANCE_FEATURES = ("share", "recency", "rarity")
#: Kaggle column behind each Reach/Resonance feature.
KAGGLE_SOURCE = {
    "followers": "follower_count",
    "listed": "listed_count",
    "posts_per_day": "posts",
    "retweets": "retweets_received",
    "likes": "mentions_received",
}
#: A-priori split of the Relevance pillar (no labelled data exists to learn it from).
DEFAULT_RELEVANCE = {"share": 0.6, "recency": 0.25, "rarity": 0.15}
N_QUANTILES = 101


def _normalised(weights: dict[str, float], names: tuple[str, ...]) -> dict[str, float]:
    if set(weights) != set(names):
        raise ValueError(f"expected weights for {names}, got {sorted(weights)}")
    if any(v < 0 for v in weights.values()):
        raise ValueError("weights must not be negative")
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("weights must not all be zero")
    return {k: weights[k] / total for k in names}


class PillarWeights(DomainModel):
    """Weights and reference scales of the per-keyword score (see the module docstring).

    Every weight group is normalised to sum to 1 on construction. ``reference`` holds
    :data:`N_QUANTILES` quantiles (0 to 1) of each Reach feature among reference users.
    """

    pillars: dict[str, float]
    reach: dict[str, float]
    resonance: dict[str, float]
    relevance: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_RELEVANCE))
    reference: dict[str, tuple[float, ...]]
    source: str = Field(default="", max_length=400)

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: object) -> object:
        if isinstance(data, dict):
            data = dict(data)
            for key, names in (
                ("pillars", PILLAR_NAMES),
                ("reach", REACH_FEATURES),
                ("resonance", RESONANCE_FEATURES),
                ("relevance", RELEVANCE_FEATURES),
            ):
                if key in data:
                    data[key] = _normalised(dict(data[key]), names)
        return data

    @model_validator(mode="after")
    def _reference_complete(self) -> PillarWeights:
        for name in REACH_FEATURES:
            q = self.reference.get(name)
            if q is None or len(q) < 2 or any(b < a for a, b in pairwise(q)):
                raise ValueError(f"reference[{name!r}] must be ascending quantiles")
        return self

    @classmethod
    def from_model(
        cls, model: InfluenceModel, relevance: dict[str, float] | None = None
    ) -> PillarWeights:
        """Weights from a fitted :class:`~socialreferral.scoring.InfluenceModel`."""
        fw = {k: abs(v) for k, v in model.feature_weights.items()}
        return cls(
            pillars=dict(model.pillar_weights),
            reach={f: fw[KAGGLE_SOURCE[f]] for f in REACH_FEATURES},
            resonance={f: fw[KAGGLE_SOURCE[f]] for f in RESONANCE_FEATURES},
            relevance=dict(relevance or DEFAULT_RELEVANCE),
            reference={
                f: tuple(model.reference_quantiles(KAGGLE_SOURCE[f], N_QUANTILES))
                for f in REACH_FEATURES
            },
            source=f"InfluenceModel(seed={model.seed}, n_estimators={model.n_estimators})",
        )

    @classmethod
    def default(cls) -> PillarWeights:
        """The shipped weights (a fit on all Kaggle pairs; see the module docstring)."""
        from socialreferral.influence import _default_weights as d

        return cls(
            pillars=d.PILLARS,
            reach=d.REACH,
            resonance=d.RESONANCE,
            relevance=dict(DEFAULT_RELEVANCE),
            reference=d.REFERENCE,
            source=d.SOURCE,
        )


__all__ = [
    "DEFAULT_RELEVANCE",
    "KAGGLE_SOURCE",
    "PILLAR_NAMES",
    "REACH_FEATURES",
    "RELEVANCE_FEATURES",
    "RESONANCE_FEATURES",
    "PillarWeights",
]
