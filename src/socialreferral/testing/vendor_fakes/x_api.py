"""A fake of X API v2 and X's OAuth 2.0 endpoints, for the real tweepy and Authlib.

Serve ``LoopbackServer(XApiFake())`` and set ``[x] api_url``, ``authorize_url``,
``token_url`` and ``revoke_url`` to its URL (+ ``/i/oauth2/authorize``,
``/2/oauth2/token``, ``/2/oauth2/revoke``). Shapes from X's developer documentation
(``tests/fixtures/x/`` keeps them, with sources):

* OAuth 2.0: ``GET /i/oauth2/authorize`` answers the redirect a person's consent produces
  (``code`` + ``state``, or ``error=access_denied`` after :meth:`XApiFake.deny_next`),
  remembering the PKCE ``code_challenge`` and the scopes (minus those in
  ``login_declines``); ``POST /2/oauth2/token`` with ``authorization_code`` (HTTP Basic
  client authentication, ``code_verifier`` checked, single use) or ``refresh_token``
  (rotates the refresh token); ``POST /2/oauth2/revoke``;
* ``GET /2/users/me``, ``/2/users/:id`` and ``/2/users?ids=`` (``public_metrics``;
  unknown ids come back in ``errors`` with ``resource-not-found``, status 200);
  ``POST /2/tweets`` (``reply.in_reply_to_tweet_id``), ``DELETE /2/tweets/:id``,
  ``POST /2/dm_conversations/with/:participant_id/messages``;
* faults: :meth:`XApiFake.rate_limit` (429 with ``x-rate-limit-limit/-remaining/-reset``),
  :meth:`XApiFake.expire` (401 for every token of an owner), :meth:`XApiFake.fail`.

Not covered: scope gating per endpoint, DM permission settings (who accepts DMs from
whom), duplicate-post detection, weighted character counting, per-endpoint rate windows
and app-level caps, media, the Account Activity webhooks (``channels/x.py`` has those).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from socialreferral.testing.vendor_fakes.server import FakeRequest, FakeResponse

CLIENT_ID = "fake-x-client-id"
CLIENT_SECRET = "fake-x-client-secret"
BRAND_ID = "1500000000000000001"

#: Documented problem bodies (tests/fixtures/x/ keeps them with their sources).
UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                "detail": "Unauthorized"}
TOO_MANY = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
            "status": 429}


@dataclass
class XUser:
    user_id: str
    name: str
    username: str
    followers: int = 0
    following: int = 0
    tweets: int = 0
    listed: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"id": self.user_id, "name": self.name, "username": self.username,
                "public_metrics": {"followers_count": self.followers,
                                   "following_count": self.following,
                                   "tweet_count": self.tweets, "listed_count": self.listed,
                                   "like_count": 0}}


@dataclass
class XDelivery:
    """Something the brand account sent: a post (reply) or a direct message."""

    network_id: str
    kind: str  # "tweet" or "dm"
    target: str  # the tweet replied to, or the DM participant
    text: str
    deleted: bool = False


@dataclass
class _Token:
    owner: str
    scopes: tuple[str, ...]
    expired: bool = False


class XApiFake:
    """In-memory X API v2: users, tokens, the brand's deliveries, injected faults."""

    def __init__(self) -> None:
        self.users: dict[str, XUser] = {BRAND_ID: XUser(BRAND_ID, "Example Bank", "examplebank")}
        self.tokens: dict[str, _Token] = {}
        self.refresh_tokens: dict[str, _Token] = {}
        self.codes: dict[str, tuple[str, str, tuple[str, ...], str]] = {}
        self.deliveries: list[XDelivery] = []
        self.revoked: list[str] = []
        self.login_user: str | None = None
        self.login_declines: tuple[str, ...] = ()
        self._deny_next = False
        self._faults: list[FakeResponse] = []
        self._ids = itertools.count(1_900_000_000_000_000_001)
        self._lock = threading.RLock()

    # -- set-up and fault injection ------------------------------------------------
    def add_user(self, user: XUser) -> None:
        with self._lock:
            self.users[user.user_id] = user

    def issue(self, owner: str, scopes: tuple[str, ...] = ("tweet.read", "tweet.write",
              "users.read", "dm.read", "dm.write", "offline.access"),
              *, refresh: bool = True) -> tuple[str, str | None]:
        """A new (access token, refresh token) pair for ``owner``."""
        with self._lock:
            access = secrets.token_urlsafe(24)
            self.tokens[access] = _Token(owner, scopes)
            rt = None
            if refresh and "offline.access" in scopes:
                rt = secrets.token_urlsafe(24)
                self.refresh_tokens[rt] = _Token(owner, scopes)
            return access, rt

    def deny_next(self) -> None:
        """The next authorization answers as if the person pressed Cancel."""
        self._deny_next = True

    def rate_limit(self, reset_in: int = 900, times: int = 1) -> int:
        """The next ``times`` API calls answer 429 with a reset ``reset_in`` seconds
        ahead; return the reset epoch."""
        reset = int(time.time()) + reset_in
        headers = {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0",
                   "x-rate-limit-reset": str(reset)}
        with self._lock:
            self._faults.extend([FakeResponse.json(TOO_MANY, 429, headers)] * times)
        return reset

    def fail(self, status: int, times: int = 1) -> None:
        """The next ``times`` API calls answer ``status`` with a problem body."""
        body = {"title": "Service Unavailable", "type": "about:blank", "status": status,
                "detail": "Service Unavailable"}
        with self._lock:
            self._faults.extend([FakeResponse.json(body, status)] * times)

    def expire(self, owner: str) -> None:
        """Every access token of ``owner`` now answers 401 (refresh tokens still work)."""
        with self._lock:
            for token in self.tokens.values():
                if token.owner == owner:
                    token.expired = True

    def delivered(self) -> list[XDelivery]:
        with self._lock:
            return [d for d in self.deliveries if not d.deleted]

    # -- dispatch ------------------------------------------------------------------
    def __call__(self, request: FakeRequest) -> FakeResponse:
        with self._lock:
            if request.path == "/i/oauth2/authorize":
                return self._authorize(request)
            if request.path == "/2/oauth2/token":
                return self._token(request)
            if request.path == "/2/oauth2/revoke":
                return self._revoke(request)
            if not request.path.startswith("/2/"):
                return FakeResponse.json({"title": "Not Found Error", "status": 404,
                                          "type": "about:blank"}, 404)
            if self._faults:
                return self._faults.pop(0)
            bearer = request.headers.get("authorization", "")
            token = self.tokens.get(bearer[7:]) if bearer.startswith("Bearer ") else None
            if token is None or token.expired:
                return FakeResponse.json(UNAUTHORIZED, 401)
            return self._api(request, request.path[len("/2/"):].split("/"), token.owner)

    # -- OAuth 2.0 -------------------------------------------------------------------
    def _authorize(self, request: FakeRequest) -> FakeResponse:
        q = request.query
        redirect = q.get("redirect_uri", "")
        if q.get("client_id") != CLIENT_ID or not redirect or q.get("response_type") != "code":
            return FakeResponse(400, b"Something went wrong: invalid client or redirect")
        if self._deny_next or self.login_user is None:
            self._deny_next = False
            query = {"error": "access_denied", "state": q.get("state", "")}
            return FakeResponse(302, b"", {"Location": f"{redirect}?{urlencode(query)}"})
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return FakeResponse(400, b"PKCE (S256) is required by X")
        scopes = tuple(s for s in q.get("scope", "").split() if s not in self.login_declines)
        code = secrets.token_urlsafe(16)
        self.codes[code] = (self.login_user, q["code_challenge"], scopes, redirect)
        location = f"{redirect}?{urlencode({'state': q.get('state', ''), 'code': code})}"
        return FakeResponse(302, b"", {"Location": location})

    def _client_ok(self, request: FakeRequest, form: dict[str, str]) -> bool:
        auth = request.headers.get("authorization", "")
        if auth.startswith("Basic "):
            pair = base64.b64decode(auth[6:]).decode()
            return pair == f"{CLIENT_ID}:{CLIENT_SECRET}"
        return form.get("client_id") == CLIENT_ID  # a public client

    def _token(self, request: FakeRequest) -> FakeResponse:
        form = request.form()
        invalid = FakeResponse.json({"error": "invalid_request", "error_description":
                                     "Value passed for the token was invalid."}, 400)
        if not self._client_ok(request, form):
            return FakeResponse.json({"error": "unauthorized_client", "error_description":
                                      "Missing valid authorization header"}, 401)
        if form.get("grant_type") == "refresh_token":
            held = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if held is None:
                return invalid
            return self._token_answer(held.owner, held.scopes)
        if form.get("grant_type") != "authorization_code":
            return invalid
        found = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()
                                             ).rstrip(b"=").decode()
        if found is None or found[1] != challenge or found[3] != form.get("redirect_uri"):
            return invalid
        if found[0] in self.revoked:
            self.revoked.remove(found[0])
        return self._token_answer(found[0], found[2])

    def _token_answer(self, owner: str, scopes: tuple[str, ...]) -> FakeResponse:
        access, refresh = self.issue(owner, scopes)
        body: dict[str, Any] = {"token_type": "bearer", "expires_in": 7200,
                                "access_token": access, "scope": " ".join(scopes)}
        if refresh:
            body["refresh_token"] = refresh
        return FakeResponse.json(body)

    def _revoke(self, request: FakeRequest) -> FakeResponse:
        form = request.form()
        if not self._client_ok(request, form):
            return FakeResponse.json({"error": "unauthorized_client"}, 401)
        value = form.get("token", "")
        held = self.tokens.pop(value, None) or self.refresh_tokens.pop(value, None)
        if held is not None:
            self.revoked.append(held.owner)
        return FakeResponse.json({"revoked": True})

    # -- API v2 ------------------------------------------------------------------------
    def _api(self, request: FakeRequest, parts: list[str], owner: str) -> FakeResponse:
        method = request.method
        if parts == ["users", "me"]:
            user = self.users.get(owner)
            return FakeResponse.json({"data": user.as_json()} if user else
                                     {"errors": [self._missing(owner)]})
        if parts[0] == "users" and len(parts) == 2:
            user = self.users.get(parts[1])
            return FakeResponse.json({"data": user.as_json()} if user else
                                     {"errors": [self._missing(parts[1])]})
        if parts == ["users"]:
            ids = [i for i in request.query.get("ids", "").split(",") if i]
            body: dict[str, Any] = {"data": [self.users[i].as_json() for i in ids
                                             if i in self.users]}
            missing = [self._missing(i) for i in ids if i not in self.users]
            if missing:
                body["errors"] = missing
            return FakeResponse.json(body)
        if parts == ["tweets"] and method == "POST":
            payload = request.json() or {}
            reply = (payload.get("reply") or {}).get("in_reply_to_tweet_id", "")
            network_id = str(next(self._ids))
            self.deliveries.append(XDelivery(network_id, "tweet", reply,
                                             str(payload.get("text", ""))))
            return FakeResponse.json({"data": {"id": network_id, "text": payload.get("text"),
                                               "edit_history_tweet_ids": [network_id]}}, 201)
        if parts[0] == "tweets" and len(parts) == 2 and method == "DELETE":
            for delivery in self.deliveries:
                if delivery.network_id == parts[1] and not delivery.deleted:
                    delivery.deleted = True
                    return FakeResponse.json({"data": {"deleted": True}})
            return FakeResponse.json({"title": "Not Found Error", "type":
                                      "https://api.twitter.com/2/problems/resource-not-found",
                                      "status": 404, "detail": "Not Found"}, 404)
        if (len(parts) == 4 and parts[:2] == ["dm_conversations", "with"]
                and parts[3] == "messages" and method == "POST"):
            participant = parts[2]
            event = str(next(self._ids))
            self.deliveries.append(XDelivery(event, "dm", participant,
                                             str((request.json() or {}).get("text", ""))))
            return FakeResponse.json({"data": {"dm_conversation_id": f"{owner}-{participant}",
                                               "dm_event_id": event}}, 201)
        return FakeResponse.json({"title": "Not Found Error", "status": 404,
                                  "type": "about:blank"}, 404)

    @staticmethod
    def _missing(user_id: str) -> dict[str, Any]:
        return {"value": user_id, "detail": f"Could not find user with id: [{user_id}].",
                "title": "Not Found Error", "resource_type": "user", "parameter": "id",
                "resource_id": user_id,
                "type": "https://api.twitter.com/2/problems/resource-not-found"}


__all__ = ["BRAND_ID", "CLIENT_ID", "CLIENT_SECRET", "XApiFake", "XDelivery", "XUser"]
