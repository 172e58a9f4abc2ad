"""The :class:`Telemetry` interface (a no-op) and its OpenTelemetry implementation.

Instrument names are fixed in :data:`INSTRUMENTS` (name → kind, unit, description), so a
dashboard can rely on them and a typo in a hook fails a test instead of creating a new
series. :class:`OpenTelemetry` imports the ``opentelemetry`` API only when built, so the
library imports and runs without the ``otel`` extra.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal

log = logging.getLogger(__name__)

SpanKind = Literal["internal", "server", "client", "producer", "consumer"]
AttributeValue = str | int | float | bool
#: What a gauge reader returns: one value per attribute set (an empty list: no sample).
Series = Iterable[tuple[Mapping[str, str], float]]

#: Every metric the library reports: name → (kind, unit, description).
INSTRUMENTS: dict[str, tuple[str, str, str]] = {
    "socialreferral.webhook.events": (
        "counter", "{event}", "events enqueued by webhook ingestion, by channel"),
    "socialreferral.webhook.rejections": (
        "counter", "{rejection}",
        "webhook deliveries or entries rejected, by reason (SignatureInvalid, "
        "InvalidInput, ChannelNotConfigured, malformed_entry, duplicate)"),
    "socialreferral.worker.events": (
        "counter", "{event}", "events processed by the worker, by outcome status"),
    "socialreferral.worker.latency": (
        "histogram", "s", "webhook accepted → worker done with the event"),
    "socialreferral.queue.dead_letters": (
        "counter", "{message}",
        "messages the worker isolated as undecodable (sent towards the dead-letter queue)"),
    "socialreferral.queue.depth": (
        "gauge", "{message}", "messages waiting in the queue, by queue (sampled on export)"),
    "socialreferral.queue.oldest_age": (
        "gauge", "s",
        "seconds since the oldest message still in the queue was sent, by queue (sampled "
        "on export; which messages a backend sees: docs/observability.md)"),
    "socialreferral.care.sla_breaches": (
        "counter", "{item}",
        "care items whose first-response SLA passed without a reply in time, counted "
        "once per item when detected, by queue"),
    "socialreferral.care.sla_breached": (
        "gauge", "{item}",
        "open care items past their first-response due time without a reply, by queue "
        "(sampled on export)"),
    "socialreferral.offers": ("counter", "{offer}", "personalised offers created"),
    "socialreferral.leads": ("counter", "{lead}", "leads created from referral links"),
    "socialreferral.rewards": ("counter", "{reward}", "rewards created, by status"),
}


class Telemetry:
    """Does nothing: what the hooks use until a composition root installs another."""

    enabled = False

    @contextmanager
    def span(self, name: str, *, kind: SpanKind = "internal",
             parent: Mapping[str, str] | None = None,
             attributes: Mapping[str, AttributeValue] | None = None) -> Iterator[None]:
        """A span around the block (here: nothing)."""
        yield

    def count(self, name: str, amount: int = 1, **attributes: str) -> None:
        """Add to a counter (here: nothing)."""

    def observe(self, name: str, value: float, **attributes: str) -> None:
        """Record in a histogram (here: nothing)."""

    def carrier(self) -> dict[str, str]:
        """The current trace context as headers (here: none)."""
        return {}

    def watch(self, name: str, read: Callable[[], float | None], **attributes: str) -> None:
        """Report ``read()`` as the gauge ``name`` with ``attributes`` at each export; None
        skips a sample (here: never)."""

    def watch_series(self, name: str, read: Callable[[], Series]) -> None:
        """Report every (attributes, value) ``read()`` returns as the gauge ``name`` at
        each export (here: never)."""


class OpenTelemetry(Telemetry):
    """Telemetry through the OpenTelemetry API.

    ``tracer_provider``/``meter_provider`` default to the global ones (set by
    :func:`socialreferral.observability.setup.configure`); tests pass their own with
    in-memory exporters.
    """

    enabled = True

    def __init__(self, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        from opentelemetry import metrics, propagate, trace

        self._trace, self._propagate = trace, propagate
        tracers = tracer_provider or trace.get_tracer_provider()
        meters = meter_provider or metrics.get_meter_provider()
        self._tracer = tracers.get_tracer("socialreferral")
        self._meter = meters.get_meter("socialreferral")
        self._kinds = {"internal": trace.SpanKind.INTERNAL, "server": trace.SpanKind.SERVER,
                       "client": trace.SpanKind.CLIENT, "producer": trace.SpanKind.PRODUCER,
                       "consumer": trace.SpanKind.CONSUMER}
        self._instruments: dict[str, Any] = {}
        self._gauges: dict[str, list[Callable[[], Series]]] = {}
        for name, (kind, unit, description) in INSTRUMENTS.items():
            if kind == "counter":
                self._instruments[name] = self._meter.create_counter(
                    name, unit=unit, description=description)
            elif kind == "histogram":
                self._instruments[name] = self._meter.create_histogram(
                    name, unit=unit, description=description)

    @contextmanager
    def span(self, name: str, *, kind: SpanKind = "internal",
             parent: Mapping[str, str] | None = None,
             attributes: Mapping[str, AttributeValue] | None = None) -> Iterator[None]:
        context = self._propagate.extract(dict(parent)) if parent else None
        with self._tracer.start_as_current_span(name, context=context, kind=self._kinds[kind],
                                                attributes=dict(attributes or {})):
            yield

    def count(self, name: str, amount: int = 1, **attributes: str) -> None:
        self._instrument(name, "counter").add(amount, attributes)

    def observe(self, name: str, value: float, **attributes: str) -> None:
        self._instrument(name, "histogram").record(value, attributes)

    def carrier(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        self._propagate.inject(headers)
        return headers

    def watch(self, name: str, read: Callable[[], float | None], **attributes: str) -> None:
        def one() -> Series:
            value = read()
            return [] if value is None else [(attributes, value)]

        self.watch_series(name, one)

    def watch_series(self, name: str, read: Callable[[], Series]) -> None:
        kind, unit, description = INSTRUMENTS[name]
        if kind != "gauge":
            raise ValueError(f"{name} is a {kind}, not a gauge")
        readers = self._gauges.get(name)
        if readers is not None:  # one instrument per name; several queues share it
            readers.append(read)
            return
        readers = self._gauges[name] = [read]
        from opentelemetry.metrics import CallbackOptions, Observation

        def observe(_: CallbackOptions) -> Sequence[Observation]:
            found: list[Observation] = []
            for reader in list(readers):
                try:  # all of a reader's samples or none
                    found.extend([Observation(float(value), dict(attributes))
                                  for attributes, value in reader()])
                except Exception as exc:  # a backend hiccup skips its samples, not the export
                    log.warning("gauge %s: no sample this time (%s: %s)", name,
                                type(exc).__name__, str(exc)[:200])
            return found

        self._meter.create_observable_gauge(name, callbacks=[observe], unit=unit,
                                            description=description)

    def _instrument(self, name: str, kind: str) -> Any:
        declared = INSTRUMENTS.get(name)
        if declared is None or declared[0] != kind:
            raise ValueError(f"{name!r} is not a declared {kind} (see INSTRUMENTS)")
        return self._instruments[name]


__all__ = ["INSTRUMENTS", "AttributeValue", "OpenTelemetry", "Series", "SpanKind",
           "Telemetry"]
