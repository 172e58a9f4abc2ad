"""Batch-task entry point of influence analytics, and the analytics every entry point builds.

``influence.recompute`` (registered in :data:`socialreferral.core_plugin.TASKS`) is the
periodic drift repair (the seed's Spark job ran every 15 minutes; here each post updates
the aggregates as it arrives and this job checks them): every keyword's entries against a
recomputation from its stored posts, a scan of the last ``[influence] scan_hours`` for
alerts, and a retry of alert notifications that failed. Payload: ``settings`` (see
:func:`~socialreferral.tasks.referral.task_payload`), optionally ``keywords`` (a list).
Fire it from any scheduler, as often as wanted: a run that finds nothing changes nothing.

:func:`influence_analytics` and :func:`influence_sinks` are how a composition root (this
module, the CLI, the web app, the referral worker once wired) gets an
:class:`~socialreferral.service.influence.InfluenceAnalytics`. The worker's wiring is::

    sinks = (*care_sinks(providers), *influence_sinks(providers))
    Worker(..., sinks=sinks)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.errors import InvalidInput
from socialreferral.service.influence import InfluenceAnalytics, InfluenceSink
from socialreferral.service.influence.alerts import Notify
from socialreferral.tasks.referral import settings_from_payload

log = logging.getLogger(__name__)


def influence_analytics(providers: Providers, *, clock: Callable[[], datetime] | None = None,
                        notify: Notify | None = None) -> InfluenceAnalytics:
    """The influence use cases over ``providers`` with the ``[influence]`` settings."""
    extra: dict[str, Any] = {} if clock is None else {"clock": clock}
    return InfluenceAnalytics(repositories=providers.repositories,
                              settings=providers.settings.influence, notify=notify, **extra)


def influence_sinks(providers: Providers) -> tuple[InfluenceSink, ...]:
    """The worker's influence sink when any keyword is tracked (configured or added),
    with its models loaded; else none."""
    analytics = influence_analytics(providers)
    if analytics.keywords.config() is None:
        return ()
    analytics.prepare()
    return (InfluenceSink(analytics),)


def recompute_task(payload: dict[str, Any], index: int) -> None:
    """Batch task ``influence.recompute`` (module docstring). Array children other than
    0 do nothing: the job is one computation."""
    if index != 0:
        return
    keywords = payload.get("keywords")
    if keywords is not None and (not isinstance(keywords, list)
                                 or not all(isinstance(k, str) for k in keywords)):
        raise InvalidInput("expected a list of keywords", field="keywords")
    with build_providers(settings_from_payload(payload)) as providers:
        report = influence_analytics(providers).recompute(keywords)
    log.info("influence.recompute: %d keywords, %d entries fixed, %d new alerts, %d "
             "notifications resent", len(report.keywords), report.fixed, len(report.alerts),
             report.notified)


__all__ = ["influence_analytics", "influence_sinks", "recompute_task"]
