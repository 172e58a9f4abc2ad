"""Local secret store: Fernet-encrypted secrets with versions in a SQLite file.

Features
    Capability ``versions``: every :meth:`~socialreferral.ports.SecretStore.set` appends a
    version ("1", "2", ...); older versions stay readable by number; ``versions()`` lists
    them oldest first with the newest flagged ``current``. ``delete`` removes all versions.
    Capability ``list``: ``names()`` reads the names only (nothing is decrypted).

Configuration (section ``[local]``)
    ``data_dir``: the secrets live in ``data_dir/secrets.sqlite3``; only Fernet tokens are
    stored there, never a plaintext value.

Credentials
    ``secret_key``: a Fernet key (``Fernet.generate_key()``), best given through the
    environment (``SOCIALREFERRAL__LOCAL__SECRET_KEY``). Without it a key is generated on
    first use into ``data_dir/secret.key`` (mode 0600) and reused afterwards. Opening the
    file with another key raises :class:`~socialreferral.errors.SecretStoreError`.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import ClassVar, Self

from cryptography.fernet import Fernet, InvalidToken

from socialreferral.errors import ConfigurationError, SecretNotFound, SecretStoreError
from socialreferral.ports import SecretStore
from socialreferral.providers import BuildContext
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.sqlite_file import SQLiteFile, ensure_dir, owner_only_file
from socialreferral.records import Capability, Secret, SecretVersion

_SCHEMA = """
CREATE TABLE IF NOT EXISTS secrets (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    token TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (name, version)
)
"""


class LocalSecretStore(SecretStore):
    """Secrets encrypted with Fernet (AES-128-CBC + HMAC-SHA256) in a SQLite file."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.VERSIONS, Capability.LIST}
    )
    provider: ClassVar[str] = "local"

    def __init__(self, path: Path | str, *, key: bytes | None = None, key_file: Path) -> None:
        """Store secrets in the SQLite file ``path``, encrypted with ``key``; without a key,
        use (or create on first use) the key in ``key_file``."""
        super().__init__()
        self._db = SQLiteFile(path, _SCHEMA)
        self._key = key
        self._key_file = key_file
        self._fernet: Fernet | None = None
        self._key_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: LocalSettings, context: BuildContext) -> Self:
        """Build from ``[local]`` settings: ``data_dir`` and the optional ``secret_key``."""
        data_dir = ensure_dir(settings.data_dir)
        key = settings.secret_key.get_secret_value().encode() if settings.secret_key else None
        return cls(data_dir / "secrets.sqlite3", key=key, key_file=data_dir / "secret.key")

    # -- encryption ------------------------------------------------------------------
    def _cipher(self) -> Fernet:
        # The key file is created lazily so that merely building the provider (e.g. to
        # list capabilities) leaves no key material behind.
        with self._key_lock:
            if self._fernet is None:
                key = self._key
                if key is None:
                    key = owner_only_file(self._key_file, Fernet.generate_key()).strip()
                try:
                    self._fernet = Fernet(key)
                except ValueError as exc:
                    raise ConfigurationError(
                        "secret_key must be a Fernet key (32 url-safe base64-encoded bytes)"
                    ) from exc
            return self._fernet

    def _decrypt(self, name: str, token: str) -> str:
        try:
            return self._cipher().decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            # Never chain InvalidToken: it says nothing useful and tempts logging the token.
            raise SecretStoreError(
                f"cannot decrypt secret {name!r}: the secret_key (or {self._key_file.name}) "
                "is not the key the secret was stored with"
            ) from None

    # -- primitives ------------------------------------------------------------------
    def _get(self, name: str, version: str | None) -> Secret:
        if version is None:
            rows = self._db.query(
                "SELECT version, token, created_at FROM secrets WHERE name = ? "
                "ORDER BY version DESC LIMIT 1",
                (name,),
            )
        else:
            if not version.isdigit():
                raise SecretNotFound(f"secret {name!r} has no version {version!r}")
            rows = self._db.query(
                "SELECT version, token, created_at FROM secrets WHERE name = ? AND version = ?",
                (name, int(version)),
            )
        if not rows:
            detail = f" version {version!r}" if version is not None else ""
            raise SecretNotFound(f"no secret {name!r}{detail}")
        row = rows[0]
        return Secret(
            name=name,
            version=str(row["version"]),
            value=self._decrypt(name, row["token"]),
            created_at=row["created_at"],
        )

    def _set(self, name: str, value: str) -> Secret:
        token = self._cipher().encrypt(value.encode("utf-8")).decode("ascii")
        created_at = time.time()
        # The version number is taken inside the write transaction, so two processes
        # setting the same secret get consecutive versions instead of a collision.
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM secrets WHERE name = ?", (name,)
            ).fetchone()
            version = int(row[0])
            conn.execute(
                "INSERT INTO secrets (name, version, token, created_at) VALUES (?, ?, ?, ?)",
                (name, version, token, created_at),
            )
        return Secret(name=name, version=str(version), value=value, created_at=created_at)

    def _delete(self, name: str) -> None:
        with self._db.transaction() as conn:
            deleted = conn.execute("DELETE FROM secrets WHERE name = ?", (name,)).rowcount
        if not deleted:
            raise SecretNotFound(f"no secret {name!r}")

    def _versions(self, name: str) -> list[SecretVersion]:
        rows = self._db.query(
            "SELECT version, created_at FROM secrets WHERE name = ? ORDER BY version", (name,)
        )
        if not rows:
            raise SecretNotFound(f"no secret {name!r}")
        last = len(rows) - 1
        return [
            SecretVersion(
                name=name,
                version=str(row["version"]),
                created_at=row["created_at"],
                current=i == last,
            )
            for i, row in enumerate(rows)
        ]

    def _names(self) -> list[str]:
        return [row["name"] for row in self._db.query("SELECT DISTINCT name FROM secrets")]

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()
