"""``MetaSocialChannel``: the SocialChannel port on the Facebook Graph API.

What Meta still allows (DESIGN.md, "Platform reality"): the Page the app is installed on
(its feed and comments, Messenger conversations people start), and consenting customers'
own data after Facebook Login (name, e-mail if granted, friends *who also use the app*).

* **send**: a plain message is a Messenger Send API call to a page-scoped id, inside the
  24-hour window after the person wrote to the Page (``messaging_type`` / ``message_tag``
  settings); a public reply (``in_reply_to``, not private) is a comment on that post or
  comment, as the Page; a private reply is Messenger's private reply to a comment
  (``recipient.comment_id``). Idempotent through :class:`~socialreferral.providers.
  _ledger.SentLedger` (Graph takes no idempotency key).
* **profiles/connections**: ``GET /{id}?fields=id,name,email`` and ``/{id}/friends`` with
  the person's own token from the SecretStore; a person without a token is not a
  consenting person (no profile, no connections).
* **forget**: deletes the Page's public replies to the person, revokes the app's
  permissions (``DELETE /{id}/permissions``) while the token is still there, and drops the
  ledger rows. Messenger messages cannot be deleted by a Page: they stay in the person's
  inbox (docs/providers/meta.md).
* beyond the port: :meth:`publish_offer` (a Page post), :meth:`read_page_feed` (posts and
  comments for the care queue, as ``SocialEvent``).

Errors: :mod:`socialreferral.providers.meta.errors` (rate limits → ``TransientError`` with
the advised wait; code 190 → ``TokenInvalid``, which callers turn into re-consent).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

import httpx

from socialreferral.domain.oauth import StoredToken, token_secret_name
from socialreferral.domain.social import (
    Connection,
    EventKind,
    OutboundMessage,
    Profile,
    SocialEvent,
)
from socialreferral.errors import (
    ConfigurationError,
    InvalidInput,
    SecretNotFound,
    SocialChannelError,
    TokenInvalid,
)
from socialreferral.ports import RetryPolicy, SecretStore, SocialChannel
from socialreferral.providers import BuildContext
from socialreferral.providers._ledger import SentLedger, SentRecord
from socialreferral.providers.meta.errors import NETWORK, ObjectMissing
from socialreferral.providers.meta.graph import GraphClient
from socialreferral.providers.meta.settings import MetaSettings
from socialreferral.records import Capability


class MetaSocialChannel(SocialChannel):
    """Facebook Page + Messenger + consenting customers' data (module docstring)."""

    network: ClassVar[str] = NETWORK
    provider: ClassVar[str] = "meta"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.PROFILES, Capability.CONNECTIONS,
        Capability.PUBLIC_REPLIES, Capability.PRIVATE_REPLIES})

    def __init__(self, settings: MetaSettings, *, secrets: SecretStore, ledger: SentLedger,
                 transport: httpx.BaseTransport | None = None,
                 retry: RetryPolicy | None = None) -> None:
        super().__init__(retry=retry)
        if settings.page_id is None:
            raise ConfigurationError("[meta] page_id is needed by the Meta channel")
        self.settings = settings
        self.page_id: str = settings.page_id
        self._secrets = secrets
        self.ledger = ledger
        self._graph = GraphClient(settings, transport=transport)

    @classmethod
    def from_settings(cls, settings: Any, context: Any) -> Self:
        """Build from ``[meta]`` with the SecretStore and DocumentStore bootstrap passes."""
        if not isinstance(settings, MetaSettings):
            raise ConfigurationError("MetaSocialChannel needs MetaSettings")
        extra = context.extra if isinstance(context, BuildContext) else {}
        secrets = extra.get("secrets")
        if not isinstance(secrets, SecretStore):
            raise ConfigurationError("the Meta channel needs the SecretStore in "
                                     "BuildContext.extra['secrets'] (bootstrap passes it)")
        return cls(settings, secrets=secrets, ledger=SentLedger.from_context(extra, NETWORK))

    def close(self) -> None:
        self._graph.close()

    # -- tokens (read at call time, never kept) ----------------------------------------
    def _page_token(self) -> str:
        try:
            value = self._secrets.get(self.settings.page_token_secret).value
        except SecretNotFound:
            raise TokenInvalid(f"no Page token in the SecretStore under "
                               f"{self.settings.page_token_secret!r}; a Page admin must "
                               "connect the Page", network=NETWORK) from None
        return StoredToken.from_secret(value).access_token

    def _user_token(self, person_id: str) -> str | None:
        try:
            value = self._secrets.get(token_secret_name(NETWORK, person_id)).value
        except SecretNotFound:
            return None
        token = StoredToken.from_secret(value)
        if token.expired(datetime.now(UTC)):
            raise TokenInvalid("the person's Facebook token has expired; log in again",
                               network=NETWORK, person_id=person_id)
        return token.access_token

    # -- primitives ------------------------------------------------------------------
    def _send(self, message: OutboundMessage) -> str:
        held = self.ledger.claim(message.message_id, message.recipient_id)
        if held is not None:
            return held
        try:
            network_id = self._deliver(message)
        except BaseException:
            self.ledger.release(message.message_id)
            raise
        self.ledger.complete(SentRecord(
            message.message_id, message.recipient_id, network_id, message.kind,
            message.in_reply_to, public=message.in_reply_to is not None and not message.private))
        return network_id

    def _deliver(self, message: OutboundMessage) -> str:
        text = message.text if not message.link else f"{message.text}\n{message.link}"
        token = self._page_token()
        if message.in_reply_to is not None and not message.private:
            answer = self._graph.call("POST", f"{message.in_reply_to}/comments", token,
                                      "public reply", json={"message": text})
            return _id(answer, "id")
        recipient: dict[str, str] = (
            {"comment_id": message.in_reply_to} if message.in_reply_to is not None
            else {"id": message.recipient_id})
        body: dict[str, Any] = {"recipient": recipient, "message": {"text": text[:2000]}}
        if message.in_reply_to is None:
            body["messaging_type"] = self.settings.messaging_type
            if self.settings.message_tag:
                body["tag"] = self.settings.message_tag
        answer = self._graph.call("POST", f"{self.page_id}/messages", token,
                                  "private reply" if message.in_reply_to else "message",
                                  json=body, person_id=message.recipient_id)
        return _id(answer, "message_id")

    def _get_profile(self, person_id: str) -> Profile | None:
        token = self._user_token(person_id)
        if token is None:
            return None
        try:
            me = self._graph.call("GET", person_id, token, "profile", person_id=person_id,
                                  params={"fields": "id,name,email"})
            friends = self._graph.call("GET", f"{person_id}/friends", token, "friend count",
                                       person_id=person_id,
                                       params={"limit": "0", "summary": "total_count"})
        except ObjectMissing:
            return None
        total = (friends.get("summary") or {}).get("total_count")
        return Profile(person_id=person_id, network=NETWORK,
                       display_name=str(me.get("name") or "")[:200],
                       followers=int(total) if isinstance(total, int) and total >= 0 else 0,
                       posts=self._recent_posts(person_id, token),
                       email=me.get("email") if isinstance(me.get("email"), str) else None)

    def _recent_posts(self, person_id: str, token: str) -> int:
        """How many of the person's last 100 posts the app may see (0 without the
        ``user_posts`` permission, which needs App Review and may be declined)."""
        try:
            body = self._graph.call("GET", f"{person_id}/posts", token, "posts",
                                    person_id=person_id, params={"fields": "id", "limit": "100"})
        except (TokenInvalid, ObjectMissing):
            return 0
        return len([p for p in body.get("data") or [] if isinstance(p, dict)])

    def _get_connections(self, person_id: str) -> list[Connection]:
        token = self._user_token(person_id)
        if token is None:
            return []
        try:
            friends = list(self._graph.pages(
                f"{person_id}/friends", token, "friends", person_id=person_id,
                params={"fields": "id,context.fields(mutual_friends.limit(0))"}))
        except ObjectMissing:
            return []
        return [Connection(person_id=person_id, other_id=str(f["id"]), network=NETWORK,
                           mutual_connections=_mutual(f))
                for f in friends if f.get("id")]

    def _forget(self, person_id: str) -> None:
        public = [r for r in self.ledger.sent_to(person_id) if r.public]
        if public:
            page_token = self._page_token()
            for record in public:
                with contextlib.suppress(ObjectMissing):  # deleted already
                    self._graph.call("DELETE", record.network_id, page_token, "delete reply")
        try:
            token = self._user_token(person_id)
        except TokenInvalid:
            token = None  # an expired grant needs no revoking
        if token is not None:
            # Revoked or removed by the person already: nothing to do.
            with contextlib.suppress(TokenInvalid, ObjectMissing):
                self._graph.call("DELETE", f"{person_id}/permissions", token,
                                 "revoke permissions", person_id=person_id)
        self.ledger.forget(person_id)
        # The grant is gone at Meta: the token is worthless and personal, so it goes too.
        with contextlib.suppress(SecretNotFound):
            self._secrets.delete(token_secret_name(NETWORK, person_id))

    # -- beyond the port ---------------------------------------------------------------
    def publish_offer(self, text: str, link: str | None = None) -> str:
        """Publish an offer on the Page's feed; return the post id."""
        if not isinstance(text, str) or not 0 < len(text) <= 8000:
            raise InvalidInput("must be 1-8000 characters", field="text")
        body: dict[str, str] = {"message": text}
        if link:
            body["link"] = link
        answer = self._call(self._graph.call, "POST", f"{self.page_id}/feed",
                            self._page_token(), "publish", json=body)
        return _id(answer, "id")

    def read_page_feed(self, *, limit: int = 100) -> list[SocialEvent]:
        """The Page's recent posts and their comments as events for the care queue."""
        if not 1 <= limit <= 1000:
            raise InvalidInput("must be between 1 and 1000", field="limit")
        fields = ("id,message,created_time,from{id},"
                  "comments{id,message,created_time,from{id},parent{id}}")
        posts = self._call(lambda: list(self._graph.pages(
            f"{self.page_id}/feed", self._page_token(), "page feed",
            params={"fields": fields, "limit": str(min(limit, 100))})))
        events: list[SocialEvent] = []
        for post in posts[:limit]:
            events.append(_event(post, EventKind.POST, self.page_id, None))
            for comment in (post.get("comments") or {}).get("data") or []:
                parent = (comment.get("parent") or {}).get("id") or post.get("id")
                events.append(_event(comment, EventKind.COMMENT, self.page_id, parent))
        return events


def _event(item: dict[str, Any], kind: EventKind, page_id: str,
           parent: str | None) -> SocialEvent:
    created = str(item.get("created_time") or "")
    try:
        at = datetime.strptime(created, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        at = datetime.now(UTC)
    author = str((item.get("from") or {}).get("id") or page_id)
    return SocialEvent(event_id=f"facebook:{item.get('id')}", network=NETWORK, kind=kind,
                       author_id=author, text=str(item.get("message") or "")[:20_000],
                       created_at=at, parent_id=parent, page_id=page_id)


def _mutual(friend: dict[str, Any]) -> int:
    """Friends in common (who also use the app), from the friend's user context."""
    total = (((friend.get("context") or {}).get("mutual_friends") or {})
             .get("summary") or {}).get("total_count")
    return total if isinstance(total, int) and total >= 0 else 0


def _id(answer: dict[str, Any], field: str) -> str:
    value = answer.get(field)
    if not isinstance(value, str) or not value:
        raise SocialChannelError(f"Graph answered without {field!r}")
    return value


__all__ = ["MetaSocialChannel"]
