"""A fake of LinkedIn's Community Management API and Sign In with LinkedIn (OpenID
Connect), for the real ``linkedin-api-client`` and Authlib.

Serve ``LoopbackServer(LinkedInFake())`` and set ``[linkedin] api_url`` and
``oauth_url`` (its URL + ``/oauth/v2``). Shapes from LinkedIn's documentation on Microsoft
Learn (``tests/fixtures/linkedin/`` keeps them, with sources):

* OAuth: ``GET /oauth/v2/authorization`` answers the redirect a member's consent produces
  (``code`` + ``state``, or ``error=user_cancelled_login`` after
  :meth:`LinkedInFake.deny_next`); ``POST /oauth/v2/accessToken`` (client credentials in
  the form; PKCE verifier checked when a challenge was sent; ``scope`` comma-separated,
  minus ``login_declines``); ``POST /oauth/v2/revoke``; ``GET /v2/userinfo``;
* ``POST /rest/posts`` (``x-restli-id: urn:li:share:<n>``),
  ``POST /rest/socialActions/{urn}/comments`` (the comment with its ``$URN``),
  ``DELETE /rest/socialActions/{urn}/comments/{id}?actor=``; Rest.li headers
  (``X-Restli-Protocol-Version: 2.0.0``, ``LinkedIn-Version``) are required;
* faults: :meth:`LinkedInFake.throttle` (429), :meth:`LinkedInFake.expire` (401
  ``EXPIRED_ACCESS_TOKEN``).

Not covered: organisation-admin role checks (any token may act for the organisation),
mentions and rich media, comment edits, member data beyond ``userinfo``, per-resource
daily quotas, the ``id_token`` JWT of OpenID Connect (the adapter reads ``userinfo``).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlencode

from socialreferral.testing.vendor_fakes.server import FakeRequest, FakeResponse

CLIENT_ID = "86fakeclientid"
CLIENT_SECRET = "fake-linkedin-client-secret"
ORGANIZATION_ID = "2414183"

#: Documented error bodies (tests/fixtures/linkedin/ keeps them with their sources).
EXPIRED = {"status": 401, "serviceErrorCode": 65601, "code": "EXPIRED_ACCESS_TOKEN",
           "message": "The token used in the request has expired"}
THROTTLED = {"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS",
             "message": "Resource level throttle APPLICATION DAY limit for calls to this "
                        "resource is reached."}


@dataclass
class Member:
    sub: str
    name: str
    email: str | None = None


@dataclass
class LinkedInDelivery:
    """What the organisation published: a post or a comment."""

    urn: str
    kind: str  # "post" or "comment"
    target: str  # the organisation (posts) or the object commented on
    text: str
    deleted: bool = False


class LinkedInFake:
    """In-memory LinkedIn: members, tokens, the organisation's posts and comments."""

    def __init__(self) -> None:
        self.members: dict[str, Member] = {}
        self.tokens: dict[str, tuple[str, bool]] = {}  # token -> (owner, expired)
        self.codes: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        self.deliveries: list[LinkedInDelivery] = []
        self.revoked: list[str] = []
        self.login_user: str | None = None
        self.login_declines: tuple[str, ...] = ()
        self._deny_next = False
        self._faults: list[FakeResponse] = []
        self._ids = itertools.count(7_100_000_000_000_000_001)
        self._lock = threading.RLock()

    def add_member(self, member: Member) -> None:
        with self._lock:
            self.members[member.sub] = member

    def issue(self, owner: str) -> str:
        token = "AQ" + secrets.token_urlsafe(30)
        with self._lock:
            self.tokens[token] = (owner, False)
        return token

    def deny_next(self) -> None:
        self._deny_next = True

    def throttle(self, times: int = 1, retry_after: int | None = None) -> None:
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        with self._lock:
            self._faults.extend([FakeResponse.json(THROTTLED, 429, headers)] * times)

    def expire(self, owner: str) -> None:
        with self._lock:
            for token, (who, _) in list(self.tokens.items()):
                if who == owner:
                    self.tokens[token] = (who, True)

    def delivered(self) -> list[LinkedInDelivery]:
        with self._lock:
            return [d for d in self.deliveries if not d.deleted]

    # -- dispatch ------------------------------------------------------------------
    def __call__(self, request: FakeRequest) -> FakeResponse:
        path = unquote(request.path)
        with self._lock:
            if path == "/oauth/v2/authorization":
                return self._authorize(request)
            if path == "/oauth/v2/accessToken":
                return self._access_token(request)
            if path == "/oauth/v2/revoke":
                form = request.form()
                if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID,
                                                                         CLIENT_SECRET):
                    return FakeResponse.json({"error": "invalid_client"}, 401)
                held = self.tokens.pop(form.get("token", ""), None)
                if held is not None:
                    self.revoked.append(held[0])
                return FakeResponse(200)
            if self._faults:
                return self._faults.pop(0)
            bearer = request.headers.get("authorization", "")
            held = self.tokens.get(bearer[7:]) if bearer.startswith("Bearer ") else None
            if held is None:
                return FakeResponse.json(dict(EXPIRED, code="REVOKED_ACCESS_TOKEN",
                                              serviceErrorCode=65602, message="The token "
                                              "used in the request has been revoked by the "
                                              "user"), 401)
            if held[1]:
                return FakeResponse.json(EXPIRED, 401)
            if path == "/v2/userinfo":
                member = self.members.get(held[0])
                if member is None:
                    return FakeResponse.json({"status": 404, "message": "Not found"}, 404)
                body: dict[str, Any] = {"sub": member.sub, "name": member.name,
                                        "given_name": member.name.split()[0],
                                        "family_name": member.name.split()[-1],
                                        "locale": {"country": "US", "language": "en"},
                                        "picture": "https://media.licdn.com/fake.jpg"}
                if member.email:
                    body.update(email=member.email, email_verified=True)
                return FakeResponse.json(body)
            if request.headers.get("x-restli-protocol-version") != "2.0.0" or not \
                    request.headers.get("linkedin-version"):
                return FakeResponse.json({"status": 400, "code": "VERSION_MISSING",
                                          "message": "A version must be present"}, 400)
            return self._rest(request, path)

    def _authorize(self, request: FakeRequest) -> FakeResponse:
        q = request.query
        redirect = q.get("redirect_uri", "")
        if q.get("client_id") != CLIENT_ID or not redirect or q.get("response_type") != "code":
            return FakeResponse(400, b"invalid client_id or redirect_uri")
        if self._deny_next or self.login_user is None:
            self._deny_next = False
            refusal = urlencode({"error": "user_cancelled_login",
                                 "error_description": "The user cancelled LinkedIn login",
                                 "state": q.get("state", "")})
            return FakeResponse(302, b"", {"Location": f"{redirect}?{refusal}"})
        scopes = tuple(s for s in q.get("scope", "").split() if s not in self.login_declines)
        code = "AQT" + secrets.token_urlsafe(20)
        self.codes[code] = (self.login_user, q.get("code_challenge", ""), scopes)
        query = urlencode({"code": code, "state": q.get("state", "")})
        return FakeResponse(302, b"", {"Location": f"{redirect}?{query}"})

    def _access_token(self, request: FakeRequest) -> FakeResponse:
        form = request.form()
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return FakeResponse.json({"error": "invalid_client", "error_description":
                                      "Client authentication failed"}, 401)
        found = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()
                                             ).rstrip(b"=").decode()
        if found is None or (found[1] and found[1] != challenge):
            return FakeResponse.json({"error": "invalid_request", "error_description":
                                      "Unable to retrieve access token: appid/redirect uri/"
                                      "code verifier does not match authorization code. Or "
                                      "authorization code expired."}, 400)
        return FakeResponse.json({"access_token": self.issue(found[0]), "expires_in": 5184000,
                                  "scope": ",".join(found[2]), "token_type": "Bearer"})

    def _rest(self, request: FakeRequest, path: str) -> FakeResponse:
        parts = path.split("/")  # "", "rest", resource, ...
        if parts[2:] == ["posts"] and request.method == "POST":
            body = request.json() or {}
            urn = f"urn:li:share:{next(self._ids)}"
            self.deliveries.append(LinkedInDelivery(urn, "post", str(body.get("author")),
                                                    str(body.get("commentary", ""))))
            return FakeResponse(201, b"", {"x-restli-id": urn})
        if len(parts) == 5 and parts[2] == "socialActions" and parts[4] == "comments" \
                and request.method == "POST":
            body = request.json() or {}
            target = parts[3]
            comment_id = str(next(self._ids))
            urn = f"urn:li:comment:({target},{comment_id})"
            text = str((body.get("message") or {}).get("text", ""))
            self.deliveries.append(LinkedInDelivery(urn, "comment", target, text))
            return FakeResponse.json({
                "actor": body.get("actor"), "object": target, "id": comment_id,
                "$URN": urn, "message": {"text": text, "attributes": []},
                "created": {"actor": body.get("actor"), "time": 1700000000000}},
                201, {"x-restli-id": comment_id})
        if len(parts) == 6 and parts[2] == "socialActions" and parts[4] == "comments" \
                and request.method == "DELETE":
            urn = f"urn:li:comment:({parts[3]},{parts[5]})"
            for delivery in self.deliveries:
                if delivery.urn == urn and not delivery.deleted:
                    delivery.deleted = True
                    return FakeResponse(204)
            return FakeResponse.json({"status": 404, "code": "NOT_FOUND",
                                      "message": "Comment not found"}, 404)
        return FakeResponse.json({"status": 404, "message": "No resource found"}, 404)


__all__ = ["CLIENT_ID", "CLIENT_SECRET", "ORGANIZATION_ID", "LinkedInDelivery",
           "LinkedInFake", "Member"]
