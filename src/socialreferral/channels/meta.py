"""Normalise Meta (Facebook Page) ``feed`` webhooks into :class:`SocialEvent`.

Delivery shape (Graph API webhooks, object ``page``)::

    {"object": "page",
     "entry": [{"id": "<page id>", "time": 1700000000,
                "changes": [{"field": "feed",
                             "value": {"item": "comment", "verb": "add",
                                       "post_id": "1_2", "comment_id": "2_3",
                                       "parent_id": "1_2",
                                       "from": {"id": "42", "name": "Ann"},
                                       "message": "any good car loan?",
                                       "created_time": 1700000000}}]}]}

Event ids are built from what Meta identifies the change by, so a redelivery (Meta retries
for up to 36 hours) yields the same id and the receiver's de-duplication drops it:

* ``facebook:<post_id|comment_id>:<verb>:<item>`` for posts and comments;
* reactions and likes add the sender (and reaction type): many people react to one post;
* edits add a short hash of the new message, so a second, different edit is a new event
  while a redelivered edit is not.

A malformed change is reported in :attr:`WebhookBatch.rejected` with its JSON path and the
rest of the delivery is kept; a body that is not a page delivery at all raises
:class:`InvalidInput`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from socialreferral.channels._base import HandshakeReply, SecretLookup, WebhookChannel
from socialreferral.channels._parsing import (
    MAX_CHANGES_PER_DELIVERY,
    EntryRejected,
    EntrySkipped,
    RejectedItem,
    WebhookBatch,
    brief,
    dedupe,
    first_validation_error,
    ident,
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
from socialreferral.domain.social import EventKind, SocialEvent
from socialreferral.errors import InvalidInput, SignatureInvalid

NETWORK = "facebook"

_ITEM_KINDS: dict[str, EventKind] = {
    "status": EventKind.POST,
    "post": EventKind.POST,
    "photo": EventKind.POST,
    "video": EventKind.POST,
    "share": EventKind.SHARE,
    "comment": EventKind.COMMENT,
    "reaction": EventKind.LIKE,
    "like": EventKind.LIKE,
}
_VERBS = frozenset({"add", "edited", "edit", "remove", "hide", "unhide"})


def _feed_event(value: dict[str, Any], path: str, page_id: str, entry_time: Any) -> SocialEvent:
    item = value.get("item")
    if not isinstance(item, str) or not item:
        raise EntryRejected(f"{path}.item", "missing")
    kind = _ITEM_KINDS.get(item)
    if kind is None:
        raise EntrySkipped(f"{path}.item", f"item {brief(item)} is not handled")
    verb = value.get("verb")
    if not isinstance(verb, str) or verb not in _VERBS:  # a list or object is unhashable
        raise EntryRejected(f"{path}.verb", f"expected one of {sorted(_VERBS)}")
    sender = value.get("from")
    if not isinstance(sender, dict):
        raise EntryRejected(f"{path}.from", "missing sender")
    author_id = ident(sender.get("id"), f"{path}.from.id")
    assert author_id is not None
    author_name = sender.get("name") if isinstance(sender.get("name"), str) else None
    post_id = ident(
        value.get("post_id"), f"{path}.post_id", required=kind is not EventKind.COMMENT
    )
    comment_id = ident(
        value.get("comment_id"), f"{path}.comment_id", required=kind is EventKind.COMMENT
    )
    parent = ident(value.get("parent_id"), f"{path}.parent_id", required=False)
    message = value.get("message", "")
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise EntryRejected(f"{path}.message", "expected a string")
    reaction = value.get("reaction_type")
    reaction = reaction if isinstance(reaction, str) else None

    if "created_time" in value:
        try:
            created = parse_time(value["created_time"], f"{path}.created_time")
        except ValueError as exc:
            raise EntryRejected(f"{path}.created_time", str(exc).split(": ", 1)[-1]) from None
    elif entry_time is not None:
        try:
            created = parse_time(entry_time, "time")
        except ValueError:
            raise EntryRejected(f"{path}.created_time",
                                "missing, and entry time unusable") from None
    else:
        raise EntryRejected(f"{path}.created_time", "missing")

    if kind is EventKind.COMMENT:
        object_id, parent_id = comment_id, parent or post_id
    elif kind is EventKind.LIKE:
        object_id, parent_id = comment_id or post_id, comment_id or post_id
    else:
        object_id, parent_id = post_id, None
    event_id = f"{NETWORK}:{object_id}:{verb}:{item}"
    if kind is EventKind.LIKE:
        event_id += f":{author_id}" + (f":{reaction}" if reaction else "")
    if verb in ("edited", "edit") and kind is not EventKind.LIKE:
        event_id += ":" + hashlib.sha256(message.encode("utf-8", "surrogatepass")).hexdigest()[:12]

    extra = {
        k: v
        for k, v in {
            "verb": verb,
            "item": item,
            "post_id": post_id,
            "comment_id": comment_id,
            "reaction_type": reaction,
            "author_name": author_name,
        }.items()
        if v is not None
    }
    try:
        return SocialEvent(
            event_id=event_id,
            network=NETWORK,
            kind=kind,
            author_id=author_id,
            text=message,
            created_at=created,
            parent_id=parent_id,
            page_id=page_id,
            extra=extra,
        )
    except ValidationError as exc:
        raise first_validation_error(exc, path) from None


def parse_meta_webhook(raw_body: bytes) -> WebhookBatch:
    """Normalise a Meta ``page`` delivery; see the module docstring for the rules.

    Raises :class:`InvalidInput` for a body that is not JSON (``body``), not a page
    delivery (``object``), has no entry list (``entry``) or carries more than
    :data:`MAX_CHANGES_PER_DELIVERY` changes (``entry``).
    """
    data = load_json_object(raw_body)
    if data.get("object") != "page":
        raise InvalidInput('expected "page" deliveries only', field="object")
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise InvalidInput("expected a list of entries", field="entry")
    total = len(entries) + sum(
        len(e["changes"])
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("changes"), list)
    )
    # Entries count too, so a delivery of a million empty entries is refused as well.
    if total - len(entries) > MAX_CHANGES_PER_DELIVERY or len(entries) > MAX_CHANGES_PER_DELIVERY:
        raise InvalidInput(
            f"more than {MAX_CHANGES_PER_DELIVERY} changes in one delivery", field="entry"
        )
    events: list[SocialEvent] = []
    rejected: list[RejectedItem] = []
    skipped: list[RejectedItem] = []
    for i, entry in enumerate(entries):
        path = f"entry[{i}]"
        if not isinstance(entry, dict):
            rejected.append(RejectedItem(path=path, reason="expected an object"))
            continue
        try:
            page_id = ident(entry.get("id"), f"{path}.id")
            assert page_id is not None
        except EntryRejected as bad:
            rejected.append(RejectedItem(path=bad.path, reason=bad.reason))
            continue
        changes = entry.get("changes")
        if changes is None and "messaging" in entry:
            skipped.append(RejectedItem(path=f"{path}.messaging", reason="messaging not handled"))
            continue
        if not isinstance(changes, list):
            rejected.append(RejectedItem(path=f"{path}.changes", reason="expected a list"))
            continue
        for j, change in enumerate(changes):
            cpath = f"{path}.changes[{j}]"
            if not isinstance(change, dict):
                rejected.append(RejectedItem(path=cpath, reason="expected an object"))
                continue
            if change.get("field") != "feed":
                reason = f"field {brief(change.get('field'))} not handled"
                skipped.append(RejectedItem(path=f"{cpath}.field", reason=reason))
                continue
            value = change.get("value")
            if not isinstance(value, dict):
                rejected.append(RejectedItem(path=f"{cpath}.value", reason="expected an object"))
                continue
            try:
                events.append(_feed_event(value, f"{cpath}.value", page_id, entry.get("time")))
            except EntrySkipped as skip:
                skipped.append(RejectedItem(path=skip.path, reason=skip.reason))
            except EntryRejected as bad:
                rejected.append(RejectedItem(path=bad.path, reason=bad.reason))
    return WebhookBatch(events=dedupe(events), rejected=tuple(rejected), skipped=tuple(skipped))


SIGNATURE_HEADER = "X-Hub-Signature-256"
APP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "meta-verify-token"


def verify_meta_signature(raw_body: bytes, headers: Mapping[str, str],
                          app_secret: str | bytes) -> None:
    """Raise ``SignatureInvalid`` unless ``X-Hub-Signature-256`` (``sha256=<hex HMAC>``)
    signs ``raw_body`` with the app secret."""
    given = hex_digest(prefixed(header(headers, SIGNATURE_HEADER), "sha256=",
                                SIGNATURE_HEADER), SIGNATURE_HEADER)
    check_digest(hmac_sha256(app_secret, raw_body), given, SIGNATURE_HEADER)


def meta_handshake(query: Mapping[str, str], verify_token: str) -> str:
    """The body to answer Meta's subscription GET with: the echoed ``hub.challenge``.

    ``SignatureInvalid`` (naming the parameter) if the mode is not ``subscribe``, the
    challenge is missing or malformed, or the verify token does not match (compared in
    constant time).
    """
    if not verify_token:
        raise InvalidInput("verify token is empty", field="verify_token")
    if query.get("hub.mode") != "subscribe":
        raise SignatureInvalid("expected hub.mode=subscribe", field="hub.mode")
    challenge = query.get("hub.challenge")
    if not challenge:
        raise SignatureInvalid("challenge missing", field="hub.challenge")
    # The challenge is echoed verbatim: keep it short and printable so the echo cannot
    # carry markup or header injection (the web layer also answers text/plain).
    if len(challenge) > 256 or not challenge.isprintable() or "<" in challenge:
        raise SignatureInvalid("challenge malformed", field="hub.challenge")
    given = query.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                               verify_token.encode("utf-8")):
        raise SignatureInvalid("verify token does not match", field="hub.verify_token")
    return challenge


class MetaChannel(WebhookChannel):
    """Facebook Pages (and Instagram, which signs the same way): ``feed`` changes.

    Secrets: ``meta-app-secret`` (the app secret deliveries are signed with) and
    ``meta-verify-token`` (the token chosen when subscribing the webhook).
    """

    name = "meta"
    network = NETWORK
    signing_secret = APP_SECRET
    secret_names = (APP_SECRET, VERIFY_TOKEN)

    def verify(self, raw_body: bytes, headers: Mapping[str, str], secret: str) -> None:
        """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>``."""
        verify_meta_signature(raw_body, headers, secret)

    def parse(self, raw_body: bytes) -> WebhookBatch:
        """Normalise a ``page`` delivery (module docstring)."""
        return parse_meta_webhook(raw_body)

    def handshake(self, query: Mapping[str, str], secret: SecretLookup) -> HandshakeReply:
        """Echo ``hub.challenge`` when ``hub.verify_token`` matches (text/plain)."""
        return HandshakeReply(meta_handshake(query, secret(VERIFY_TOKEN)))


__all__ = [
    "APP_SECRET",
    "NETWORK",
    "SIGNATURE_HEADER",
    "VERIFY_TOKEN",
    "MetaChannel",
    "meta_handshake",
    "parse_meta_webhook",
    "verify_meta_signature",
]
