"""``socialreferral demo`` end to end at a small size (real local adapters, real workers)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from socialreferral.cli import app

runner = CliRunner()


def test_demo_prints_leads_and_rewards(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--customers", "10", "--posts", "40",
                                 "--seed", "3", "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["totals"]["leads"] > 0 and out["totals"]["rewards"] > 0
    assert out["totals"]["events"] == 40
    assert out["ingest"]["duplicates"] >= 1  # the replayed delivery enqueued nothing
    assert out["simulated"]["promotions_republished_on_rerun"] == 0
    report = runner.invoke(app, ["report", "--data-dir", str(tmp_path), "--json"])
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout)["totals"] == out["totals"]


def test_demo_prints_readable_lines_with_the_currency(tmp_path: Path) -> None:
    settings = tmp_path / "demo.toml"
    settings.write_text('[referral]\ncurrency = "EUR"\n', encoding="utf-8")
    data = tmp_path / "new" / "demo-data"  # the demo creates its data directory
    result = runner.invoke(app, ["demo", "--customers", "8", "--posts", "24", "--seed", "5",
                                 "--settings", str(settings), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert re.search(r"webhooks\s+\d+ signed deliveries: 24 events queued", text), text
    assert re.search(r"rewards\s+\d+ processed, [\d,]+\.\d\d EUR", text), text
    assert re.search(r"new customers\s+\d+", text), text
    assert not re.search(r"\{'|': \d", text), "a raw dict was printed"
    assert f"socialreferral report --settings {settings} --data-dir {data}" in text
    again = runner.invoke(app, ["report", "--settings", str(settings), "--data-dir", str(data),
                                "--json"])
    assert json.loads(again.stdout)["currency"] == "EUR"
