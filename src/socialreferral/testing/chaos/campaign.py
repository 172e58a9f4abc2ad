"""A ``kill -9`` campaign: stage processes killed at random moments, restarted, until the
work is done; and the reference run of the same workload, in process, without faults.

:class:`KillCampaign` starts each stage of :mod:`~socialreferral.testing.chaos.stages` as
its own Python process (``python -m socialreferral.testing.chaos.stages``), and, at random
intervals, sends ``SIGKILL`` to a random stage process that is at work (it wrote its
ready file: imports done, models warm), then starts it again at once. A phase ends when
its ``done`` condition holds after its kills were made; every loop is bounded in count
and in time, and every process it started is stopped by its id.

Stage processes are forked from a **warm fork server** (:mod:`multiprocessing`'s
``forkserver``, which imports the stages' modules, the NLP libraries and the cloud SDKs
once): a restarted stage skips the seconds of imports every cold Python process pays
and opens its own connections after the fork, as a fresh process does. ``preload=False``
starts each as ``python -m socialreferral.testing.chaos.stages`` instead.

A phase is bounded by **progress**, not by a fixed wall time: it fails when nothing has
moved for ``stall_seconds`` (no process became ready, no kill, no delivery acked, no
lead step, no event processed, no change in the queue depth), and only a generous
``max_seconds`` caps it in total. A campaign's wall time scales with the machine's load
(each kill is followed by a warm-up that the next kill waits for); a stuck one stalls.
The failure message says where the run stood and how long each process took to warm up.

Typical use (what ``tests/chaos`` does for the local provider, moto and Azurite)::

    campaign = KillCampaign(workdir, settings, workload, seed=3)
    with campaign.providers() as providers:
        prepare(providers, workload)
    campaign.run_phase({"ingest": 1, "worker": 2}, kills=14, done=campaign.drained)
    campaign.run_phase({"leads": 1}, kills=6, done=lambda providers: True)
    ledger = campaign.ledger()
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.errors import SocialReferralError
from socialreferral.records import Capability
from socialreferral.settings import settings_from_mapping
from socialreferral.testing.chaos.ledger import Ledger
from socialreferral.testing.chaos.stages import (
    Progress,
    ingest_stage,
    lead_stage,
    prepare,
    worker_stage,
)
from socialreferral.testing.chaos.workload import ChaosWorkload

STAGES = ("ingest", "worker", "leads")
PRELOAD = (
    "socialreferral.testing.chaos.stages", "socialreferral.tasks.care",
    "socialreferral.tasks.referral", "socialreferral.care.categorizer",
    "socialreferral.text.catalog_analyzer", "socialreferral.text.sentiment",
    "socialreferral.providers.local.plugin", "socialreferral.providers.aws.plugin",
    "socialreferral.providers.azure.plugin", "nltk", "scipy.stats", "sklearn",
    "boto3", "azure.storage.queue", "azure.storage.blob", "azure.cosmos",
)
"""Modules the fork server imports once (missing ones are skipped)."""


class CampaignFailed(SocialReferralError):
    """A stage process failed on its own, or a phase did not finish in time."""


class _Forked:
    """A stage process forked from the fork server, with ``Popen``'s small interface."""

    def __init__(self, process: multiprocessing.process.BaseProcess) -> None:
        self._process = process
        self.pid = int(process.pid or 0)

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode

    def poll(self) -> int | None:
        return None if self._process.is_alive() else self._process.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        self._process.join(timeout)
        return self._process.exitcode


def _forked_stage(stage: str, spec: str, log: str, env: dict[str, str]) -> None:
    """The body of a forked stage process: output to its log, the campaign's
    environment, then the stage as ``python -m ...stages`` would run it."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.environ.update(env)
    from socialreferral.testing.chaos.stages import main

    raise SystemExit(main([stage, spec]))


@dataclass
class _Slot:
    stage: str
    number: int
    spec: Path
    ready: Path
    log: Path
    process: subprocess.Popen[bytes] | _Forked | None = None
    finished: bool = False
    started_at: float = 0.0
    was_ready: bool = False
    warmups: list[float] = field(default_factory=list)

    def describe(self) -> str:
        alive = self.process is not None and self.process.poll() is None
        state = "finished" if self.finished else "ready" if self.ready.exists() \
            else "warming up" if alive else "not running"
        warm = ", ".join(f"{w:.0f}" for w in self.warmups[-6:])
        return (f"{self.stage}-{self.number}: {state} "
                f"({time.monotonic() - self.started_at:.0f} s since its start; "
                f"{len(self.warmups)} warm-ups, last took [{warm}] s)")


@dataclass
class PhaseResult:
    """What one phase did: kills per stage, starts, its wall time."""

    kills: Counter[str] = field(default_factory=Counter)
    starts: int = 0
    seconds: float = 0.0


class KillCampaign:
    """Stage processes under ``kill -9`` (module docstring)."""

    def __init__(self, workdir: Path, settings: Mapping[str, Any], workload: ChaosWorkload,
                 *, seed: int = 0, kill_gap: tuple[float, float] = (0.2, 1.2),
                 worker_idle_seconds: float = 3600.0,
                 env: Mapping[str, str] | None = None, preload: bool = True) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.settings = dict(settings)
        self.workload = workload
        self.rng = random.Random(seed)
        self.kill_gap = kill_gap
        self.worker_idle_seconds = worker_idle_seconds
        self.env = {**os.environ, **(env or {})}
        self._env_overrides = dict(env or {})
        self._forkserver: multiprocessing.context.ForkServerContext | None = None
        if preload and "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            assert isinstance(context, multiprocessing.context.ForkServerContext)
            self._forkserver = context
            self._forkserver.set_forkserver_preload(list(PRELOAD))
        self.kills: Counter[str] = Counter()
        self.deliveries = workload.deliveries()
        self.expected_events = len(workload.event_ids(self.deliveries))

    # -- the controller's own view of the backends -------------------------------------
    @contextmanager
    def providers(self) -> Iterator[Providers]:
        """Providers over the campaign's settings (closed on exit)."""
        with build_providers(settings_from_mapping(self.settings, source="chaos")) as built:
            yield built

    def progress_path(self, stage: str) -> Path:
        """The progress file a stage shares across its restarts."""
        return self.workdir / f"{stage}.progress"

    def drained(self, providers: Providers) -> bool:
        """Every delivery acknowledged, every event processed, nothing waiting."""
        if len(Progress(self.progress_path("ingest"))) < len(self.deliveries):
            return False
        if providers.queue.depth() != 0:
            return False
        return len(providers.repositories.events.processed()) >= self.expected_events

    def state(self, providers: Providers) -> str:
        """Where the run stands, for a failure message (read errors are shown, not raised)."""
        try:
            text = (f"deliveries acked {len(Progress(self.progress_path('ingest')))}/"
                    f"{len(self.deliveries)}, lead steps done "
                    f"{len(Progress(self.progress_path('leads')))}, queue depth "
                    f"{providers.queue.depth()}, events processed "
                    f"{len(providers.repositories.events.processed())}/{self.expected_events}")
        except Exception as exc:
            return f"state unreadable: {exc!r}"
        try:
            if providers.queue.supports(Capability.DEAD_LETTER):
                text += f", dead letters {len(providers.queue.dead_letters(10))}+"
        except Exception as exc:
            text += f", dead letters unreadable: {exc!r}"
        return text

    def _signature(self, providers: Providers, slots: list[_Slot],
                   kills: Counter[str]) -> tuple[object, ...]:
        """What changes while a phase makes progress (see the module docstring)."""
        try:
            depth: object = providers.queue.depth()
            processed: object = len(providers.repositories.events.processed())
        except Exception as exc:  # a backend that does not answer is no progress
            depth = processed = type(exc).__name__
        files = tuple(self.progress_path(stage).stat().st_size
                      if self.progress_path(stage).exists() else 0 for stage in STAGES)
        return (tuple((s.ready.exists(), s.finished, len(s.warmups)) for s in slots),
                sum(kills.values()), files, depth, processed)

    # -- phases ------------------------------------------------------------------------
    def run_phase(self, stages: Mapping[str, int], *, kills: int | Mapping[str, int],
                  done: Callable[[Providers], bool], stall_seconds: float = 120.0,
                  max_seconds: float = 1800.0, settle_checks: int = 2,
                  settle_gap: float = 1.5) -> PhaseResult:
        """Run ``stages`` (name -> process count), make ``kills`` kills (a number, or a
        number per stage: victims are then drawn among the stages short of theirs), then
        wait until
        ``done`` holds ``settle_checks`` times in a row (``settle_gap`` apart: messages
        a killed worker held come back after the visibility timeout). Raises
        :class:`CampaignFailed` when a stage fails by itself, when nothing progresses for
        ``stall_seconds``, or after ``max_seconds`` in all."""
        unknown = set(stages) - set(STAGES)
        if unknown:
            raise CampaignFailed(f"unknown stages {sorted(unknown)}")
        quota = dict(kills) if isinstance(kills, Mapping) else None
        total = sum(quota.values()) if quota is not None else int(kills)  # type: ignore[arg-type]
        result, started = PhaseResult(), time.monotonic()
        slots = [self._slot(stage, n) for stage, count in stages.items() for n in range(count)]
        try:
            for slot in slots:
                self._start(slot)
                result.starts += 1
            next_kill = time.monotonic() + self.rng.uniform(*self.kill_gap)
            settled = 0
            with self.providers() as providers:
                signature: tuple[object, ...] = ()
                moved = next_look = time.monotonic()
                while True:
                    now = time.monotonic()
                    if now >= next_look:  # a few store reads: every 2 s, not every loop
                        latest = self._signature(providers, slots, result.kills)
                        if latest != signature:
                            signature, moved = latest, now
                        next_look = now + 2.0
                    stalled = now - moved > stall_seconds
                    if stalled or now - started > max_seconds:
                        why = (f"nothing progressed for {stall_seconds:.0f} s" if stalled
                               else f"not done after {max_seconds:.0f} s")
                        raise CampaignFailed(
                            f"phase {dict(stages)}: {why} ({now - started:.0f} s in; "
                            f"{sum(result.kills.values())} kills {dict(result.kills)}; "
                            f"{self.state(providers)}; processes: "
                            + "; ".join(slot.describe() for slot in slots) + ")")
                    self._check(slots)
                    if quota is not None:  # a stage that finished takes no more kills
                        for stage in quota:
                            if all(s.finished for s in slots if s.stage == stage):
                                quota[stage] = min(quota[stage], result.kills[stage])
                        total = sum(quota.values())
                    made = sum(result.kills.values())
                    if made < total and time.monotonic() >= next_kill:
                        victim = self._victim(slots, result.kills, quota)
                        if victim is not None:
                            self._kill(victim)
                            result.kills[victim.stage] += 1
                            self._start(victim)
                            result.starts += 1
                        next_kill = time.monotonic() + self.rng.uniform(*self.kill_gap)
                    if made >= total and all(s.finished for s in slots
                                             if s.stage != "worker"):
                        settled = settled + 1 if done(providers) else 0
                        if settled >= settle_checks:
                            break
                        time.sleep(settle_gap)
                    else:
                        time.sleep(0.05)
        finally:
            for slot in slots:
                self._stop(slot)
        result.seconds = time.monotonic() - started
        self.kills.update(result.kills)
        return result

    def _slot(self, stage: str, number: int) -> _Slot:
        name = f"{stage}-{number}"
        spec = self.workdir / f"{name}.spec.json"
        spec.write_text(json.dumps({
            "settings": self.settings, "workload": self.workload.to_json(),
            "progress": str(self.progress_path(stage)),
            "ready": str(self.workdir / f"{name}.ready"),
            "idle_seconds": self.worker_idle_seconds, "max_seconds": 900,
        }), encoding="utf-8")
        return _Slot(stage, number, spec, self.workdir / f"{name}.ready",
                     self.workdir / f"{name}.log")

    def _start(self, slot: _Slot) -> None:
        slot.ready.unlink(missing_ok=True)
        slot.started_at, slot.was_ready = time.monotonic(), False
        if self._forkserver is not None:
            process = self._forkserver.Process(
                target=_forked_stage, name=f"chaos-{slot.stage}-{slot.number}",
                args=(slot.stage, str(slot.spec), str(slot.log), self._env_overrides))
            process.start()
            slot.process = _Forked(process)
            return
        with slot.log.open("ab") as log:
            slot.process = subprocess.Popen(
                [sys.executable, "-m", "socialreferral.testing.chaos.stages", slot.stage,
                 str(slot.spec)], stdout=log, stderr=subprocess.STDOUT, env=self.env)

    def _check(self, slots: list[_Slot]) -> None:
        for slot in slots:
            if not slot.was_ready and slot.ready.exists():
                slot.was_ready = True
                slot.warmups.append(time.monotonic() - slot.started_at)
            process = slot.process
            if process is None or slot.finished or process.poll() is None:
                continue
            if process.returncode == 0 and slot.stage != "worker":
                slot.finished = True
                continue
            tail = slot.log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise CampaignFailed(f"stage {slot.stage} exited with {process.returncode} "
                                 f"by itself:\n{tail}")

    def _victim(self, slots: list[_Slot], kills: Counter[str],
                quota: dict[str, int] | None) -> _Slot | None:
        """A random stage process at work, among the stages killed least so far in
        this phase (so every stage of a phase is hit while the moments stay random), or
        among those short of their ``quota``.

        Stages that end by themselves (ingest, leads) come first while they are short of
        their quota: workers stay until the queue is drained, but a fast ingest can be
        over before a worker's kills leave it a turn (and then its quota is lost)."""
        at_work = [s for s in slots if not s.finished and s.process is not None
                   and s.process.poll() is None and s.ready.exists()
                   and (quota is None or kills[s.stage] < quota.get(s.stage, 0))]
        if quota is not None:
            ending = [s for s in at_work if s.stage != "worker"]
            at_work = ending or at_work
        if not at_work:
            return None
        fewest = min(kills[s.stage] for s in at_work)
        return self.rng.choice([s for s in at_work if kills[s.stage] == fewest])

    @staticmethod
    def _kill(slot: _Slot) -> None:
        assert slot.process is not None
        os.kill(slot.process.pid, signal.SIGKILL)
        slot.process.wait(timeout=30)

    @staticmethod
    def _stop(slot: _Slot) -> None:
        process = slot.process
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGKILL)  # idle workers: nothing left to lose
        process.wait(timeout=30)

    # -- results -------------------------------------------------------------------------
    def ledger(self) -> Ledger:
        """The campaign's records (read after the last phase)."""
        with self.providers() as providers:
            return Ledger.capture(providers)


def reference_run(settings: Mapping[str, Any], workload: ChaosWorkload) -> Ledger:
    """The same workload in process, stage after stage, without faults: the ledger a
    campaign must reproduce."""
    with build_providers(settings_from_mapping(dict(settings), source="chaos")) as providers:
        prepare(providers, workload)
        ingest_stage(providers, workload, Progress())
        worker_stage(providers, workload, idle_seconds=0.5, max_seconds=1800)
        lead_stage(providers, workload, Progress())
        return Ledger.capture(providers)


__all__ = ["STAGES", "CampaignFailed", "KillCampaign", "PhaseResult", "reference_run"]
