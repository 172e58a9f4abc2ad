"""Security headers on every response, and the CSRF tokens of every form.

**Headers** (:class:`SecurityHeadersMiddleware`, pure ASGI, so the edge's own 413/429
answers carry them too): a Content-Security-Policy that allows scripts, styles, images
and fetches from this origin only — no inline script or style, no ``eval``, no plugin,
no ``<base>`` — and ``frame-ancestors 'none'`` (with ``X-Frame-Options: DENY`` for old
browsers); ``X-Content-Type-Options: nosniff``; ``Referrer-Policy: no-referrer``
(a referral link carries its token in the path: it must not leak to another site);
``Cross-Origin-Opener-Policy``, ``Permissions-Policy``; and HSTS when the app is reached
over TLS (``[web] public_base_url`` starts with ``https://``; the proxy in front
terminates TLS and must forward to this app only).

**CSRF** (:class:`CsrfTokens`): synchronizer tokens. A logged-in operator's forms carry
the random token stored in their server-side session; pages without a session (login,
the prospect's lead form) use a signed double-submit token: a random nonce in an
HttpOnly, SameSite=Strict cookie and, in the form, HMAC-SHA256(key, nonce | purpose), so
a token is valid only with the browser's own cookie and only for the form it was made
for. The key is the SecretStore secret ``console-csrf-key`` (made on first use).
Every comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as pysecrets
from collections.abc import Mapping

from socialreferral.errors import SecretNotFound, SignatureInvalid
from socialreferral.ports import SecretStore
from socialreferral.web.edge import ASGIApp, Message, Receive, Scope, Send

CSRF_KEY_SECRET = "console-csrf-key"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'",
    "base-uri 'none'", "object-src 'none'", "manifest-src 'self'",
))
"""The one policy of the app (``data:`` images: Swagger UI's icons are data URIs)."""
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(*, tls: bool) -> list[tuple[bytes, bytes]]:
    """The headers added to every response (HSTS only behind TLS)."""
    headers = {
        "content-security-policy": CONTENT_SECURITY_POLICY,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    if tls:
        headers["strict-transport-security"] = HSTS
    return [(k.encode(), v.encode()) for k, v in headers.items()]


class SecurityHeadersMiddleware:
    """Add :func:`security_headers` to every HTTP response (module docstring)."""

    def __init__(self, app: ASGIApp, *, tls: bool) -> None:
        self.app = app
        self.headers = security_headers(tls=tls)
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", ()) if k.lower()
                        not in self.names]
                message["headers"] = kept + self.headers
            await send(message)

        await self.app(scope, receive, with_headers)


class CsrfTokens:
    """Issues and checks CSRF tokens (module docstring)."""

    def __init__(self, secrets: SecretStore) -> None:
        self._secrets = secrets
        self._key: bytes | None = None

    def key(self) -> bytes:
        """The HMAC key (read once; created in the SecretStore on first use)."""
        if self._key is None:
            try:
                value = self._secrets.get_value(CSRF_KEY_SECRET)
            except SecretNotFound:
                value = self._secrets.set(CSRF_KEY_SECRET, pysecrets.token_urlsafe(32)).value
            self._key = value.encode("utf-8")
        return self._key

    @staticmethod
    def new_nonce() -> str:
        """A fresh random nonce for the double-submit cookie."""
        return pysecrets.token_urlsafe(24)

    def for_nonce(self, nonce: str, purpose: str) -> str:
        """The form token bound to the cookie ``nonce`` and to ``purpose``."""
        mac = hmac.new(self.key(), f"{nonce}|{purpose}".encode(), hashlib.sha256)
        return mac.hexdigest()

    def check_nonce(self, nonce: str | None, purpose: str, given: str | None) -> None:
        """``SignatureInvalid`` unless ``given`` is the token for ``nonce`` and ``purpose``."""
        if not nonce or not given or len(nonce) > 64 or len(given) > 128:
            raise SignatureInvalid("the form's security token is missing; reload the page "
                                   "and send it again", field=CSRF_FIELD)
        if not hmac.compare_digest(self.for_nonce(nonce, purpose), given):
            raise SignatureInvalid("the form's security token is wrong; reload the page "
                                   "and send it again", field=CSRF_FIELD)

    @staticmethod
    def check_session(expected: str, form: Mapping[str, str],
                      headers: Mapping[str, str]) -> None:
        """``SignatureInvalid`` unless the form field or the ``X-CSRF-Token`` header holds
        the session's token."""
        given = form.get(CSRF_FIELD) or headers.get(CSRF_HEADER) or ""
        if not given or len(given) > 128 or not hmac.compare_digest(
                given.encode(), expected.encode()):
            raise SignatureInvalid("the form's security token is missing or wrong; reload "
                                   "the page and send it again", field=CSRF_FIELD)


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "CSRF_KEY_SECRET",
    "HSTS",
    "CsrfTokens",
    "SecurityHeadersMiddleware",
    "security_headers",
]
