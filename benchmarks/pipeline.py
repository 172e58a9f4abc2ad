"""End-to-end pipeline on the local provider: throughput, latency, and the paper's Table 3.

Run from the repository root::

    PYTHONPATH=src python benchmarks/pipeline.py                 # both parts
    PYTHONPATH=src python benchmarks/pipeline.py --part e2e --events 400
    PYTHONPATH=src python benchmarks/pipeline.py --part table3 --max-workers 2

Part ``e2e``: a synthetic bank, signed Meta webhooks through ``ingest_webhook``, and the
``referral.process-batch`` task on LocalBatchCompute with 1 and with 2 worker processes.
Workers are started and warmed up first (``--warmup`` events processed), then every
webhook is delivered as fast as ingestion accepts it, so the latency includes the time an
event waits in the backlog. Printed: events/s from the first delivery to the last event
processed, and p50/p99 of *webhook accepted → offer stored*.

Baseline in the same run: each measurement runs in a fresh subprocess, once with this
tree's ``src`` and once with ``src`` of ``--baseline-ref`` (default: the commit before
the issue 14 pipeline work, extracted with ``git archive`` into a temporary folder),
alternating, so both see the same machine load; the ratio is printed per worker count.
``--baseline-ref none`` skips it. The harness (this file) is the same for both.

Part ``table3``: the paper's Azure Batch experiment (seed 000, Section 7.3, Table 3):
``users`` people (5, 10, ..., 40) post 4 times each; the pool size comes from the same
scaling policy (``ScalingPolicy.target_nodes`` on the backlog, capped by
``--max-workers``, because the paper's 5 nodes were 5 machines and this is one box). Per
row: the backlog, the nodes the policy asks for, the workers used, and the average
response time (accepted → processed, worker start-up included, as a cold pool on a batch
service would have) beside the paper's minutes; ``busy s`` is first → last event
processed, i.e. the processing time without the pool's start-up.

Figures are wall-clock on whatever machine runs this; they are for orientation.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.channels.meta import APP_SECRET
from socialreferral.demo.bank import build_bank
from socialreferral.demo.runner import deliver, load_world
from socialreferral.repositories.events import EVENTS
from socialreferral.repositories.referrals import OFFERS
from socialreferral.settings import Settings
from socialreferral.tasks.referral import task_payload

PAPER_TABLE3 = {  # users: (max messages in queue, compute nodes, avg response minutes)
    5: (14, 2, 3.17), 10: (31, 3, 4.22), 15: (48, 4, 4.75), 20: (65, 5, 5.07),
    25: (84, 5, 6.33), 30: (106, 5, 7.60), 35: (123, 5, 8.87), 40: (149, 5, 10.13),
}
# Throughput runs must not be throttled by the anti-spam caps: relax them.
OPEN_POLICY = {"contact_policy": {"max_offers_per_prospect": 1000, "product_cooldown_days": 0,
                                  "max_asks_per_referrer": 100000}}


ANALYZER = {"kind": "text"}  # --analyzer; "text" is the library's default


def _settings(data_dir: Path, workers: int) -> Settings:
    return Settings.model_validate({
        "local": {"data_dir": str(data_dir.resolve()), "workers": workers},
        "referral": {**OPEN_POLICY, "analyzer": ANALYZER},
    })


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def _processed(providers: Providers) -> list[dict[str, Any]]:
    return [d.value for d in providers.store.iter_query(EVENTS, page_size=1000)]


def _wait_processed(providers: Providers, count: int, timeout: float) -> None:
    """Wait until ``count`` events are recorded as processed. The cheap queue depth is
    polled first: reading every processed event each time would steal the workers' CPU."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and providers.queue.depth() > 0:
        time.sleep(0.05)
    while time.monotonic() < deadline:
        if len(_processed(providers)) >= count:
            return
        time.sleep(0.1)
    raise TimeoutError(f"only {len(_processed(providers))} of {count} events processed")


def run_e2e(events: int, workers: int, seed: int, warmup: int = 20) -> dict[str, float]:
    """One end-to-end run with ``workers`` worker processes."""
    with tempfile.TemporaryDirectory(prefix="sr-bench-") as tmp, \
            build_providers(_settings(Path(tmp), workers)) as providers:
        now = datetime.now(UTC)
        bank = build_bank(max(20, events // 4), events + warmup, seed, now, intent_share=0.9)
        secret = "bench-secret-0123456789"
        providers.secrets.set(APP_SECRET, secret)
        load_world(providers, bank, now)
        job = providers.batch.submit("referral.process-batch", task_payload(
            providers.settings, idle_seconds=2.0, max_seconds=600.0), array_size=workers)
        posts = bank.posts
        bank.posts = posts[:warmup]
        deliver(providers, bank, secret, replay_first=False)
        _wait_processed(providers, warmup, 120)  # every worker process has started by now
        time.sleep(0.5)
        bank.posts = posts[warmup:]
        started = time.time()
        deliver(providers, bank, secret, replay_first=False)
        _wait_processed(providers, events + warmup, 600)
        providers.batch.wait(job, timeout=60)
        done = [e for e in _processed(providers) if e["accepted_at"] >= started]
        finished = max(e["processed_at"] for e in done)
        offers = [d.value for d in providers.store.iter_query(OFFERS, page_size=1000)
                  if d.value["_accepted_at"] >= started]
        latency = [o["_stored_at"] - o["_accepted_at"] for o in offers]
        return {
            "events": len(done), "offers": len(offers),
            "events_per_s": len(done) / (finished - started),
            "p50_ms": 1000 * _percentile(latency, 50), "p99_ms": 1000 * _percentile(latency, 99),
        }


BASELINE_REF = "f23ce33"
"""The commit before the issue 14 pipeline work: the baseline of ``--part e2e``."""
ROOT = Path(__file__).resolve().parents[1]


def _baseline_src(ref: str, into: Path) -> Path | None:
    """``src`` of ``ref`` extracted under ``into``; None when git or the ref is missing."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        print(f"baseline {ref!r} unavailable: {archive.stderr.decode().strip()}")
        return None
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def _measure(src: Path, events: int, workers: int, seed: int, warmup: int) -> dict[str, float]:
    """One :func:`run_e2e` in a fresh interpreter importing socialreferral from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, __file__, "--part", "one", "--events", str(events),
         "--workers", str(workers), "--seed", str(seed), "--warmup", str(warmup),
         "--analyzer", ANALYZER["kind"]],
        env=env, capture_output=True, text=True, check=False, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark run with {src} failed:\n{out.stderr[-3000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def compare_e2e(events: int, worker_counts: list[int], seed: int, warmup: int,
                baseline_ref: str, repeat: int = 1) -> None:
    """Print this tree's figures beside the baseline's, measured alternately ``repeat``
    times per worker count (the medians are compared)."""
    print(f"{'workers':>7} {'tree':>8} {'events':>6} {'offers':>6} {'events/s':>9} "
          f"{'p50 ms':>8} {'p99 ms':>8}")
    with tempfile.TemporaryDirectory(prefix="sr-baseline-") as tmp:
        base = None if baseline_ref == "none" else _baseline_src(baseline_ref, Path(tmp))
        for workers in worker_counts:
            runs = [("this", ROOT / "src")] + ([(baseline_ref, base)] if base else [])
            results: dict[str, list[dict[str, float]]] = {name: [] for name, _ in runs}
            for _ in range(repeat):
                for name, src in runs:
                    r = _measure(src, events, workers, seed, warmup)
                    results[name].append(r)
                    print(f"{workers:>7} {name:>8} {r['events']:>6.0f} {r['offers']:>6.0f} "
                          f"{r['events_per_s']:>9.1f} {r['p50_ms']:>8.0f} {r['p99_ms']:>8.0f}",
                          flush=True)
            if base:
                new, old = _medians(results["this"]), _medians(results[baseline_ref])
                label = "ratio" if repeat == 1 else f"median{repeat}"
                print(f"{workers:>7} {label:>8} {'':>6} {'':>6} "
                      f"{new['events_per_s'] / old['events_per_s']:>8.2f}x "
                      f"{old['p50_ms'] / new['p50_ms']:>7.2f}x "
                      f"{old['p99_ms'] / new['p99_ms']:>7.2f}x"
                      "   (speed-up; latency as baseline / this)", flush=True)


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def run_table3_row(users: int, max_workers: int, seed: int) -> dict[str, float]:
    """One row: ``users`` authors x 4 posts; a cold pool sized by the scaling policy."""
    with tempfile.TemporaryDirectory(prefix="sr-table3-") as tmp:
        settings = _settings(Path(tmp), 1)
        with build_providers(settings) as providers:
            now = datetime.now(UTC)
            bank = build_bank(40, users * 4, seed, now, authors=users, intent_share=0.75)
            secret = "bench-secret-0123456789"
            providers.secrets.set(APP_SECRET, secret)
            load_world(providers, bank, now)
            started = time.time()
            deliver(providers, bank, secret, replay_first=False)
            backlog = providers.queue.depth()
            policy = settings.scaling
            wanted = policy.target_nodes(backlog, waited_seconds=policy.sustain_seconds)
            used = max(1, min(wanted, max_workers))
            providers.batch.scale(used)
            job = providers.batch.submit("referral.process-batch", task_payload(
                settings, idle_seconds=1.0, max_seconds=600.0), array_size=used)
            providers.batch.wait(job, timeout=600)
            done = _processed(providers)
            response = statistics.fmean(e["processed_at"] - e["accepted_at"] for e in done)
            processed = [e["processed_at"] for e in done]
            return {"users": users, "backlog": backlog, "nodes_wanted": wanted,
                    "busy_s": max(processed) - min(processed),
                    "workers": used, "events": len(done), "avg_response_s": response,
                    "wall_s": time.time() - started}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("e2e", "table3", "both", "one"), default="both",
                        help="'one': a single e2e run, printed as JSON (used by e2e)")
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="worker counts of the e2e part (default: 1 2)")
    parser.add_argument("--warmup", type=int, default=20,
                        help="events processed before the measurement (workers warm)")
    parser.add_argument("--baseline-ref", default=BASELINE_REF,
                        help=f"git ref whose src is the e2e baseline (default {BASELINE_REF}, "
                             "the commit before the issue 14 work; 'none' to skip)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="alternating runs per tree and worker count (medians compared)")
    parser.add_argument("--max-workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--analyzer", choices=("text", "keyword"), default="text",
                        help="[referral.analyzer] kind (default: text, the library default)")
    args = parser.parse_args(argv)
    ANALYZER["kind"] = args.analyzer
    if args.part == "one":
        print(json.dumps(run_e2e(args.events, args.workers[0], args.seed, args.warmup)))
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, analyzer {args.analyzer}, "
          f"load average {os.getloadavg()[0]:.1f}")
    if args.part in ("e2e", "both"):
        print(f"\nend to end, {args.events} events (webhook accepted -> offer stored)")
        compare_e2e(args.events, args.workers, args.seed, args.warmup, args.baseline_ref,
                    args.repeat)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    if args.part in ("table3", "both"):
        print(f"\npaper Table 3 workload (users x 4 posts), at most {args.max_workers} workers")
        print(f"{'users':>5} {'backlog':>7} {'paper max q':>11} {'nodes':>5} {'paper nodes':>11} "
              f"{'workers':>7} {'busy s':>6} {'avg resp s':>10} {'paper min':>9}")
        for users in sorted(PAPER_TABLE3):
            r = run_table3_row(users, args.max_workers, args.seed)
            paper_q, paper_nodes, paper_minutes = PAPER_TABLE3[users]
            print(f"{users:>5} {r['backlog']:>7.0f} {paper_q:>11} {r['nodes_wanted']:>5.0f} "
                  f"{paper_nodes:>11} {r['workers']:>7.0f} {r['busy_s']:>6.2f} "
                  f"{r['avg_response_s']:>10.2f} "
                  f"{paper_minutes:>9.2f}")


if __name__ == "__main__":
    main()
