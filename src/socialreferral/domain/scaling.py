"""Worker scaling from queue depth — the paper's HPC rule (seed 000, Section 7.3).

"The number of nodes was increased by one for every 20 messages if the messages in the
message queue are more than 5 for 60 seconds", with at most 5 nodes. Table 3 fits
``nodes = base + ceil(depth / 20)`` capped (14 → 2, 31 → 3, 48 → 4, 65 → 5). Providers turn
the same policy into their vendor's form (an Azure Batch autoscale formula, a number of
AWS Batch array children, a local process-pool size).
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ScalingPolicy(BaseModel):
    """When and how far to scale the workers that drain the events queue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    messages_per_node: int = Field(default=20, ge=1)
    trigger_messages: int = Field(default=5, ge=0, description="scale out above this depth")
    sustain_seconds: int = Field(default=60, ge=0, description="...held for this long")
    min_nodes: int = Field(default=1, ge=0)
    max_nodes: int = Field(default=5, ge=1)
    evaluation_interval_seconds: int = Field(default=300, ge=1)

    @model_validator(mode="after")
    def _bounds(self) -> ScalingPolicy:
        if self.min_nodes > self.max_nodes:
            raise ValueError("min_nodes must not exceed max_nodes")
        return self

    def target_nodes(self, queue_depth: int, waited_seconds: float) -> int:
        """Nodes wanted for ``queue_depth`` messages that have waited ``waited_seconds``.

        Below the trigger (or before it has held for ``sustain_seconds``) the pool stays at
        ``min_nodes``; above it, one node more per started ``messages_per_node`` messages.
        """
        if queue_depth < 0:
            raise ValueError("queue_depth must be >= 0")
        if queue_depth <= self.trigger_messages or waited_seconds < self.sustain_seconds:
            return self.min_nodes
        wanted = self.min_nodes + math.ceil(queue_depth / self.messages_per_node)
        return min(self.max_nodes, wanted)


class PromotionScaling(BaseModel):
    """Instances of the scheduled promotion job: users / 5, capped (Section 7.4, Table 4)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    users_per_instance: int = Field(default=5, ge=1)
    max_instances: int = Field(default=5, ge=1)

    def instances(self, users: int) -> int:
        return max(1, min(self.max_instances, math.ceil(users / self.users_per_instance)))


def policy_from(value: object) -> ScalingPolicy:
    """The policy an adapter was handed (``BuildContext.extra["scaling"]``): a
    :class:`ScalingPolicy`, a mapping of its fields, or None for the paper's defaults."""
    if value is None:
        return ScalingPolicy()
    if isinstance(value, ScalingPolicy):
        return value
    return ScalingPolicy.model_validate(value)
