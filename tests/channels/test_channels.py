"""Webhook channels: signatures, handshakes, normalisation (Meta, X, LinkedIn, generic)
and the channel registry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from socialreferral.channels import MAX_CHANGES_PER_DELIVERY
from socialreferral.channels.generic import parse_generic_webhook
from socialreferral.channels.linkedin import (
    linkedin_challenge_response,
    verify_linkedin_signature,
)
from socialreferral.channels.meta import meta_handshake, parse_meta_webhook, verify_meta_signature
from socialreferral.channels.x import verify_x_signature, x_crc_response
from socialreferral.domain.social import EventKind
from socialreferral.errors import InvalidInput, SignatureInvalid, UnknownChannel
from socialreferral.plugins import load_registry

SECRET = b"app-secret-0123456789"
BODY = b'{"object":"page","entry":[]}'


def _hex(body: bytes, secret: bytes = SECRET) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def _b64(body: bytes, secret: bytes = SECRET) -> str:
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


# --- signatures ---------------------------------------------------------------------------
class TestMetaSignature:
    def test_good_signature_accepted_with_any_header_case(self) -> None:
        verify_meta_signature(BODY, {"x-hub-signature-256": "sha256=" + _hex(BODY)}, SECRET)
        verify_meta_signature(BODY, {"X-HUB-SIGNATURE-256": "sha256=" + _hex(BODY)}, SECRET)

    def test_secret_may_be_text(self) -> None:
        verify_meta_signature(
            BODY, {"X-Hub-Signature-256": "sha256=" + _hex(BODY)}, SECRET.decode()
        )

    def test_forged_signature_rejected(self) -> None:
        forged = "sha256=" + _hex(BODY, b"wrong-secret-xxxxxxxx")
        with pytest.raises(SignatureInvalid, match="does not match") as info:
            verify_meta_signature(BODY, {"X-Hub-Signature-256": forged}, SECRET)
        assert info.value.field == "X-Hub-Signature-256"

    def test_tampered_body_rejected(self) -> None:
        header = {"X-Hub-Signature-256": "sha256=" + _hex(BODY)}
        with pytest.raises(SignatureInvalid):
            verify_meta_signature(BODY + b" ", header, SECRET)

    def test_missing_header_names_the_header(self) -> None:
        with pytest.raises(SignatureInvalid, match="missing") as info:
            verify_meta_signature(BODY, {"X-Hub-Signature": "sha1=abc"}, SECRET)
        assert info.value.field == "X-Hub-Signature-256"

    @pytest.mark.parametrize("value", ["", _hex(BODY), "sha256=zz", "sha1=" + _hex(BODY)])
    def test_malformed_header_rejected(self, value: str) -> None:
        with pytest.raises(SignatureInvalid) as info:
            verify_meta_signature(BODY, {"X-Hub-Signature-256": value}, SECRET)
        assert info.value.field == "X-Hub-Signature-256"

    def test_empty_secret_refused(self) -> None:
        with pytest.raises(InvalidInput):
            verify_meta_signature(BODY, {"X-Hub-Signature-256": "sha256=" + _hex(BODY)}, b"")


class TestXSignature:
    def test_good_signature_accepted(self) -> None:
        verify_x_signature(BODY, {"X-Twitter-Webhooks-Signature": "sha256=" + _b64(BODY)}, SECRET)

    def test_forged_signature_rejected(self) -> None:
        forged = "sha256=" + _b64(BODY, b"another-secret-xxxxx")
        with pytest.raises(SignatureInvalid) as info:
            verify_x_signature(BODY, {"x-twitter-webhooks-signature": forged}, SECRET)
        assert info.value.field == "x-twitter-webhooks-signature"

    def test_hex_instead_of_base64_rejected(self) -> None:
        with pytest.raises(SignatureInvalid):
            verify_x_signature(
                BODY, {"x-twitter-webhooks-signature": "sha256=" + _hex(BODY)}, SECRET
            )

    def test_missing_header(self) -> None:
        with pytest.raises(SignatureInvalid, match="missing"):
            verify_x_signature(BODY, {}, SECRET)


class TestLinkedInSignature:
    def test_good_signature_accepted_bare_or_prefixed(self) -> None:
        verify_linkedin_signature(BODY, {"X-LI-Signature": _hex(BODY)}, SECRET)
        verify_linkedin_signature(BODY, {"x-li-signature": "hmacsha256=" + _hex(BODY)}, SECRET)

    def test_forged_signature_rejected(self) -> None:
        with pytest.raises(SignatureInvalid) as info:
            verify_linkedin_signature(BODY, {"X-LI-Signature": _hex(b"other")}, SECRET)
        assert info.value.field == "X-LI-Signature"

    def test_missing_header(self) -> None:
        with pytest.raises(SignatureInvalid, match="X-LI-Signature"):
            verify_linkedin_signature(BODY, {"X-Hub-Signature-256": "x"}, SECRET)


def test_registry_finds_each_channel_by_name() -> None:
    registry = load_registry(env={"SOCIALREFERRAL_PLUGINS": "local"})
    secret = SECRET.decode()
    registry.channel("meta").verify(BODY, {"X-Hub-Signature-256": "sha256=" + _hex(BODY)},
                                    secret)
    registry.channel("generic").verify(BODY, {"X-Hub-Signature-256": "sha256=" + _hex(BODY)},
                                       secret)
    with pytest.raises(SignatureInvalid):
        # Each channel checks its own scheme: a forged digest fails whatever the header.
        registry.channel("meta").verify(BODY, {"X-Hub-Signature-256": "sha256=" + _hex(b"x")},
                                        secret)
    with pytest.raises(UnknownChannel, match="myspace"):
        registry.channel("myspace")


# --- handshakes ---------------------------------------------------------------------------
class TestHandshakes:
    def test_meta_echoes_challenge_when_token_matches(self) -> None:
        query = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
        assert meta_handshake(query, "tok") == "1158201444"

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            (
                {"hub.mode": "subscribe", "hub.verify_token": "bad", "hub.challenge": "1"},
                "hub.verify_token",
            ),
            ({"hub.mode": "subscribe", "hub.challenge": "1"}, "hub.verify_token"),
            (
                {"hub.mode": "unsubscribe", "hub.verify_token": "tok", "hub.challenge": "1"},
                "hub.mode",
            ),
            ({"hub.mode": "subscribe", "hub.verify_token": "tok"}, "hub.challenge"),
            (
                {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "<b>x"},
                "hub.challenge",
            ),
        ],
    )
    def test_meta_refuses(self, query: dict[str, str], field: str) -> None:
        with pytest.raises(SignatureInvalid) as info:
            meta_handshake(query, "tok")
        assert info.value.field == field

    def test_x_crc_response(self) -> None:
        answer = x_crc_response("crc-123", SECRET)
        expected = base64.b64encode(hmac.new(SECRET, b"crc-123", hashlib.sha256).digest()).decode()
        assert answer == {"response_token": "sha256=" + expected}

    def test_linkedin_challenge_response(self) -> None:
        answer = linkedin_challenge_response("f4c7a2f6-uuid", SECRET)
        assert answer == {
            "challengeCode": "f4c7a2f6-uuid",
            "challengeResponse": hmac.new(SECRET, b"f4c7a2f6-uuid", hashlib.sha256).hexdigest(),
        }

    def test_empty_challenges_refused(self) -> None:
        with pytest.raises(InvalidInput):
            x_crc_response("", SECRET)
        with pytest.raises(InvalidInput):
            linkedin_challenge_response("", SECRET)


# --- Meta normalisation -------------------------------------------------------------------
def _change(**value: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "item": "status",
        "verb": "add",
        "post_id": "100_200",
        "from": {"id": "42", "name": "Ann"},
        "message": "Looking for a car loan",
        "created_time": 1_700_000_000,
    }
    base.update(value)
    return {"field": "feed", "value": {k: v for k, v in base.items() if v is not None}}


def _delivery(*entries: list[dict[str, Any]]) -> bytes:
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {"id": "100", "time": 1_700_000_100, "changes": changes} for changes in entries
            ],
        }
    ).encode()


class TestMetaParsing:
    def test_post_comment_and_reaction_normalised(self) -> None:
        body = _delivery(
            [
                _change(),
                _change(
                    item="comment",
                    comment_id="200_300",
                    parent_id="100_200",
                    message="any good ones?",
                    **{"from": {"id": "43"}},
                ),
                _change(
                    item="reaction", reaction_type="like", message=None, **{"from": {"id": "44"}}
                ),
            ]
        )
        batch = parse_meta_webhook(body)
        assert batch.rejected == ()
        post, comment, reaction = batch.events
        assert (post.kind, post.author_id, post.text) == (
            EventKind.POST,
            "42",
            "Looking for a car loan",
        )
        assert post.event_id == "facebook:100_200:add:status"
        assert post.page_id == "100" and post.network == "facebook"
        assert post.created_at.timestamp() == 1_700_000_000
        assert comment.kind is EventKind.COMMENT and comment.parent_id == "100_200"
        assert comment.event_id == "facebook:200_300:add:comment"
        assert reaction.kind is EventKind.LIKE
        assert reaction.event_id == "facebook:100_200:add:reaction:44:like"

    def test_redelivery_gives_the_same_event_ids(self) -> None:
        body = _delivery([_change(), _change(item="comment", comment_id="200_300")])
        assert parse_meta_webhook(body).event_ids == parse_meta_webhook(body).event_ids

    def test_reactions_of_different_people_are_different_events(self) -> None:
        body = _delivery(
            [
                _change(item="like", **{"from": {"id": "1"}}),
                _change(item="like", **{"from": {"id": "2"}}),
            ]
        )
        assert len(set(parse_meta_webhook(body).event_ids)) == 2

    def test_duplicates_in_one_delivery_are_dropped(self) -> None:
        batch = parse_meta_webhook(_delivery([_change(), _change()]))
        assert len(batch.events) == 1

    def test_different_edits_are_different_events(self) -> None:
        a = parse_meta_webhook(_delivery([_change(verb="edited", message="v1")]))
        b = parse_meta_webhook(_delivery([_change(verb="edited", message="v2")]))
        assert a.event_ids != b.event_ids

    def test_bad_entry_is_reported_and_good_ones_kept(self) -> None:
        body = _delivery(
            [_change(post_id="1_1")],
            [_change(post_id="2_1")],
            [_change(post_id="3_1"), _change(post_id="3_2", **{"from": {"name": "no id"}})],
        )
        batch = parse_meta_webhook(body)
        assert [e.extra["post_id"] for e in batch.events] == ["1_1", "2_1", "3_1"]
        assert [(r.path, r.reason) for r in batch.rejected] == [
            ("entry[2].changes[1].value.from.id", "missing")
        ]

    @pytest.mark.parametrize(
        ("change", "path"),
        [
            ("not an object", "entry[0].changes[0]"),
            ({"field": "feed", "value": []}, "entry[0].changes[0].value"),
            (_change(verb="explode"), "entry[0].changes[0].value.verb"),
            # An unhashable verb was a TypeError (found by the web property test).
            (_change(verb=["add"]), "entry[0].changes[0].value.verb"),
            (_change(verb={"a": 1}), "entry[0].changes[0].value.verb"),
            (_change(post_id=None), "entry[0].changes[0].value.post_id"),
            (_change(item="comment"), "entry[0].changes[0].value.comment_id"),
            (_change(message=123), "entry[0].changes[0].value.message"),
            (_change(created_time="yesterday"), "entry[0].changes[0].value.created_time"),
            (_change(**{"from": "Ann"}), "entry[0].changes[0].value.from"),
        ],
    )
    def test_rejection_paths(self, change: Any, path: str) -> None:
        batch = parse_meta_webhook(_delivery([change]))
        assert batch.events == ()
        assert [r.path for r in batch.rejected] == [path]

    def test_entry_level_problems(self) -> None:
        body = json.dumps(
            {
                "object": "page",
                "entry": [
                    "x",
                    {"time": 1},
                    {"id": "1", "changes": {}},
                    {"id": "2", "changes": [_change()]},
                ],
            }
        ).encode()
        batch = parse_meta_webhook(body)
        assert [r.path for r in batch.rejected] == ["entry[0]", "entry[1].id", "entry[2].changes"]
        assert len(batch.events) == 1

    def test_other_fields_and_items_are_skipped_not_rejected(self) -> None:
        body = _delivery([{"field": "ratings", "value": {}}, _change(item="event")])
        batch = parse_meta_webhook(body)
        assert batch.events == () and batch.rejected == ()
        assert [s.path for s in batch.skipped] == [
            "entry[0].changes[0].field",
            "entry[0].changes[1].value.item",
        ]

    def test_entry_time_used_when_created_time_missing(self) -> None:
        batch = parse_meta_webhook(_delivery([_change(created_time=None)]))
        assert batch.events[0].created_at.timestamp() == 1_700_000_100

    def test_iso_created_time_with_meta_offset(self) -> None:
        batch = parse_meta_webhook(_delivery([_change(created_time="2024-05-01T10:00:00+0000")]))
        assert batch.events[0].created_at.isoformat() == "2024-05-01T10:00:00+00:00"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            (b"{not json", "body"),
            (b"[]", "body"),
            (b'{"object": "user", "entry": []}', "object"),
            (b'{"object": "page"}', "entry"),
            (b'{"object": "page", "entry": {}}', "entry"),
        ],
    )
    def test_top_level_problems_raise(self, body: bytes, field: str) -> None:
        with pytest.raises(InvalidInput) as info:
            parse_meta_webhook(body)
        assert info.value.field == field

    def test_change_cap(self) -> None:
        ok = _delivery([_change(post_id=f"1_{i}") for i in range(MAX_CHANGES_PER_DELIVERY)])
        assert len(parse_meta_webhook(ok).events) == MAX_CHANGES_PER_DELIVERY
        too_many = _delivery(
            [_change(post_id=f"1_{i}") for i in range(MAX_CHANGES_PER_DELIVERY)], [_change()]
        )
        with pytest.raises(InvalidInput, match="1000") as info:
            parse_meta_webhook(too_many)
        assert info.value.field == "entry"


# --- generic format -----------------------------------------------------------------------
def _generic(*events: Any) -> bytes:
    return json.dumps({"events": list(events)}).encode()


GOOD = {
    "event_id": "demo:1",
    "network": "demo",
    "kind": "post",
    "author_id": "p1",
    "text": "can anyone suggest the best house loan",
    "created_at": "2026-01-01T10:00:00+00:00",
}


class TestGenericParsing:
    def test_good_events(self) -> None:
        batch = parse_generic_webhook(
            _generic(
                GOOD,
                {
                    **GOOD,
                    "event_id": "demo:2",
                    "kind": "comment",
                    "parent_id": "demo:1",
                    "created_at": 1_700_000_000,
                },
            )
        )
        assert batch.event_ids == ["demo:1", "demo:2"]
        assert batch.events[1].parent_id == "demo:1"
        assert batch.events[0].created_at.utcoffset() is not None

    @pytest.mark.parametrize(
        ("event", "path"),
        [
            ({k: v for k, v in GOOD.items() if k != "author_id"}, "events[1].author_id"),
            ({**GOOD, "kind": "tweet"}, "events[1].kind"),
            ({**GOOD, "created_at": "2026-01-01T10:00:00"}, "events[1].created_at"),
            ({k: v for k, v in GOOD.items() if k != "created_at"}, "events[1].created_at"),
            ({**GOOD, "colour": "red"}, "events[1].colour"),
            ("nope", "events[1]"),
        ],
    )
    def test_bad_event_reported_good_kept(self, event: Any, path: str) -> None:
        batch = parse_generic_webhook(_generic(GOOD, event))
        assert batch.event_ids == ["demo:1"]
        assert [r.path for r in batch.rejected] == [path]

    def test_shape_and_cap(self) -> None:
        with pytest.raises(InvalidInput) as info:
            parse_generic_webhook(b'{"items": []}')
        assert info.value.field == "events"
        with pytest.raises(InvalidInput):
            parse_generic_webhook(_generic(*[GOOD] * (MAX_CHANGES_PER_DELIVERY + 1)))
