"""The admin commands (``providers``, ``check-settings``, ``run-task``) and the CLI's
shape (command groups, exit codes), run in-process through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from socialreferral.cli import COMMAND_GROUPS, app
from socialreferral.cli.admin import MAX_PAYLOAD_BYTES
from socialreferral.domain.json_input import MAX_DEPTH

runner = CliRunner()


def assert_clean_exit(result: Result) -> None:
    """The command ended through an exit code, not an escaping exception."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


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


def test_every_group_is_registered_once() -> None:
    import typer.main

    group = typer.main.get_command(app)
    names = set(group.commands)  # type: ignore[attr-defined]
    assert {"providers", "check-settings", "run-task", "serve", "secrets", "demo", "report",
            "worker", "ingest", "promote"} <= names
    assert len(COMMAND_GROUPS) == len(set(COMMAND_GROUPS))


def test_run_task_rejects_bad_payload_and_unknown_task() -> None:
    bad = runner.invoke(app, ["run-task", "anything", "--payload", "[1, 2"])
    assert bad.exit_code == 2 and "--payload: not valid JSON" in bad.output
    unknown = runner.invoke(app, ["run-task", "no.such.task"])
    assert unknown.exit_code == 2 and "no task 'no.such.task'" in unknown.output


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ('{"a": ' * (MAX_DEPTH + 5) + "1" + "}" * (MAX_DEPTH + 5), "nested deeper than"),
        ("[" * 50_000 + "]" * 50_000, "nested deeper than"),  # deeper than the stack
        (json.dumps({"settings": "x" * MAX_PAYLOAD_BYTES}), "exceeds the limit"),
        ("[1, 2]", "expected a JSON object"),
    ],
    ids=["nested", "deep-array", "huge", "not-an-object"],
)
def test_run_task_bounds_the_payload(payload: str, message: str) -> None:
    result = runner.invoke(app, ["run-task", "referral.process-batch", "--payload", payload])
    assert result.exit_code == 2, result.output
    assert "--payload" in result.output and message in result.output
    assert_clean_exit(result)


def test_run_task_rejects_a_bad_array_index_from_the_environment() -> None:
    result = runner.invoke(app, ["run-task", "no.such.task"],
                           env={"AWS_BATCH_JOB_ARRAY_INDEX": "three"})
    assert result.exit_code == 2
    assert "AWS_BATCH_JOB_ARRAY_INDEX" in result.output
    assert_clean_exit(result)
    negative = runner.invoke(app, ["run-task", "no.such.task", "--index", "-1"])
    assert negative.exit_code == 2
    assert_clean_exit(negative)


def test_bad_arguments_exit_2_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    cases = [
        ["check-settings", "--settings", str(tmp_path / "missing.toml")],
        ["demo", "--customers", "1"],
        ["worker", "--idle-seconds", "soon"],
        ["ingest", str(tmp_path / "no-such-folder")],
        ["report", "--data-dir", str(tmp_path / "a-file")],
        ["no-such-command"],
    ]
    (tmp_path / "a-file").write_text("x")
    for argv in cases:
        result = runner.invoke(app, argv)
        assert result.exit_code == 2, (argv, result.output)
        assert_clean_exit(result)
        assert result.output.strip(), argv


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
            "socialreferral.cli",  # what the AWS Batch emulator runs
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
