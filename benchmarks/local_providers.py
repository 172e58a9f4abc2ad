"""Throughput of the local SQLite providers, single process, in a temporary directory.

Run from the repository root::

    PYTHONPATH=src python benchmarks/local_providers.py --messages 20000 --docs 20000

Prints LocalQueue messages/s (send + receive + ack in batches of 10, and one message at a
time, with their ratio) and LocalDocumentStore writes/s (``put_many`` and single ``put``)
and reads/s (``get`` by key, and a paged ``query``). Figures are wall-clock and noisy;
they are for orientation and for catching regressions of an order of magnitude.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from socialreferral.providers.local.queue import LocalQueue
from socialreferral.providers.local.store import LocalDocumentStore
from socialreferral.records import WriteItem


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>10,.0f}/s  ({count:,} in {seconds:.2f} s)"


def bench_queue(directory: Path, messages: int) -> None:
    queue = LocalQueue(directory / "queue.sqlite3", "bench", visibility_timeout=60)
    started = time.perf_counter()
    for start in range(0, messages, 10):
        queue.send_batch([f"message {i}" for i in range(start, min(start + 10, messages))])
        queue.ack(*queue.receive(10))
    batched = time.perf_counter() - started
    assert queue.depth() == 0

    single_count = max(1, messages // 5)  # one at a time is slower; keep the run short
    started = time.perf_counter()
    for i in range(single_count):
        queue.send(f"single {i}")
        queue.ack(*queue.receive(1))
    single = time.perf_counter() - started
    assert queue.depth() == 0

    batched_rate, single_rate = messages / batched, single_count / single
    print("LocalQueue (send + receive + ack)")
    print(f"  batches of 10        {_rate(messages, batched)}")
    print(f"  one at a time        {_rate(single_count, single)}")
    print(f"  batched / single     {batched_rate / single_rate:>10.1f}x")
    queue.close()


def bench_store(directory: Path, docs: int) -> None:
    store = LocalDocumentStore(directory / "store.sqlite3")
    items = [
        WriteItem(f"user-{i:07d}", {"n": i, "name": f"user {i}", "city": ("Oslo", "Rome")[i % 2]})
        for i in range(docs)
    ]
    started = time.perf_counter()
    result = store.put_many("batched", items)
    batched = time.perf_counter() - started
    assert result.ok and len(result.written) == docs

    single_count = max(1, docs // 5)
    started = time.perf_counter()
    for item in items[:single_count]:
        store.put("single", item.key, item.value)
    single = time.perf_counter() - started

    started = time.perf_counter()
    for item in items:
        store.get("batched", item.key)
    reads = time.perf_counter() - started

    started = time.perf_counter()
    found = sum(1 for _ in store.iter_query("batched", {"city": "Oslo"}, page_size=500))
    queried = time.perf_counter() - started
    assert found == (docs + 1) // 2

    print("LocalDocumentStore")
    print(f"  put_many (writes)    {_rate(docs, batched)}")
    print(f"  single put (writes)  {_rate(single_count, single)}")
    print(f"  get by key (reads)   {_rate(docs, reads)}")
    print(f"  query, pages of 500  {_rate(found, queried)}")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000, help="queue messages")
    parser.add_argument("--docs", type=int, default=20_000, help="documents to write/read")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="socialreferral-bench-") as tmp:
        bench_queue(Path(tmp), args.messages)
        bench_store(Path(tmp), args.docs)


if __name__ == "__main__":
    main()
