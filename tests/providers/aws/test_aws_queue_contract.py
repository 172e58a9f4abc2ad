"""The shipped Queue conformance kit on SqsQueue: standard and FIFO queues, each on moto
in-process (``mock_aws``) and on a moto_server subprocess over HTTP (see each class's
``backend`` fixture, recorded on every test).

Every queue gets a dead-letter queue (so ``dead_letter`` is declared) and an S3
claim-check bucket. moto accepts a superseded receipt like SQS does, so
``stale_receipts_rejected`` is False.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
from aws_moto import InProcess, OnServer, settings, unique

from socialreferral.ports import Queue
from socialreferral.providers import BuildContext
from socialreferral.providers.aws.claim_check import parse_pointer
from socialreferral.providers.aws.queue import SqsQueue
from socialreferral.records import ReceivedMessage
from socialreferral.testing.contracts import QueueContract

pytestmark = pytest.mark.aws


class _SqsQueueFixtures:
    fifo: ClassVar[bool] = False

    @pytest.fixture
    def make_queue(self, endpoint: str | None) -> Iterator[Callable[..., Queue]]:
        made: list[SqsQueue] = []
        suffix = ".fifo" if self.fifo else ""

        def make(**options: Any) -> Queue:
            name = unique("contract")
            queue = SqsQueue.from_settings(
                settings(
                    endpoint,
                    queue_name=f"{name}{suffix}",
                    dead_letter_queue_name=f"{name}-dlq{suffix}",
                    # without max_receives the redrive limit is simply out of reach
                    max_receives=options.get("max_receives", 1000),
                    visibility_timeout=options.get("visibility_timeout", 30),
                    claim_check_bucket="contract-claims",
                ),
                BuildContext(),
            )
            made.append(queue)
            return queue

        yield make
        for queue in made:
            for url in (queue.queue_url, queue.dead_letter_url):
                queue.sqs.delete_queue(QueueUrl=url)
            queue.close()

    def assert_claim_released(self, queue: Queue, message: ReceivedMessage) -> None:
        assert isinstance(queue, SqsQueue) and queue.claim_check is not None
        assert message.claim is not None
        bucket, key = parse_pointer(message.claim) or ("", "")
        listed = queue.claim_check.s3.list_objects_v2(Bucket=bucket, Prefix=key)
        assert listed.get("KeyCount", 0) == 0, f"claim-check object {key} survived the ack"


class TestSqsQueueInProcess(InProcess, _SqsQueueFixtures, QueueContract):
    stale_receipts_rejected = False


class TestSqsQueueOnServer(OnServer, _SqsQueueFixtures, QueueContract):
    stale_receipts_rejected = False


class TestSqsFifoQueueInProcess(InProcess, _SqsQueueFixtures, QueueContract):
    stale_receipts_rejected = False
    fifo = True


class TestSqsFifoQueueOnServer(OnServer, _SqsQueueFixtures, QueueContract):
    stale_receipts_rejected = False
    fifo = True
