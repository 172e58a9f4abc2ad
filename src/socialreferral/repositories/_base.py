"""What every repository shares: keys, (de)serialisation, fact-level reads, erasure.

A repository owns a few collections of the :class:`~socialreferral.ports.DocumentStore`:
their names, their keys, the bookkeeping fields stored beside a model, and its own part of
the right to erasure. Use cases talk to repositories, never to the raw store, so that one
model is always stored the same way (``model_dump(mode="json")``: dates and decimals are
strings) and read back through the model's validation. Bookkeeping fields start with
``_`` and are dropped before validation, because domain models forbid unknown fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from socialreferral.errors import DocumentExists
from socialreferral.ports import DocumentStore
from socialreferral.records import Document, Filter, WriteItem
from socialreferral.repositories.erasure import Erasure

M = TypeVar("M", bound=BaseModel)

_IN_CHUNK = 50
"""Values per ``in`` query (DynamoDB allows 100 values in one IN condition)."""


def safe_key(*parts: str) -> str:
    """A store key from ``parts``: joined with ':' when short, else a stable digest.

    Keys must be 1-255 printable characters on every backend; network ids are usually
    short, but an event id from a foreign payload may not be.
    """
    key = ":".join(parts)
    if 0 < len(key) <= 200 and key.isprintable():
        return key
    return "h:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def dump(model: BaseModel, **meta: Any) -> dict[str, Any]:
    """The JSON document for ``model`` plus ``_``-prefixed bookkeeping fields."""
    value = model.model_dump(mode="json")
    for name, item in meta.items():
        value[f"_{name}"] = item
    return value


def load(model_type: type[M], value: Mapping[str, Any]) -> M:
    """Validate a stored document back into ``model_type`` (bookkeeping fields dropped)."""
    return model_type.model_validate({k: v for k, v in value.items() if not k.startswith("_")})


def bookkeeping(value: Mapping[str, Any]) -> dict[str, Any]:
    """The ``_``-prefixed fields of a stored document (kept when the model is rewritten)."""
    return {k: v for k, v in value.items() if k.startswith("_")}


class Repository:
    """Base of the repositories: the store, the collections owned, shared helpers.

    Subclasses name their collections in :attr:`collections` (every collection belongs to
    exactly one repository; the bundle checks it) and implement :meth:`erase`.
    """

    #: The collections this repository owns.
    collections: ClassVar[tuple[str, ...]] = ()

    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    # -- erasure ---------------------------------------------------------------------
    def erase(self, erasure: Erasure) -> None:
        """Forget ``erasure.subject`` in this repository's collections: delete, or
        anonymise with ``erasure.tombstone`` what must be kept; count what was done with
        ``erasure.count``. Must be idempotent (a second run counts nothing)."""

    # -- helpers for subclasses ------------------------------------------------------
    def _get(self, collection: str, key: str, model_type: type[M]) -> M | None:
        document = self._store.find(collection, key)
        return None if document is None else load(model_type, document.value)

    def _put(self, collection: str, key: str, model: BaseModel, *, if_match: str | None = None,
             ttl: float | None = None, **meta: Any) -> Document:
        return self._store.put(collection, key, dump(model, **meta), if_match=if_match, ttl=ttl)

    def _create(self, collection: str, key: str, model: BaseModel, **meta: Any) -> bool:
        """Create-only write: True if this call created it, False if the key existed.

        The exactly-once primitive: deterministic keys turn a second attempt (a
        redelivered message, a resubmitted form) into a no-op.
        """
        try:
            self._store.put(collection, key, dump(model, **meta), create_only=True)
        except DocumentExists:
            return False
        return True

    def _models(self, collection: str, model_type: type[M],
                where: Mapping[str, Any] | Sequence[Filter] | None = None) -> Iterator[M]:
        for document in self._store.iter_query(collection, where, page_size=500):
            yield load(model_type, document.value)

    def _values(self, collection: str,
                where: Mapping[str, Any] | Sequence[Filter] | None = None) -> list[dict[str, Any]]:
        return [d.value for d in self._store.iter_query(collection, where, page_size=1000)]

    def _where_in(self, collection: str, field: str, values: Iterable[str],
                  *also: Filter) -> list[Document]:
        """Every document whose ``field`` is one of ``values`` (few ``in`` queries)."""
        ordered = sorted(set(values))
        found: dict[str, Document] = {}
        for start in range(0, len(ordered), _IN_CHUNK):
            chunk = ordered[start : start + _IN_CHUNK]
            for document in self._store.iter_query(
                    collection, [*also, Filter(field, "in", chunk)], page_size=500):
                found[document.key] = document
        return list(found.values())

    def _put_many(self, collection: str, items: Sequence[WriteItem]) -> None:
        """Write ``items`` (batched when the store can); raise the first failure."""
        if not items:
            return
        result = self._store.put_many(collection, items)
        if result.failed:
            raise next(iter(result.failed.values()))

    def _change(self, collection: str, key: str,
                edit: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Rewrite an existing document under its etag (no-op when it vanished)."""

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            return edit(dict(current or {}))

        if self._store.find(collection, key) is not None:
            self._store.update(collection, key, change)

    def _delete_where_in(self, collection: str, field: str, values: Iterable[str],
                         counter: str, erasure: Erasure) -> set[str]:
        """Delete the documents whose ``field`` is one of ``values``; return their keys."""
        deleted = set()
        for document in self._where_in(collection, field, values):
            if self._store.delete(collection, document.key):
                deleted.add(document.key)
                erasure.count(counter)
        return deleted


__all__ = ["Repository", "bookkeeping", "dump", "load", "safe_key"]
