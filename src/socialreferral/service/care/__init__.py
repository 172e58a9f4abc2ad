"""The care queue's use cases (seed 003) over the care repositories and the SocialChannel.

:class:`CareDesk` is the Python API; one module per job behind it:

* :mod:`.events` — SocialEvent → care post; :class:`CareEventSink`, the worker's hook;
* :mod:`.ingest` — posts into threads and conversations, items refreshed;
* :mod:`.scoring` — a conversation scored, its item kept in step (workflow from timestamps);
* :mod:`.views` — queues with SLA timers, an item with its explanation and thread;
* :mod:`.assignment` — claim, assign, unassign, round robin, caps under races;
* :mod:`.workflow` — resolve, reopen, snooze and wake-up;
* :mod:`.sla` — first-response breaches detected and counted once per item;
* :mod:`.replies` — public and private replies through the SocialChannel, mass response;
* :mod:`.tuning` — agent feedback, the periodic categorizer, recategorisation, profiles.
"""

from socialreferral.service.care.assignment import UnknownAgent
from socialreferral.service.care.desk import CareDesk
from socialreferral.service.care.events import CareEventSink, post_from_event
from socialreferral.service.care.ingest import CareIngestResult
from socialreferral.service.care.replies import Cluster, MassOutcome, ReplyOutcome
from socialreferral.service.care.views import ItemDetail, QueueCounts, QueueEntry, QueuePage

__all__ = [
    "CareDesk",
    "CareEventSink",
    "CareIngestResult",
    "Cluster",
    "ItemDetail",
    "MassOutcome",
    "QueueCounts",
    "QueueEntry",
    "QueuePage",
    "ReplyOutcome",
    "UnknownAgent",
    "post_from_event",
]
