"""SQLite plumbing for the local queue and document store.

Why it looks the way it does:

* **One connection per process, shared by its threads behind a lock.** A SQLite
  connection must not be used by two threads at once, and must never be used in a child
  after ``fork()`` (the child would share the parent's file locks and WAL index state).
  :meth:`SQLiteFile.connection` compares ``os.getpid()`` with the pid that opened the
  connection and silently opens a fresh one in a forked child.
* **WAL + ``synchronous=NORMAL``.** Readers in other processes never block the writer,
  and a commit does not fsync (only checkpoints do): a power cut may lose the last few
  commits, a killed *process* loses nothing that was committed.
* **``BEGIN IMMEDIATE`` for every read-then-write.** The write lock is taken before the
  read, so two processes can never both see the same message as visible, or both see a
  key as free. Waiting for the lock is bounded by ``busy_timeout``; a lock still busy
  after that becomes :class:`~socialreferral.errors.TransientError`, which the port base
  classes retry with backoff.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from socialreferral.errors import TransientError

BUSY_TIMEOUT_S = 10.0
_INHERITED: list[sqlite3.Connection] = []  # connections a forked child must not close


class SQLiteFile:
    """A SQLite database file with a schema, one connection per process and transactions."""

    def __init__(self, path: Path | str, schema: str, *, busy_timeout: float = BUSY_TIMEOUT_S):
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._schema = schema
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        with self._lock:
            self.connection()  # fail early (bad path, corrupt file) and create the schema

    def _guard(self) -> threading.RLock:
        """The lock of this process, after forgetting what a fork inherited."""
        pid = os.getpid()
        if self._pid != pid:
            # A forked child: the parent's lock may have been copied while held, and the
            # parent's connection must be neither used nor closed here (closing it could
            # touch the parent's WAL state), so it is parked, never garbage-collected.
            if self._conn is not None:
                _INHERITED.append(self._conn)
            self._lock, self._conn, self._pid = threading.RLock(), None, pid
        return self._lock

    def connection(self) -> sqlite3.Connection:
        """This process's connection, opened on first use (call with the lock held)."""
        self._guard()
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self._busy_timeout,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # guarded by self._lock
                cached_statements=256,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows are overwritten, not left in free pages: erasure must erase.
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout * 1000)}")
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in self._schema.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            _reraise(exc)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``): commit on success, roll back on error.

        SQLite errors meaning "locked/busy" come out as :class:`TransientError`.
        """
        with self._guard():
            conn = self.connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                _reraise(exc)
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    _reraise(exc)
                raise

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for autocommit reads (a WAL snapshot per statement)."""
        with self._guard():
            try:
                yield self.connection()
            except sqlite3.OperationalError as exc:
                _reraise(exc)

    def close(self) -> None:
        """Close this process's connection; safe to call twice (a later use reopens)."""
        with self._guard():
            if self._conn is not None:
                self._conn.close()
            self._conn = None


def _reraise(exc: sqlite3.OperationalError) -> NoReturn:
    """``database is locked``/``busy`` → :class:`TransientError`; anything else as is."""
    message = str(exc).lower()
    if "locked" in message or "busy" in message:
        raise TransientError(f"SQLite busy: {exc}") from exc
    raise exc
