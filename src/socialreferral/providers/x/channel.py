"""``XSocialChannel``: the SocialChannel port on X API v2, through tweepy.

What X allows: posting and direct messages as the brand account (OAuth 2.0 user
context, ``tweet.write`` / ``dm.write``), public user data (metrics) with ``users.read``,
and the consenting customer's own account after X's OAuth 2.0 login.

* **send**: a plain message, or a private reply about a post, is a direct message
  (``POST /2/dm_conversations/with/:id/messages``; a private reply appends the post's URL,
  X's DM API has no reference field); a public reply (``in_reply_to``, not private) is a
  post in the thread (``POST /2/tweets`` with ``reply.in_reply_to_tweet_id``), as the
  brand account. Idempotent through :class:`~socialreferral.providers._ledger.
  SentLedger` (X takes no idempotency key).
* **profiles**: ``GET /2/users/:id?user.fields=public_metrics`` with the person's own
  token from the SecretStore (followers, posts); a person without a token is not a
  consenting person. Expired tokens are refreshed with the refresh token
  (``offline.access``) and stored back; a refused refresh is ``TokenInvalid``.
  X shares no friend list with this app: no ``connections``.
* **forget**: deletes the brand's public replies to the person (``DELETE /2/tweets/:id``),
  revokes the person's token (``POST /2/oauth2/revoke``) and deletes it, drops the
  ledger rows. Direct messages stay in the person's inbox (docs/providers/x.md).
* beyond the port: :meth:`public_metrics` (followers and post counts of up to 100
  accounts per call, for influence scoring).

Errors: :mod:`socialreferral.providers.x.errors` (429 → ``TransientError`` until
``x-rate-limit-reset``; 401 → ``TokenInvalid``, which callers turn into re-consent).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

from socialreferral.domain.oauth import StoredToken, token_secret_name
from socialreferral.domain.social import Connection, OutboundMessage, Profile
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
from socialreferral.providers.x.api import x_client
from socialreferral.providers.x.errors import NETWORK, ObjectMissing, map_x_errors
from socialreferral.providers.x.settings import XSettings
from socialreferral.records import Capability

#: Longest post X accepts from a standard account (weighted characters; URLs count 23).
MAX_POST = 280
MAX_DM = 10_000
USER_FIELDS = ["public_metrics", "name", "username"]
Refresher = Callable[[StoredToken, datetime], StoredToken]
Revoker = Callable[[str, StoredToken], None]


class XSocialChannel(SocialChannel):
    """Replies and direct messages as the brand account; consenting customers' metrics."""

    network: ClassVar[str] = NETWORK
    provider: ClassVar[str] = "x"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.PROFILES, Capability.PUBLIC_REPLIES, Capability.PRIVATE_REPLIES})

    def __init__(self, settings: XSettings, *, secrets: SecretStore, ledger: SentLedger,
                 refresh: Refresher | None = None, revoke: Revoker | None = None,
                 retry: RetryPolicy | None = None, on_close: Callable[[], None] | None = None
                 ) -> None:
        super().__init__(retry=retry)
        self.settings = settings
        self._secrets = secrets
        self.ledger = ledger
        self._refresh = refresh
        self._revoke = revoke
        self._on_close = on_close

    @classmethod
    def from_settings(cls, settings: Any, context: Any) -> Self:
        """Build from ``[x]`` with the SecretStore and DocumentStore bootstrap passes;
        with ``client_id`` set, tokens are refreshed and revoked through :class:`XLogin`."""
        if not isinstance(settings, XSettings):
            raise ConfigurationError("XSocialChannel needs XSettings")
        extra = context.extra if isinstance(context, BuildContext) else {}
        secrets = extra.get("secrets")
        if not isinstance(secrets, SecretStore):
            raise ConfigurationError("the X channel needs the SecretStore in "
                                     "BuildContext.extra['secrets'] (bootstrap passes it)")
        ledger = SentLedger.from_context(extra, NETWORK)
        if settings.client_id is None:
            return cls(settings, secrets=secrets, ledger=ledger)
        from socialreferral.providers.x.login import XLogin

        login = XLogin(settings)
        return cls(settings, secrets=secrets, ledger=ledger, refresh=login.refresh,
                   revoke=login.revoke, on_close=login.close)

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()

    # -- tokens (read at call time, refreshed when expired, never kept) ---------------
    def _token(self, name: str, person_id: str | None) -> str | None:
        try:
            value = self._secrets.get(name).value
        except SecretNotFound:
            return None
        token = StoredToken.from_secret(value)
        now = datetime.now(UTC)
        if not token.expired(now):
            return token.access_token
        if token.refresh_token is None or self._refresh is None:
            raise TokenInvalid("the X token has expired and cannot be refreshed; log in "
                               "again", network=NETWORK, person_id=person_id)
        fresh = self._refresh(token, now)  # TokenInvalid when X refuses the refresh
        self._secrets.set(name, fresh.to_secret())
        return fresh.access_token

    def _account_token(self) -> str:
        token = self._token(self.settings.account_token_secret, None)
        if token is None:
            raise TokenInvalid(f"no X account token in the SecretStore under "
                               f"{self.settings.account_token_secret!r}; the brand "
                               "account's owner must connect it", network=NETWORK)
        return token

    # -- primitives ------------------------------------------------------------------
    def _send(self, message: OutboundMessage) -> str:
        text = _compose(message)
        held = self.ledger.claim(message.message_id, message.recipient_id)
        if held is not None:
            return held
        try:
            network_id = self._deliver(message, text)
        except BaseException:
            self.ledger.release(message.message_id)
            raise
        self.ledger.complete(SentRecord(
            message.message_id, message.recipient_id, network_id, message.kind,
            message.in_reply_to, public=message.in_reply_to is not None and not message.private))
        return network_id

    def _deliver(self, message: OutboundMessage, text: str) -> str:
        public = message.in_reply_to is not None and not message.private
        with x_client(self.settings, self._account_token()) as client:
            if public:
                with map_x_errors("reply"):
                    answer = client.create_tweet(text=text, user_auth=False,
                                                 in_reply_to_tweet_id=message.in_reply_to)
                return _field(answer, "id")
            with map_x_errors("direct message", person_id=None):
                answer = client.create_direct_message(
                    participant_id=message.recipient_id, text=text, user_auth=False)
            return _field(answer, "dm_event_id")

    def _get_profile(self, person_id: str) -> Profile | None:
        token = self._token(token_secret_name(NETWORK, person_id), person_id)
        if token is None:
            return None
        with x_client(self.settings, token) as client:
            try:
                with map_x_errors("profile", person_id=person_id):
                    answer = client.get_user(id=person_id, user_fields=USER_FIELDS,
                                             user_auth=False)
            except ObjectMissing:
                return None
        data = answer.get("data") if isinstance(answer, dict) else None
        return _profile(data) if isinstance(data, dict) else None

    def _get_connections(self, person_id: str) -> list[Connection]:
        return []  # never called: X shares no friend list with the app

    def _forget(self, person_id: str) -> None:
        public = [r for r in self.ledger.sent_to(person_id) if r.public]
        if public:
            with x_client(self.settings, self._account_token()) as client:
                for record in public:
                    with contextlib.suppress(ObjectMissing), map_x_errors("delete reply"):
                        client.delete_tweet(record.network_id, user_auth=False)
        name = token_secret_name(NETWORK, person_id)
        try:
            stored: StoredToken | None = StoredToken.from_secret(self._secrets.get(name).value)
        except SecretNotFound:
            stored = None
        if stored is not None and self._revoke is not None:
            self._revoke(person_id, stored)  # idempotent: an unknown token is not an error
        self.ledger.forget(person_id)
        with contextlib.suppress(SecretNotFound):
            self._secrets.delete(name)

    # -- beyond the port ---------------------------------------------------------------
    def public_metrics(self, user_ids: Sequence[str]) -> list[Profile]:
        """Public metrics (followers, posts) of up to 100 accounts, for influence
        scoring; unknown or suspended accounts are left out."""
        ids = list(dict.fromkeys(user_ids))
        if not 0 < len(ids) <= 100 or not all(
                isinstance(i, str) and i.isdigit() and len(i) <= 32 for i in ids):
            raise InvalidInput("1-100 numeric X user ids", field="user_ids")

        def read() -> list[Profile]:
            with x_client(self.settings, self._account_token()) as client, \
                    map_x_errors("user lookup"):
                answer = client.get_users(ids=ids, user_fields=USER_FIELDS, user_auth=False)
            return [_profile(u) for u in (answer.get("data") or []) if isinstance(u, dict)]

        profiles: list[Profile] = self._call(read)
        return profiles


def _compose(message: OutboundMessage) -> str:
    text = message.text if not message.link else f"{message.text}\n{message.link}"
    if message.in_reply_to is not None and message.private:
        text = f"{text}\nhttps://x.com/i/status/{message.in_reply_to}"
    limit = MAX_DM if message.private or message.in_reply_to is None else MAX_POST
    if len(text) > limit:
        raise InvalidInput(f"longer than X allows ({limit} characters)", field="message.text")
    return text


def _profile(user: dict[str, Any]) -> Profile:
    metrics = user.get("public_metrics") or {}

    def count(name: str) -> int:
        value = metrics.get(name)
        return value if isinstance(value, int) and value >= 0 else 0

    return Profile(person_id=str(user.get("id")), network=NETWORK,
                   display_name=str(user.get("name") or "")[:200],
                   followers=count("followers_count"), following=count("following_count"),
                   posts=count("tweet_count"), listed=count("listed_count"))


def _field(answer: Any, name: str) -> str:
    data = answer.get("data") if isinstance(answer, dict) else None
    value = data.get(name) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        raise SocialChannelError(f"X answered without data.{name}")
    return value


__all__ = ["XSocialChannel"]
