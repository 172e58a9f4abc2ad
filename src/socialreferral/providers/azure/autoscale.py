"""Azure Batch autoscale formulas generated from a :class:`ScalingPolicy`.

The paper's rule (seed 000, Section 7.3): one node more per ``messages_per_node`` (20)
messages when more than ``trigger_messages`` (5) have waited for ``sustain_seconds`` (60),
between ``min_nodes`` and ``max_nodes`` (5). In an autoscale formula the backlog is the
job's tasks: ``$ActiveTasks`` (queued, not yet running) says how many *wait*, and
``$PendingTasks`` (active + running) is the work to size the pool for. Batch samples these
every 30 s; the rule holds when every sample of the last ``sustain_seconds`` is above the
trigger, and falls back to ``min_nodes`` while fewer than 70 % of the samples exist (as
Microsoft's examples do). Batch evaluates the formula at most every 5 minutes.
"""

from __future__ import annotations

from socialreferral.domain.scaling import ScalingPolicy

MIN_EVALUATION_SECONDS = 300
MAX_EVALUATION_SECONDS = 168 * 3600


def autoscale_formula(policy: ScalingPolicy) -> str:
    """The autoscale formula text for ``policy`` (one statement per line)."""
    window = max(policy.sustain_seconds, 30)  # a window shorter than one sample is empty
    return "\n".join(
        [
            f"minNodes = {policy.min_nodes};",
            f"maxNodes = {policy.max_nodes};",
            f"perNode = {policy.messages_per_node};",
            f"trigger = {policy.trigger_messages};",
            f"window = TimeInterval_Second * {window};",
            "enough = $ActiveTasks.GetSamplePercent(window) >= 70;",
            "waiting = enough ? min($ActiveTasks.GetSample(window)) : 0;",
            "backlog = enough ? max($PendingTasks.GetSample(1)) : 0;",
            "wanted = waiting > trigger ? minNodes + ceil(backlog / perNode) : minNodes;",
            "$TargetDedicatedNodes = max(minNodes, min(maxNodes, wanted));",
            "$TargetLowPriorityNodes = 0;",
            "$NodeDeallocationOption = taskcompletion;",
        ]
    )


def pinned_formula(nodes: int) -> str:
    """A formula holding the pool at ``nodes`` dedicated nodes (used by ``scale()``)."""
    return "\n".join(
        [
            f"$TargetDedicatedNodes = {nodes};",
            "$TargetLowPriorityNodes = 0;",
            "$NodeDeallocationOption = taskcompletion;",
        ]
    )


def evaluation_interval(policy: ScalingPolicy) -> int:
    """The evaluation interval in seconds, validated against Batch's 5 min - 168 h range."""
    seconds = policy.evaluation_interval_seconds
    if not MIN_EVALUATION_SECONDS <= seconds <= MAX_EVALUATION_SECONDS:
        raise ValueError(
            f"autoscale evaluation interval {seconds}s is outside Azure Batch's range "
            f"of {MIN_EVALUATION_SECONDS}s to {MAX_EVALUATION_SECONDS}s"
        )
    return seconds


__all__ = ["autoscale_formula", "evaluation_interval", "pinned_formula"]
