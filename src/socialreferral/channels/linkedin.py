"""LinkedIn webhooks: endpoint validation (challenge) and signature.

=================================  ===========================================================
POST header                        ``X-LI-Signature: <hex HMAC-SHA256(client_secret, raw body)>``
                                   (an ``hmacsha256=`` prefix is accepted)
GET ``?challengeCode=…``           ``{"challengeCode": …, "challengeResponse": <hex HMAC-SHA256(
                                   client_secret, challengeCode)>}``
=================================  ===========================================================
"""

from __future__ import annotations

from collections.abc import Mapping

from socialreferral.channels._signatures import check_digest, header, hex_digest, hmac_sha256
from socialreferral.errors import InvalidInput

SIGNATURE_HEADER = "X-LI-Signature"
CLIENT_SECRET = "linkedin-client-secret"


def verify_linkedin_signature(raw_body: bytes, headers: Mapping[str, str],
                              client_secret: str | bytes) -> None:
    """Raise ``SignatureInvalid`` unless ``X-LI-Signature`` (hex HMAC) signs ``raw_body``."""
    value = header(headers, SIGNATURE_HEADER)
    if value.lower().startswith("hmacsha256="):
        value = value[len("hmacsha256="):]
    check_digest(hmac_sha256(client_secret, raw_body), hex_digest(value, SIGNATURE_HEADER),
                 SIGNATURE_HEADER)


def linkedin_challenge_response(challenge_code: str,
                                client_secret: str | bytes) -> dict[str, str]:
    """LinkedIn's endpoint validation: echo the code with its hex HMAC."""
    if not challenge_code:
        raise InvalidInput("challengeCode missing", field="challengeCode")
    digest = hmac_sha256(client_secret, challenge_code.encode("utf-8", "surrogatepass"))
    return {"challengeCode": challenge_code, "challengeResponse": digest.hex()}


__all__ = ["CLIENT_SECRET", "SIGNATURE_HEADER", "linkedin_challenge_response",
           "verify_linkedin_signature"]
