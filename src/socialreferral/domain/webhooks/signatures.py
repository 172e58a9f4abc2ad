"""Webhook signatures and subscription handshakes for Meta, X and LinkedIn.

Every check runs on the *raw* request body (re-serialised JSON would not match the
sender's bytes) and compares with :func:`hmac.compare_digest`, so the time taken does
not reveal how many leading characters of a forged signature were right.

=========  ==================================  ===========================================
network    POST header                         value
=========  ==================================  ===========================================
meta       ``X-Hub-Signature-256``             ``sha256=<hex HMAC-SHA256(app_secret, body)>``
x          ``x-twitter-webhooks-signature``    ``sha256=<base64 HMAC-SHA256(consumer_secret,
                                               body)>``
linkedin   ``X-LI-Signature``                  ``<hex HMAC-SHA256(client_secret, body)>``
                                               (an ``hmacsha256=`` prefix is accepted)
=========  ==================================  ===========================================

Handshakes: Meta echoes ``hub.challenge`` when ``hub.verify_token`` matches; X answers a
``crc_token`` with ``{"response_token": "sha256=<base64 HMAC>"}``; LinkedIn answers a
``challengeCode`` with ``{"challengeCode": ..., "challengeResponse": <hex HMAC>}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from socialreferral.errors import InvalidInput, SignatureInvalid

META_SIGNATURE_HEADER = "X-Hub-Signature-256"
X_SIGNATURE_HEADER = "x-twitter-webhooks-signature"
LINKEDIN_SIGNATURE_HEADER = "X-LI-Signature"

_MAX_SIGNATURE_CHARS = 512


def _key(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not key:
        # An empty secret would make every attacker's HMAC "valid"; refuse loudly.
        raise InvalidInput("webhook secret is empty", field="secret")
    return key


def _hmac(secret: str | bytes, data: bytes) -> bytes:
    return hmac.new(_key(secret), data, hashlib.sha256).digest()


def header(headers: Mapping[str, str], name: str) -> str:
    """The value of header ``name`` (case-insensitive); ``SignatureInvalid`` if absent."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            value = value.strip()
            if not value:
                break
            if len(value) > _MAX_SIGNATURE_CHARS:
                raise SignatureInvalid("header value too long", field=name)
            return value
    raise SignatureInvalid("signature header missing", field=name)


def _prefixed(value: str, prefix: str, name: str) -> str:
    if not value.lower().startswith(prefix):
        raise SignatureInvalid(f"malformed signature header (expected {prefix}...)", field=name)
    return value[len(prefix) :]


def _hex(text: str, name: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError as exc:
        raise SignatureInvalid("malformed signature header (not hex)", field=name) from exc


def _check(expected: bytes, given: bytes, name: str) -> None:
    if not hmac.compare_digest(expected, given):
        raise SignatureInvalid("signature does not match the body", field=name)


def verify_meta_signature(
    raw_body: bytes, headers: Mapping[str, str], app_secret: str | bytes
) -> None:
    """Raise ``SignatureInvalid`` unless ``X-Hub-Signature-256`` signs ``raw_body``."""
    name = META_SIGNATURE_HEADER
    given = _hex(_prefixed(header(headers, name), "sha256=", name), name)
    _check(_hmac(app_secret, raw_body), given, name)


def verify_x_signature(
    raw_body: bytes, headers: Mapping[str, str], consumer_secret: str | bytes
) -> None:
    """Raise ``SignatureInvalid`` unless ``x-twitter-webhooks-signature`` signs ``raw_body``."""
    name = X_SIGNATURE_HEADER
    encoded = _prefixed(header(headers, name), "sha256=", name)
    try:
        given = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureInvalid("malformed signature header (not base64)", field=name) from exc
    _check(_hmac(consumer_secret, raw_body), given, name)


def verify_linkedin_signature(
    raw_body: bytes, headers: Mapping[str, str], client_secret: str | bytes
) -> None:
    """Raise ``SignatureInvalid`` unless ``X-LI-Signature`` (hex HMAC) signs ``raw_body``."""
    name = LINKEDIN_SIGNATURE_HEADER
    value = header(headers, name)
    if value.lower().startswith("hmacsha256="):
        value = value[len("hmacsha256=") :]
    _check(_hmac(client_secret, raw_body), _hex(value, name), name)


_VERIFIERS = {
    "meta": verify_meta_signature,
    "facebook": verify_meta_signature,
    "instagram": verify_meta_signature,
    "x": verify_x_signature,
    "twitter": verify_x_signature,
    "linkedin": verify_linkedin_signature,
}


def verify_signature(
    network: str, raw_body: bytes, headers: Mapping[str, str], secret: str | bytes
) -> None:
    """Dispatch to the verifier for ``network`` (meta/facebook/instagram, x/twitter, linkedin)."""
    try:
        verifier = _VERIFIERS[network.lower()]
    except KeyError:
        raise InvalidInput(
            f"no webhook signature scheme for {network!r}", field="network"
        ) from None
    verifier(raw_body, headers, secret)


def meta_handshake(query: Mapping[str, str], verify_token: str) -> str:
    """The body to answer Meta's subscription GET with: the echoed ``hub.challenge``.

    ``SignatureInvalid`` (naming the parameter) if the mode is not ``subscribe``, the
    challenge is missing, or the verify token does not match (compared in constant time).
    """
    if not verify_token:
        raise InvalidInput("verify token is empty", field="verify_token")
    if query.get("hub.mode") != "subscribe":
        raise SignatureInvalid("expected hub.mode=subscribe", field="hub.mode")
    challenge = query.get("hub.challenge")
    if not challenge:
        raise SignatureInvalid("challenge missing", field="hub.challenge")
    # The challenge is echoed verbatim: keep it short and printable so the echo cannot
    # carry markup or header injection (the web layer should also answer text/plain).
    if len(challenge) > 256 or not challenge.isprintable() or "<" in challenge:
        raise SignatureInvalid("challenge malformed", field="hub.challenge")
    given = query.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode("utf-8"), verify_token.encode("utf-8")):
        raise SignatureInvalid("verify token does not match", field="hub.verify_token")
    return challenge


def x_crc_response(crc_token: str, consumer_secret: str | bytes) -> dict[str, str]:
    """X's challenge-response check: ``{"response_token": "sha256=<base64 HMAC>"}``."""
    if not crc_token:
        raise InvalidInput("crc_token missing", field="crc_token")
    digest = _hmac(consumer_secret, crc_token.encode("utf-8"))
    return {"response_token": "sha256=" + base64.b64encode(digest).decode("ascii")}


def linkedin_challenge_response(challenge_code: str, client_secret: str | bytes) -> dict[str, str]:
    """LinkedIn's endpoint validation: echo the code with its hex HMAC."""
    if not challenge_code:
        raise InvalidInput("challengeCode missing", field="challengeCode")
    digest = _hmac(client_secret, challenge_code.encode("utf-8"))
    return {"challengeCode": challenge_code, "challengeResponse": digest.hex()}


__all__ = [
    "LINKEDIN_SIGNATURE_HEADER",
    "META_SIGNATURE_HEADER",
    "X_SIGNATURE_HEADER",
    "header",
    "linkedin_challenge_response",
    "meta_handshake",
    "verify_linkedin_signature",
    "verify_meta_signature",
    "verify_signature",
    "verify_x_signature",
    "x_crc_response",
]
