"""Status moves of care items: resolve, reopen, snooze and the snoozed items' wake-up.

The rules are the core's (:data:`socialreferral.care.workflow.TRANSITIONS`); this module
applies them under the item's etag and keeps the agents' loads in step: resolving frees
the assignee's slot, reopening takes it again (forced: a reopened item cannot wait for a
free slot). A move the item's status does not allow is a
:class:`~socialreferral.errors.StateConflict` (409), not bad input: the same request may
be right a moment later.

Snoozed items wake up (back to open) when their time has come: :func:`wake_due` is called
before a queue is listed and by the periodic task, so no scheduler per item is needed.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from socialreferral.care.records import CareItem
from socialreferral.care.workflow import OPEN_STATUSES, sla_status, transition
from socialreferral.errors import InvalidInput, StateConflict
from socialreferral.service.care.sla import count_breach, stamp_breach

if TYPE_CHECKING:
    from socialreferral.service.care.desk import CareDesk

Move = Literal["resolve", "reopen", "snooze"]
MAX_SNOOZE_DAYS = 90


def act(desk: CareDesk, ticket_id: str, move: Move, *,
        until: datetime | None = None) -> CareItem:
    """Apply ``move`` to the item now (``until`` for a snooze)."""
    now = desk.now()
    if move == "snooze":
        if until is None or until.tzinfo is None:
            raise InvalidInput("a snooze needs a timezone-aware time", field="until")
        if until <= now:
            raise InvalidInput("must be in the future", field="until")
        if (until - now).days > MAX_SNOOZE_DAYS:
            raise InvalidInput(f"at most {MAX_SNOOZE_DAYS} days ahead", field="until")
    before: dict[str, CareItem] = {}

    def edit(current: CareItem) -> CareItem:
        before["item"] = current
        try:
            moved = transition(current, move, now, until=until)
        except InvalidInput as exc:
            raise StateConflict(str(exc).split(": ", 1)[-1], field=exc.field) from None
        moved = moved.model_copy(update={"updated_at": now})
        # An item resolved past its due time without a timely reply is a breach, counted
        # here if no sweep has counted it yet (it leaves the sweep's statuses).
        return stamp_breach(moved, sla_status(moved, desk.settings.sla, now))

    item = desk.repositories.care_items.change(ticket_id, edit)
    count_breach(before["item"], item)
    _keep_load(desk, before["item"], item)
    return item


def _keep_load(desk: CareDesk, before: CareItem, after: CareItem) -> None:
    if not after.assignee:
        return
    agents = desk.repositories.care_agents
    if before.status in OPEN_STATUSES and after.status not in OPEN_STATUSES:
        agents.release(after.assignee, after.ticket_id)
    elif before.status not in OPEN_STATUSES and after.status in OPEN_STATUSES:
        agents.reserve(after.assignee, after.ticket_id, cap=0, force=True, at=desk.now())


def wake_due(desk: CareDesk) -> int:
    """Wake every snoozed item whose time has come; return how many woke."""
    now, woken = desk.now(), 0
    items = desk.repositories.care_items
    for item in list(items.with_status("snoozed")):
        if item.snoozed_until is None or item.snoozed_until > now:
            continue

        def wake(current: CareItem) -> CareItem:
            if current.status != "snoozed" or current.snoozed_until is None \
                    or current.snoozed_until > now:
                return current  # moved meanwhile
            return transition(current, "wake", now).model_copy(update={"updated_at": now})

        if items.change(item.ticket_id, wake).status == "open":
            woken += 1
    return woken


__all__ = ["MAX_SNOOZE_DAYS", "Move", "act", "wake_due"]
