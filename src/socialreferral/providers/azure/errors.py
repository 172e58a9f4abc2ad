"""The one place where azure-core (and Cosmos) SDK errors become this library's errors.

Every Azure adapter wraps its SDK calls in :func:`map_azure_errors`; retryable failures
(throttling 429, 408, 449, 5xx, connection errors) come out as
:class:`~socialreferral.errors.TransientError`, which the port base classes retry with
backoff. Nothing here imports ``azure`` at module level: the SDK types are looked up only
when an exception is actually being translated.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from socialreferral.errors import (
    BatchComputeError,
    ConcurrencyConflict,
    DocumentExists,
    DocumentNotFound,
    DocumentStoreError,
    DocumentTooLarge,
    JobNotFound,
    MessageTooLarge,
    QueueError,
    ReceiptInvalid,
    SecretNotFound,
    SecretStoreError,
    SocialReferralError,
    TransientError,
)

Port = Literal["queue", "store", "secrets", "batch"]

#: Status codes worth retrying: timeout, throttling, Cosmos "retry with", server errors,
#: and 410 (Cosmos partition moved; the SDK refreshes its routing map on the next call).
TRANSIENT_STATUS = frozenset({408, 410, 429, 449, 500, 502, 503, 504})

_PORT_BASE: dict[str, type[SocialReferralError]] = {
    "queue": QueueError,
    "store": DocumentStoreError,
    "secrets": SecretStoreError,
    "batch": BatchComputeError,
}
_NOT_FOUND: dict[str, type[SocialReferralError]] = {
    "store": DocumentNotFound,
    "secrets": SecretNotFound,
    "batch": JobNotFound,
}
# Storage queue codes that mean "this pop receipt is stale or the message is gone".
_RECEIPT_CODES = frozenset({"MessageNotFound", "PopReceiptMismatch"})


def status_of(exc: BaseException) -> int | None:
    """HTTP status of an azure-core ``HttpResponseError`` (None for anything else)."""
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def error_code(exc: BaseException) -> str:
    """The service's error code (``x-ms-error-code`` or the JSON body's code), or ''."""
    code = getattr(exc, "error_code", None)
    if code:
        return str(getattr(code, "value", code))  # storage SDKs give a str enum
    error = getattr(exc, "error", None)
    inner = getattr(error, "innererror", None)
    if isinstance(inner, dict) and inner.get("code"):
        return str(inner["code"])
    return str(getattr(error, "code", "") or "")


def translate(exc: BaseException, port: Port, subject: str = "") -> SocialReferralError | None:
    """The library error for an SDK exception, or None if ``exc`` is not an Azure error."""
    try:
        from azure.core import exceptions as core
    except ImportError:  # pragma: no cover - without the SDK nothing Azure can be raised
        return None
    where = f"{subject}: " if subject else ""
    if isinstance(exc, core.ServiceRequestError | core.ServiceResponseError):
        return TransientError(f"{where}connection to Azure failed: {exc}")
    if isinstance(exc, core.ClientAuthenticationError) and status_of(exc) is None:
        return _PORT_BASE[port](f"{where}Azure authentication failed: {exc}")
    if not isinstance(exc, core.HttpResponseError):
        return None
    status, code = status_of(exc), error_code(exc)
    message = f"{where}{status} {code or exc.reason or ''}".rstrip()
    if port == "queue":
        if code in _RECEIPT_CODES:
            return ReceiptInvalid(f"{where}stale or unknown receipt ({code})")
        if status == 413 or code in ("MessageTooLarge", "RequestBodyTooLarge"):
            return MessageTooLarge(message)
    if status in TRANSIENT_STATUS:
        return TransientError(message)
    if status == 404 and port in _NOT_FOUND:
        return _NOT_FOUND[port](subject or message)
    if port == "store":
        if status == 409:
            return DocumentExists(message)
        if status == 412:
            return ConcurrencyConflict(message)
        if status == 413:
            return DocumentTooLarge(message)
    if status in (401, 403):
        return _PORT_BASE[port](
            f"{message}: access denied; check the credential and its RBAC role "
            "(docs/providers/azure.md lists the roles each adapter needs)"
        )
    return _PORT_BASE[port](f"{message}: {exc.message}" if exc.message else message)


@contextmanager
def map_azure_errors(port: Port, subject: str = "") -> Iterator[None]:
    """Translate Azure SDK exceptions raised inside the block (library errors pass)."""
    try:
        yield
    except SocialReferralError:
        raise
    except Exception as exc:
        mapped = translate(exc, port, subject)
        if mapped is None:
            raise
        raise mapped from exc


__all__ = ["TRANSIENT_STATUS", "error_code", "map_azure_errors", "status_of", "translate"]
