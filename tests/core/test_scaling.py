"""Scaling policies: the paper's rule (seed 000, Section 7.3 and Table 3), the backlog
policy, and how ``[scaling]`` tables select them."""

from __future__ import annotations

import pytest

from socialreferral.domain.scaling import (
    BacklogPolicy,
    PromotionScaling,
    QueueSnapshot,
    ScalingPolicy,
    policy_from,
)
from socialreferral.errors import ConfigurationError, InvalidInput
from socialreferral.settings import Settings, settings_from_mapping


@pytest.mark.parametrize(
    ("depth", "nodes"), [(14, 2), (31, 3), (48, 4), (65, 5), (84, 5), (149, 5)]
)
def test_table_3_node_counts(depth: int, nodes: int) -> None:
    assert ScalingPolicy().target_nodes(depth, waited_seconds=60) == nodes
    held = QueueSnapshot(waiting=depth, held_seconds=60, nodes=1)
    assert ScalingPolicy().desired_nodes(held) == nodes


def test_no_scale_out_until_more_than_five_wait_for_sixty_seconds() -> None:
    policy = ScalingPolicy()
    assert policy.target_nodes(5, waited_seconds=600) == 1
    assert policy.target_nodes(100, waited_seconds=59) == 1
    assert policy.desired_nodes(QueueSnapshot(waiting=100, held_seconds=30, nodes=1)) == 1


def test_paper_rule_sizes_on_waiting_plus_running() -> None:
    """Like Azure's $PendingTasks: 30 waiting + 10 running are 40 messages, 1 + 2 nodes."""
    snapshot = QueueSnapshot(waiting=30, running=10, nodes=1, held_seconds=60)
    assert ScalingPolicy().desired_nodes(snapshot) == 3


def test_paper_rule_keeps_the_pool_until_the_queue_is_drained() -> None:
    """The paper only adds nodes: while anything waits the pool keeps its size; once the
    queue is empty it returns to min_nodes (busy nodes finish first, on the platform)."""
    policy = ScalingPolicy()
    assert policy.desired_nodes(QueueSnapshot(waiting=3, running=4, nodes=5)) == 5
    assert policy.desired_nodes(QueueSnapshot(waiting=0, running=4, nodes=5)) == 1
    assert policy.desired_nodes(QueueSnapshot(waiting=3, nodes=9)) == 5  # still capped


def test_paper_rule_re_applied_at_each_evaluation_when_asked() -> None:
    policy = ScalingPolicy(scale_in="each_evaluation")
    assert policy.desired_nodes(QueueSnapshot(waiting=3, running=4, nodes=5)) == 1
    assert policy.desired_nodes(QueueSnapshot(waiting=30, nodes=5, held_seconds=60)) == 3


@pytest.mark.parametrize(
    ("waiting", "running", "nodes", "expected"),
    [(0, 0, 0, 0), (1, 0, 0, 1), (4, 0, 0, 1), (5, 0, 1, 2), (30, 10, 2, 10), (400, 0, 3, 10)],
)
def test_backlog_policy_tracks_backlog_per_node(
    waiting: int, running: int, nodes: int, expected: int
) -> None:
    """ceil((waiting + running) / 4), scaled to zero when idle, at most 10, no sustain."""
    snapshot = QueueSnapshot(waiting=waiting, running=running, nodes=nodes)
    assert BacklogPolicy().desired_nodes(snapshot) == expected


def test_backlog_policy_adds_a_node_for_an_old_message() -> None:
    policy = BacklogPolicy(max_age_seconds=60, max_nodes=6)
    young = QueueSnapshot(waiting=2, running=2, nodes=3, oldest_age_seconds=59)
    old = QueueSnapshot(waiting=2, running=2, nodes=3, oldest_age_seconds=61)
    assert policy.desired_nodes(young) == 1
    assert policy.desired_nodes(old) == 4
    full = QueueSnapshot(waiting=2, nodes=6, oldest_age_seconds=600)
    assert policy.desired_nodes(full) == 6  # capped


def test_backlog_policy_respects_its_floor() -> None:
    assert BacklogPolicy(min_nodes=2).desired_nodes(QueueSnapshot(waiting=0)) == 2


@pytest.mark.parametrize("field", ["waiting", "running", "nodes"])
def test_snapshot_rejects_negative_counts(field: str) -> None:
    values = {"waiting": 0, field: -1}
    with pytest.raises(InvalidInput) as info:
        QueueSnapshot(**values)
    assert info.value.field == field


def test_snapshot_rejects_non_finite_ages() -> None:
    with pytest.raises(InvalidInput, match="oldest_age_seconds"):
        QueueSnapshot(waiting=1, oldest_age_seconds=float("nan"))


@pytest.mark.parametrize(("users", "instances"), [(5, 1), (10, 2), (25, 5), (40, 5)])
def test_table_4_promotion_instances(users: int, instances: int) -> None:
    assert PromotionScaling().instances(users) == instances


def test_existing_scaling_tables_still_mean_the_paper_rule() -> None:
    settings = settings_from_mapping({"scaling": {"max_nodes": 3, "messages_per_node": 10}})
    assert isinstance(settings.scaling, ScalingPolicy)
    assert (settings.scaling.max_nodes, settings.scaling.messages_per_node) == (3, 10)
    assert isinstance(Settings().scaling, ScalingPolicy)


def test_kind_backlog_selects_the_backlog_policy_and_survives_a_round_trip() -> None:
    settings = settings_from_mapping(
        {"scaling": {"kind": "backlog", "target_backlog_per_node": 6, "max_nodes": 8}}
    )
    assert settings.scaling == BacklogPolicy(target_backlog_per_node=6, max_nodes=8)
    # A batch worker receives the settings as JSON: the variant must come back.
    again = Settings.model_validate(settings.model_dump(mode="json"))
    assert again.scaling == settings.scaling


def test_unknown_kind_and_foreign_fields_are_named() -> None:
    with pytest.raises(ConfigurationError, match="kind must be 'queue_length'"):
        settings_from_mapping({"scaling": {"kind": "magic"}})
    with pytest.raises(ConfigurationError, match=r"scaling\.messages_per_node.*kind backlog"):
        settings_from_mapping({"scaling": {"kind": "backlog", "messages_per_node": 3}})


def test_policy_from_accepts_policies_mappings_and_none() -> None:
    assert policy_from(None) == ScalingPolicy()
    backlog = BacklogPolicy(max_nodes=3)
    assert policy_from(backlog) is backlog
    assert policy_from({"kind": "backlog", "max_nodes": 3}) == backlog
    assert policy_from({"max_nodes": 2}) == ScalingPolicy(max_nodes=2)
