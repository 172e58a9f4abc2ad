"""DynamoDocumentStore: the DocumentStore port on one Amazon DynamoDB table.

Table layout
    Partition key ``pk`` = collection, sort key ``sk`` = document key, ``v`` = the value as
    compact JSON text, ``etag`` = a random hex string replaced on every write, ``expires_at``
    = epoch seconds (the table's TTL attribute). A field named in ``indexed_fields`` also
    gets ``i_<field>`` = ``"<collection>" + "\\x1f" + <string value>`` and the global
    secondary index ``by_<field>`` (hash ``i_<field>``, range ``sk``, projection ALL).

Features
    Optimistic concurrency through condition expressions on ``etag``
    (``ConcurrencyConflict``), create-only writes (``DocumentExists``), TTL (DynamoDB deletes
    expired items lazily, up to days later, and moto never does, so expired items are
    hidden on every read and treated as absent by conditions), queries, batch writes
    (``BatchWriteItem`` retrying ``UnprocessedItems``; items with conditions are written one
    by one, because BatchWriteItem cannot carry conditions), and ``DocumentTooLarge`` before
    an item would pass DynamoDB's 400 KB limit. Capabilities: ``etag``, ``create_only``,
    ``ttl``, ``query``, ``batch``.

Queries
    Without ``order_by`` a query is a key-condition ``Query`` on the collection's partition
    (or on ``by_<field>`` when an equality filter names an indexed field with a string
    operand), in key order; filters are applied in Python per page with
    :func:`socialreferral.ports.matches`, so their semantics equal the reference exactly.
    The cursor is the base64 of the last returned key, used as ``ExclusiveStartKey``, so
    every match is returned exactly once however the filters thin out the pages. With
    ``order_by`` the whole collection (or index range) is read, filtered and sorted in
    Python (missing, null, numbers and booleans, strings, arrays/objects, then key), and
    the cursor is the last row's sort key: O(collection) reads per page, fine for the
    moderate collections that need an ad-hoc order; give large ones an index instead.

Configuration and permissions
    ``[aws]``: ``table_name``, ``indexed_fields``, ``consistent_reads``. Least privilege:
    ``dynamodb:GetItem``, ``PutItem``, ``DeleteItem``, ``Query``, ``BatchWriteItem`` on the
    table and its indexes (GSI queries are eventually consistent on AWS).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from collections.abc import Sequence
from typing import Any, ClassVar, Self

from socialreferral.errors import (
    ConcurrencyConflict,
    DocumentExists,
    DocumentStoreError,
    DocumentTooLarge,
    InvalidInput,
    TransientError,
)
from socialreferral.ports import DocumentStore, RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.aws._progress import ChunkProgress
from socialreferral.providers.aws.clients import make_client
from socialreferral.providers.aws.errors import map_boto_errors
from socialreferral.providers.aws.settings import AwsSettings
from socialreferral.records import BatchResult, Capability, Document, Filter, Page, WriteItem

ITEM_LIMIT = 400_000  # DynamoDB's item size limit in bytes (names and values)
_SEP = "\x1f"  # unit separator: cannot occur in a collection name
_MAX_INDEXED = 1024  # longer strings are not indexed (GSI keys are limited to 2048 bytes)
_LIVE = "(attribute_not_exists(expires_at) OR expires_at > :now)"


class DynamoDocumentStore(DocumentStore):
    """Document store on DynamoDB (see the module docstring)."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.ETAG,
            Capability.CREATE_ONLY,
            Capability.TTL,
            Capability.QUERY,
            Capability.BATCH,
        }
    )
    provider: ClassVar[str] = "aws"
    # DynamoDB's 400 KB (400,000 bytes) counts the whole item: keep 2,000 bytes for pk,
    # sk, etag and expires_at; _item() checks the exact size, index attributes included
    max_document_bytes: ClassVar[int] = 398_000
    max_batch: ClassVar[int] = 25

    def __init__(
        self,
        dynamodb: Any,
        table: str,
        *,
        indexed_fields: Sequence[str] = (),
        consistent_reads: bool = True,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Use an existing table. ``dynamodb`` is a boto3 DynamoDB (low-level) client."""
        super().__init__(retry=retry)
        self.ddb, self.table = dynamodb, table
        self.indexed_fields = tuple(indexed_fields)
        self.consistent_reads = consistent_reads
        self._progress = ChunkProgress()

    @classmethod
    def from_settings(cls, settings: AwsSettings, context: BuildContext) -> Self:
        """Build from ``[aws]`` settings (creating the table only if allowed)."""
        ddb = make_client(settings, "dynamodb")
        if settings.create_missing_resources:
            from socialreferral.providers.aws.provision import ensure_table

            ensure_table(ddb, settings.table_name, settings.indexed_fields)
        return cls(
            ddb,
            settings.table_name,
            indexed_fields=settings.indexed_fields,
            consistent_reads=settings.consistent_reads,
        )

    # -- primitives ----------------------------------------------------------------
    def _get(self, collection: str, key: str) -> Document | None:
        with map_boto_errors(DocumentStoreError, what=f"GetItem {collection}/{key}"):
            answer = self.ddb.get_item(
                TableName=self.table,
                Key={"pk": {"S": collection}, "sk": {"S": key}},
                ConsistentRead=self.consistent_reads,
            )
        item = answer.get("Item")
        return None if item is None else _live(item, collection, time.time())

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
        now = time.time()
        document = Document(collection, key, value, uuid.uuid4().hex, _expiry(now, ttl))
        request: dict[str, Any] = {"TableName": self.table, "Item": self._item(document)}
        if create_only:
            request["ConditionExpression"] = "attribute_not_exists(sk) OR expires_at <= :now"
        elif if_match is not None:
            request["ConditionExpression"] = f"etag = :etag AND {_LIVE}"
            request["ExpressionAttributeValues"] = {":etag": {"S": if_match}}
        if "ConditionExpression" in request:
            values = request.setdefault("ExpressionAttributeValues", {})
            values[":now"] = {"N": repr(now)}
        try:
            with map_boto_errors(DocumentStoreError, what=f"PutItem {collection}/{key}"):
                self.ddb.put_item(**request)
        except ConcurrencyConflict:
            if create_only:
                raise DocumentExists(f"{collection}/{key} already exists") from None
            raise ConcurrencyConflict(f"{collection}/{key}: etag {if_match} is stale") from None
        except InvalidInput as exc:
            if "size" in str(exc).lower():
                raise DocumentTooLarge(f"{collection}/{key}: {exc}") from exc
            raise
        return document

    def _delete(self, collection: str, key: str, *, if_match: str | None) -> bool:
        now = time.time()
        request: dict[str, Any] = {
            "TableName": self.table,
            "Key": {"pk": {"S": collection}, "sk": {"S": key}},
            "ReturnValues": "ALL_OLD",
        }
        if if_match is not None:
            request["ConditionExpression"] = f"etag = :etag AND {_LIVE}"
            request["ExpressionAttributeValues"] = {
                ":etag": {"S": if_match},
                ":now": {"N": repr(now)},
            }
        try:
            with map_boto_errors(DocumentStoreError, what=f"DeleteItem {collection}/{key}"):
                old = self.ddb.delete_item(**request).get("Attributes")
        except ConcurrencyConflict:
            raise ConcurrencyConflict(f"{collection}/{key}: etag {if_match} is stale") from None
        return old is not None and _live(old, collection, now) is not None

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
        from socialreferral.providers.aws.query import run_query

        return run_query(self, collection, filters, order_by, descending, limit, cursor)

    def _put_batch(self, collection: str, items: Sequence[WriteItem]) -> BatchResult:
        done = self._progress.start(items)
        keys = [item.key for item in items]
        # BatchWriteItem takes neither conditions nor a key twice: those go one by one
        plain = [
            i
            for i, item in enumerate(items)
            if i not in done
            and item.if_match is None
            and not item.create_only
            and keys.count(item.key) == 1
        ]
        now = time.time()
        staged: dict[int, Document] = {}
        for i in plain:
            item = items[i]
            etag, expires_at = uuid.uuid4().hex, _expiry(now, item.ttl)
            staged[i] = Document(collection, item.key, item.value, etag, expires_at)
        requests = []
        for i, document in list(staged.items()):
            try:
                requests.append({"PutRequest": {"Item": self._item(document)}})
            except DocumentTooLarge as exc:  # index attributes pushed it over the limit
                done[i] = exc
                del staged[i]
        if staged:
            with map_boto_errors(DocumentStoreError, what=f"BatchWriteItem {collection}"):
                answer = self.ddb.batch_write_item(RequestItems={self.table: requests})
            left = {
                r["PutRequest"]["Item"]["sk"]["S"]
                for r in answer.get("UnprocessedItems", {}).get(self.table, ())
            }
            for i, document in staged.items():
                if document.key not in left:
                    done[i] = document.etag
            if left:
                raise TransientError(f"DynamoDB left {len(left)} items unprocessed")
        for i, item in enumerate(items):
            if i in done:
                continue
            try:
                written = self._put(
                    collection,
                    item.key,
                    item.value,
                    if_match=item.if_match,
                    create_only=item.create_only,
                    ttl=item.ttl,
                )
                done[i] = written.etag
            except (ConcurrencyConflict, DocumentTooLarge, InvalidInput) as exc:
                # per-item outcome: the port reports it in BatchResult.failed
                done[i] = exc
        self._progress.finish()
        written_etags: dict[str, str] = {}
        failed: dict[str, Exception] = {}
        for i, item in enumerate(items):
            outcome = done[i]
            if isinstance(outcome, Exception):
                failed[item.key] = outcome
                written_etags.pop(item.key, None)
            else:
                written_etags[item.key] = outcome
                failed.pop(item.key, None)
        return BatchResult(written_etags, failed)

    # -- helpers -------------------------------------------------------------------
    def _item(self, document: Document) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": {"S": document.collection},
            "sk": {"S": document.key},
            "v": {"S": json.dumps(document.value, separators=(",", ":"), ensure_ascii=False)},
            "etag": {"S": document.etag},
        }
        if document.expires_at is not None:
            item["expires_at"] = {"N": repr(document.expires_at)}
        for field in self.indexed_fields:
            indexed = index_value(document.collection, document.value.get(field))
            if indexed is not None:
                item[f"i_{field}"] = {"S": indexed}
        size = sum(len(k) + len(next(iter(v.values())).encode()) for k, v in item.items())
        if size > ITEM_LIMIT:
            raise DocumentTooLarge(
                f"{document.collection}/{document.key}: the item takes {size} bytes, "
                f"DynamoDB stores at most {ITEM_LIMIT}"
            )
        return item

    def close(self) -> None:
        """Close the client's connection pool."""
        self.ddb.close()


def index_value(collection: str, value: Any) -> str | None:
    """The GSI key for a field value, or None for values that are not indexed."""
    if isinstance(value, str) and len(value.encode("utf-8")) <= _MAX_INDEXED:
        return f"{collection}{_SEP}{value}"
    return None


def _expiry(now: float, ttl: float | None) -> float | None:
    return None if ttl is None else now + ttl


def _live(item: dict[str, Any], collection: str, now: float) -> Document | None:
    """The document an item holds, or None if it has expired (moto never deletes it)."""
    expires = item.get("expires_at")
    expires_at = float(expires["N"]) if expires is not None else None
    if expires_at is not None and expires_at <= now:
        return None
    return Document(
        collection, item["sk"]["S"], json.loads(item["v"]["S"]), item["etag"]["S"], expires_at
    )


def encode_cursor(data: dict[str, Any]) -> str:
    """Opaque cursor text (urlsafe base64 of compact JSON)."""
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    """Inverse of :func:`encode_cursor`; ``InvalidInput`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("not a cursor of this store", field="cursor") from exc
    if not isinstance(data, dict):
        raise InvalidInput("not a cursor of this store", field="cursor")
    return data


__all__ = ["DynamoDocumentStore", "decode_cursor", "encode_cursor", "index_value"]
