"""Queries of :class:`~socialreferral.providers.aws.store.DynamoDocumentStore`.

Split from ``store.py`` to keep both modules short. See the store's module docstring for
the strategy: key-condition ``Query`` (or a ``by_<field>`` index) in key order with filters
applied in Python per page and a keyset cursor; or, with ``order_by``, read-filter-sort.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from socialreferral.errors import DocumentStoreError, InvalidInput
from socialreferral.ports import matches
from socialreferral.providers.aws.errors import map_boto_errors
from socialreferral.providers.aws.store import (
    _live,
    decode_cursor,
    encode_cursor,
    index_value,
)
from socialreferral.records import Document, Filter, Page

if TYPE_CHECKING:
    from socialreferral.providers.aws.store import DynamoDocumentStore


def run_query(
    store: DynamoDocumentStore,
    collection: str,
    filters: Sequence[Filter],
    order_by: str | None,
    descending: bool,
    limit: int,
    cursor: str | None,
) -> Page:
    """One page of the query (the store's ``_query`` primitive)."""
    state = decode_cursor(cursor) if cursor is not None else None
    source = _Source(store, collection, filters, descending)
    if order_by is None:
        after = None
        if state is not None:
            if not isinstance(state.get("k"), str) or state.get("d") != descending:
                raise InvalidInput("not a cursor of this query", field="cursor")
            after = state["k"]
        return _key_ordered(source, limit, after)
    return _value_ordered(source, order_by, limit, state)


class _Source:
    """Pages of live, matching documents of one collection, in key order."""

    def __init__(
        self,
        store: DynamoDocumentStore,
        collection: str,
        filters: Sequence[Filter],
        descending: bool,
    ) -> None:
        self.store, self.collection, self.filters = store, collection, filters
        self.descending = descending
        self.index: tuple[str, str] | None = None
        for f in filters:
            if f.op == "eq" and f.field in store.indexed_fields:
                indexed = index_value(collection, f.value)
                if indexed is not None:
                    self.index = (f.field, indexed)
                    break

    def scan(self, after: str | None, page_size: int) -> Iterator[tuple[Document, bool]]:
        """Yield ``(document, more_follow)`` for every live match after key ``after``.

        ``more_follow`` says whether DynamoDB may still hold items after this one.
        """
        request: dict[str, Any] = {
            "TableName": self.store.table,
            "ScanIndexForward": not self.descending,
            "Limit": page_size,
        }
        if self.index is None:
            request["KeyConditionExpression"] = "pk = :pk"
            request["ExpressionAttributeValues"] = {":pk": {"S": self.collection}}
            request["ConsistentRead"] = self.store.consistent_reads
        else:
            field, indexed = self.index
            request["IndexName"] = f"by_{field}"
            request["KeyConditionExpression"] = "#i = :i"
            request["ExpressionAttributeNames"] = {"#i": f"i_{field}"}
            request["ExpressionAttributeValues"] = {":i": {"S": indexed}}
        if after is not None:
            request["ExclusiveStartKey"] = self._key(after)
        while True:
            with map_boto_errors(DocumentStoreError, what=f"Query {self.collection}"):
                answer = self.store.ddb.query(**request)
            now = time.time()
            items = answer.get("Items", [])
            last_key = answer.get("LastEvaluatedKey")
            for position, item in enumerate(items):
                document = _live(item, self.collection, now)
                if document is not None and matches(document.value, self.filters):
                    yield document, position < len(items) - 1 or last_key is not None
            if not last_key:
                return
            request["ExclusiveStartKey"] = last_key

    def _key(self, key: str) -> dict[str, Any]:
        start = {"pk": {"S": self.collection}, "sk": {"S": key}}
        if self.index is not None:
            start[f"i_{self.index[0]}"] = {"S": self.index[1]}
        return start


def _key_ordered(source: _Source, limit: int, after: str | None) -> Page:
    # without filters limit+1 items tell whether another page exists; with filters read
    # bigger pages, since most items may be filtered out
    page_size = limit + 1 if not source.filters else min(1000, max(100, limit * 4))
    items: list[Document] = []
    for document, more in source.scan(after, page_size):
        items.append(document)
        if len(items) == limit:
            cursor = encode_cursor({"k": document.key, "d": source.descending})
            return Page(items, cursor if more else None)
    return Page(items, None)


def _value_ordered(
    source: _Source, order_by: str, limit: int, state: dict[str, Any] | None
) -> Page:
    descending = source.descending
    rows = [(sort_key(d.value, order_by, d.key), d) for d, _ in source.scan(None, 1000)]
    rows.sort(key=lambda row: row[0], reverse=descending)
    start = 0
    if state is not None:
        after = state.get("a")
        if (
            state.get("o") != order_by
            or state.get("d") != descending
            or not isinstance(after, list)
            or len(after) != 3
        ):
            raise InvalidInput("not a cursor of this query", field="cursor")
        bound = (after[0], after[1], after[2])
        # keyset paging: continue strictly after the last row returned, so writes between
        # pages neither repeat nor skip the rows that did not move
        while start < len(rows) and (
            rows[start][0] >= bound if descending else rows[start][0] <= bound
        ):
            start += 1
    chosen = rows[start : start + limit]
    documents = [document for _, document in chosen]
    if start + limit >= len(rows):
        return Page(documents, None)
    last = chosen[-1][0]
    return Page(documents, encode_cursor({"o": order_by, "d": descending, "a": list(last)}))


def sort_key(value: dict[str, Any], field: str, key: str) -> tuple[int, Any, str]:
    """Total order of documents by one field, then key (the local reference's order)."""
    if field not in value:
        return (0, 0, key)
    item = value[field]
    if item is None:
        return (1, 0, key)
    if isinstance(item, bool | int | float):
        return (2, float(item), key)
    if isinstance(item, str):
        return (3, item, key)
    return (4, json.dumps(item, separators=(",", ":"), sort_keys=True), key)
