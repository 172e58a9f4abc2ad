"""Validation of resolve()'s defaults on generated records (no public data involved).

    python benchmarks/people_validate.py [--people 400] [--seeds 3]

The generator (``socialreferral.people.synthetic``) writes people's records as a CRM, a
social login, a web form and a professional network would hold them, with typos,
nicknames, swapped names, e-mail variants, moves and missing fields. Each scenario keeps
a different set of columns, including ones with whole columns missing, so the defaults
are validated on shapes they were not written for. Tune on seeds you then do not report.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _people_metrics import pairwise_scores

from socialreferral.people import LinkageSettings, resolve
from socialreferral.people.synthetic import generate

SCENARIOS: dict[str, tuple[str, ...] | None] = {
    "all columns": None,
    "name+dob+city+email": ("first_name", "last_name", "date_of_birth", "city", "email"),
    "name+email+phone": ("first_name", "last_name", "email", "phone"),
    "name+dob+address": (
        "first_name",
        "last_name",
        "date_of_birth",
        "street",
        "city",
        "postcode",
    ),
    "name+handle+city": ("first_name", "last_name", "network", "handle", "city"),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--people", type=int, default=400)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--first-seed", type=int, default=100)
    p.add_argument("--threshold", type=float, default=None)
    p.add_argument("--training", default="auto")
    args = p.parse_args()
    settings = LinkageSettings(training=args.training)
    if args.threshold is not None:
        settings = settings.model_copy(update={"link_threshold": args.threshold})
    print(f"{'scenario':24} {'records':>7} {'P':>6} {'R':>6} {'F1':>6} {'sec':>6}")
    for name, fields in SCENARIOS.items():
        f1s = []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            records, truth = generate(args.people, seed=seed, fields=fields)
            t0 = time.perf_counter()
            predicted = resolve(records, settings=settings)
            elapsed = time.perf_counter() - t0
            s = pairwise_scores(predicted, truth)
            f1s.append(s["f1"])
            print(
                f"{name:24} {len(records):7d} {s['precision']:6.3f} {s['recall']:6.3f}"
                f" {s['f1']:6.3f} {elapsed:6.1f}"
            )
        print(f"{name:24} mean F1 {statistics.mean(f1s):.3f}")


if __name__ == "__main__":
    main()
