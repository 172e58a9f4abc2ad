"""The ``socialreferral care`` commands on a local data directory configured by a TOML
settings file with a [care] section: ingest (JSON lines and recorded deliveries), queue,
explain, assign, reply, resolve, recategorize, proposals, profile, demo; errors as one
line with the exit code convention."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from service_helpers import APP_SECRET, delivery
from typer.testing import CliRunner

from socialreferral.channels.meta import APP_SECRET as META_APP_SECRET
from socialreferral.cli import app

runner = CliRunner()

SETTINGS = """
[local]
data_dir = "{data}"

[care]
pages = ["1000", "page"]
brand_ids = ["acmecare"]
active_profile = "default"

[care.sla]
first_response = "PT1H"
by_intent = {{ complaint = "PT30M" }}

[[care.agents]]
agent_id = "ann"
functions = ["*"]
cap = 2

[care.profiles.weekend]
description = "questions first"
ascore = {{ question = 1.0 }}
"""

START = datetime.now(UTC) - timedelta(hours=2)  # inside the categorizer's window
LINES = [
    {"post_id": "1", "author_id": "c1", "network": "x",
     "text": "@acmecare my refund is still not here after 3 weeks, ridiculous",
     "created_at": (START).isoformat()},
    {"post_id": "2", "author_id": "acmecare", "network": "x", "parent_id": "1",
     "text": "@c1 sorry! please DM us", "created_at": (START + timedelta(minutes=10))
     .isoformat()},
    {"post_id": "3", "author_id": "c2", "network": "x",
     "text": "@acmecare how do I reset my voicemail password?",
     "created_at": (START + timedelta(minutes=20)).isoformat()},
]


@pytest.fixture
def configured(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    settings = tmp_path / "socialreferral.toml"
    settings.write_text(SETTINGS.format(data=data), encoding="utf-8")
    return settings, data


def _run(settings: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["care", *args, "--settings", str(settings)])
    return result.exit_code, result.output


def test_the_care_commands_work_an_item(configured: tuple[Path, Path], tmp_path: Path) -> None:
    settings, _ = configured
    posts = tmp_path / "posts.jsonl"
    posts.write_text("\n".join([*(json.dumps(line) for line in LINES),
                                json.dumps({"post_id": "9", "text": "no author"}), ""]))
    code, out = _run(settings, "ingest", str(posts))
    assert code == 0, out
    assert "3 new posts (1 by the brand)" in out and "line 4" in out
    code, out = _run(settings, "queue", "--json")
    assert code == 0, out
    page = json.loads(out)
    assert [i["ticket_id"] for i in page["items"]] == ["x:3"]  # x:1 is pending
    code, out = _run(settings, "queue", "--status", "pending", "--status", "open", "--json")
    items = {i["ticket_id"]: i for i in json.loads(out)["items"]}
    assert items["x:1"]["status"] == "pending" and items["x:1"]["sla"]["met"] is True
    code, out = _run(settings, "explain", "x:1")
    assert code == 0 and "RankScore" in out and "sentiment" in out and "reasons:" in out
    code, out = _run(settings, "assign")  # round robin
    assert code == 0 and "x:3 -> ann" in out
    code, out = _run(settings, "assign", "x:1", "--agent", "ann", "--json")
    assert json.loads(out)["assignee"] == "ann"
    code, out = _run(settings, "reply", "x:3", "--text", "Dial *86", "--private")
    assert code == 0 and "private reply sent" in out
    code, out = _run(settings, "reply", "x:3", "--text", "Dial *86", "--private")
    assert "already sent" in out
    code, out = _run(settings, "resolve", "x:3")
    assert code == 0 and "resolved" in out
    code, out = _run(settings, "resolve", "x:3")
    assert code == 1 and "cannot resolve" in out  # refused by the item's state
    code, out = _run(settings, "resolve", "x:404")
    assert code == 2 and "x:404" in out
    code, out = _run(settings, "recategorize", "--run-job", "--force", "--json")
    assert code == 0 and json.loads(out)["run"]["posts"] == 2
    code, out = _run(settings, "proposals", "--status", "all")
    assert code == 0 and "proposals" in out
    code, out = _run(settings, "profile", "weekend")
    assert code == 0 and "switched to weekend" in out
    code, out = _run(settings, "profile", "--json")
    assert json.loads(out)["active"] == "weekend"
    code, out = _run(settings, "profile", "nope")
    assert code == 2 and "unknown profile" in out


def test_ingest_of_recorded_deliveries_checks_signatures(configured: tuple[Path, Path],
                                                         tmp_path: Path) -> None:
    settings, _ = configured
    code, out = runner.invoke(app, ["secrets", "set", META_APP_SECRET, "--settings",
                                    str(settings)], input=APP_SECRET).exit_code, ""
    assert code == 0
    replay = tmp_path / "replay"
    replay.mkdir()
    headers, body = delivery([("1_1", "fb-1", "My refund never arrived, still waiting")])
    (replay / "001.json").write_text(json.dumps({"headers": headers, "body": body.decode()}))
    forged = {"X-Hub-Signature-256": "sha256=" + "0" * 64}
    (replay / "002.json").write_text(json.dumps({"headers": forged, "body": body.decode()}))
    code, out = _run(settings, "ingest", str(replay), "--source", "meta", "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["posts"] == 1 and result["items"] == 1
    assert len(result["refused"]) == 1 and "002.json" in result["refused"][0]


def test_care_demo_prints_the_top_of_the_queue() -> None:
    result = runner.invoke(app, ["care", "demo", "--top", "5", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["brand_posts"] == 3 and out["merged"] >= 1
    assert 1 <= len(out["top"]) <= 5
    scores = [i["rank_score"] for i in out["top"]]
    assert scores == sorted(scores, reverse=True)
    assert all(i["score"]["factors"] for i in out["top"])
    human = runner.invoke(app, ["care", "demo", "--top", "3"])
    assert human.exit_code == 0 and "top of the care queue" in human.output
    assert "why " in human.output
