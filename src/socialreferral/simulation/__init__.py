"""Discrete-event simulation of the paper's autoscaled pipeline (seed 000, Section 7).

Webhook arrivals → queue → a pool of nodes sized by a
:mod:`~socialreferral.domain.scaling` policy, with cold starts and evaluation intervals
(:mod:`.engine`), and the promotion web job (:mod:`.promotion`); calibrated to Tables 3
and 4 (:mod:`.calibration`). Pure: no I/O, nothing shared between runs, deterministic
given a seed. Needs the ``simulation`` extra (simpy), imported on first use.

Entry points: :func:`run_simulation`, :func:`compare_policies`, :func:`reproduce_paper`,
:func:`simulation_report` (+ :func:`format_report`, :func:`render_svg`).
"""

from __future__ import annotations

from socialreferral.simulation.calibration import (
    PAPER_ARRIVAL_WINDOW,
    PAPER_PLATFORM,
    PAPER_POLICY,
    PAPER_PROMOTION,
    TRAIN_USERS,
    BatchCalibration,
    fit_batch,
    fit_promotion,
)
from socialreferral.simulation.compare import (
    AZURE_CADENCE_POLICY,
    PAPER_USERS,
    RECOMMENDED_POLICY,
    compare_policies,
    reproduce_paper,
    run_simulation,
)
from socialreferral.simulation.engine import BurstRun, NodeSpan, simulate_burst
from socialreferral.simulation.model import Platform, Workload
from socialreferral.simulation.promotion import (
    PromotionPlatform,
    PromotionRun,
    simulate_promotion,
)
from socialreferral.simulation.report import format_report, render_svg, simulation_report

__all__ = [
    "AZURE_CADENCE_POLICY",
    "PAPER_ARRIVAL_WINDOW",
    "PAPER_PLATFORM",
    "PAPER_POLICY",
    "PAPER_PROMOTION",
    "PAPER_USERS",
    "RECOMMENDED_POLICY",
    "TRAIN_USERS",
    "BatchCalibration",
    "BurstRun",
    "NodeSpan",
    "Platform",
    "PromotionPlatform",
    "PromotionRun",
    "Workload",
    "compare_policies",
    "fit_batch",
    "fit_promotion",
    "format_report",
    "render_svg",
    "reproduce_paper",
    "run_simulation",
    "simulate_burst",
    "simulate_promotion",
    "simulation_report",
]
