"""SQLite files for every local adapter (queue, store, secrets, batch, CRM, social), and
the owner-only file helpers of the local provider.

Why :class:`SQLiteFile` looks the way it does:

* **One connection per process, shared by its threads behind a lock.** A SQLite
  connection must not be used by two threads at once, and must never be used in a child
  after ``fork()`` (the child would share the parent's file locks and WAL index state).
  Every use compares ``os.getpid()`` with the pid that opened the connection and, in a
  forked child, parks the inherited connection and opens a fresh one. ``":memory:"``
  gives a private in-memory database instead (for fakes); it cannot follow a fork.
* **WAL + ``synchronous=NORMAL``.** Readers in other processes never block the writer,
  and a commit does not fsync (only checkpoints do): a power cut may lose the last few
  commits, a killed *process* loses nothing that was committed.
* **``secure_delete=ON``.** Deleted rows are overwritten, not left in free pages, so an
  erasure erases; :meth:`SQLiteFile.checkpoint` also copies the write-ahead log back and
  truncates it, where old page images would otherwise linger.
* **``BEGIN IMMEDIATE`` for every read-then-write.** The write lock is taken before the
  read, so two processes can never both see a message as visible, a key as free or a
  lead's e-mail as new.

* **Writers queue on a file lock, not on SQLite's busy handler.** SQLite retries a busy
  ``BEGIN IMMEDIATE`` after sleeping 1, 2, 5, 10, 15, 20, 25 … ms, so two processes that
  both write often (the workers of a pool, ingestion) lose milliseconds per collision
  while the lock was free again after a fraction of one. Every write transaction first
  takes an exclusive ``flock`` on ``<file>.lock`` (polled every 0.1 to 1 ms, within the same
  busy timeout); the kernel drops it when a process dies, even by ``kill -9``. Writers
  that do not take it (another tool, an old version) are still serialised by SQLite
  itself. Without ``fcntl`` (Windows) only SQLite's own locking is used.

Busy-timeout policy (one for every local file): a call waits up to
:data:`BUSY_TIMEOUT_S` (10 s) for another process's write lock. A lock still busy after
that becomes :class:`~socialreferral.errors.TransientError`, which the port base classes
retry with backoff (:class:`~socialreferral.ports.RetryPolicy`, 5 attempts by default),
so contention is absorbed and a stuck writer surfaces as an error within about a minute
instead of hanging a worker. Write transactions here are short (milliseconds), so 10 s
is far beyond normal contention. Tests may pass a shorter ``busy_timeout``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from socialreferral.errors import TransientError

BUSY_TIMEOUT_S = 10.0
"""How long a call waits for another process's write lock before ``TransientError``."""
MEMORY = ":memory:"
"""The path of a private in-memory database."""

_INHERITED: list[sqlite3.Connection] = []  # connections a forked child must not close
_INHERITED_LOCKS: list[int] = []  # lock-file descriptors a forked child must not close

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's own locking only
    _flock = None
else:
    _flock = fcntl.flock
_LOCK_POLL_S = (0.0001, 0.001)  # first and longest wait between tries of the file lock


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable only by its owner; return it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


class SQLiteFile:
    """A SQLite database file with a schema, one connection per process and transactions.

    Rows come back as tuples from :meth:`transaction` and :meth:`reading` (the queue and
    store hot paths) and as :class:`sqlite3.Row` (by column name) from :meth:`query`.
    """

    def __init__(
        self, path: Path | str, schema: str, *, busy_timeout: float = BUSY_TIMEOUT_S
    ) -> None:
        """Open ``path`` (its folder created owner-only) or ``":memory:"``, and create
        the ``;``-separated ``schema`` statements (``IF NOT EXISTS``)."""
        self.memory = str(path) == MEMORY
        self.path = Path(path)
        if not self.memory:
            ensure_dir(self.path.parent)
        self._schema = schema
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._pid = os.getpid()
        with self._lock:
            self.connection()  # fail early (bad path, corrupt file) and create the schema

    def _guard(self) -> threading.RLock:
        """The lock of this process, after forgetting what a fork inherited."""
        pid = os.getpid()
        if self._pid != pid:
            if self.memory:
                raise RuntimeError("an in-memory SQLite database cannot be used after fork()")
            # A forked child: the parent's lock may have been copied while held, and the
            # parent's connection must be neither used nor closed here (closing it could
            # touch the parent's WAL state), so it is parked, never garbage-collected.
            if self._conn is not None:
                _INHERITED.append(self._conn)
            if self._lock_fd is not None:  # its lock, if held, is the parent's
                _INHERITED_LOCKS.append(self._lock_fd)
            self._lock, self._conn, self._lock_fd, self._pid = threading.RLock(), None, None, pid
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
                MEMORY if self.memory else self.path,
                timeout=self._busy_timeout,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # guarded by self._lock
                cached_statements=256,
            )
            if not self.memory:
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows are overwritten, not left in free pages: erasure must erase.
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout * 1000)}")
            # Not executescript(): it commits on its own, outside our transaction.
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
            locked = self._take_file_lock()
            try:
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
            finally:
                if locked and _flock is not None and self._lock_fd is not None:
                    _flock(self._lock_fd, fcntl.LOCK_UN)

    def _take_file_lock(self) -> bool:
        """Queue for the write lock on ``<file>.lock`` (module docstring); False when
        there is no such lock (in memory, no fcntl). ``TransientError`` past the busy
        timeout, like a busy SQLite."""
        if self.memory or _flock is None:
            return False
        if self._lock_fd is None:
            self._lock_fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self._busy_timeout
        wait = _LOCK_POLL_S[0]
        while True:
            try:
                _flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TransientError(
                        f"SQLite busy: {self.path.name}'s write lock is held by another "
                        f"process for more than {self._busy_timeout} s") from None
                time.sleep(wait)
                wait = min(wait * 2, _LOCK_POLL_S[1])

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for autocommit reads (a WAL snapshot per statement)."""
        with self._guard():
            try:
                yield self.connection()
            except sqlite3.OperationalError as exc:
                _reraise(exc)

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """Run one autocommit read and return every row, addressable by column name."""
        with self.reading() as conn:
            cursor = conn.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the file and truncate it (after an erasure: the
        log would otherwise keep old images of the deleted rows until the next checkpoint)."""
        if not self.memory:
            with self.reading() as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def close(self) -> None:
        """Close this process's connection; safe to call twice. A file database reopens
        on the next use; an in-memory one is gone."""
        with self._guard():
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            if self._lock_fd is not None:
                os.close(self._lock_fd)
            self._lock_fd = None


def _reraise(exc: sqlite3.OperationalError) -> NoReturn:
    """``database is locked``/``busy`` → :class:`TransientError`; anything else as is."""
    message = str(exc).lower()
    if "locked" in message or "busy" in message:
        raise TransientError(f"SQLite busy: {exc}") from exc
    raise exc


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


__all__ = ["BUSY_TIMEOUT_S", "MEMORY", "SQLiteFile", "ensure_dir", "owner_only_file"]
