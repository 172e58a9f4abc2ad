"""``socialreferral influence ...``: keywords, tracking recorded deliveries, the panels and
alerts as text and JSON, recompute, clean errors, and the demo with its planted crisis."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from socialreferral.bootstrap import build_providers
from socialreferral.channels.x import CONSUMER_SECRET
from socialreferral.cli import app
from socialreferral.settings import settings_from_mapping

runner = CliRunner()
SECRET = "x-consumer-secret-for-tests"
T0 = datetime(2024, 3, 4, 9, tzinfo=UTC)


def _x_time(at: datetime) -> str:
    return at.strftime("%a %b %d %H:%M:%S +0000 %Y")


def _delivery(folder: Path, name: str, tweets: list[tuple[str, str, str, datetime]],
              secret: str = SECRET) -> None:
    body = json.dumps({"for_user_id": "2244994945", "tweet_create_events": [
        {"id_str": tid, "created_at": _x_time(at), "text": text, "retweet_count": 3,
         "user": {"id_str": author, "screen_name": f"h_{author}", "name": f"N {author}",
                  "followers_count": 1000, "listed_count": 10, "statuses_count": 5000,
                  "location": "Austin, TX", "created_at": "Mon Jan 06 10:00:00 +0000 2020"}}
        for tid, author, text, at in tweets]})
    signature = base64.b64encode(hmac.new(secret.encode(), body.encode(),
                                          hashlib.sha256).digest()).decode()
    (folder / f"{name}.json").write_text(json.dumps({
        "headers": {"x-twitter-webhooks-signature": f"sha256={signature}"}, "body": body}))


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_track_recorded_deliveries_then_read_every_panel(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    settings = settings_from_mapping({"local": {"data_dir": str(data)}})
    with build_providers(settings) as providers:
        providers.secrets.set(CONSUMER_SECRET, SECRET)
    d = ["--data-dir", str(data)]
    assert "tracking 'acme'" in _invoke("influence", "keywords", "add", "#Acme", "--alias",
                                        "@acmebank", "--exclude", "acme corp", *d)
    listed = json.loads(_invoke("influence", "keywords", "list", "--json", *d))
    assert [(k["key"], k["source"], k["aliases"]) for k in listed] == [
        ("acme", "added", ["@acmebank"])]

    deliveries = tmp_path / "deliveries"
    deliveries.mkdir()
    texts = ["Acme is awful, my card was blocked", "I love the Acme app", "acme corp memo",
             "@acmebank opened a branch"]
    _delivery(deliveries, "001", [(str(100 + i), f"u{i % 3}", texts[i % 4],
                                   T0 + timedelta(minutes=15 * i)) for i in range(8)])
    _delivery(deliveries, "002", [("100", "u0", texts[0], T0)])  # an X redelivery
    _delivery(deliveries, "003", [("900", "u9", "Acme forged", T0)], secret="wrong")
    outcome = runner.invoke(app, ["influence", "track", str(deliveries), "--json", *d])
    assert outcome.exit_code == 0 and "003.json: refused" in outcome.stderr
    tracked = json.loads(outcome.stdout)
    assert (tracked["received"], tracked["matched"], tracked["counted"]) == (9, 7, 6)
    assert tracked["duplicates"] == 1  # the redelivered tweet, counted once
    unsigned = runner.invoke(app, ["influence", "track", str(deliveries), "--no-verify",
                                   "--json", *d])
    assert unsigned.exit_code == 0 and json.loads(unsigned.stdout)["counted"] == 1  # forged

    at = (T0 + timedelta(hours=3)).isoformat()
    top = json.loads(_invoke("influence", "top", "#Acme", "--at", at, "--json", *d))
    assert top["keyword"] == "acme"
    rows = [r for s in ("negative", "neutral", "positive") for r in top[s]]
    assert {r["author_id"] for r in rows} == {"u0", "u1", "u2", "u9"}
    assert all(r["place"]["name"] == "Austin" for r in rows)
    text = _invoke("influence", "top", "acme", "--at", at, *d)
    assert "reach" in text and "@h_u" in text
    trend = json.loads(_invoke("influence", "trend", "acme", "--end", at, "--hours", "4",
                               "--json", *d))
    assert [h["posts"] for h in trend["hours"]] == [0, 4, 3, 0]  # 08:00 to 11:00
    assert "#" in _invoke("influence", "trend", "acme", "--end", at, "--hours", "4", *d)
    words = json.loads(_invoke("influence", "words", "acme", "--end", at, "--json", *d))
    assert any(w["word"] == "blocked" for w in words["negative"])
    found = json.loads(_invoke("influence", "map", "acme", "--at", at, "--json", *d))
    assert sum(p["influencers"] for s in ("negative", "neutral", "positive")
               for p in found["points"][s]) == 4
    assert json.loads(_invoke("influence", "alerts", "--json", *d)) == []
    repaired = json.loads(_invoke("influence", "recompute", "--json", *d))
    assert [(k["keyword"], k["posts"]) for k in repaired["keywords"]] == [("acme", 7)]
    assert sum(k["authors_fixed"] + k["hours_fixed"] for k in repaired["keywords"]) == 0


def test_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    d = ["--data-dir", str(data)]
    for args in (["influence", "top", "nothing", *d],
                 ["influence", "trend", "acme", "--end", "2024-03-04T09:00:00", *d],
                 ["influence", "keywords", "remove", "nothing", *d],
                 ["influence", "keywords", "add", "!!!", *d],
                 ["influence", "track", *d],
                 ["influence", "top", "acme", "--data-dir", str(tmp_path / "missing")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and "error" in result.output


def test_the_demo_flags_its_planted_crisis_live(tmp_path: Path) -> None:
    result = runner.invoke(app, ["influence", "demo", "--days", "9", "--posts", "4000",
                                 "--seed", "2", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    [crisis] = [p for p in out["planted"] if p["kind"] == "crisis"]
    start = datetime.fromisoformat(crisis["start"])
    raised = [r for r in out["raised"] if r["alert_id"].startswith("unitedairlines:")]
    assert raised and min(datetime.fromisoformat(r["at"]) for r in raised) - start < timedelta(
        hours=1)
    assert {a["kind"] for a in out["alerts"]} == {"volume", "negativity"}
    assert all(out["top"][s] for s in ("negative", "neutral", "positive"))
    assert out["words"]["negative"] and len(out["trend"]) == 36
    crisis_hour = next(p for p in out["trend"] if p["hour"] == start.isoformat().replace(
        "+00:00", "Z"))
    assert crisis_hour["negative"] > crisis_hour["positive"]
    text = runner.invoke(app, ["influence", "demo", "--days", "9", "--posts", "4000",
                               "--seed", "2"])
    assert text.exit_code == 0 and "negativity spike on 'unitedairlines'" in text.output
