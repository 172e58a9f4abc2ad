"""Thread root tracing on the TWCS sample against a brute-force reconstruction.

    python benchmarks/care_threads.py --data-dir ../shared/data

Every tweet names only the tweet it answers (X's model). The index is built in file order
and in shuffled orders (replies arriving before their parents); each time every tweet's
root, the number of threads and the multiset of thread sizes must equal a brute-force walk
up the parent pointers. The baseline in the same run is the brute force itself.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import parser
from _twcs import Tweet, load_twcs

from socialreferral.care import ThreadIndex, summarize


def brute_force(tweets: list[Tweet]) -> dict[str, str]:
    parent = {t.tweet_id: t.parent_id for t in tweets}
    roots = {}
    for tid in parent:
        seen, current = {tid}, tid
        while True:
            p = parent.get(current)
            if p is None:
                break
            current = p
            if p not in parent or p in seen:
                break
            seen.add(p)
        roots[tid] = current
    return roots


def build(tweets: list[Tweet]) -> tuple[ThreadIndex, float]:
    index = ThreadIndex()
    started = time.perf_counter()
    for t in tweets:
        index.add(
            t.tweet_id,
            t.parent_id,
            author_id=t.author_id,
            is_brand=not t.inbound,
            created_at=t.created_at,
        )
    return index, time.perf_counter() - started


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--orders", type=int, default=5, help="shuffled orders to try")
    args = p.parse_args()
    tweets = load_twcs(args.data_dir)
    started = time.perf_counter()
    expected = brute_force(tweets)
    brute_s = time.perf_counter() - started
    sizes = sorted(Counter(expected.values()).values())
    print(
        f"{len(tweets)} tweets; brute force: {len(sizes)} threads, "
        f"largest {sizes[-1]}, {brute_s * 1e3:.1f} ms"
    )
    rng = random.Random(args.seed)
    orders = [("file order", list(tweets))]
    for k in range(args.orders):
        shuffled = list(tweets)
        rng.shuffle(shuffled)
        orders.append((f"shuffled #{k + 1}", shuffled))
    orders.append(("reversed", list(reversed(tweets))))
    all_ok = True
    for name, order in orders:
        index, secs = build(order)
        roots = {t.tweet_id: index.root_of(t.tweet_id) for t in tweets}
        got_sizes = sorted(len(v) for v in index.threads().values())
        ok = roots == expected and got_sizes == sizes
        wrong = sum(roots[k] != expected[k] for k in expected)
        all_ok &= ok
        print(
            f"  {name:12s} roots wrong: {wrong}, threads {len(got_sizes)}, sizes equal: "
            f"{got_sizes == sizes}, {secs / len(tweets) * 1e6:.1f} us/tweet "
            f"(brute force {brute_s / len(tweets) * 1e6:.1f} us/tweet)"
        )
    index, _ = build(tweets)
    summaries = [summarize(nodes) for nodes in index.threads().values()]
    present = [s for s in summaries if not s.provisional]
    customer = [s for s in present if s.customer_started]
    replied = [s for s in customer if s.brand_replied]
    print(
        f"threads whose root is in the sample: {len(present)}; customer-started: "
        f"{len(customer)}; of those with a brand reply: {len(replied)}"
    )
    print("ALL ORDERS MATCH BRUTE FORCE" if all_ok else "MISMATCH")
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
