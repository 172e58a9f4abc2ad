"""CLI flow commands other than demo: ingest (replay a folder), worker, report, promote."""

from __future__ import annotations

import json
from pathlib import Path

from service_helpers import add_customer, delivery, local_providers
from typer.testing import CliRunner

from socialreferral.cli import app
from socialreferral.cli_flows import register

register(app)


def test_ingest_worker_report_promote_on_a_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with local_providers(data) as providers:
        add_customer(providers, 1, {"p1": 5})
    replay = tmp_path / "replay"
    replay.mkdir()
    headers, body = delivery([("1_1", "p1", "I am looking for a car loan")])
    (replay / "001.json").write_text(json.dumps({"headers": headers, "body": body.decode()}))
    (replay / "002.json").write_text(json.dumps({"headers": headers, "body": body.decode()}))
    forged = {"X-Hub-Signature-256": "sha256=" + "0" * 64}
    (replay / "003.json").write_text(json.dumps({"headers": forged, "body": body.decode()}))
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(replay), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "'enqueued': 1" in result.output and "'duplicates': 1" in result.output
    assert "'refused': 1" in result.output
    result = runner.invoke(app, ["worker", "--data-dir", str(data), "--idle-seconds", "0.2"])
    assert result.exit_code == 0, result.output
    assert "processed 1 events" in result.output
    result = runner.invoke(app, ["report", "--data-dir", str(data), "--json"])
    assert json.loads(result.output)["totals"]["offers"] == 1
    result = runner.invoke(app, ["promote", "--data-dir", str(data)])
    assert result.exit_code == 0 and "promotions: 0" in result.output
