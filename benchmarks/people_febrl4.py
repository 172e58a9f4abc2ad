"""Pairwise precision/recall/F1 of people.resolve on FEBRL 4 (10,000 records), with a baseline.

    python benchmarks/people_febrl4.py [--data-dir ../shared/data] [--backend duckdb]

Both files are deduplicated together as one list (resolve does not know there are two
sources, nor that every record has exactly one match). Columns map onto resolve's keys
as any caller's would: given_name → first_name, surname → last_name, date_of_birth,
street_number + address_1 + address_2 → street, suburb → city, postcode. ``state`` and
``soc_sec_id`` are not person keys resolve recognises and are left out. The baseline in
the same run links records whose normalised given name, surname and date of birth are
equal.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import parser
from _people_metrics import pairwise_scores

from socialreferral.people import (
    LinkageSettings,
    normalise,
    resolve,
)


def load(data_dir: Path) -> tuple[list[dict[str, str | None]], list[str]]:
    records: list[dict[str, str | None]] = []
    truth: list[str] = []
    for name in ("dataset4a.csv", "dataset4b.csv"):
        with open(data_dir / "febrl4" / name, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, skipinitialspace=True):
                street = " ".join(
                    p for p in (row["street_number"], row["address_1"], row["address_2"]) if p
                )
                records.append(
                    {
                        "first_name": row["given_name"],
                        "last_name": row["surname"],
                        "date_of_birth": row["date_of_birth"],
                        "street": street,
                        "city": row["suburb"],
                        "postcode": row["postcode"],
                    }
                )
                # rec-123-org and rec-123-dup-0 are the same person.
                truth.append(row["rec_id"].split("-")[1])
    return records, truth


def baseline(records: list[dict[str, str | None]]) -> list[str]:
    """Exact match on normalised given name, surname and date of birth."""
    out = []
    for i, r in enumerate(records):
        key = (
            normalise.name(r["first_name"]),
            normalise.name(r["last_name"]),
            normalise.date_of_birth(r["date_of_birth"]),
        )
        out.append(f"{key}" if None not in key else f"single-{i}")
    return out


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--backend", choices=("duckdb",), default="duckdb")
    p.add_argument("--training", choices=("auto", "priors", "em"), default="auto")
    p.add_argument("--threshold", type=float, default=None, help="link threshold override")
    args = p.parse_args()
    records, truth = load(args.data_dir)
    print(f"FEBRL 4: {len(records)} records, {len(set(truth))} people")
    t0 = time.perf_counter()
    base = baseline(records)
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    settings = LinkageSettings(seed=args.seed, training=args.training)
    if args.threshold is not None:
        settings = settings.model_copy(update={"link_threshold": args.threshold})
    predicted = resolve(records, settings=settings)
    t_resolve = time.perf_counter() - t0
    print(f"{'method':34} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8}")
    for label, labels, secs in (
        ("baseline: exact name + dob", base, t_base),
        ("resolve (Splink on DuckDB)", predicted, t_resolve),
    ):
        s = pairwise_scores(labels, truth)
        print(f"{label:34} {s['precision']:9.4f} {s['recall']:7.4f} {s['f1']:7.4f} {secs:8.2f}")


if __name__ == "__main__":
    main()
