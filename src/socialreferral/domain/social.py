"""Social-network records: profiles, connections, events, outbound messages."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from socialreferral.domain._base import DomainModel, utcnow

MAX_EXTRA_BYTES = 16_384
"""Largest ``SocialEvent.extra`` (as JSON): an event must fit in one queue message."""


class EventKind(StrEnum):
    POST = "post"
    COMMENT = "comment"
    LIKE = "like"
    SHARE = "share"
    PROFILE_UPDATE = "profile_update"


class SocialEvent(DomainModel):
    """One piece of social activity, normalised from any network's webhook.

    ``event_id`` is stable across redeliveries (it is the de-duplication key).
    """

    event_id: str = Field(min_length=1, max_length=256)
    network: str = Field(min_length=1, max_length=32)
    kind: EventKind
    author_id: str = Field(min_length=1, max_length=128)
    text: str = Field(default="", max_length=20_000)
    created_at: datetime = Field(default_factory=utcnow)
    parent_id: str | None = None
    page_id: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("extra")
    @classmethod
    def _bounded_extra(cls, value: dict[str, Any]) -> dict[str, Any]:
        # An event travels as one queue message (256 KiB on SQS): the text is bounded by
        # its own limit, the network-specific extras by this one.
        size = len(json.dumps(value, default=str, ensure_ascii=False)
                   .encode("utf-8", "surrogatepass"))
        if size > MAX_EXTRA_BYTES:
            raise ValueError(f"extra holds {size} bytes, more than {MAX_EXTRA_BYTES}")
        return value


class Profile(DomainModel):
    """What a network tells about a person (minimised: only what the flows use)."""

    person_id: str = Field(min_length=1, max_length=128)
    network: str = Field(min_length=1, max_length=32)
    display_name: str = Field(default="", max_length=200)
    followers: int = Field(default=0, ge=0)
    following: int = Field(default=0, ge=0)
    posts: int = Field(default=0, ge=0)
    listed: int = Field(default=0, ge=0)
    email: str | None = None
    date_of_birth: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class Interaction(DomainModel):
    """One interaction between two people (a like, comment, message) at a time."""

    kind: str = Field(min_length=1, max_length=32)
    at: datetime


class Connection(DomainModel):
    """A tie between ``person_id`` and ``other_id`` as seen from ``person_id``'s account."""

    person_id: str = Field(min_length=1, max_length=128)
    other_id: str = Field(min_length=1, max_length=128)
    network: str = Field(min_length=1, max_length=32)
    since: datetime | None = None
    mutual_connections: int = Field(default=0, ge=0)
    interactions: tuple[Interaction, ...] = ()


class OutboundMessage(DomainModel):
    """Something we ask a channel to deliver. ``message_id`` makes sending idempotent.

    By default a private message to ``recipient_id``. ``in_reply_to`` (the network's id of
    a post or comment) makes it an answer to that post: a *public* reply in its thread when
    ``private`` is false (capability ``public_replies``), or a private message that
    references the post when ``private`` is true (capability ``private_replies``: Meta's
    private replies to a comment, an X direct message about a tweet). ``recipient_id`` is
    always the person answered, so erasure finds every message about them.
    """

    message_id: str = Field(min_length=1, max_length=256)
    recipient_id: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1, max_length=8000)
    link: str | None = Field(default=None, max_length=4000)
    kind: str = Field(default="message", max_length=32)
    in_reply_to: str | None = Field(default=None, min_length=1, max_length=256)
    private: bool = True
    created_at: datetime = Field(default_factory=utcnow)

    @model_validator(mode="after")
    def _public_needs_a_post(self) -> OutboundMessage:
        if not self.private and self.in_reply_to is None:
            raise ValueError("a public message answers a post: set in_reply_to")
        return self
