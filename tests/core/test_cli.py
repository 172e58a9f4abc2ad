"""The foundation's CLI commands, run in-process through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from socialreferral.cli import app

runner = CliRunner()


def test_providers_lists_plugins_ports_and_capabilities() -> None:
    result = runner.invoke(app, ["providers", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    local = {row["port"]: row for row in data["providers"] if row["provider"] == "local"}
    assert set(local) == {"queue", "store", "secrets", "batch", "crm", "social"}
    assert "dead_letter" in local["queue"]["capabilities"]
    assert {"etag", "create_only", "ttl", "query", "batch"} <= set(local["store"]["capabilities"])
    assert data["plugins"]["local"] == "builtin"


def test_providers_table_is_human_readable() -> None:
    result = runner.invoke(app, ["providers"])
    assert result.exit_code == 0, result.output
    assert "LocalQueue" in result.output and "plugins loaded" in result.output


def test_check_settings_names_the_bad_field(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[ports]\nqueue = "local"\n[local]\nworkers = "many"\n', encoding="utf-8")
    result = runner.invoke(app, ["check-settings", "--settings", str(path)])
    assert result.exit_code == 2
    assert "[local]: workers" in result.output


def test_check_settings_accepts_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(f'[local]\ndata_dir = "{tmp_path}"\n', encoding="utf-8")
    result = runner.invoke(app, ["check-settings", "--settings", str(path)])
    assert result.exit_code == 0, result.output
    assert "settings are valid" in result.output


def test_run_task_rejects_bad_payload_and_unknown_task() -> None:
    bad = runner.invoke(app, ["run-task", "anything", "--payload", "[1, 2"])
    assert bad.exit_code == 2 and "--payload is not JSON" in bad.output
    unknown = runner.invoke(app, ["run-task", "no.such.task"])
    assert unknown.exit_code == 2 and "no task 'no.such.task'" in unknown.output


def test_run_task_failure_ends_with_one_plain_reason_line(tmp_path: Path) -> None:
    """What a batch service keeps: exit code 1 and a last stderr line naming the cause."""
    import subprocess
    import sys

    payload = json.dumps(
        {"settings": {"ports": {"queue": "nowhere"}, "local": {"data_dir": str(tmp_path)}}}
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "socialreferral.cli",
            "run-task",
            "referral.process-batch",
            "--payload",
            payload,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("task failed: ConfigurationError:") and "nowhere" in last
