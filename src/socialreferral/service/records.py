"""Storing domain models in the DocumentStore: collection names, keys and (de)serialisation.

Every service module goes through these helpers so that one model is always stored the
same way (``model_dump(mode="json")``, whose dates and decimals are strings) and read back
through the model's validation. A stored document may carry bookkeeping fields beside the
model's own (times for the latency figures, lookup keys); their names start with ``_`` and
they are dropped before validation, because domain models forbid unknown fields.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from socialreferral.errors import DocumentExists
from socialreferral.ports import DocumentStore
from socialreferral.records import Document, Filter

M = TypeVar("M", bound=BaseModel)


class Collections:
    """Names of the collections the service layer writes (one place, so reports agree)."""

    CUSTOMERS = "customers"
    PERSONS = "persons"  # "<network>:<person id>" -> the customer who owns that account
    PROFILES = "profiles"
    CONNECTIONS = "connections"
    CONSENTS = "consents"
    ELIGIBILITY = "eligibility"
    SEEN_EVENTS = "seen_events"
    EVENTS = "events"
    OFFERS = "offers"
    MANUAL = "manual_offers"
    CONTACTS = "contacts"
    OPTOUTS = "optouts"
    REFERRALS = "referrals"
    LEADS = "referral_leads"
    REWARDS = "rewards"
    PROMOTION_POSTS = "promotion_posts"
    STATE = "state"
    TIMINGS = "timings"


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


def get_model(store: DocumentStore, collection: str, key: str, model_type: type[M]) -> M | None:
    """The stored model or None."""
    document = store.find(collection, key)
    return None if document is None else load(model_type, document.value)


def put_model(
    store: DocumentStore,
    collection: str,
    key: str,
    model: BaseModel,
    *,
    if_match: str | None = None,
    ttl: float | None = None,
    **meta: Any,
) -> Document:
    """Write ``model`` (replacing, or conditional on ``if_match``)."""
    return store.put(collection, key, dump(model, **meta), if_match=if_match, ttl=ttl)


def create_model(
    store: DocumentStore, collection: str, key: str, model: BaseModel, **meta: Any
) -> bool:
    """Create-only write: True if this call created it, False if the key already existed.

    This is the exactly-once primitive: deterministic keys turn a second attempt (a
    redelivered message, a resubmitted form) into a no-op.
    """
    try:
        store.put(collection, key, dump(model, **meta), create_only=True)
    except DocumentExists:
        return False
    return True


def iter_models(
    store: DocumentStore,
    collection: str,
    model_type: type[M],
    where: Mapping[str, Any] | Sequence[Filter] | None = None,
) -> Iterator[M]:
    """Every stored model of a collection matching ``where``."""
    for document in store.iter_query(collection, where):
        yield load(model_type, document.value)


def count(
    store: DocumentStore,
    collection: str,
    where: Mapping[str, Any] | Sequence[Filter] | None = None,
) -> int:
    """How many live documents match (reads them; fine for reporting sizes)."""
    return sum(1 for _ in store.iter_query(collection, where, page_size=1000))


__all__ = [
    "Collections",
    "count",
    "create_model",
    "dump",
    "get_model",
    "iter_models",
    "load",
    "put_model",
    "safe_key",
]
