"""LocalSecretStore: the conformance kit plus local specifics (encryption at rest, key file).

Backend: a real SQLite file under pytest's tmp_path, real Fernet encryption; no mocks.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from socialreferral.errors import ConfigurationError, SecretStoreError
from socialreferral.providers import BuildContext
from socialreferral.providers.local.secrets import LocalSecretStore
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.testing.contracts.secrets import SecretStoreContract


def _build(data_dir: Path, key: str | None = None) -> LocalSecretStore:
    settings = LocalSettings(data_dir=data_dir, secret_key=SecretStr(key) if key else None)
    return LocalSecretStore.from_settings(settings, BuildContext())


class TestLocalSecretStore(SecretStoreContract):
    """Runs the shipped SecretStore contract against a SQLite file in tmp_path."""

    @pytest.fixture
    def backend(self) -> str:
        return "local: SQLite file + Fernet"

    @pytest.fixture
    def secret_store(self, tmp_path: Path) -> Iterator[LocalSecretStore]:
        store = _build(tmp_path / "data")
        yield store
        store.close()


def test_plaintext_never_reaches_the_file(tmp_path: Path) -> None:
    store = _build(tmp_path)
    store.set("oauth-token", "PLAINTEXT-TOKEN-1234567890")
    store.set("oauth-token", "PLAINTEXT-TOKEN-second")
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("secrets.sqlite3*"))
    assert b"oauth-token" in raw  # the name is there, so we did read the right files
    assert b"PLAINTEXT-TOKEN" not in raw


def test_generated_key_file_is_owner_only_and_reused(tmp_path: Path) -> None:
    first = _build(tmp_path / "d")
    assert not (tmp_path / "d" / "secret.key").exists()  # created on first use only
    first.set("api-key", "value-1")
    key_file = tmp_path / "d" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) == 0o700
    first.close()
    second = _build(tmp_path / "d")
    assert second.get_value("api-key") == "value-1"
    second.close()


def test_configured_key_is_used_and_wrong_key_is_a_clear_error(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    store = _build(tmp_path, key)
    store.set("signing-key", "s3cr3t")
    store.close()
    assert not (tmp_path / "secret.key").exists()
    assert _build(tmp_path, key).get_value("signing-key") == "s3cr3t"
    wrong = _build(tmp_path, Fernet.generate_key().decode())
    with pytest.raises(SecretStoreError, match="signing-key") as info:
        wrong.get("signing-key")
    assert "s3cr3t" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_malformed_key_is_a_configuration_error(tmp_path: Path) -> None:
    store = _build(tmp_path, "not-a-fernet-key")
    with pytest.raises(ConfigurationError):
        store.set("x", "y")


def test_versions_survive_reopen_and_continue_numbering(tmp_path: Path) -> None:
    store = _build(tmp_path)
    store.set("token", "a")
    store.set("token", "b")
    store.close()
    again = _build(tmp_path)
    third = again.set("token", "c")
    assert [v.version for v in again.versions("token")] == ["1", "2", third.version]
    assert third.version == "3"
    assert again.get("token", version="1").value == "a"
