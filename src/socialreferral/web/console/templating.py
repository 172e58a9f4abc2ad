"""Jinja2 templates of the console: one environment, autoescaping on for every template.

Everything a template prints is escaped unless it is :class:`markupsafe.Markup` — and the
only Markup the console makes is the SVG of :mod:`~socialreferral.web.console.charts`,
which escapes every text it embeds. ``StrictUndefined`` turns a misspelt variable into an
error in the tests instead of an empty string on a page. Templates ship in the package
(``templates/``) and are loaded through the package loader, so the installed wheel
renders the same pages as the source tree.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from socialreferral.web.console.areas import visible_areas
from socialreferral.web.console.assets import ASSET_URLS

HTML_CACHE = "no-store"
NO_VALUE = "\u2013"  # an en dash: "no figure" in a table cell
"""Console pages carry personal data and per-session tokens: never cached."""


def money(amount: object, currency: str = "") -> str:
    """``1234.5`` -> ``1,234.50 USD``."""
    try:
        value = f"{Decimal(str(amount)):,.2f}"
    except (InvalidOperation, ValueError):
        value = str(amount)
    return f"{value} {currency}".strip()


def percent(rate: float | None) -> str:
    """``0.256`` -> ``25.6 %``; ``None`` (no denominator) -> an en dash."""
    return NO_VALUE if rate is None else f"{rate * 100:.1f} %"


def duration(delta: timedelta | None) -> str:
    """``2 d 3 h``, ``4 h 12 min``, ``35 min``, ``< 1 min``; ``None`` -> ``no deadline``."""
    if delta is None:
        return "no deadline"
    minutes = int(delta.total_seconds() // 60)
    if minutes <= 0:
        return "due now"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def span(seconds: float) -> str:
    """A length of time in seconds as ``2 d 3 h``, ``4 h 12 min``, ``< 1 min`` (its sign
    dropped: the page says "due in" or "overdue by")."""
    if abs(seconds) < 60:
        return "< 1 min"
    return duration(timedelta(seconds=abs(seconds)))


def when(moment: datetime | None) -> str:
    """A moment as ``2026-02-03 14:05 UTC``."""
    return NO_VALUE if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The console's Jinja2 environment (built once per process)."""
    env = Environment(loader=PackageLoader("socialreferral.web.console", "templates"),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True)
    env.filters.update(money=money, percent=percent, duration=duration, when=when,
                       span=span)
    env.globals.update(assets=ASSET_URLS)
    return env


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render ``template`` with ``context`` plus what every page uses: the operator (if
    logged in), their CSRF token and the request path."""
    state = request.state
    principal = getattr(state, "principal", None)
    values: dict[str, Any] = {
        "principal": principal,
        "csrf_token": getattr(state, "csrf_token", ""),
        "path": request.url.path,
        "nav": visible_areas(principal),
    }
    values.update(context or {})
    body = environment().get_template(template).render(values)
    return HTMLResponse(body, status_code=status_code,
                        headers={"Cache-Control": HTML_CACHE, **(headers or {})})


__all__ = ["HTML_CACHE", "duration", "environment", "money", "percent", "render", "span",
           "when"]
