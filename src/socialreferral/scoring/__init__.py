"""Influence scoring: the Reach / Resonance / Relevance pillars of seed 002.

Names are imported on first access (as in :mod:`socialreferral.text`): a queue worker
imports the few use cases it runs, not every flow's (issue 14's cold start).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socialreferral.scoring.influence import InfluenceModel, InfluenceScore
    from socialreferral.scoring.profiles import KAGGLE_COLUMNS, PILLARS, Profile

_HOME = {
    "InfluenceModel": "influence",
    "InfluenceScore": "influence",
    "KAGGLE_COLUMNS": "profiles",
    "PILLARS": "profiles",
    "Profile": "profiles",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


__all__ = ["KAGGLE_COLUMNS", "PILLARS", "InfluenceModel", "InfluenceScore", "Profile"]
