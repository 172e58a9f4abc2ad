"""Shared helpers for the text/scoring benchmarks: data location, loaders, one-core setup."""

from __future__ import annotations

import argparse
import csv
import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"


def single_core() -> None:
    """Pin BLAS/OpenMP to one thread (call before importing numpy-heavy code)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA,
        help="folder holding the public data sets (default: ../shared/data)",
    )
    p.add_argument("--seed", type=int, default=0)
    return p


_UESC = re.compile(r"\\u([0-9a-fA-F]{4})")


def clean_semeval(text: str) -> str:
    """Undo the ``\\u2019``-style escapes and stray CSV quotes of the SemEval files."""
    text = _UESC.sub(lambda m: chr(int(m.group(1), 16)), text).strip()
    if text.startswith('"'):
        text = text[1:-1] if text.endswith('"') and len(text) > 1 else text[1:]
    return text


def load_semeval(data_dir: Path) -> tuple[list[str], list[str]]:
    texts, labels, _ = load_semeval_years(data_dir)
    return texts, labels


def load_semeval_years(data_dir: Path) -> tuple[list[str], list[str], list[int]]:
    """SemEval tweets, labels and the year of the file each comes from (2013-2016)."""
    texts: list[str] = []
    labels: list[str] = []
    years: list[int] = []
    for f in sorted((data_dir / "semeval_sentiment_train").glob("*.tsv")):
        year = int(f.name.split("-")[1][:4])
        for line in f.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1] in ("positive", "neutral", "negative"):
                texts.append(clean_semeval(parts[2]))
                labels.append(parts[1])
                years.append(year)
    return texts, labels, years


def load_tweeteval_val(data_dir: Path) -> tuple[list[str], list[str]]:
    d = data_dir / "tweeteval_sentiment_val"
    names = ("negative", "neutral", "positive")
    texts = d.joinpath("val_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [names[int(x)] for x in d.joinpath("val_labels.txt").read_text().split()]
    return [t.strip() for t in texts], labels


def dedup_key(text: str) -> str:
    """Text without mentions/URLs/punctuation: TweetEval rewrote mentions to ``@user``."""
    text = re.sub(r"@\w+|https?://\S+", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "", text)


def semeval_by_year(data_dir: Path) -> tuple[list[str], list[str], list[int]]:
    """SemEval tweets with their year, duplicates (same normalised text) dropped: a tweet
    kept once, in its earliest year, so no text is on both sides of a year split."""
    texts, labels, years = load_semeval_years(data_dir)
    seen: set[str] = set()
    out: tuple[list[str], list[str], list[int]] = ([], [], [])
    for t, lab, y in sorted(zip(texts, labels, years, strict=True), key=lambda r: r[2]):
        k = dedup_key(t)
        if k in seen:
            continue
        seen.add(k)
        out[0].append(t)
        out[1].append(lab)
        out[2].append(y)
    return out


def semeval_without_eval(data_dir: Path) -> tuple[list[str], list[str], int]:
    """SemEval training tweets minus duplicates and minus anything in TweetEval val.

    TweetEval's validation tweets were drawn from the same SemEval years, so ~90% of them
    are in ``semeval_sentiment_train``; we drop those (exact text or same first/last 40
    normalised characters) so the validation figure measures unseen tweets.
    """
    texts, labels = load_semeval(data_dir)
    val, _ = load_tweeteval_val(data_dir)
    banned: set[str] = set()
    for t in val:
        k = dedup_key(t)
        banned.update((k, "p:" + k[:40], "s:" + k[-40:]))
    seen: set[str] = set()
    out_t: list[str] = []
    out_l: list[str] = []
    removed = 0
    for t, lab in zip(texts, labels, strict=True):
        k = dedup_key(t)
        if k in banned or "p:" + k[:40] in banned or "s:" + k[-40:] in banned:
            removed += 1
            continue
        if k in seen:
            continue
        seen.add(k)
        out_t.append(t)
        out_l.append(lab)
    return out_t, out_l, removed


def load_banking(data_dir: Path, split: str) -> tuple[list[str], list[str]]:
    with open(data_dir / "banking77" / f"{split}.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["category"] for r in rows]
