"""The simulator's report: the paper's rows beside the simulated ones, the better policy
beside the paper's rule, as text and as an SVG chart (pure functions, no I/O).

:func:`simulation_report` gathers everything as a JSON-able dict; :func:`format_report`
turns it into the text the ``socialreferral simulate`` command prints;
:func:`render_svg` draws it (hand-written SVG: no plotting library, no fonts to fetch).
"""

from __future__ import annotations

import math
from typing import Any
from xml.sax.saxutils import escape

from socialreferral.simulation.calibration import PAPER_PLATFORM
from socialreferral.simulation.compare import (
    AZURE_CADENCE_POLICY,
    RECOMMENDED_POLICY,
    Policy,
    compare_policies,
    reproduce_paper,
)
from socialreferral.simulation.model import Platform

AZURE_INTERVAL_SECONDS = 300.0


def simulation_report(
    *,
    replications: int = 20,
    seed: int = 0,
    candidate: Policy = RECOMMENDED_POLICY,
    azure_candidate: Policy = AZURE_CADENCE_POLICY,
    platform: Platform = PAPER_PLATFORM,
) -> dict[str, Any]:
    """Reproduction of Tables 3-4, ``candidate`` against the paper's rule on the
    calibrated platform, and ``azure_candidate`` against it at Azure Batch's 5-minute
    cadence (the same platform otherwise)."""
    azure = platform.model_copy(update={"evaluation_interval_seconds": AZURE_INTERVAL_SECONDS})
    return {
        "command": f"socialreferral simulate --replications {replications} --seed {seed}",
        "paper": reproduce_paper(platform=platform, replications=replications, seed=seed),
        "comparison": compare_policies(
            candidate=candidate, platform=platform, replications=replications, seed=seed
        ),
        "azure_cadence": compare_policies(
            candidate=azure_candidate, platform=azure, replications=replications, seed=seed
        ),
    }


def _pct(value: float) -> str:
    return f"{100 * value:+.1f}%"


def format_report(report: dict[str, Any]) -> str:
    """The report as aligned text tables."""
    paper, lines = report["paper"], []
    lines.append("Table 3 (Azure Batch, paper's rule): paper vs simulated; * = fitted row")
    lines.append(f"{'users':>5} {'paper min':>9} {'sim min':>8} {'error':>7} "
                 f"{'paper q':>7} {'sim q':>6} {'paper n':>7} {'sim n':>5}")  # fmt: skip
    for r in paper["table3"]:
        mark = "*" if r["fitted"] else " "
        lines.append(
            f"{r['users']:>4}{mark} {r['paper_minutes']:>9.2f} {r['simulated_minutes']:>8.2f} "
            f"{_pct(r['error']):>7} {r['paper_max_queue']:>7} {r['simulated_max_queue']:>6.1f} "
            f"{r['paper_nodes']:>7} {r['simulated_peak_nodes']:>5.2f}"
        )
    lines.append("")
    lines.append("Table 4 (promotion web job): paper vs simulated; * = fitted row")
    lines.append(f"{'users':>5} {'inst':>4} {'paper min':>9} {'sim min':>8} {'error':>7}")
    for r in paper["table4"]:
        mark = "*" if r["fitted"] else " "
        lines.append(
            f"{r['users']:>4}{mark} {r['instances']:>4} {r['paper_minutes']:>9.2f} "
            f"{r['simulated_minutes']:>8.2f} {_pct(r['error']):>7}"
        )
    for key, title in (
        ("comparison", "calibrated platform"),
        ("azure_cadence", f"Azure Batch cadence ({AZURE_INTERVAL_SECONDS:.0f} s evaluations)"),
    ):
        if key in report:
            lines.append("")
            lines.extend(_comparison_lines(report[key], title))
    return "\n".join(lines)


def _comparison_lines(comparison: dict[str, Any], title: str) -> list[str]:
    candidate = comparison["candidate"]
    lines = [
        f"{candidate['kind']} policy vs the paper's rule, {title}",
        f"{'users':>5} {'rule min':>8} {'new min':>8} {'change':>7} "
        f"{'rule n-min':>10} {'new n-min':>9} {'change':>7}",
    ]
    for r in comparison["rows"]:
        lines.append(
            f"{r['users']:>5} {r['baseline_response_minutes']:>8.2f} "
            f"{r['candidate_response_minutes']:>8.2f} {_pct(r['response_change']):>7} "
            f"{r['baseline_node_minutes']:>10.1f} {r['candidate_node_minutes']:>9.1f} "
            f"{_pct(r['node_minutes_change']):>7}"
        )
    s = comparison["summary"]
    lines.append(
        f"mean response change {_pct(s['mean_response_change'])} "
        f"(worst row {_pct(s['worst_response_change'])}); node-minutes "
        f"{s['baseline_node_minutes']:.1f} -> {s['candidate_node_minutes']:.1f} "
        f"({_pct(s['node_minutes_change'])}, worst row "
        f"{_pct(s['worst_row_node_minutes_change'])})"
    )
    return lines


# -- SVG ---------------------------------------------------------------------------------
_W, _H, _PAD = 420, 300, 52
_COLORS = {"paper": "#222222", "rule": "#1f77b4", "new": "#2ca02c"}


def _nice_step(top: float) -> float:
    """A tick step of 1, 2 or 5 times a power of ten giving at most 6 ticks up to ``top``."""
    raw = max(top, 1e-9) / 5
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _panel(
    x0: float, title: str, xs: list[int], series: dict[str, list[float]], y_label: str
) -> list[str]:
    """One chart: a line per series (the "paper" series as dots), axes and ticks."""
    step = _nice_step(max(max(values) for values in series.values()))
    ticks = math.ceil(max(max(values) for values in series.values()) / step)
    top = step * max(ticks, 1)
    left, right, upper, lower = x0 + _PAD, x0 + _W - 12, 34.0, _H - 40.0

    def px(x: float) -> float:
        return left + (x - xs[0]) / (xs[-1] - xs[0] or 1) * (right - left)

    def py(y: float) -> float:
        return lower - y / top * (lower - upper)

    out = [
        f'<text x="{x0 + _W / 2:.0f}" y="20" text-anchor="middle" '
        f'font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{lower}" x2="{right}" y2="{lower}" stroke="#000"/>',
        f'<line x1="{left}" y1="{upper}" x2="{left}" y2="{lower}" stroke="#000"/>',
        f'<text x="{(left + right) / 2:.0f}" y="{_H - 8}" text-anchor="middle">users</text>',
        f'<text x="{x0 + 14}" y="{(upper + lower) / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 {x0 + 14} {(upper + lower) / 2:.0f})">{escape(y_label)}</text>',
    ]
    for x in xs:
        out.append(f'<text x="{px(x):.1f}" y="{lower + 16}" text-anchor="middle">{x}</text>')
    for i in range(max(ticks, 1) + 1):
        y = step * i
        out.append(f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
        out.append(f'<line x1="{left}" y1="{py(y):.1f}" x2="{right}" y2="{py(y):.1f}" '
                   'stroke="#ddd"/>')  # fmt: skip
    for name, values in series.items():
        color = _COLORS[name]
        points = [(px(x), py(y)) for x, y in zip(xs, values, strict=True)]
        if name == "paper":
            out.extend(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="{color}"/>'
                       for a, b in points)  # fmt: skip
        else:
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                       'stroke-width="2"/>')  # fmt: skip
    return out


def render_svg(report: dict[str, Any]) -> str:
    """Two charts: mean response time (paper, simulated rule, new policy) and node-minutes
    (rule vs new policy) per user count, on the calibrated platform."""
    table3, rows = report["paper"]["table3"], report["comparison"]["rows"]
    xs = [r["users"] for r in table3]
    left = _panel(0, "Mean response time", xs, {
        "paper": [r["paper_minutes"] for r in table3],
        "rule": [r["simulated_minutes"] for r in table3],
        "new": [r["candidate_response_minutes"] for r in rows],
    }, "minutes")  # fmt: skip
    right = _panel(_W, "Node-minutes (same window)", xs, {
        "rule": [r["baseline_node_minutes"] for r in rows],
        "new": [r["candidate_node_minutes"] for r in rows],
    }, "node-minutes")  # fmt: skip
    legend, y = [], _H + 10
    labels = (("paper", "paper, Table 3"), ("rule", "simulated: paper's rule"),
              ("new", "simulated: backlog policy"))  # fmt: skip
    for i, (key, label) in enumerate(labels):
        x = 60 + i * 250
        legend.append(f'<rect x="{x}" y="{y}" width="14" height="10" fill="{_COLORS[key]}"/>')
        legend.append(f'<text x="{x + 20}" y="{y + 10}">{escape(label)}</text>')
    body = "\n".join([*left, *right, *legend])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * _W}" height="{_H + 30}" '
        f'viewBox="0 0 {2 * _W} {_H + 30}" font-family="sans-serif" font-size="12">\n'
        f'<rect width="100%" height="100%" fill="#fff"/>\n{body}\n</svg>\n'
    )


__all__ = ["AZURE_INTERVAL_SECONDS", "format_report", "render_svg", "simulation_report"]
