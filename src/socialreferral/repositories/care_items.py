"""The care queue's items (one per conversation) and the replies sent to them.

Collections: ``care_items`` (a :class:`~socialreferral.care.records.CareItem` keyed by its
conversation id, with ``_created`` epoch seconds for range reads) and ``care_replies``
(a :class:`~socialreferral.care.records.ReplyRecord` keyed by its reply id).

Every change of an item is a read-modify-write under the item's etag
(:meth:`CareItemRepository.change`), so two agents claiming one item, or an agent resolving
it while a customer's reply reopens it, serialise: one wins, the other re-runs its rule
on the new state. Queues are read with the store's ordering (RankScore descending) and its
cursors, so a page costs one query whatever the queue's length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from socialreferral.care.records import CareItem, ReplyRecord
from socialreferral.errors import NotFound
from socialreferral.records import Filter, Page
from socialreferral.repositories._base import Repository, bookkeeping, dump, load, safe_key
from socialreferral.repositories.erasure import ERASED_TEXT, Erasure

CARE_ITEMS = "care_items"
CARE_REPLIES = "care_replies"


class CareItemNotFound(NotFound, KeyError):
    """No care item has this id."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "care item not found"


class CareItemRepository(Repository):
    """Queue items and the replies sent to them."""

    collections = (CARE_ITEMS, CARE_REPLIES)

    # -- items -----------------------------------------------------------------------
    def get(self, ticket_id: str) -> CareItem | None:
        """The item, or None."""
        return self._get(CARE_ITEMS, safe_key(ticket_id), CareItem)

    def require(self, ticket_id: str) -> CareItem:
        """The item, or :class:`CareItemNotFound` (a ``NotFound``)."""
        item = self.get(ticket_id)
        if item is None:
            raise CareItemNotFound(f"no care item {ticket_id!r}")
        return item

    def create(self, item: CareItem) -> bool:
        """Create the item once; True if this call created it."""
        return self._create(CARE_ITEMS, safe_key(item.ticket_id), item,
                            created=item.created_at.timestamp())

    def change(self, ticket_id: str, edit: Callable[[CareItem], CareItem]) -> CareItem:
        """Apply ``edit`` to the current item under its etag and return the result.

        ``edit`` is re-run on a conflict, so it must be free of side effects; an error it
        raises (a refused claim) propagates and nothing is written.
        """
        key = safe_key(ticket_id)
        result: dict[str, CareItem] = {}

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            if current is None:
                raise CareItemNotFound(f"no care item {ticket_id!r}")
            item = edit(load(CareItem, current))
            result["item"] = item
            return {**dump(item), **bookkeeping(current)}

        self._store.update(CARE_ITEMS, key, change)
        return result["item"]

    def delete(self, ticket_id: str) -> bool:
        """Delete the item (it was merged into another); False if it was not there."""
        return self._store.delete(CARE_ITEMS, safe_key(ticket_id))

    def page(self, *, queue: str | None = None, statuses: Sequence[str] = ("open",),
             actionable: bool | None = True, assignee: str | None = None,
             limit: int = 50, cursor: str | None = None) -> tuple[list[CareItem], str | None]:
        """One page of items, best RankScore first; pass the cursor back for the next."""
        where: list[Filter] = [Filter("status", "in", list(statuses))]
        if queue is not None:
            where.append(Filter("queue", "eq", queue))
        if actionable is not None:
            where.append(Filter("actionable", "eq", actionable))
        if assignee is not None:
            where.append(Filter("assignee", "eq", assignee))
        page: Page = self._store.query(CARE_ITEMS, where, order_by="rank_score",
                                       descending=True, limit=limit, cursor=cursor)
        return [load(CareItem, d.value) for d in page.items], page.cursor

    def with_status(self, *statuses: str) -> Iterator[CareItem]:
        """Every item in one of ``statuses``."""
        return self._models(CARE_ITEMS, CareItem, [Filter("status", "in", list(statuses))])

    def since(self, since: float) -> Iterator[CareItem]:
        """Items whose conversation started at or after ``since`` (epoch seconds)."""
        return self._models(CARE_ITEMS, CareItem, [Filter("_created", "ge", since)])

    def many(self, ticket_ids: Sequence[str]) -> dict[str, CareItem]:
        """The items among ``ticket_ids`` that exist."""
        found = self._where_in(CARE_ITEMS, "ticket_id", ticket_ids)
        items = (load(CareItem, d.value) for d in found)
        return {i.ticket_id: i for i in items}

    # -- replies ---------------------------------------------------------------------
    def reply(self, reply_id: str) -> ReplyRecord | None:
        """The reply record, or None."""
        return self._get(CARE_REPLIES, safe_key(reply_id), ReplyRecord)

    def begin_reply(self, record: ReplyRecord) -> ReplyRecord:
        """Create the reply record once; return the stored one (the first wins)."""
        if self._create(CARE_REPLIES, safe_key(record.reply_id), record):
            return record
        stored = self.reply(record.reply_id)
        return stored if stored is not None else record

    def mark_sent(self, reply_id: str, network_message_id: str, at: datetime) -> None:
        """Record that the channel delivered the reply."""

        def sent(current: dict[str, Any]) -> dict[str, Any]:
            return {**current, "status": "sent", "network_message_id": network_message_id,
                    "sent_at": current.get("sent_at") or at.isoformat()}

        self._change(CARE_REPLIES, safe_key(reply_id), sent)

    def replies(self, ticket_id: str) -> list[ReplyRecord]:
        """The replies to one item, oldest first."""
        found = self._models(CARE_REPLIES, ReplyRecord, {"ticket_id": ticket_id})
        return sorted(found, key=lambda r: (r.created_at, r.reply_id))

    # -- erasure ---------------------------------------------------------------------
    def erase(self, erasure: Erasure) -> None:
        """Items of the person's conversations stay for the queue's statistics (status,
        timestamps, function, RankScore) with the author tombstoned and the explanation
        (which quotes the post) dropped; replies to the person keep their delivery facts
        with the recipient tombstoned and the text gone (it was addressed to them). Any
        other item or reply that names the person (a helper in an explanation, a mention
        in an answer) is scrubbed; both collections are scanned (erasure is rare)."""
        subject, tomb = erasure.subject, erasure.tombstone
        for document in list(self._store.iter_query(CARE_ITEMS, page_size=1000)):
            value = document.value
            if value.get("author_id") in subject.person_ids:
                self._change(CARE_ITEMS, document.key, lambda current: {
                    **tomb.scrub(current), "author_id": tomb(str(current["author_id"])),
                    "score": None, "erased": True})
                erasure.count("care_items_anonymised")
            elif tomb.scrub(value) != value:
                self._change(CARE_ITEMS, document.key, tomb.scrub)
                erasure.count("care_items_scrubbed")
        for document in list(self._store.iter_query(CARE_REPLIES, page_size=1000)):
            value = document.value
            if value.get("recipient_id") in subject.person_ids:
                self._change(CARE_REPLIES, document.key, lambda current: {
                    **current, "recipient_id": tomb(str(current["recipient_id"])),
                    "text": ERASED_TEXT})
                erasure.count("care_replies_anonymised")
            elif tomb.scrub(value) != value:
                self._change(CARE_REPLIES, document.key, tomb.scrub)
                erasure.count("care_replies_scrubbed")


__all__ = ["CARE_ITEMS", "CARE_REPLIES", "CareItemNotFound", "CareItemRepository"]
