"""What ``socialreferral simulate`` runs: the scaling simulator's report, printed, and the
chart written to a file.

The command itself is registered in :mod:`socialreferral.cli`; this module holds the one
function it calls, :func:`simulate`, so the work (and its I/O) stays testable without the
CLI machinery. Needs the ``simulation`` extra (simpy).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from socialreferral.errors import InvalidInput

MAX_REPLICATIONS = 200


def simulate(
    *,
    replications: int = 20,
    seed: int = 0,
    svg: Path | None = None,
    as_json: bool = False,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Reproduce Tables 3-4, compare the backlog policy with the paper's rule, print the
    tables (or the JSON with ``as_json``) through ``echo``, write the chart to ``svg``;
    return the report (JSON-able)."""
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise InvalidInput(f"must be between 1 and {MAX_REPLICATIONS}", field="replications")
    from socialreferral.simulation import format_report, render_svg, simulation_report

    report = simulation_report(replications=replications, seed=seed)
    if svg is not None:
        svg.write_text(render_svg(report), encoding="utf-8")
        report["svg"] = str(svg)
    echo(json.dumps(report, indent=2) if as_json else format_report(report))
    return report


__all__ = ["MAX_REPLICATIONS", "simulate"]
