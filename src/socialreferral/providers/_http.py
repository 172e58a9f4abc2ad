"""What the HTTP-based vendor adapters share: TLS, timeouts, advised waits, safe excerpts.

Used by the Dynamics 365, Meta, X and LinkedIn adapters, which talk to their services
with ``httpx`` (directly or under an SDK). Nothing here names a vendor.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

#: Longest excerpt of a service's error message kept in an exception (they can quote
#: what was sent, which may be personal data; the status and code are what matter).
MAX_EXCERPT = 160


def tls_context(ca_bundle: str | None) -> ssl.SSLContext | bool:
    """``verify=`` for httpx: the system store, or a context trusting ``ca_bundle`` too
    (a private CA, a loopback fake's test CA)."""
    if not ca_bundle:
        return True
    return ssl.create_default_context(cafile=ca_bundle)


def advised_wait(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date)."""
    raw = headers.get("retry-after") or headers.get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def until_reset(epoch_seconds: str | None, *, now: float | None = None) -> float | None:
    """Seconds until an epoch-seconds reset time (X's ``x-rate-limit-reset``)."""
    if not epoch_seconds:
        return None
    try:
        reset = float(epoch_seconds)
    except ValueError:
        return None
    return max(0.0, reset - (time.time() if now is None else now))


def excerpt(text: Any) -> str:
    """A short, single-line excerpt of a service's message for an exception."""
    line = " ".join(str(text or "").split())
    return line if len(line) <= MAX_EXCERPT else line[: MAX_EXCERPT - 1] + "…"


__all__ = ["MAX_EXCERPT", "advised_wait", "excerpt", "tls_context", "until_reset"]
