"""Inbound webhooks: signature checks, handshakes and normalisation to ``SocialEvent``.

Pure functions over the raw body and headers; the web layer hands them bytes and a header
mapping and turns :class:`~socialreferral.errors.SignatureInvalid` into HTTP 401/403 and
:class:`~socialreferral.errors.InvalidInput` into 400.
"""

from socialreferral.domain.webhooks.batch import (
    MAX_CHANGES_PER_DELIVERY,
    RejectedItem,
    WebhookBatch,
)
from socialreferral.domain.webhooks.generic import parse_generic_webhook
from socialreferral.domain.webhooks.meta import parse_meta_webhook
from socialreferral.domain.webhooks.signatures import (
    LINKEDIN_SIGNATURE_HEADER,
    META_SIGNATURE_HEADER,
    X_SIGNATURE_HEADER,
    header,
    linkedin_challenge_response,
    meta_handshake,
    verify_linkedin_signature,
    verify_meta_signature,
    verify_signature,
    verify_x_signature,
    x_crc_response,
)

__all__ = [
    "LINKEDIN_SIGNATURE_HEADER",
    "MAX_CHANGES_PER_DELIVERY",
    "META_SIGNATURE_HEADER",
    "X_SIGNATURE_HEADER",
    "RejectedItem",
    "WebhookBatch",
    "header",
    "linkedin_challenge_response",
    "meta_handshake",
    "parse_generic_webhook",
    "parse_meta_webhook",
    "verify_linkedin_signature",
    "verify_meta_signature",
    "verify_signature",
    "verify_x_signature",
    "x_crc_response",
]
