"""Registers the AWS provider's adapters (SQS, DynamoDB, Secrets Manager, AWS Batch).

Importing this module imports no AWS SDK: the specs name the adapter classes by path, and
the adapters import boto3 only when built (a missing ``boto3`` then fails with an install
hint for ``pip install 'socialreferral[aws]'``).
"""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl
from socialreferral.providers import ProviderSpec

_SETTINGS = "socialreferral.providers.aws.settings:AwsSettings"
_ADAPTERS = {
    "queue": (
        "socialreferral.providers.aws.queue:SqsQueue",
        "Amazon SQS (+ S3 claim check in the extended-client format)",
    ),
    "store": (
        "socialreferral.providers.aws.store:DynamoDocumentStore",
        "Amazon DynamoDB (one table, conditional writes, TTL)",
    ),
    "secrets": (
        "socialreferral.providers.aws.secrets:SecretsManagerStore",
        "AWS Secrets Manager (staging-label versions, TTL cache)",
    ),
    "batch": (
        "socialreferral.providers.aws.batch:AwsBatchCompute",
        "AWS Batch (container and array jobs)",
    ),
}


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    for spec in ProviderSpec.family("aws", _SETTINGS, _ADAPTERS, extra="aws"):
        register(spec)
