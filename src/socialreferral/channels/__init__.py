"""Inbound webhook channels: one module per network, registered through a plugin hook.

=========  =========================================  =====================================
channel    signature (POST), secret                   handshake (GET)
=========  =========================================  =====================================
meta       ``X-Hub-Signature-256: sha256=<hex>``;     ``hub.challenge`` echoed (text) when
           ``meta-app-secret``                        ``hub.verify_token`` matches
                                                      ``meta-verify-token``
x          ``x-twitter-webhooks-signature:            ``?crc_token=`` → JSON
           sha256=<base64>``; ``x-consumer-secret``   ``{"response_token": "sha256=…"}``
linkedin   ``X-LI-Signature: <hex>`` over             ``?challengeCode=`` → JSON
           ``"hmacsha256=" + body``;                  ``{"challengeCode",
           ``linkedin-client-secret``                 "challengeResponse"}``
generic    ``X-Hub-Signature-256: sha256=<hex>``      none
           (WebSub); ``generic-webhook-secret``
=========  =========================================  =====================================

Every signature is an HMAC-SHA256 of the raw request body under the named secret, checked
in constant time; the web app serves ``GET``/``POST /webhooks/<channel>`` for each
registered channel (``meta`` events belong to the network ``facebook``, the others to the
network of their own name). ``docs/webhooks.md`` tells how to set each network up.

A plugin adds a network with ``register_channels(register)``: ``register(MyChannel())``
where ``MyChannel`` subclasses :class:`WebhookChannel`.
"""

from socialreferral.channels._base import HandshakeReply, SecretLookup, WebhookChannel
from socialreferral.channels._parsing import (
    MAX_CHANGES_PER_DELIVERY,
    RejectedItem,
    WebhookBatch,
)
from socialreferral.channels.generic import GenericChannel
from socialreferral.channels.linkedin import LinkedInChannel
from socialreferral.channels.meta import MetaChannel
from socialreferral.channels.x import XChannel

BUILTIN_CHANNELS: tuple[type[WebhookChannel], ...] = (
    MetaChannel, XChannel, LinkedInChannel, GenericChannel)
"""The channels the built-in ``core`` plugin registers."""

__all__ = [
    "BUILTIN_CHANNELS",
    "MAX_CHANGES_PER_DELIVERY",
    "GenericChannel",
    "HandshakeReply",
    "LinkedInChannel",
    "MetaChannel",
    "RejectedItem",
    "SecretLookup",
    "WebhookBatch",
    "WebhookChannel",
    "XChannel",
]
