"""Response bodies of the web edge, as pydantic models (they are the OpenAPI schemas).

Every error, whatever raised it (a typed library error, FastAPI's own validation, an
unknown route, the body limit or the rate limiter), is answered with :class:`ErrorBody`,
so a client parses one shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from socialreferral.channels import RejectedItem
from socialreferral.service.ingest import IngestResult

MAX_REPORTED_ITEMS = 20
"""At most this many rejected/skipped entries are listed in a response (all are counted)."""
MAX_REASON_CHARS = 200


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ErrorBody(_Body):
    """What went wrong: the error's type, a message, and the field or header at fault."""

    error: str = Field(description="Error type, e.g. SignatureInvalid, InvalidInput")
    detail: str
    field: str | None = Field(default=None,
                              description="The field, header or parameter at fault, if any")


class EntryReport(_Body):
    """One entry of a delivery that was rejected or skipped, by JSON path."""

    path: str
    reason: str

    @classmethod
    def of(cls, item: RejectedItem) -> EntryReport:
        """Report ``item`` with its reason cut to :data:`MAX_REASON_CHARS`."""
        return cls(path=item.path[:MAX_REASON_CHARS], reason=item.reason[:MAX_REASON_CHARS])


class WebhookAccepted(_Body):
    """The outcome of a delivery that was signed correctly and is a delivery at all.

    ``enqueued`` new events were queued, ``duplicates`` were seen before (networks
    redeliver), ``rejected`` entries were malformed and ``skipped`` ones are of kinds this
    library does not act on; the lists hold the first :data:`MAX_REPORTED_ITEMS`.
    """

    enqueued: int = Field(ge=0)
    duplicates: int = Field(ge=0)
    rejected_count: int = Field(ge=0)
    skipped_count: int = Field(ge=0)
    rejected: list[EntryReport]
    skipped: list[EntryReport]

    @classmethod
    def of(cls, result: IngestResult) -> WebhookAccepted:
        """The response for an ingestion result."""
        return cls(
            enqueued=len(result.enqueued), duplicates=len(result.duplicates),
            rejected_count=len(result.rejected), skipped_count=len(result.skipped),
            rejected=[EntryReport.of(r) for r in result.rejected[:MAX_REPORTED_ITEMS]],
            skipped=[EntryReport.of(s) for s in result.skipped[:MAX_REPORTED_ITEMS]],
        )


class ReferralLanding(_Body):
    """What a prospect's referral link opens: which offer, until when."""

    referral_id: str
    product_id: str
    expires_at: datetime


class LeadReceived(_Body):
    """The lead form was taken (the reward and its checks are the bank's business)."""

    status: str = "received"
    referral_id: str


class Health(_Body):
    """Liveness."""

    status: str = "ok"


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each code documented with :class:`ErrorBody`."""
    meaning = {400: "Invalid input (the field is named)",
               401: "Not logged in, or no valid API key (see WWW-Authenticate)",
               403: "Signature, token, CSRF token, role or API-key scope refused",
               404: "Unknown channel, link, record or route",
               409: "The record's state refuses the request (the field is named)",
               413: "Body larger than the limit",
               422: "Request parameters invalid", 429: "Rate limit exceeded (see Retry-After)",
               501: "The deployment's channel cannot do this (the capability is named)",
               503: "Not configured or backend unavailable (see Retry-After)"}
    return {code: {"model": ErrorBody, "description": meaning.get(code, "Error")}
            for code in codes}


__all__ = [
    "MAX_REPORTED_ITEMS",
    "EntryReport",
    "ErrorBody",
    "Health",
    "LeadReceived",
    "ReferralLanding",
    "WebhookAccepted",
    "error_responses",
]
