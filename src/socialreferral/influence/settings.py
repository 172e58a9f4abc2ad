"""``[influence]`` settings: what is tracked, how it is stored, scored and alerted on.

::

    [influence]
    hour_shards = 4              # each hour of a keyword is split over this many documents
    live_alerts = true           # spike checks on the current hour after every batch

    [[influence.keywords]]
    term = "United Airlines"
    aliases = ["@united", "#UnitedAirlines"]

    [[influence.keywords]]
    term = "Delta"
    kind = "competitor"
    exclude = ["delta variant"]

    [influence.spikes]           # SpikeConfig: thresholds of the two alert kinds
    volume_ratio = 2.0
    [influence.scoring]          # ScoringConfig: the Relevance pillar's knobs
    recency_half_life_hours = 72

Keywords configured here are always tracked; marketers add and remove further ones at run
time (REST ``/influence/keywords``, CLI ``socialreferral influence keywords``), which are
stored. This module imports only pydantic models, so validating settings stays cheap.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from socialreferral.domain._base import DomainModel
from socialreferral.influence.config import ScoringConfig, SpikeConfig
from socialreferral.influence.keywords import MAX_KEYWORDS, TrackedKeyword


class InfluenceSettings(DomainModel):
    """The ``[influence]`` section of the settings file.

    * ``keywords``: tracked keywords and hashtags (the brand's own and competitors'),
      always tracked; more can be added at run time.
    * ``hour_shards``: each (keyword, hour) aggregate is split over this many documents by
      post id, so one hot hour never outgrows a document (DynamoDB's 400 KB) and
      concurrent workers rarely write the same document. Roughly 2,000 posts fit a shard.
      To change it on a running deployment, stop the workers, change it and run
      ``influence.recompute``, which moves every post to its new shard.
    * ``ledger_hours``: how long an aggregate document remembers the post ids it counted,
      which is what makes a redelivered post count once. A post whose record is older than
      this and not in the ledger is left to the periodic recompute.
    * ``resolve_locations``: resolve profile locations with the offline gazetteer (the
      ``influence`` extra); off, every given location counts as unresolved.
    * ``live_alerts``: after each batch, check the keywords' current hour for spikes and
      store new alerts (each once); ``alert_refresh_minutes`` is how often a live alert's
      figures and explanation are brought up to date while its hour runs.
    * ``scan_hours``: the periodic recompute also scans this many past hours for alerts
      that no live check raised (the worker was down, posts were replayed).
    * ``top``, ``map_influencers``, ``cloud_words``: the dashboard panels' default sizes.
    """

    keywords: tuple[TrackedKeyword, ...] = Field(default=(), max_length=MAX_KEYWORDS)
    hour_shards: int = Field(default=4, ge=1, le=64)
    ledger_hours: float = Field(default=24.0, ge=1.0, le=24.0 * 30)
    resolve_locations: bool = True
    live_alerts: bool = True
    alert_refresh_minutes: float = Field(default=5.0, ge=0.0, le=24 * 60)
    scan_hours: int = Field(default=48, ge=0, le=24 * 31)
    top: int = Field(default=5, ge=1, le=50)
    map_influencers: int = Field(default=100, ge=1, le=1_000)
    cloud_words: int = Field(default=50, ge=1, le=500)
    scoring: ScoringConfig = ScoringConfig()
    spikes: SpikeConfig = SpikeConfig()

    @model_validator(mode="after")
    def _unique_keys(self) -> InfluenceSettings:
        keys = [k.key for k in self.keywords]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"keywords with the same key: {dup}")
        return self


__all__ = ["InfluenceSettings"]
