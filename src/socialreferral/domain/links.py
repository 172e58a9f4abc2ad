"""Signed, expiring referral links.

A token is ``base64url(payload JSON) "." base64url(HMAC-SHA256(key, payload segment))``
without padding; the payload is ``{"v": 1, "kid": key id, "rid": referral id, "exp": unix
seconds}``. It is compact enough for a URL query parameter and needs no library.

Keys rotate: tokens carry the id of the key that signed them, verification takes every key
still accepted (``{key_id: key}``), so a new key can sign while links signed with the old
one keep working until the old key is removed.

Verification checks the signature before it believes anything in the payload except the
key id, and only then the expiry, so a forged token is always "signature mismatch",
never "expired".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime

from pydantic import AwareDatetime

from socialreferral.domain._base import DomainModel
from socialreferral.domain._time import require_aware
from socialreferral.errors import InvalidInput, SignatureInvalid

REFERRAL_PATH = "/referrals/{token}"
"""Where the web app serves a referral link's landing page (links are built from it)."""

_VERSION = 1
_MIN_KEY_BYTES = 16
_MAX_TOKEN_CHARS = 2048


class LinkClaims(DomainModel):
    """What a verified token says."""

    referral_id: str
    expires_at: AwareDatetime
    key_id: str


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.b64decode(padded, altchars=b"-_", validate=True)


def _mac(key: bytes, signed: str) -> bytes:
    return hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest()


def referral_url(public_base_url: str, token: str) -> str:
    """The link a prospect follows: ``<public base URL>/referrals/<token>``."""
    return public_base_url.rstrip("/") + REFERRAL_PATH.format(token=token)


def sign_referral_token(referral_id: str, expires_at: datetime, key: bytes, key_id: str) -> str:
    """A URL-safe token for ``referral_id`` valid until ``expires_at`` (whole seconds)."""
    require_aware(expires_at, "expires_at")
    if len(key) < _MIN_KEY_BYTES:
        raise InvalidInput(f"signing key must have at least {_MIN_KEY_BYTES} bytes", field="key")
    if not key_id or not referral_id:
        raise InvalidInput("key_id and referral_id must not be empty", field="key_id")
    payload = {
        "v": _VERSION,
        "kid": key_id,
        "rid": referral_id,
        "exp": int(expires_at.timestamp()),
    }
    body = _b64encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_b64encode(_mac(key, body))}"


def verify_referral_token(token: str, keys: Mapping[str, bytes], now: datetime) -> LinkClaims:
    """The claims of a genuine, unexpired token; ``SignatureInvalid`` otherwise.

    The message says which check failed: "malformed token", "unknown key id",
    "signature mismatch" or "token expired".
    """
    require_aware(now)
    if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS or token.count(".") != 1:
        raise SignatureInvalid("malformed token", field="token")
    body, signature = token.split(".")
    try:
        payload = json.loads(_b64decode(body))
        given = _b64decode(signature)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise SignatureInvalid("malformed token", field="token") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("kid"), str):
        raise SignatureInvalid("malformed token", field="token")
    key = keys.get(payload["kid"])
    if key is None:
        raise SignatureInvalid("unknown key id", field="token")
    if not hmac.compare_digest(_mac(key, body), given):
        raise SignatureInvalid("signature mismatch", field="token")
    rid, exp = payload.get("rid"), payload.get("exp")
    if payload.get("v") != _VERSION or not isinstance(rid, str) or not rid:
        raise SignatureInvalid("malformed token", field="token")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise SignatureInvalid("malformed token", field="token")
    try:
        expires_at = datetime.fromtimestamp(exp, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise SignatureInvalid("malformed token", field="token") from exc
    if now >= expires_at:
        raise SignatureInvalid("token expired", field="token")
    return LinkClaims(referral_id=rid, expires_at=expires_at, key_id=payload["kid"])


__all__ = [
    "REFERRAL_PATH",
    "LinkClaims",
    "referral_url",
    "sign_referral_token",
    "verify_referral_token",
]
