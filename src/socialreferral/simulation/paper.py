"""The paper's measurements the simulator is calibrated against (seed 000, Section 7).

Table 2: average time of each step for one user, in seconds. Table 3: Azure Batch, users
posting 4 times each, at most 5 nodes, "one node more per 20 messages when more than 5
wait for 60 s": the maximum queue length, the nodes reached and the average response time
in minutes. Table 4: the promotion web job (instances = users / 5, at most 5): the
average time for a new promotion to reach every user, in minutes.

Two regularities shape the model (``docs/scaling.md``): Table 3's times are, to the
rounding, ``19.0 s x messages / nodes`` (a batch drained by that many nodes of 38 s per
message), and Table 4's are ``13.77 s x users`` whatever the instance count (1 to 5):
the instances did not parallelise the work.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One row of Table 2."""

    activity: str
    seconds: float


@dataclass(frozen=True)
class BatchRow:
    """One row of Table 3 (Azure Batch)."""

    users: int
    max_queue: int
    nodes: int
    minutes: float


@dataclass(frozen=True)
class PromotionRow:
    """One row of Table 4 (promotion web job)."""

    users: int
    instances: int
    minutes: float


TABLE2 = (
    Step("Post messages related to the offers in the Facebook App", 0.89),
    Step("Webhook trigger to POST the updated or added message to Azure Web API", 1.34),
    Step("Determine semantic meaning of POST message", 1.98),
    Step("Computing social influence", 2.34),
    Step("Calculate personalized incentives", 5.78),
    Step("Offer generation and rewards", 2.1),
)
INGEST_SECONDS = TABLE2[0].seconds + TABLE2[1].seconds
"""Post + webhook delivery: a message reaches the queue this long after it is posted."""
PROCESS_SECONDS = sum(step.seconds for step in TABLE2[2:])
"""Table 2's processing steps for one message on an idle system (12.2 s)."""
OFFER_SECONDS = TABLE2[5].seconds
"""Table 2's offer generation, the per-user computation of the promotion job."""

POSTS_PER_USER = 4
PROMOTIONS = 3
"""Table 4's experiment added three promotions."""

TABLE3 = (
    BatchRow(5, 14, 2, 3.17),
    BatchRow(10, 31, 3, 4.22),
    BatchRow(15, 48, 4, 4.75),
    BatchRow(20, 65, 5, 5.07),
    BatchRow(25, 84, 5, 6.33),
    BatchRow(30, 106, 5, 7.60),
    BatchRow(35, 123, 5, 8.87),
    BatchRow(40, 149, 5, 10.13),
)
TABLE4 = (
    PromotionRow(5, 1, 1.15),
    PromotionRow(10, 2, 2.30),
    PromotionRow(15, 3, 3.44),
    PromotionRow(20, 4, 4.59),
    PromotionRow(25, 5, 5.74),
    PromotionRow(30, 5, 6.89),
    PromotionRow(35, 5, 8.03),
    PromotionRow(40, 5, 9.18),
)

__all__ = [
    "INGEST_SECONDS",
    "OFFER_SECONDS",
    "POSTS_PER_USER",
    "PROCESS_SECONDS",
    "PROMOTIONS",
    "TABLE2",
    "TABLE3",
    "TABLE4",
    "BatchRow",
    "PromotionRow",
    "Step",
]
