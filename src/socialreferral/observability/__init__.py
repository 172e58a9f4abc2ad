"""Observability hooks: traces and metrics that cost nothing unless switched on.

Service code (ingestion, the worker, offers, leads) calls :func:`span`, :func:`count`,
:func:`observe` and :func:`carrier`; these delegate to the process's current
:class:`Telemetry`, which is a no-op until a composition root installs an
:class:`~socialreferral.observability.api.OpenTelemetry` (``pip install
socialreferral[otel]``; see :mod:`socialreferral.observability.setup` and
``docs/observability.md``). The pure packages (``domain``, ``text``, ``scoring``) never
import this module.

The trace context crosses the queue inside the message body (:func:`carrier` on the
producer side, ``span(..., parent=carrier)`` on the consumer side), so one trace spans
webhook → queue → worker → offer whatever the queue adapter, including those without
message attributes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from socialreferral.observability.api import (
    INSTRUMENTS,
    AttributeValue,
    OpenTelemetry,
    SpanKind,
    Telemetry,
)

# The one piece of process-wide state: which Telemetry the hooks use. Set only by a
# composition root (install), read by the hooks; a no-op by default.
_current: Telemetry = Telemetry()


def current() -> Telemetry:
    """The telemetry the hooks of this process report to."""
    return _current


def install(telemetry: Telemetry) -> Telemetry:
    """Make ``telemetry`` the process's current one; return the previous (to restore)."""
    global _current
    previous, _current = _current, telemetry
    return previous


@contextmanager
def span(name: str, *, kind: SpanKind = "internal", parent: Mapping[str, str] | None = None,
         attributes: Mapping[str, AttributeValue] | None = None) -> Iterator[None]:
    """A span around the block (a child of ``parent``'s trace context when given)."""
    with _current.span(name, kind=kind, parent=parent, attributes=attributes):
        yield


def count(name: str, amount: int = 1, **attributes: str) -> None:
    """Add ``amount`` to the counter ``name`` (one of :data:`INSTRUMENTS`)."""
    _current.count(name, amount, **attributes)


def observe(name: str, value: float, **attributes: str) -> None:
    """Record ``value`` in the histogram ``name`` (one of :data:`INSTRUMENTS`)."""
    _current.observe(name, value, **attributes)


def carrier() -> dict[str, str]:
    """The current trace context as W3C headers (``traceparent``), for a queue message;
    empty when telemetry is off."""
    return _current.carrier()


__all__ = ["INSTRUMENTS", "OpenTelemetry", "Telemetry", "carrier", "count", "current",
           "install", "observe", "span"]
