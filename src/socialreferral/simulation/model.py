"""The simulated system's parameters: where the pool runs and what load it gets.

:class:`Platform` describes the compute service (per-message service time, node cold
start, how often the scaling decision is taken, metric sampling); :class:`Workload` the
load script (users, posts per user, the window the posts are spread over). Both are
validated and bounded so that a simulation stays small (at most
:data:`MAX_MESSAGES` messages a run).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from socialreferral.simulation.paper import INGEST_SECONDS, POSTS_PER_USER

MAX_MESSAGES = 20_000
MAX_REPLICATIONS = 1_000


class Platform(BaseModel):
    """The compute service a scaling policy drives.

    ``service_seconds``: mean time one node takes per message (gamma distributed with
    coefficient of variation ``service_cv``); ``cold_start_seconds``: from the decision
    to add a node until it takes work (uniform within ``± cold_start_jitter`` of it);
    ``evaluation_interval_seconds``: how often the policy is evaluated (the first time at
    a random phase); ``sample_seconds``: how often the queue is sampled for the sustain
    check (Azure Batch samples every 30 s); ``ingest_seconds``: post → queue.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    service_seconds: float = Field(gt=0, le=3600)
    service_cv: float = Field(default=0.3, ge=0, le=3)
    cold_start_seconds: float = Field(ge=0, le=3600)
    cold_start_jitter: float = Field(default=0.2, ge=0, lt=1)
    evaluation_interval_seconds: float = Field(ge=1, le=86_400)
    sample_seconds: float = Field(default=30.0, ge=1, le=3600)
    ingest_seconds: float = Field(default=INGEST_SECONDS, ge=0, le=3600)


class Workload(BaseModel):
    """``users`` people post ``posts_per_user`` times each, at independent uniform times
    within ``arrival_window_seconds`` of the start (the load script)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    users: int = Field(ge=1, le=MAX_MESSAGES)
    posts_per_user: int = Field(default=POSTS_PER_USER, ge=1, le=1000)
    arrival_window_seconds: float = Field(ge=0, le=86_400)

    @model_validator(mode="after")
    def _bounded(self) -> Workload:
        if self.messages > MAX_MESSAGES:
            raise ValueError(f"users x posts_per_user must not exceed {MAX_MESSAGES}")
        return self

    @property
    def messages(self) -> int:
        """How many messages the workload sends."""
        return self.users * self.posts_per_user


__all__ = ["MAX_MESSAGES", "MAX_REPLICATIONS", "Platform", "Workload"]
