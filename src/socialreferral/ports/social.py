"""The SocialChannel port: send to people, read consenting customers' data."""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.ports._base import Adapter, RetryPolicy


# ======================================================================================
# SocialChannel
# ======================================================================================
class SocialChannel(Adapter):
    """One social network as seen by the enterprise: send to people, read consenting
    customers' profiles and connections. Webhook parsing and signatures are pure domain
    code (:mod:`socialreferral.domain.webhooks`), so they are the same for every channel.
    """

    #: The network this channel speaks to ("facebook", "x", "linkedin", "local").
    network: ClassVar[str] = "local"

    def __init__(self, *, retry: RetryPolicy | None = None) -> None:
        if retry is not None:
            self.retry = retry

    @abstractmethod
    def _send(self, message: OutboundMessage) -> str:
        """Deliver; return the network's id. Must be idempotent on ``message_id``."""

    @abstractmethod
    def get_profile(self, person_id: str) -> Profile:
        """A consenting person's profile; raise ``ProfileNotFound``."""

    @abstractmethod
    def get_connections(self, person_id: str) -> list[Connection]:
        """The connections ``person_id`` shared with us (friends who also consented)."""

    @abstractmethod
    def forget(self, person_id: str) -> None:
        """Right to erasure: erase everything the channel holds about ``person_id``: their
        profile, every connection from or to them, and the messages sent to them.
        Idempotent, and a no-op for an unknown person."""

    def send(self, message: OutboundMessage) -> str:
        """Deliver a message to ``message.recipient_id`` (retried; idempotent on id)."""
        return self._call(self._send, message)
