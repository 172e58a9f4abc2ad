"""HMAC helpers shared by the channels' signature checks and handshakes.

Every check runs on the *raw* request body (re-serialised JSON would not match the
sender's bytes) and compares with :func:`hmac.compare_digest`, so the time taken does not
reveal how many leading characters of a forged signature were right. Each network's
scheme (header, encoding, prefix) is declared in its own channel module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from socialreferral.errors import InvalidInput, SignatureInvalid

MAX_SIGNATURE_CHARS = 512


def _key(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not key:
        # An empty secret would make every attacker's HMAC "valid"; refuse loudly.
        raise InvalidInput("webhook secret is empty", field="secret")
    return key


def hmac_sha256(secret: str | bytes, data: bytes) -> bytes:
    """HMAC-SHA256 of ``data`` under ``secret`` (an empty secret is refused)."""
    return hmac.new(_key(secret), data, hashlib.sha256).digest()


def header(headers: Mapping[str, str], name: str) -> str:
    """The value of header ``name`` (case-insensitive); ``SignatureInvalid`` if absent,
    empty or longer than any signature."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            value = value.strip()
            if not value:
                break
            if len(value) > MAX_SIGNATURE_CHARS:
                raise SignatureInvalid("header value too long", field=name)
            return value
    raise SignatureInvalid("signature header missing", field=name)


def prefixed(value: str, prefix: str, name: str) -> str:
    """``value`` without ``prefix`` (case-insensitive); ``SignatureInvalid`` if absent."""
    if not value.lower().startswith(prefix):
        raise SignatureInvalid(f"malformed signature header (expected {prefix}...)", field=name)
    return value[len(prefix):]


def hex_digest(text: str, name: str) -> bytes:
    """Bytes of a hex signature; ``SignatureInvalid`` naming header ``name`` if not hex."""
    try:
        return bytes.fromhex(text)
    except ValueError as exc:
        raise SignatureInvalid("malformed signature header (not hex)", field=name) from exc


def base64_digest(text: str, name: str) -> bytes:
    """Bytes of a base64 signature; ``SignatureInvalid`` if not base64."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureInvalid("malformed signature header (not base64)", field=name) from exc


def check_digest(expected: bytes, given: bytes, name: str) -> None:
    """Constant-time comparison; ``SignatureInvalid`` naming the header on mismatch."""
    if not hmac.compare_digest(expected, given):
        raise SignatureInvalid("signature does not match the body", field=name)


__all__ = [
    "MAX_SIGNATURE_CHARS",
    "base64_digest",
    "check_digest",
    "header",
    "hex_digest",
    "hmac_sha256",
    "prefixed",
]
