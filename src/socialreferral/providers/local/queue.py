"""LocalQueue: an at-least-once queue in one SQLite file (WAL), safe across processes.

Features
    Batch send and receive, visibility timeout and its extension, ack, receive counts,
    a dead-letter queue after ``max_receives`` deliveries (the logical queue
    ``<name>-dlq`` in the same file), delayed messages, long polling (by short sleeps).
    Capabilities: ``dead_letter``, ``delay``, ``fifo``, ``visibility_extend``,
    ``oldest_age`` (every message of the queue counts: waiting, delayed or in flight;
    not those due for or in the dead-letter queue). Not
    declared: ``claim_check`` (bodies up to :attr:`LocalQueue.max_body_bytes` = 1 MiB are
    stored inline, larger ones raise ``MessageTooLarge``).

FIFO
    Messages with a ``group_id`` are delivered one at a time per group, in send order: the
    next one becomes due only when the previous one is acked or dead-lettered (a released
    or timed-out one is delivered again first). A ``dedup_id`` seen in the last 5 minutes
    drops the message and returns the first message's id. Messages without a group are
    unordered, so one file can mix both kinds.

Delivery semantics
    Every delivery gets a fresh receipt ``<row id>.<random hex>``; ack and visibility
    changes must present the current one, so a receipt older than a redelivery raises
    ``ReceiptInvalid``. A receipt stays valid after its visibility timeout ran out as long
    as nobody else received the message (as on SQS). A message that was received
    ``max_receives`` times and became visible again moves to the dead-letter queue on the
    next receive (or on ``dead_letters()``) instead of being delivered.

Processes
    Any number of worker processes may share one file: receiving is one ``BEGIN
    IMMEDIATE`` transaction, so two processes never get the same delivery, and a process
    killed mid-batch leaves its messages in flight until the timeout, then they reappear.
    A forked child opens its own connection automatically.

Configuration
    ``[local]`` settings: ``data_dir`` (the file is ``data_dir/queue.sqlite3``),
    ``queue_name``, ``max_receives``, ``visibility_timeout``. No credentials.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, Self

from socialreferral.errors import ReceiptInvalid
from socialreferral.ports import Queue, RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.sqlite_file import BUSY_TIMEOUT_S, SQLiteFile
from socialreferral.records import Capability, OutgoingMessage, ReceivedMessage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    attributes TEXT,
    sent_at REAL NOT NULL,
    visible_at REAL NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    receipt TEXT,
    group_id TEXT
);
CREATE INDEX IF NOT EXISTS messages_visible ON messages (queue, visible_at);
CREATE INDEX IF NOT EXISTS messages_group ON messages (queue, group_id)
    WHERE group_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS dedup (
    queue TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (queue, dedup_id)
) WITHOUT ROWID
"""

_INSERT = (
    "INSERT INTO messages (queue, message_id, body, attributes, sent_at, visible_at, group_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_DEDUP_WINDOW_S = 300.0  # as SQS FIFO: a dedup_id seen in the last 5 minutes is dropped
# The first `n` visible messages, oldest first; the index (queue, visible_at, rowid)
# serves both the range and the order, so a receive costs O(n) whatever the backlog.
# A grouped message is due only while it is the oldest of its group still in the queue,
# so a group is delivered one message at a time, in send order.
_DUE = (
    "SELECT id FROM messages AS m WHERE queue = ? AND visible_at <= ? AND (group_id IS NULL"
    " OR id = (SELECT MIN(id) FROM messages AS g WHERE g.queue = m.queue"
    " AND g.group_id = m.group_id)) ORDER BY visible_at, id LIMIT ?"
)
_TO_DLQ = (
    "UPDATE messages SET queue = ?, receive_count = 0, receipt = NULL, visible_at = ?"
    f" WHERE id IN ({_DUE}) AND receive_count >= ?"
)
# A receipt is unique per delivery: the row id (to find the row by primary key) plus
# 64 random bits drawn by SQLite inside the same statement.
_DELIVER = (
    "UPDATE messages SET receive_count = receive_count + 1, visible_at = ?,"
    " receipt = id || '.' || lower(hex(randomblob(8)))"
    f" WHERE id IN ({_DUE})"
    " RETURNING id, message_id, body, attributes, sent_at, receive_count, receipt, group_id"
)
_POLL_INTERVAL_S = 0.05


class LocalQueue(Queue):
    """A named queue (plus its dead-letter queue) in a SQLite file."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.DEAD_LETTER,
            Capability.DELAY,
            Capability.FIFO,
            Capability.VISIBILITY_EXTEND,
            Capability.OLDEST_AGE,
        }
    )
    provider: ClassVar[str] = "local"
    max_body_bytes: ClassVar[int] = 1024 * 1024
    # One SQLite statement sends, receives or acks a whole batch; larger batches spread a
    # worker's per-batch costs (the lease thread, bookkeeping writes) over more events.
    max_batch: ClassVar[int] = 100

    def __init__(
        self,
        path: Path | str,
        name: str,
        *,
        max_receives: int | None = None,
        visibility_timeout: int = 30,
        retry: RetryPolicy | None = None,
        busy_timeout: float = BUSY_TIMEOUT_S,
    ) -> None:
        """Open (creating if needed) the queue ``name`` in the SQLite file ``path``.

        ``busy_timeout`` bounds the wait for another process's write lock; past it the
        call raises ``TransientError``, which ``retry`` retries with backoff.
        """
        super().__init__(
            max_receives=max_receives, visibility_timeout=visibility_timeout, retry=retry
        )
        self.name = name
        self.dlq_name = f"{name}-dlq"
        self._db = SQLiteFile(path, _SCHEMA, busy_timeout=busy_timeout)

    @classmethod
    def from_settings(cls, settings: LocalSettings, context: BuildContext) -> Self:
        """Build from the ``[local]`` settings: ``data_dir/queue.sqlite3``."""
        return cls(
            settings.data_dir / "queue.sqlite3",
            settings.queue_name,
            max_receives=settings.max_receives,
            visibility_timeout=settings.visibility_timeout,
        )

    @property
    def path(self) -> Path:
        """The SQLite file holding the queue."""
        return self._db.path

    # -- primitives ----------------------------------------------------------------------
    def _send_batch(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        now = time.time()
        ids = [uuid.uuid4().hex for _ in messages]
        rows: Sequence[tuple[object, ...]] = [
            (
                self.name,
                message_id,
                m.body,
                json.dumps(dict(m.attributes)) if m.attributes else None,
                now,
                now + m.delay_seconds,
                m.group_id,
            )
            for message_id, m in zip(ids, messages, strict=True)
        ]
        with self._db.transaction() as conn:
            if any(m.dedup_id is not None for m in messages):
                rows = self._deduplicate(conn, messages, ids, rows, now)
            conn.executemany(_INSERT, rows)
        return ids

    def _deduplicate(
        self,
        conn: sqlite3.Connection,
        messages: Sequence[OutgoingMessage],
        ids: list[str],
        rows: Sequence[tuple[object, ...]],
        now: float,
    ) -> list[tuple[object, ...]]:
        """Drop messages whose dedup_id was sent in the window; their id is the first's."""
        conn.execute("DELETE FROM dedup WHERE queue = ? AND expires_at <= ?", (self.name, now))
        kept = []
        for index, (message, row) in enumerate(zip(messages, rows, strict=True)):
            if message.dedup_id is not None:
                seen = conn.execute(
                    "SELECT message_id FROM dedup WHERE queue = ? AND dedup_id = ?",
                    (self.name, message.dedup_id),
                ).fetchone()
                if seen is not None:
                    ids[index] = seen[0]
                    continue
                conn.execute(
                    "INSERT INTO dedup (queue, dedup_id, message_id, expires_at)"
                    " VALUES (?, ?, ?, ?)",
                    (self.name, message.dedup_id, ids[index], now + _DEDUP_WINDOW_S),
                )
            kept.append(row)
        return kept

    def _receive(
        self, max_messages: int, visibility_timeout: int, wait_seconds: float
    ) -> list[ReceivedMessage]:
        deadline = time.monotonic() + wait_seconds
        while True:
            received = self._receive_now(self.name, max_messages, visibility_timeout, True)
            if received or time.monotonic() >= deadline:
                return received
            time.sleep(min(_POLL_INTERVAL_S, max(0.0, deadline - time.monotonic())))

    def _receive_now(
        self, queue: str, max_messages: int, visibility_timeout: float, dead_letter: bool
    ) -> list[ReceivedMessage]:
        now = time.time()
        with self._db.transaction() as conn:
            if dead_letter and self.max_receives is not None:
                # Only the candidates of this receive are checked, keeping it O(batch).
                conn.execute(
                    _TO_DLQ, (self.dlq_name, now, queue, now, max_messages, self.max_receives)
                )
            rows = conn.execute(
                _DELIVER, (now + visibility_timeout, queue, now, max_messages)
            ).fetchall()
        rows.sort()  # RETURNING has no defined order; row ids follow send order
        return [
            ReceivedMessage(
                message_id=message_id,
                body=body,
                receipt=receipt,
                receive_count=count,
                sent_at=sent_at,
                attributes=json.loads(attributes) if attributes else {},
                group_id=group_id,
            )
            for _, message_id, body, attributes, sent_at, count, receipt, group_id in rows
        ]

    def _delete_batch(self, receipts: Sequence[str]) -> None:
        pairs = ", ".join("(?, ?)" for _ in receipts)
        params: list[object] = [p for r in receipts for p in (_row_id(r), r)]
        with self._db.transaction() as conn:
            # One statement for the whole batch; RETURNING says which receipts matched.
            deleted = {
                receipt
                for (receipt,) in conn.execute(
                    f"DELETE FROM messages WHERE (id, receipt) IN (VALUES {pairs})"
                    " AND queue IN (?, ?) RETURNING receipt",
                    [*params, self.name, self.dlq_name],
                )
            }
        stale = [r for r in receipts if r not in deleted]
        # The valid receipts are acked even when some are stale: losing an ack would
        # only cause a needless redelivery, but the caller must hear about the stale ones.
        if stale:
            raise ReceiptInvalid(
                f"{self.adapter_name}: {len(stale)} receipt(s) unknown or superseded by a "
                f"later delivery (message acked already, or redelivered): {stale[:3]}"
            )

    def _change_visibility(self, message: ReceivedMessage, seconds: int) -> ReceivedMessage:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE messages SET visible_at = ? WHERE id = ? AND receipt = ? AND queue IN"
                " (?, ?)",
                (
                    time.time() + seconds,
                    _row_id(message.receipt),
                    message.receipt,
                    self.name,
                    self.dlq_name,
                ),
            )
        if cursor.rowcount == 0:
            raise ReceiptInvalid(
                f"{self.adapter_name}: receipt {message.receipt!r} of message "
                f"{message.message_id} is unknown or superseded by a later delivery"
            )
        return message

    def _depth(self) -> int:
        now = time.time()
        limit = self.max_receives if self.max_receives is not None else 2**62
        with self._db.reading() as conn:
            (count,) = conn.execute(
                # Waiting = never received (possibly delayed) or visible again, minus
                # those due for the dead-letter queue.
                "SELECT COUNT(*) FROM messages WHERE queue = ? AND"
                " (receipt IS NULL OR visible_at <= ?)"
                " AND NOT (visible_at <= ? AND receive_count >= ?)",
                (self.name, now, now, limit),
            ).fetchone()
        return int(count)

    def _oldest_age(self) -> float:
        # Row ids follow send order, so the first row of the queue in primary-key order is
        # its oldest message. NOT INDEXED makes SQLite walk the primary key and stop at
        # that row (~10 µs with 100,000 waiting) instead of sorting the queue's whole
        # index range (~40 ms); acked rows are deleted, so the walk starts near it.
        # In-flight messages count (a stuck consumer must show); a message due for the
        # dead-letter queue does not (it will never be delivered here again).
        now = time.time()
        limit = self.max_receives if self.max_receives is not None else 2**62
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT sent_at FROM messages NOT INDEXED WHERE queue = ?"
                " AND NOT (visible_at <= ? AND receive_count >= ?) ORDER BY id LIMIT 1",
                (self.name, now, limit),
            ).fetchone()
        return 0.0 if row is None else now - float(row[0])

    def _receive_dead_letters(self, max_messages: int) -> list[ReceivedMessage]:
        if self.max_receives is not None:
            now = time.time()
            with self._db.transaction() as conn:
                # Sweep everything due, so dead letters show up without a main receive.
                conn.execute(
                    "UPDATE messages SET queue = ?, receive_count = 0, receipt = NULL,"
                    " visible_at = ? WHERE queue = ? AND visible_at <= ? AND receive_count >= ?",
                    (self.dlq_name, now, self.name, now, self.max_receives),
                )
        return self._receive_now(self.dlq_name, max_messages, self.visibility_timeout, False)

    def purge(self) -> None:
        """Delete every message of this queue and its dead-letter queue (for tests, resets)."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM messages WHERE queue IN (?, ?)", (self.name, self.dlq_name))

    def close(self) -> None:
        """Close this process's connection; the queue reopens it if used again."""
        self._db.close()


def _row_id(receipt: str) -> int:
    head, _, _ = str(receipt).partition(".")
    try:
        return int(head)
    except ValueError:
        return -1  # matches no row, so the caller reports ReceiptInvalid
