"""SQLite plumbing shared by the local secret store, batch compute, CRM and social channel.

One connection per adapter, shared by its threads behind a lock (SQLite connections are
not safe to use from two threads at once). WAL journaling lets readers in other processes
work while one process writes; ``BEGIN IMMEDIATE`` takes the write lock at the start of a
transaction so read-then-write sequences (lead de-duplication, idempotent sends) are
atomic across processes. A lock that stays busy past the timeout becomes a
:class:`~socialreferral.errors.TransientError`, which the port base classes retry.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from socialreferral.errors import TransientError

_BUSY_TIMEOUT_S = 30.0


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable only by its owner; return it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


class Database:
    """A SQLite file (or ``":memory:"``) with a schema, a lock and transactions."""

    def __init__(self, path: Path | str, schema: str) -> None:
        self.path = str(path)
        # isolation_level=None: we issue BEGIN ourselves, so the sqlite3 module never
        # opens a deferred transaction behind our back.
        self._conn = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows are overwritten, not left in free pages: erasure must erase.
            self._conn.execute("PRAGMA secure_delete=ON")
            # Not executescript(): it commits on its own, outside our transaction.
            with self.transaction() as conn:
                for statement in _statements(schema):
                    conn.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``): commit on success, roll back on error."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _transient(exc) from exc
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._conn.execute("ROLLBACK")
                raise _transient(exc) from exc

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """Run a read and return every row."""
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise _transient(exc) from exc

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        with self._lock:
            self._conn.close()


def _statements(schema: str) -> list[str]:
    return [s.strip() for s in schema.split(";") if s.strip()]


def _transient(exc: sqlite3.OperationalError) -> Exception:
    message = str(exc).lower()
    if "locked" in message or "busy" in message:
        return TransientError(f"SQLite busy: {exc}")
    return exc


def owner_only_file(path: Path, content: bytes) -> bytes:
    """Create ``path`` with mode 0600 holding ``content``, unless it exists; return what
    the file holds.

    The content is written to a private temporary file first and then hard-linked into
    place: the link fails if the name is taken, so two processes racing on first use
    agree on one file, and nobody ever reads a half-written one.
    """
    if path.exists():
        return path.read_bytes()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_bytes()
    finally:
        temporary.unlink(missing_ok=True)
    return content
