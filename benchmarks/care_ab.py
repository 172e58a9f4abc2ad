"""A/B of ``CareRanker.score`` against an earlier revision, interleaved in one process.

    git worktree add /tmp/care-before <revision>       # or: git archive <rev> src | tar -x
    python benchmarks/care_ab.py --baseline-src /tmp/care-before/src [--rounds 6]

Loads the earlier revision's ``care/annotate.py`` and ``care/ranker.py`` beside the
current package (the rest is shared, so only those two files may differ), asserts that
both score the first 2,000 posts identically, then times full passes over 20,000 tweets
alternately, old then new, on one pinned core (``BENCH_CPU``). Passes interleaved in one
process see the same load, which separate runs on a shared machine do not; the median of
the per-round ratios is the figure to report.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import time
import types
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import load_semeval, load_tweeteval_val, parser, single_core

single_core()
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {int(os.environ.get("BENCH_CPU", min(os.sched_getaffinity(0))))})

from socialreferral.care import CareRanker  # noqa: E402


def baseline_ranker(src: Path, like: CareRanker) -> Any:
    """The earlier revision's ranker class, sharing ``like``'s tone model and lexicon."""
    care = src / "socialreferral" / "care"
    spec = importlib.util.spec_from_file_location("baseline_annotate", care / "annotate.py")
    assert spec is not None and spec.loader is not None
    annotate = importlib.util.module_from_spec(spec)
    sys.modules["baseline_annotate"] = annotate
    spec.loader.exec_module(annotate)
    code = (care / "ranker.py").read_text(encoding="utf-8").replace(
        "from socialreferral.care.annotate import", "from baseline_annotate import")
    ranker = types.ModuleType("baseline_ranker")
    sys.modules["baseline_ranker"] = ranker
    exec(compile(code, str(care / "ranker.py"), "exec"), ranker.__dict__)
    return ranker.CareRanker(tone_model=like.tone_model, lexicon=like.lexicon)


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--baseline-src", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--posts", type=int, default=20000)
    args = p.parse_args()
    texts, _ = load_semeval(args.data_dir)
    val, _ = load_tweeteval_val(args.data_dir)
    posts = list(dict.fromkeys(val + texts))[: args.posts]
    new = CareRanker()
    old = baseline_ranker(args.baseline_src, new)
    sample = posts[:2000]
    assert [s.model_dump() for s in old.score(sample)] == [
        s.model_dump() for s in new.score(sample)], "the two revisions score differently"

    def rate(ranker: Any) -> float:
        c0 = time.process_time()
        for i in range(0, len(posts), 1000):
            ranker.score(posts[i : i + 1000])
        return len(posts) / (time.process_time() - c0)

    rate(old), rate(new)  # warm both
    rounds = [(rate(old), rate(new)) for _ in range(args.rounds)]
    olds, news = [o for o, _ in rounds], [n for _, n in rounds]
    print(f"{len(posts)} tweets, {args.rounds} interleaved rounds, CPU posts/s; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"baseline: median {statistics.median(olds):,.0f}, best {max(olds):,.0f}")
    print(f"current:  median {statistics.median(news):,.0f}, best {max(news):,.0f}")
    print(f"median ratio current/baseline: "
          f"{statistics.median(n / o for o, n in rounds):.3f}")


if __name__ == "__main__":
    main()
