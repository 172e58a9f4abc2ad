"""Charts as server-rendered SVG: no chart library, no script, nothing to download.

Each function returns :class:`markupsafe.Markup` for a template to embed inline. Every
text (labels, titles) goes through :func:`markupsafe.escape`, so a product called
``<script>`` is drawn as text. Colours come from classes styled in ``console.css`` (the
CSP forbids inline styles; SVG presentation attributes are geometry only). Each chart has
a ``<title>`` and ``role="img"`` for screen readers; the pages show the same figures in a
table beside it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

_ids = itertools.count(1)
ROW_HEIGHT = 28
LABEL_WIDTH = 150
VALUE_WIDTH = 90


def _chart_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, width: int = 560,
              value_label: Callable[[float], str] = _number,
              css_class: str = "bar") -> Markup:
    """Horizontal bars, one row per ``(label, value)``, scaled to the largest value."""
    chart_id = _chart_id("chart")
    height = max(1, len(items)) * ROW_HEIGHT + 8
    largest = max((v for _, v in items), default=0.0) or 1.0
    room = width - LABEL_WIDTH - VALUE_WIDTH
    rows = []
    for index, (label, value) in enumerate(items):
        y = 4 + index * ROW_HEIGHT
        length = max(0.0, value) / largest * room
        rows.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + 18}" '
            f'text-anchor="end">{escape(label[:24])}</text>'
            f'<rect class="{escape(css_class)}" x="{LABEL_WIDTH}" y="{y + 4}" '
            f'width="{length:.1f}" height="{ROW_HEIGHT - 8}" rx="3"/>'
            f'<text class="chart-value" x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 18}">'
            f'{escape(value_label(value))}</text>')
    if not items:
        rows.append('<text class="chart-label" x="8" y="20">no data yet</text>')
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}"><title id="{chart_id}">{escape(title)}</title>'
        + "".join(rows) + "</svg>")


def column_chart(points: Sequence[tuple[str, float]], *, title: str, width: int = 560,
                 height: int = 200, css_class: str = "column") -> Markup:
    """Vertical columns in order (e.g. one per week), labelled below, values above."""
    chart_id = _chart_id("chart")
    bottom, top = height - 28, 18
    largest = max((v for _, v in points), default=0.0) or 1.0
    slot = (width - 16) / max(1, len(points))
    bar = max(4.0, slot * 0.6)
    parts = [f'<line class="axis" x1="8" y1="{bottom}" x2="{width - 8}" y2="{bottom}"/>']
    for index, (label, value) in enumerate(points):
        x = 8 + index * slot + (slot - bar) / 2
        length = max(0.0, value) / largest * (bottom - top)
        parts.append(
            f'<rect class="{escape(css_class)}" x="{x:.1f}" y="{bottom - length:.1f}" '
            f'width="{bar:.1f}" height="{length:.1f}" rx="2"/>'
            f'<text class="chart-value" x="{x + bar / 2:.1f}" y="{bottom - length - 4:.1f}" '
            f'text-anchor="middle">{escape(_number(value))}</text>'
            f'<text class="chart-label" x="{x + bar / 2:.1f}" y="{height - 8}" '
            f'text-anchor="middle">{escape(label[-8:])}</text>')
    if not points:
        parts.append('<text class="chart-label" x="8" y="20">no data yet</text>')
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}"><title id="{chart_id}">{escape(title)}</title>'
        + "".join(parts) + "</svg>")


@dataclass(frozen=True)
class TrendHour:
    """One hour of a trend: its label, volume, average sentiment (-1..1, None without
    posts) and the alerts raised in it (their one-line explanations)."""

    label: str
    posts: int
    sentiment: float | None
    alerts: tuple[str, ...] = ()


def trend_chart(hours: Sequence[TrendHour], *, title: str, width: int = 720,
                height: int = 260, label_every: int = 6) -> Markup:
    """Posts per hour as columns, the average sentiment as a line on its own scale
    (-1 at the bottom, +1 at the top, 0 dashed), each alert hour marked with a
    triangle whose ``<title>`` explains it."""
    chart_id = _chart_id("chart")
    left, right, top, bottom = 40, width - 40, 22, height - 30
    largest = max((h.posts for h in hours), default=0) or 1
    slot = (right - left) / max(1, len(hours))
    bar = max(1.0, slot * 0.7)

    def mood_y(value: float) -> float:
        return top + (1.0 - (value + 1.0) / 2.0) * (bottom - top)

    parts = [f'<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>',
             f'<line class="zero" x1="{left}" y1="{mood_y(0):.1f}" x2="{right}" '
             f'y2="{mood_y(0):.1f}"/>',
             f'<text class="chart-value" x="{left - 4}" y="{top + 4}" text-anchor="end">'
             f'{largest}</text>',
             f'<text class="chart-value" x="{right + 4}" y="{top + 4}">+1</text>',
             f'<text class="chart-value" x="{right + 4}" y="{bottom}">-1</text>']
    line = []
    for index, hour in enumerate(hours):
        x = left + index * slot + (slot - bar) / 2
        length = hour.posts / largest * (bottom - top)
        parts.append(f'<rect class="column" x="{x:.1f}" y="{bottom - length:.1f}" '
                     f'width="{bar:.1f}" height="{length:.1f}"><title>{escape(hour.label)}: '
                     f'{hour.posts} posts</title></rect>')
        if hour.sentiment is not None:
            line.append(f"{x + bar / 2:.1f},{mood_y(hour.sentiment):.1f}")
        if index % label_every == 0:
            parts.append(f'<text class="chart-label" x="{x + bar / 2:.1f}" y="{height - 10}" '
                         f'text-anchor="middle">{escape(hour.label[-5:])}</text>')
        if hour.alerts:
            cx = x + bar / 2
            parts.append(f'<path class="alert-mark" d="M{cx - 7:.1f},{top - 14} '
                         f'L{cx + 7:.1f},{top - 14} L{cx:.1f},{top - 2} Z">'
                         f'<title>{escape(hour.label)}: {escape("; ".join(hour.alerts))}'
                         f'</title></path>')
    if line:
        parts.append(f'<polyline class="mood" points="{" ".join(line)}"/>')
    if not hours:
        parts.append('<text class="chart-label" x="8" y="20">no data yet</text>')
    return Markup(
        f'<svg class="chart trend" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}"><title id="{chart_id}">{escape(title)}</title>'
        + "".join(parts) + "</svg>")


__all__ = ["TrendHour", "bar_chart", "column_chart", "trend_chart"]
