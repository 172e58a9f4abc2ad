"""Calibrate the scaling simulator to the paper's Tables 3 and 4, check it on held-out
rows, and test the backlog policy beyond the workloads it was chosen on.

Run from the repository root (needs the ``simulation`` extra)::

    PYTHONPATH=src python benchmarks/scaling_calibration.py              # every part
    PYTHONPATH=src python benchmarks/scaling_calibration.py --part fit

Parts:

``fit``        fit on 5, 15, 25, 35 users (the stored calibration); every row of Tables
               3 and 4 with the fitted model, held-out rows marked.
``split``      a harder check: fit Table 3 on 5-20 users, predict 25-40 (extrapolation).
``scale-in``   the same fit with the paper's rule re-applied at every evaluation
               (``scale_in = "each_evaluation"``) instead of keeping the pool until the
               queue is drained: how well each reading of the paper fits.
``sensitivity`` the backlog policy against the paper's rule when nodes take 0-120 s to
               start and when decisions come every 30 s or every 300 s (Azure Batch).
``unseen``     the comparison on workloads the policy was not chosen on: 50-80 users,
               posts spread over 60 s or 600 s.

No data files are read: the paper's tables are in ``socialreferral.simulation.paper``.
Figures and the exact commands are in docs/scaling.md. The fits take minutes (simpy,
one core); the seeds make every figure reproducible.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from socialreferral.domain.scaling import ScalingPolicy
from socialreferral.simulation import (
    PAPER_ARRIVAL_WINDOW,
    PAPER_PLATFORM,
    PAPER_POLICY,
    RECOMMENDED_POLICY,
    TRAIN_USERS,
    Platform,
    compare_policies,
    fit_batch,
    fit_promotion,
)
from socialreferral.simulation.calibration import promotion_minutes, simulate_rows
from socialreferral.simulation.paper import TABLE3, TABLE4, BatchRow


def _table3(
    rows: Sequence[BatchRow],
    fit_users: Sequence[int],
    platform: Platform,
    window: float,
    policy: ScalingPolicy,
    replications: int,
    seed: int,
) -> None:
    got = simulate_rows(
        rows, platform, window, policy=policy, replications=replications, seed=seed
    )
    print(f"{'users':>5} {'paper min':>9} {'sim min':>8} {'error':>7} {'paper q':>7} "
          f"{'sim q':>6} {'error':>7} {'nodes':>5} {'sim':>5}")  # fmt: skip
    worst_fit = worst_held = 0.0
    for row, s in zip(rows, got, strict=True):
        err = s.mean_response_seconds / 60 / row.minutes - 1
        qerr = s.max_queue / row.max_queue - 1
        fitted = row.users in fit_users
        if fitted:
            worst_fit = max(worst_fit, abs(err))
        else:
            worst_held = max(worst_held, abs(err))
        print(
            f"{row.users:>4}{'*' if fitted else ' '} {row.minutes:>9.2f} "
            f"{s.mean_response_seconds / 60:>8.2f} {100 * err:>+6.1f}% {row.max_queue:>7} "
            f"{s.max_queue:>6.1f} {100 * qerr:>+6.1f}% {row.nodes:>5} {s.peak_nodes:>5.2f}"
        )
    print(f"worst |error|: fitted rows {100 * worst_fit:.1f} %, "
          f"held-out rows {100 * worst_held:.1f} %  (* = fitted)")


def part_fit(replications: int, seed: int) -> None:
    started = time.perf_counter()
    fit = fit_batch(seed=0)
    print(f"Table 3 fit on {fit.train_users} users ({time.perf_counter() - started:.0f} s): "
          f"service {fit.platform.service_seconds} s, cold start "
          f"{fit.platform.cold_start_seconds} s, evaluation every "
          f"{fit.platform.evaluation_interval_seconds} s, posts over "
          f"{fit.arrival_window_seconds} s; objective {fit.objective:.2e}")  # fmt: skip
    _table3(TABLE3, TRAIN_USERS, fit.platform, fit.arrival_window_seconds, PAPER_POLICY,
            replications, seed)  # fmt: skip
    promotion = fit_promotion(seed=0)
    print(f"\nTable 4 fit: publishing {promotion.publish_seconds} s a post "
          f"(offer generation {promotion.offer_seconds} s from Table 2)")
    for row in TABLE4:
        got = promotion_minutes(row.users, promotion, replications=replications, seed=seed)
        mark = "*" if row.users in TRAIN_USERS else " "
        print(f"{row.users:>4}{mark} {row.instances:>2} {row.minutes:>6.2f} {got:>6.2f} "
              f"{100 * (got / row.minutes - 1):>+6.1f}%")  # fmt: skip


def part_split(replications: int, seed: int) -> None:
    first = [r for r in TABLE3 if r.users <= 20]
    fit = fit_batch(first, seed=0)
    print(f"Table 3 fit on 5-20 users only: service {fit.platform.service_seconds} s, "
          f"cold start {fit.platform.cold_start_seconds} s, every "
          f"{fit.platform.evaluation_interval_seconds} s, window {fit.arrival_window_seconds} s")
    _table3(TABLE3, [r.users for r in first], fit.platform, fit.arrival_window_seconds,
            PAPER_POLICY, replications, seed)  # fmt: skip


def part_scale_in(replications: int, seed: int) -> None:
    policy = ScalingPolicy(scale_in="each_evaluation")
    fit = fit_batch(policy=policy, seed=0)
    print(f"rule re-applied at each evaluation, fit on {fit.train_users}: service "
          f"{fit.platform.service_seconds} s, cold start {fit.platform.cold_start_seconds} s, "
          f"every {fit.platform.evaluation_interval_seconds} s, window "
          f"{fit.arrival_window_seconds} s; objective {fit.objective:.2e}")  # fmt: skip
    _table3(TABLE3, TRAIN_USERS, fit.platform, fit.arrival_window_seconds, policy,
            replications, seed)  # fmt: skip


def _summary_line(label: str, result: dict[str, object]) -> None:
    s = result["summary"]
    assert isinstance(s, dict)
    print(f"{label:<34} response {100 * s['mean_response_change']:+6.1f}% "
          f"(worst row {100 * s['worst_response_change']:+6.1f}%), node-minutes "
          f"{s['baseline_node_minutes']:>7.1f} -> {s['candidate_node_minutes']:>7.1f} "
          f"({100 * s['node_minutes_change']:+5.1f}%, worst row "
          f"{100 * s['worst_row_node_minutes_change']:+5.1f}%)")  # fmt: skip


def part_sensitivity(replications: int, seed: int) -> None:
    print("backlog policy (shipped defaults) vs the paper's rule")
    for interval in (30.0, 300.0):
        for cold in (0.0, 30.0, 60.0, 120.0):
            platform = PAPER_PLATFORM.model_copy(update={
                "cold_start_seconds": cold, "evaluation_interval_seconds": interval})  # fmt: skip
            result = compare_policies(candidate=RECOMMENDED_POLICY, platform=platform,
                                      replications=replications, seed=seed)  # fmt: skip
            _summary_line(f"every {interval:.0f} s, cold start {cold:.0f} s", result)


def part_unseen(replications: int, seed: int) -> None:
    print("backlog policy vs the paper's rule on workloads it was not chosen on")
    for window in (60.0, PAPER_ARRIVAL_WINDOW, 600.0):
        result = compare_policies(candidate=RECOMMENDED_POLICY, users=(50, 60, 80),
                                  arrival_window_seconds=window,
                                  replications=replications, seed=seed)  # fmt: skip
        _summary_line(f"50/60/80 users, posts over {window:.0f} s", result)
    result = compare_policies(candidate=RECOMMENDED_POLICY, arrival_window_seconds=600.0,
                              replications=replications, seed=seed)  # fmt: skip
    _summary_line("Table 3 users, posts over 600 s", result)


PARTS = {
    "fit": part_fit,
    "split": part_split,
    "scale-in": part_scale_in,
    "sensitivity": part_sensitivity,
    "unseen": part_unseen,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1, help="seed of the checks (fits use 0)")
    args = parser.parse_args(argv)
    for name, part in PARTS.items():
        if args.part in (name, "all"):
            print(f"\n== {name} ==")
            part(args.replications, args.seed)


if __name__ == "__main__":
    main()
