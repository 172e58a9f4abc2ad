"""``socialreferral demo`` on a busy machine: does it finish, and how long does it take?

Issue 9, defect 1: on a 2-core machine at load ~4 the demo exited 2 (workers received
messages, then spent seconds building models while the visibility timeout ran out). This
runs the demo ``--runs`` times at the default size and ``--runs`` times with
``--customers 20 --posts 60 --seed 1``, each while ``--burners`` processes spin on the CPU
beside it, and first once on the quiet machine as the baseline of the same session.

    python benchmarks/demo_under_load.py            # 5 + 5 loaded runs, 2 burners
    python benchmarks/demo_under_load.py --runs 1   # a quick check

Exit status 1 if any run failed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

CONFIGS: dict[str, list[str]] = {
    "default": [],
    "20 customers, 60 posts, seed 1": ["--customers", "20", "--posts", "60", "--seed", "1"],
}


def _burn() -> None:
    while True:
        pass


def run_demo(args: Sequence[str]) -> tuple[int, float, str]:
    """Run the demo in a fresh process; (exit code, seconds, last output line)."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sr-load-") as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "socialreferral.cli", "demo", "--data-dir", tmp, *args],
            capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - started
    lines = (done.stdout + done.stderr).strip().splitlines()
    return done.returncode, seconds, lines[-1] if lines else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="loaded runs per configuration")
    parser.add_argument("--burners", type=int, default=2, help="CPU-burning processes")
    options = parser.parse_args()

    code, baseline, _ = run_demo([])
    print(f"baseline (quiet machine): exit {code}, {baseline:.1f} s")
    burners = [multiprocessing.Process(target=_burn, daemon=True)
               for _ in range(options.burners)]
    for burner in burners:
        burner.start()
    failures = 0
    try:
        for name, args in CONFIGS.items():
            times = []
            for run in range(1, options.runs + 1):
                code, seconds, last = run_demo(args)
                failures += code != 0
                times.append(seconds)
                status = "ok" if code == 0 else f"FAILED (exit {code}): {last}"
                print(f"{name}, run {run}: {seconds:.1f} s, {status}", flush=True)
            median = sorted(times)[len(times) // 2]
            print(f"{name}: {len(times)} runs, median {median:.1f} s, max {max(times):.1f} s "
                  f"({max(times) / baseline:.1f}x the quiet baseline)")
    finally:
        for burner in burners:
            burner.terminate()
    total = options.runs * len(CONFIGS)
    print(f"succeeded: {total - failures} of {total} with {options.burners} CPU burners")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
