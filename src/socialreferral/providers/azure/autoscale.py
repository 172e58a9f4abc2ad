"""Azure Batch autoscale formulas generated from a scaling policy (either ``kind``).

The backlog is the job's tasks: ``$ActiveTasks`` (queued, not yet running) says how many
*wait*, ``$RunningTasks`` how many run, ``$PendingTasks`` (active + running) is the work to
size the pool for, ``$CurrentDedicatedNodes`` the pool's size now. Batch samples these
every 30 s and evaluates the formula at most every 5 minutes (``evaluation_interval``
refuses less). Samples are read as Microsoft's examples do: a window's samples only when at
least 70 % of them exist, the latest sample as ``max(0, $X.GetSample(1))``.

``queue_length`` (the paper's rule): one node more per ``messages_per_node`` messages when
every sample of the last ``sustain_seconds`` has more than ``trigger_messages`` waiting;
with ``scale_in = "when_drained"`` the pool keeps ``$CurrentDedicatedNodes`` while tasks
still wait, with ``"each_evaluation"`` the rule's answer stands.

``backlog``: ``ceil($PendingTasks / target_backlog_per_node)`` with no sustain period; with
``max_age_seconds`` one node more when tasks have waited in every sample of that window.

What a formula cannot express, and how it is approximated or left out:

* the age of the oldest message: Batch has no per-task wait metric; "some task waited in
  every sample of the last ``max_age_seconds``" stands in for it. It over-reports age under
  a steady load that never empties the queue (which then adds a node where the backlog
  target alone would not);
* decisions more often than every 5 minutes, and releasing a node the moment it idles:
  nodes leave only at an evaluation (``taskcompletion`` lets a busy one finish first);
* the Storage Queue's own depth: the formula sees Batch tasks, so the backlog must be
  submitted as tasks (one per message or batch) for either policy to see it;
* warm pools: Batch has none; ``min_nodes = 0`` scales the pool to zero and the first task
  waits for a node's full start-up.
"""

from __future__ import annotations

from socialreferral.domain.scaling import BacklogPolicy, ScalingPolicy

MIN_EVALUATION_SECONDS = 300
MAX_EVALUATION_SECONDS = 168 * 3600
SAMPLE_SECONDS = 30  # Batch's metric sampling period


def autoscale_formula(policy: ScalingPolicy | BacklogPolicy) -> str:
    """The autoscale formula text for ``policy`` (one statement per line)."""
    if isinstance(policy, BacklogPolicy):
        return "\n".join(_backlog_statements(policy) + _outputs())
    return "\n".join(_queue_length_statements(policy) + _outputs())


def _outputs() -> list[str]:
    return [
        "$TargetDedicatedNodes = max(minNodes, min(maxNodes, wanted));",
        "$TargetLowPriorityNodes = 0;",
        "$NodeDeallocationOption = taskcompletion;",
    ]


def _queue_length_statements(policy: ScalingPolicy) -> list[str]:
    statements = [
        f"minNodes = {policy.min_nodes};",
        f"maxNodes = {policy.max_nodes};",
        f"perNode = {policy.messages_per_node};",
        f"trigger = {policy.trigger_messages};",
    ]
    if policy.sustain_seconds < SAMPLE_SECONDS:
        # No sustain period: the latest sample decides.
        statements += [
            "waiting = max(0, $ActiveTasks.GetSample(1));",
            "backlog = max(0, $PendingTasks.GetSample(1));",
        ]
    else:
        # Held for the window: every sample of it (one each 30 s) above the trigger.
        statements += [
            f"window = TimeInterval_Second * {policy.sustain_seconds};",
            "enough = $ActiveTasks.GetSamplePercent(window) >= 70;",
            "waiting = enough ? min($ActiveTasks.GetSample(window)) : 0;",
            "backlog = enough ? max($PendingTasks.GetSample(1)) : 0;",
        ]
    if policy.scale_in == "each_evaluation":
        return [
            *statements,
            "wanted = waiting > trigger ? minNodes + ceil(backlog / perNode) : minNodes;",
        ]
    return [
        *statements,
        "rule = waiting > trigger ? minNodes + ceil(backlog / perNode) : minNodes;",
        "queued = max(0, $ActiveTasks.GetSample(1));",
        "wanted = queued > 0 ? max(rule, $CurrentDedicatedNodes) : rule;",
    ]


def _backlog_statements(policy: BacklogPolicy) -> list[str]:
    statements = [
        f"minNodes = {policy.min_nodes};",
        f"maxNodes = {policy.max_nodes};",
        f"perNode = {policy.target_backlog_per_node};",
        "backlog = max(0, $PendingTasks.GetSample(1));",
        "wanted = ceil(backlog / perNode);",
    ]
    if policy.max_age_seconds is None:
        return statements
    window = max(round(policy.max_age_seconds), SAMPLE_SECONDS)
    return [
        *statements,
        f"ageWindow = TimeInterval_Second * {window};",
        "aged = $ActiveTasks.GetSamplePercent(ageWindow) >= 70 ? "
        "min($ActiveTasks.GetSample(ageWindow)) : 0;",
        "wanted = aged > 0 ? max(wanted, $CurrentDedicatedNodes + 1) : wanted;",
    ]


def pinned_formula(nodes: int) -> str:
    """A formula holding the pool at ``nodes`` dedicated nodes (used by ``scale()``)."""
    return "\n".join(
        [
            f"$TargetDedicatedNodes = {nodes};",
            "$TargetLowPriorityNodes = 0;",
            "$NodeDeallocationOption = taskcompletion;",
        ]
    )


def evaluation_interval(policy: ScalingPolicy | BacklogPolicy) -> int:
    """The evaluation interval in seconds, validated against Batch's 5 min - 168 h range."""
    seconds = policy.evaluation_interval_seconds
    if not MIN_EVALUATION_SECONDS <= seconds <= MAX_EVALUATION_SECONDS:
        raise ValueError(
            f"autoscale evaluation interval {seconds}s is outside Azure Batch's range "
            f"of {MIN_EVALUATION_SECONDS}s to {MAX_EVALUATION_SECONDS}s"
        )
    return seconds


__all__ = ["autoscale_formula", "evaluation_interval", "pinned_formula"]
