"""``socialreferral simulate``: the scaling simulator's report, printed, and its chart.

:func:`simulate` does the work (testable without the CLI machinery); the command wraps it.
Needs the ``simulation`` extra (simpy).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from socialreferral.cli._common import JsonOption, fail_from
from socialreferral.errors import InvalidInput, SocialReferralError

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


commands = typer.Typer()


@commands.command("simulate")
def simulate_command(
    replications: Annotated[int, typer.Option(
        min=1, max=MAX_REPLICATIONS, help="simulated runs per workload")] = 20,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same figures)")] = 0,
    svg: Annotated[Path | None, typer.Option(
        dir_okay=False, help="write the chart (SVG) to this file")] = None,
    as_json: JsonOption = False,
) -> None:
    """The paper's Tables 3 and 4 beside the simulation, and the backlog policy beside the
    paper's scaling rule (mean response time, node-minutes)."""
    try:
        simulate(replications=replications, seed=seed, svg=svg, as_json=as_json,
                 echo=typer.echo)
    except SocialReferralError as exc:
        raise fail_from(exc) from None


__all__ = ["MAX_REPLICATIONS", "commands", "simulate"]
