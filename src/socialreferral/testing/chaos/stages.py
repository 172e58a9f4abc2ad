"""The stages of a chaos campaign — ingest, worker, leads — callable in process or as a
process of their own that a campaign kills with ``SIGKILL``.

Each stage is the library's own entry into a flow: :func:`ingest_stage` hands every
delivery to :func:`~socialreferral.service.ingest.ingest_webhook` (what the webhook route
calls), :func:`worker_stage` runs the :class:`~socialreferral.service.worker.Worker` with
the care sink (what ``referral.process-batch`` runs), :func:`lead_stage` recommends
offers and submits lead forms (what the referrer's and the prospect's requests call).

A :class:`Progress` file stands for what the *outside world* remembers: the network
re-sends a delivery it got no answer for, a prospect presses "submit" again. A step is
recorded after it returned, so a process killed in between repeats it on restart — the
at-least-once retry that exactly-once code must absorb. Errors that the web edge answers
with 503 (transient, a lost etag race) are retried the same way; any other error fails
the stage, because it would fail the request.

Run as a process::

    python -m socialreferral.testing.chaos.stages {ingest|worker|leads} SPEC.json

``SPEC.json``: ``settings`` (the raw settings mapping), ``workload``
(:meth:`ChaosWorkload.to_json`), ``progress`` and ``ready`` (file paths), optionally
``faults`` (a :class:`~socialreferral.testing.faults.FaultPlan` as JSON) and
``idle_seconds``/``max_seconds`` for the worker.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.channels import MetaChannel
from socialreferral.channels.meta import APP_SECRET
from socialreferral.demo.runner import load_world
from socialreferral.domain.links import sign_referral_token
from socialreferral.domain.referrals import referral_id_for
from socialreferral.errors import ConcurrencyConflict, InvalidInput, TransientError
from socialreferral.service.ingest import ingest_webhook
from socialreferral.service.referrals import recommend, signing_key, submit_lead
from socialreferral.service.worker import Worker
from socialreferral.settings import settings_from_mapping
from socialreferral.testing.chaos.workload import APP_SECRET_VALUE, ChaosWorkload, Delivery
from socialreferral.testing.faults import FaultInjector, FaultPlan

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE: tuple[type[Exception], ...] = (TransientError, ConcurrencyConflict)
"""What the web edge answers with 503 + Retry-After: the sender tries again."""
RETRY_ATTEMPTS = 50


class Progress:
    """Step numbers done, in a file that survives ``kill -9`` (each line written and
    flushed after the step returned), or in memory when ``path`` is None."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = None if path is None else Path(path)
        self._done: set[int] = set()
        if self.path is not None and self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.strip().isdigit():  # a line cut by a kill is not a step done
                    self._done.add(int(line))

    def __contains__(self, step: int) -> bool:
        return step in self._done

    def __len__(self) -> int:
        return len(self._done)

    def add(self, step: int) -> None:
        """Record ``step`` as done."""
        self._done.add(step)
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(f"{step}\n")


def retried(fn: Callable[[], T], *, attempts: int = RETRY_ATTEMPTS) -> T:
    """``fn()``, tried again (briefly backing off) while it raises a 503-class error."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except RETRYABLE:
            if attempt == attempts:
                raise
            time.sleep(min(0.2, 0.005 * attempt))
    raise AssertionError("unreachable")


def prepare(providers: Providers, workload: ChaosWorkload) -> None:
    """Load the workload's world: the catalog, the customers' accounts and friends, the
    webhook secret. Done once, before the campaign (it is not what is tested)."""
    providers.secrets.set(APP_SECRET, APP_SECRET_VALUE)
    load_world(providers, workload.bank(), workload.now)


def ingest_stage(providers: Providers, workload: ChaosWorkload, progress: Progress,
                 deliveries: list[Delivery] | None = None, *, paced: bool = False) -> int:
    """Deliver every delivery not yet acknowledged; return how many were delivered now.
    ``paced``: at most ``workload.deliveries_per_second`` (when set), from now on."""
    channel, delivered = MetaChannel(), 0
    limit = providers.settings.web.max_body_bytes
    rate = workload.deliveries_per_second if paced else 0.0
    started = time.monotonic()
    for number, delivery in enumerate(deliveries or workload.deliveries()):
        if number in progress:
            continue
        if rate > 0:
            time.sleep(max(0.0, started + delivered / rate - time.monotonic()))
        retried(lambda d=delivery: ingest_webhook(  # type: ignore[misc]
            channel, d.headers, d.body, queue=providers.queue, secrets=providers.secrets,
            repositories=providers.repositories, max_body_bytes=limit))
        progress.add(number)
        delivered += 1
    return delivered


def make_worker(providers: Providers, workload: ChaosWorkload) -> Worker:
    """The worker ``referral.process-batch`` builds (with the care sink), on the
    workload's clock."""
    from socialreferral.tasks.care import care_sinks
    from socialreferral.tasks.referral import _analyzer

    rules = providers.settings.referral
    return Worker(queue=providers.queue, repositories=providers.repositories,
                  crm=providers.crm, social=providers.social, settings=rules,
                  analyzer=_analyzer(rules.analyzer), sinks=care_sinks(providers),
                  clock=lambda: workload.now)


def worker_stage(providers: Providers, workload: ChaosWorkload, *, idle_seconds: float,
                 max_seconds: float, ready: Callable[[], None] | None = None) -> int:
    """Drain the queue until it stays empty ``idle_seconds``; a drain that fails with a
    503-class error is started again, as a batch service restarts a failed worker.
    Returns the messages handled."""
    worker = make_worker(providers, workload)
    retried(worker.start)
    if ready is not None:
        ready()
    deadline, done = time.monotonic() + max_seconds, 0
    while time.monotonic() < deadline:
        try:
            done += worker.drain(idle_seconds=idle_seconds,
                                 max_seconds=max(0.1, deadline - time.monotonic()))
            return done
        except RETRYABLE as exc:
            log.warning("worker drain failed, restarting it: %s", exc)
    return done


def lead_stage(providers: Providers, workload: ChaosWorkload, progress: Progress) -> int:
    """Recommend the chosen offers, then submit their forms (the workload's plan, which
    depends on the stored offers only); return the steps run now."""
    repositories, rules = providers.repositories, providers.settings.referral
    offers = retried(repositories.referrals.offers)
    emails = {c.customer_id: c.email or "" for c in workload.bank().customers}
    plan = workload.lead_plan([(o.offer_id, o.prospect_id, o.referrer_id) for o in offers],
                              emails)
    base_url = providers.settings.web.public_base_url
    ran = 0
    for number, step in enumerate(plan):
        if number in progress:
            continue
        if step.kind == "recommend":
            retried(lambda s=step: recommend(  # type: ignore[misc]
                s.offer_id, repositories=repositories, secrets=providers.secrets,
                social=providers.social, settings=rules, public_base_url=base_url,
                now=workload.now))
        else:
            token = retried(lambda s=step: _token(providers, s.offer_id))  # type: ignore[misc]
            retried(lambda s=step, t=token: submit_lead(  # type: ignore[misc]
                t, s.form, repositories=repositories, secrets=providers.secrets,
                crm=providers.crm, settings=rules, now=s.at))
        progress.add(number)
        ran += 1
    return ran


def _token(providers: Providers, offer_id: str) -> str:
    """The link the prospect got for ``offer_id``'s referral (signed as ``recommend``
    signs it)."""
    referral = providers.repositories.referrals.referral(referral_id_for(offer_id))
    if referral is None:
        raise InvalidInput(f"no referral for offer {offer_id!r}", field="offer_id")
    key_id, key = signing_key(providers.secrets)
    return sign_referral_token(referral.referral_id, referral.link_expires_at, key, key_id)


# -- the stage as a process ---------------------------------------------------------------
def run_spec(stage: str, spec: dict[str, Any]) -> int:
    """Run ``stage`` as ``spec`` describes (module docstring); return steps or messages."""
    workload = ChaosWorkload.from_json(spec["workload"])
    settings = settings_from_mapping(spec["settings"], source="chaos spec")
    ready_path = Path(spec["ready"]) if spec.get("ready") else None

    def ready() -> None:
        if ready_path is not None:
            ready_path.write_text(str(time.time()), encoding="utf-8")

    with build_providers(settings) as providers:
        if spec.get("faults"):
            FaultInjector(FaultPlan(**_plan(spec["faults"]))).wrap_providers(providers)
        if stage == "worker":
            return worker_stage(providers, workload, ready=ready,
                                idle_seconds=float(spec.get("idle_seconds", 3600)),
                                max_seconds=float(spec.get("max_seconds", 900)))
        progress = Progress(spec["progress"])
        ready()
        if stage == "ingest":
            return ingest_stage(providers, workload, progress, paced=True)
        if stage == "leads":
            return lead_stage(providers, workload, progress)
    raise InvalidInput(f"unknown stage {stage!r}", field="stage")


def _plan(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for name in ("ports", "primitives"):
        if out.get(name) is not None:
            out[name] = frozenset(out[name])
    return out


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m socialreferral.testing.chaos.stages STAGE SPEC.json``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m socialreferral.testing.chaos.stages "
              "{ingest|worker|leads} SPEC.json", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(process)d %(name)s %(message)s")
    spec = json.loads(Path(args[1]).read_text(encoding="utf-8"))
    run_spec(args[0], spec)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["RETRYABLE", "Progress", "ingest_stage", "lead_stage", "main", "make_worker",
           "prepare", "retried", "run_spec", "worker_stage"]
