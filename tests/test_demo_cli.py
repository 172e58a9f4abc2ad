"""``socialreferral demo`` end to end at a small size (real local adapters, real workers)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from socialreferral.cli import app
from socialreferral.cli_flows import register

register(app)


def test_demo_prints_leads_and_rewards(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--customers", "10", "--posts", "40",
                                      "--seed", "3", "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["totals"]["leads"] > 0 and out["totals"]["rewards"] > 0
    assert out["totals"]["events"] == 40
    assert out["ingest"]["duplicates"] >= 1  # the replayed delivery enqueued nothing
    assert out["simulated"]["promotions_republished_on_rerun"] == 0
    report = CliRunner().invoke(app, ["report", "--data-dir", str(tmp_path), "--json"])
    assert report.exit_code == 0, report.output
    assert json.loads(report.output)["totals"] == out["totals"]
