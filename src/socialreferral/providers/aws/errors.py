"""The one place where botocore errors become the library's errors.

:func:`map_boto_errors` wraps every AWS call in the adapters. Throttling, 5xx answers and
network failures become :class:`~socialreferral.errors.TransientError`, which the port base
classes retry with backoff (botocore's own retries are switched off in
:mod:`socialreferral.providers.aws.clients`, so there is exactly one retry loop). Missing
resources, stale receipts, failed conditions, bad input and denied access get their
meaning-based exceptions; anything else becomes the port's base error, with the AWS error
code in the message. botocore is never imported here: an exception can only be a botocore
one if botocore is already loaded.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from socialreferral.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    InvalidInput,
    ReceiptInvalid,
    SocialReferralError,
    TransientError,
)

#: Error codes AWS services use for "slow down" or "try again" (SQS, DynamoDB, S3, SM, Batch).
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "AWS.SimpleQueueService.RequestThrottled",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "SlowDown",
        "TransactionInProgressException",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "InternalServiceError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
NOT_FOUND_CODES = frozenset(
    {
        "ResourceNotFoundException",
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "NoSuchKey",
        "NoSuchBucket",
        "404",
    }
)
RECEIPT_CODES = frozenset(
    {
        "ReceiptHandleIsInvalid",
        "InvalidReceiptHandle",
        "MessageNotInflight",
        "AWS.SimpleQueueService.MessageNotInflight",
    }
)
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
    }
)
INVALID_CODES = frozenset(
    {"ValidationException", "InvalidParameterValue", "InvalidParameterException"}
)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ``ClientError`` (None for anything else)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    code = response.get("Error", {}).get("Code")
    return str(code) if code is not None else None


def _status(exc: BaseException) -> int:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return 0
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def translate(
    exc: BaseException,
    *,
    base: type[SocialReferralError],
    not_found: Callable[[str], Exception] | None = None,
    what: str = "",
) -> Exception | None:
    """The library exception for ``exc``, or None if ``exc`` is not a botocore error."""
    botocore = sys.modules.get("botocore.exceptions")
    if botocore is None:
        return None
    prefix = f"{what}: " if what else ""
    if isinstance(exc, botocore.ClientError):
        code = error_code(exc) or "Unknown"
        message = f"{prefix}{code}: {exc.response.get('Error', {}).get('Message', '')}"
        if code in TRANSIENT_CODES or _status(exc) >= 500:
            return TransientError(message)
        if code in NOT_FOUND_CODES and not_found is not None:
            return not_found(message)
        if code in RECEIPT_CODES:
            return ReceiptInvalid(message)
        if code == "ConditionalCheckFailedException":
            return ConcurrencyConflict(message)
        if code in DENIED_CODES:
            return ConfigurationError(f"{message} (check the credentials and IAM permissions)")
        if code in INVALID_CODES:
            return InvalidInput(message)
        return base(message)
    network = (
        botocore.EndpointConnectionError,
        botocore.ConnectionClosedError,
        botocore.ReadTimeoutError,
        botocore.ConnectTimeoutError,
    )
    if isinstance(exc, network):
        return TransientError(f"{prefix}{exc}")
    if isinstance(exc, botocore.ParamValidationError):
        return InvalidInput(f"{prefix}{exc}")
    if isinstance(exc, botocore.NoCredentialsError | botocore.NoRegionError):
        return ConfigurationError(f"{prefix}{exc}")
    if isinstance(exc, botocore.BotoCoreError):
        return base(f"{prefix}{exc}")
    return None


@contextmanager
def map_boto_errors(
    base: type[SocialReferralError],
    *,
    not_found: Callable[[str], Exception] | None = None,
    what: str = "",
) -> Iterator[None]:
    """Translate botocore exceptions raised inside the block (see the module docstring).

    ``base`` is the port's root error (``QueueError``...), used for unclassified failures;
    ``not_found`` builds the exception for a missing resource (default: ``base``).
    """
    try:
        yield
    except SocialReferralError:
        raise
    except Exception as exc:
        mapped = translate(exc, base=base, not_found=not_found, what=what)
        if mapped is None:
            raise
        raise mapped from exc


__all__ = ["TRANSIENT_CODES", "error_code", "map_boto_errors", "translate"]
