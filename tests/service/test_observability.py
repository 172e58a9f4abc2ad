"""Telemetry: one trace from the webhook across the queue to the offer, metrics by name,
and nothing at all when the ``otel`` extra is absent."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from service_helpers import NOW, add_customer, delivery, ingest, make_worker

from socialreferral import observability
from socialreferral.bootstrap import Providers
from socialreferral.channels import MetaChannel
from socialreferral.domain.social import EventKind, SocialEvent
from socialreferral.errors import ConfigurationError, SignatureInvalid
from socialreferral.observability.setup import exporters_from
from socialreferral.service.ingest import ingest_webhook
from socialreferral.service.queued_events import decode_event, encode_event
from socialreferral.service.referrals import recommend, submit_lead

sdk_trace = pytest.importorskip("opentelemetry.sdk.trace")
from opentelemetry.sdk.metrics import MeterProvider  # noqa: E402
from opentelemetry.sdk.metrics.export import InMemoryMetricReader  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)


@pytest.fixture
def telemetry() -> Iterator[tuple[InMemorySpanExporter, InMemoryMetricReader]]:
    """OpenTelemetry with in-memory exporters, installed for this test only."""
    spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider = sdk_trace.TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    meter_provider = MeterProvider(metric_readers=[reader])
    previous = observability.install(observability.OpenTelemetry(tracer_provider,
                                                                 meter_provider))
    try:
        yield spans, reader
    finally:
        observability.install(previous)
        tracer_provider.shutdown()
        meter_provider.shutdown()


def _metrics(reader: InMemoryMetricReader) -> dict[str, list[tuple[dict[str, Any], Any]]]:
    """name → [(attributes, value or histogram count)] of everything recorded so far."""
    found: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    data = reader.get_metrics_data()
    assert data is not None
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    value = getattr(point, "value", None)
                    if value is None:
                        value = point.count  # type: ignore[union-attr]
                    found.setdefault(metric.name, []).append((dict(point.attributes or {}),
                                                              value))
    return found


def test_one_trace_spans_webhook_queue_worker_and_offer(
        providers: Providers, telemetry: tuple[InMemorySpanExporter, InMemoryMetricReader],
) -> None:
    spans, reader = telemetry
    add_customer(providers, 1, {"p1": 5})
    ingest(providers, [("1_1", "p1", "I am looking for a car loan")])
    [outcome] = make_worker(providers).run_once()
    assert outcome.status == "offer"

    by_name = {span.name: span for span in spans.get_finished_spans()}
    webhook, send = by_name["webhook.ingest"], by_name["queue.send"]
    process, offer = by_name["worker.process_event"], by_name["offer.create"]
    # Four spans, one trace: the worker's span is the child of the producer's span,
    # whose context travelled inside the queue message.
    assert {s.context.trace_id for s in (webhook, send, process, offer)} == {
        webhook.context.trace_id}
    assert send.parent is not None and send.parent.span_id == webhook.context.span_id
    assert process.parent is not None and process.parent.span_id == send.context.span_id
    assert offer.parent is not None and offer.parent.span_id == process.context.span_id
    assert process.kind.name == "CONSUMER" and send.kind.name == "PRODUCER"
    assert offer.attributes is not None
    assert offer.attributes["socialreferral.offer_id"] == outcome.offer_id

    metrics = _metrics(reader)
    assert metrics["socialreferral.webhook.events"] == [({"channel": "meta"}, 1)]
    assert metrics["socialreferral.offers"] == [({"kind": "personalised"}, 1)]
    assert metrics["socialreferral.worker.events"] == [({"status": "offer"}, 1)]
    assert metrics["socialreferral.worker.latency"][0][1] == 1  # one sample


def test_lead_and_reward_spans_and_counters(
        providers: Providers, telemetry: tuple[InMemorySpanExporter, InMemoryMetricReader],
) -> None:
    spans, reader = telemetry
    add_customer(providers, 1, {"p1": 5})
    ingest(providers, [("1_1", "p1", "I am looking for a car loan")])
    [outcome] = make_worker(providers).run_once()
    assert outcome.offer_id is not None
    _, token = recommend(outcome.offer_id, repositories=providers.repositories,
                         secrets=providers.secrets, social=providers.social,
                         settings=providers.settings.referral,
                         public_base_url="https://bank.example.com", now=NOW)
    form = {"name": "Pat Prospect", "email": "pat@mail.example.org", "phone": "+15550001111"}
    for _ in range(2):  # a resubmission creates no second lead or reward
        submit_lead(token, form, repositories=providers.repositories,
                    secrets=providers.secrets, crm=providers.crm,
                    settings=providers.settings.referral, now=NOW)
    finished = spans.get_finished_spans()
    [reward] = [s for s in finished if s.name == "reward.create"]
    leads = [s for s in finished if s.name == "lead.submit"]
    assert len(leads) == 2
    assert reward.parent is not None and reward.parent.span_id == leads[0].context.span_id
    metrics = _metrics(reader)
    assert [v for _, v in metrics["socialreferral.leads"]] == [1]
    assert [v for _, v in metrics["socialreferral.rewards"]] == [1]


def test_rejections_are_counted_by_reason(
        providers: Providers, telemetry: tuple[InMemorySpanExporter, InMemoryMetricReader],
) -> None:
    _, reader = telemetry
    headers, body = delivery([("1_1", "p1", "hello")])
    for _ in range(2):  # the second is a replay: its event is a duplicate
        ingest_webhook(MetaChannel(), headers, body, queue=providers.queue,
                       secrets=providers.secrets, repositories=providers.repositories)
    with pytest.raises(SignatureInvalid):
        ingest_webhook(MetaChannel(), {"X-Hub-Signature-256": "sha256=00"}, body,
                       queue=providers.queue, secrets=providers.secrets,
                       repositories=providers.repositories)
    rejections = {a["reason"]: v for a, v in
                  _metrics(reader)["socialreferral.webhook.rejections"]}
    assert rejections == {"duplicate": 1, "SignatureInvalid": 1}


def test_undecodable_messages_count_as_dead_letters(
        providers: Providers, telemetry: tuple[InMemorySpanExporter, InMemoryMetricReader],
) -> None:
    _, reader = telemetry
    providers.queue.send("not json at all")
    make_worker(providers).run_once()
    assert [v for _, v in _metrics(reader)["socialreferral.queue.dead_letters"]] == [1]


def test_the_trace_carrier_never_makes_a_message_poison() -> None:
    event = SocialEvent(event_id="facebook:1:x", network="facebook", author_id="p1",
                        kind=EventKind.POST, text="hello", created_at=NOW)
    carried = decode_event(encode_event(event, 1.0, {"traceparent": "00-ab-cd-01"}))
    assert carried.trace == {"traceparent": "00-ab-cd-01"}
    body = json.loads(encode_event(event, 1.0))
    assert "trace" not in body  # telemetry off: the body is what it always was
    for junk in ("text", ["a"], {"traceparent": 5}, {str(i): "x" for i in range(50)},
                 {"traceparent": "x" * 10_000}):
        body["trace"] = junk
        decoded = decode_event(json.dumps(body))
        assert decoded.trace == {} and decoded.event.event_id == event.event_id


def test_unknown_instrument_names_fail(
        telemetry: tuple[InMemorySpanExporter, InMemoryMetricReader]) -> None:
    with pytest.raises(ValueError, match="not a declared counter"):
        observability.count("socialreferral.ofers")
    with pytest.raises(ValueError, match="not a declared histogram"):
        observability.observe("socialreferral.offers", 1.0)


def test_exporter_names_are_checked() -> None:
    assert exporters_from({}) == ()
    assert exporters_from({"SOCIALREFERRAL_TELEMETRY": " OTLP, prometheus"}) == (
        "otlp", "prometheus")
    with pytest.raises(ConfigurationError, match="unknown exporter"):
        exporters_from({"SOCIALREFERRAL_TELEMETRY": "jaeger"})


NO_OTEL = """
import sys
sys.modules["opentelemetry"] = None  # as if the otel extra were not installed
from socialreferral import observability
from socialreferral.errors import ConfigurationError
from socialreferral.observability.setup import configure_from_environment
with observability.span("x", parent={"traceparent": "junk"}):
    observability.count("socialreferral.offers")
assert observability.carrier() == {}
assert configure_from_environment({}).exporters == ()
try:
    configure_from_environment({"SOCIALREFERRAL_TELEMETRY": "otlp"})
except ConfigurationError as exc:
    assert "otel extra" in str(exc), exc
else:
    raise AssertionError("no ConfigurationError")
assert not [m for m in sys.modules if m.startswith("opentelemetry.")]
print("ok")
"""


def test_hooks_are_no_ops_without_the_otel_extra() -> None:
    done = subprocess.run([sys.executable, "-c", NO_OTEL], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_json_log_lines_carry_the_trace_and_redacted_text(
        telemetry: tuple[InMemorySpanExporter, InMemoryMetricReader]) -> None:
    from socialreferral.observability.logs import JsonFormatter
    from socialreferral.web.redaction import RedactingFilter
    from socialreferral.web.server import log_config

    spans, _ = telemetry
    record = logging.LogRecord("socialreferral.web", logging.INFO, __file__, 1,
                               "GET %s", ("/referrals/secret-token-abc?code=xyz",), None)
    with observability.span("request"):
        RedactingFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    [span] = spans.get_finished_spans()
    assert line["trace_id"] == format(span.context.trace_id, "032x")
    assert line["span_id"] == format(span.context.span_id, "016x")
    assert line["level"] == "INFO" and line["logger"] == "socialreferral.web"
    assert "secret-token-abc" not in line["message"] and "xyz" not in line["message"]
    assert line["message"].startswith("GET /referrals/[token:")
    outside = json.loads(JsonFormatter().format(record))
    assert "trace_id" not in outside  # no active span, no ids
    config = log_config(json_lines=True)
    assert {f["()"] for f in config["formatters"].values()} == {
        "socialreferral.observability.logs.JsonFormatter"}
    assert all("redact" in h["filters"] for h in config["handlers"].values())
