"""The one place where Dataverse Web API answers become this library's errors.

Dataverse answers an error with ``{"error": {"code": "0x8004...", "message": "..."}}``
(tests/fixtures/dynamics/ keeps the documented examples). The code decides before the
status: a duplicate-detection refusal comes back as **500** with ``0x80040333``, which is
not a server fault and must not be retried.

* service protection limits: 429 (codes ``0x80072322`` requests, ``0x80072321``
  execution time, ``0x80072326`` concurrent requests) → :class:`TransientError` with the
  ``Retry-After`` the service sent;
* 408, 5xx (other codes), connection errors → :class:`TransientError`;
* a duplicate (duplicate detection ``0x80040333``, an alternate-key conflict
  ``0x80060892``, SQL's duplicate key ``0x80040237``) → :class:`DuplicateRecord`, which
  the lead create turns into "return the held lead";
* 404 → :class:`~socialreferral.errors.CRMRecordNotFound`;
* 401/403 → :class:`~socialreferral.errors.CRMError` naming the privilege problem.

Messages keep the status and code and a short excerpt of the service's text, never the
request body (it holds a prospect's name and contact data).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from socialreferral.errors import (
    CRMError,
    CRMRecordNotFound,
    SocialReferralError,
    TransientError,
)
from socialreferral.providers._http import advised_wait, excerpt

#: Service protection limit codes (also sent with 429).
THROTTLED_CODES = frozenset({"0x80072322", "0x80072321", "0x80072326"})
#: Codes that mean "a record like this one exists already".
DUPLICATE_CODES = frozenset({"0x80040333", "0x80060892", "0x80040237"})
TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class DuplicateRecord(CRMError):
    """Dataverse refused a create because the record duplicates a held one."""

    def __init__(self, message: str, *, code: str) -> None:
        self.code = code
        super().__init__(message)


def error_of(response: httpx.Response) -> tuple[str, str]:
    """(code, message) of a Dataverse error body; ('', '') when there is none."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", response.text
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", ""
    return str(error.get("code") or ""), str(error.get("message") or "")


def check(response: httpx.Response, subject: str) -> None:
    """Raise the library error for an unsuccessful Dataverse answer about ``subject``."""
    if response.is_success:
        return
    status = response.status_code
    code, message = error_of(response)
    where = f"Dataverse {subject}: {status}{' ' + code if code else ''}"
    if code in DUPLICATE_CODES:
        raise DuplicateRecord(f"{where} (duplicate)", code=code)
    if status == 429 or code in THROTTLED_CODES:
        raise TransientError(f"{where}: service protection limit",
                             retry_after=advised_wait(response.headers))
    if status in TRANSIENT_STATUS:
        raise TransientError(f"{where}: {excerpt(message)}",
                             retry_after=advised_wait(response.headers))
    if status == 404:
        raise CRMRecordNotFound(f"{where}: not found")
    if status in (401, 403):
        raise CRMError(f"{where}: access denied; the application user needs the security "
                       "role in docs/providers/dynamics.md")
    raise CRMError(f"{where}: {excerpt(message)}")


@contextmanager
def map_dataverse_errors(subject: str) -> Iterator[None]:
    """Translate transport and sign-in failures raised inside the block."""
    try:
        yield
    except SocialReferralError:
        raise
    except httpx.TimeoutException as exc:
        raise TransientError(f"Dataverse {subject}: timed out ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise TransientError(f"Dataverse {subject}: connection failed "
                             f"({type(exc).__name__})") from exc
    except Exception as exc:
        if type(exc).__name__ == "ClientAuthenticationError":  # azure.core, imported lazily
            raise CRMError(f"Dataverse {subject}: signing in to Microsoft Entra failed; "
                           "check tenant_id, client_id and the secret") from exc
        if type(exc).__name__ in ("ServiceRequestError", "ServiceResponseError"):
            raise TransientError(f"Dataverse {subject}: token endpoint unreachable") from exc
        raise


__all__ = [
    "DUPLICATE_CODES",
    "THROTTLED_CODES",
    "DuplicateRecord",
    "check",
    "error_of",
    "map_dataverse_errors",
]
