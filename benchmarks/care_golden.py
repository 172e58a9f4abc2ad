"""Golden comparison of ``CareRanker`` outputs: save them with one revision, check another.

    python benchmarks/care_golden.py save --out /tmp/care_golden.pkl   # before a change
    python benchmarks/care_golden.py check --out /tmp/care_golden.pkl  # after it

Scores 20,000 real tweets (TweetEval validation + SemEval) with three rankers — the
defaults; brand and competitor settings with Eq. 3 counts, 3,000 posts with comments and
author histories, and the holiday profile; the tone model off — and compares every field
of every score (``model_dump``, factors included). A speed-up must report 0 differences.
"""

from __future__ import annotations

import pickle
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import load_semeval, load_tweeteval_val, parser

from socialreferral.care import AuthorHistory, CareComment, CarePost, CareRanker, CareSettings


def outputs(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Every score of the three rankers, as dicts."""
    texts, _ = load_semeval(data_dir)
    val, _ = load_tweeteval_val(data_dir)
    posts = list(dict.fromkeys(val + texts))[:20000]
    rng = random.Random(5)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    context = [
        CarePost(text=p, post_id=f"p{i}", author_id=f"a{i % 50}", created_at=t0,
                 comments=tuple(
                     CareComment(text=rng.choice(posts),
                                 author_id=rng.choice(["b1", "b2", "acme", "a1"]),
                                 is_brand=rng.random() < 0.2,
                                 created_at=t0 + timedelta(minutes=k + 1))
                     for k in range(rng.randint(0, 3))),
                 author=AuthorHistory(author_id=f"a{i % 50}", main_posts=i % 7,
                                      ascore_total=float(i % 5) - 1.5,
                                      relevant_comments_received=i % 4,
                                      representative_interactions=i % 3))
        for i, p in enumerate(posts[:3000])]
    counts = {"customer_care": (40, 90), "product": (3, 50)}
    settings = CareSettings(brand_ids=frozenset({"acme"}), competitors=("rival",))
    out: dict[str, list[dict[str, Any]]] = {}
    for name, ranker, bfi in (("default", CareRanker(), None),
                              ("context", CareRanker(settings), counts),
                              ("no_tone", CareRanker(tone_model=False), None)):
        scores = []
        for i in range(0, len(posts), 1000):
            scores += ranker.score(posts[i:i + 1000], bfi_counts=bfi)
        if name == "context":
            scores += ranker.score(context, bfi_counts=bfi, helpful_members=frozenset({"b2"}))
            scores += ranker.with_profile("holiday_season").score(posts[:3000])
        out[name] = [s.model_dump(mode="json") for s in scores]
    return out


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("mode", choices=["save", "check"])
    p.add_argument("--out", type=Path, default=Path("care_golden.pkl"))
    args = p.parse_args()
    found = outputs(args.data_dir)
    if args.mode == "save":
        args.out.write_bytes(pickle.dumps(found))
        print(f"saved {sum(map(len, found.values()))} scores to {args.out}")
        return
    saved = pickle.loads(args.out.read_bytes())  # a file this script wrote
    differences = 0
    for name, old in saved.items():
        for i, (a, b) in enumerate(zip(old, found[name], strict=True)):
            if a != b:
                differences += 1
                if differences <= 3:
                    print("difference", name, i,
                          {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)})
    print(f"differences: {differences} of {sum(map(len, saved.values()))}")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
