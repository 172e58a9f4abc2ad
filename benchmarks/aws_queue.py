"""Throughput of SqsQueue against a moto_server, beside two plain boto3 loops.

Starts ``python -m moto.server`` on a free 127.0.0.1 port (unless ``--endpoint`` is
given), then moves the same messages through three clients, each on a fresh queue:

* naive: ``send_message`` / ``receive_message(MaxNumberOfMessages=1)`` /
  ``delete_message``, one message per call;
* batch: the hand-written best case, ``send_message_batch`` (10) /
  ``receive_message(MaxNumberOfMessages=10)`` / ``delete_message_batch``;
* adapter: ``SqsQueue.send_batch`` / ``receive(10)`` / ``ack(*messages)``.

Each round times send + receive + ack of ``--messages`` messages, in windows of
``--window`` messages (send a window, then receive and ack it): moto's SendMessage
recomputes the queue's attributes over every stored message, so a large backlog makes the
server's cost grow with it and swamp what the clients do. The three run interleaved,
round after round, so drifts of a shared machine hit them alike; the median and the best
of ``--rounds`` rounds are reported in messages per second, with the adapter's ratios to
the two loops (ratios of medians). Only loopback traffic; the server is stopped by pid at
the end.

Usage: ``PYTHONPATH=src python benchmarks/aws_queue.py [--messages 1000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config

from socialreferral.providers import BuildContext
from socialreferral.providers.aws.queue import SqsQueue
from socialreferral.providers.aws.settings import AwsSettings

KEYS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}


@contextmanager
def moto_server() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def client(endpoint: str) -> Any:
    # same client settings as the adapter's: one attempt, the library retries
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"})
    return boto3.client(
        "sqs", region_name="us-east-1", endpoint_url=endpoint, config=config, **KEYS
    )


def windows(bodies: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(bodies), size):
        yield bodies[start : start + size]


def naive(sqs: Any, url: str, bodies: list[str], window: int) -> int:
    done = 0
    for chunk in windows(bodies, window):
        for body in chunk:
            sqs.send_message(QueueUrl=url, MessageBody=body)
        got = 0
        while got < len(chunk):
            answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)
            for message in answer.get("Messages", []):
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                got += 1
        done += got
    return done


def batch(sqs: Any, url: str, bodies: list[str], window: int) -> int:
    done = 0
    for chunk in windows(bodies, window):
        for start in range(0, len(chunk), 10):
            entries = [
                {"Id": str(i), "MessageBody": body}
                for i, body in enumerate(chunk[start : start + 10])
            ]
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        got = 0
        while got < len(chunk):
            answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
            messages = answer.get("Messages", [])
            if messages:
                entries = [
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(messages)
                ]
                sqs.delete_message_batch(QueueUrl=url, Entries=entries)
                got += len(messages)
        done += got
    return done


def adapter(queue: SqsQueue, bodies: list[str], window: int) -> int:
    done = 0
    for chunk in windows(bodies, window):
        queue.send_batch(chunk)
        got = 0
        while got < len(chunk):
            messages = queue.receive(10)
            if messages:
                queue.ack(*messages)
                got += len(messages)
        done += got
    return done


def timed(run: Callable[[], int]) -> float:
    started = time.perf_counter()
    count = run()
    return count / (time.perf_counter() - started)


def measure(endpoint: str, messages: int, rounds: int, window: int) -> dict[str, list[float]]:
    sqs = client(endpoint)
    bodies = [json.dumps({"event": i, "text": "looking for a car loan"}) for i in range(messages)]
    rates: dict[str, list[float]] = {"naive": [], "batch": [], "adapter": []}
    settings = AwsSettings(
        endpoint_url=endpoint,
        credentials={"access_key_id": "bench", "secret_access_key": "bench"},
        queue_name="bench",
        create_missing_resources=True,
    )
    for _ in range(rounds):
        # interleaved, so drifts of the shared machine hit all three alike
        url = sqs.create_queue(QueueName=f"naive-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        rates["naive"].append(timed(lambda u=url: naive(sqs, u, bodies, window)))
        url = sqs.create_queue(QueueName=f"batch-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        rates["batch"].append(timed(lambda u=url: batch(sqs, u, bodies, window)))
        name = f"adapter-{uuid.uuid4().hex[:8]}"
        queue = SqsQueue.from_settings(
            settings.model_copy(update={"queue_name": name}), BuildContext()
        )
        rates["adapter"].append(timed(lambda q=queue: adapter(q, bodies, window)))
        queue.close()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200, help="messages per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--window", type=int, default=10, help="backlog per send/drain step")
    parser.add_argument("--endpoint", help="use a running moto_server instead of starting one")
    args = parser.parse_args()
    if args.endpoint:
        rates = measure(args.endpoint, args.messages, args.rounds, args.window)
    else:
        with moto_server() as endpoint:
            rates = measure(endpoint, args.messages, args.rounds, args.window)
    median = {name: statistics.median(values) for name, values in rates.items()}
    print(
        f"{args.messages} messages per round in windows of {args.window}, "
        f"{args.rounds} interleaved rounds (msg/s: median, best)"
    )
    for name, values in rates.items():
        print(f"  {name:8s} {median[name]:8.1f} {max(values):8.1f}")
    print(f"adapter / naive loop:         {median['adapter'] / median['naive']:.2f}x (goal >= 5x)")
    print(f"adapter / hand-written batch: {median['adapter'] / median['batch']:.0%} (goal >= 90%)")
    print(f"hand-written batch / naive:   {median['batch'] / median['naive']:.2f}x (the ceiling)")


if __name__ == "__main__":
    main()
