"""Influencer profile features and the three pillars of seed 002 (TwitterTalker).

* **Reach** — the audience: followers, lists the user is on, posts.
* **Resonance** — engagement received: retweets and mentions.
* **Relevance** — per keyword: how much of the user's activity is about the keyword. The
  Kaggle/PeerIndex data has no keywords, so there the three anonymous network features stand
  in for it (a documented proxy); with keywords, pass ``keyword_posts`` and
  ``keyword_engagement`` and they are used instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from socialreferral.errors import InvalidInput

KAGGLE_COLUMNS = (
    "follower_count",
    "following_count",
    "listed_count",
    "mentions_received",
    "retweets_received",
    "mentions_sent",
    "retweets_sent",
    "posts",
    "network_feature_1",
    "network_feature_2",
    "network_feature_3",
)

PILLARS: dict[str, tuple[str, ...]] = {
    "reach": ("follower_count", "listed_count", "posts"),
    "resonance": ("retweets_received", "mentions_received"),
    "relevance": ("network_feature_1", "network_feature_2", "network_feature_3"),
}
KEYWORD_RELEVANCE = ("keyword_posts", "keyword_engagement")


@dataclass(frozen=True, slots=True)
class Profile:
    """Activity counts of one social-media user (Kaggle column names).

    ``keyword_posts``/``keyword_engagement``: posts about, and engagement received on, the
    keyword being scored (the Relevance pillar); leave ``None`` when unknown.
    """

    follower_count: float = 0.0
    following_count: float = 0.0
    listed_count: float = 0.0
    mentions_received: float = 0.0
    retweets_received: float = 0.0
    mentions_sent: float = 0.0
    retweets_sent: float = 0.0
    posts: float = 0.0
    network_feature_1: float = 0.0
    network_feature_2: float = 0.0
    network_feature_3: float = 0.0
    keyword_posts: float | None = None
    keyword_engagement: float | None = None

    @classmethod
    def from_row(cls, values: Sequence[float]) -> Profile:
        """From the 11 Kaggle values, in :data:`KAGGLE_COLUMNS` order."""
        if len(values) != len(KAGGLE_COLUMNS):
            raise InvalidInput(
                f"expected {len(KAGGLE_COLUMNS)} values, got {len(values)}", field="values"
            )
        return cls(**{c: float(v) for c, v in zip(KAGGLE_COLUMNS, values, strict=True)})

    def vector(self) -> npt.NDArray[np.float64]:
        """The 11 raw Kaggle values."""
        return np.array([getattr(self, c) for c in KAGGLE_COLUMNS], dtype=np.float64)


def log_features(raw: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """log1p of counts: influence is multiplicative (10→100 followers ≈ 1k→10k)."""
    return np.log1p(np.clip(raw, 0.0, None))


def profiles_matrix(profiles: Sequence[Profile]) -> npt.NDArray[np.float64]:
    """Raw Kaggle values of several profiles, shape (n, 11)."""
    return np.array([p.vector() for p in profiles], dtype=np.float64).reshape(-1, 11)


def split_pairs(
    pairs: Sequence[tuple[Profile, Profile]] | npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(A, B) raw matrices from profile pairs or a Kaggle-layout array (n, 22)."""
    if isinstance(pairs, np.ndarray):
        arr = np.asarray(pairs, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != 2 * len(KAGGLE_COLUMNS):
            raise InvalidInput(
                "pair array must have shape (n, 22): A_ columns then B_ columns",
                field="pairs_features",
            )
        return arr[:, :11], arr[:, 11:]
    a = profiles_matrix([p[0] for p in pairs])
    b = profiles_matrix([p[1] for p in pairs])
    return a, b
