"""X Account Activity and LinkedIn organization social action channels: the documented
example deliveries in tests/fixtures/webhooks, signatures, handshakes and bad entries."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from socialreferral.channels import LinkedInChannel, XChannel
from socialreferral.channels.linkedin import parse_linkedin_webhook, verify_linkedin_signature
from socialreferral.channels.x import parse_x_webhook
from socialreferral.domain.social import EventKind
from socialreferral.errors import InvalidInput, SignatureInvalid
from socialreferral.plugins import load_registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "webhooks"
SECRET = "client-secret-0123456789"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


# --- X ----------------------------------------------------------------------------------
class TestXParsing:
    def test_documented_example(self) -> None:
        batch = parse_x_webhook(body(fixture("x_account_activity.json")))
        assert batch.rejected == ()
        post, reply, quote, retweet, like = batch.events
        assert (post.kind, post.event_id, post.author_id) == (
            EventKind.POST, "x:1924465506158878979:tweet", "3001969357")
        # Long posts carry their full text in extended_tweet, not the truncated "text".
        assert post.text.endswith("kept logging me out.")
        assert post.created_at.isoformat() == "2025-05-19T14:01:46+00:00"
        assert post.page_id == "2244994945" and post.network == "x"
        assert post.extra["followers_count"] == 220 and post.extra["listed_count"] == 3
        assert post.extra["statuses_count"] == 494
        assert post.extra["screen_name"] == "jordan_example"
        assert post.extra["location"] == "Boulder, CO"
        assert (reply.kind, reply.parent_id) == (EventKind.COMMENT, "1924400000000000001")
        assert reply.extra["in_reply_to_user_id"] == "2244994945"
        assert (quote.kind, quote.parent_id, quote.extra["share"]) == (
            EventKind.SHARE, "1924400000000000002", "quote")
        assert (retweet.kind, retweet.parent_id, retweet.extra["share"]) == (
            EventKind.SHARE, "1924400000000000002", "retweet")
        assert like.kind is EventKind.LIKE and like.author_id == "4337869213"
        assert like.event_id == "x:1924400000000000002:like:4337869213"
        assert like.parent_id == "1924400000000000002"
        assert like.extra["parent_author_id"] == "2244994945"
        assert [s.path for s in batch.skipped] == ["follow_events"]

    def test_ids_are_stable_across_redelivery(self) -> None:
        raw = body(fixture("x_account_activity.json"))
        assert parse_x_webhook(raw).event_ids == parse_x_webhook(raw).event_ids
        # A redelivery re-serialised differently still yields the same ids.
        pretty = json.dumps(fixture("x_account_activity.json"), indent=2).encode()
        assert parse_x_webhook(pretty).event_ids == parse_x_webhook(raw).event_ids

    def test_timestamp_ms_when_created_at_missing(self) -> None:
        data = fixture("x_account_activity.json")
        del data["tweet_create_events"][0]["created_at"]
        event = parse_x_webhook(body(data)).events[0]
        assert event.created_at.timestamp() == 1_747_663_306

    @pytest.mark.parametrize(
        ("mutate", "path"),
        [
            (lambda t: t.pop("id_str"), "tweet_create_events[0].id_str"),
            (lambda t: t.pop("user"), "tweet_create_events[0].user"),
            (lambda t: t["user"].pop("id_str"), "tweet_create_events[0].user.id_str"),
            (lambda t: t["user"].update(followers_count=-1),
             "tweet_create_events[0].user.followers_count"),
            (lambda t: t["user"].update(location=["x"]), "tweet_create_events[0].user.location"),
            (lambda t: t.update(created_at="yesterday"), "tweet_create_events[0].created_at"),
            (lambda t: t.update(created_at="Mon Feb 31 10:00:00 +0000 2025"),
             "tweet_create_events[0].created_at"),
            (lambda t: t["extended_tweet"].update(full_text=12),
             "tweet_create_events[0].extended_tweet.full_text"),
            (lambda t: t.update(retweeted_status="x"), "tweet_create_events[0].retweeted_status"),
            (lambda t: t.update(in_reply_to_status_id_str=True),
             "tweet_create_events[0].in_reply_to_status_id_str"),
        ],
    )
    def test_bad_tweet_reported_with_its_path(self, mutate: Any, path: str) -> None:
        data = fixture("x_account_activity.json")
        mutate(data["tweet_create_events"][0])
        batch = parse_x_webhook(body(data))
        assert [r.path for r in batch.rejected] == [path]
        assert len(batch.events) == 4  # the other three tweets and the like are kept

    def test_bad_like_reported(self) -> None:
        data = fixture("x_account_activity.json")
        data["favorite_events"] = [{"id": "f1", "created_at": "Mon May 19 14:10:26 +0000 2025",
                                    "user": {"id_str": "1"}}, "nope"]
        batch = parse_x_webhook(body(data))
        assert [r.path for r in batch.rejected] == ["favorite_events[0].favorited_status",
                                                    "favorite_events[1]"]

    @pytest.mark.parametrize(
        ("raw", "field"),
        [
            (b"[]", "body"),
            (b'{"hello": 1}', "body"),
            (b'{"for_user_id": "1", "tweet_create_events": {}}', "tweet_create_events"),
            (b'{"for_user_id": ["1"]}', "for_user_id"),
        ],
    )
    def test_not_a_delivery(self, raw: bytes, field: str) -> None:
        with pytest.raises(InvalidInput) as info:
            parse_x_webhook(raw)
        assert info.value.field == field

    def test_event_cap(self) -> None:
        tweet = fixture("x_account_activity.json")["tweet_create_events"][1]
        tweets = [dict(tweet, id_str=str(i)) for i in range(1001)]
        with pytest.raises(InvalidInput, match="1000"):
            parse_x_webhook(body({"for_user_id": "1", "tweet_create_events": tweets}))

    def test_handshake_and_signature(self) -> None:
        channel = XChannel()
        reply = channel.handshake({"crc_token": "abc"}, lambda name: SECRET)
        assert reply.media_type == "application/json"
        assert json.loads(reply.body)["response_token"].startswith("sha256=")
        with pytest.raises(InvalidInput) as info:
            channel.handshake({"crc_token": "a" * 300}, lambda name: SECRET)
        assert info.value.field == "crc_token"


# --- LinkedIn ---------------------------------------------------------------------------
class TestLinkedInParsing:
    def test_documented_example(self) -> None:
        batch = parse_linkedin_webhook(body(fixture("linkedin_social_actions.json")))
        assert batch.rejected == ()
        comment, share, mention = batch.events
        assert (comment.kind, comment.event_id) == (EventKind.COMMENT, "linkedin:5603453321")
        assert comment.author_id == "urn:li:person:zLqTygBP8S"
        assert comment.parent_id == "urn:li:activity:7094637247890620418"
        assert comment.page_id == "urn:li:organization:96072893"
        assert comment.text == "Does this apply to refinancing a house loan too?"
        assert comment.created_at.timestamp() == pytest.approx(1_691_574_506.31)
        assert (share.kind, share.author_id) == (EventKind.SHARE, "urn:li:person:Q7pRmemberB")
        assert share.parent_id == "urn:li:activity:7094637247890620418"
        assert (mention.kind, mention.author_id) == (EventKind.POST, "urn:li:person:M3ntionerC")
        assert mention.extra["mention"] is True and mention.parent_id is None
        assert "Example Bank" in mention.text
        # LinkedIn names no liker; a delete is not acted on: both are skipped, not guessed.
        assert [(s.path, s.reason) for s in batch.skipped] == [
            ("notifications[3].action", "LIKE names no member"),
            ("notifications[4].action", "action 'COMMENT_DELETE' is not handled"),
        ]

    def test_like_with_an_attributable_member(self) -> None:
        data = fixture("linkedin_social_actions.json")
        like = data["notifications"][3]
        like["generatedActivity"] = ("urn:li:like:(urn:li:person:LikerD,"
                                     "urn:li:activity:7094637247890620418)")
        [event] = [e for e in parse_linkedin_webhook(body(data)).events
                   if e.kind is EventKind.LIKE]
        assert event.author_id == "urn:li:person:LikerD"
        assert event.parent_id == "urn:li:activity:7094637247890620418"

    def test_comment_text_in_message_object(self) -> None:
        data = fixture("linkedin_social_actions.json")
        comment = data["notifications"][0]["decoratedGeneratedActivity"]["comment"]
        comment["message"] = {"text": comment.pop("text")}
        assert parse_linkedin_webhook(body(data)).events[0].text.startswith("Does this")

    @pytest.mark.parametrize(
        ("mutate", "path"),
        [
            (lambda n: n.pop("notificationId"), "notifications[0].notificationId"),
            (lambda n: n.pop("organizationalEntity"), "notifications[0].organizationalEntity"),
            (lambda n: n.pop("lastModifiedAt"), "notifications[0].lastModifiedAt"),
            (lambda n: n.update(lastModifiedAt="soon"), "notifications[0].lastModifiedAt"),
            (lambda n: n.pop("decoratedGeneratedActivity"),
             "notifications[0].decoratedGeneratedActivity"),
            (lambda n: n["decoratedGeneratedActivity"]["comment"].pop("owner"),
             "notifications[0].decoratedGeneratedActivity.comment.owner"),
            (lambda n: n["decoratedGeneratedActivity"]["comment"].update(text=5),
             "notifications[0].decoratedGeneratedActivity.comment.text"),
            (lambda n: n.update(action=None), "notifications[0].action"),
        ],
    )
    def test_bad_notification_reported_with_its_path(self, mutate: Any, path: str) -> None:
        data = fixture("linkedin_social_actions.json")
        mutate(data["notifications"][0])
        batch = parse_linkedin_webhook(body(data))
        assert [r.path for r in batch.rejected] == [path]
        assert len(batch.events) == 2

    @pytest.mark.parametrize(
        ("raw", "field"),
        [
            (b"[]", "body"),
            (b'{"type": "OTHER", "notifications": []}', "type"),
            (b'{"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS"}', "notifications"),
        ],
    )
    def test_not_a_delivery(self, raw: bytes, field: str) -> None:
        with pytest.raises(InvalidInput) as info:
            parse_linkedin_webhook(raw)
        assert info.value.field == field

    def test_redelivery_same_ids(self) -> None:
        raw = body(fixture("linkedin_social_actions.json"))
        assert parse_linkedin_webhook(raw).event_ids == parse_linkedin_webhook(raw).event_ids


class TestLinkedInSignatureForms:
    raw = body(fixture("linkedin_social_actions.json"))

    def _hex(self, data: bytes, secret: str = SECRET) -> str:
        return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()

    def test_documented_string_to_sign(self) -> None:
        verify_linkedin_signature(self.raw, {"X-LI-Signature": self._hex(
            b"hmacsha256=" + self.raw)}, SECRET)

    def test_bare_body_and_prefixed_header_accepted(self) -> None:
        verify_linkedin_signature(self.raw, {"x-li-signature": self._hex(self.raw)}, SECRET)
        verify_linkedin_signature(
            self.raw, {"X-LI-Signature": "hmacsha256=" + self._hex(b"hmacsha256=" + self.raw)},
            SECRET)

    def test_wrong_secret_or_tampered_body_refused(self) -> None:
        for headers, data in (
            ({"X-LI-Signature": self._hex(b"hmacsha256=" + self.raw, "other-secret")}, self.raw),
            ({"X-LI-Signature": self._hex(b"hmacsha256=" + self.raw)}, self.raw + b" "),
        ):
            with pytest.raises(SignatureInvalid):
                verify_linkedin_signature(data, headers, SECRET)

    def test_handshake(self) -> None:
        reply = LinkedInChannel().handshake({"challengeCode": "890e4665-4dfe"},
                                            lambda name: SECRET)
        answer = json.loads(reply.body)
        assert answer == {"challengeCode": "890e4665-4dfe",
                          "challengeResponse": self._hex(b"890e4665-4dfe")}
        with pytest.raises(InvalidInput):
            LinkedInChannel().handshake({}, lambda name: SECRET)


def test_builtin_registry_serves_every_network() -> None:
    registry = load_registry(env={"SOCIALREFERRAL_PLUGINS": "local"})
    assert {"meta", "x", "linkedin", "generic"} <= set(registry.channels)
    assert registry.channel("x").signing_secret == "x-consumer-secret"
    assert registry.channel("linkedin").signing_secret == "linkedin-client-secret"
    assert "x-consumer-secret" in registry.channel("x").describe()

