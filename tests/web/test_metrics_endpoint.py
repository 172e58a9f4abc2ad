"""``/metrics`` (Prometheus) when ``SOCIALREFERRAL_TELEMETRY=prometheus``, absent otherwise.

Telemetry is configured once per process (the SDK's global providers), so the switched-on
case runs in a subprocess of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import local_providers

from socialreferral.web.app import create_app

pytest.importorskip("opentelemetry.exporter.prometheus")

HERE = Path(__file__).resolve().parent
SCRIPT = """
import sys
sys.path.insert(0, {here!r})
from fastapi.testclient import TestClient
from web_helpers import local_providers, meta_body, meta_headers
from socialreferral.web.app import create_app

with local_providers({data!r}) as providers:
    client = TestClient(create_app(providers))
    body = meta_body("any good car loan out there?")
    answer = client.post("/webhooks/meta", content=body, headers=meta_headers(body))
    assert answer.status_code == 200, answer.text
    assert client.post("/webhooks/meta", content=body,
                       headers=meta_headers(body, "wrong")).status_code == 403
    answer = client.get("/metrics")
    assert answer.status_code == 200, answer.status_code
    print(answer.text)
"""


def test_metrics_are_served_when_prometheus_is_asked_for(tmp_path: Path) -> None:
    env = {**os.environ, "SOCIALREFERRAL_TELEMETRY": "prometheus",
           "SOCIALREFERRAL_PLUGINS": "local"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(here=str(HERE), data=str(tmp_path / "data"))],
        capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("socialreferral_webhook_events_total{")
               and 'channel="meta"' in line and line.endswith(" 1.0") for line in lines)
    assert any(line.startswith("socialreferral_webhook_rejections_total{")
               and 'reason="SignatureInvalid"' in line for line in lines)
    assert any(line.startswith("socialreferral_queue_depth") and line.endswith(" 1.0")
               for line in lines), "the queue holds the one event"


CARE_SCRIPT = """
import sys, time
from datetime import UTC, datetime, timedelta
sys.path.insert(0, {here!r})
from fastapi.testclient import TestClient
from web_helpers import BUILTIN_ONLY
from socialreferral import build_providers
from socialreferral.care.records import IncomingPost
from socialreferral.plugins import load_registry
from socialreferral.settings import settings_from_mapping
from socialreferral.web.app import create_app

care = {{"pages": ["1000"], "brand_ids": ["acmecare"], "sla": {{"first_response": 1800}},
         "agents": [{{"agent_id": "ann", "functions": ["*"], "cap": 5}}]}}
settings = settings_from_mapping({{"local": {{"data_dir": {data!r}}}, "care": care,
                                   "web": {{"care_api": True}}}})
with build_providers(settings, registry=load_registry(env=BUILTIN_ONLY)) as providers:
    app = create_app(providers)
    desk = app.state.care_desk
    old = datetime.now(UTC) - timedelta(hours=2)  # past its 30-minute target, unanswered
    desk.ingest([IncomingPost(network="x", native_id="1", author_id="c1", created_at=old,
                              text="@acmecare my refund is still not here, ridiculous")])
    [item] = desk.queue().entries
    print("QUEUE", item.item.queue)
    desk.record_sla_breaches()  # what the scheduled care.sla task does
    desk.record_sla_breaches()  # again: no second count
    providers.queue.send("an event waiting")
    time.sleep(1.1)
    answer = TestClient(app).get("/metrics")
    assert answer.status_code == 200, answer.status_code
    print(answer.text)
"""


def _series(lines: list[str], prefix: str, **labels: str) -> list[float]:
    """Values of the samples of ``prefix`` (the metric name) carrying ``labels``."""
    found = []
    for line in lines:
        name, _, rest = line.partition("{")
        if name != prefix or not all(f'{k}="{v}"' in rest for k, v in labels.items()):
            continue
        found.append(float(line.rsplit(" ", 1)[1]))
    return found


def test_backlog_age_and_care_sla_series_are_served(tmp_path: Path) -> None:
    env = {**os.environ, "SOCIALREFERRAL_TELEMETRY": "prometheus",
           "SOCIALREFERRAL_PLUGINS": "local"}
    done = subprocess.run(
        [sys.executable, "-c",
         CARE_SCRIPT.format(here=str(HERE), data=str(tmp_path / "data"))],
        capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    queue = next(line.split()[1] for line in lines if line.startswith("QUEUE "))
    [age] = _series(lines, "socialreferral_queue_oldest_age_seconds", queue="events")
    assert 1.0 <= age < 120, age
    assert _series(lines, "socialreferral_queue_depth", queue="events") == [1.0]
    assert _series(lines, "socialreferral_care_sla_breaches_total", queue=queue) == [1.0]
    assert _series(lines, "socialreferral_care_sla_breached", queue=queue) == [1.0]


def test_no_metrics_route_without_telemetry(tmp_path: Path) -> None:
    with local_providers(tmp_path / "data") as providers:
        assert TestClient(create_app(providers)).get("/metrics").status_code == 404
