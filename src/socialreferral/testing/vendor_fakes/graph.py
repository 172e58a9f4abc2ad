"""A fake of the Facebook Graph API and Facebook Login, for the real httpx and Authlib.

Serve ``LoopbackServer(GraphFake())`` and set ``[meta] graph_url`` and ``dialog_url`` to
its URL. Shapes from Meta's documentation (``tests/fixtures/meta/`` keeps them, with
sources):

* Login: ``GET /{v}/dialog/oauth`` answers the redirect a person's consent produces
  (``code`` + ``state``; or ``error=access_denied`` after :meth:`GraphFake.deny_next`),
  remembering the PKCE ``code_challenge``; ``/{v}/oauth/access_token`` exchanges the
  code (the ``code_verifier`` must match, S256; the code works once) and, with
  ``grant_type=fb_exchange_token``, a short-lived token for a long-lived one;
  ``/me``, ``/me/permissions`` (declined permissions as ``status: declined``),
  ``DELETE /{user}/permissions`` (revokes every token of the user);
* users: ``GET /{id}?fields=id,name,email`` and ``/{id}/friends`` (``summary.total_count``,
  paging) with that user's token; a page: ``POST /{page}/messages`` (``recipient.id`` or
  ``recipient.comment_id``), ``POST /{object}/comments``, ``DELETE /{comment}``,
  ``POST/GET /{page}/feed``;
* faults: :meth:`GraphFake.rate_limit` (error 4/32/80001 with ``X-App-Usage`` /
  ``X-Business-Use-Case-Usage``), :meth:`GraphFake.expire` (error 190 subcode 463).

Not covered: App Review and permission gating of endpoints, the 24-hour messaging window
and message tags (any page-scoped id is accepted), page-scoped vs app-scoped id mapping,
attachments, webhooks delivery, field expansion beyond what the adapter asks, real rate
accounting, ``appsecret_proof``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from socialreferral.testing.vendor_fakes.server import FakeRequest, FakeResponse

VERSION = "v21.0"
APP_ID = "1234567890"
APP_SECRET = "fake-meta-app-secret"
PAGE_ID = "100200300"

#: Documented error bodies (tests/fixtures/meta/ keeps them with their sources).
RATE_LIMITED = {"error": {"message": "(#4) Application request limit reached",
                          "type": "OAuthException", "is_transient": True, "code": 4,
                          "fbtrace_id": "Fake4"}}
TOKEN_EXPIRED = {"error": {"message": "Error validating access token: Session has expired.",
                           "type": "OAuthException", "code": 190, "error_subcode": 463,
                           "fbtrace_id": "Fake190"}}
NO_OBJECT = {"error": {"message": "Unsupported get request. Object with ID '{id}' does not "
                       "exist, cannot be loaded due to missing permissions, or does not "
                       "support this operation.", "type": "GraphMethodException", "code": 100,
                       "error_subcode": 33, "fbtrace_id": "Fake100"}}


@dataclass
class Delivery:
    """Something the Page sent: a message, a private reply, a comment or a post."""

    network_id: str
    kind: str  # "message", "private_reply", "comment", "post"
    target: str  # recipient PSID, comment id, object id, page id
    text: str
    deleted: bool = False


@dataclass
class FakeUser:
    person_id: str
    name: str
    email: str | None = None
    friends: list[str] = field(default_factory=list)
    declined: tuple[str, ...] = ()
    posts: int = 0
    #: friend id -> how many friends (who use the app) the two have in common
    mutual: dict[str, int] = field(default_factory=dict)


class GraphFake:
    """In-memory Graph API: users, tokens, the Page's deliveries, injected faults."""

    def __init__(self) -> None:
        self.users: dict[str, FakeUser] = {}
        self.tokens: dict[str, tuple[str, bool]] = {}  # token -> (user id or "page", long)
        self.codes: dict[str, tuple[str, str, str]] = {}  # code -> user, challenge, scope
        self.deliveries: list[Delivery] = []
        self.revoked: list[str] = []
        self.login_user: str | None = None
        self._deny_next = False
        self._faults: list[tuple[int, FakeResponse]] = []
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self.page_token = self.issue("page", long=True)

    # -- set-up and fault injection ------------------------------------------------
    def add_user(self, user: FakeUser) -> None:
        with self._lock:
            self.users[user.person_id] = user

    def issue(self, owner: str, *, long: bool = False) -> str:
        token = "EAA" + secrets.token_urlsafe(18)
        with self._lock:
            self.tokens[token] = (owner, long)
        return token

    def deny_next(self) -> None:
        """The next login dialog answers as if the person pressed Cancel."""
        self._deny_next = True

    def rate_limit(self, times: int = 1, *, code: int = 4, minutes: int = 0) -> None:
        """The next ``times`` Graph calls fail with rate-limit ``code``; ``minutes`` goes
        into ``X-Business-Use-Case-Usage``'s ``estimated_time_to_regain_access``."""
        body = {"error": dict(RATE_LIMITED["error"], code=code,
                              message=f"(#{code}) request limit reached")}
        headers = {"X-App-Usage": '{"call_count":100,"total_cputime":25,"total_time":30}'}
        if minutes:
            headers["X-Business-Use-Case-Usage"] = (
                f'{{"{PAGE_ID}":[{{"type":"pages","call_count":100,"total_cputime":10,'
                f'"total_time":10,"estimated_time_to_regain_access":{minutes}}}]}}')
        with self._lock:
            self._faults.extend([(code, FakeResponse.json(body, 400, headers))] * times)

    def expire(self, owner: str) -> None:
        """Every token of ``owner`` (a user id, or "page") now answers error 190/463."""
        with self._lock:
            for token, (who, long) in list(self.tokens.items()):
                if who == owner:
                    self.tokens[token] = (f"expired:{who}", long)

    def delivered(self) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if not d.deleted]

    # -- dispatch ------------------------------------------------------------------
    def __call__(self, request: FakeRequest) -> FakeResponse:
        prefix = f"/{VERSION}/"
        if not request.path.startswith(prefix):
            return FakeResponse.json({"error": {"message": "Unknown path", "code": 803}}, 404)
        path = request.path[len(prefix):]
        with self._lock:
            if path == "dialog/oauth":
                return self._dialog(request)
            if path == "oauth/access_token":
                return self._access_token(request)
            if self._faults:
                return self._faults.pop(0)[1]
            owner = self._owner(request)
            if owner is None and not request.headers.get("authorization"):
                return FakeResponse.json({"error": {"message": "An active access token must "
                                         "be used", "type": "OAuthException", "code": 2500}},
                                         400)
            if owner is None:  # a revoked or unknown token
                return FakeResponse.json({"error": dict(
                    TOKEN_EXPIRED["error"], error_subcode=458,
                    message="Error validating access token: The user has not authorized "
                            "application.")}, 400)
            if owner.startswith("expired:"):
                return FakeResponse.json(TOKEN_EXPIRED, 400)
            return self._graph(request, path, owner)

    def _owner(self, request: FakeRequest) -> str | None:
        bearer = request.headers.get("authorization", "")
        token = bearer[7:] if bearer.startswith("Bearer ") else request.query.get(
            "access_token", "")
        held = self.tokens.get(token)
        return None if held is None else held[0]

    def _dialog(self, request: FakeRequest) -> FakeResponse:
        q = request.query
        redirect = q.get("redirect_uri", "")
        if q.get("client_id") != APP_ID or not redirect:
            return FakeResponse(400, b"Invalid App ID or redirect_uri")
        if self._deny_next or self.login_user is None:
            self._deny_next = False
            query = {"error": "access_denied", "error_code": "200",
                     "error_description": "Permissions error", "error_reason": "user_denied",
                     "state": q.get("state", "")}
            return FakeResponse(302, b"", {"Location": f"{redirect}?{urlencode(query)}"})
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return FakeResponse(400, b"PKCE required by this fake")
        code = secrets.token_urlsafe(16)
        self.codes[code] = (self.login_user, q["code_challenge"], q.get("scope", ""))
        location = f"{redirect}?{urlencode({'code': code, 'state': q.get('state', '')})}"
        return FakeResponse(302, b"", {"Location": location})

    def _access_token(self, request: FakeRequest) -> FakeResponse:
        params = {**request.query, **(request.form() if request.body else {})}
        if params.get("client_id") != APP_ID or params.get("client_secret") != APP_SECRET:
            return FakeResponse.json({"error": {"message": "Error validating client secret.",
                                                "type": "OAuthException", "code": 1}}, 400)
        if params.get("grant_type") == "fb_exchange_token":
            held = self.tokens.get(params.get("fb_exchange_token", ""))
            if held is None or held[0].startswith("expired:"):
                return FakeResponse.json(TOKEN_EXPIRED, 400)
            return FakeResponse.json({"access_token": self.issue(held[0], long=True),
                                      "token_type": "bearer", "expires_in": 5183944})
        code = params.get("code", "")
        found = self.codes.pop(code, None)
        verifier = params.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()
                                             ).rstrip(b"=").decode()
        if found is None or found[1] != challenge:
            return FakeResponse.json({"error": {"message": "Invalid verification code format.",
                                                "type": "OAuthException", "code": 100,
                                                "error_subcode": 36007}}, 400)
        if found[0] in self.revoked:  # logging in again installs the app again
            self.revoked.remove(found[0])
        return FakeResponse.json({"access_token": self.issue(found[0]),
                                  "token_type": "bearer", "expires_in": 3600})

    def _graph(self, request: FakeRequest, path: str, owner: str) -> FakeResponse:
        parts = path.split("/")
        node = owner if parts[0] == "me" else parts[0]
        edge = parts[1] if len(parts) > 1 else ""
        method = request.method
        if node == PAGE_ID and owner == "page":
            return self._page(request, edge)
        if edge == "comments" and method == "POST" and owner == "page":
            return self._deliver("comment", node, request.json()["message"], "id")
        if method == "DELETE" and not edge and owner == "page":
            for delivery in self.deliveries:
                if delivery.network_id == node and not delivery.deleted:
                    delivery.deleted = True
                    return FakeResponse.json({"success": True})
            return self._no_object(node)
        user = self.users.get(node)
        if user is None or owner != node:
            return self._no_object(node)
        if edge == "permissions":
            if method == "DELETE":
                for token, (who, _long) in list(self.tokens.items()):
                    if who == node:
                        del self.tokens[token]
                self.revoked.append(node)
                return FakeResponse.json({"success": True})
            return FakeResponse.json({"data": [
                {"permission": p, "status": "declined" if p in user.declined else "granted"}
                for p in ("public_profile", "email", "user_friends", "user_posts")]})
        if edge == "posts":
            if "user_posts" in user.declined:
                return FakeResponse.json({"error": {
                    "message": "(#10) Requires user_posts permission", "type":
                    "OAuthException", "code": 10}}, 400)
            return FakeResponse.json({"data": [{"id": f"{node}_{i}"} for i in
                                               range(min(user.posts, 100))], "paging": {}})
        if edge == "friends":
            # Only friends who also use the app (Graph API 2.0+).
            data: list[dict[str, Any]] = [{"id": f, "name": self.users[f].name}
                                          for f in user.friends
                                          if f in self.users and f not in self.revoked]
            if "context" in request.query.get("fields", ""):
                for item in data:
                    item["context"] = {"mutual_friends": {
                        "data": [], "summary": {"total_count": user.mutual.get(item["id"], 0)}}}
            if request.query.get("limit") == "0":
                data = []
            return FakeResponse.json({"data": data, "paging": {},
                                      "summary": {"total_count": len(user.friends)}})
        fields = request.query.get("fields", "id,name").split(",")
        body = {"id": user.person_id, "name": user.name, "email": user.email}
        return FakeResponse.json({k: v for k, v in body.items() if k in fields and v})

    def _page(self, request: FakeRequest, edge: str) -> FakeResponse:
        body = request.json() if request.body else {}
        if edge == "messages" and request.method == "POST":
            recipient = body.get("recipient") or {}
            kind = "private_reply" if "comment_id" in recipient else "message"
            target = recipient.get("comment_id") or recipient.get("id")
            text = (body.get("message") or {}).get("text", "")
            answer = self._deliver(kind, str(target), text, "message_id")
            return answer
        if edge == "feed" and request.method == "POST":
            return self._deliver("post", PAGE_ID, body.get("message", ""), "id")
        if edge == "feed":
            posts = [{"id": d.network_id, "message": d.text,
                      "created_time": "2031-05-17T09:30:00+0000", "from": {"id": PAGE_ID}}
                     for d in self.deliveries if d.kind == "post" and not d.deleted]
            return FakeResponse.json({"data": posts, "paging": {}})
        return self._no_object(PAGE_ID)

    def _deliver(self, kind: str, target: str, text: str, field: str) -> FakeResponse:
        network_id = (f"{PAGE_ID}_{next(self._ids)}" if kind in ("comment", "post")
                      else f"m_{secrets.token_urlsafe(12)}")
        self.deliveries.append(Delivery(network_id, kind, target, text))
        answer: dict[str, Any] = {field: network_id}
        if kind in ("message", "private_reply"):
            answer["recipient_id"] = target
        return FakeResponse.json(answer)

    @staticmethod
    def _no_object(node: str) -> FakeResponse:
        body = {"error": dict(NO_OBJECT["error"])}
        body["error"]["message"] = str(body["error"]["message"]).replace("{id}", node)
        return FakeResponse.json(body, 400)


__all__ = ["APP_ID", "APP_SECRET", "PAGE_ID", "VERSION", "Delivery", "FakeUser", "GraphFake"]
