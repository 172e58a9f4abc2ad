"""The one SQLite helper of the local provider: fork safety, the busy-timeout policy,
erasure hygiene, in-memory databases.

Backend: real SQLite files under tmp_path; the fork test uses a real forked process.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest

from socialreferral.domain.crm import LeadInput
from socialreferral.errors import TransientError
from socialreferral.providers.local.crm import LocalCRM
from socialreferral.providers.local.sqlite_file import BUSY_TIMEOUT_S, SQLiteFile

_SCHEMA = "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT NOT NULL)"
_FORK = multiprocessing.get_context("fork")


def _child_writes(db: SQLiteFile, crm: LocalCRM) -> None:
    # Uses the parent's objects as a forked worker would: each must reopen its own
    # connection instead of touching the inherited one.
    inherited = db._conn
    with db.transaction() as conn:
        assert conn is not inherited
        conn.execute("INSERT INTO t VALUES ('child', 'yes')")
    lead = LeadInput(name="Forked", email="forked@example.org", product_id="p1")
    crm.create_lead(lead, lead_id="l-child")


def test_a_forked_child_opens_its_own_connection(tmp_path: Path) -> None:
    db = SQLiteFile(tmp_path / "t.sqlite3", _SCHEMA)
    crm = LocalCRM(tmp_path / "crm.sqlite3")
    with db.transaction() as conn:
        conn.execute("INSERT INTO t VALUES ('parent', 'yes')")
    crm.create_lead(LeadInput(name="P", email="p@example.org", product_id="p1"), lead_id="l-p")
    child = _FORK.Process(target=_child_writes, args=(db, crm))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert [tuple(r) for r in db.query("SELECT k, v FROM t ORDER BY k")] == [
        ("child", "yes"),
        ("parent", "yes"),
    ]
    assert [lead.lead_id for lead in crm.list_leads()] == ["l-p", "l-child"]
    db.close()
    crm.close()


def test_a_lock_held_past_the_busy_timeout_is_transient(tmp_path: Path) -> None:
    assert BUSY_TIMEOUT_S == 10.0  # the documented policy for every local file
    db = SQLiteFile(tmp_path / "t.sqlite3", _SCHEMA, busy_timeout=0.05)
    holder = sqlite3.connect(tmp_path / "t.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(TransientError, match=r"busy|locked"), db.transaction() as conn:
        conn.execute("INSERT INTO t VALUES ('x', 'y')")
    assert time.monotonic() - started < 5
    holder.execute("ROLLBACK")
    holder.close()
    with db.transaction() as conn:  # free again: works at once
        conn.execute("INSERT INTO t VALUES ('x', 'y')")
    db.close()


def test_checkpoint_leaves_no_deleted_row_in_the_files(tmp_path: Path) -> None:
    db = SQLiteFile(tmp_path / "t.sqlite3", _SCHEMA)
    with db.transaction() as conn:
        conn.execute("INSERT INTO t VALUES ('gone', 'erase-me-0451')")
    with db.transaction() as conn:
        conn.execute("DELETE FROM t WHERE k = 'gone'")
    db.checkpoint()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("t.sqlite3*"))
    assert b"erase-me-0451" not in raw
    db.close()


def _use_memory(db: SQLiteFile) -> None:
    try:
        db.query("SELECT 1")
    except RuntimeError:
        raise SystemExit(3) from None


def test_memory_database_is_private_and_refuses_a_fork(tmp_path: Path) -> None:
    db = SQLiteFile(":memory:", _SCHEMA)
    with db.transaction() as conn:
        conn.execute("INSERT INTO t VALUES ('k', 'v')")
    assert [tuple(r) for r in db.query("SELECT k, v FROM t")] == [("k", "v")]
    assert not any(tmp_path.iterdir()) and not Path(":memory:").exists()
    child = _FORK.Process(target=_use_memory, args=(db,))
    child.start()
    child.join(30)
    assert child.exitcode == 3  # a clear error, not a silently empty copy
    db.close()


def test_writers_queue_on_the_lock_file_and_a_held_lock_is_transient(tmp_path: Path) -> None:
    """A write transaction holds ``<file>.lock``: another writer (here a second handle,
    as another process would) waits for it and gets TransientError past its busy
    timeout; once released, it writes at once."""
    path = tmp_path / "t.sqlite3"
    holder, waiter = SQLiteFile(path, _SCHEMA), SQLiteFile(path, _SCHEMA, busy_timeout=0.05)
    with holder.transaction() as conn:
        conn.execute("INSERT INTO t VALUES ('a', '1')")
        assert (tmp_path / "t.sqlite3.lock").exists()
        started = time.monotonic()
        with pytest.raises(TransientError, match="write lock"), waiter.transaction() as other:
            other.execute("INSERT INTO t VALUES ('b', '2')")
        assert 0.05 <= time.monotonic() - started < 5
    with waiter.transaction() as conn:
        conn.execute("INSERT INTO t VALUES ('b', '2')")
    assert [tuple(r) for r in holder.query("SELECT k, v FROM t ORDER BY k")] == [
        ("a", "1"), ("b", "2")]
    holder.close()
    waiter.close()
