"""LinkedIn webhooks: endpoint validation (challenge), signature, organization social actions.

=================================  ===========================================================
POST header                        ``X-LI-Signature: <hex HMAC-SHA256(client_secret,
                                   "hmacsha256=" + raw body)>``
GET ``?challengeCode=…``           ``{"challengeCode": …, "challengeResponse": <hex
                                   HMAC-SHA256(client_secret, challengeCode)>}``
                                   (application/json, within 3 s; repeated every 2 hours)
secret                             ``linkedin-client-secret`` (the app's client secret)
=================================  ===========================================================

LinkedIn's webhook guide says the signature is computed "on the POST body prefixed by
``hmacsha256=``". Integrations in the wild read that two ways, so both are accepted: the
documented string-to-sign (``"hmacsha256=" + body``) and the bare body, and the header may
carry the digest alone or with an ``hmacsha256=`` prefix. Either way only the holder of
the client secret can produce a matching digest; each candidate is compared in constant
time.

Delivery shape (Organization Social Action Notifications, batched up to 10)::

    {"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS",
     "notifications": [{"notificationId": 5603453321,            # the de-duplication key
                        "action": "COMMENT",
                        "organizationalEntity": "urn:li:organization:96072893",
                        "sourcePost": "urn:li:activity:7094637247890620418",
                        "lastModifiedAt": 1691574506310,          # epoch milliseconds
                        "generatedActivity": "urn:li:comment:(…)",
                        "decoratedGeneratedActivity": {"comment": {
                            "owner": "urn:li:person:zLqTygBP8S", "text": "…",
                            "entity": "urn:li:comment:(…)", "object": "urn:li:activity:…"}},
                        "subscriber": "urn:li:person:…"}]}

Normalisation by ``action``:

==================================  ============  ========================================
action                              kind          author / parent
==================================  ============  ========================================
``COMMENT``, ``ADMIN_COMMENT``,     ``comment``   ``comment.owner`` / ``comment.object``
``COMMENT_EDIT``                                  (else ``sourcePost``)
``SHARE``                           ``share``     ``share.owner`` / ``sourcePost``
``SHARE_MENTION``                   ``post``      the mentioning post's owner / none
                                                  (``extra["mention"] = True``)
``LIKE``                            ``like``      the member, when the notification names
                                                  one / ``sourcePost``
``COMMENT_DELETE``, others          skipped
==================================  ============  ========================================

LinkedIn's notification schema names no liker, so a ``LIKE`` is normalised only when the
member can be read from ``actor``, a decorated activity's ``owner`` or a
``urn:li:like:(<member>,<object>)`` activity URN; otherwise it is *skipped* (not guessed:
attributing it to the page would corrupt every author-based score). The event id is
``linkedin:<notificationId>``, which LinkedIn documents as stable across its redeliveries
(every 5 minutes for 8 hours).
"""

from __future__ import annotations

import hmac
import json
import re
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
    event_time,
    first_validation_error,
    ident,
    load_json_object,
)
from socialreferral.channels._signatures import header, hex_digest, hmac_sha256
from socialreferral.domain.social import EventKind, SocialEvent
from socialreferral.errors import InvalidInput, SignatureInvalid

NETWORK = "linkedin"
SIGNATURE_HEADER = "X-LI-Signature"
CLIENT_SECRET = "linkedin-client-secret"
NOTIFICATION_TYPE = "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"
SIGNED_PREFIX = b"hmacsha256="
MAX_CHALLENGE_CHARS = 128

_KINDS: dict[str, EventKind] = {
    "COMMENT": EventKind.COMMENT,
    "ADMIN_COMMENT": EventKind.COMMENT,
    "COMMENT_EDIT": EventKind.COMMENT,
    "SHARE": EventKind.SHARE,
    "SHARE_MENTION": EventKind.POST,
    "LIKE": EventKind.LIKE,
}
_LIKE_URN = re.compile(r"^urn:li:like:\((urn:li:[a-zA-Z]+:[^,()]+),")


# --- signature and handshake ----------------------------------------------------------
def verify_linkedin_signature(raw_body: bytes, headers: Mapping[str, str],
                              client_secret: str | bytes) -> None:
    """Raise ``SignatureInvalid`` unless ``X-LI-Signature`` (hex HMAC) signs ``raw_body``
    (documented form ``"hmacsha256=" + body``, or the bare body; see the module docstring)."""
    value = header(headers, SIGNATURE_HEADER)
    if value.lower().startswith("hmacsha256="):
        value = value[len("hmacsha256="):]
    given = hex_digest(value, SIGNATURE_HEADER)
    documented = hmac_sha256(client_secret, SIGNED_PREFIX + raw_body)
    bare = hmac_sha256(client_secret, raw_body)
    # Both comparisons always run, so timing does not tell which form was tried.
    matches = [hmac.compare_digest(documented, given), hmac.compare_digest(bare, given)]
    if not any(matches):
        raise SignatureInvalid("signature does not match the body", field=SIGNATURE_HEADER)


def linkedin_challenge_response(challenge_code: str,
                                client_secret: str | bytes) -> dict[str, str]:
    """LinkedIn's endpoint validation: echo the code with its hex HMAC.

    ``InvalidInput(field="challengeCode")`` when the code is missing or longer than
    :data:`MAX_CHALLENGE_CHARS` (LinkedIn sends a UUID).
    """
    if not challenge_code:
        raise InvalidInput("challengeCode missing", field="challengeCode")
    if len(challenge_code) > MAX_CHALLENGE_CHARS:
        raise InvalidInput(f"longer than {MAX_CHALLENGE_CHARS} characters",
                           field="challengeCode")
    digest = hmac_sha256(client_secret, challenge_code.encode("utf-8", "surrogatepass"))
    return {"challengeCode": challenge_code, "challengeResponse": digest.hex()}


# --- normalisation --------------------------------------------------------------------
def _activity(notification: dict[str, Any], key: str, path: str,
              required: bool) -> dict[str, Any] | None:
    """``decoratedGeneratedActivity.<key>`` (``comment`` or ``share``)."""
    decorated = notification.get("decoratedGeneratedActivity")
    where = f"{path}.decoratedGeneratedActivity"
    if decorated is None:
        if required:
            raise EntryRejected(where, "missing")
        return None
    if not isinstance(decorated, dict):
        raise EntryRejected(where, "expected an object")
    activity = decorated.get(key)
    if activity is None:
        if required:
            raise EntryRejected(f"{where}.{key}", "missing")
        return None
    if not isinstance(activity, dict):
        raise EntryRejected(f"{where}.{key}", "expected an object")
    return activity


def _activity_text(activity: dict[str, Any], path: str) -> str:
    text = activity.get("text")
    where = f"{path}.text"
    if text is None and isinstance(activity.get("message"), dict):
        text, where = activity["message"].get("text"), f"{path}.message.text"
    if text is None:
        return ""
    if not isinstance(text, str):
        raise EntryRejected(where, "expected a string")
    return text


def _liker(notification: dict[str, Any], path: str) -> str:
    actor = ident(notification.get("actor"), f"{path}.actor", required=False)
    if actor is not None:
        return actor
    decorated = notification.get("decoratedGeneratedActivity")
    if isinstance(decorated, dict):
        for activity in decorated.values():
            if isinstance(activity, dict) and activity.get("owner") is not None:
                owner = ident(activity.get("owner"), f"{path}.decoratedGeneratedActivity",
                              required=False)
                if owner is not None:
                    return owner
    generated = notification.get("generatedActivity")
    match = _LIKE_URN.match(generated) if isinstance(generated, str) else None
    if match is not None:
        return match.group(1)
    raise EntrySkipped(f"{path}.action", "LIKE names no member")


def _notification_event(notification: dict[str, Any], path: str) -> SocialEvent:
    action = notification.get("action")
    if not isinstance(action, str) or not action:
        raise EntryRejected(f"{path}.action", "missing")
    notification_id = ident(notification.get("notificationId"), f"{path}.notificationId")
    kind = _KINDS.get(action)
    if kind is None:
        raise EntrySkipped(f"{path}.action", f"action {brief(action)} is not handled")
    organization = ident(notification.get("organizationalEntity"),
                         f"{path}.organizationalEntity")
    if "lastModifiedAt" not in notification:
        raise EntryRejected(f"{path}.lastModifiedAt", "missing")
    created = event_time(notification["lastModifiedAt"], f"{path}.lastModifiedAt",
                         milliseconds=True)
    source_post = ident(notification.get("sourcePost"), f"{path}.sourcePost", required=False)
    generated = ident(notification.get("generatedActivity"), f"{path}.generatedActivity",
                      required=False)
    extra: dict[str, Any] = {"action": action, "notification_id": notification_id}
    activity_path = f"{path}.decoratedGeneratedActivity"
    text, parent = "", source_post
    if kind is EventKind.COMMENT:
        comment = _activity(notification, "comment", path, required=True)
        assert comment is not None
        author = ident(comment.get("owner"), f"{activity_path}.comment.owner")
        text = _activity_text(comment, f"{activity_path}.comment")
        parent = ident(comment.get("object"), f"{activity_path}.comment.object",
                       required=False) or source_post
        generated = ident(comment.get("entity"), f"{activity_path}.comment.entity",
                          required=False) or generated
    elif kind is EventKind.SHARE:
        share = _activity(notification, "share", path, required=True)
        assert share is not None
        author = ident(share.get("owner"), f"{activity_path}.share.owner")
        text = _activity_text(share, f"{activity_path}.share")
    elif kind is EventKind.POST:  # SHARE_MENTION: a member's post that names the page
        mention = _activity(notification, "share", path, required=False)
        where = f"{activity_path}.share"
        if mention is None:
            decorated_source = notification.get("decoratedSourcePost")
            if not isinstance(decorated_source, dict):
                raise EntryRejected(f"{path}.decoratedSourcePost", "missing")
            mention, where = decorated_source, f"{path}.decoratedSourcePost"
        author = ident(mention.get("owner"), f"{where}.owner")
        text = _activity_text(mention, where)
        parent = None
        extra["mention"] = True
    else:
        author = _liker(notification, path)
    if source_post is not None:
        extra["source_post"] = source_post
    if generated is not None:
        extra["activity"] = generated
    try:
        return SocialEvent(event_id=f"{NETWORK}:{notification_id}", network=NETWORK,
                           kind=kind, author_id=author or "", text=text, created_at=created,
                           parent_id=parent, page_id=organization, extra=extra)
    except ValidationError as exc:
        raise first_validation_error(exc, path) from None


def parse_linkedin_webhook(raw_body: bytes) -> WebhookBatch:
    """Normalise an organization social action delivery (module docstring).

    Raises :class:`InvalidInput` for a body that is not a JSON object (``body``), of
    another ``type`` (``type``), without a notification list or with more than
    :data:`MAX_CHANGES_PER_DELIVERY` notifications (``notifications``).
    """
    data = load_json_object(raw_body)
    if data.get("type") != NOTIFICATION_TYPE:
        raise InvalidInput(f'expected "{NOTIFICATION_TYPE}" deliveries only', field="type")
    notifications = data.get("notifications")
    if not isinstance(notifications, list):
        raise InvalidInput("expected a list of notifications", field="notifications")
    if len(notifications) > MAX_CHANGES_PER_DELIVERY:
        raise InvalidInput(f"more than {MAX_CHANGES_PER_DELIVERY} notifications in one "
                           "delivery", field="notifications")
    events: list[SocialEvent] = []
    rejected: list[RejectedItem] = []
    skipped: list[RejectedItem] = []
    for i, notification in enumerate(notifications):
        path = f"notifications[{i}]"
        if not isinstance(notification, dict):
            rejected.append(RejectedItem(path=path, reason="expected an object"))
            continue
        try:
            events.append(_notification_event(notification, path))
        except EntrySkipped as skip:
            skipped.append(skip.item())
        except EntryRejected as bad:
            rejected.append(bad.item())
    return WebhookBatch(events=dedupe(events), rejected=tuple(rejected), skipped=tuple(skipped))


class LinkedInChannel(WebhookChannel):
    """LinkedIn Company Pages: comments, shares, mentions and (attributable) likes."""

    name = "linkedin"
    network = NETWORK
    signing_secret = CLIENT_SECRET
    secret_names = (CLIENT_SECRET,)

    def verify(self, raw_body: bytes, headers: Mapping[str, str], secret: str) -> None:
        """``X-LI-Signature``: hex HMAC-SHA256 of the body (module docstring)."""
        verify_linkedin_signature(raw_body, headers, secret)

    def parse(self, raw_body: bytes) -> WebhookBatch:
        """Normalise an organization social action delivery (module docstring)."""
        return parse_linkedin_webhook(raw_body)

    def handshake(self, query: Mapping[str, str], secret: SecretLookup) -> HandshakeReply:
        """Endpoint validation: ``{"challengeCode", "challengeResponse"}`` (JSON)."""
        answer = linkedin_challenge_response(query.get("challengeCode", ""),
                                             secret(CLIENT_SECRET))
        return HandshakeReply(json.dumps(answer), media_type="application/json")


__all__ = [
    "CLIENT_SECRET",
    "NETWORK",
    "NOTIFICATION_TYPE",
    "SIGNATURE_HEADER",
    "LinkedInChannel",
    "linkedin_challenge_response",
    "parse_linkedin_webhook",
    "verify_linkedin_signature",
]
