"""Root tracing: in order, out of order, shuffled (against brute force), persistence."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from socialreferral.care import ThreadIndex, ThreadNode, is_brand_author, link, summarize
from socialreferral.errors import InvalidInput

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def brute_force_roots(parents: dict[str, str | None]) -> dict[str, str]:
    """Follow parent pointers until a post with no parent or an unknown parent."""
    roots = {}
    for post in parents:
        seen = {post}
        current = post
        while True:
            parent = parents.get(current)
            if parent is None:
                break
            if parent not in parents:
                current = parent
                break
            if parent in seen:  # cycle: stop
                break
            seen.add(parent)
            current = parent
        roots[post] = current
    return roots


def random_forest(rng: random.Random, n: int, missing: float) -> dict[str, str | None]:
    """A random reply forest; some roots' parents point outside the data (missing)."""
    parents: dict[str, str | None] = {}
    ids = [f"p{i}" for i in range(n)]
    for i, pid in enumerate(ids):
        r = rng.random()
        if i == 0 or r < 0.25:
            parents[pid] = f"gone{i}" if rng.random() < missing else None
        else:
            parents[pid] = ids[rng.randrange(i)]
    return parents


def test_out_of_order_arrival_is_relinked() -> None:
    index = ThreadIndex()
    index.add("c3", "c2")  # grandchild first
    assert index.root_of("c3") == "c2" and index.get("c3").provisional  # type: ignore[union-attr]
    index.add("c2", "c1")
    assert index.root_of("c3") == "c1"
    changed = index.add("c1", None)  # the root arrives last
    assert {n.post_id for n in changed} == {"c1", "c2", "c3"}
    assert all(index.root_of(p) == "c1" for p in ("c1", "c2", "c3"))
    assert not any(n.provisional for n in index.nodes())


@pytest.mark.parametrize("seed", range(5))
def test_any_arrival_order_equals_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    parents = random_forest(rng, 300, missing=0.3)
    expected = brute_force_roots(parents)
    order = list(parents)
    rng.shuffle(order)
    index = ThreadIndex()
    for post in order:
        index.add(post, parents[post])
    assert {p: index.root_of(p) for p in parents} == expected
    sizes = sorted(len(v) for v in index.threads().values())
    brute_sizes: dict[str, int] = {}
    for root in expected.values():
        brute_sizes[root] = brute_sizes.get(root, 0) + 1
    assert sizes == sorted(brute_sizes.values())


def test_state_round_trips_through_records() -> None:
    first = ThreadIndex()
    first.add("b", "a")
    saved = [ThreadNode.model_validate_json(n.model_dump_json()) for n in first.nodes()]
    second = ThreadIndex(saved)
    second.add("a", None)
    assert second.root_of("b") == "a"


def test_meta_root_hint_is_final() -> None:
    index = ThreadIndex()
    index.add("comment2", "comment1", root_hint="post")  # reply to a comment not yet seen
    assert index.root_of("comment2") == "post"
    assert not index.get("comment2").provisional  # type: ignore[union-attr]
    index.add("comment1", "post", root_hint="post")
    index.add("post", None)
    assert {n.post_id for n in index.thread("post")} == {"post", "comment1", "comment2"}


def test_link_is_pure_and_returns_records_to_write() -> None:
    waiting = [ThreadNode(post_id="r1", parent_id="p", root_id="p", provisional=True)]
    out = link(post_id="p", parent_id=None, parent=None, waiting=waiting)
    assert [(n.post_id, n.root_id, n.provisional) for n in out] == [
        ("p", "p", False),
        ("r1", "p", False),
    ]
    assert waiting[0].root_id == "p"  # inputs untouched (frozen copies returned)
    with pytest.raises(InvalidInput):
        link(post_id="x", parent_id="x", parent=None, waiting=[])


def test_cycles_terminate() -> None:
    index = ThreadIndex()
    index.add("a", "b")
    index.add("b", "a")
    assert index.root_of("a") == index.root_of("b") == "b"


def test_duplicates_are_ignored_and_size_is_bounded() -> None:
    index = ThreadIndex(max_nodes=2)
    index.add("a")
    assert index.add("a") == []
    index.add("b", "a")
    with pytest.raises(InvalidInput):
        index.add("c", "a")


def test_brand_replies_and_summary() -> None:
    brand = frozenset({"acmehelp"})
    assert is_brand_author("@AcmeHelp", brand) and not is_brand_author("bob", brand)
    index = ThreadIndex()
    index.add("q", None, author_id="bob", created_at=T0)
    index.add("r", "q", author_id="AcmeHelp", is_brand=True, created_at=T0 + timedelta(minutes=42))
    summary = summarize(index.thread("q"))
    assert summary.customer_started and summary.brand_replied
    assert summary.first_response_minutes == pytest.approx(42)
    with pytest.raises(InvalidInput):
        summarize([])
