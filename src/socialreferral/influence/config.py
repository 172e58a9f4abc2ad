"""The knobs of the influence core, as light pydantic models (no numpy import).

They live apart from the code that uses them (:mod:`.scores`, :mod:`.baseline`,
:mod:`.spikes`) so that the ``[influence]`` settings section can be validated without
loading the numerical modules: reading a settings file must stay cheap for every command.
Each is re-exported where it is used, under the same name.
"""

from __future__ import annotations

from pydantic import Field

from socialreferral.domain._base import DomainModel


class ScoringConfig(DomainModel):
    """Knobs of the Relevance pillar (see :mod:`socialreferral.influence.scores`)."""

    recency_half_life_hours: float = Field(default=72.0, gt=0.0, le=24 * 365)
    share_prior: float = Field(default=0.05, gt=0.0, lt=1.0)
    share_prior_weight: float = Field(default=4.0, ge=0.0, le=1_000.0)


class BaselineConfig(DomainModel):
    """How much history a seasonal baseline uses (see :mod:`.baseline`)."""

    history_days: int = Field(default=28, ge=7, le=366)
    min_history_days: int = Field(default=7, ge=1, le=366)
    share_prior_posts: float = Field(default=200.0, ge=0.0)


class SpikeConfig(DomainModel):
    """Thresholds of the two alert kinds (tuned on generated streams, see docs)."""

    baseline: BaselineConfig = BaselineConfig()
    volume_z: float = Field(default=5.0, gt=0.0)
    volume_ratio: float = Field(default=2.0, ge=1.0)
    volume_min_excess: int = Field(default=15, ge=0)
    dispersion: float = Field(default=0.05, ge=0.0, le=10.0)
    negativity_z: float = Field(default=5.0, gt=0.0)
    negativity_rise: float = Field(default=0.15, ge=0.0, lt=1.0)
    negativity_min: int = Field(default=10, ge=1)
    drivers: int = Field(default=5, ge=0, le=50)
    rising_words: int = Field(default=8, ge=0, le=50)


__all__ = ["BaselineConfig", "ScoringConfig", "SpikeConfig"]
