"""Influence scoring: the Reach / Resonance / Relevance pillars of seed 002.

Names are imported on first access (as in :mod:`socialreferral.text`): a queue worker
imports the few use cases it runs, not every flow's (issue 14's cold start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialreferral._lazy import lazy_names

if TYPE_CHECKING:
    from socialreferral.scoring.influence import InfluenceModel, InfluenceScore
    from socialreferral.scoring.profiles import KAGGLE_COLUMNS, PILLARS, Profile

_HOME = {
    "InfluenceModel": ".influence",
    "InfluenceScore": ".influence",
    "KAGGLE_COLUMNS": ".profiles",
    "PILLARS": ".profiles",
    "Profile": ".profiles",
}


__getattr__, __dir__ = lazy_names(__name__, _HOME)


__all__ = ["KAGGLE_COLUMNS", "PILLARS", "InfluenceModel", "InfluenceScore", "Profile"]
