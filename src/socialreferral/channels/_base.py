"""What a webhook channel is: one social network's inbound side, declared in one module.

A channel declares the secrets it needs (by SecretStore name), answers its network's
subscription handshake, checks a delivery's signature on the raw body, and normalises the
body into :class:`~socialreferral.domain.social.SocialEvent`\\ s. Channels are pure: the
application looks their secrets up and hands them in, so a channel never touches a port.

Built-in channels (``meta``, ``x``, ``linkedin``, ``generic``) register through the same
``register_channels`` plugin hook as a third-party network would; the web app serves
``GET``/``POST /webhooks/{name}`` for every registered channel.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from socialreferral.channels._parsing import WebhookBatch
from socialreferral.errors import InvalidInput

SecretLookup = Callable[[str], str]
"""``lookup(secret_name) -> value``; raises ``ChannelNotConfigured`` when it is missing."""


@dataclass(frozen=True, slots=True)
class HandshakeReply:
    """What to answer a subscription handshake with."""

    body: str
    media_type: str = "text/plain"


class WebhookChannel(ABC):
    """One network's inbound webhooks (see the module docstring).

    Subclasses set :attr:`name` (the URL segment, lower case), :attr:`network` (the
    network their events belong to) and :attr:`signing_secret` (the SecretStore name of
    the key deliveries are signed with), and implement :meth:`verify` and :meth:`parse`;
    a network with a subscription handshake overrides :meth:`handshake`.
    """

    name: ClassVar[str]
    network: ClassVar[str]
    signing_secret: ClassVar[str]
    #: Every SecretStore name the channel reads (documentation and `secrets list`).
    secret_names: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def verify(self, raw_body: bytes, headers: Mapping[str, str], secret: str) -> None:
        """Raise ``SignatureInvalid`` unless ``headers`` sign ``raw_body`` with ``secret``
        (compared in constant time)."""

    @abstractmethod
    def parse(self, raw_body: bytes) -> WebhookBatch:
        """Normalise a verified delivery; ``InvalidInput`` if it is not one at all, bad
        entries reported in the batch's ``rejected`` with their JSON path."""

    def handshake(self, query: Mapping[str, str], secret: SecretLookup) -> HandshakeReply:
        """Answer the network's subscription check (GET). Default: the network has none."""
        raise InvalidInput(f"the {self.name} channel has no subscription handshake",
                           field="query")

    def describe(self) -> str:
        """One line for listings: name, network and secrets."""
        names = ", ".join(self.secret_names or (self.signing_secret,))
        return f"{self.name} ({self.network}): secrets {names}"


__all__ = ["HandshakeReply", "SecretLookup", "WebhookChannel"]
