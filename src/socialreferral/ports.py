"""The ports: one abstract base class per kind of infrastructure the domain needs.

Each port has a handful of abstract primitives (underscore methods) that an adapter
implements, and a public API that lives once, here: argument validation, batching to the
adapter's limits, retries of :class:`~socialreferral.errors.TransientError` with backoff,
capability checks and claim checks. Adapters therefore stay small and behave alike.

Ports take and return the value types in :mod:`socialreferral.records` and the domain
models; no SDK object crosses them.
"""

from __future__ import annotations

import json
import operator
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar

from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from socialreferral.domain.crm import (
    CrmTask,
    Lead,
    LeadInput,
    LeadResult,
    Opportunity,
    Product,
    Promotion,
)
from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.errors import (
    ConcurrencyConflict,
    DocumentTooLarge,
    InvalidInput,
    MessageTooLarge,
    TransientError,
    Unsupported,
)
from socialreferral.records import (
    BatchResult,
    Capability,
    Document,
    Filter,
    JobStatus,
    OutgoingMessage,
    Page,
    ReceivedMessage,
    Secret,
    SecretVersion,
    WriteItem,
)

T = TypeVar("T")

_COLLECTION = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_SECRET_NAME = re.compile(r"^[A-Za-z0-9-]{1,127}$")  # Key Vault's rule, the strictest of all
_TASK_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,127}$")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How the base classes retry :class:`TransientError`: attempts and backoff (seconds)."""

    attempts: int = 5
    initial_wait: float = 0.05
    max_wait: float = 2.0

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` and retry it while it raises :class:`TransientError`."""
        # Fast path: building a Retrying costs ~60 µs, more than a local SQLite read, so it
        # is built only after a first failure, which it then replays as its attempt 1
        # (same attempt count and waits as before).
        try:
            return fn(*args, **kwargs)
        except TransientError as exc:
            first: list[BaseException] = [exc]

        def attempt(*a: Any, **kw: Any) -> T:
            if first:
                raise first.pop()
            return fn(*a, **kw)

        retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(self.attempts),
            # wait_exponential + wait_random instead of wait_exponential_jitter(initial=...),
            # whose ``initial`` is deprecated in tenacity 9 (a DeprecationWarning, which the
            # test suite turns into an error) while ``multiplier`` is missing from 8.x.
            wait=wait_exponential(multiplier=self.initial_wait, max=self.max_wait)
            + wait_random(0, self.initial_wait),
            reraise=True,
        )
        return retrying(attempt, *args, **kwargs)


NO_RETRY = RetryPolicy(attempts=1)


class Adapter(ABC):  # noqa: B024 - abstract only through its port subclasses
    """Common ground of every adapter: a name, declared capabilities, a retry policy."""

    #: Capabilities this adapter implements. Subclasses override.
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: Short provider name shown in errors and by ``socialreferral providers``.
    provider: ClassVar[str] = "unknown"

    retry: RetryPolicy = RetryPolicy()

    @property
    def adapter_name(self) -> str:
        return f"{type(self).__name__} ({self.provider})"

    def supports(self, capability: Capability | str) -> bool:
        """True if the adapter declares ``capability``."""
        return Capability(capability) in self.capabilities

    def require(self, capability: Capability | str, detail: str = "") -> None:
        """Raise :class:`Unsupported` naming this adapter unless it declares ``capability``."""
        if not self.supports(capability):
            raise Unsupported(self.adapter_name, str(capability), detail)

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self.retry.call(fn, *args, **kwargs)

    @classmethod
    def from_settings(cls, settings: Any, context: Any) -> Self:
        """Build the adapter from its provider's validated settings (bootstrap calls this)."""
        raise NotImplementedError(f"{cls.__name__} does not define from_settings()")

    def close(self) -> None:  # noqa: B027 - optional hook, most adapters hold nothing
        """Release connections and files. Safe to call twice."""


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ======================================================================================
# Queue
# ======================================================================================
class Queue(Adapter):
    """At-least-once message queue.

    Delivery contract: a received message stays invisible for its visibility timeout;
    if it is not acked by then it is delivered again with ``receive_count`` one higher.
    With ``max_receives`` set (capability ``dead_letter``) a message received that many
    times without an ack moves to the dead-letter queue instead of being delivered again.
    Bodies are text; the size limit is ``max_body_bytes`` of UTF-8, above which the
    ``claim_check`` capability stores the body elsewhere, or :class:`MessageTooLarge` is
    raised.
    """

    #: Largest body sent inline, in UTF-8 bytes.
    max_body_bytes: ClassVar[int] = 256 * 1024
    #: Most messages one ``_send_batch``/``_receive`` call may carry.
    max_batch: ClassVar[int] = 10

    def __init__(
        self,
        *,
        max_receives: int | None = None,
        visibility_timeout: int = 30,
        retry: RetryPolicy | None = None,
    ) -> None:
        if max_receives is not None and max_receives < 1:
            raise InvalidInput("must be >= 1", field="max_receives")
        if max_receives is not None:
            self.require(Capability.DEAD_LETTER, "max_receives is set")
        self.max_receives = max_receives
        self.visibility_timeout = visibility_timeout
        if retry is not None:
            self.retry = retry

    # -- primitives ----------------------------------------------------------------
    @abstractmethod
    def _send_batch(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        """Send at most ``max_batch`` messages; return their ids in order."""

    @abstractmethod
    def _receive(
        self, max_messages: int, visibility_timeout: int, wait_seconds: float
    ) -> list[ReceivedMessage]:
        """Receive up to ``max_messages``, waiting up to ``wait_seconds`` for the first."""

    @abstractmethod
    def _delete_batch(self, receipts: Sequence[str]) -> None:
        """Remove acked messages. Unknown or stale receipts raise ``ReceiptInvalid``."""

    @abstractmethod
    def _change_visibility(self, message: ReceivedMessage, seconds: int) -> ReceivedMessage:
        """Make the message visible again after ``seconds`` (0 = now); return it with
        its possibly new receipt (Azure issues a new pop receipt)."""

    @abstractmethod
    def _depth(self) -> int:
        """Approximate number of messages waiting (visible or delayed, not in flight)."""

    def _receive_dead_letters(self, max_messages: int) -> list[ReceivedMessage]:
        raise Unsupported(self.adapter_name, Capability.DEAD_LETTER)

    def _offload(self, message: OutgoingMessage) -> OutgoingMessage:
        """Store an oversized body elsewhere and return a message carrying the pointer."""
        raise Unsupported(self.adapter_name, Capability.CLAIM_CHECK)

    def _resolve(self, message: ReceivedMessage) -> ReceivedMessage:
        """Replace a claim-check pointer by the body; other messages pass unchanged."""
        return message

    def _release_claim(self, message: ReceivedMessage) -> None:
        """Delete the stored body of an acked claim-checked message."""

    # -- public API ----------------------------------------------------------------
    def send(
        self,
        body: str,
        *,
        delay_seconds: int = 0,
        group_id: str | None = None,
        dedup_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> str:
        """Send one message and return its id."""
        message = OutgoingMessage(body, delay_seconds, group_id, dedup_id, dict(attributes or {}))
        return self.send_batch([message])[0]

    def send_batch(self, messages: Iterable[OutgoingMessage | str]) -> list[str]:
        """Send any number of messages in as few calls as the adapter allows.

        Every message is validated before the first is sent, so a bad one sends nothing.
        """
        prepared = [self._prepare(m) for m in messages]
        ids: list[str] = []
        for chunk in _chunks(prepared, self.max_batch):
            ids.extend(self._call(self._send_batch, chunk))
        return ids

    def receive(
        self,
        max_messages: int = 10,
        *,
        visibility_timeout: int | None = None,
        wait_seconds: float = 0,
    ) -> list[ReceivedMessage]:
        """Receive up to ``max_messages`` (capped at ``max_batch``); hidden until acked
        or until ``visibility_timeout`` seconds pass."""
        if max_messages < 1:
            raise InvalidInput("must be >= 1", field="max_messages")
        timeout = self.visibility_timeout if visibility_timeout is None else visibility_timeout
        if timeout < 0:
            raise InvalidInput("must be >= 0", field="visibility_timeout")
        count = min(max_messages, self.max_batch)
        received = self._call(self._receive, count, timeout, wait_seconds)
        if self.supports(Capability.CLAIM_CHECK):
            received = [self._resolve(m) for m in received]
        return received

    def ack(self, *messages: ReceivedMessage) -> None:
        """Delete processed messages (and their claim-checked bodies)."""
        for chunk in _chunks(messages, self.max_batch):
            self._call(self._delete_batch, [m.receipt for m in chunk])
            for message in chunk:
                if message.claim is not None:
                    self._release_claim(message)

    def extend_visibility(self, message: ReceivedMessage, seconds: int) -> ReceivedMessage:
        """Keep a message hidden ``seconds`` longer (for slow handlers)."""
        self.require(Capability.VISIBILITY_EXTEND)
        if seconds < 1:
            raise InvalidInput("must be >= 1", field="seconds")
        return self._call(self._change_visibility, message, seconds)

    def release(self, message: ReceivedMessage, *, delay_seconds: int = 0) -> ReceivedMessage:
        """Give a message back unprocessed: visible again after ``delay_seconds``."""
        return self._call(self._change_visibility, message, max(0, delay_seconds))

    def dead_letters(self, max_messages: int = 10) -> list[ReceivedMessage]:
        """Receive from the dead-letter queue (ack them to delete)."""
        self.require(Capability.DEAD_LETTER)
        received = self._call(self._receive_dead_letters, min(max_messages, self.max_batch))
        if self.supports(Capability.CLAIM_CHECK):
            received = [self._resolve(m) for m in received]
        return received

    def depth(self) -> int:
        """Approximate number of messages waiting; drives the scaling policy."""
        return self._call(self._depth)

    def _prepare(self, message: OutgoingMessage | str) -> OutgoingMessage:
        if isinstance(message, str):
            message = OutgoingMessage(message)
        if not isinstance(message.body, str):
            raise InvalidInput("must be str", field="body")
        if message.delay_seconds:
            self.require(Capability.DELAY)
            if not 0 <= message.delay_seconds <= 900:
                raise InvalidInput("must be between 0 and 900", field="delay_seconds")
        if message.group_id is not None or message.dedup_id is not None:
            self.require(Capability.FIFO, "group_id/dedup_id given")
        if len(message.body.encode("utf-8")) > self.max_body_bytes:
            if not self.supports(Capability.CLAIM_CHECK):
                raise MessageTooLarge(
                    f"{self.adapter_name}: body of {len(message.body.encode())} bytes exceeds "
                    f"{self.max_body_bytes} and the adapter has no claim check"
                )
            message = self._offload(message)
        return message


# ======================================================================================
# DocumentStore
# ======================================================================================
def encode_json(value: Mapping[str, Any]) -> str:
    """Serialise a document value the same way in every adapter (compact, sorted)."""
    try:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"not JSON-serialisable: {exc}", field="value") from exc


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
        """Write many documents in chunks of ``max_batch``; report per-key outcomes.

        Items that fail validation are reported as failed without being sent.
        """
        self.require(Capability.BATCH)
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
        size = len(encode_json(item.value).encode("utf-8"))
        if size > self.max_document_bytes:
            raise DocumentTooLarge(
                f"{item.key}: {size} bytes exceeds {self.adapter_name}'s "
                f"limit of {self.max_document_bytes}"
            )
        return item


# ======================================================================================
# SecretStore
# ======================================================================================
class SecretStore(Adapter):
    """Named secrets (OAuth tokens, app secrets, signing keys) with versions.

    Names are 1-127 letters, digits or dashes (Key Vault's rule, so a name works on every
    backend). Values never appear in ``repr``/``str`` of a :class:`Secret`.
    """

    def __init__(self, *, retry: RetryPolicy | None = None) -> None:
        if retry is not None:
            self.retry = retry

    @abstractmethod
    def _get(self, name: str, version: str | None) -> Secret:
        """Return the current (or the given) version; raise ``SecretNotFound``."""

    @abstractmethod
    def _set(self, name: str, value: str) -> Secret:
        """Store ``value`` as the new current version."""

    @abstractmethod
    def _delete(self, name: str) -> None:
        """Delete every version; raise ``SecretNotFound`` if there is none."""

    def _versions(self, name: str) -> list[SecretVersion]:
        raise Unsupported(self.adapter_name, Capability.VERSIONS)

    def get(self, name: str, *, version: str | None = None) -> Secret:
        """The secret (current version unless ``version`` is given)."""
        self._check(name)
        if version is not None:
            self.require(Capability.VERSIONS)
        return self._call(self._get, name, version)

    def get_value(self, name: str) -> str:
        """Shortcut for ``get(name).value``."""
        return self.get(name).value

    def set(self, name: str, value: str) -> Secret:
        """Store a new version and make it current."""
        self._check(name)
        if not isinstance(value, str) or not value:
            raise InvalidInput("must be a non-empty string", field="value")
        return self._call(self._set, name, value)

    def versions(self, name: str) -> list[SecretVersion]:
        """Every version's metadata, oldest first."""
        self._check(name)
        self.require(Capability.VERSIONS)
        return self._call(self._versions, name)

    def delete(self, name: str) -> None:
        """Delete the secret and all its versions."""
        self._check(name)
        self._call(self._delete, name)

    @staticmethod
    def _check(name: str) -> None:
        if not isinstance(name, str) or not _SECRET_NAME.match(name):
            raise InvalidInput("must be 1-127 letters, digits or '-'", field="name")


# ======================================================================================
# BatchCompute
# ======================================================================================
class BatchCompute(Adapter):
    """Runs registered tasks as jobs on workers, and sizes the worker pool.

    A task is a function ``fn(payload: dict, index: int) -> None`` registered by name
    through the ``register_tasks`` plugin hook; an array job runs it ``array_size`` times
    with ``index`` 0..n-1. Payloads must be JSON.
    """

    def __init__(self, *, retry: RetryPolicy | None = None) -> None:
        if retry is not None:
            self.retry = retry

    @abstractmethod
    def _submit(self, task: str, payload: dict[str, Any], array_size: int, name: str) -> str:
        """Start a job and return its id."""

    @abstractmethod
    def _status(self, job_id: str) -> JobStatus:
        """Current status; raise ``JobNotFound``."""

    @abstractmethod
    def _cancel(self, job_id: str) -> None:
        """Cancel a queued or running job (no-op when finished)."""

    def _scale(self, target_workers: int) -> None:
        raise Unsupported(self.adapter_name, Capability.AUTOSCALE)

    def submit(
        self,
        task: str,
        payload: Mapping[str, Any] | None = None,
        *,
        array_size: int = 1,
        name: str | None = None,
    ) -> str:
        """Submit ``task`` with a JSON ``payload``; ``array_size`` > 1 needs ``array_jobs``."""
        if not isinstance(task, str) or not _TASK_NAME.match(task):
            raise InvalidInput("must be a lower-case dotted task name", field="task")
        if array_size < 1 or array_size > 10_000:
            raise InvalidInput("must be between 1 and 10000", field="array_size")
        if array_size > 1:
            self.require(Capability.ARRAY_JOBS)
        body = dict(payload or {})
        encode_json(body)
        job_name = name or task.replace(".", "-")
        return self._call(self._submit, task, body, array_size, job_name)

    def status(self, job_id: str) -> JobStatus:
        """The job's portable status."""
        return self._call(self._status, job_id)

    def wait(self, job_id: str, *, timeout: float = 60.0, poll: float = 0.05) -> JobStatus:
        """Poll until the job finishes or ``timeout`` passes (returns the last status)."""
        deadline = time.monotonic() + timeout
        status = self.status(job_id)
        while not status.state.finished and time.monotonic() < deadline:
            time.sleep(poll)
            poll = min(poll * 1.5, 1.0)
            status = self.status(job_id)
        return status

    def cancel(self, job_id: str) -> None:
        """Cancel the job."""
        self._call(self._cancel, job_id)

    def scale(self, target_workers: int) -> None:
        """Ask for ``target_workers`` workers (the scaling policy computes the number)."""
        self.require(Capability.AUTOSCALE)
        if target_workers < 0:
            raise InvalidInput("must be >= 0", field="target_workers")
        self._call(self._scale, target_workers)


# ======================================================================================
# CRM
# ======================================================================================
class CRM(Adapter):
    """The enterprise CRM: catalog, promotions, leads, opportunities, tasks.

    Every create is idempotent on the record's id, and leads are de-duplicated on the
    normalised e-mail or phone (normalised by :class:`~socialreferral.domain.crm.LeadInput`).
    """

    def __init__(self, *, retry: RetryPolicy | None = None) -> None:
        if retry is not None:
            self.retry = retry

    @abstractmethod
    def upsert_product(self, product: Product) -> Product:
        """Create or replace a catalog entry."""

    @abstractmethod
    def list_products(self, *, active_only: bool = True) -> list[Product]:
        """The catalog, ordered by product id."""

    @abstractmethod
    def upsert_promotion(self, promotion: Promotion) -> Promotion:
        """Create or replace a promotion."""

    @abstractmethod
    def list_promotions(self, *, updated_since: datetime | None = None) -> list[Promotion]:
        """Promotions updated strictly after ``updated_since``, oldest update first."""

    @abstractmethod
    def create_lead(self, lead: LeadInput, *, lead_id: str) -> LeadResult:
        """Create a lead, or return the existing one with the same e-mail or phone."""

    @abstractmethod
    def get_lead(self, lead_id: str) -> Lead:
        """Raise ``CRMRecordNotFound`` when absent."""

    @abstractmethod
    def list_leads(self) -> list[Lead]:
        """All leads, oldest first."""

    @abstractmethod
    def save_opportunity(self, opportunity: Opportunity) -> Opportunity:
        """Create (idempotent on id) or update a manual-offer opportunity."""

    @abstractmethod
    def get_opportunity(self, opportunity_id: str) -> Opportunity:
        """Raise ``CRMRecordNotFound`` when absent."""

    @abstractmethod
    def list_opportunities(self, *, status: str | None = None) -> list[Opportunity]:
        """Opportunities, oldest first, optionally of one status."""

    @abstractmethod
    def save_task(self, task: CrmTask) -> CrmTask:
        """Create (idempotent on id) or update a task."""

    @abstractmethod
    def list_tasks(self, *, open_only: bool = False) -> list[CrmTask]:
        """Tasks, oldest first."""

    @abstractmethod
    def erase_contact(
        self, *, email: str | None, phone: str | None, lead_ids: Sequence[str] = ()
    ) -> int:
        """Right to erasure: delete (or irreversibly anonymise) every lead whose e-mail or
        phone equals ``email``/``phone`` once normalised (``normalise_email``,
        ``normalise_phone`` of :mod:`socialreferral.domain.crm`) and every lead in
        ``lead_ids``; return how many leads were erased. Nothing of an erased lead may stay
        readable in the CRM's storage. Idempotent: a second call returns 0."""


# ======================================================================================
# SocialChannel
# ======================================================================================
class SocialChannel(Adapter):
    """One social network as seen by the enterprise: send to people, read consenting
    customers' profiles and connections. Webhook parsing and signatures are pure domain
    code (:mod:`socialreferral.domain.webhooks`), so they are the same for every channel.
    """

    #: The network this channel speaks to ("facebook", "x", "linkedin", "local").
    network: ClassVar[str] = "local"

    def __init__(self, *, retry: RetryPolicy | None = None) -> None:
        if retry is not None:
            self.retry = retry

    @abstractmethod
    def _send(self, message: OutboundMessage) -> str:
        """Deliver; return the network's id. Must be idempotent on ``message_id``."""

    @abstractmethod
    def get_profile(self, person_id: str) -> Profile:
        """A consenting person's profile; raise ``ProfileNotFound``."""

    @abstractmethod
    def get_connections(self, person_id: str) -> list[Connection]:
        """The connections ``person_id`` shared with us (friends who also consented)."""

    @abstractmethod
    def forget(self, person_id: str) -> None:
        """Right to erasure: erase everything the channel holds about ``person_id``: their
        profile, every connection from or to them, and the messages sent to them.
        Idempotent, and a no-op for an unknown person."""

    def send(self, message: OutboundMessage) -> str:
        """Deliver a message to ``message.recipient_id`` (retried; idempotent on id)."""
        return self._call(self._send, message)


PORTS: dict[str, type[Adapter]] = {
    "queue": Queue,
    "store": DocumentStore,
    "secrets": SecretStore,
    "batch": BatchCompute,
    "crm": CRM,
    "social": SocialChannel,
}
"""Port names as used in settings files and by the plugin registry."""

__all__ = [
    "CRM",
    "NO_RETRY",
    "PORTS",
    "Adapter",
    "BatchCompute",
    "DocumentStore",
    "Queue",
    "RetryPolicy",
    "SecretStore",
    "SocialChannel",
    "encode_json",
    "filters_from",
    "matches",
]
