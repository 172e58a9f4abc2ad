"""Warm-path and conduit latency on SNAP ego-Facebook, beside plain networkx in the same run.

    python benchmarks/people_paths.py [--data-dir ../shared/data] [--pairs 1000] [--k 5]

The graph: 4,039 people, 88,234 friendships. Tie strength is the usual structural proxy
when interactions are unknown, embeddedness: ``0.2 + 0.8 * m / (m + 5)`` for ``m``
mutual friends. Colleagues: people who share an employer feature in the egos' profile
files; "our company" is the employer with most members, and every third of them is in
sales. For each of ``--pairs`` random (employee, person) queries, ``warm_paths`` is
timed with a blacklist of 10 contacts and 10 ties of the employee's neighbourhood, and
so is the baseline: ``networkx.shortest_simple_paths`` (Yen) on the same costs with the
same blacklist (a weight function hiding banned edges), first k paths. Their path
costs are compared, so the figure is for the same answer. The conduit lookup is timed
for random prospects against all customers (every other person). Wall-clock and CPU
time are both printed: on a shared machine the difference is time spent waiting for a
core.
"""

from __future__ import annotations

import gc
import itertools
import os
import random
import statistics
import sys
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import networkx as nx
from _common import parser

from socialreferral.people.conduit import strongest_tie
from socialreferral.people.graph import Person, SocialGraph, Tie
from socialreferral.people.paths import warm_paths


def employers(data_dir: Path) -> dict[int, set[str]]:
    """node -> employer feature names, from every ego's .feat/.featnames (and .egofeat)."""
    out: dict[int, set[str]] = {}
    folder = data_dir / "snap_ego_facebook"
    for names_file in folder.glob("*.featnames"):
        ego = int(names_file.stem)
        names = {}
        for line in names_file.read_text().splitlines():
            idx, name = line.split(" ", 1)
            if name.startswith("work;employer;id;"):
                names[int(idx)] = name.rsplit(";", 1)[1]
        rows = [(ego, folder.joinpath(f"{ego}.egofeat").read_text().split())]
        for line in folder.joinpath(f"{ego}.feat").read_text().splitlines():
            parts = line.split()
            rows.append((int(parts[0]), parts[1:]))
        for node, flags in rows:
            for idx, name in names.items():
                if idx < len(flags) and flags[idx] == "1":
                    out.setdefault(node, set()).add(name)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--pairs", type=int, default=1000)
    p.add_argument("--k", type=int, default=5)
    p.add_argument(
        "--baseline-pairs",
        type=int,
        default=50,
        help="queries also run through networkx (seconds each, so a subset)",
    )
    args = p.parse_args()
    rng = random.Random(args.seed)
    g = nx.read_edgelist(
        args.data_dir / "snap_ego_facebook" / "facebook_combined.txt", nodetype=int
    )
    work = employers(args.data_dir)
    counts: dict[str, int] = {}
    for names in work.values():
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    company = max(counts, key=lambda n: (counts[n], n))
    staff = sorted(n for n, names in work.items() if company in names and n in g)
    sales = set(staff[::3])
    print(
        f"graph {g.number_of_nodes()} people, {g.number_of_edges()} ties; {len(work)} with an "
        f"employer; our company {company}: {len(staff)} employees, {len(sales)} in sales"
    )
    t0 = time.perf_counter()
    nbrs = {n: set(g[n]) for n in g}
    ties = []
    for a, b in g.edges():
        m = len(nbrs[a] & nbrs[b])
        ties.append(Tie(a=str(a), b=str(b), strength=0.2 + 0.8 * m / (m + 5)))
    people = [Person(person_id=str(n), is_employee=True, is_sales=n in sales) for n in staff]
    graph = SocialGraph(people, ties)
    graph.reverse_cost_matrix()
    print(f"graph built in {time.perf_counter() - t0:.2f} s")

    # The baseline walks the same costs: cost(u -> v) from the SocialGraph.
    for u, v, d in g.edges(data=True):
        iu, iv = graph.index[str(u)], graph.index[str(v)]
        d["uv"], d["vu"] = graph.edge_cost(iu, iv), graph.edge_cost(iv, iu)

    nodes = sorted(g.nodes())
    queries = []
    for _ in range(args.pairs):
        source = rng.choice(staff)
        target = rng.choice(nodes)
        while target == source:
            target = rng.choice(nodes)
        around = sorted(set(g[source]) | {x for y in list(g[source])[:5] for x in g[y]})
        around = [x for x in around if x not in (source, target)]
        banned_nodes = set(rng.sample(around, min(10, len(around))))
        edge_pool = [(a, b) for a in around[:50] for b in g[a] if b not in (source, target)]
        banned_edges = set(rng.sample(edge_pool, min(10, len(edge_pool))))
        queries.append((source, target, banned_nodes, banned_edges))

    def blacklist_of(banned_nodes: set[int], banned_edges: set[tuple[int, int]]) -> list[object]:
        return [str(x) for x in banned_nodes] + [(str(a), str(b)) for a, b in banned_edges]

    # Warm-up: the first query imports SciPy's graph routines; that is start-up, not latency.
    for source, target, bn, be in queries[:5]:
        warm_paths(graph, [str(source)], str(target), k=args.k, blacklist=blacklist_of(bn, be))
    gc.collect()
    ours: list[float] = []
    ours_cpu: list[float] = []
    results = []
    for source, target, bn, be in queries:
        blacklist = blacklist_of(bn, be)
        c0, t0 = time.process_time(), time.perf_counter()
        result = warm_paths(graph, [str(source)], str(target), k=args.k, blacklist=blacklist)
        ours.append((time.perf_counter() - t0) * 1000)
        ours_cpu.append((time.process_time() - c0) * 1000)
        results.append(result)
        for path in result:  # the blacklist is never crossed
            hops = set(itertools.pairwise(path.people))
            banned = {(str(x), str(y)) for x, y in be} | {(str(y), str(x)) for x, y in be}
            assert not set(path.people) & {str(x) for x in bn}
            assert not hops & banned

    customers = {str(n) for n in nodes[::2]}
    prospects = [str(rng.choice(nodes)) for _ in range(args.pairs)]
    for prospect in prospects[:5]:
        strongest_tie(graph, prospect, customers)
    gc.collect()
    lookups: list[float] = []
    lookups_cpu: list[float] = []
    for prospect in prospects:
        c0, t0 = time.process_time(), time.perf_counter()
        strongest_tie(graph, prospect, customers)
        lookups.append((time.perf_counter() - t0) * 1000)
        lookups_cpu.append((time.process_time() - c0) * 1000)

    # The baseline walks the same directed costs: cost(u -> v) from the SocialGraph.
    costs = {}
    for u, v in g.edges():
        iu, iv = graph.index[str(u)], graph.index[str(v)]
        costs[(u, v)], costs[(v, u)] = graph.edge_cost(iu, iv), graph.edge_cost(iv, iu)
    base: list[float] = []
    mismatches = 0
    for (source, target, bn, be), result in zip(
        queries[: args.baseline_pairs], results, strict=False
    ):

        def weight(
            u: int, v: int, d: dict[str, float], bn: set[int] = bn, be: set[tuple[int, int]] = be
        ) -> float | None:
            if u in bn or v in bn or (u, v) in be or (v, u) in be:
                return None
            return costs[(u, v)]

        t0 = time.perf_counter()
        try:
            paths = list(islice(nx.shortest_simple_paths(g, source, target, weight=weight), args.k))
        except nx.NetworkXNoPath:
            paths = []
        base.append((time.perf_counter() - t0) * 1000)
        base_costs = [sum(costs[(a, b)] for a, b in itertools.pairwise(p)) for p in paths]
        our_costs = [r.cost for r in result]
        if len(base_costs) != len(our_costs) or any(
            abs(x - y) > 1e-9 for x, y in zip(sorted(base_costs), sorted(our_costs), strict=True)
        ):
            mismatches += 1

    found = sum(1 for r in results if r)
    print(
        f"{args.pairs} queries (k={args.k}, blacklist of 10 contacts + 10 ties each), "
        f"{found} with a path; networkx baseline on the first {len(base)}: "
        f"{mismatches} queries whose path costs differ"
    )
    print(f"{'method':40} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for label, values in (
        ("warm_paths (wall clock)", ours),
        ("warm_paths (CPU time of this process)", ours_cpu),
        ("networkx.shortest_simple_paths (wall)", base),
        ("strongest_tie (wall clock)", lookups),
        ("strongest_tie (CPU time)", lookups_cpu),
    ):
        print(
            f"{label:40} {pct(values, 0.5):8.3f} {pct(values, 0.99):8.3f}"
            f" {statistics.mean(values):8.3f}"
        )
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"speed-up over networkx: p50 {pct(base, 0.5) / pct(ours, 0.5):.0f}x, "
        f"mean {statistics.mean(base) / statistics.mean(ours):.0f}x"
    )


if __name__ == "__main__":
    main()
