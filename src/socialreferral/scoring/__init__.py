"""Influence scoring: the Reach / Resonance / Relevance pillars of seed 002."""

from __future__ import annotations

from socialreferral.scoring.influence import InfluenceModel, InfluenceScore
from socialreferral.scoring.profiles import KAGGLE_COLUMNS, PILLARS, Profile

__all__ = ["KAGGLE_COLUMNS", "PILLARS", "InfluenceModel", "InfluenceScore", "Profile"]
