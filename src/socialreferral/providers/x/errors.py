"""The one place where X API answers become this library's errors.

X API v2 answers errors as problem details (``{"title", "detail", "type", "status"}``;
tests/fixtures/x/ keeps the documented examples with their sources). tweepy raises one
exception class per status; they map as:

* 429 ``TooManyRequests`` → :class:`TransientError` whose ``retry_after`` is the time
  until ``x-rate-limit-reset`` (epoch seconds; 15-minute windows), else 60 s;
* 5xx ``TwitterServerError``, connection errors and timeouts → :class:`TransientError`;
* 401 ``Unauthorized`` (expired or revoked token) → :class:`TokenInvalid`: the person
  (or the brand account's owner) must log in again;
* 404 ``NotFound`` → :class:`ObjectMissing`; 403 ``Forbidden`` (a DM the person does not
  accept, a duplicate tweet, a scope not granted) and other 4xx →
  :class:`SocialChannelError`.

Messages carry the status, title and a short excerpt, never the token or the text sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from socialreferral.errors import (
    SocialChannelError,
    SocialReferralError,
    TokenInvalid,
    TransientError,
)
from socialreferral.providers import import_sdk
from socialreferral.providers._http import excerpt, until_reset

NETWORK = "x"
DEFAULT_WAIT = 60.0


class ObjectMissing(SocialChannelError):
    """X says the user or post does not exist (404, or a ``resource-not-found`` error)."""


def _status(exc: Any) -> tuple[int, dict[str, str]]:
    response = getattr(exc, "response", None)
    status = int(getattr(response, "status_code", 0) or 0)
    headers = {k.lower(): v for k, v in dict(getattr(response, "headers", {}) or {}).items()}
    return status, headers


@contextmanager
def map_x_errors(subject: str, *, person_id: str | None = None) -> Iterator[None]:
    """Map tweepy and requests failures raised inside the block (module docstring)."""
    errors = import_sdk("tweepy.errors", provider="x", extra="x")
    requests_exc = import_sdk("requests.exceptions", provider="x", extra="x")
    try:
        yield
    except SocialReferralError:
        raise
    except errors.TooManyRequests as exc:
        _, headers = _status(exc)
        wait = until_reset(headers.get("x-rate-limit-reset"))
        raise TransientError(f"X {subject}: 429 rate limited",
                             retry_after=DEFAULT_WAIT if wait is None else wait) from None
    except errors.Unauthorized:
        raise TokenInvalid(f"X {subject}: 401 the token is invalid, expired or revoked; "
                           "log in again", network=NETWORK, person_id=person_id) from None
    except errors.NotFound:
        raise ObjectMissing(f"X {subject}: 404 not found") from None
    except errors.TwitterServerError as exc:
        status, _ = _status(exc)
        raise TransientError(f"X {subject}: {status} server error") from None
    except errors.HTTPException as exc:
        status, _ = _status(exc)
        detail = excerpt("; ".join(str(m) for m in getattr(exc, "api_messages", []) or []))
        raise SocialChannelError(f"X {subject}: {status} {detail}".rstrip()) from None
    except (requests_exc.ConnectionError, requests_exc.Timeout) as exc:
        raise TransientError(f"X {subject}: {type(exc).__name__}") from None
    except errors.TweepyException as exc:
        raise SocialChannelError(f"X {subject}: {type(exc).__name__}") from None


__all__ = ["DEFAULT_WAIT", "NETWORK", "ObjectMissing", "map_x_errors"]
