"""What ``socialreferral demo`` adds so that every console page has something to show:
the care queue, the influencer panels and the People pages, each through its own demo's
use cases on the same providers.

* **care** — :func:`~socialreferral.demo.care.run_care_demo`: a brand page's threads in
  the queue, some assigned round robin, a cluster answered once, terms proposed;
* **influence** — a generated stream (:mod:`socialreferral.demo.influence`) that *ends
  now* (the dashboard shows the last 48 hours by default) with a planted crisis in its
  last day, tracked slice by slice as if live;
* **people** — seed 004's synthetic B2B world: CRM contacts fused into people, then the
  sales process for its companies, which leaves introduction tasks in the CRM.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from socialreferral.bootstrap import Providers
from socialreferral.records import Capability
from socialreferral.settings import Settings

INFLUENCE_DAYS = 10
INFLUENCE_POSTS = 6_000
PEOPLE_SEED = 11
DIRECTORY_FILE = "people-demo-directory.json"


@dataclass
class ConsoleDemo:
    """What was added, by area."""

    care_items: int = 0
    influence_posts: int = 0
    influence_alerts: int = 0
    people: int = 0
    introduction_tasks: int = 0
    keywords: list[str] = field(default_factory=list)


def seed_care(providers: Providers, now: datetime) -> int:
    """The care demo's threads; returns how many conversations are in the queue."""
    from socialreferral.demo.care import run_care_demo

    return len(run_care_demo(providers, now=now).ingest.items)


def seed_influence(providers: Providers, now: datetime, *, days: int = INFLUENCE_DAYS,
                   posts: int = INFLUENCE_POSTS, seed: int = 1) -> tuple[int, int, list[str]]:
    """A stream ending now, tracked as if live; (posts, alerts raised, keywords)."""
    from socialreferral.demo.influence import (
        SimulatedClock,
        demo_config,
        feed,
        track_demo_keywords,
    )
    from socialreferral.influence.demo_stream import DemoStream
    from socialreferral.tasks.influence import influence_analytics

    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    config = demo_config(seed=seed, days=days, posts=posts)
    start = hour - timedelta(days=days)
    update: dict[str, object] = {"start": start}
    if config.crisis_at_hour is not None:
        # The crisis at the time of day demo_config gives it on a stream that starts at
        # midnight (15:00 UTC), the last one over by now. Placed by hours from this start
        # instead, it fell at night for a demo run in the morning, where the stream's few
        # posts per hour raised no alert.
        crisis = hour.replace(hour=config.crisis_at_hour % 24)
        while crisis + timedelta(hours=config.crisis_hours) > hour:
            crisis -= timedelta(days=1)
        update["crisis_at_hour"] = int((crisis - start).total_seconds()) // 3600
    config = config.model_copy(update=update)
    stream = DemoStream(config)
    clock = SimulatedClock(config.start)
    analytics = influence_analytics(providers, clock=clock)
    keys = track_demo_keywords(analytics, stream.tracking, now)
    analytics.prepare()
    fed = feed(analytics, clock, stream)
    for info in analytics.keywords.all():  # the finished hours' alerts get final figures
        analytics.scan_alerts(info.keyword.key, hour - timedelta(days=1), hour)
    return fed.posts, len(fed.raised), keys


def seed_people(providers: Providers, now: datetime, directory_file: Path) -> tuple[int, int]:
    """The B2B world fused and the sales process run; (people, introduction tasks).
    A CRM without the contacts capability (the Dynamics adapter declares none) gets
    no people data: (0, 0)."""
    from socialreferral.people.b2b import B2BRequest
    from socialreferral.people.demo_b2b import demo_world
    from socialreferral.tasks.people import b2b_once, fuse_once

    if not providers.crm.supports(Capability.CONTACTS):
        return 0, 0
    world = demo_world(PEOPLE_SEED, now=now)
    directory_file.parent.mkdir(parents=True, exist_ok=True)
    directory_file.write_text(json.dumps(world.directory), encoding="utf-8")
    for contact in world.crm_contacts:
        providers.crm.save_contact(contact)
    fuse_once(providers, mode="full", now=now)
    request = B2BRequest(requested_by=world.requested_by, companies=tuple(world.companies))
    run = b2b_once(providers, request, directory_file=str(directory_file), now=now)
    return run.fusion.people, len(run.tasks)


def _seed_influence_apart(settings: Settings, now: datetime) -> tuple[int, int, list[str]]:
    # In the process start_influence starts: providers of its own on the same settings,
    # as every batch worker of the demo has.
    from socialreferral.bootstrap import build_providers

    with build_providers(settings) as providers:
        return seed_influence(providers, now)


@contextlib.contextmanager
def start_influence(providers: Providers, now: datetime | None = None,
                    ) -> Iterator[Callable[[], tuple[int, int, list[str]]]]:
    """Run :func:`seed_influence` in a process of its own while the block runs; yields
    the function that waits for its result (pass it to :func:`seed_console`).

    The influence stream is the largest part of the console data (~10 s of CPU for
    6,000 posts tracked slice by slice). On a thread it held the demo's interpreter
    while the care and people data waited for it; a process of its own (on providers
    built from the same settings, like the demo's batch workers) runs beside both and
    beside the referral workers. It touches only the influence repositories. Leaving
    the block waits for the process.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    pool = ProcessPoolExecutor(1, mp_context=context)
    try:
        future = pool.submit(_seed_influence_apart, providers.settings, now or datetime.now(UTC))
        yield future.result
    finally:
        pool.shutdown(wait=True)


def seed_console(providers: Providers, data_dir: Path, *,
                 now: datetime | None = None,
                 influence: Callable[[], tuple[int, int, list[str]]] | None = None,
                 ) -> ConsoleDemo:
    """Care, influence and people demo data on ``providers`` (module docstring);
    ``data_dir`` receives the B2B directory file. ``influence``: the result of a
    :func:`seed_influence` already started elsewhere (``socialreferral demo`` runs it
    beside the referral demo's workers, see :func:`start_influence`)."""
    moment = now or datetime.now(UTC)
    out = ConsoleDemo()
    out.care_items = seed_care(providers, moment)
    seeded = influence() if influence is not None else seed_influence(providers, moment)
    out.influence_posts, out.influence_alerts, out.keywords = seeded
    out.people, out.introduction_tasks = seed_people(providers, moment,
                                                     data_dir / DIRECTORY_FILE)
    return out


__all__ = ["DIRECTORY_FILE", "ConsoleDemo", "seed_care", "seed_console", "seed_influence",
           "seed_people", "start_influence"]
