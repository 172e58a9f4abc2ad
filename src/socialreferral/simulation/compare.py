"""The simulator's public API: run a policy, compare two, reproduce the paper's tables.

Every function returns plain JSON-able dicts (numbers, strings, lists), so a CLI or a web
page can print or serialise them as they are.

Node-minutes in a comparison are counted over the *same* window for both policies: from
the first post until the later of the two pools is back at its floor, per replication.
The floor (``min_nodes``) is billed for the whole window, so a policy cannot look cheaper
merely by finishing earlier or later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from socialreferral.domain.scaling import BacklogPolicy, ScalingPolicy
from socialreferral.simulation.calibration import (
    PAPER_ARRIVAL_WINDOW,
    PAPER_PLATFORM,
    PAPER_POLICY,
    PAPER_PROMOTION,
    TRAIN_USERS,
    paper_workload,
    promotion_minutes,
    simulate_rows,
)
from socialreferral.simulation.engine import simulate_burst
from socialreferral.simulation.model import Platform
from socialreferral.simulation.paper import TABLE3, TABLE4
from socialreferral.simulation.promotion import PromotionPlatform
from socialreferral.simulation.runs import replicate, row_seeds, summarise

PAPER_USERS = tuple(row.users for row in TABLE3)
RECOMMENDED_POLICY = BacklogPolicy()
"""The better policy's settings as shipped (see ``docs/scaling.md``)."""
AZURE_CADENCE_POLICY = BacklogPolicy(target_backlog_per_node=10, min_nodes=1)
"""The backlog policy tuned for Azure Batch's 5-minute evaluations: a node per 10
messages keeps nodes busy until the next evaluation, and one warm node spares the first
message a wait of up to 5 minutes (see ``docs/scaling.md``)."""

Policy = ScalingPolicy | BacklogPolicy


def _rounded(value: float, digits: int = 3) -> float:
    return round(float(value), digits)


def run_simulation(
    users: int,
    policy: Policy = PAPER_POLICY,
    *,
    platform: Platform = PAPER_PLATFORM,
    arrival_window_seconds: float = PAPER_ARRIVAL_WINDOW,
    replications: int = 20,
    seed: int = 0,
) -> dict[str, Any]:
    """Simulate ``users`` users x 4 posts under ``policy``; means over the replications.

    Node-minutes here count each run until its own pool is back at its floor.
    """
    workload = paper_workload(users, arrival_window_seconds)
    runs = replicate(workload, platform, policy, replications=replications, seed=seed)
    summary = asdict(summarise(workload, runs))
    result: dict[str, Any] = {k: _rounded(v) if isinstance(v, float) else v
                              for k, v in summary.items()}  # fmt: skip
    result["mean_response_minutes"] = _rounded(summary["mean_response_seconds"] / 60)
    result["policy"] = policy.model_dump(mode="json")
    result["replications"], result["seed"] = replications, seed
    return result


def compare_policies(
    baseline: Policy = PAPER_POLICY,
    candidate: Policy = RECOMMENDED_POLICY,
    *,
    users: Sequence[int] = PAPER_USERS,
    platform: Platform = PAPER_PLATFORM,
    arrival_window_seconds: float = PAPER_ARRIVAL_WINDOW,
    replications: int = 20,
    seed: int = 0,
) -> dict[str, Any]:
    """Run both policies on the same messages (same seeds) for each user count.

    Per row: mean response (minutes) and node-minutes over the common window, and the
    candidate's change against the baseline (-0.30 = 30 % less). ``summary`` holds the
    mean and worst response change and the node-minutes summed over the rows.
    """
    rows = []
    for count in users:
        workload = paper_workload(count, arrival_window_seconds)
        base_resp, cand_resp, base_nm, cand_nm, base_peak, cand_peak = [], [], [], [], [], []
        for child in row_seeds(seed, count, replications):
            base = simulate_burst(workload, platform, baseline, child)
            cand = simulate_burst(workload, platform, candidate, child)
            window = max(base.settled_at, cand.settled_at)
            base_resp.append(base.mean_response)
            cand_resp.append(cand.mean_response)
            base_nm.append(base.node_seconds(window) / 60)
            cand_nm.append(cand.node_seconds(window) / 60)
            base_peak.append(base.peak_nodes)
            cand_peak.append(cand.peak_nodes)
        b_resp, c_resp = float(np.mean(base_resp)), float(np.mean(cand_resp))
        b_nm, c_nm = float(np.mean(base_nm)), float(np.mean(cand_nm))
        rows.append({
            "users": count,
            "messages": workload.messages,
            "baseline_response_minutes": _rounded(b_resp / 60),
            "candidate_response_minutes": _rounded(c_resp / 60),
            "response_change": _rounded(c_resp / b_resp - 1),
            "baseline_node_minutes": _rounded(b_nm, 2),
            "candidate_node_minutes": _rounded(c_nm, 2),
            "node_minutes_change": _rounded(c_nm / b_nm - 1),
            "baseline_peak_nodes": _rounded(float(np.mean(base_peak)), 2),
            "candidate_peak_nodes": _rounded(float(np.mean(cand_peak)), 2),
        })  # fmt: skip
    total_b = sum(r["baseline_node_minutes"] for r in rows)
    total_c = sum(r["candidate_node_minutes"] for r in rows)
    changes = [r["response_change"] for r in rows]
    return {
        "platform": platform.model_dump(mode="json"),
        "arrival_window_seconds": arrival_window_seconds,
        "replications": replications,
        "seed": seed,
        "baseline": baseline.model_dump(mode="json"),
        "candidate": candidate.model_dump(mode="json"),
        "rows": rows,
        "summary": {
            "mean_response_change": _rounded(float(np.mean(changes))),
            "worst_response_change": _rounded(max(changes)),
            "baseline_node_minutes": _rounded(total_b, 2),
            "candidate_node_minutes": _rounded(total_c, 2),
            "node_minutes_change": _rounded(total_c / total_b - 1),
            "worst_row_node_minutes_change": _rounded(max(r["node_minutes_change"] for r in rows)),
        },
    }


def reproduce_paper(
    *,
    platform: Platform = PAPER_PLATFORM,
    arrival_window_seconds: float = PAPER_ARRIVAL_WINDOW,
    promotion: PromotionPlatform = PAPER_PROMOTION,
    replications: int = 20,
    seed: int = 0,
) -> dict[str, Any]:
    """Tables 3 and 4: the paper's rows beside the simulated ones, with relative errors.

    ``fitted`` marks the rows the stored calibration was fitted on; the others are the
    held-out check.
    """
    summaries = simulate_rows(
        TABLE3, platform, arrival_window_seconds, policy=PAPER_POLICY,
        replications=replications, seed=seed,
    )  # fmt: skip
    table3 = []
    for row, got in zip(TABLE3, summaries, strict=True):
        minutes = got.mean_response_seconds / 60
        table3.append({
            "users": row.users,
            "fitted": row.users in TRAIN_USERS,
            "paper_minutes": row.minutes,
            "simulated_minutes": _rounded(minutes),
            "error": _rounded(minutes / row.minutes - 1),
            "paper_max_queue": row.max_queue,
            "simulated_max_queue": _rounded(got.max_queue, 1),
            "paper_nodes": row.nodes,
            "simulated_peak_nodes": _rounded(got.peak_nodes, 2),
        })  # fmt: skip
    table4 = []
    for prow in TABLE4:
        minutes = promotion_minutes(prow.users, promotion, replications=replications, seed=seed)
        table4.append({
            "users": prow.users,
            "fitted": prow.users in TRAIN_USERS,
            "instances": prow.instances,
            "paper_minutes": prow.minutes,
            "simulated_minutes": _rounded(minutes),
            "error": _rounded(minutes / prow.minutes - 1),
        })  # fmt: skip
    return {
        "platform": platform.model_dump(mode="json"),
        "arrival_window_seconds": arrival_window_seconds,
        "promotion": promotion.model_dump(mode="json"),
        "replications": replications,
        "seed": seed,
        "table3": table3,
        "table4": table4,
        "max_abs_error_table3": _rounded(max(abs(r["error"]) for r in table3)),
        "max_abs_error_table4": _rounded(max(abs(r["error"]) for r in table4)),
    }


__all__ = [
    "AZURE_CADENCE_POLICY",
    "PAPER_USERS",
    "RECOMMENDED_POLICY",
    "compare_policies",
    "reproduce_paper",
    "run_simulation",
]
