"""Worker cold start and peak RSS, and the demo's wall time, beside baselines of the same run.

Run from the repository root::

    PYTHONPATH=src python benchmarks/worker_footprint.py                       # workers only
    PYTHONPATH=src python benchmarks/worker_footprint.py --baseline-ref HEAD~3  # old tree too
    PYTHONPATH=src python benchmarks/worker_footprint.py --demo 2 --baseline-ref main

**Worker.** A synthetic bank (catalog, customers, ``--events`` signed Meta webhooks) is
loaded into a fresh local data directory, then a *new Python process* runs the
``referral.process-batch`` task on it, as a pool child or ``socialreferral run-task``
would. *Cold start* is the wall time from just before the process is started until the
worker is ready to receive its first event (``Worker.start()`` done: settings, adapters,
catalog, models loaded and warmed); *peak RSS* is the process's peak resident set
(``VmHWM``; ``ru_maxrss`` where there is no ``/proc``) after it drained every event. The
classifier folder (``XDG_CACHE_HOME``) of each tree is warmed by
one unmeasured run first, as it is on any machine after the first worker.

**Baselines of the same run.** ``python -c "import socialreferral"`` (a bare process that
imports the package: the floor) and, with ``--baseline-ref`` (a git ref of this
repository) or ``--baseline-src`` (a ``src`` folder), the same worker and demo measured on
the other tree, alternating with this one, so both see the same machine load.

**Demo.** ``--demo N``: ``socialreferral demo`` at its default size, N times per tree
(fresh data directory, the tree's own warmed classifier folder), wall time of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

# Both children: the start time from argv and their peak RSS.
_PEAK = r"""
import json, resource, sys, time
started = float(sys.argv[1])
def peak_mb():
    # VmHWM: this process image's peak (ru_maxrss would carry the forking parent's over exec)
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

# The child: run the real task, note when the worker is ready (Worker.drain is entered
# right after Worker.start() and gc.freeze()), report time and memory as JSON.
CHILD = _PEAK + r"""
payload = json.loads(sys.argv[2])
from socialreferral.service import worker as worker_module
marks = {}
original = worker_module.Worker.drain
def drain(self, **kwargs):
    marks["ready"] = time.time() - started
    marks["cpu_ready"] = time.process_time()
    marks["rss_ready_mb"] = peak_mb()
    marks["done"] = original(self, **kwargs)
    return marks["done"]
worker_module.Worker.drain = drain
from socialreferral.tasks.referral import process_batch_task
process_batch_task(payload, 0)
marks["rss_peak_mb"] = peak_mb()
marks["heavy"] = sorted(m for m in ("nltk", "sklearn", "scipy", "pydantic", "numpy")
                        if m in sys.modules)
print(json.dumps(marks))
"""

BARE = _PEAK + r"""
import socialreferral
print(json.dumps({"ready": time.time() - started, "cpu_ready": time.process_time(),
                  "rss_peak_mb": peak_mb()}))
"""


def _env(src: Path, cache: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(src), XDG_CACHE_HOME=str(cache))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")  # as the local pool's children would run on a busy box
    return env


def _run_json(code: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    started = time.time()
    done = subprocess.run([sys.executable, "-c", code, str(started), *args], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.time() - started
    return result


def _seeded_payload(data_dir: Path, events: int, seed: int) -> dict[str, Any]:
    """A local data directory holding a catalog and ``events`` queued events; the task's
    payload for it."""
    from socialreferral.bootstrap import build_providers
    from socialreferral.channels.meta import APP_SECRET
    from socialreferral.demo.bank import build_bank
    from socialreferral.demo.runner import deliver, load_world
    from socialreferral.settings import Settings
    from socialreferral.tasks.referral import task_payload

    settings = Settings.model_validate({"local": {"data_dir": str(data_dir), "workers": 1}})
    with build_providers(settings) as providers:
        now = datetime.now(UTC)
        bank = build_bank(max(20, events // 4), events, seed, now)
        providers.secrets.set(APP_SECRET, "bench-secret-0123456789")
        load_world(providers, bank, now)
        deliver(providers, bank, "bench-secret-0123456789", replay_first=False)
        return task_payload(providers.settings, idle_seconds=0.2, max_seconds=300.0)


def run_worker(src: Path, cache: Path, events: int, seed: int) -> dict[str, Any]:
    """One cold worker on a freshly seeded data directory (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="sr-footprint-") as tmp:
        payload = _seeded_payload(Path(tmp), events, seed)
        return _run_json(CHILD, [json.dumps(payload)], _env(src, cache))


def run_demo(src: Path, cache: Path) -> tuple[float, float]:
    """Wall seconds of ``socialreferral demo`` (default size) in a fresh process, and the
    CPU seconds (user + system) of it and its worker processes."""
    with tempfile.TemporaryDirectory(prefix="sr-footprint-demo-") as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "socialreferral.cli", "demo",
                               "--data-dir", tmp], env=_env(src, cache),
                              capture_output=True, text=True, timeout=900, check=False)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"demo failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def _export(ref: str, into: Path) -> Path:
    """The ``src`` folder of ``ref`` (git archive), unpacked under ``into``."""
    data = subprocess.run(["git", "archive", "--format=tar", ref, "src"], cwd=REPO,
                          capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as archive:
        archive.extractall(into, filter="data")
    return into / "src"


def _median(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="measured workers per tree")
    parser.add_argument("--events", type=int, default=200, help="queued events per worker")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--baseline-ref", help="git ref of the tree to compare with")
    parser.add_argument("--baseline-src", type=Path, help="src folder to compare with")
    parser.add_argument("--demo", type=int, default=0, help="demo runs per tree")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="sr-footprint-trees-") as scratch_name:
        scratch = Path(scratch_name)
        trees = {"this tree": REPO / "src"}
        if args.baseline_src is not None:
            trees["baseline"] = args.baseline_src.resolve()
        elif args.baseline_ref:
            trees[f"baseline {args.baseline_ref}"] = _export(args.baseline_ref,
                                                             scratch / "baseline")
        caches = {name: scratch / f"cache-{i}" for i, name in enumerate(trees)}
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f} at start")
        for name, src in trees.items():  # warm each tree's classifier folder
            run_worker(src, caches[name], 20, args.seed)
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
        bare: list[dict[str, Any]] = []
        for _ in range(args.runs):  # alternate, so every tree sees the same load
            bare.append(_run_json(BARE, [], _env(REPO / "src", caches["this tree"])))
            for name, src in trees.items():
                rows[name].append(run_worker(src, caches[name], args.events, args.seed))
        print(f"\nworker, {args.events} events, {args.runs} runs per tree (median; range)")
        print(f"{'process':<28} {'cold start s':>18} {'CPU s':>6} {'peak RSS MB':>18}  "
              f"heavy modules")
        floor = [r["ready"] for r in bare]
        print(f"{'import socialreferral':<28} {statistics.median(floor):>7.2f} "
              f"({min(floor):.2f}-{max(floor):.2f}) {_median(bare, 'cpu_ready'):>6.2f} "
              f"{_median(bare, 'rss_peak_mb'):>18.0f}")
        for name, found in rows.items():
            ready = [r["ready"] for r in found]
            rss = [r["rss_peak_mb"] for r in found]
            print(f"{'worker, ' + name:<28} {statistics.median(ready):>7.2f} "
                  f"({min(ready):.2f}-{max(ready):.2f}) {_median(found, 'cpu_ready'):>6.2f} "
                  f"{statistics.median(rss):>7.0f} ({min(rss):.0f}-{max(rss):.0f})  "
                  f"{', '.join(found[-1]['heavy'])}")
        names = list(trees)
        if len(names) == 2:
            this, base = rows[names[0]], rows[names[1]]
            print(f"ratio this/baseline: cold start "
                  f"{_median(this, 'ready') / _median(base, 'ready'):.2f} (CPU "
                  f"{_median(this, 'cpu_ready') / _median(base, 'cpu_ready'):.2f}), peak RSS "
                  f"{_median(this, 'rss_peak_mb') / _median(base, 'rss_peak_mb'):.2f}")
        if args.demo:
            demo: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
            for _ in range(args.demo):
                for name, src in trees.items():
                    demo[name].append(run_demo(src, caches[name]))
            print(f"\ndemo (default size), {args.demo} runs per tree: wall s, CPU s of "
                  f"the demo and its workers")
            wall = {name: statistics.median(w for w, _ in runs) for name, runs in demo.items()}
            cpu = {name: statistics.median(c for _, c in runs) for name, runs in demo.items()}
            for name, runs in demo.items():
                print(f"{'demo, ' + name:<28} wall median {wall[name]:6.1f} "
                      f"({', '.join(f'{w:.1f}' for w, _ in runs)}), CPU median "
                      f"{cpu[name]:6.1f} ({', '.join(f'{c:.1f}' for _, c in runs)})")
            if len(names) == 2:
                print(f"ratio this/baseline: wall {wall[names[0]] / wall[names[1]]:.2f}, "
                      f"CPU {cpu[names[0]] / cpu[names[1]]:.2f}")
        print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
