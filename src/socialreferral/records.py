"""Value types that cross the ports (queue, store, secrets, batch; CRM record kinds).

They are plain frozen dataclasses rather than pydantic models because they sit on
the hot path (thousands of messages a second) and carry no validation of their own:
the port base classes validate what goes in. No SDK object ever appears here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


class Capability(enum.StrEnum):
    """Optional features an adapter may declare. Undeclared ones raise ``Unsupported``."""

    # queue
    DEAD_LETTER = "dead_letter"
    DELAY = "delay"
    FIFO = "fifo"
    CLAIM_CHECK = "claim_check"
    VISIBILITY_EXTEND = "visibility_extend"
    OLDEST_AGE = "oldest_age"  # the age of the oldest message can be read cheaply
    # document store
    ETAG = "etag"
    CREATE_ONLY = "create_only"
    TTL = "ttl"
    QUERY = "query"
    BATCH = "batch"
    # secret store
    VERSIONS = "versions"
    LIST = "list"
    # batch compute
    ARRAY_JOBS = "array_jobs"
    AUTOSCALE = "autoscale"
    # CRM: products, leads and erasure are mandatory; these entities are not in every CRM
    # (HubSpot has no promotion entity, a lead-capture-only CRM keeps no tasks)
    PROMOTIONS = "promotions"
    OPPORTUNITIES = "opportunities"
    TASKS = "tasks"
    # contacts (the CRM's people: a source of profiles and the target of enrichment)
    CONTACTS = "contacts"
    # social channel: sending and forgetting are mandatory; reading a consenting person's
    # data is not (an e-mail channel has no profile; X shares no friend list)
    PROFILES = "profiles"
    CONNECTIONS = "connections"
    # ... nor is answering a post: in its thread (public) or privately about it
    PUBLIC_REPLIES = "public_replies"
    PRIVATE_REPLIES = "private_replies"


# --- Queue -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message to send. ``group_id``/``dedup_id`` only matter on FIFO queues."""

    body: str
    delay_seconds: int = 0
    group_id: str | None = None
    dedup_id: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """A delivered message. ``receipt`` is the opaque handle for ack/visibility calls.

    ``receive_count`` starts at 1 on the first delivery and rises with every redelivery.
    ``claim`` is set when the body came through a claim check (adapter-specific pointer).
    """

    message_id: str
    body: str
    receipt: str
    receive_count: int
    sent_at: float
    attributes: Mapping[str, str] = field(default_factory=dict)
    group_id: str | None = None
    claim: str | None = None


# --- Document store --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Document:
    """A stored JSON object. ``etag`` changes on every write; ``expires_at`` is epoch seconds."""

    collection: str
    key: str
    value: dict[str, Any]
    etag: str
    expires_at: float | None = None


FilterOp = Literal["eq", "ne", "lt", "le", "gt", "ge", "in"]


@dataclass(frozen=True, slots=True)
class Filter:
    """One condition on a top-level field of the document value."""

    field: str
    op: FilterOp
    value: Any


@dataclass(frozen=True, slots=True)
class Page:
    """One page of query results; pass ``cursor`` back to get the next one (None = done)."""

    items: list[Document]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class WriteItem:
    """One write in a batch: same meaning as the arguments of ``DocumentStore.put``."""

    key: str
    value: dict[str, Any]
    if_match: str | None = None
    create_only: bool = False
    ttl: float | None = None


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Per-item outcome of a batch write: etags of the written keys, errors of the others."""

    written: dict[str, str]
    failed: dict[str, Exception]

    @property
    def ok(self) -> bool:
        return not self.failed


# --- Secret store ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Secret:
    """A secret's value and version. The value never appears in ``repr`` or ``str``."""

    name: str
    version: str
    value: str = field(repr=False)
    created_at: float = 0.0

    def __str__(self) -> str:
        return f"Secret({self.name!r}, version={self.version!r}, value=***)"


@dataclass(frozen=True, slots=True)
class SecretVersion:
    """Metadata of one version of a secret (no value)."""

    name: str
    version: str
    created_at: float
    current: bool


# --- CRM -------------------------------------------------------------------------------
class CrmRecordKind(enum.StrEnum):
    """The kinds of CRM record, one entity set each in a CRM (Dynamics 365: ``products``,
    a promotion entity, ``leads``, ``opportunities``, ``tasks``, ``contacts``). The CRM
    port's record primitives are keyed by kind; leads are only created through
    ``_create_lead``."""

    PRODUCT = "product"
    PROMOTION = "promotion"
    LEAD = "lead"
    OPPORTUNITY = "opportunity"
    TASK = "task"
    CONTACT = "contact"


# --- Batch compute ---------------------------------------------------------------------
class JobState(enum.StrEnum):
    """Portable job states; adapters map their vendor's states onto these."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


@dataclass(frozen=True, slots=True)
class JobStatus:
    """Where a job stands. For array jobs ``children`` counts the children per state."""

    job_id: str
    task: str
    state: JobState
    array_size: int = 1
    children: Mapping[JobState, int] = field(default_factory=dict)
    error: str | None = None


__all__ = [
    "BatchResult",
    "Capability",
    "CrmRecordKind",
    "Document",
    "Filter",
    "FilterOp",
    "JobState",
    "JobStatus",
    "OutgoingMessage",
    "Page",
    "ReceivedMessage",
    "Secret",
    "SecretVersion",
    "WriteItem",
]
