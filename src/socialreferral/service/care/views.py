"""What agents look at: queues with SLA timers, an item with its explanation and thread.

Read-only use cases shaped for the console, the REST API and the CLI:

* :func:`queue_page` — one page of a queue, best RankScore first, each entry with its
  first-response SLA state (due time, warning, breach) and its factor explanation;
  snoozed items whose time has come are woken first;
* :func:`summary` — per queue, how many items are open, pending, snoozed and breached;
* :func:`item_detail` — one item with every factor of its score, its conversation and the
  whole thread it belongs to, the replies sent and which kinds of reply the channel allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from socialreferral.care.records import CareItem, CarePostRecord, ReplyRecord
from socialreferral.care.workflow import OPEN_STATUSES, SlaState
from socialreferral.errors import InvalidInput
from socialreferral.records import Capability
from socialreferral.service.care.workflow import wake_due

if TYPE_CHECKING:
    from socialreferral.service.care.desk import CareDesk

STATUSES = ("open", "pending", "snoozed", "resolved")
MAX_PAGE = 200
_SCAN_PAGES = 20  # store pages read at most to fill one filtered page


@dataclass(frozen=True)
class QueueEntry:
    """One item of a queue with its SLA state."""

    item: CareItem
    sla: SlaState


@dataclass(frozen=True)
class QueuePage:
    """A page of a queue; pass ``cursor`` back for the next (None: the end)."""

    queue: str | None
    entries: list[QueueEntry]
    cursor: str | None
    profile: str


@dataclass(frozen=True)
class QueueCounts:
    """How many items a queue holds per status, and how many have breached the SLA."""

    queue: str
    open: int = 0
    pending: int = 0
    snoozed: int = 0
    breached: int = 0
    unassigned: int = 0


@dataclass(frozen=True)
class ItemDetail:
    """An item with everything an agent needs to act on it."""

    item: CareItem
    sla: SlaState
    conversation: list[CarePostRecord]
    thread: list[CarePostRecord]
    replies: list[ReplyRecord]
    reply_kinds: tuple[str, ...] = field(default=())  # "public", "private"


def _statuses(statuses: tuple[str, ...]) -> tuple[str, ...]:
    bad = [s for s in statuses if s not in STATUSES]
    if bad or not statuses:
        raise InvalidInput(f"statuses must be among {list(STATUSES)}", field="status")
    return statuses


def queue_page(desk: CareDesk, queue: str | None = None, *,
               statuses: tuple[str, ...] = ("open",), assignee: str | None = None,
               breached: bool | None = None, actionable: bool | None = True,
               limit: int = 50, cursor: str | None = None) -> QueuePage:
    """One page of ``queue`` (every queue when None); see the module docstring."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"must be between 1 and {MAX_PAGE}", field="limit")
    if queue is not None and queue not in desk.settings.queues():
        raise InvalidInput(f"not one of {list(desk.settings.queues())}", field="queue")
    statuses = _statuses(statuses)
    if "snoozed" in statuses or "open" in statuses:
        wake_due(desk)
    entries: list[QueueEntry] = []
    for _ in range(_SCAN_PAGES):
        items, cursor = desk.repositories.care_items.page(
            queue=queue, statuses=statuses, actionable=actionable, assignee=assignee,
            limit=limit, cursor=cursor)
        for item in items:
            sla = desk.sla(item)
            if breached is None or sla.breached == breached:
                entries.append(QueueEntry(item, sla))
        if breached is None or len(entries) >= limit or cursor is None:
            break
    return QueuePage(queue=queue, entries=entries[:limit], cursor=cursor,
                     profile=desk.profile_name())


def summary(desk: CareDesk) -> list[QueueCounts]:
    """Counts per queue (every configured queue, in priority order)."""
    counts: dict[str, dict[str, int]] = {q: {} for q in desk.settings.queues()}
    for item in desk.repositories.care_items.with_status(*OPEN_STATUSES):
        if not item.actionable:
            continue
        bucket = counts.setdefault(item.queue, {})
        bucket[item.status] = bucket.get(item.status, 0) + 1
        if item.first_response_at is None and desk.sla(item).breached:
            bucket["breached"] = bucket.get("breached", 0) + 1
        if item.assignee is None:
            bucket["unassigned"] = bucket.get("unassigned", 0) + 1
    return [QueueCounts(queue=q, **c) for q, c in counts.items()]


def item_detail(desk: CareDesk, ticket_id: str) -> ItemDetail:
    """The item with its explanation, conversation, thread, replies and reply kinds."""
    item = desk.repositories.care_items.require(ticket_id)
    threads = desk.repositories.care_threads
    conversation = threads.conversation(ticket_id)
    thread = threads.thread(item.root_id) if item.root_id else conversation
    kinds = tuple(kind for kind, capability in (("public", Capability.PUBLIC_REPLIES),
                                                ("private", Capability.PRIVATE_REPLIES))
                  if desk.social.supports(capability))
    return ItemDetail(item=item, sla=desk.sla(item), conversation=conversation,
                      thread=thread, replies=desk.repositories.care_items.replies(ticket_id),
                      reply_kinds=kinds)


__all__ = ["MAX_PAGE", "STATUSES", "ItemDetail", "QueueCounts", "QueueEntry", "QueuePage",
           "item_detail", "queue_page", "summary"]
