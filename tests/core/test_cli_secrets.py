"""``socialreferral secrets set`` and ``secrets list`` on the local provider (a temporary
data directory), run in-process through typer's CliRunner and once as a subprocess."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from socialreferral.bootstrap import build_providers
from socialreferral.channels.meta import APP_SECRET, VERIFY_TOKEN
from socialreferral.cli import app
from socialreferral.cli import secrets as secrets_cli
from socialreferral.errors import SecretNotFound
from socialreferral.plugins import load_registry
from socialreferral.ports import SecretStore
from socialreferral.ports.secrets import MAX_SECRET_BYTES
from socialreferral.records import Capability, Secret
from socialreferral.service.authorization import token_secret_name
from socialreferral.settings import settings_from_mapping

runner = CliRunner()
VALUE = "tok-9f8e7d6c5b4a-ünï"


def stored_value(data_dir: Path, name: str) -> str:
    settings = settings_from_mapping({"local": {"data_dir": str(data_dir)}})
    with build_providers(settings) as providers:
        return providers.secrets.get_value(name)


def set_secret(data_dir: Path, name: str, stdin: str, *extra: str) -> object:
    return runner.invoke(app, ["secrets", "set", name, "--data-dir", str(data_dir), *extra],
                         input=stdin)


def test_set_reads_stdin_and_prints_the_version_never_the_value(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    first = runner.invoke(app, ["secrets", "set", APP_SECRET, "--data-dir", str(tmp_path)],
                          input=VALUE)
    assert first.exit_code == 0, first.output
    assert "version 1" in first.output
    second = runner.invoke(app, ["secrets", "set", APP_SECRET, "--data-dir", str(tmp_path),
                                 "--json"], input=VALUE + "-2\n")  # echo's newline dropped
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout) == {"name": APP_SECRET, "version": "2",
                                         "store": "LocalSecretStore (local)"}
    assert stored_value(tmp_path, APP_SECRET) == VALUE + "-2"
    for output in (first.output, second.output, caplog.text):
        assert VALUE not in output


def test_set_in_a_subprocess_keeps_the_value_out_of_argv_and_output(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "socialreferral.cli", "secrets", "set", VERIFY_TOKEN,
            "--data-dir", str(tmp_path)]
    done = subprocess.run(argv, input=VALUE, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert VALUE not in " ".join(argv)
    assert VALUE not in done.stdout and VALUE not in done.stderr
    assert "version 1" in done.stdout
    assert stored_value(tmp_path, VERIFY_TOKEN) == VALUE


def test_a_value_given_as_an_argument_is_refused_and_not_echoed(tmp_path: Path) -> None:
    result = set_secret(tmp_path, APP_SECRET, "", VALUE)
    assert result.exit_code == 2
    as_option = set_secret(tmp_path, APP_SECRET, "", f"--value={VALUE}")
    assert as_option.exit_code == 2 and VALUE not in as_option.output
    assert VALUE not in result.output
    assert "must never be on the command line" in result.output
    assert not (tmp_path / "secrets.sqlite3").exists()


@pytest.mark.parametrize("stdin", ["", "\n", "  \t\n"], ids=["nothing", "newline", "blank"])
def test_empty_values_are_refused(tmp_path: Path, stdin: str) -> None:
    result = set_secret(tmp_path, APP_SECRET, stdin)
    assert result.exit_code == 2
    assert "refusing an empty value" in result.output
    with pytest.raises(SecretNotFound):
        stored_value(tmp_path, APP_SECRET)


def test_oversized_and_non_utf8_values_are_refused(tmp_path: Path) -> None:
    big = set_secret(tmp_path, APP_SECRET, "x" * (MAX_SECRET_BYTES + 10))
    assert big.exit_code == 2 and f"longer than {MAX_SECRET_BYTES} bytes" in big.output
    raw = runner.invoke(app, ["secrets", "set", APP_SECRET, "--data-dir", str(tmp_path)],
                        input=b"\xff\xfe-not-text")
    assert raw.exit_code == 2 and "not UTF-8" in raw.output


def test_a_bad_name_is_refused_before_the_value_is_read(tmp_path: Path) -> None:
    result = set_secret(tmp_path, "bad_name", VALUE)
    assert result.exit_code == 2 and "name: must be" in result.output
    assert VALUE not in result.output


def test_in_a_terminal_the_value_is_prompted_for_twice_and_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(secrets_cli, "stdin_is_terminal", lambda: True)
    result = set_secret(tmp_path, APP_SECRET, f"{VALUE}\n{VALUE}\n")
    assert result.exit_code == 0, result.output
    assert "value of meta-app-secret" in result.output and "repeat" in result.output.lower()
    assert VALUE not in result.output
    assert stored_value(tmp_path, APP_SECRET) == VALUE


def test_list_shows_names_versions_and_the_channels_missing_secrets(tmp_path: Path) -> None:
    set_secret(tmp_path, APP_SECRET, VALUE)
    set_secret(tmp_path, APP_SECRET, VALUE + "-2")
    set_secret(tmp_path, "partner-api-key", VALUE + "-partner")
    token = token_secret_name("facebook", "person-1")
    set_secret(tmp_path, token, VALUE + "-oauth")

    result = runner.invoke(app, ["secrets", "list", "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert VALUE not in result.output
    listing = json.loads(result.stdout)
    rows = {row["name"]: row for row in listing["secrets"]}
    assert rows[APP_SECRET]["status"] == "set" and rows[APP_SECRET]["versions"] == 2
    assert rows[APP_SECRET]["current_version"] == "2"
    assert rows[APP_SECRET]["channels"] == ["meta"]
    assert rows["partner-api-key"]["status"] == "set" and rows["partner-api-key"]["channels"] == []
    assert rows[VERIFY_TOKEN]["status"] == "missing" and rows[VERIFY_TOKEN]["versions"] is None
    expected = secrets_cli.channel_secrets(load_registry())
    assert set(listing["missing"]) == set(expected) - {APP_SECRET}
    assert token not in rows and listing["customer_tokens"] == 1

    everything = runner.invoke(app, ["secrets", "list", "--all", "--json",
                                     "--data-dir", str(tmp_path)])
    assert token in {row["name"] for row in json.loads(everything.stdout)["secrets"]}

    table = runner.invoke(app, ["secrets", "list", "--data-dir", str(tmp_path)])
    assert table.exit_code == 0, table.output
    assert VALUE not in table.output
    assert "missing" in table.output and "customer OAuth tokens: 1" in table.output
    assert (f"printf '%s' \"$VALUE\" | socialreferral secrets set {VERIFY_TOKEN} "
            f"--data-dir {tmp_path}") in table.output


def test_list_on_a_missing_data_dir_says_so_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo"
    result = runner.invoke(app, ["secrets", "list", "--data-dir", str(missing)])
    assert result.exit_code == 2
    assert f"the data directory {missing} does not exist" in result.output
    assert not missing.exists()


def test_person_token_pattern_matches_the_service_naming() -> None:
    assert secrets_cli.PERSON_TOKEN.match(token_secret_name("facebook", "someone@example"))
    assert not secrets_cli.PERSON_TOKEN.match(APP_SECRET)


class _ReadOnlyStore(SecretStore):
    """A store with neither ``list`` nor ``versions``: existence is learned by reading."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    provider: ClassVar[str] = "test"

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__()
        self.values = values

    def _get(self, name: str, version: str | None) -> Secret:
        if name not in self.values:
            raise SecretNotFound(name)
        return Secret(name, "v7", self.values[name], 0.0)

    def _set(self, name: str, value: str) -> Secret:
        raise NotImplementedError

    def _delete(self, name: str) -> None:
        raise NotImplementedError


def _rows(store: SecretStore, names: Iterable[str]) -> dict[str, secrets_cli.SecretRow]:
    return {n: secrets_cli.describe(store, n, listed=False, listable=False, channels=("meta",))
            for n in names}


def test_describe_works_on_a_store_that_can_neither_list_nor_version() -> None:
    rows = _rows(_ReadOnlyStore({APP_SECRET: VALUE}), [APP_SECRET, VERIFY_TOKEN])
    assert rows[APP_SECRET].status == "set" and rows[APP_SECRET].current_version == "v7"
    assert rows[VERIFY_TOKEN].status == "missing"
    assert VALUE not in repr(rows)
