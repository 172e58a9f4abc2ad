"""Claim check for SQS bodies above the size limit, in the AWS extended-client format.

A large body is written to S3 and the queue carries a pointer that the official Amazon SQS
extended clients (Java ``amazon-sqs-java-extended-client-lib``, Python
``amazon-sqs-python-extended-client``) read and write::

    ["software.amazon.payloadoffloading.PayloadS3Pointer",
     {"s3BucketName": "<bucket>", "s3Key": "<key>"}]

plus the numeric message attribute ``ExtendedPayloadSize`` (the body's size in bytes; the
older clients used ``SQSLargePayloadSize``, which is recognised on receive). So a message
this library offloads can be consumed by an extended client and vice versa. The S3 object
is deleted when the message is acked (the extended clients do the same on delete).

Permissions: ``s3:PutObject``, ``s3:GetObject``, ``s3:DeleteObject`` on the bucket/prefix.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from socialreferral.errors import QueueError
from socialreferral.providers.aws.errors import map_boto_errors

POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer"
SIZE_ATTRIBUTE = "ExtendedPayloadSize"
LEGACY_SIZE_ATTRIBUTE = "SQSLargePayloadSize"
#: Attributes the claim check adds; they are not shown to the application.
RESERVED_ATTRIBUTES = frozenset({SIZE_ATTRIBUTE, LEGACY_SIZE_ATTRIBUTE})


def make_pointer(bucket: str, key: str) -> str:
    """The pointer body, serialised compactly like the Java client's Jackson output."""
    return json.dumps(
        [POINTER_CLASS, {"s3BucketName": bucket, "s3Key": key}], separators=(",", ":")
    )


def parse_pointer(body: str) -> tuple[str, str] | None:
    """``(bucket, key)`` if ``body`` is an extended-client pointer, else None."""
    if not body.startswith("[") or POINTER_CLASS not in body:
        return None
    try:
        kind, fields = json.loads(body)
        if kind == POINTER_CLASS:
            return str(fields["s3BucketName"]), str(fields["s3Key"])
    except (ValueError, TypeError, KeyError):
        pass
    return None


class S3ClaimCheck:
    """Stores, loads and deletes offloaded bodies in one bucket under ``prefix``."""

    def __init__(self, s3: Any, bucket: str, prefix: str = "") -> None:
        self.s3, self.bucket, self.prefix = s3, bucket, prefix

    def store(self, body: str) -> str:
        """Upload ``body`` under a fresh key and return the pointer to send instead."""
        key = f"{self.prefix}{uuid.uuid4()}"
        with map_boto_errors(QueueError, what=f"claim check put s3://{self.bucket}/{key}"):
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=body.encode("utf-8"))
        return make_pointer(self.bucket, key)

    def load(self, pointer: str) -> str:
        """The body a pointer refers to (any bucket the credentials may read)."""
        bucket, key = self._parse(pointer)
        with map_boto_errors(QueueError, what=f"claim check get s3://{bucket}/{key}"):
            data: bytes = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return data.decode("utf-8")

    def delete(self, pointer: str) -> None:
        """Delete the stored body (idempotent: S3 deletes of missing keys succeed)."""
        bucket, key = self._parse(pointer)
        with map_boto_errors(QueueError, what=f"claim check delete s3://{bucket}/{key}"):
            self.s3.delete_object(Bucket=bucket, Key=key)

    @staticmethod
    def _parse(pointer: str) -> tuple[str, str]:
        parsed = parse_pointer(pointer)
        if parsed is None:
            raise QueueError("not an extended-client S3 pointer")
        return parsed


__all__ = [
    "LEGACY_SIZE_ATTRIBUTE",
    "POINTER_CLASS",
    "RESERVED_ATTRIBUTES",
    "SIZE_ATTRIBUTE",
    "S3ClaimCheck",
    "make_pointer",
    "parse_pointer",
]
