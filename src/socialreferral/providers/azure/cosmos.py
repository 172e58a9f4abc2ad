"""Azure Cosmos DB (NoSQL API) adapter: :class:`CosmosDocumentStore`.

Features
    * one Cosmos container holds every collection; the partition key ``/pk`` is the
      collection name and ``id`` is the key, so queries are single-partition and a
      transactional batch covers any chunk of one collection (a logical partition holds
      at most 20 GB: spread very large collections over several names);
    * optimistic concurrency with ``_etag`` and If-Match (412 → ``ConcurrencyConflict``),
      create-only writes (409 → ``DocumentExists``);
    * TTL through Cosmos' per-item ``ttl`` (the container is created with
      ``default_ttl=-1``); expired documents are also hidden by this adapter (an
      ``expires_at`` field), for emulators that never expire anything;
    * parameterised, partition-scoped queries with Cosmos continuation tokens as cursors;
      ordering by a field breaks ties by key when the container has a composite index
      on ``(/doc/<field>, /id)``, and falls back to the field alone when it has none;
    * ``put_many`` as transactional batches: an item that fails is reported and the rest
      of its chunk is retried without it, so the outcome is per item;
    * 429s are retried by the Cosmos SDK, waiting what ``x-ms-retry-after-ms`` asks
      (``cosmos_throttle_retries`` times), then surface as ``TransientError``.

Item layout: ``{"id": key, "pk": collection, "doc": value, "ttl"?, "expires_at"?}``.

Configuration (``[azure]``): ``cosmos_endpoint``, ``cosmos_key`` (or a token credential
with the *Cosmos DB Built-in Data Contributor* data-plane role; the database and container
must then exist, as the data plane cannot create them), ``cosmos_database``,
``cosmos_container``, ``enable_endpoint_discovery``, ``cosmos_emulator_compat``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self

from socialreferral.errors import (
    ConcurrencyConflict,
    DocumentExists,
    DocumentNotFound,
    DocumentStoreError,
    DocumentTooLarge,
    TransientError,
)
from socialreferral.ports import DocumentStore, RetryPolicy
from socialreferral.providers.azure._cosmos_sql import build_query
from socialreferral.providers.azure.errors import map_azure_errors, status_of
from socialreferral.records import BatchResult, Capability, Document, Filter, Page, WriteItem

if TYPE_CHECKING:
    from socialreferral.providers import BuildContext
    from socialreferral.providers.azure.settings import AzureSettings


class CosmosDocumentStore(DocumentStore):
    """Documents in one Cosmos DB container, partitioned by collection."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.ETAG, Capability.CREATE_ONLY, Capability.TTL, Capability.QUERY,
         Capability.BATCH}
    )  # fmt: skip
    provider: ClassVar[str] = "azure"
    max_document_bytes: ClassVar[int] = 2 * 1024 * 1024 - 4096  # 2 MB item, minus envelope
    max_batch: ClassVar[int] = 100  # Cosmos' transactional batch limit

    def __init__(
        self,
        container_client: Any,
        *,
        emulator_compat: bool = False,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Wrap an ``azure.cosmos.ContainerProxy`` whose partition key path is ``/pk``."""
        super().__init__(retry=retry)
        self._container = container_client
        self._compat = emulator_compat
        self._no_tie_break: set[str] = set()  # fields without a composite index

    @classmethod
    def from_settings(cls, settings: AzureSettings, context: BuildContext) -> Self:
        """Connect, creating database and container when a key is configured."""
        from socialreferral.providers.azure._clients import sdk, token_credential

        settings.require("CosmosDocumentStore", "cosmos_endpoint")
        cosmos = sdk("azure.cosmos")
        key = settings.cosmos_key
        client = cosmos.CosmosClient(
            settings.cosmos_endpoint,
            credential=key.get_secret_value() if key else token_credential(context),
            enable_endpoint_discovery=settings.enable_endpoint_discovery,
            connection_verify=settings.connection_verify,
            retry_throttle_total=settings.cosmos_throttle_retries or None,
        )
        with map_azure_errors("store", "cosmos container"):
            if key is None:  # Entra ID tokens cannot create resources on the data plane
                database = client.get_database_client(settings.cosmos_database)
                container = database.get_container_client(settings.cosmos_container)
            else:
                database = client.create_database_if_not_exists(settings.cosmos_database)
                container = database.create_container_if_not_exists(
                    settings.cosmos_container,
                    partition_key=cosmos.PartitionKey(path="/pk"),
                    default_ttl=-1,  # per-item ttl on, nothing expires by default
                )
        return cls(container, emulator_compat=settings.cosmos_emulator_compat)

    # -- primitives ----------------------------------------------------------------
    def _get(self, collection: str, key: str) -> Document | None:
        item = self._read(collection, key)
        return None if item is None or _expired(item) else _document(collection, item)

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
        from azure.core import MatchConditions

        item = _item(collection, key, value, ttl)
        subject = f"{collection}/{key}"
        if create_only:
            try:
                with map_azure_errors("store", subject):
                    return _document(collection, self._container.create_item(item))
            except DocumentExists:
                current = self._read(collection, key)
                if current is None or not _expired(current):
                    raise
                if_match = current["_etag"]  # an expired leftover: take its place
        try:
            with map_azure_errors("store", subject):
                if if_match is None:
                    return _document(collection, self._container.upsert_item(item))
                written = self._container.replace_item(
                    key, item, etag=if_match, match_condition=MatchConditions.IfNotModified
                )
                return _document(collection, written)
        except DocumentNotFound as exc:  # if_match on a missing document
            raise ConcurrencyConflict(f"{subject}: no document to match {if_match}") from exc

    def _delete(self, collection: str, key: str, *, if_match: str | None) -> bool:
        from azure.core import MatchConditions

        live = True
        if self._compat:  # the emulator keeps expired items: they must count as absent
            current = self._read(collection, key)
            if current is None:
                return False
            live = not _expired(current)
        conditions: dict[str, Any] = {}
        if if_match is not None:
            conditions = {"etag": if_match, "match_condition": MatchConditions.IfNotModified}
        try:
            with map_azure_errors("store", f"{collection}/{key}"):
                self._container.delete_item(key, partition_key=collection, **conditions)
        except DocumentNotFound:
            return False
        return live

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
        tie_break = order_by is not None and order_by not in self._no_tie_break
        try:
            return self._query_page(collection, filters, order_by, descending, limit, cursor,
                                    tie_break)  # fmt: skip
        except DocumentStoreError as exc:
            if not (tie_break and "composite index" in str(exc.__cause__ or "")):
                raise
        assert order_by is not None
        self._no_tie_break.add(order_by)
        return self._query_page(collection, filters, order_by, descending, limit, cursor, False)

    def _query_page(
        self,
        collection: str,
        filters: Sequence[Filter],
        order_by: str | None,
        descending: bool,
        limit: int,
        cursor: str | None,
        tie_break: bool,
    ) -> Page:
        sql, parameters = build_query(
            collection, filters, now=time.time(), order_by=order_by, descending=descending,
            tie_break=tie_break,
        )  # fmt: skip
        with map_azure_errors("store", f"query {collection}"):
            pages = self._container.query_items(
                sql, parameters=parameters, partition_key=collection, max_item_count=limit
            ).by_page(cursor)
            items = [_document(collection, item) for item in next(pages, [])]
            token = pages.continuation_token
        return Page(items, token or None)

    def _put_batch(self, collection: str, items: Sequence[WriteItem]) -> BatchResult:
        if self._compat:  # @vercel/cosmosdb-server answers 500 to every batch
            return self._put_each(collection, items)
        written: dict[str, str] = {}
        failed: dict[str, Exception] = {}
        pending = list(items)
        while pending:
            try:
                with map_azure_errors("store", f"batch {collection}"):
                    results = self._container.execute_item_batch(
                        [_operation(collection, item) for item in pending],
                        partition_key=collection,
                    )
            except DocumentStoreError as exc:
                index = getattr(exc.__cause__, "error_index", None)
                if index is None:
                    raise
                bad = pending.pop(index)
                failed[bad.key] = _operation_error(collection, bad, exc.__cause__, index)
                continue
            for item, result in zip(pending, results, strict=True):
                written[item.key] = str(result.get("eTag") or result["resourceBody"]["_etag"])
            pending = []
        return BatchResult(written, failed)

    # -- helpers -------------------------------------------------------------------
    def _put_each(self, collection: str, items: Sequence[WriteItem]) -> BatchResult:
        written: dict[str, str] = {}
        failed: dict[str, Exception] = {}
        for item in items:
            try:
                document = self._put(collection, item.key, item.value, if_match=item.if_match,
                                     create_only=item.create_only, ttl=item.ttl)  # fmt: skip
            except TransientError:
                raise
            except DocumentStoreError as exc:
                failed[item.key] = exc
            else:
                written[item.key] = document.etag
        return BatchResult(written, failed)

    def _read(self, collection: str, key: str) -> dict[str, Any] | None:
        try:
            with map_azure_errors("store", f"{collection}/{key}"):
                item: dict[str, Any] = self._container.read_item(key, partition_key=collection)
                return item
        except DocumentNotFound:
            return None
        except TransientError as exc:
            # @vercel/cosmosdb-server answers 500 (not 404) for a missing item: ask again
            # with a query, which tells "absent" from a real failure.
            if not (self._compat and status_of(exc.__cause__ or exc) == 500):
                raise
        with map_azure_errors("store", f"{collection}/{key}"):
            found = list(
                self._container.query_items(
                    "SELECT * FROM c WHERE c.pk = @pk AND c.id = @id",
                    parameters=[{"name": "@pk", "value": collection},
                                {"name": "@id", "value": key}],
                    partition_key=collection,
                )
            )  # fmt: skip
        return found[0] if found else None

    def close(self) -> None:
        """Nothing to release: the CosmosClient's session closes with the process."""


def _item(collection: str, key: str, value: dict[str, Any], ttl: float | None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": key, "pk": collection, "doc": value}
    if ttl is not None:
        item["ttl"] = max(1, math.ceil(ttl))  # Cosmos counts whole seconds
        item["expires_at"] = time.time() + ttl
    return item


def _expired(item: dict[str, Any]) -> bool:
    expires_at = item.get("expires_at")
    return isinstance(expires_at, int | float) and expires_at <= time.time()


def _document(collection: str, item: dict[str, Any]) -> Document:
    expires_at = item.get("expires_at")
    return Document(
        collection=collection,
        key=str(item["id"]),
        value=dict(item.get("doc") or {}),
        etag=str(item["_etag"]),
        expires_at=float(expires_at) if isinstance(expires_at, int | float) else None,
    )


def _operation(collection: str, item: WriteItem) -> tuple[Any, ...]:
    body = _item(collection, item.key, item.value, item.ttl)
    if item.create_only:
        return ("create", (body,))
    if item.if_match is not None:
        return ("replace", (item.key, body), {"if_match_etag": item.if_match})
    return ("upsert", (body,))


def _operation_error(collection: str, item: WriteItem, error: Any, index: int) -> Exception:
    """The library error for the one operation that made a transactional batch fail."""
    responses = getattr(error, "operation_responses", None) or []
    status = responses[index].get("statusCode") if index < len(responses) else None
    subject = f"{collection}/{item.key}"
    if status == 409:
        return DocumentExists(f"{subject}: create-only write found the key taken")
    if status == 412 or (status == 404 and item.if_match is not None):
        return ConcurrencyConflict(f"{subject}: etag {item.if_match} does not match")
    if status == 413:
        return DocumentTooLarge(f"{subject}: larger than Cosmos' item limit")
    return DocumentStoreError(f"{subject}: batch operation failed with status {status}")


__all__ = ["CosmosDocumentStore"]
