"""A ``kill -9`` campaign: stage processes killed at random moments, restarted, until the
work is done; and the reference run of the same workload, in process, without faults.

:class:`KillCampaign` starts each stage of :mod:`~socialreferral.testing.chaos.stages` as
its own Python process (``python -m socialreferral.testing.chaos.stages``), and, at random
intervals, sends ``SIGKILL`` to a random stage process that is at work (it wrote its
ready file: imports done, models warm), then starts it again at once. A phase ends when
its ``done`` condition holds after its kills were made; every loop is bounded in count
and in time, and every process it started is stopped by its id.

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


class CampaignFailed(SocialReferralError):
    """A stage process failed on its own, or a phase did not finish in time."""


@dataclass
class _Slot:
    stage: str
    number: int
    spec: Path
    ready: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    finished: bool = False


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
                 env: Mapping[str, str] | None = None) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.settings = dict(settings)
        self.workload = workload
        self.rng = random.Random(seed)
        self.kill_gap = kill_gap
        self.worker_idle_seconds = worker_idle_seconds
        self.env = {**os.environ, **(env or {})}
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
            return (f"deliveries acked {len(Progress(self.progress_path('ingest')))}/"
                    f"{len(self.deliveries)}, queue depth {providers.queue.depth()}, "
                    f"events processed {len(providers.repositories.events.processed())}/"
                    f"{self.expected_events}")
        except Exception as exc:
            return f"state unreadable: {exc!r}"

    # -- phases ------------------------------------------------------------------------
    def run_phase(self, stages: Mapping[str, int], *, kills: int | Mapping[str, int],
                  done: Callable[[Providers], bool], max_seconds: float = 300.0,
                  settle_checks: int = 2, settle_gap: float = 1.5) -> PhaseResult:
        """Run ``stages`` (name -> process count), make ``kills`` kills (a number, or a
        number per stage: victims are then drawn among the stages short of theirs), then
        wait until
        ``done`` holds ``settle_checks`` times in a row (``settle_gap`` apart: messages
        a killed worker held come back after the visibility timeout). Raises
        :class:`CampaignFailed` when a stage fails by itself or time runs out."""
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
                while True:
                    if time.monotonic() - started > max_seconds:
                        raise CampaignFailed(
                            f"phase {dict(stages)} not done after {max_seconds:.0f} s "
                            f"({sum(result.kills.values())} kills; {self.state(providers)}; "
                            f"finished: {[f'{s.stage}-{s.number}' for s in slots if s.finished]})")
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
        with slot.log.open("ab") as log:
            slot.process = subprocess.Popen(
                [sys.executable, "-m", "socialreferral.testing.chaos.stages", slot.stage,
                 str(slot.spec)], stdout=log, stderr=subprocess.STDOUT, env=self.env)

    def _check(self, slots: list[_Slot]) -> None:
        for slot in slots:
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
        among those short of their ``quota``."""
        at_work = [s for s in slots if not s.finished and s.process is not None
                   and s.process.poll() is None and s.ready.exists()
                   and (quota is None or kills[s.stage] < quota.get(s.stage, 0))]
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
