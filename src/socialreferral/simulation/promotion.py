"""Discrete-event model of the promotion web job (seed 000, Section 7.4, Table 4).

New promotions are added at time 0 and the job starts at once with
``PromotionScaling.instances(users)`` instances. Each instance takes the next user from a
shared list, computes that user's offer for every promotion on itself (Table 2's offer
generation, 2.1 s each) and hands each post to one *shared* publishing channel of
``channel_capacity`` (1) without waiting for it: publishing is the stage the instances
do not parallelise. A
promotion's response time is when it has reached every user; the result is the mean over
the promotions.

Why a shared stage: Table 4's times are ``13.77 s x users`` whether 1 or 5 instances ran,
so the instances bought nothing; a model in which they split the work would predict 5x
shorter times at 25 users than the paper measured.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from socialreferral.domain.scaling import PromotionScaling
from socialreferral.errors import InvalidInput
from socialreferral.simulation._deps import simpy_module
from socialreferral.simulation.paper import OFFER_SECONDS, PROMOTIONS

MAX_USERS = 100_000


class PromotionPlatform(BaseModel):
    """The web job's costs: per (user, promotion) ``offer_seconds`` on an instance and
    ``publish_seconds`` on the shared channel, gamma distributed with ``cv``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    offer_seconds: float = Field(default=OFFER_SECONDS, ge=0, le=3600)
    publish_seconds: float = Field(gt=0, le=3600)
    channel_capacity: int = Field(default=1, ge=1, le=1000)
    cv: float = Field(default=0.3, ge=0, le=3)


@dataclass(frozen=True)
class PromotionRun:
    """One simulated promotion run."""

    users: int
    instances: int
    promotion_done_at: tuple[float, ...]

    @property
    def mean_response(self) -> float:
        """Mean seconds for a promotion to reach every user."""
        return float(np.mean(self.promotion_done_at))


def _draw(rng: np.random.Generator, mean: float, cv: float) -> float:
    if mean == 0 or cv == 0:
        return mean
    return float(rng.gamma(1.0 / cv**2, mean * cv**2))


def simulate_promotion(
    users: int,
    platform: PromotionPlatform,
    *,
    scaling: PromotionScaling | None = None,
    promotions: int = PROMOTIONS,
    seed: int | np.random.SeedSequence = 0,
) -> PromotionRun:
    """Simulate one promotion run for ``users`` users; deterministic in ``seed``."""
    if not 1 <= users <= MAX_USERS:
        raise InvalidInput(f"must be between 1 and {MAX_USERS}", field="users")
    if not 1 <= promotions <= 100:
        raise InvalidInput("must be between 1 and 100", field="promotions")
    simpy = simpy_module()
    rng = np.random.default_rng(seed)
    instances = (scaling or PromotionScaling()).instances(users)
    env = simpy.Environment()
    channel = simpy.Resource(env, capacity=platform.channel_capacity)
    pending = list(range(users))
    done_at = [0.0] * promotions
    reached = [0] * promotions

    def publish(promotion: int) -> Generator[Any, Any, None]:
        with channel.request() as slot:
            yield slot
            yield env.timeout(_draw(rng, platform.publish_seconds, platform.cv))
        reached[promotion] += 1
        if reached[promotion] == users:
            done_at[promotion] = env.now

    def instance() -> Generator[Any, Any, None]:
        while pending:
            pending.pop()
            for promotion in range(promotions):
                yield env.timeout(_draw(rng, platform.offer_seconds, platform.cv))
                env.process(publish(promotion))  # queued for the channel; the instance goes on

    for _ in range(instances):
        env.process(instance())
    env.run()
    return PromotionRun(users, instances, tuple(done_at))


__all__ = ["MAX_USERS", "PromotionPlatform", "PromotionRun", "simulate_promotion"]
