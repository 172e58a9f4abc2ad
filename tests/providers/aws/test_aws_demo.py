"""The referral demo with queue, store, secrets and batch on AWS, through the example
settings file ``examples/aws-moto.toml``.

Backend: a ``moto_server`` subprocess on 127.0.0.1 (SQS + S3, DynamoDB, Secrets Manager,
AWS Batch). moto runs no Batch container, so the file's ``emulator_runs_jobs`` runs each
job's ``socialreferral run-task`` command in a local subprocess, which then talks to
moto_server like a container would. CRM and social channel stay local (Table 1 has no AWS
service for them). Not covered: real AWS quotas, IAM, container images.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialreferral.cli import app

pytestmark = pytest.mark.aws
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "aws-moto.toml"


def test_demo_runs_with_every_aws_port_on_moto_server(moto_server: str, tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert 'endpoint_url = "http://127.0.0.1:5000"' in text
    text = text.replace("http://127.0.0.1:5000", moto_server.rstrip("/"))
    text = text.replace('data_dir = ".socialreferral"', f'data_dir = "{tmp_path}"')
    # A namespace of its own: the session's moto_server is shared with other tests.
    text = text.replace('table_name = "socialreferral-documents"', 'table_name = "demo-docs"')
    text = text.replace('queue_name = "socialreferral-events"', 'queue_name = "demo-events"')
    text = text.replace('"socialreferral-events-dlq"', '"demo-events-dlq"')
    settings = tmp_path / "aws-moto.toml"
    settings.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["demo", "--no-console-data", "--settings", str(settings), "--customers", "8",
              "--posts", "24", "--seed", "5", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["totals"]["events"] == 24
    assert out["totals"]["leads"] > 0 and out["totals"]["rewards"] > 0
