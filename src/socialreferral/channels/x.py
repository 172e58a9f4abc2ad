"""X (Twitter) Account Activity API webhooks: CRC handshake, signature, normalisation.

=================================  ===========================================================
POST header                        ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(
                                   consumer_secret, raw body)>``
GET ``?crc_token=…``               ``{"response_token": "sha256=<base64 HMAC-SHA256(
                                   consumer_secret, crc_token)>"}`` (application/json)
secret                             ``x-consumer-secret`` (the app's consumer secret)
=================================  ===========================================================

Delivery shape (Account Activity API; a v1.1 Tweet object per entry)::

    {"for_user_id": "2244994945",               # the subscribed account
     "tweet_create_events": [{"id_str": "1924465506158878979",
                              "created_at": "Mon May 19 14:01:46 +0000 2025",
                              "text": "...", "extended_tweet": {"full_text": "..."},
                              "in_reply_to_status_id_str": "...",   # a reply
                              "quoted_status_id_str": "...",        # a quote
                              "retweeted_status": {...},            # a retweet
                              "user": {"id_str": "...", "screen_name": "...",
                                       "followers_count": 12, ...}}],
     "favorite_events": [{"id": "a7ba59…", "created_at": "…", "timestamp_ms": 1522082006140,
                          "favorited_status": {<Tweet>}, "user": {<User>}}]}

Normalisation:

* ``tweet_create_events``: a retweet or a quote is a ``share`` of the original (its id is
  the parent), a reply is a ``comment`` whose parent is ``in_reply_to_status_id_str``, any
  other tweet a ``post``. Long posts carry their full text in ``extended_tweet.full_text``.
* ``favorite_events``: a ``like`` by ``user`` whose parent is the liked tweet.
* Every other event list (follows, blocks, mutes, direct messages, deletes, revokes, replay
  status) is reported in :attr:`WebhookBatch.skipped`.
* The author's public metrics (followers, friends, listed and statuses counts, screen name,
  the free-text location, the account's ``created_at`` as ``account_created_at``) and the
  tweet's engagement counts when present (``retweet_count``, ``favorite_count``,
  ``quote_count``, ``reply_count``) are kept in ``SocialEvent.extra``: the influence and
  care features score authors by them.

Event ids are stable across redeliveries (X retries, replays and double-delivers to two
subscribed users): ``x:<tweet id>:tweet`` for tweets, ``x:<tweet id>:like:<user id>`` for
likes — so the receiver's de-duplication drops the copies. Numeric ``id`` fields are never
used: X's 64-bit ids lose precision as JSON numbers, only ``id_str`` is exact.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import ValidationError

from socialreferral.channels._base import HandshakeReply, SecretLookup, WebhookChannel
from socialreferral.channels._parsing import (
    MAX_CHANGES_PER_DELIVERY,
    EntryRejected,
    RejectedItem,
    WebhookBatch,
    dedupe,
    event_time,
    first_validation_error,
    ident,
    load_json_object,
)
from socialreferral.channels._signatures import (
    base64_digest,
    check_digest,
    header,
    hmac_sha256,
    prefixed,
)
from socialreferral.domain.social import EventKind, SocialEvent
from socialreferral.errors import InvalidInput

NETWORK = "x"
SIGNATURE_HEADER = "x-twitter-webhooks-signature"
CONSUMER_SECRET = "x-consumer-secret"
MAX_CRC_TOKEN_CHARS = 256
MAX_LOCATION_CHARS = 200

_HANDLED = ("tweet_create_events", "favorite_events")
# Top-level keys that describe the delivery rather than carry events.
_METADATA = frozenset({"for_user_id", "user_has_blocked", "is_blocked_by", "users", "apps",
                       "source", "target"})
_USER_COUNTS = ("followers_count", "friends_count", "listed_count", "statuses_count")
# Engagement the tweet had when delivered (influence's Resonance); absent ones are skipped.
_TWEET_COUNTS = ("retweet_count", "favorite_count", "quote_count", "reply_count")
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
# "Mon May 19 14:01:46 +0000 2025", parsed by hand: strptime's %a/%b follow the locale.
_X_TIME = re.compile(
    r"^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$")


# --- signature and handshake ----------------------------------------------------------
def verify_x_signature(raw_body: bytes, headers: Mapping[str, str],
                       consumer_secret: str | bytes) -> None:
    """Raise ``SignatureInvalid`` unless ``x-twitter-webhooks-signature`` signs ``raw_body``."""
    encoded = prefixed(header(headers, SIGNATURE_HEADER), "sha256=", SIGNATURE_HEADER)
    check_digest(hmac_sha256(consumer_secret, raw_body),
                 base64_digest(encoded, SIGNATURE_HEADER), SIGNATURE_HEADER)


def x_crc_response(crc_token: str, consumer_secret: str | bytes) -> dict[str, str]:
    """X's challenge-response check: ``{"response_token": "sha256=<base64 HMAC>"}``.

    ``InvalidInput(field="crc_token")`` when the token is missing or longer than
    :data:`MAX_CRC_TOKEN_CHARS` (X's tokens are short; a long one is not X).
    """
    if not crc_token:
        raise InvalidInput("crc_token missing", field="crc_token")
    if len(crc_token) > MAX_CRC_TOKEN_CHARS:
        raise InvalidInput(f"longer than {MAX_CRC_TOKEN_CHARS} characters", field="crc_token")
    digest = hmac_sha256(consumer_secret, crc_token.encode("utf-8", "surrogatepass"))
    return {"response_token": "sha256=" + base64.b64encode(digest).decode("ascii")}


# --- normalisation --------------------------------------------------------------------
def _x_time(value: Any, path: str) -> datetime:
    """X's ``created_at`` ("Mon May 19 14:01:46 +0000 2025")."""
    match = _X_TIME.match(value) if isinstance(value, str) else None
    month = _MONTHS.get(match.group(1)) if match else None
    if match is None or month is None:
        raise EntryRejected(path, "not an X time (like 'Mon May 19 14:01:46 +0000 2025')")
    _, day, hour, minute, second, sign, off_h, off_m, year = match.groups()
    offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (1 if sign == "+" else -1)
    try:
        return datetime(int(year), month, int(day), int(hour), int(minute), int(second),
                        tzinfo=timezone(offset))
    except ValueError:
        raise EntryRejected(path, "not a valid date") from None


def _created(item: dict[str, Any], path: str) -> datetime:
    if "created_at" in item:
        return _x_time(item["created_at"], f"{path}.created_at")
    if "timestamp_ms" in item:
        return event_time(item["timestamp_ms"], f"{path}.timestamp_ms", milliseconds=True)
    raise EntryRejected(f"{path}.created_at", "missing")


def _tweet_id(tweet: dict[str, Any], path: str) -> str:
    tweet_id = ident(tweet.get("id_str"), f"{path}.id_str")
    assert tweet_id is not None
    return tweet_id


def _user(value: Any, path: str) -> tuple[str, dict[str, Any]]:
    """The user's id and the public facts the influence/care features use."""
    if not isinstance(value, dict):
        raise EntryRejected(path, "missing user object")
    user_id = ident(value.get("id_str"), f"{path}.id_str")
    assert user_id is not None
    facts: dict[str, Any] = {}
    for key in _USER_COUNTS:
        count = value.get(key)
        if count is None:
            continue
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise EntryRejected(f"{path}.{key}", "expected a non-negative integer")
        facts[key] = count
    for key, target, limit in (("screen_name", "screen_name", 50),
                               ("name", "author_name", 100),
                               ("location", "location", MAX_LOCATION_CHARS)):
        text = value.get(key)
        if text is None:
            continue
        if not isinstance(text, str):
            raise EntryRejected(f"{path}.{key}", "expected a string")
        if text.strip():
            facts[target] = text.strip()[:limit]
    if isinstance(value.get("verified"), bool):
        facts["verified"] = value["verified"]
    created = value.get("created_at")
    if isinstance(created, str):
        # Optional and only informative (the account's age turns its post counter into
        # posts per day): an unreadable one is left out rather than failing the event.
        with contextlib.suppress(EntryRejected):
            facts["account_created_at"] = _x_time(created, f"{path}.created_at").isoformat()
    return user_id, facts


def _text(tweet: dict[str, Any], path: str) -> str:
    extended = tweet.get("extended_tweet")
    if isinstance(extended, dict) and "full_text" in extended:
        text, where = extended["full_text"], f"{path}.extended_tweet.full_text"
    elif "full_text" in tweet:
        text, where = tweet["full_text"], f"{path}.full_text"
    else:
        text, where = tweet.get("text", ""), f"{path}.text"
    if text is None:
        return ""
    if not isinstance(text, str):
        raise EntryRejected(where, "expected a string")
    return text


def _optional_id(tweet: dict[str, Any], key: str, path: str) -> str | None:
    return ident(tweet.get(key), f"{path}.{key}", required=False)


def _tweet_event(tweet: dict[str, Any], path: str, for_user: str | None) -> SocialEvent:
    tweet_id = _tweet_id(tweet, path)
    author_id, facts = _user(tweet.get("user"), f"{path}.user")
    text = _text(tweet, path)
    created = _created(tweet, path)
    extra: dict[str, Any] = {"tweet_id": tweet_id, **facts}
    retweeted = tweet.get("retweeted_status")
    reply_to = _optional_id(tweet, "in_reply_to_status_id_str", path)
    quoted = _optional_id(tweet, "quoted_status_id_str", path)
    if retweeted is not None:
        if not isinstance(retweeted, dict):
            raise EntryRejected(f"{path}.retweeted_status", "expected a Tweet object")
        kind, parent = EventKind.SHARE, _tweet_id(retweeted, f"{path}.retweeted_status")
        extra["share"] = "retweet"
    elif reply_to is not None:
        # A reply keeps its thread (care's root tracing) even when it also quotes a tweet.
        kind, parent = EventKind.COMMENT, reply_to
        reply_user = _optional_id(tweet, "in_reply_to_user_id_str", path)
        if reply_user is not None:
            extra["in_reply_to_user_id"] = reply_user
    elif quoted is not None:
        kind, parent = EventKind.SHARE, quoted
        extra["share"] = "quote"
    else:
        kind, parent = EventKind.POST, None
    if quoted is not None:
        extra["quoted_status_id"] = quoted
    lang = tweet.get("lang")
    if isinstance(lang, str) and 0 < len(lang) <= 16:
        extra["lang"] = lang
    for key in _TWEET_COUNTS:
        count = tweet.get(key)
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            extra[key] = count
    if for_user is not None:
        extra["for_user_id"] = for_user
    try:
        return SocialEvent(event_id=f"{NETWORK}:{tweet_id}:tweet", network=NETWORK, kind=kind,
                           author_id=author_id, text=text, created_at=created,
                           parent_id=parent, page_id=for_user, extra=extra)
    except ValidationError as exc:
        raise first_validation_error(exc, path) from None


def _favorite_event(item: dict[str, Any], path: str, for_user: str | None) -> SocialEvent:
    liker_id, facts = _user(item.get("user"), f"{path}.user")
    liked = item.get("favorited_status")
    if not isinstance(liked, dict):
        raise EntryRejected(f"{path}.favorited_status", "missing Tweet object")
    liked_id = _tweet_id(liked, f"{path}.favorited_status")
    created = _created(item, path)
    extra: dict[str, Any] = {"tweet_id": liked_id, **facts}
    favorite_id = ident(item.get("id"), f"{path}.id", required=False)
    if favorite_id is not None:
        extra["favorite_id"] = favorite_id
    liked_user = liked.get("user")
    if isinstance(liked_user, dict):
        owner = ident(liked_user.get("id_str"), f"{path}.favorited_status.user.id_str",
                      required=False)
        if owner is not None:
            extra["parent_author_id"] = owner
    if for_user is not None:
        extra["for_user_id"] = for_user
    try:
        return SocialEvent(event_id=f"{NETWORK}:{liked_id}:like:{liker_id}", network=NETWORK,
                           kind=EventKind.LIKE, author_id=liker_id, created_at=created,
                           parent_id=liked_id, page_id=for_user, extra=extra)
    except ValidationError as exc:
        raise first_validation_error(exc, path) from None


def parse_x_webhook(raw_body: bytes) -> WebhookBatch:
    """Normalise an Account Activity delivery (rules in the module docstring).

    Raises :class:`InvalidInput` for a body that is not a JSON object (``body``), carries
    no Account Activity key at all (``body``), an event list that is not a list (its key),
    or more than :data:`MAX_CHANGES_PER_DELIVERY` events (``body``).
    """
    data = load_json_object(raw_body)
    event_keys = [k for k in data if k.endswith("_events") or k in ("user_event",
                                                                        "replay_job_status")]
    if not event_keys and "for_user_id" not in data:
        raise InvalidInput("not an Account Activity delivery (no *_events key)", field="body")
    for_user = None
    try:
        for_user = ident(data.get("for_user_id"), "for_user_id", required=False)
    except EntryRejected as bad:
        raise InvalidInput(bad.reason, field=bad.path) from None
    total = 0
    for key in _HANDLED:
        if key in data:
            if not isinstance(data[key], list):
                raise InvalidInput("expected a list of events", field=key)
            total += len(data[key])
    if total > MAX_CHANGES_PER_DELIVERY:
        raise InvalidInput(f"more than {MAX_CHANGES_PER_DELIVERY} events in one delivery",
                           field="body")
    events: list[SocialEvent] = []
    rejected: list[RejectedItem] = []
    skipped = [RejectedItem(path=key[:64], reason="event type not handled")
               for key in data if key not in _HANDLED and key not in _METADATA]
    for key, build in (("tweet_create_events", _tweet_event),
                       ("favorite_events", _favorite_event)):
        for i, item in enumerate(data.get(key) or ()):
            path = f"{key}[{i}]"
            if not isinstance(item, dict):
                rejected.append(RejectedItem(path=path, reason="expected an object"))
                continue
            try:
                events.append(build(item, path, for_user))
            except EntryRejected as bad:
                rejected.append(bad.item())
    return WebhookBatch(events=dedupe(events), rejected=tuple(rejected), skipped=tuple(skipped))


class XChannel(WebhookChannel):
    """X Account Activity API: tweets (posts, replies, quotes, retweets) and likes."""

    name = "x"
    network = NETWORK
    signing_secret = CONSUMER_SECRET
    secret_names = (CONSUMER_SECRET,)

    def verify(self, raw_body: bytes, headers: Mapping[str, str], secret: str) -> None:
        """``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(secret, body)>``."""
        verify_x_signature(raw_body, headers, secret)

    def parse(self, raw_body: bytes) -> WebhookBatch:
        """Normalise an Account Activity delivery (module docstring)."""
        return parse_x_webhook(raw_body)

    def handshake(self, query: Mapping[str, str], secret: SecretLookup) -> HandshakeReply:
        """The CRC check: ``{"response_token": "sha256=<base64 HMAC of crc_token>"}``."""
        answer = x_crc_response(query.get("crc_token", ""), secret(CONSUMER_SECRET))
        return HandshakeReply(json.dumps(answer), media_type="application/json")


__all__ = [
    "CONSUMER_SECRET",
    "NETWORK",
    "SIGNATURE_HEADER",
    "XChannel",
    "parse_x_webhook",
    "verify_x_signature",
    "x_crc_response",
]
