"""LocalDocumentStore: JSON documents in one SQLite file, safe across processes.

Features
    put/get/delete with etags (a fresh random hex per write) for optimistic concurrency,
    create-only writes, TTL (expired documents are invisible at once and purged lazily),
    queries by field conditions with ordering and keyset paging, batch writes with
    per-item results. Capabilities: ``etag``, ``create_only``, ``ttl``, ``query``,
    ``batch``.

Queries
    Conditions run in SQL through ``json_type``/``json_extract`` with exactly the
    semantics of :func:`socialreferral.ports.matches` (a missing field matches only
    ``ne``; values of unlike types never compare, but ``bool`` counts as a number as in
    Python). Conditions SQL cannot express exactly (lists or objects as operands,
    substring ``in``) are evaluated in Python on the SQL-ordered rows. Ordering by a field
    sorts missing, then null, then numbers and booleans, then strings, then arrays and
    objects, then by key; ``descending`` reverses the whole order. The cursor is the
    base64 of the last row's sort key, so pages stay consistent while others write.

Batches
    ``put_many`` writes each chunk of up to :attr:`LocalDocumentStore.max_batch` items in
    one transaction; an item whose condition fails is reported in ``failed`` and the
    others are written.

Configuration
    ``[local]`` settings: ``data_dir`` (the file is ``data_dir/store.sqlite3``).
    No credentials.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

from socialreferral.errors import ConcurrencyConflict, DocumentExists, InvalidInput
from socialreferral.ports import DocumentStore, RetryPolicy, encode_json, matches
from socialreferral.providers import BuildContext
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.sqlite_file import BUSY_TIMEOUT_S, SQLiteFile
from socialreferral.records import BatchResult, Capability, Document, Filter, Page, WriteItem

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    etag TEXT NOT NULL,
    expires_at REAL,
    PRIMARY KEY (collection, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS documents_expiry ON documents (expires_at)
    WHERE expires_at IS NOT NULL
"""
_LIVE = "(expires_at IS NULL OR expires_at > ?)"
_UPSERT = (
    "INSERT OR REPLACE INTO documents (collection, key, value, etag, expires_at)"
    " VALUES (?, ?, ?, ?, ?)"
)
_STATE = "SELECT etag, expires_at FROM documents WHERE collection = ? AND key = ?"
_PURGE_EVERY_S = 60.0

_State = tuple[str, float | None] | None  # (etag, expires_at) of a stored row


class LocalDocumentStore(DocumentStore):
    """Collections of JSON documents in a SQLite file."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.ETAG,
            Capability.CREATE_ONLY,
            Capability.TTL,
            Capability.QUERY,
            Capability.BATCH,
        }
    )
    provider: ClassVar[str] = "local"
    max_batch: ClassVar[int] = 500  # one transaction per chunk; SQLite is happy with more

    def __init__(
        self,
        path: Path | str,
        *,
        retry: RetryPolicy | None = None,
        busy_timeout: float = BUSY_TIMEOUT_S,
    ) -> None:
        """Open (creating if needed) the SQLite file ``path``.

        ``busy_timeout`` bounds the wait for another process's write lock; past it the
        call raises ``TransientError``, which ``retry`` retries with backoff.
        """
        super().__init__(retry=retry)
        self._db = SQLiteFile(path, _SCHEMA, busy_timeout=busy_timeout)
        self._last_purge = 0.0
        # The JSON text of each value the size check encoded, by id (with the value, so
        # the id cannot be reused while held), for the write that follows in the same
        # thread: a value is encoded once, not twice. Cleared after every write.
        self._texts = threading.local()

    @classmethod
    def from_settings(cls, settings: LocalSettings, context: BuildContext) -> Self:
        """Build from the ``[local]`` settings: ``data_dir/store.sqlite3``."""
        return cls(settings.data_dir / "store.sqlite3")

    @property
    def path(self) -> Path:
        """The SQLite file holding the documents."""
        return self._db.path

    # -- primitives ----------------------------------------------------------------------
    def _get(self, collection: str, key: str) -> Document | None:
        with self._db.reading() as conn:
            row = conn.execute(
                f"SELECT value, etag, expires_at FROM documents"
                f" WHERE collection = ? AND key = ? AND {_LIVE}",
                (collection, key, time.time()),
            ).fetchone()
        if row is None:
            return None
        return Document(collection, key, json.loads(row[0]), row[1], row[2])

    def _get_many(self, collection: str, keys: Sequence[str]) -> dict[str, Document]:
        # One statement for the whole chunk (max_batch keys, under SQLite's 32,766
        # variables): a batch's reads cost one round trip, not one per key.
        marks = ", ".join("?" * len(keys))
        with self._db.reading() as conn:
            rows = conn.execute(
                f"SELECT key, value, etag, expires_at FROM documents"
                f" WHERE collection = ? AND key IN ({marks}) AND {_LIVE}",
                (collection, *keys, time.time()),
            ).fetchall()
        return {key: Document(collection, key, json.loads(raw), etag, expires_at)
                for key, raw, etag, expires_at in rows}

    def _put(
        self,
        collection: str,
        key: str,
        value: dict[str, Any],
        *,
        if_match: str | None,
        create_only: bool,
        ttl: float | None,
    ) -> Document:
        item = WriteItem(key, value, if_match, create_only, ttl)
        now = time.time()
        try:
            with self._db.transaction() as conn:
                self._maybe_purge(conn, now)
                state = self._state(conn, collection, key) if if_match or create_only else None
                self._check_condition(collection, item, state, now)
                row = self._row(collection, item, now)
                conn.execute(_UPSERT, row)
        finally:
            self._encoded().clear()
        return Document(collection, key, value, row[3], row[4])

    def _encode(self, value: Mapping[str, Any]) -> str:
        text = encode_json(value)
        self._encoded()[id(value)] = (value, text)
        return text

    def _encoded(self) -> dict[int, tuple[Mapping[str, Any], str]]:
        texts: dict[int, tuple[Mapping[str, Any], str]] | None = getattr(
            self._texts, "by_id", None)
        if texts is None:
            texts = self._texts.by_id = {}
        return texts

    def _text(self, value: Mapping[str, Any]) -> str:
        """The JSON text of ``value``: the size check's when it encoded this very object."""
        held = self._encoded().get(id(value))
        return held[1] if held is not None and held[0] is value else encode_json(value)

    def _delete(self, collection: str, key: str, *, if_match: str | None) -> bool:
        now = time.time()
        with self._db.transaction() as conn:
            state = self._state(conn, collection, key)
            if state is None:
                return False
            live = _is_live(state, now)
            if live and if_match is not None and state[0] != if_match:
                raise ConcurrencyConflict(
                    f"{collection}/{key}: etag {if_match!r} does not match the stored "
                    f"{state[0]!r}; not deleted"
                )
            conn.execute(
                "DELETE FROM documents WHERE collection = ? AND key = ?", (collection, key)
            )
            return live

    def _put_batch(self, collection: str, items: Sequence[WriteItem]) -> BatchResult:
        now = time.time()
        written: dict[str, str] = {}
        failed: dict[str, Exception] = {}
        rows: dict[str, tuple[str, str, str, str, float | None]] = {}
        try:
            self._write_batch(collection, items, now, rows, written, failed)
        finally:
            self._encoded().clear()
        return BatchResult(written, failed)

    def _write_batch(self, collection: str, items: Sequence[WriteItem], now: float,
                     rows: dict[str, tuple[str, str, str, str, float | None]],
                     written: dict[str, str], failed: dict[str, Exception]) -> None:
        with self._db.transaction() as conn:
            self._maybe_purge(conn, now)
            # The stored state of every conditional item, read in one statement.
            stored = self._states(
                conn, collection, [i.key for i in items if i.if_match or i.create_only])
            for item in items:
                if item.if_match or item.create_only:
                    # An earlier item of this batch may have written the key already.
                    pending = rows.get(item.key)
                    state: _State = (
                        (pending[3], pending[4]) if pending is not None
                        else stored.get(item.key)
                    )
                    try:
                        self._check_condition(collection, item, state, now)
                    except ConcurrencyConflict as exc:
                        failed[item.key] = exc
                        written.pop(item.key, None)
                        continue
                row = self._row(collection, item, now)
                rows[item.key] = row
                written[item.key] = row[3]
                failed.pop(item.key, None)
            conn.executemany(_UPSERT, rows.values())

    def _query(
        self,
        collection: str,
        filters: Sequence[Filter],
        *,
        order_by: str | None,
        descending: bool,
        limit: int,
        cursor: str | None,
    ) -> Page:
        plan = _plan(collection, filters, order_by, descending, cursor, time.time())
        items: list[Document] = []
        last: list[Any] = []
        more = False
        with self._db.reading() as conn:
            # Without Python-side conditions SQL can stop after limit + 1 rows.
            sql = plan.sql if plan.residual else f"{plan.sql} LIMIT {limit + 1}"
            for key, raw, etag, expires_at, *sort_key in conn.execute(sql, plan.params):
                value = json.loads(raw)
                if plan.residual and not matches(value, plan.residual):
                    continue
                if len(items) == limit:
                    more = True
                    break
                items.append(Document(collection, key, value, etag, expires_at))
                last = [*sort_key, key]
        next_cursor = _encode_cursor(order_by, descending, last) if more else None
        return Page(items, next_cursor)

    # -- helpers -------------------------------------------------------------------------
    @staticmethod
    def _state(conn: sqlite3.Connection, collection: str, key: str) -> _State:
        row = conn.execute(_STATE, (collection, key)).fetchone()
        return None if row is None else (row[0], row[1])

    @staticmethod
    def _states(conn: sqlite3.Connection, collection: str,
                keys: Sequence[str]) -> dict[str, tuple[str, float | None]]:
        """(etag, expires_at) of the stored rows among ``keys`` (expired ones included,
        as :meth:`_state`)."""
        if not keys:
            return {}
        unique = list(dict.fromkeys(keys))
        found: dict[str, tuple[str, float | None]] = {}
        for start in range(0, len(unique), 900):  # well under SQLite's variable limit
            chunk = unique[start : start + 900]
            marks = ", ".join("?" * len(chunk))
            for key, etag, expires_at in conn.execute(
                    f"SELECT key, etag, expires_at FROM documents WHERE collection = ?"
                    f" AND key IN ({marks})", (collection, *chunk)):
                found[key] = (etag, expires_at)
        return found

    @staticmethod
    def _check_condition(collection: str, item: WriteItem, state: _State, now: float) -> None:
        live = state is not None and _is_live(state, now)
        if item.create_only and live:
            raise DocumentExists(f"{collection}/{item.key}: already exists (create_only)")
        if item.if_match is not None:
            if not live:
                raise ConcurrencyConflict(
                    f"{collection}/{item.key}: if_match {item.if_match!r} but the document "
                    "does not exist"
                )
            assert state is not None
            if state[0] != item.if_match:
                raise ConcurrencyConflict(
                    f"{collection}/{item.key}: etag {item.if_match!r} does not match the "
                    f"stored {state[0]!r}"
                )

    def _row(
        self, collection: str, item: WriteItem, now: float
    ) -> tuple[str, str, str, str, float | None]:
        expires_at = None if item.ttl is None else now + item.ttl
        # A fresh random etag (128 bits, as uuid4 without building a UUID object).
        return (collection, item.key, self._text(item.value), os.urandom(16).hex(), expires_at)

    def _maybe_purge(self, conn: sqlite3.Connection, now: float) -> None:
        # Expired rows are already invisible; deleting them is housekeeping, done at most
        # once a minute per process inside a write that holds the lock anyway.
        if now - self._last_purge >= _PURGE_EVERY_S:
            self._last_purge = now
            conn.execute("DELETE FROM documents WHERE expires_at <= ?", (now,))

    def close(self) -> None:
        """Close this process's connection; the store reopens it if used again."""
        self._db.close()


def _is_live(state: tuple[str, float | None], now: float) -> bool:
    return state[1] is None or state[1] > now


# -- queries ---------------------------------------------------------------------------
_NUMBER = "('integer', 'real', 'true', 'false')"
_MAX_EXACT_INT = 2**53  # beyond this SQLite's int/real comparisons may differ from Python's


@dataclass
class _Plan:
    sql: str
    params: list[Any] = field(default_factory=list)
    residual: list[Filter] = field(default_factory=list)  # evaluated in Python


def _path(name: str) -> str | None:
    # A quoted label handles dots and brackets in field names; a '"' cannot be quoted.
    return None if '"' in name else f'$."{name}"'


def _scalar(value: Any) -> bool:
    if value is None or isinstance(value, str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and abs(value) <= _MAX_EXACT_INT


def _equals(path: str, value: Any, params: list[Any]) -> str:
    """SQL true exactly when Python's ``actual == value`` (value a scalar)."""
    if value is None:
        params.append(path)
        return "json_type(value, ?) = 'null'"
    if isinstance(value, str):
        params.extend([path, path, value])
        return "(json_type(value, ?) = 'text' AND json_extract(value, ?) = ?)"
    params.extend([path, path, value if isinstance(value, float) else int(value)])
    return f"(json_type(value, ?) IN {_NUMBER} AND json_extract(value, ?) = ?)"


def _one_of(path: str, options: list[Any], params: list[Any]) -> str:
    """SQL true exactly when Python's ``actual in options`` (scalar options).

    One ``IN`` list per JSON type rather than an ``OR`` of equalities: SQLite looks each
    row's value up in the list (a sorted ephemeral table) instead of extracting it once
    per option, so a batch's 50-author query costs one extraction per row, not 50.
    """
    texts = [o for o in options if isinstance(o, str)]
    numbers = [o if isinstance(o, float) else int(o) for o in options
               if o is not None and not isinstance(o, str)]
    parts = []
    if any(o is None for o in options):
        params.append(path)
        parts.append("json_type(value, ?) = 'null'")
    for kinds, values in (("('text')", texts), (_NUMBER, numbers)):
        if values:
            params.extend([path, path, *values])
            parts.append(f"(json_type(value, ?) IN {kinds} AND json_extract(value, ?)"
                         f" IN ({', '.join('?' * len(values))}))")
    return f"COALESCE({' OR '.join(parts)}, 0)" if parts else "0"


def _condition(f: Filter, params: list[Any]) -> str | None:
    """Translate one filter into SQL with :func:`matches` semantics, or None if SQL can't."""
    path = _path(f.field)
    if path is None:
        return None
    local: list[Any] = []
    if f.op in ("eq", "ne") and _scalar(f.value):
        sql = f"COALESCE({_equals(path, f.value, local)}, 0)"
        if f.op == "ne":
            sql = f"NOT {sql}"  # a missing field is 'not equal', as in matches()
    elif f.op in ("lt", "le", "gt", "ge") and _scalar(f.value):
        symbol = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}[f.op]
        if f.value is None:
            sql = "0"  # None < anything is a TypeError in Python, hence no match
        elif isinstance(f.value, str):
            local.extend([path, path, f.value])
            sql = f"COALESCE(json_type(value, ?) = 'text' AND json_extract(value, ?) {symbol} ?, 0)"
        else:
            operand = f.value if isinstance(f.value, float) else int(f.value)
            local.extend([path, path, operand])
            sql = (
                f"COALESCE(json_type(value, ?) IN {_NUMBER}"
                f" AND json_extract(value, ?) {symbol} ?, 0)"
            )
    elif f.op == "in" and isinstance(f.value, list | tuple | set | frozenset):
        options = list(f.value)
        if not all(_scalar(v) for v in options):
            return None
        sql = _one_of(path, options, local)
    else:
        return None
    params.extend(local)
    return sql


def _plan(
    collection: str,
    filters: Sequence[Filter],
    order_by: str | None,
    descending: bool,
    cursor: str | None,
    now: float,
) -> _Plan:
    params: list[Any] = [collection, now]
    where = ["collection = ?", _LIVE]
    residual: list[Filter] = []
    for f in filters:
        sql = _condition(f, params)
        if sql is None:
            residual.append(f)
        else:
            where.append(sql)
    if order_by is None:
        keys, key_params = ["key"], []
    else:
        path = _path(order_by)
        if path is None:
            raise InvalidInput("cannot order by a field whose name holds '\"'", field="order_by")
        # Rank: missing 0, null 1, numbers and booleans 2, text 3, arrays and objects 4.
        keys = [
            "CASE COALESCE(json_type(value, ?), 'missing') WHEN 'missing' THEN 0"
            " WHEN 'null' THEN 1 WHEN 'text' THEN 3 WHEN 'array' THEN 4"
            " WHEN 'object' THEN 4 ELSE 2 END",
            "COALESCE(json_extract(value, ?), 0)",
            "key",
        ]
        key_params = [path, path]
    select_params = list(key_params)
    if cursor is not None:
        after = _decode_cursor(cursor, order_by, descending, len(keys))
        symbol = "<" if descending else ">"
        where.append(f"({', '.join(keys)}) {symbol} ({', '.join('?' * len(keys))})")
        params.extend([*key_params, *after])
    direction = " DESC" if descending else ""
    # Placeholders in the SELECT list come first, so ORDER BY uses the aliases.
    aliases = [f"_sort{i}" for i in range(len(keys) - 1)] + ["key"]
    columns = "".join(f", {k} AS {a}" for k, a in zip(keys[:-1], aliases, strict=False))
    sql = (
        f"SELECT key, value, etag, expires_at{columns}"
        f" FROM documents WHERE {' AND '.join(where)}"
        f" ORDER BY {', '.join(a + direction for a in aliases)}"
    )
    return _Plan(sql, [*select_params, *params], residual)


def _encode_cursor(order_by: str | None, descending: bool, last: list[Any]) -> str:
    raw = json.dumps({"o": order_by, "d": descending, "k": last}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, order_by: str | None, descending: bool, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        after = data["k"]
        valid = data["o"] == order_by and data["d"] == descending and len(after) == size
    except (binascii.Error, ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise InvalidInput("not a cursor of this query", field="cursor")
    return list(after)
