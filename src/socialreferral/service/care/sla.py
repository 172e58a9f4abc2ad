"""First-response SLA breaches: each detected and counted once, and the current tally.

An item *breaches* its first-response SLA when no reply came by its due time (the
conversation's first post + the tightest target, :func:`socialreferral.care.workflow.
sla_status`), or the reply came late. :func:`record_breaches` finds the actionable open,
pending or snoozed items in that state and stamps ``sla_breached_at`` (the due time) on
each under its etag; only the call whose write set the stamp counts the breach
(``socialreferral.care.sla_breaches``, by queue). So two sweeps at once, a retried job or
a restart never count an item twice, and a late reply followed by more replies, a
reopen or a re-ranking changes nothing. :func:`stamp_breach` is the same check for a use
case already changing an item (resolving one, so an item closed before the next sweep is
counted too).

:func:`breached_now` is the gauge's reading: per queue, how many open items are past due
without a reply (what ``GET /care/queues`` reports as ``breached``).

The sweep runs as the batch task ``care.sla`` (``tasks/care.py``, every 2 minutes in the
embedded runtime's schedule), so a breach is counted within minutes of its due time,
whether or not anyone looks at the queue. Metrics go through the
:mod:`socialreferral.observability` hooks: nothing here imports OpenTelemetry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialreferral import observability
from socialreferral.care.records import CareItem
from socialreferral.care.workflow import OPEN_STATUSES, SlaState

if TYPE_CHECKING:
    from socialreferral.service.care.desk import CareDesk

BREACHES = "socialreferral.care.sla_breaches"


def stamp_breach(item: CareItem, sla: SlaState) -> CareItem:
    """``item`` with ``sla_breached_at`` set when ``sla`` is breached and the item is
    actionable and not stamped yet; otherwise ``item`` itself. Pure (safe inside an
    etag-retried edit)."""
    if item.sla_breached_at is not None or not item.actionable or not sla.breached:
        return item
    return item.model_copy(update={"sla_breached_at": sla.due_at})


def count_breach(before: CareItem, after: CareItem) -> bool:
    """Count the breach if this change stamped it (``before`` unstamped, ``after``
    stamped); True if counted."""
    if before.sla_breached_at is None and after.sla_breached_at is not None:
        observability.count(BREACHES, queue=after.queue)
        return True
    return False


def record_breaches(desk: CareDesk) -> list[CareItem]:
    """Stamp and count every breach not recorded yet (module docstring); return the items
    this call stamped."""
    items = desk.repositories.care_items
    stamped: list[CareItem] = []
    for item in list(items.with_status(*OPEN_STATUSES)):
        if item.sla_breached_at is not None or not item.actionable \
                or not desk.sla(item).breached:
            continue
        before, after = _stamp(desk, item.ticket_id)
        if count_breach(before, after):
            stamped.append(after)
    return stamped


def _stamp(desk: CareDesk, ticket_id: str) -> tuple[CareItem, CareItem]:
    """Stamp one item under its etag: (the state the write was based on, the result)."""
    before: dict[str, CareItem] = {}

    def edit(current: CareItem) -> CareItem:
        before["item"] = current  # re-run on a conflict: the last run is what was written
        return stamp_breach(current, desk.sla(current))

    after = desk.repositories.care_items.change(ticket_id, edit)
    return before["item"], after


def breached_now(desk: CareDesk) -> dict[str, int]:
    """Per configured queue, the open items past their due time without a reply."""
    return {counts.queue: counts.breached for counts in desk.summary()}


__all__ = ["BREACHES", "breached_now", "count_breach", "record_breaches", "stamp_breach"]
