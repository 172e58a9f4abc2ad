"""The referral commands other than demo: ingest (replay a folder), worker, report,
promote, on a local data directory; and what they do with one that does not exist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from service_helpers import add_customer, delivery, local_providers
from typer.testing import CliRunner

from socialreferral.cli import app

runner = CliRunner()


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
    result = runner.invoke(app, ["ingest", str(replay), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "3 read, 1 refused" in result.output
    assert "1 enqueued, 1 duplicates, 0 rejected" in result.output
    assert "003.json: refused" in result.output
    assert "{" not in result.output  # labelled lines, not a dict
    result = runner.invoke(app, ["worker", "--data-dir", str(data), "--idle-seconds", "0.2"])
    assert result.exit_code == 0, result.output
    assert "processed 1 events" in result.output
    result = runner.invoke(app, ["report", "--data-dir", str(data), "--json"])
    assert json.loads(result.stdout)["totals"]["offers"] == 1
    human = runner.invoke(app, ["report", "--data-dir", str(data)])
    assert human.exit_code == 0 and "referral funnel" in human.output
    assert "0.00 USD" in human.output  # money with its currency
    result = runner.invoke(app, ["promote", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "0 new, 0 published" in result.output and "0 sent" in result.output


def test_ingest_of_only_refused_deliveries_fails(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with local_providers(data):
        pass
    replay = tmp_path / "replay"
    replay.mkdir()
    _, body = delivery([("1_1", "p1", "I am looking for a car loan")])
    forged = {"X-Hub-Signature-256": "sha256=" + "0" * 64}
    (replay / "001.json").write_text(json.dumps({"headers": forged, "body": body.decode()}))
    result = runner.invoke(app, ["ingest", str(replay), "--data-dir", str(data)])
    assert result.exit_code == 1
    assert "every delivery was refused" in result.output


def test_ingest_names_an_unreadable_recording(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with local_providers(data):
        pass
    replay = tmp_path / "replay"
    replay.mkdir()
    (replay / "001.json").write_text("{not json")
    result = runner.invoke(app, ["ingest", str(replay), "--data-dir", str(data)])
    assert result.exit_code == 2
    assert "stopped after 0 deliveries" in result.output and "001.json" in result.output
    unknown = runner.invoke(app, ["ingest", str(replay), "--data-dir", str(data),
                                  "--source", "myspace"])
    assert unknown.exit_code == 2 and "no webhook channel 'myspace'" in unknown.output


@pytest.mark.parametrize(
    "argv",
    [["report"], ["report", "--json"], ["worker", "--idle-seconds", "0"], ["promote"],
     ["ingest", "."]],
    ids=["report", "report-json", "worker", "promote", "ingest"],
)
def test_commands_on_a_missing_data_dir_say_so(tmp_path: Path, argv: list[str]) -> None:
    missing = tmp_path / "no-such-dir"
    result = runner.invoke(app, [*argv, "--data-dir", str(missing)])
    assert result.exit_code == 2, result.output
    assert f"the data directory {missing} does not exist" in result.output
    assert result.stdout == ""  # the error goes to stderr: --json output stays clean
    assert not missing.exists()


def test_the_default_data_dir_must_exist_too(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOCIALREFERRAL_SETTINGS", raising=False)
    monkeypatch.delenv("SOCIALREFERRAL__LOCAL__DATA_DIR", raising=False)
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / ".socialreferral").exists()


def test_data_dir_flag_wins_over_the_environment(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    with local_providers(data):
        pass
    monkeypatch.setenv("SOCIALREFERRAL__LOCAL__DATA_DIR", str(tmp_path / "elsewhere"))
    result = runner.invoke(app, ["report", "--data-dir", str(data), "--json"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "elsewhere").exists()
