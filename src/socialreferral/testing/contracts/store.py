"""Conformance tests every :class:`~socialreferral.ports.DocumentStore` adapter must pass.

Fixture API (provide both in the test class or a mixin)::

    store    a fresh, empty adapter instance (function scope); the fixture closes it and
             removes what it created
    backend  a short string naming what the adapter ran against ("local SQLite",
             "moto in-process", "cosmosdb-server 1.0.1"); recorded on every test with
             ``record_property("backend", ...)`` and quoted in assertion messages

Usage::

    class TestLocalDocumentStore(DocumentStoreContract):
        @pytest.fixture
        def backend(self) -> str:
            return "local SQLite"

        @pytest.fixture
        def store(self, tmp_path):
            store = LocalDocumentStore(tmp_path / "store.sqlite3")
            yield store
            store.close()

Every test uses its own collection names, so a backend that cannot be wiped between tests
still gives independent results. Tests of the optional capabilities (``etag``,
``create_only``, ``ttl``, ``query``, ``batch``) check the behaviour when the adapter
declares the capability, and that ``Unsupported`` naming the adapter is raised when it
does not. Query semantics are those of :func:`socialreferral.ports.matches`.

Timing: the TTL test writes with ``ttl=1`` and sleeps ``1 + timing_slack`` seconds.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any, ClassVar

import pytest

from socialreferral.errors import ConcurrencyConflict, DocumentExists, DocumentNotFound
from socialreferral.ports import DocumentStore
from socialreferral.records import Capability, Filter, WriteItem
from socialreferral.testing.contracts._support import assert_unsupported, expect_raises

_PEOPLE = {
    "a": {"name": "ann", "age": 31, "city": "Oslo", "score": 1.5},
    "b": {"name": "bob", "age": 25, "city": "Rome", "score": 3.0},
    "c": {"name": "cy", "age": 40, "city": "Oslo"},
    "d": {"name": "dee", "age": 25, "city": "Lima", "score": 2.25},
    "e": {"name": "eve", "age": "unknown", "city": "Rome", "score": 0},
}


def _collection() -> str:
    return f"c{uuid.uuid4().hex[:12]}"


class DocumentStoreContract:
    """Mixin of behaviour tests; subclass it with ``store`` and ``backend`` fixtures."""

    timing_slack: ClassVar[float] = 0.5

    @pytest.fixture(autouse=True)
    def _record_backend(self, record_property: Any, backend: str) -> None:
        record_property("backend", backend)

    def _people(self, store: DocumentStore) -> str:
        collection = _collection()
        for key, value in _PEOPLE.items():
            store.put(collection, key, value)
        return collection

    def _keys(self, store: DocumentStore, collection: str, where: Any, **kw: Any) -> list[str]:
        return [d.key for d in store.iter_query(collection, where, **kw)]

    def _query_or_unsupported(self, store: DocumentStore, backend: str) -> bool:
        if store.supports(Capability.QUERY):
            return True
        assert_unsupported(store, Capability.QUERY, lambda: store.query(_collection()), backend)
        return False

    # -- basics --------------------------------------------------------------------------
    def test_round_trip_nested_values(self, store: DocumentStore, backend: str) -> None:
        """Nested objects, lists, unicode, floats, booleans and None come back equal."""
        collection = _collection()
        value = {
            "text": "Grüße 👋 naïve «café»",
            "float": 3.25,
            "negative": -17,
            "yes": True,
            "no": False,
            "nothing": None,
            "list": [1, "two", 3.5, None, {"deep": ["x"]}],
            "nested": {"a": {"b": {"c": "ü"}}, "empty": {}, "none": []},
        }
        written = store.put(collection, "doc-ü", value)
        read = store.get(collection, "doc-ü")
        assert read.value == value, f"[{backend}] stored {value!r}, read back {read.value!r}"
        assert (read.collection, read.key, read.etag) == (collection, "doc-ü", written.etag)

    def test_get_missing_raises_document_not_found(
        self, store: DocumentStore, backend: str
    ) -> None:
        """get() of a missing key raises DocumentNotFound, which is also a KeyError;
        find() returns None."""
        collection = _collection()
        with expect_raises(DocumentNotFound, backend, "getting a missing key"):
            store.get(collection, "missing")
        with expect_raises(KeyError, backend, "getting a missing key"):
            store.get(collection, "missing")
        assert store.find(collection, "missing") is None

    def test_find_many(self, store: DocumentStore, backend: str) -> None:
        """find_many() returns the stored documents by key, as find() would, and leaves
        out missing keys; repeated keys are read once; more keys than ``max_batch``
        (several round trips) all come back; no keys, no documents."""
        collection, other = _collection(), _collection()
        count = store.max_batch + 3
        written = {f"k{i}": store.put(collection, f"k{i}", {"i": i}) for i in range(count)}
        store.put(other, "k0", {"i": "other collection"})
        keys = [*written, "missing", "k0"]
        found = store.find_many(collection, keys)
        assert sorted(found) == sorted(written), (
            f"[{backend}] find_many returned keys {sorted(found)!r}")
        for key, document in found.items():
            single = store.find(collection, key)
            assert single is not None
            assert (document.collection, document.key, document.value, document.etag) == (
                collection, key, single.value, single.etag), f"[{backend}] {key}: {document!r}"
        assert store.find_many(collection, []) == {}
        assert store.find_many(collection, ["missing"]) == {}

    def test_collections_are_isolated(self, store: DocumentStore, backend: str) -> None:
        """The same key in two collections names two documents."""
        first, second = _collection(), _collection()
        store.put(first, "k", {"v": 1})
        assert store.find(second, "k") is None, f"[{backend}] collection {second} saw {first}"
        store.put(second, "k", {"v": 2})
        assert store.get(first, "k").value == {"v": 1}
        assert store.get(second, "k").value == {"v": 2}
        store.delete(first, "k")
        assert store.get(second, "k").value == {"v": 2}

    def test_delete_true_then_false(self, store: DocumentStore, backend: str) -> None:
        """delete() returns True when it removed a document, False when there was none."""
        collection = _collection()
        store.put(collection, "k", {"v": 1})
        assert store.delete(collection, "k") is True
        assert store.delete(collection, "k") is False, f"[{backend}] second delete said True"
        assert store.find(collection, "k") is None

    # -- etag and create-only ------------------------------------------------------------
    def test_put_returns_new_etag(self, store: DocumentStore, backend: str) -> None:
        """Every write returns the document with a new etag, the one get() shows."""
        collection = _collection()
        first = store.put(collection, "k", {"v": 1})
        second = store.put(collection, "k", {"v": 2})
        assert first.etag and second.etag, f"[{backend}] empty etag"
        assert first.etag != second.etag, f"[{backend}] etag unchanged by a write"
        assert store.get(collection, "k").etag == second.etag

    def test_matching_etag_updates(self, store: DocumentStore, backend: str) -> None:
        """A write with the current etag succeeds and changes the etag (``etag``)."""
        collection = _collection()
        first = store.put(collection, "k", {"v": 1})
        if not store.supports(Capability.ETAG):
            assert_unsupported(
                store,
                Capability.ETAG,
                lambda: store.put(collection, "k", {"v": 2}, if_match=first.etag),
                backend,
            )
            return
        second = store.put(collection, "k", {"v": 2}, if_match=first.etag)
        assert second.etag != first.etag
        assert store.get(collection, "k").value == {"v": 2}

    def test_wrong_etag_conflicts(self, store: DocumentStore, backend: str) -> None:
        """A write or delete with a stale etag raises ConcurrencyConflict and changes
        nothing; if_match on a missing document conflicts too (``etag``)."""
        collection = _collection()
        first = store.put(collection, "k", {"v": 1})
        current = store.put(collection, "k", {"v": 2})
        if not store.supports(Capability.ETAG):
            assert_unsupported(
                store,
                Capability.ETAG,
                lambda: store.delete(collection, "k", if_match=first.etag),
                backend,
            )
            return
        with expect_raises(ConcurrencyConflict, backend, "putting with a stale etag"):
            store.put(collection, "k", {"v": 3}, if_match=first.etag)
        assert store.get(collection, "k").value == {"v": 2}, f"[{backend}] lost update"
        with expect_raises(ConcurrencyConflict, backend, "deleting with a stale etag"):
            store.delete(collection, "k", if_match=first.etag)
        assert store.get(collection, "k").etag == current.etag
        with expect_raises(ConcurrencyConflict, backend, "if_match on a missing document"):
            store.put(collection, "absent", {"v": 1}, if_match=first.etag)
        assert store.find(collection, "absent") is None
        assert store.delete(collection, "k", if_match=current.etag) is True

    def test_create_only_twice(self, store: DocumentStore, backend: str) -> None:
        """The second create-only write raises DocumentExists and keeps the first value
        (``create_only``)."""
        collection = _collection()
        if not store.supports(Capability.CREATE_ONLY):
            assert_unsupported(
                store,
                Capability.CREATE_ONLY,
                lambda: store.put(collection, "k", {"v": 1}, create_only=True),
                backend,
            )
            return
        store.put(collection, "k", {"v": 1}, create_only=True)
        with expect_raises(DocumentExists, backend, "create_only on an existing key"):
            store.put(collection, "k", {"v": 2}, create_only=True)
        assert store.get(collection, "k").value == {"v": 1}

    def test_update_under_contention(self, store: DocumentStore, backend: str) -> None:
        """update() from 2 threads racing 50 increments each ends at exactly 100."""
        collection = _collection()
        if not store.supports(Capability.ETAG):
            assert_unsupported(
                store,
                Capability.ETAG,
                lambda: store.update(collection, "n", lambda v: {"n": 1}),
                backend,
            )
            return
        errors: list[BaseException] = []

        def bump(value: dict[str, Any] | None) -> dict[str, Any]:
            return {"n": (value or {"n": 0})["n"] + 1}

        def worker() -> None:
            try:
                for _ in range(50):
                    store.update(collection, "counter", bump, attempts=200)
            except BaseException as exc:  # reported below, with the backend
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, f"[{backend}] update() failed: {errors[0]!r}"
        final = store.get(collection, "counter").value["n"]
        assert final == 100, f"[{backend}] 100 increments, counter reads {final} (lost updates)"

    # -- TTL -----------------------------------------------------------------------------
    def test_ttl_expiry(self, store: DocumentStore, backend: str) -> None:
        """A document written with ttl=1 is visible, then after ~1.5 s invisible to get()
        and query(), and create_only succeeds on its key again (``ttl``)."""
        collection = _collection()
        if not store.supports(Capability.TTL):
            assert_unsupported(
                store, Capability.TTL, lambda: store.put(collection, "k", {"v": 1}, ttl=1), backend
            )
            return
        store.put(collection, "short", {"kind": "ttl"}, ttl=1)
        store.put(collection, "long", {"kind": "ttl"})
        assert store.get(collection, "short").value == {"kind": "ttl"}
        time.sleep(1 + self.timing_slack)
        assert store.find(collection, "short") is None, f"[{backend}] expired doc still read"
        many = sorted(store.find_many(collection, ["short", "long"]))
        assert many == ["long"], f"[{backend}] find_many after expiry returned {many!r}"
        if store.supports(Capability.QUERY):
            keys = self._keys(store, collection, {"kind": "ttl"})
            assert keys == ["long"], f"[{backend}] query after expiry returned {keys!r}"
        if store.supports(Capability.CREATE_ONLY):
            store.put(collection, "short", {"kind": "again"}, create_only=True)
            assert store.get(collection, "short").value == {"kind": "again"}

    # -- queries -------------------------------------------------------------------------
    def test_query_equality(self, store: DocumentStore, backend: str) -> None:
        """Equality on one and on two fields (``query``)."""
        if not self._query_or_unsupported(store, backend):
            return
        people = self._people(store)
        assert sorted(self._keys(store, people, {"city": "Oslo"})) == ["a", "c"]
        assert self._keys(store, people, {"city": "Rome", "age": 25}) == ["b"]
        assert self._keys(store, people, {"city": "Paris"}) == []

    def test_query_ranges_and_unlike_types(self, store: DocumentStore, backend: str) -> None:
        """lt/le/gt/ge compare like types only: a string age never matches a number
        (``query``)."""
        if not self._query_or_unsupported(store, backend):
            return
        people = self._people(store)
        cases = {
            ("age", "gt", 25): ["a", "c"],
            ("age", "ge", 25): ["a", "b", "c", "d"],
            ("age", "lt", 31): ["b", "d"],
            ("age", "le", 31): ["a", "b", "d"],
            ("score", "gt", 1.5): ["b", "d"],
            ("name", "ge", "cy"): ["c", "d", "e"],
        }
        for (name, op, operand), expected in cases.items():
            got = sorted(self._keys(store, people, [Filter(name, op, operand)]))  # type: ignore[arg-type]
            assert got == expected, f"[{backend}] {name} {op} {operand!r}: got {got}"
        both = [Filter("age", "ge", 25), Filter("age", "lt", 40)]
        assert sorted(self._keys(store, people, both)) == ["a", "b", "d"]

    def test_query_in_and_ne(self, store: DocumentStore, backend: str) -> None:
        """``in`` matches any listed value; ``ne`` also matches a missing field (``query``)."""
        if not self._query_or_unsupported(store, backend):
            return
        people = self._people(store)
        got = sorted(self._keys(store, people, [Filter("city", "in", ["Lima", "Rome"])]))
        assert got == ["b", "d", "e"], f"[{backend}] city in [Lima, Rome]: {got}"
        got = sorted(self._keys(store, people, [Filter("city", "ne", "Oslo")]))
        assert got == ["b", "d", "e"], f"[{backend}] city ne Oslo: {got}"
        got = sorted(self._keys(store, people, [Filter("score", "ne", 3.0)]))
        assert got == ["a", "c", "d", "e"], f"[{backend}] score ne 3.0 (c has no score): {got}"

    def test_query_missing_field(self, store: DocumentStore, backend: str) -> None:
        """A missing field matches no condition but ``ne`` (``query``)."""
        if not self._query_or_unsupported(store, backend):
            return
        people = self._people(store)
        for op, operand in (("eq", None), ("lt", 100), ("ge", 0), ("in", [0, 1.5])):
            got = sorted(self._keys(store, people, [Filter("score", op, operand)]))  # type: ignore[arg-type]
            assert "c" not in got, f"[{backend}] doc without score matched score {op} {operand}"
        assert self._keys(store, people, {"nickname": "x"}) == []

    def test_query_order(self, store: DocumentStore, backend: str) -> None:
        """order_by sorts ascending or descending (``query``)."""
        if not self._query_or_unsupported(store, backend):
            return
        people = self._people(store)
        where = [Filter("score", "ge", 0)]
        ascending = self._keys(store, people, where, order_by="score")
        assert ascending == ["e", "a", "d", "b"], f"[{backend}] by score: {ascending}"
        descending = self._keys(store, people, where, order_by="score", descending=True)
        assert descending == ["b", "d", "a", "e"], f"[{backend}] by score desc: {descending}"
        names = self._keys(store, people, None, order_by="name")
        assert names == ["a", "b", "c", "d", "e"], f"[{backend}] by name: {names}"

    def test_query_paging(self, store: DocumentStore, backend: str) -> None:
        """limit=2 over 5 documents: 3 pages, each document exactly once (``query``)."""
        if not self._query_or_unsupported(store, backend):
            return
        people = self._people(store)
        for order_by in (None, "name"):
            seen: list[str] = []
            cursor: str | None = None
            for _ in range(10):
                page = store.query(people, None, order_by=order_by, limit=2, cursor=cursor)
                assert len(page.items) <= 2
                seen.extend(d.key for d in page.items)
                cursor = page.cursor
                if cursor is None:
                    break
            assert sorted(seen) == ["a", "b", "c", "d", "e"], (
                f"[{backend}] paging (order_by={order_by}) returned {seen}"
            )

    # -- batch ---------------------------------------------------------------------------
    def test_batch_partial_failure(self, store: DocumentStore, backend: str) -> None:
        """put_many of 30 items with one stale if_match writes the 29 others and reports
        that one in ``failed`` as ConcurrencyConflict — in chunks with ``batch``, one by
        one (the port base's fallback) without it."""
        collection = _collection()
        store.put(collection, "item-07", {"n": -1})
        items = [WriteItem(f"item-{i:02d}", {"n": i}) for i in range(30)]
        if store.supports(Capability.ETAG):
            items[7] = WriteItem("item-07", {"n": 7}, if_match="stale-etag")
            expected_failed = ["item-07"]
        else:
            expected_failed = []
        result = store.put_many(collection, items)
        assert sorted(result.failed) == expected_failed, (
            f"[{backend}] expected failed={expected_failed}, got {result.failed!r}"
        )
        for error in result.failed.values():
            assert isinstance(error, ConcurrencyConflict), f"[{backend}] {error!r}"
        assert len(result.written) == 30 - len(expected_failed)
        for i in range(30):
            expected = -1 if expected_failed and i == 7 else i
            doc = store.get(collection, f"item-{i:02d}")
            assert doc.value == {"n": expected}, f"[{backend}] item-{i:02d} is {doc.value}"
            if doc.key in result.written:
                assert doc.etag == result.written[doc.key]


__all__ = ["DocumentStoreContract"]
