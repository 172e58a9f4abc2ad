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


def test_no_metrics_route_without_telemetry(tmp_path: Path) -> None:
    with local_providers(tmp_path / "data") as providers:
        assert TestClient(create_app(providers)).get("/metrics").status_code == 404
