"""The DocumentStore port: JSON documents with etags, TTL, queries and batches."""

from __future__ import annotations

import operator
import re
import time
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

from socialreferral.errors import (
    ConcurrencyConflict,
    DocumentTooLarge,
    InvalidInput,
    Unsupported,
)
from socialreferral.ports._base import Adapter, RetryPolicy, _chunks, encode_json
from socialreferral.records import (
    BatchResult,
    Capability,
    Document,
    Filter,
    Page,
    WriteItem,
)

_COLLECTION = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


# ======================================================================================
# DocumentStore
# ======================================================================================


def filters_from(where: Mapping[str, Any] | Sequence[Filter] | None) -> list[Filter]:
    """Accept ``{"field": value}`` (equality) or explicit :class:`Filter` objects."""
    if where is None:
        return []
    if isinstance(where, Mapping):
        return [Filter(k, "eq", v) for k, v in where.items()]
    return list(where)


def matches(value: Mapping[str, Any], filters: Sequence[Filter]) -> bool:
    """Evaluate filters in Python: the reference semantics every adapter must match.

    A missing field matches nothing but ``ne``; comparing unlike types is False.
    """
    for f in filters:
        if f.field not in value:
            if f.op == "ne":
                continue
            return False
        try:
            ok = bool(_OPERATORS[f.op](value[f.field], f.value))
        except TypeError:
            ok = False
        if not ok:
            return False
    return True


def _contains(actual: Any, options: Any) -> bool:
    return actual in options


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "in": _contains,
}


class DocumentStore(Adapter):
    """A NoSQL store of JSON objects in named collections, addressed by string keys.

    Writes return the new :class:`Document` with a fresh ``etag``; ``if_match`` makes a
    write conditional on the current etag (``ConcurrencyConflict`` otherwise) and
    ``create_only`` makes it fail with ``DocumentExists`` when the key is taken.
    A document written with ``ttl`` seconds is invisible to reads and queries once it
    expires, whether or not the backend has deleted it yet.
    """

    max_document_bytes: ClassVar[int] = 400 * 1024
    max_batch: ClassVar[int] = 25

    def __init__(self, *, retry: RetryPolicy | None = None) -> None:
        if retry is not None:
            self.retry = retry

    # -- primitives ----------------------------------------------------------------
    @abstractmethod
    def _get(self, collection: str, key: str) -> Document | None:
        """Return the live (unexpired) document or None."""

    @abstractmethod
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
        """Write one document honouring the conditions."""

    @abstractmethod
    def _delete(self, collection: str, key: str, *, if_match: str | None) -> bool:
        """Delete; return False if there was no live document."""

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
        raise Unsupported(self.adapter_name, Capability.QUERY)

    def _put_batch(self, collection: str, items: Sequence[WriteItem]) -> BatchResult:
        raise Unsupported(self.adapter_name, Capability.BATCH)

    def _get_many(self, collection: str, keys: Sequence[str]) -> dict[str, Document]:
        """The live documents among ``keys`` (at most ``max_batch`` distinct keys), by key.

        The default reads them one by one with :meth:`_get`; adapters whose backend reads
        many keys in one round trip (SQLite ``IN``, DynamoDB ``BatchGetItem``) override it.
        """
        found: dict[str, Document] = {}
        for key in keys:
            document = self._get(collection, key)
            if document is not None:
                found[key] = document
        return found

    # -- public API ----------------------------------------------------------------
    def get(self, collection: str, key: str) -> Document:
        """Return the document or raise :class:`~socialreferral.errors.DocumentNotFound`."""
        from socialreferral.errors import DocumentNotFound

        document = self.find(collection, key)
        if document is None:
            raise DocumentNotFound(f"{collection}/{key}")
        return document

    def find(self, collection: str, key: str) -> Document | None:
        """Return the document or None."""
        self._check(collection, key)
        return self._call(self._get, collection, key)

    def find_many(self, collection: str, keys: Iterable[str]) -> dict[str, Document]:
        """The documents stored under ``keys``, by key; missing (or expired) keys are
        absent from the result. Duplicate keys are read once.

        Same result as :meth:`find` per key, in as few round trips as the adapter allows
        (chunks of ``max_batch`` keys). Every key is validated before the first is read.
        Each document is read as of its own moment: this is not a snapshot of the set.
        """
        self._check(collection)
        wanted = list(dict.fromkeys(keys))
        for key in wanted:
            self._check(collection, key)
        found: dict[str, Document] = {}
        for chunk in _chunks(wanted, self.max_batch):
            found.update(self._call(self._get_many, collection, chunk))
        return found

    def put(
        self,
        collection: str,
        key: str,
        value: Mapping[str, Any],
        *,
        if_match: str | None = None,
        create_only: bool = False,
        ttl: float | None = None,
    ) -> Document:
        """Write ``value`` under ``key``; see the class docstring for the conditions."""
        self._check(collection, key)
        item = self._validate_item(WriteItem(key, dict(value), if_match, create_only, ttl))
        return self._call(
            self._put,
            collection,
            key,
            item.value,
            if_match=item.if_match,
            create_only=item.create_only,
            ttl=item.ttl,
        )

    def delete(self, collection: str, key: str, *, if_match: str | None = None) -> bool:
        """Delete a document; False if it did not exist. ``if_match`` needs ``etag``."""
        self._check(collection, key)
        if if_match is not None:
            self.require(Capability.ETAG)
        return self._call(self._delete, collection, key, if_match=if_match)

    def query(
        self,
        collection: str,
        where: Mapping[str, Any] | Sequence[Filter] | None = None,
        *,
        order_by: str | None = None,
        descending: bool = False,
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page:
        """One page of documents whose fields match ``where``, ordered by ``order_by``
        (then key). Pass the returned ``cursor`` to continue."""
        self.require(Capability.QUERY)
        self._check(collection)
        if not 1 <= limit <= 1000:
            raise InvalidInput("must be between 1 and 1000", field="limit")
        filters = filters_from(where)
        return self._call(
            self._query,
            collection,
            filters,
            order_by=order_by,
            descending=descending,
            limit=limit,
            cursor=cursor,
        )

    def iter_query(
        self,
        collection: str,
        where: Mapping[str, Any] | Sequence[Filter] | None = None,
        *,
        order_by: str | None = None,
        descending: bool = False,
        page_size: int = 200,
    ) -> Iterator[Document]:
        """Every matching document, fetching pages lazily."""
        cursor: str | None = None
        while True:
            page = self.query(
                collection,
                where,
                order_by=order_by,
                descending=descending,
                limit=page_size,
                cursor=cursor,
            )
            yield from page.items
            if page.cursor is None:
                return
            cursor = page.cursor

    def put_many(self, collection: str, items: Iterable[WriteItem]) -> BatchResult:
        """Write many documents; report per-key outcomes.

        With the ``batch`` capability the items go in chunks of ``max_batch``; without it
        they are written one by one (same outcomes, more round trips), so callers never
        need to ask which. Items that fail validation are reported as failed without
        being sent; a condition that fails (``if_match``, ``create_only``) fails its item
        only.
        """
        self._check(collection)
        written: dict[str, str] = {}
        failed: dict[str, Exception] = {}
        valid: list[WriteItem] = []
        for item in items:
            try:
                self._check(collection, item.key)
                valid.append(self._validate_item(item))
            except (InvalidInput, DocumentTooLarge, Unsupported) as exc:
                failed[item.key] = exc
        if not self.supports(Capability.BATCH):
            for item in valid:
                try:
                    document = self._call(self._put, collection, item.key, item.value,
                                          if_match=item.if_match,
                                          create_only=item.create_only, ttl=item.ttl)
                except (ConcurrencyConflict, DocumentTooLarge, InvalidInput) as exc:
                    failed[item.key] = exc
                else:
                    written[item.key] = document.etag
            return BatchResult(written, failed)
        for chunk in _chunks(valid, self.max_batch):
            result = self._call(self._put_batch, collection, chunk)
            written.update(result.written)
            failed.update(result.failed)
        return BatchResult(written, failed)

    def update(
        self,
        collection: str,
        key: str,
        change: Callable[[dict[str, Any] | None], dict[str, Any]],
        *,
        attempts: int = 20,
        ttl: float | None = None,
    ) -> Document:
        """Read-modify-write under optimistic concurrency.

        ``change`` gets the current value (None if absent) and returns the new one; it is
        re-run on a conflict, so it must be free of side effects.
        """
        self.require(Capability.ETAG)
        for _ in range(attempts):
            current = self.find(collection, key)
            new_value = change(None if current is None else dict(current.value))
            try:
                if current is None:
                    return self.put(collection, key, new_value, create_only=True, ttl=ttl)
                return self.put(collection, key, new_value, if_match=current.etag, ttl=ttl)
            except ConcurrencyConflict:
                time.sleep(0.001)
        raise ConcurrencyConflict(f"{collection}/{key}: still conflicting after {attempts} tries")

    # -- validation ----------------------------------------------------------------
    def _encode(self, value: Mapping[str, Any]) -> str:
        """The JSON text of ``value`` (:func:`encode_json`) for the size check; an adapter
        that stores this very text may keep it for the write that follows."""
        return encode_json(value)

    def _check(self, collection: str, key: str | None = None) -> None:
        if not isinstance(collection, str) or not _COLLECTION.match(collection):
            raise InvalidInput(
                "must start with a letter and hold 1-64 letters, digits, '_' or '-'",
                field="collection",
            )
        if key is not None and (
            not isinstance(key, str) or not 0 < len(key) <= 255 or not key.isprintable()
        ):
            raise InvalidInput("must be 1-255 printable characters", field="key")

    def _validate_item(self, item: WriteItem) -> WriteItem:
        if item.if_match is not None:
            self.require(Capability.ETAG)
        if item.create_only:
            self.require(Capability.CREATE_ONLY)
        if item.ttl is not None:
            self.require(Capability.TTL)
            if item.ttl <= 0:
                raise InvalidInput("must be > 0 seconds", field="ttl")
        size = len(self._encode(item.value).encode("utf-8"))
        if size > self.max_document_bytes:
            raise DocumentTooLarge(
                f"{item.key}: {size} bytes exceeds {self.adapter_name}'s "
                f"limit of {self.max_document_bytes}"
            )
        return item
