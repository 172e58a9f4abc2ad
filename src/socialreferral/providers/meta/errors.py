"""The one place where Graph API answers become this library's errors.

Graph answers an error as ``{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}`` (tests/fixtures/meta/ keeps the documented examples with their sources):

* rate limits — codes 4 (app), 17 (user), 32 (page), 613 (custom), 80001-80014 (business
  use case) → :class:`TransientError` whose ``retry_after`` is the
  ``estimated_time_to_regain_access`` (minutes) of ``X-Business-Use-Case-Usage``, else a
  wait derived from ``X-App-Usage``/``X-Page-Usage`` (the highest percentage), else 60 s;
* 1, 2 (temporary), 5xx, connection errors → :class:`TransientError`;
* 190 (invalid or expired token), 102 (session), 10 and 200-299 (permission declined or
  removed) → :class:`TokenInvalid`: the person or the Page admin must log in again;
* 100 with subcode 33 (object does not exist or is not visible) → None for reads (the
  caller sees "no profile"); otherwise :class:`SocialChannelError`.

Messages carry code, subcode and type, never the token or the body sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from socialreferral.errors import (
    SocialChannelError,
    SocialReferralError,
    TokenInvalid,
    TransientError,
)
from socialreferral.providers._http import excerpt

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
TEMPORARY_CODES = frozenset({1, 2})
TOKEN_CODES = frozenset({190, 102, 10, *range(200, 300)})
DEFAULT_WAIT = 60.0
NETWORK = "facebook"


class ObjectMissing(SocialChannelError):
    """Graph says the object does not exist or is not visible with this token (100/33)."""


def graph_error(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of a Graph answer ({} when there is none)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def usage_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait according to Meta's usage headers (None when they say nothing)."""
    buc = _json_header(headers, "x-business-use-case-usage")
    if isinstance(buc, dict):
        minutes = [float(entry.get("estimated_time_to_regain_access") or 0)
                   for entries in buc.values() if isinstance(entries, list)
                   for entry in entries if isinstance(entry, dict)]
        if minutes and max(minutes) > 0:
            return max(minutes) * 60.0
    for name in ("x-app-usage", "x-page-usage", "x-ad-account-usage"):
        usage = _json_header(headers, name)
        if isinstance(usage, dict):
            percent = max((float(v) for k, v in usage.items()
                           if k in ("call_count", "total_cputime", "total_time")
                           and isinstance(v, int | float)), default=0.0)
            if percent >= 100:
                return DEFAULT_WAIT
    return None


def _json_header(headers: Mapping[str, str], name: str) -> Any:
    raw = headers.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def check(response: httpx.Response, subject: str, *, person_id: str | None = None) -> None:
    """Raise the library error for an unsuccessful Graph answer about ``subject``."""
    if response.is_success:
        return
    error = graph_error(response)
    code = int(error.get("code") or 0) if str(error.get("code") or "0").isdigit() else 0
    subcode = error.get("error_subcode")
    where = (f"Graph {subject}: {response.status_code} code {code}"
             f"{f'/{subcode}' if subcode else ''} {error.get('type') or ''}").rstrip()
    if code in RATE_LIMIT_CODES:
        raise TransientError(f"{where}: rate limited",
                             retry_after=usage_wait(response.headers) or DEFAULT_WAIT)
    if code in TOKEN_CODES:
        raise TokenInvalid(f"{where}: the token is invalid, expired or lacks a permission; "
                           "log in again", network=NETWORK, person_id=person_id)
    if code in TEMPORARY_CODES or response.status_code >= 500 or response.status_code == 408:
        raise TransientError(f"{where}: {excerpt(error.get('message'))}",
                             retry_after=usage_wait(response.headers))
    if code == 100 and subcode == 33:
        raise ObjectMissing(f"{where}: no such object")
    raise SocialChannelError(f"{where}: {excerpt(error.get('message'))}")


@contextmanager
def map_graph_errors(subject: str) -> Iterator[None]:
    """Transport failures raised inside the block become :class:`TransientError`."""
    try:
        yield
    except SocialReferralError:
        raise
    except httpx.TransportError as exc:
        raise TransientError(f"Graph {subject}: {type(exc).__name__}") from exc


__all__ = ["NETWORK", "RATE_LIMIT_CODES", "TOKEN_CODES", "ObjectMissing", "check",
           "graph_error", "map_graph_errors", "usage_wait"]
