"""Azure Monitor (Application Insights) as the telemetry exporter on Azure.

:mod:`socialreferral.observability.setup` asks for it when ``SOCIALREFERRAL_TELEMETRY``
names ``azure``; the exporter reads ``APPLICATIONINSIGHTS_CONNECTION_STRING`` itself. The
SDK (``azure-monitor-opentelemetry-exporter``, extra ``otel-azure``) is imported here
only, as every Azure SDK is imported only under ``providers/azure``.
"""

from __future__ import annotations

from typing import Any

from socialreferral.errors import ConfigurationError

__all__ = ["azure_monitor_exporters"]


def azure_monitor_exporters(setting: str) -> tuple[Any, Any]:
    """(span exporter, metric reader) sending to Application Insights; ``setting`` names
    the environment variable that chose them, for the error message."""
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

    try:
        from azure.monitor.opentelemetry.exporter import (  # type: ignore[import-not-found,unused-ignore]
            AzureMonitorMetricExporter,
            AzureMonitorTraceExporter,
        )
    except ImportError:
        raise ConfigurationError(
            f"{setting}=azure needs azure-monitor-opentelemetry-exporter "
            "(pip install 'socialreferral[otel-azure]')") from None
    return (AzureMonitorTraceExporter(),
            PeriodicExportingMetricReader(AzureMonitorMetricExporter()))
