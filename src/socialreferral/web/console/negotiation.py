"""Content negotiation: does a request want an HTML page or JSON?

A browser following a referral link sends ``Accept: text/html,...``; an API client sends
``application/json`` or ``*/*`` (or nothing). HTML is chosen only when ``text/html`` is
named and ranks at least as high as JSON, so every existing API client keeps getting
JSON.
"""

from __future__ import annotations

MAX_ACCEPT_CHARS = 1024


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                return 0.0
            return quality if 0.0 <= quality <= 1.0 else 0.0
    return 1.0


def prefers_html(accept: str | None) -> bool:
    """True if ``accept`` names ``text/html`` (or XHTML) at least as highly as JSON."""
    if not accept:
        return False
    html = json = -1.0
    for item in accept[:MAX_ACCEPT_CHARS].split(","):
        media, *params = item.split(";")
        media = media.strip().lower()
        quality = _quality(params)
        if media in ("text/html", "application/xhtml+xml"):
            html = max(html, quality)
        elif media in ("application/json", "application/*"):
            json = max(json, quality)
    return html > 0 and html >= json


__all__ = ["prefers_html"]
