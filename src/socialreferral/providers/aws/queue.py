"""SqsQueue: the Queue port on Amazon SQS, with an S3 claim check for large bodies.

Features
    Batch send (10 per call, split further so a call stays under 256 KiB; entries SQS
    refuses for a retryable reason are resent, and only those), long-poll receive (up to
    20 s per call), visibility extension, batch ack, dead-lettering through the queue's
    redrive policy (``maxReceiveCount`` = ``max_receives``), per-message delay (standard
    queues), FIFO queues (name ending in ``.fifo``; a message without ``group_id`` gets a
    group of its own, i.e. no ordering promise, and one without ``dedup_id`` a random
    one), and a
    claim check: bodies above 256 KiB go to S3 with a pointer in the AWS extended-client
    format (:mod:`socialreferral.providers.aws.claim_check`), deleted from S3 on ack.
    Capabilities are narrowed per instance: ``dead_letter`` needs a dead-letter queue,
    ``claim_check`` a bucket, ``fifo`` a FIFO queue, ``delay`` a standard queue.

Configuration
    ``[aws]``: ``queue_url`` or ``queue_name`` (resolved once with ``GetQueueUrl``),
    ``dead_letter_queue_url``/``_name``, ``max_receives``, ``visibility_timeout``,
    ``claim_check_bucket``/``_prefix``, ``create_missing_resources`` (emulators/dev).

Credentials and permissions
    From :class:`~socialreferral.providers.aws.settings.AwsSettings`. Least privilege:
    ``sqs:GetQueueUrl`` (only without a configured URL), ``sqs:SendMessage``,
    ``sqs:ReceiveMessage``, ``sqs:DeleteMessage``, ``sqs:ChangeMessageVisibility``,
    ``sqs:GetQueueAttributes`` (depth) on the queue and its dead-letter queue, and the S3
    permissions of the claim check. ``ListQueues`` is never called.

Gaps
    SQS does not invalidate an older receipt when a message is redelivered, so an ack with
    a superseded receipt may still delete the message (it does on moto). Visibility changes
    of a message no longer in flight raise ``ReceiptInvalid``. ``oldest_age`` is not
    declared: no SQS call reads the oldest message's age without receiving it (which would
    count as a delivery towards the dead-letter queue). CloudWatch's native
    ``ApproximateAgeOfOldestMessage`` metric of the queue is the signal to watch and
    alarm on (``docs/observability.md``).
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Sequence
from typing import Any, ClassVar, Self

from socialreferral.errors import (
    ConfigurationError,
    MessageTooLarge,
    QueueError,
    ReceiptInvalid,
    TransientError,
)
from socialreferral.ports import Queue, RetryPolicy
from socialreferral.providers import BuildContext
from socialreferral.providers.aws._progress import ChunkProgress
from socialreferral.providers.aws.claim_check import (
    RESERVED_ATTRIBUTES,
    SIZE_ATTRIBUTE,
    S3ClaimCheck,
)
from socialreferral.providers.aws.clients import make_client, make_session
from socialreferral.providers.aws.errors import TRANSIENT_CODES, map_boto_errors
from socialreferral.providers.aws.settings import AwsSettings
from socialreferral.records import Capability, OutgoingMessage, ReceivedMessage

#: SQS counts body plus attribute names, types and values against this (256 KiB, the
#: limit of queues created before 2025 and of moto's batch check; the extended clients'
#: default threshold too).
SQS_LIMIT = 256 * 1024
_ENTRIES = -1  # slot of the progress record holding the prepared entries
_DLQ = "dlq:"  # receipt prefix routing acks of dead letters to the dead-letter queue
_SYSTEM_ATTRIBUTES = ["ApproximateReceiveCount", "SentTimestamp", "MessageGroupId"]


def _queue_not_found(message: str) -> Exception:
    return ConfigurationError(f"queue not found ({message}); create it or fix the settings")


class SqsQueue(Queue):
    """At-least-once queue on SQS (see the module docstring)."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.DEAD_LETTER,
            Capability.DELAY,
            Capability.FIFO,
            Capability.CLAIM_CHECK,
            Capability.VISIBILITY_EXTEND,
        }
    )
    provider: ClassVar[str] = "aws"
    max_body_bytes: ClassVar[int] = SQS_LIMIT

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        *,
        dead_letter_url: str | None = None,
        claim_check: S3ClaimCheck | None = None,
        max_receives: int | None = None,
        visibility_timeout: int = 30,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Wrap an existing queue. ``sqs`` is a boto3 SQS client, reused for every call."""
        self.sqs, self.queue_url, self.dead_letter_url = sqs, queue_url, dead_letter_url
        self.claim_check = claim_check
        self.fifo = queue_url.endswith(".fifo")
        disabled = set()
        if dead_letter_url is None:
            disabled.add(Capability.DEAD_LETTER)
        if claim_check is None:
            disabled.add(Capability.CLAIM_CHECK)
        disabled.add(Capability.DELAY if self.fifo else Capability.FIFO)
        self._enabled = self.capabilities - disabled
        self._progress = ChunkProgress()
        super().__init__(
            max_receives=max_receives, visibility_timeout=visibility_timeout, retry=retry
        )

    @classmethod
    def from_settings(cls, settings: AwsSettings, context: BuildContext) -> Self:
        """Build from ``[aws]`` settings; resolves names to URLs once, here."""
        session = make_session(settings)
        sqs = make_client(settings, "sqs", session)
        create = settings.create_missing_resources
        dlq_url = settings.dead_letter_queue_url
        if dlq_url is None and settings.dead_letter_queue_name is not None:
            dlq_url = _resolve(sqs, settings.dead_letter_queue_name, create, settings, None)
        url = settings.queue_url or _resolve(
            sqs, settings.queue_name or "", create, settings, dlq_url
        )
        claim = None
        if settings.claim_check_bucket is not None:
            s3 = make_client(settings, "s3", session)
            if create:
                from socialreferral.providers.aws.provision import ensure_bucket

                ensure_bucket(s3, settings.claim_check_bucket, settings.region)
            claim = S3ClaimCheck(s3, settings.claim_check_bucket, settings.claim_check_prefix)
        return cls(
            sqs,
            url,
            dead_letter_url=dlq_url,
            claim_check=claim,
            max_receives=settings.max_receives if dlq_url is not None else None,
            visibility_timeout=settings.visibility_timeout,
        )

    @property
    def name(self) -> str:
        """The queue's name (the last segment of its URL), as CloudWatch names it."""
        return self.queue_url.rstrip("/").rsplit("/", 1)[-1]

    def supports(self, capability: Capability | str) -> bool:
        """True if the class implements ``capability`` and this queue's setup enables it."""
        return Capability(capability) in self._enabled

    # -- primitives ----------------------------------------------------------------
    def _send_batch(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        done = self._progress.start(messages)
        # entries are kept across retries too, so a body offloaded to S3 is stored once
        entries: dict[int, dict[str, Any]] = done.setdefault(_ENTRIES, {})
        pending: list[tuple[int, dict[str, Any], int]] = []
        for index, message in enumerate(messages):
            if index not in done:
                if index not in entries:
                    entries[index] = self._entry(index, message)
                pending.append((index, entries[index], _size(entries[index])))
        retryable: list[str] = []
        for group in _by_size(pending):
            with map_boto_errors(QueueError, not_found=_queue_not_found, what="SendMessageBatch"):
                answer = self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=group)
            for ok in answer.get("Successful", ()):
                done[int(ok["Id"])] = ok["MessageId"]
            for failed in answer.get("Failed", ()):
                code = failed.get("Code", "")
                if failed.get("SenderFault") and code not in TRANSIENT_CODES:
                    self._progress.finish()
                    raise QueueError(f"SQS refused message {failed['Id']}: {code} {failed}")
                retryable.append(code)
        if retryable:
            raise TransientError(f"SQS refused {len(retryable)} entries: {sorted(set(retryable))}")
        self._progress.finish()
        return [done[i] for i in range(len(messages))]

    def _entry(self, index: int, message: OutgoingMessage) -> dict[str, Any]:
        entry: dict[str, Any] = {"Id": str(index), "MessageBody": message.body}
        if message.attributes:
            entry["MessageAttributes"] = _attributes(message.attributes)
            if _size(entry) > SQS_LIMIT and SIZE_ATTRIBUTE not in message.attributes:
                # the body fits but body + attributes do not: offload it after all
                if self.claim_check is None:
                    raise MessageTooLarge(f"message {index}: body and attributes exceed 256 KiB")
                return self._entry(index, self._offload(message))
        if self.fifo:
            unique = uuid.uuid4().hex
            # no group_id means no ordering promise: a group of its own, so one slow
            # message does not hold back every other ungrouped message
            entry["MessageGroupId"] = message.group_id or unique
            entry["MessageDeduplicationId"] = message.dedup_id or unique
        elif message.delay_seconds:
            entry["DelaySeconds"] = message.delay_seconds
        return entry

    def _receive(
        self, max_messages: int, visibility_timeout: int, wait_seconds: float
    ) -> list[ReceivedMessage]:
        deadline = time.monotonic() + wait_seconds
        while True:
            remaining = deadline - time.monotonic()
            # SQS long-polls in whole seconds (at most 20); a fractional remainder is
            # covered by short polls, so a receive never waits longer than asked
            wait = min(20, int(max(0.0, remaining)))
            received = self._receive_from(
                self.queue_url, "", max_messages, visibility_timeout, wait
            )
            if received:
                return received
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return received
            if wait == 0:
                time.sleep(min(0.05, remaining))

    def _receive_from(
        self, url: str, prefix: str, count: int, visibility_timeout: int, wait: int
    ) -> list[ReceivedMessage]:
        with map_boto_errors(QueueError, not_found=_queue_not_found, what="ReceiveMessage"):
            answer = self.sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=count,
                VisibilityTimeout=visibility_timeout,
                WaitTimeSeconds=wait,
                MessageSystemAttributeNames=_SYSTEM_ATTRIBUTES,
                MessageAttributeNames=["All"],
            )
        return [_message(raw, prefix) for raw in answer.get("Messages", ())]

    def _delete_batch(self, receipts: Sequence[str]) -> None:
        for url, handles in self._route(receipts).items():
            entries = [{"Id": str(i), "ReceiptHandle": h} for i, h in enumerate(handles)]
            with map_boto_errors(QueueError, not_found=_queue_not_found, what="DeleteMessage"):
                answer = self.sqs.delete_message_batch(QueueUrl=url, Entries=entries)
            failed = answer.get("Failed", ())
            if not failed:
                continue
            codes = sorted({f.get("Code", "") for f in failed})
            if any(f.get("SenderFault") and f.get("Code") not in TRANSIENT_CODES for f in failed):
                raise ReceiptInvalid(f"SQS refused {len(failed)} receipts: {codes}")
            # deleting twice is harmless on SQS, so the base may simply redo the batch
            raise TransientError(f"SQS could not delete {len(failed)} messages: {codes}")

    def _change_visibility(self, message: ReceivedMessage, seconds: int) -> ReceivedMessage:
        url, handle = self._split(message.receipt)
        with map_boto_errors(QueueError, not_found=_queue_not_found, what="ChangeVisibility"):
            self.sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=seconds
            )
        return message

    def _depth(self) -> int:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"]
        with map_boto_errors(QueueError, not_found=_queue_not_found, what="GetQueueAttributes"):
            found = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=names)
        return sum(int(found["Attributes"].get(name, 0)) for name in names)

    def _receive_dead_letters(self, max_messages: int) -> list[ReceivedMessage]:
        if self.dead_letter_url is None:
            return super()._receive_dead_letters(max_messages)
        return self._receive_from(
            self.dead_letter_url, _DLQ, max_messages, self.visibility_timeout, 0
        )

    def _offload(self, message: OutgoingMessage) -> OutgoingMessage:
        assert self.claim_check is not None  # the base only calls this with the capability
        size = len(message.body.encode("utf-8"))
        attributes = {**message.attributes, SIZE_ATTRIBUTE: str(size)}
        pointer = self.claim_check.store(message.body)
        return dataclasses.replace(message, body=pointer, attributes=attributes)

    def _resolve(self, message: ReceivedMessage) -> ReceivedMessage:
        if message.claim is None or self.claim_check is None:
            return message
        return dataclasses.replace(message, body=self.claim_check.load(message.claim))

    def _release_claim(self, message: ReceivedMessage) -> None:
        if message.claim is not None and self.claim_check is not None:
            self.claim_check.delete(message.claim)

    # -- helpers -------------------------------------------------------------------
    def _split(self, receipt: str) -> tuple[str, str]:
        if receipt.startswith(_DLQ) and self.dead_letter_url is not None:
            return self.dead_letter_url, receipt[len(_DLQ) :]
        return self.queue_url, receipt

    def _route(self, receipts: Sequence[str]) -> dict[str, list[str]]:
        routed: dict[str, list[str]] = {}
        for receipt in receipts:
            url, handle = self._split(receipt)
            routed.setdefault(url, []).append(handle)
        return routed

    def close(self) -> None:
        """Close the HTTP connection pools of the clients."""
        self.sqs.close()
        if self.claim_check is not None:
            self.claim_check.s3.close()


def _resolve(sqs: Any, name: str, create: bool, settings: AwsSettings, dlq_url: str | None) -> str:
    """Queue URL by name: GetQueueUrl, or (emulators/dev) create the queue."""
    if create:
        from socialreferral.providers.aws.provision import ensure_queue

        return ensure_queue(
            sqs,
            name,
            visibility_timeout=settings.visibility_timeout,
            dead_letter_url=dlq_url,
            max_receives=settings.max_receives,
        )
    with map_boto_errors(QueueError, not_found=_queue_not_found, what=f"GetQueueUrl {name}"):
        url: str = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return url


def _attributes(attributes: Any) -> dict[str, dict[str, str]]:
    return {
        name: {"DataType": "Number" if name == SIZE_ATTRIBUTE else "String", "StringValue": value}
        for name, value in attributes.items()
    }


def _size(entry: dict[str, Any]) -> int:
    size = len(entry["MessageBody"].encode("utf-8"))
    for name, attribute in entry.get("MessageAttributes", {}).items():
        size += len(name) + len(attribute["DataType"]) + len(attribute["StringValue"].encode())
    return size


def _by_size(pending: list[tuple[int, dict[str, Any], int]]) -> list[list[dict[str, Any]]]:
    """Group entries so no SendMessageBatch call exceeds SQS_LIMIT in total."""
    groups: list[list[dict[str, Any]]] = []
    total = SQS_LIMIT + 1
    for _, entry, size in pending:
        if total + size > SQS_LIMIT:
            groups.append([])
            total = 0
        groups[-1].append(entry)
        total += size
    return groups


def _message(raw: dict[str, Any], prefix: str) -> ReceivedMessage:
    system = raw.get("Attributes", {})
    attributes: dict[str, str] = {}
    claim = None
    for name, value in raw.get("MessageAttributes", {}).items():
        if name in RESERVED_ATTRIBUTES:
            claim = raw["Body"]  # the body is the extended-client pointer
        else:
            attributes[name] = value.get("StringValue", "")
    return ReceivedMessage(
        message_id=raw["MessageId"],
        body=raw["Body"],
        receipt=prefix + raw["ReceiptHandle"],
        receive_count=int(system.get("ApproximateReceiveCount", 1)),
        sent_at=int(system.get("SentTimestamp", 0)) / 1000,
        attributes=attributes,
        group_id=system.get("MessageGroupId"),
        claim=claim,
    )


__all__ = ["SQS_LIMIT", "SqsQueue"]
