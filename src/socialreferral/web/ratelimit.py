"""Request budgets per client address and per webhook channel (429 + ``Retry-After``).

Built on the ``limits`` library: a **moving window** (the last ``per_seconds`` seconds
hold at most ``requests``; no burst at a fixed window's edge) in **process memory**. With
several server processes each keeps its own window, so the effective budget is the budget
times the number of processes; a shared store (Redis) is a later step if that matters.

* every request counts against its client address (``scope["client"]``; behind a proxy,
  run the server with ``forwarded_allow_ips`` so it is the real client, not the proxy);
* a request to ``/webhooks/<channel>`` of a *registered* channel also counts against that
  channel — a flood through many addresses still cannot drown one network's deliveries,
  and unknown names create no state;
* ``/healthz`` is exempt, so liveness probes are never throttled.

The check runs before the body is read, so a refused request costs nothing else.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from socialreferral.settings import RateLimit
from socialreferral.web.edge import ASGIApp, Receive, Scope, Send, send_json
from socialreferral.web.redaction import app_logger

EXEMPT_PATHS = frozenset({"/healthz"})
WEBHOOK_PREFIX = "/webhooks/"


def rate_item(rate: RateLimit) -> RateLimitItem:
    """The ``limits`` item for a configured budget."""
    return RateLimitItemPerSecond(rate.requests, rate.per_seconds)


class RateLimitMiddleware:
    """Answer 429 once a client or a channel is over its budget (module docstring)."""

    def __init__(self, app: ASGIApp, *, client_rate: RateLimit, channel_rate: RateLimit,
                 channels: Collection[str]) -> None:
        self.app = app
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.client_item = rate_item(client_rate)
        self.channel_item = rate_item(channel_rate)
        self.channels = frozenset(channels)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request; pass it on or answer 429."""
        if scope["type"] != "http" or scope.get("path") in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        refused = self._refused(self.client_item, "client", address)
        if refused is None:
            channel = self._channel(str(scope.get("path", "")))
            if channel is not None:
                refused = self._refused(self.channel_item, "channel", channel)
        if refused is None:
            await self.app(scope, receive, send)
            return
        scope_name, retry_after = refused
        app_logger().warning("rate limit: %s budget exhausted for %s %s", scope_name,
                             scope.get("method", "?"), scope.get("path", ""))
        await send_json(send, 429, {
            "error": "RateLimited", "field": None,
            "detail": f"too many requests for this {scope_name}; retry in {retry_after} s"},
            {"Retry-After": str(retry_after)})

    def _channel(self, path: str) -> str | None:
        if not path.startswith(WEBHOOK_PREFIX):
            return None
        name = path[len(WEBHOOK_PREFIX):].rstrip("/")
        return name if name in self.channels else None

    def _refused(self, item: RateLimitItem, kind: str, key: str) -> tuple[str, int] | None:
        """``None`` when the hit fits the budget, else (what, seconds to wait)."""
        if self.limiter.hit(item, kind, key):
            return None
        reset_at = self.limiter.get_window_stats(item, kind, key).reset_time
        return kind, max(1, math.ceil(reset_at - time.time()))


__all__ = ["EXEMPT_PATHS", "RateLimitMiddleware", "rate_item"]
