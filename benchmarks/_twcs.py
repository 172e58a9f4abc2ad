"""Loader for the TWCS sample (Customer Support on Twitter, first 5,000 rows)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class Tweet:
    tweet_id: str
    author_id: str
    inbound: bool
    created_at: datetime
    text: str
    parent_id: str | None


def _id(value: str | None) -> str | None:
    if not value:
        return None
    return str(int(float(value)))


def load_twcs(data_dir: Path) -> list[Tweet]:
    """Rows in file order; rows cut short at the end of the sample are skipped."""
    path = data_dir / "twcs_sample" / "twcs_first5000.csv"
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("text") is None or row.get("created_at") is None:
                continue
            out.append(
                Tweet(
                    tweet_id=row["tweet_id"],
                    author_id=row["author_id"],
                    inbound=row["inbound"] == "True",
                    created_at=datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y"),
                    text=row["text"],
                    parent_id=_id(row.get("in_response_to_tweet_id")),
                )
            )
    return out
