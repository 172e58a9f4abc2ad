"""Inbound webhook channels: one module per network, registered through a plugin hook.

==========  =================================================  ============================
channel     signature                                          handshake (GET)
==========  =================================================  ============================
meta        ``X-Hub-Signature-256: sha256=<hex HMAC>``          ``hub.challenge`` echo
generic     ``X-Hub-Signature-256: sha256=<hex HMAC>`` (WebSub)  none
==========  =================================================  ============================

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
from socialreferral.channels.meta import MetaChannel

BUILTIN_CHANNELS: tuple[type[WebhookChannel], ...] = (MetaChannel, GenericChannel)
"""The channels the built-in ``core`` plugin registers."""

__all__ = [
    "BUILTIN_CHANNELS",
    "MAX_CHANGES_PER_DELIVERY",
    "GenericChannel",
    "HandshakeReply",
    "MetaChannel",
    "RejectedItem",
    "SecretLookup",
    "WebhookBatch",
    "WebhookChannel",
]
