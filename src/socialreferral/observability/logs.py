"""Structured JSON log lines, correlated with traces.

:class:`JsonFormatter` renders a record as one JSON object per line: ``time`` (UTC, ISO
8601), ``level``, ``logger``, ``message``, ``exception`` when there is one, and
``trace_id``/``span_id`` when a span is active (so a log search jumps to the trace). It
formats what it is given: secrets are removed before it by the redacting filter that
``socialreferral.web.server.log_config`` puts on every handler (query secrets, referral
tokens), so the JSON holds the redacted text. Needs no extra: without OpenTelemetry
there is simply no trace id.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

#: The value of ``SOCIALREFERRAL_LOG_FORMAT`` that selects JSON lines.
JSON = "json"


class JsonFormatter(logging.Formatter):
    """One JSON object per record (module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single line of JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_trace_ids())
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def _trace_ids() -> dict[str, str]:
    """The active span's ids (hex, as trace back ends show them), if any."""
    try:
        from opentelemetry import trace
    except ImportError:
        return {}
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": format(context.trace_id, "032x"),
            "span_id": format(context.span_id, "016x")}


__all__ = ["JSON", "JsonFormatter"]
