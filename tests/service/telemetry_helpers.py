"""OpenTelemetry with an in-memory metric reader for one test, and its points by name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from socialreferral import observability


@contextmanager
def in_memory_metrics() -> Iterator[InMemoryMetricReader]:
    """Install OpenTelemetry reporting to an in-memory reader; restore the previous
    telemetry afterwards."""
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    previous = observability.install(observability.OpenTelemetry(meter_provider=meter_provider))
    try:
        yield reader
    finally:
        observability.install(previous)
        meter_provider.shutdown()


def points(reader: InMemoryMetricReader) -> dict[str, dict[tuple[tuple[str, Any], ...], float]]:
    """name → {sorted attribute items: value} of one collection (gauges sampled now)."""
    found: dict[str, dict[tuple[tuple[str, Any], ...], float]] = {}
    data = reader.get_metrics_data()
    if data is None:
        return found
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    key = tuple(sorted((point.attributes or {}).items()))
                    found.setdefault(metric.name, {})[key] = point.value  # type: ignore[union-attr]
    return found
