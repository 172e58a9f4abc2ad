"""A documented, network-neutral webhook format for replays, tests and custom sources.

::

    {"events": [{"event_id": "demo:1",          # required, stable across redeliveries
                 "network": "demo",             # required
                 "kind": "post",                # post | comment | like | share | profile_update
                 "author_id": "p1",             # required
                 "text": "looking for a car loan",   # optional, default ""
                 "created_at": "2026-01-01T10:00:00+00:00",  # required, with a timezone,
                                                #   or unix seconds
                 "parent_id": "demo:0",         # optional
                 "page_id": "page-1",           # optional
                 "extra": {}}]}                 # optional object

Signed like a W3C WebSub delivery: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret,
raw body)>`` with the secret ``generic-webhook-secret``. At most
:data:`MAX_CHANGES_PER_DELIVERY` events. Unknown keys in an event are rejected
(a typo must not be silently dropped). Bad events land in ``rejected`` with their path
(``events[3].author_id``); good ones are kept.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from socialreferral.channels._base import WebhookChannel
from socialreferral.channels._parsing import (
    MAX_CHANGES_PER_DELIVERY,
    RejectedItem,
    WebhookBatch,
    dedupe,
    load_json_object,
    parse_time,
)
from socialreferral.channels._signatures import (
    check_digest,
    header,
    hex_digest,
    hmac_sha256,
    prefixed,
)
from socialreferral.domain.social import SocialEvent
from socialreferral.errors import InvalidInput

SIGNATURE_HEADER = "X-Hub-Signature-256"
SECRET = "generic-webhook-secret"


def parse_generic_webhook(raw_body: bytes) -> WebhookBatch:
    """Normalise a generic delivery (format in the module docstring)."""
    data = load_json_object(raw_body)
    items = data.get("events")
    if not isinstance(items, list):
        raise InvalidInput("expected a list of events", field="events")
    if len(items) > MAX_CHANGES_PER_DELIVERY:
        raise InvalidInput(
            f"more than {MAX_CHANGES_PER_DELIVERY} events in one delivery", field="events"
        )
    events: list[SocialEvent] = []
    rejected: list[RejectedItem] = []
    for i, item in enumerate(items):
        path = f"events[{i}]"
        if not isinstance(item, dict):
            rejected.append(RejectedItem(path=path, reason="expected an object"))
            continue
        fields = dict(item)
        if "created_at" not in fields:
            rejected.append(RejectedItem(path=f"{path}.created_at", reason="missing"))
            continue
        try:
            fields["created_at"] = parse_time(fields["created_at"], "created_at")
        except ValueError as exc:
            reason = str(exc).split(": ", 1)[-1]
            rejected.append(RejectedItem(path=f"{path}.created_at", reason=reason))
            continue
        try:
            events.append(SocialEvent.model_validate(fields))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            rejected.append(
                RejectedItem(path=f"{path}.{loc}" if loc else path, reason=first["msg"])
            )
    return WebhookBatch(events=dedupe(events), rejected=tuple(rejected))


class GenericChannel(WebhookChannel):
    """The library's own JSON format (replays, custom sources), WebSub-signed."""

    name = "generic"
    network = "generic"
    signing_secret = SECRET
    secret_names = (SECRET,)

    def verify(self, raw_body: bytes, headers: Mapping[str, str], secret: str) -> None:
        """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`` (WebSub)."""
        given = hex_digest(prefixed(header(headers, SIGNATURE_HEADER), "sha256=",
                                    SIGNATURE_HEADER), SIGNATURE_HEADER)
        check_digest(hmac_sha256(secret, raw_body), given, SIGNATURE_HEADER)

    def parse(self, raw_body: bytes) -> WebhookBatch:
        """Normalise a generic delivery (module docstring)."""
        return parse_generic_webhook(raw_body)


__all__ = ["SECRET", "SIGNATURE_HEADER", "GenericChannel", "parse_generic_webhook"]
