"""Throughput of AzureStorageQueue beside a naive one-message-per-call loop, on Azurite.

Starts Azurite 3.35.0 (from ``tools/emulators``) on free loopback ports, then, on the same
fresh queue setup, moves N messages through:

* **naive**: ``QueueClient.send_message`` per message, then ``receive_message`` (one
  message per call) + ``delete_message`` per message;
* **adapter**: ``AzureStorageQueue.send_batch`` (one request per message: Queue Storage
  has no batch send; ``queue_concurrency`` of them in flight), then ``receive(32)`` +
  ``ack`` until drained.

Prints msg/s for both and the adapter/naive ratio of the end-to-end rate. The naive loop
uses one thread; loopback only, bounded by ``--messages`` (default 500). Usage::

    PYTHONPATH=src python benchmarks/azure_queue.py --messages 500
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "providers" / "azure"))

from azure_emulators import run_azurite  # noqa: E402

from socialreferral.providers import BuildContext  # noqa: E402
from socialreferral.providers.azure.queue import AzureStorageQueue, queue_clients  # noqa: E402
from socialreferral.providers.azure.settings import AzureSettings  # noqa: E402


def naive(settings: AzureSettings, bodies: list[str]) -> tuple[float, float]:
    [client] = queue_clients(settings, BuildContext(), settings.queue_name)
    client.create_queue()
    started = time.perf_counter()
    for body in bodies:
        client.send_message(body)
    sent = time.perf_counter()
    done = 0
    while done < len(bodies):
        message = client.receive_message(visibility_timeout=30)
        if message is None:
            continue
        client.delete_message(message)
        done += 1
    finished = time.perf_counter()
    client.close()
    return sent - started, finished - sent


def adapter(settings: AzureSettings, bodies: list[str]) -> tuple[float, float]:
    queue = AzureStorageQueue.from_settings(settings, BuildContext())
    started = time.perf_counter()
    queue.send_batch(bodies)
    sent = time.perf_counter()
    done = 0
    while done < len(bodies):
        batch = queue.receive(32, visibility_timeout=30)
        queue.ack(*batch)
        done += len(batch)
    finished = time.perf_counter()
    queue.close()
    return sent - started, finished - sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    bodies = [f'{{"event": {i}, "text": "looking for a car loan"}}' for i in range(args.messages)]
    with run_azurite() as azurite:
        rows = []
        for name, run in (("naive (1 msg/call)", naive), ("AzureStorageQueue", adapter)):
            settings = AzureSettings(
                storage_connection_string=azurite.connection_string,
                queue_name=f"bench{uuid.uuid4().hex[:12]}",
            )
            send, drain = run(settings, bodies)
            rows.append((name, args.messages / send, args.messages / drain,
                         args.messages / (send + drain)))  # fmt: skip
    print(f"Azurite 3.35.0, {args.messages} messages, 127.0.0.1\n")
    print("| client | send msg/s | receive+delete msg/s | end-to-end msg/s |")
    print("|---|---:|---:|---:|")
    for name, send_rate, drain_rate, total in rows:
        print(f"| {name} | {send_rate:.0f} | {drain_rate:.0f} | {total:.0f} |")
    ratio_drain = rows[1][2] / rows[0][2]
    ratio_total = rows[1][3] / rows[0][3]
    print(f"\nadapter/naive: receive+delete x{ratio_drain:.2f}, end-to-end x{ratio_total:.2f}")


if __name__ == "__main__":
    main()
