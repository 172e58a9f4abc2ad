"""DynamoDocumentStore behaviour beyond the conformance kit: racing writers, TTL hidden
on read although moto keeps the item, paging with filters (table and index), retries of
``UnprocessedItems`` and of throttling, the 400 KB limit. Backends: moto in-process and
moto's server app in a subprocess, both with atomic conditional writes (moto checks a
condition and writes without a lock; DynamoDB is atomic, see moto_fault_server.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aws_moto import AtomicInProcess, OnFaultServer, fail_first, settings

from socialreferral.errors import (
    ConcurrencyConflict,
    DocumentExists,
    DocumentNotFound,
    DocumentTooLarge,
    InvalidInput,
)
from socialreferral.ports import RetryPolicy, matches
from socialreferral.providers import BuildContext
from socialreferral.providers.aws.store import DynamoDocumentStore
from socialreferral.records import Filter, WriteItem

pytestmark = pytest.mark.aws


def _race(store: DynamoDocumentStore, key: str, etag: str) -> dict[str, Any]:
    """Two threads write ``key`` at the same moment, both conditional on ``etag``."""
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def write(writer: str) -> None:
        barrier.wait()
        try:
            outcomes[writer] = store.put("race", key, {"owner": writer}, if_match=etag)
        except ConcurrencyConflict as exc:
            outcomes[writer] = exc

    threads = [threading.Thread(target=write, args=(w,)) for w in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


class _StoreTests:
    @pytest.fixture
    def store(self, endpoint: str | None) -> Iterator[DynamoDocumentStore]:
        store = DynamoDocumentStore.from_settings(
            settings(endpoint, indexed_fields=("colour",)), BuildContext()
        )
        store.retry = RetryPolicy(attempts=6, initial_wait=0.01, max_wait=0.05)
        yield store
        store.ddb.delete_table(TableName=store.table)
        store.close()

    def test_two_writers_racing_exactly_one_wins(
        self, store: DynamoDocumentStore, backend: str
    ) -> None:
        for round_ in range(15):
            key = f"doc-{round_}"
            base = store.put("race", key, {"owner": None})
            outcomes = _race(store, key, base.etag)
            winners = [w for w, o in outcomes.items() if not isinstance(o, Exception)]
            losers = [w for w, o in outcomes.items() if isinstance(o, ConcurrencyConflict)]
            assert len(winners) == 1 and len(losers) == 1, f"[{backend}] {outcomes}"
            assert store.get("race", key).value == {"owner": winners[0]}

    def test_expired_items_hidden_though_moto_keeps_them(
        self, store: DynamoDocumentStore, backend: str
    ) -> None:
        store.put("ttl", "short", {"n": 1}, ttl=0.5)
        store.put("ttl", "long", {"n": 2}, ttl=3600)
        time.sleep(0.7)
        raw = store.ddb.get_item(
            TableName=store.table, Key={"pk": {"S": "ttl"}, "sk": {"S": "short"}}
        )
        assert "Item" in raw, "moto deletes expired items now; the workaround may go"
        with pytest.raises(DocumentNotFound):
            store.get("ttl", "short")
        assert [d.key for d in store.iter_query("ttl")] == ["long"], backend
        assert store.delete("ttl", "short") is False
        store.put("ttl", "long", {"n": 3}, ttl=0.5)
        time.sleep(0.7)
        store.put("ttl", "long", {"n": 4}, create_only=True)  # expired counts as absent
        with pytest.raises(DocumentExists):
            store.put("ttl", "long", {"n": 5}, create_only=True)

    @pytest.mark.parametrize("page_size", [1, 3, 7, 50])
    def test_paging_with_filters_returns_each_match_once(
        self, store: DynamoDocumentStore, backend: str, page_size: int
    ) -> None:
        values = {
            f"k{i:03d}": {"n": i, "colour": ["red", "green", "blue"][i % 3], "odd": i % 2 == 1}
            for i in range(60)
        }
        assert store.put_many("paging", [WriteItem(k, v) for k, v in values.items()]).ok
        queries: list[list[Filter]] = [
            [Filter("colour", "eq", "red")],  # served by the by_colour index
            [Filter("colour", "eq", "red"), Filter("n", "gt", 20)],
            [Filter("odd", "eq", True), Filter("n", "le", 33)],  # table + Python filters
            [Filter("n", "in", [5, 6, 59])],
            [Filter("colour", "eq", "purple")],
        ]
        for filters in queries:
            expected = sorted(k for k, v in values.items() if matches(v, filters))
            got = [d.key for d in store.iter_query("paging", filters, page_size=page_size)]
            assert got == expected, f"[{backend}] {filters}"
            by_n = [
                d.key
                for d in store.iter_query(
                    "paging", filters, order_by="n", descending=True, page_size=page_size
                )
            ]
            assert by_n == sorted(expected, key=lambda k: -values[k]["n"]), filters

    def test_unprocessed_items_are_retried(self, store: DynamoDocumentStore, backend: str) -> None:
        real = store.ddb.batch_write_item
        calls: list[int] = []

        def throttled(**request: Any) -> Any:
            [(table, puts)] = request["RequestItems"].items()
            calls.append(len(puts))
            if len(calls) == 1:  # DynamoDB wrote 10 and left 15 unprocessed
                real(RequestItems={table: puts[:10]})
                return {"UnprocessedItems": {table: puts[10:]}}
            return real(**request)

        store.ddb.batch_write_item = throttled
        result = store.put_many("batch", [WriteItem(f"i{n:02d}", {"n": n}) for n in range(25)])
        assert result.ok and len(result.written) == 25, backend
        assert calls == [25, 15], "only the unprocessed items are sent again"
        for key, etag in result.written.items():
            assert store.get("batch", key).etag == etag

    def test_throttling_is_retried(self, store: DynamoDocumentStore, backend: str) -> None:
        puts = fail_first(store.ddb, "PutItem", 3, code="ProvisionedThroughputExceededException")
        queries = fail_first(store.ddb, "Query", 2)
        written = store.put("throttle", "k", {"v": 1}, create_only=True)
        assert [d.value for d in store.iter_query("throttle")] == [{"v": 1}], backend
        assert store.get("throttle", "k").etag == written.etag
        assert len(puts) == 4 and len(queries) == 3

    def test_too_large_is_rejected_before_sending(self, store: DynamoDocumentStore) -> None:
        with pytest.raises(DocumentTooLarge):
            store.put("big", "k", {"blob": "x" * (400 * 1024)})
        result = store.put_many(
            "big", [WriteItem("ok", {"v": 1}), WriteItem("huge", {"blob": "x" * 500_000})]
        )
        assert set(result.written) == {"ok"} and isinstance(result.failed["huge"], DocumentTooLarge)
        assert store.find("big", "huge") is None

    def test_largest_allowed_document_fits_in_dynamodb(self, store: DynamoDocumentStore) -> None:
        blob = "x" * (store.max_document_bytes - len('{"blob":""}'))  # exactly at the limit
        store.put("big", "k" * 255, {"blob": blob})
        assert store.get("big", "k" * 255).value["blob"] == blob

    def test_foreign_cursor_is_invalid_input(self, store: DynamoDocumentStore) -> None:
        store.put("c", "a", {"n": 1})
        with pytest.raises(InvalidInput):
            store.query("c", cursor="not-base64-json!")
        page = store.query("c", order_by="n", limit=1)
        store.put("c", "b", {"n": 2})
        cursor = store.query("c", order_by="n", limit=1).cursor
        assert cursor is not None and page.items[0].key == "a"
        with pytest.raises(InvalidInput):
            store.query("c", order_by="other", cursor=cursor)


class TestDynamoStoreInProcess(AtomicInProcess, _StoreTests):
    pass


class TestDynamoStoreOnServer(OnFaultServer, _StoreTests):
    pass
