"""The sent-message ledger of the network adapters: what makes ``send`` idempotent.

Graph API, X API v2, LinkedIn and SMTP take no idempotency key, so a channel adapter
remembers, per ``message_id``, the network's id of what it sent — in the DocumentStore the
composition root hands it (``BuildContext.extra["store"]``), shared by every worker.

Protocol per send: :meth:`SentLedger.claim` either returns the network id of an earlier
delivery (send nothing), or records a *pending* claim (create-only, so of two workers one
wins; the other gets :class:`~socialreferral.errors.TransientError` and, retried, finds the
network id). After the network answers, :meth:`SentLedger.complete` stores its id. A claim
left pending by a worker that died is taken over after ``lease_seconds``: the message
may then reach the network twice (at-least-once at the network boundary, documented per
adapter), never zero times.

Rows hold ids only (message id, recipient id, network id, kind), never the text, and
:meth:`SentLedger.forget` deletes a recipient's rows (erasure). The collection is owned by
the adapter (named ``channel_sends_<network>``), not by a repository.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from socialreferral.errors import ConcurrencyConflict, ConfigurationError, TransientError
from socialreferral.ports import DocumentStore


@dataclass(frozen=True, slots=True)
class SentRecord:
    """One delivered message as the ledger knows it."""

    message_id: str
    recipient_id: str
    network_id: str
    kind: str
    reply_to: str | None = None
    public: bool = False


class SentLedger:
    """Message id → network id, per network, in a DocumentStore collection."""

    def __init__(self, store: DocumentStore, network: str, *, lease_seconds: float = 120.0
                 ) -> None:
        self._store = store
        self.collection = f"channel_sends_{network}"
        self.lease_seconds = lease_seconds

    @classmethod
    def from_context(cls, extra: Any, network: str) -> SentLedger:
        """The ledger over the DocumentStore the composition root passed."""
        store = extra.get("store") if hasattr(extra, "get") else None
        if not isinstance(store, DocumentStore):
            raise ConfigurationError(
                f"the {network} channel needs the DocumentStore in BuildContext.extra['store'] "
                "(bootstrap.build_providers passes it) to keep sends idempotent")
        return cls(store, network)

    @staticmethod
    def _key(message_id: str) -> str:
        return hashlib.sha256(message_id.encode("utf-8")).hexdigest()

    def claim(self, message_id: str, recipient_id: str) -> str | None:
        """The network id if ``message_id`` was delivered; otherwise claim it and None."""
        key = self._key(message_id)
        held = self._store.find(self.collection, key)
        now = time.time()
        if held is not None:
            if held.value.get("network_id"):
                return str(held.value["network_id"])
            if now - float(held.value.get("claimed_at", 0)) < self.lease_seconds:
                raise TransientError("this message is being sent by another worker")
        value = {"message_id": message_id, "recipient_id": recipient_id, "claimed_at": now}
        try:
            if held is None:
                self._store.put(self.collection, key, value, create_only=True)
            else:
                self._store.put(self.collection, key, value, if_match=held.etag)
        except ConcurrencyConflict:
            raise TransientError("this message is being sent by another worker") from None
        return None

    def release(self, message_id: str) -> None:
        """Drop a pending claim after the network refused the message for good."""
        held = self._store.find(self.collection, self._key(message_id))
        if held is not None and not held.value.get("network_id"):
            self._store.delete(self.collection, held.key)

    def complete(self, record: SentRecord) -> None:
        """Store the network's id for ``record.message_id``."""
        self._store.put(self.collection, self._key(record.message_id), {
            "message_id": record.message_id, "recipient_id": record.recipient_id,
            "network_id": record.network_id, "kind": record.kind,
            "reply_to": record.reply_to, "public": record.public, "sent_at": time.time()})

    def sent_to(self, recipient_id: str) -> list[SentRecord]:
        """Every completed delivery to ``recipient_id``."""
        return [_record(d.value) for d in self._store.iter_query(
            self.collection, {"recipient_id": recipient_id}) if d.value.get("network_id")]

    def by_network_id(self) -> dict[str, SentRecord]:
        """Every completed delivery by network id (tests attribute deliveries with it)."""
        return {str(d.value["network_id"]): _record(d.value)
                for d in self._store.iter_query(self.collection)
                if d.value.get("network_id")}

    def forget(self, recipient_id: str) -> int:
        """Delete every row about ``recipient_id``; return how many."""
        keys = [d.key for d in self._store.iter_query(self.collection,
                                                      {"recipient_id": recipient_id})]
        return sum(int(self._store.delete(self.collection, key)) for key in keys)


def _record(value: dict[str, Any]) -> SentRecord:
    return SentRecord(message_id=str(value["message_id"]),
                      recipient_id=str(value["recipient_id"]),
                      network_id=str(value["network_id"]), kind=str(value.get("kind") or ""),
                      reply_to=value.get("reply_to"), public=bool(value.get("public")))


__all__ = ["SentLedger", "SentRecord"]
