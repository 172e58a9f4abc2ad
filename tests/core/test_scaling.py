"""The paper's scaling rule (seed 000, Section 7.3 and Table 3)."""

from __future__ import annotations

import pytest

from socialreferral.domain.scaling import PromotionScaling, ScalingPolicy


@pytest.mark.parametrize(
    ("depth", "nodes"), [(14, 2), (31, 3), (48, 4), (65, 5), (84, 5), (149, 5)]
)
def test_table_3_node_counts(depth: int, nodes: int) -> None:
    assert ScalingPolicy().target_nodes(depth, waited_seconds=60) == nodes


def test_no_scale_out_until_more_than_five_wait_for_sixty_seconds() -> None:
    policy = ScalingPolicy()
    assert policy.target_nodes(5, waited_seconds=600) == 1
    assert policy.target_nodes(100, waited_seconds=59) == 1


@pytest.mark.parametrize(("users", "instances"), [(5, 1), (10, 2), (25, 5), (40, 5)])
def test_table_4_promotion_instances(users: int, instances: int) -> None:
    assert PromotionScaling().instances(users) == instances
