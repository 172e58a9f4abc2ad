"""The worker's event sinks: every feature that consumes the same social events.

The referral worker hands each batch's processed events to these sinks before it acks
them (``Worker.sinks``). A feature that consumes events adds its sink factory here — the
one place a composition root (the batch task, the CLI's worker) asks for them — and no
use case changes.
"""

from __future__ import annotations

from socialreferral.bootstrap import Providers
from socialreferral.service.worker import EventSink


def event_sinks(providers: Providers) -> tuple[EventSink, ...]:
    """Every configured sink: the care queue's (brand pages set) and influence
    analytics' (keywords tracked); none when neither feature is configured."""
    # Imported here: each factory imports its feature's models, which a worker without
    # that feature never loads.
    from socialreferral.tasks.care import care_sinks
    from socialreferral.tasks.influence import influence_sinks

    return (*care_sinks(providers), *influence_sinks(providers))


__all__ = ["event_sinks"]
