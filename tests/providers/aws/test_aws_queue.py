"""SqsQueue behaviour beyond the conformance kit: the claim check's wire format and S3
cleanup, dead-lettering after N failed deliveries, retries of throttling and of partial
batch failures, and least-privilege operation. Each class runs on the backend its
``backend`` fixture names (moto in-process or the moto_server subprocess).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aws_moto import InProcess, OnServer, fail_first, record_operations, settings, unique

from socialreferral.errors import ConfigurationError, QueueError
from socialreferral.ports import RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.aws.claim_check import POINTER_CLASS, make_pointer
from socialreferral.providers.aws.queue import SqsQueue
from socialreferral.records import OutgoingMessage

pytestmark = pytest.mark.aws

FAST_RETRY = RetryPolicy(attempts=6, initial_wait=0.01, max_wait=0.05)


def _drain(queue: SqsQueue, expected: int, timeout: float = 10.0) -> list[Any]:
    got: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        got.extend(queue.receive(10, wait_seconds=0.5))
    return got


class _QueueTests:
    @pytest.fixture
    def queue(self, endpoint: str | None) -> Iterator[SqsQueue]:
        name = unique("q")
        queue = SqsQueue.from_settings(
            settings(
                endpoint,
                queue_name=name,
                dead_letter_queue_name=f"{name}-dlq",
                max_receives=3,
                claim_check_bucket="claims",
                claim_check_prefix=f"{name}/",
            ),
            BuildContext(),
        )
        queue.retry = FAST_RETRY
        yield queue
        queue.close()

    def _objects(self, queue: SqsQueue) -> list[str]:
        assert queue.claim_check is not None
        s3 = queue.claim_check.s3
        listed = s3.list_objects_v2(Bucket="claims", Prefix=queue.claim_check.prefix)
        return [item["Key"] for item in listed.get("Contents", [])]

    def test_claim_check_round_trip_wire_format_and_cleanup(
        self, queue: SqsQueue, backend: str
    ) -> None:
        big = "ü" * 200_000  # 400,000 bytes in UTF-8: above the 256 KiB limit
        queue.send(big, attributes={"kind": "big"})
        assert len(self._objects(queue)) == 1, backend
        # what is on the queue is the extended-client pointer, readable by the AWS clients
        raw = queue.sqs.receive_message(
            QueueUrl=queue.queue_url, MessageAttributeNames=["All"], VisibilityTimeout=0
        )["Messages"][0]
        kind, fields = json.loads(raw["Body"])
        assert kind == POINTER_CLASS and fields["s3BucketName"] == "claims"
        assert raw["MessageAttributes"]["ExtendedPayloadSize"] == {
            "StringValue": "400000",
            "DataType": "Number",
        }
        stored = queue.claim_check.s3.get_object(Bucket="claims", Key=fields["s3Key"])  # type: ignore[union-attr]
        assert stored["Body"].read().decode() == big
        [message] = _drain(queue, 1)
        assert message.body == big and message.attributes == {"kind": "big"}
        assert message.claim == raw["Body"]
        queue.ack(message)
        assert self._objects(queue) == [], f"[{backend}] S3 object kept after ack"
        assert queue.receive(10) == []

    def test_body_plus_attributes_over_limit_offloaded_once_despite_retries(
        self, queue: SqsQueue, backend: str
    ) -> None:
        body = "b" * (256 * 1024 - 10)  # fits alone, not with its attribute
        sends = fail_first(queue.sqs, "SendMessageBatch", 2)
        queue.send(body, attributes={"source": "x" * 100})
        assert len(sends) == 3
        assert len(self._objects(queue)) == 1, f"[{backend}] offloaded once per retry"
        [message] = _drain(queue, 1)
        assert message.body == body and message.attributes == {"source": "x" * 100}
        queue.ack(message)
        assert self._objects(queue) == []

    def test_reads_messages_offloaded_by_an_extended_client(
        self, queue: SqsQueue, backend: str
    ) -> None:
        assert queue.claim_check is not None
        key = f"{queue.claim_check.prefix}from-java"
        queue.claim_check.s3.put_object(Bucket="claims", Key=key, Body=b"payload from Java")
        queue.sqs.send_message(
            QueueUrl=queue.queue_url,
            MessageBody=make_pointer("claims", key),
            # the attribute name older extended clients use
            MessageAttributes={"SQSLargePayloadSize": {"DataType": "Number", "StringValue": "17"}},
        )
        [message] = _drain(queue, 1)
        assert message.body == "payload from Java", backend
        queue.ack(message)
        assert self._objects(queue) == []

    def test_message_failing_n_times_lands_in_dead_letter_queue(
        self, queue: SqsQueue, backend: str
    ) -> None:
        queue.send_batch(["poison", "fine"])
        for attempt in (1, 2, 3):  # max_receives=3 failed deliveries of "poison"
            got = _drain(queue, 2 if attempt == 1 else 1, timeout=5)
            for message in got:
                if message.body == "fine":
                    queue.ack(message)
                else:
                    assert message.receive_count == attempt, backend
                    queue.release(message)
        assert queue.receive(10, wait_seconds=0.3) == [], f"[{backend}] poison redelivered"
        dead = queue.dead_letters(10)
        assert [m.body for m in dead] == ["poison"], backend
        queue.ack(*dead)
        assert queue.dead_letters(10) == []

    def test_throttling_is_retried_and_nothing_is_lost(self, queue: SqsQueue, backend: str) -> None:
        sends = fail_first(queue.sqs, "SendMessageBatch", 2)
        receives = fail_first(queue.sqs, "ReceiveMessage", 2)
        deletes = fail_first(queue.sqs, "DeleteMessageBatch", 2, code="ServiceUnavailable")
        bodies = [f"m-{i}" for i in range(25)]
        assert len(set(queue.send_batch(bodies))) == 25
        got = _drain(queue, 25)
        queue.ack(*got)
        assert sorted(m.body for m in got) == sorted(bodies), backend
        assert queue.receive(10, wait_seconds=0.3) == []
        # 3 chunks of 10/10/5 after 2 refused calls; >2 receives; 3 deletes after 2 refused
        assert len(sends) == 5 and len(receives) > 2 and len(deletes) == 5

    def test_partial_batch_failure_resends_only_the_refused(
        self, queue: SqsQueue, backend: str
    ) -> None:
        real = queue.sqs.send_message_batch
        calls: list[int] = []

        def flaky(**request: Any) -> Any:
            entries = request["Entries"]
            calls.append(len(entries))
            if len(calls) > 1:
                return real(**request)
            # SQS accepts the first 7 and refuses 3 with a server-side fault
            answer = real(**{**request, "Entries": entries[:7]})
            answer["Failed"] = [
                {"Id": e["Id"], "SenderFault": False, "Code": "InternalError", "Message": "x"}
                for e in entries[7:]
            ]
            return answer

        queue.sqs.send_message_batch = flaky
        ids = queue.send_batch([f"p-{i}" for i in range(10)])
        assert calls == [10, 3], f"[{backend}] resend should carry only the 3 refused"
        assert len(set(ids)) == 10
        got = _drain(queue, 10)
        assert sorted(m.body for m in got) == sorted(f"p-{i}" for i in range(10))
        assert sorted(m.message_id for m in got) == sorted(ids)

    def test_sender_fault_is_not_retried(self, queue: SqsQueue) -> None:
        def refuse(**request: Any) -> Any:
            return {
                "Failed": [
                    {"Id": e["Id"], "SenderFault": True, "Code": "InvalidMessageContents"}
                    for e in request["Entries"]
                ]
            }

        queue.sqs.send_message_batch = refuse
        with pytest.raises(QueueError, match="InvalidMessageContents"):
            queue.send("x")

    def test_large_batch_is_split_under_the_request_limit(
        self, queue: SqsQueue, backend: str
    ) -> None:
        sizes: list[int] = []
        real = queue.sqs.send_message_batch

        def spy(**request: Any) -> Any:
            sizes.append(sum(len(e["MessageBody"]) for e in request["Entries"]))
            return real(**request)

        queue.sqs.send_message_batch = spy
        queue.send_batch([OutgoingMessage("x" * 100_000) for _ in range(5)])
        assert len(sizes) == 3 and max(sizes) <= 256 * 1024, backend
        assert len(_drain(queue, 5)) == 5


class TestSqsQueueInProcess(InProcess, _QueueTests):
    pass


class TestSqsQueueOnServer(OnServer, _QueueTests):
    pass


class TestLeastPrivilege(InProcess):
    """Pre-created queues, no create permissions: only the documented calls are made."""

    def test_uses_get_queue_url_never_list_or_create(self, endpoint: str | None) -> None:
        import boto3

        sqs = boto3.client(
            "sqs", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        sqs.create_queue(QueueName="precreated")
        queue = SqsQueue.from_settings(
            settings(endpoint, queue_name="precreated", create_missing_resources=False),
            BuildContext(),
        )
        calls = record_operations(queue.sqs)
        queue.send("hello")
        [message] = _drain(queue, 1)
        queue.ack(message)
        queue.depth()
        assert set(calls) == {
            "SendMessageBatch",
            "ReceiveMessage",
            "DeleteMessageBatch",
            "GetQueueAttributes",
        }

    def test_configured_url_needs_no_lookup(self, endpoint: str | None) -> None:
        import boto3

        sqs = boto3.client(
            "sqs", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        url = sqs.create_queue(QueueName="byurl")["QueueUrl"]
        queue = SqsQueue.from_settings(
            settings(endpoint, queue_url=url, create_missing_resources=False), BuildContext()
        )
        recorded = record_operations(queue.sqs)
        queue.send("x")
        assert recorded == ["SendMessageBatch"]

    def test_missing_queue_is_a_configuration_error(self, endpoint: str | None) -> None:
        with pytest.raises(ConfigurationError, match="queue not found"):
            SqsQueue.from_settings(
                settings(endpoint, queue_name="absent", create_missing_resources=False),
                BuildContext(),
            )
