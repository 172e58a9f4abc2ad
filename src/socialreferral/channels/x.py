"""X (Twitter) Account Activity webhooks: CRC handshake and signature.

=================================  ===========================================================
POST header                        ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(
                                   consumer_secret, raw body)>``
GET ``?crc_token=…``               ``{"response_token": "sha256=<base64 HMAC-SHA256(
                                   consumer_secret, crc_token)>"}``
=================================  ===========================================================
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from socialreferral.channels._signatures import (
    base64_digest,
    check_digest,
    header,
    hmac_sha256,
    prefixed,
)
from socialreferral.errors import InvalidInput

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
CONSUMER_SECRET = "x-consumer-secret"


def verify_x_signature(raw_body: bytes, headers: Mapping[str, str],
                       consumer_secret: str | bytes) -> None:
    """Raise ``SignatureInvalid`` unless ``x-twitter-webhooks-signature`` signs ``raw_body``."""
    encoded = prefixed(header(headers, SIGNATURE_HEADER), "sha256=", SIGNATURE_HEADER)
    check_digest(hmac_sha256(consumer_secret, raw_body),
                 base64_digest(encoded, SIGNATURE_HEADER), SIGNATURE_HEADER)


def x_crc_response(crc_token: str, consumer_secret: str | bytes) -> dict[str, str]:
    """X's challenge-response check: ``{"response_token": "sha256=<base64 HMAC>"}``."""
    if not crc_token:
        raise InvalidInput("crc_token missing", field="crc_token")
    digest = hmac_sha256(consumer_secret, crc_token.encode("utf-8", "surrogatepass"))
    return {"response_token": "sha256=" + base64.b64encode(digest).decode("ascii")}


__all__ = ["CONSUMER_SECRET", "SIGNATURE_HEADER", "verify_x_signature", "x_crc_response"]
