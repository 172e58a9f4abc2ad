"""In-memory Queue, DocumentStore and SecretStore for a single process, and the
provider's settings (the CRM and social channel live in ``crm.py`` and ``social.py``).

Everything lives in dicts guarded by one lock; nothing survives the process. They
implement only the ports' primitives: validation, batching, retries and capability
checks come from the socialreferral base classes.
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from pydantic import Field

from socialreferral.errors import (
    ConcurrencyConflict,
    DocumentExists,
    ReceiptInvalid,
    SecretNotFound,
)
from socialreferral.ports import DocumentStore, Queue, SecretStore, matches
from socialreferral.providers import BuildContext, ProviderSettings
from socialreferral.records import (
    BatchResult,
    Capability,
    Document,
    Filter,
    OutgoingMessage,
    Page,
    ReceivedMessage,
    Secret,
    SecretVersion,
    WriteItem,
)


class MemorySettings(ProviderSettings):
    """The ``[memory]`` table: only the queue's behaviour is configurable."""

    max_receives: int | None = Field(default=5, ge=1)
    visibility_timeout: int = Field(default=30, ge=0)


@dataclass
class _Entry:
    message_id: str
    body: str
    attributes: dict[str, str]
    sent_at: float
    visible_at: float
    receive_count: int = 0
    receipt: str | None = None


@dataclass
class _Box:
    lock: threading.Lock = field(default_factory=threading.Lock)
    entries: dict[str, _Entry] = field(default_factory=dict)
    dead: dict[str, _Entry] = field(default_factory=dict)


class MemoryQueue(Queue):
    """A queue in a dict: visibility timeouts, delays and a dead-letter dict."""

    provider: ClassVar[str] = "memory"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.DEAD_LETTER, Capability.DELAY, Capability.VISIBILITY_EXTEND}
    )
    max_body_bytes: ClassVar[int] = 256 * 1024

    def __init__(self, *, max_receives: int | None = None, visibility_timeout: int = 30) -> None:
        super().__init__(max_receives=max_receives, visibility_timeout=visibility_timeout)
        self._box = _Box()

    @classmethod
    def from_settings(cls, settings: MemorySettings, context: BuildContext) -> Self:
        return cls(
            max_receives=settings.max_receives, visibility_timeout=settings.visibility_timeout
        )

    def _send_batch(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        now = time.time()
        ids = []
        with self._box.lock:
            for message in messages:
                message_id = uuid.uuid4().hex
                self._box.entries[message_id] = _Entry(
                    message_id,
                    message.body,
                    dict(message.attributes),
                    now,
                    now + message.delay_seconds,
                )
                ids.append(message_id)
        return ids

    def _receive(
        self, max_messages: int, visibility_timeout: int, wait_seconds: float
    ) -> list[ReceivedMessage]:
        deadline = time.monotonic() + wait_seconds
        while True:
            received = self._take(max_messages, visibility_timeout)
            if received or time.monotonic() >= deadline:
                return received
            time.sleep(0.02)

    def _take(self, max_messages: int, visibility_timeout: int) -> list[ReceivedMessage]:
        now = time.time()
        out: list[ReceivedMessage] = []
        with self._box.lock:
            ready = sorted(
                (e for e in self._box.entries.values() if e.visible_at <= now),
                key=lambda e: (e.sent_at, e.message_id),
            )
            for entry in ready:
                if self.max_receives is not None and entry.receive_count >= self.max_receives:
                    del self._box.entries[entry.message_id]
                    entry.receipt = None
                    self._box.dead[entry.message_id] = entry
                    continue
                if len(out) == max_messages:
                    break
                entry.receive_count += 1
                entry.visible_at = now + visibility_timeout
                entry.receipt = uuid.uuid4().hex
                out.append(self._view(entry))
        return out

    @staticmethod
    def _view(entry: _Entry) -> ReceivedMessage:
        assert entry.receipt is not None
        return ReceivedMessage(
            entry.message_id,
            entry.body,
            entry.receipt,
            entry.receive_count,
            entry.sent_at,
            dict(entry.attributes),
        )

    def _find(self, receipt: str) -> tuple[dict[str, _Entry], _Entry]:
        for pool in (self._box.entries, self._box.dead):
            for entry in pool.values():
                if entry.receipt == receipt:
                    return pool, entry
        raise ReceiptInvalid(f"{self.adapter_name}: unknown or stale receipt")

    def _delete_batch(self, receipts: Sequence[str]) -> None:
        with self._box.lock:
            for receipt in receipts:
                pool, entry = self._find(receipt)
                del pool[entry.message_id]

    def _change_visibility(self, message: ReceivedMessage, seconds: int) -> ReceivedMessage:
        with self._box.lock:
            _, entry = self._find(message.receipt)
            entry.visible_at = time.time() + seconds
            return self._view(entry)

    def _depth(self) -> int:
        now = time.time()
        with self._box.lock:
            return sum(
                1 for e in self._box.entries.values() if e.receipt is None or e.visible_at <= now
            )

    def _receive_dead_letters(self, max_messages: int) -> list[ReceivedMessage]:
        with self._box.lock:
            out = []
            for entry in list(self._box.dead.values())[:max_messages]:
                entry.receipt = uuid.uuid4().hex
                out.append(self._view(entry))
            return out


class MemoryDocumentStore(DocumentStore):
    """Documents in a dict with etags, create-only, TTL, queries and batches."""

    provider: ClassVar[str] = "memory"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.ETAG,
            Capability.CREATE_ONLY,
            Capability.TTL,
            Capability.QUERY,
            Capability.BATCH,
        }
    )

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.RLock()
        self._docs: dict[tuple[str, str], Document] = {}

    @classmethod
    def from_settings(cls, settings: MemorySettings, context: BuildContext) -> Self:
        return cls()

    def _live(self, collection: str, key: str) -> Document | None:
        doc = self._docs.get((collection, key))
        if doc is not None and doc.expires_at is not None and doc.expires_at <= time.time():
            del self._docs[(collection, key)]
            return None
        return doc

    def _get(self, collection: str, key: str) -> Document | None:
        with self._lock:
            return self._live(collection, key)

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
        with self._lock:
            current = self._live(collection, key)
            if create_only and current is not None:
                raise DocumentExists(f"{collection}/{key} exists")
            if if_match is not None and (current is None or current.etag != if_match):
                raise ConcurrencyConflict(f"{collection}/{key}: etag mismatch")
            expires = time.time() + ttl if ttl is not None else None
            doc = Document(collection, key, _copy(value), uuid.uuid4().hex, expires)
            self._docs[(collection, key)] = doc
            return doc

    def _delete(self, collection: str, key: str, *, if_match: str | None) -> bool:
        with self._lock:
            current = self._live(collection, key)
            if current is None:
                if if_match is not None:
                    raise ConcurrencyConflict(f"{collection}/{key}: etag mismatch")
                return False
            if if_match is not None and current.etag != if_match:
                raise ConcurrencyConflict(f"{collection}/{key}: etag mismatch")
            del self._docs[(collection, key)]
            return True

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
        with self._lock:
            docs = [
                d
                for (c, k) in list(self._docs)
                if c == collection
                if (d := self._live(c, k)) is not None and matches(d.value, filters)
            ]
        # Documents lacking the order field sort first (ascending), like the local store.
        docs.sort(
            key=lambda d: (_sort_key(d.value.get(order_by)) if order_by else (0, ""), d.key),
            reverse=descending,
        )
        start = int(base64.urlsafe_b64decode(cursor).decode()) if cursor else 0
        page = docs[start : start + limit]
        following = start + limit
        next_cursor = (
            base64.urlsafe_b64encode(str(following).encode()).decode()
            if following < len(docs)
            else None
        )
        return Page(page, next_cursor)

    def _put_batch(self, collection: str, items: Sequence[WriteItem]) -> BatchResult:
        written: dict[str, str] = {}
        failed: dict[str, Exception] = {}
        for item in items:
            try:
                doc = self._put(
                    collection,
                    item.key,
                    item.value,
                    if_match=item.if_match,
                    create_only=item.create_only,
                    ttl=item.ttl,
                )
                written[item.key] = doc.etag
            except ConcurrencyConflict as exc:
                failed[item.key] = exc
        return BatchResult(written, failed)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, int | float):
        return (2, value)
    return (3, str(value))


def _copy(value: dict[str, Any]) -> dict[str, Any]:
    import json

    copied: dict[str, Any] = json.loads(json.dumps(value))
    return copied


class MemorySecretStore(SecretStore):
    """Versioned secrets in a dict (for tests; nothing is encrypted)."""

    provider: ClassVar[str] = "memory"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.VERSIONS, Capability.LIST}
    )

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: dict[str, list[Secret]] = {}
        self._counter = itertools.count(1)

    @classmethod
    def from_settings(cls, settings: MemorySettings, context: BuildContext) -> Self:
        return cls()

    def _get(self, name: str, version: str | None) -> Secret:
        with self._lock:
            versions = self._secrets.get(name)
            if not versions:
                raise SecretNotFound(name)
            if version is None:
                return versions[-1]
            for secret in versions:
                if secret.version == version:
                    return secret
            raise SecretNotFound(f"{name} version {version}")

    def _set(self, name: str, value: str) -> Secret:
        with self._lock:
            secret = Secret(name, f"v{next(self._counter)}", value, time.time())
            self._secrets.setdefault(name, []).append(secret)
            return secret

    def _delete(self, name: str) -> None:
        with self._lock:
            if self._secrets.pop(name, None) is None:
                raise SecretNotFound(name)

    def _versions_of(self, name: str) -> list[Secret]:
        versions = self._secrets.get(name)
        if not versions:
            raise SecretNotFound(name)
        return versions

    def _versions(self, name: str) -> list[SecretVersion]:
        with self._lock:
            versions = self._versions_of(name)
            return [
                SecretVersion(name, s.version, s.created_at, i == len(versions) - 1)
                for i, s in enumerate(versions)
            ]

    def _names(self) -> list[str]:
        with self._lock:
            return list(self._secrets)


__all__ = ["MemoryDocumentStore", "MemoryQueue", "MemorySecretStore", "MemorySettings"]
