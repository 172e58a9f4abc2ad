"""The one place where LinkedIn API answers become this library's errors.

LinkedIn answers errors as ``{"status", "serviceErrorCode", "code", "message"}``
(tests/fixtures/linkedin/ keeps the documented examples with their sources):

* 429 (application or member throttles, counted per UTC day) → :class:`TransientError`
  with ``Retry-After`` when sent, else the time until the next midnight UTC, when the
  daily quota resets;
* 5xx, 408 and connection failures → :class:`TransientError`;
* 401 (``EXPIRED_ACCESS_TOKEN``, ``REVOKED_ACCESS_TOKEN``, serviceErrorCode 65600-65602)
  → :class:`TokenInvalid`: the member or the organisation admin must log in again;
* 404 → :class:`ObjectMissing`; 403 (``ACCESS_DENIED``: a permission the app lacks, a
  member who is not an organisation admin) and other 4xx → :class:`SocialChannelError`.

Messages carry status and code, never tokens or the text sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from socialreferral.errors import (
    SocialChannelError,
    SocialReferralError,
    TokenInvalid,
    TransientError,
)
from socialreferral.providers import import_sdk
from socialreferral.providers._http import advised_wait, excerpt

NETWORK = "linkedin"


class ObjectMissing(SocialChannelError):
    """LinkedIn says the post, comment or member does not exist (404)."""


def until_midnight_utc(now: datetime | None = None) -> float:
    """Seconds until LinkedIn's daily quotas reset (midnight UTC)."""
    now = now or datetime.now(UTC)
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (tomorrow - now).total_seconds()


def check(response: Any, subject: str, *, person_id: str | None = None) -> None:
    """Raise the library error for an unsuccessful answer (``response`` is the SDK's
    response or a ``requests.Response``: both have ``status_code`` and ``headers``)."""
    status = int(getattr(response, "status_code", 0) or 0)
    if 200 <= status < 300:
        return
    raw = getattr(response, "response", response)
    try:
        body = raw.json()
    except (ValueError, AttributeError):
        body = {}
    body = body if isinstance(body, dict) else {}
    where = f"LinkedIn {subject}: {status} {body.get('code') or ''}".rstrip()
    headers = {k.lower(): v for k, v in dict(getattr(raw, "headers", {}) or {}).items()}
    if status == 429:
        wait = advised_wait(headers)
        raise TransientError(f"{where}: throttled",
                             retry_after=until_midnight_utc() if wait is None else wait)
    if status == 401:
        raise TokenInvalid(f"{where}: the token is invalid, expired or revoked; log in "
                           "again", network=NETWORK, person_id=person_id)
    if status >= 500 or status == 408:
        raise TransientError(f"{where}: {excerpt(body.get('message'))}",
                             retry_after=advised_wait(headers))
    if status == 404:
        raise ObjectMissing(f"{where}: not found")
    raise SocialChannelError(f"{where}: {excerpt(body.get('message'))}")


@contextmanager
def map_linkedin_errors(subject: str) -> Iterator[None]:
    """Transport failures raised inside the block become :class:`TransientError`;
    the SDK's own errors (a malformed answer) :class:`SocialChannelError`."""
    requests_exc = import_sdk("requests.exceptions", provider="linkedin", extra="linkedin")
    try:
        yield
    except SocialReferralError:
        raise
    except (requests_exc.ConnectionError, requests_exc.Timeout) as exc:
        raise TransientError(f"LinkedIn {subject}: {type(exc).__name__}") from None
    except Exception as exc:  # linkedin_api's ResponseFormattingError and kin
        if type(exc).__module__.startswith("linkedin_api"):
            raise SocialChannelError(f"LinkedIn {subject}: {type(exc).__name__}") from None
        raise


__all__ = ["NETWORK", "ObjectMissing", "check", "map_linkedin_errors", "until_midnight_utc"]
