"""Switching telemetry on, for composition roots (the web app, the worker task, the CLI).

``SOCIALREFERRAL_TELEMETRY`` names the exporters, comma-separated (unset or empty: off,
nothing is imported):

* ``otlp`` — OTLP over HTTP (traces and metrics) to ``OTEL_EXPORTER_OTLP_ENDPOINT``: the
  ADOT collector on AWS (which forwards to X-Ray and CloudWatch), or any collector;
* ``azure`` — Azure Monitor / Application Insights (``APPLICATIONINSIGHTS_CONNECTION_STRING``);
* ``prometheus`` — a pull ``/metrics`` endpoint on the web app (local runs);
* ``console`` — spans printed to stdout (debugging).

The standard ``OTEL_*`` variables (``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``,
endpoints, headers) are read by the SDK itself. Everything here needs the ``otel`` extra;
asking for an exporter without it is a :class:`ConfigurationError`, not an ImportError.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from socialreferral.errors import ConfigurationError
from socialreferral.observability import OpenTelemetry, current, install
from socialreferral.ports import Queue
from socialreferral.records import Capability

ENV = "SOCIALREFERRAL_TELEMETRY"
EXPORTERS = ("otlp", "azure", "prometheus", "console")


@dataclass(frozen=True)
class TelemetryConfig:
    """What :func:`configure_from_environment` switched on."""

    exporters: tuple[str, ...] = ()

    @property
    def prometheus(self) -> bool:
        """Whether the web app should serve ``/metrics``."""
        return "prometheus" in self.exporters


_configured: TelemetryConfig | None = None


def exporters_from(env: Mapping[str, str]) -> tuple[str, ...]:
    """The exporters ``env`` asks for; ``ConfigurationError`` naming an unknown one."""
    names = tuple(n.strip().lower() for n in env.get(ENV, "").split(",") if n.strip())
    unknown = [n for n in names if n not in EXPORTERS]
    if unknown:
        raise ConfigurationError(
            f"{ENV}: unknown exporter(s) {', '.join(unknown)} (known: {', '.join(EXPORTERS)})")
    return names


def configure_from_environment(env: Mapping[str, str]) -> TelemetryConfig:
    """Set up the OpenTelemetry SDK with the exporters ``env`` names and install it for
    the hooks. Idempotent per process (uvicorn workers and task processes call it once
    each); with no exporter named it does nothing at all."""
    global _configured
    names = exporters_from(env)
    if _configured is not None or not names:
        return _configured or TelemetryConfig()
    if not _sdk_installed():
        raise ConfigurationError(
            f"{ENV}={env.get(ENV)!r} needs the otel extra: pip install 'socialreferral[otel]'")
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"service.name": env.get("OTEL_SERVICE_NAME",
                                                        "socialreferral")})
    tracer_provider = TracerProvider(resource=resource)
    readers: list[Any] = []
    for name in names:
        span_exporter, reader = _exporter(name)
        if span_exporter is not None:
            tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
        if reader is not None:
            readers.append(reader)
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    install(OpenTelemetry(tracer_provider, meter_provider))
    _configured = TelemetryConfig(names)
    return _configured


def _sdk_installed() -> bool:
    try:
        return importlib.util.find_spec("opentelemetry.sdk") is not None
    except ImportError:  # no opentelemetry package at all
        return False


def _exporter(name: str) -> tuple[Any, Any]:
    """(span exporter or None, metric reader or None) of one exporter name."""
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(), PeriodicExportingMetricReader(OTLPMetricExporter())
    if name == "azure":
        from socialreferral.providers.azure.monitor import azure_monitor_exporters

        return azure_monitor_exporters(ENV)
    if name == "prometheus":
        from opentelemetry.exporter.prometheus import PrometheusMetricReader

        return None, PrometheusMetricReader()
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    return ConsoleSpanExporter(), None


def watch_queue(queue: Queue) -> None:
    """Report ``queue``'s depth (``socialreferral.queue.depth``) and, where the adapter
    declares ``oldest_age``, the age of its oldest message
    (``socialreferral.queue.oldest_age``) at each export, labelled ``queue`` (no-op
    while telemetry is off). SQS has no such call: its CloudWatch metric
    ``ApproximateAgeOfOldestMessage`` is the signal there."""
    telemetry, name = current(), queue_label(queue)
    telemetry.watch("socialreferral.queue.depth", queue.depth, queue=name)
    if queue.supports(Capability.OLDEST_AGE):
        telemetry.watch("socialreferral.queue.oldest_age", queue.oldest_age, queue=name)


def queue_label(queue: Queue) -> str:
    """The ``queue`` attribute of a queue's series: its name where the adapter has one
    (configuration, never message data), else the adapter's class."""
    name = getattr(queue, "name", None)
    return name if isinstance(name, str) and name else type(queue).__name__


def watch_care(breached: Callable[[], Mapping[str, int]]) -> None:
    """Report ``breached()`` (open items past their first-response due time, per care
    queue) as ``socialreferral.care.sla_breached`` at each export."""
    current().watch_series("socialreferral.care.sla_breached",
                           lambda: [({"queue": q}, float(n)) for q, n in breached().items()])


def metrics_asgi_app() -> Any:
    """The Prometheus exposition app (mounted at ``/metrics`` by the web app)."""
    from prometheus_client import make_asgi_app

    return make_asgi_app()


__all__ = ["ENV", "EXPORTERS", "TelemetryConfig", "configure_from_environment",
           "exporters_from", "metrics_asgi_app", "queue_label", "watch_care", "watch_queue"]
