"""``socialreferral demo`` end to end at a small size (real local adapters, real workers)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from socialreferral.cli import app
from socialreferral.demo.runner import drain_with_workers
from socialreferral.errors import SocialReferralError
from socialreferral.records import JobState, JobStatus
from socialreferral.settings import Settings

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
    # what the console's care, influence and people pages show
    extra = out["console"]
    assert extra["care_items"] > 0 and extra["influence_posts"] > 0
    assert extra["influence_alerts"] > 0 and "unitedairlines" in extra["keywords"]
    assert extra["people"] > 0 and extra["introduction_tasks"] > 0
    report = runner.invoke(app, ["report", "--data-dir", str(tmp_path), "--json"])
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout)["totals"] == out["totals"]


def test_demo_prints_readable_lines_with_the_currency(tmp_path: Path) -> None:
    settings = tmp_path / "demo.toml"
    settings.write_text('[referral]\ncurrency = "EUR"\n', encoding="utf-8")
    data = tmp_path / "new" / "demo-data"  # the demo creates its data directory
    result = runner.invoke(app, ["demo", "--customers", "8", "--posts", "24", "--seed", "5",
                                 "--settings", str(settings), "--data-dir", str(data),
                                 "--no-console-data"])
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


class _StuckBatch:
    """A job that never finishes; records cancellation."""

    def __init__(self) -> None:
        self.cancelled: list[str] = []

    def supports(self, capability: str) -> bool:
        return False

    def submit(self, task: str, payload: dict[str, Any], *, array_size: int = 1) -> str:
        return "job-1"

    def wait(self, job_id: str, *, timeout: float = 60.0) -> JobStatus:
        return JobStatus(job_id, "referral.process-batch", JobState.RUNNING)

    def cancel(self, job_id: str) -> None:
        self.cancelled.append(job_id)


class _StillQueue:
    def depth(self) -> int:
        return 7


def test_the_demo_gives_up_only_when_the_queue_stops_moving() -> None:
    batch = _StuckBatch()
    providers: Any = SimpleNamespace(queue=_StillQueue(), batch=batch, settings=Settings())
    seen: list[tuple[int, int]] = []
    with pytest.raises(SocialReferralError, match="no progress for 0 s"):
        drain_with_workers(providers, 2, lambda _, done, total: seen.append((done, total)),
                           stall_seconds=0.2)
    assert batch.cancelled == ["job-1"]
    assert seen[0] == (0, 7) and all(total == 7 for _, total in seen)


@pytest.mark.parametrize("clock", ["09:05", "16:05"])
def test_the_console_data_flags_the_planted_crisis_at_any_time_of_day(
        tmp_path: Path, clock: str) -> None:
    """The influence stream ends at the demo's "now"; its crisis is still the last 15:00
    UTC one, so a morning run (it fell at night once, and raised nothing) flags it too."""
    from socialreferral.bootstrap import build_providers
    from socialreferral.demo.console_data import seed_influence
    from socialreferral.settings import Settings

    now = datetime.fromisoformat(f"2026-12-02T{clock}:00+00:00")
    settings = Settings.model_validate({"local": {"data_dir": str(tmp_path)}})
    with build_providers(settings) as providers:
        posts, alerts, keywords = seed_influence(providers, now, posts=3_000)
        raised = providers.repositories.influence_alerts.search("unitedairlines")
    assert posts >= 3_000 and "unitedairlines" in keywords
    assert alerts >= 1
    crisis_hours = {stored.alert.hour.hour for stored in raised}
    assert crisis_hours & {15, 16, 17}, crisis_hours
