"""The SocialChannel port: send to people, read consenting customers' data, forget people.

An adapter implements four primitives, each one call of a network's API:

* ``_send(message)``: deliver one message to one person, idempotent on ``message_id``;
* ``_get_profile(person_id)``: a consenting person's profile, or None;
* ``_get_connections(person_id)``: the connections that person shared with the app;
* ``_forget(person_id)``: erase what the channel holds about a person.

The public API (validation, capability checks, retries of
:class:`~socialreferral.errors.TransientError`, a defined order of connections) lives once
in the base. Sending and forgetting are mandatory; reading profiles and connections are
the capabilities ``profiles`` and ``connections``, because not every channel has them: an
e-mail channel knows no profile, X shares no friend list, and since 2018 Meta returns
only the friends who also use the app. A plain message to one person needs no capability:
every channel can do it (Messenger, X direct messages, LinkedIn messages, e-mail).
Answering a post does: ``public_replies`` (a reply in the post's thread, seen by everyone)
and ``private_replies`` (a private message that references the post, such as Meta's
private replies to a comment). A message with ``in_reply_to`` on a channel without the
matching capability is refused with :class:`~socialreferral.errors.Unsupported` before
anything is sent, so the care queue can tell an agent which kinds of answer a channel has.

Webhook parsing and signatures are pure domain code (:mod:`socialreferral.domain.webhooks`),
the same for every channel, so they are not part of this port.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.errors import InvalidInput, ProfileNotFound, SocialChannelError
from socialreferral.ports._base import Adapter, RetryPolicy
from socialreferral.records import Capability

#: Longest person id the port accepts (the domain models' limit).
MAX_PERSON_ID = 128


# ======================================================================================
# SocialChannel
# ======================================================================================
class SocialChannel(Adapter):
    """One social network as seen by the enterprise.

    Contract (every adapter, certified by :class:`~socialreferral.testing.contracts.
    SocialChannelContract`):

    * **Sends are idempotent on** ``message_id``: sending the same id again (a redelivered
      job, a retry after a timeout) delivers nothing new and returns the same network id.
    * **Profiles and connections** (capabilities ``profiles`` and ``connections``) are
      those of people who consented to the app; an unknown person has no profile
      (:class:`~socialreferral.errors.ProfileNotFound`) and no connections (``[]``).
      Connections come as seen from the asked person's account, ordered by ``other_id``.
    * **Forgetting erases**: after ``forget(p)`` the channel serves no profile of ``p``,
      no connection from or to ``p`` and keeps no message sent to ``p``; forgetting twice,
      or forgetting an unknown person, is a no-op.
    * Without a capability the method raises :class:`~socialreferral.errors.Unsupported`
      naming the adapter.
    """

    #: The network this channel speaks to ("facebook", "x", "linkedin", "local").
    network: ClassVar[str] = "local"

    def __init__(self, *, retry: RetryPolicy | None = None) -> None:
        if retry is not None:
            self.retry = retry

    # -- primitives ----------------------------------------------------------------
    @abstractmethod
    def _send(self, message: OutboundMessage) -> str:
        """Deliver ``message`` to ``message.recipient_id``; return the network's id for it.

        Idempotent on ``message.message_id``: when that id was delivered before, deliver
        nothing and return the same network id (a network without idempotency keys needs
        the adapter to remember ids it sent, e.g. in its own table, before calling out).
        """

    @abstractmethod
    def _get_profile(self, person_id: str) -> Profile | None:
        """The consenting person's profile, or None when the network has none for them.
        Called only on adapters declaring ``profiles``."""

    @abstractmethod
    def _get_connections(self, person_id: str) -> list[Connection]:
        """The connections ``person_id`` shared with the app (friends who also consented),
        each as seen from their account (``connection.person_id == person_id``), in any
        order; ``[]`` for an unknown person. Called only with ``connections`` declared."""

    @abstractmethod
    def _forget(self, person_id: str) -> None:
        """Right to erasure: delete everything the channel holds about ``person_id``: the
        profile, every connection from or to them, the messages sent to them, from the
        adapter's storage and caches and, where the network's API allows, from the network
        (what it cannot delete, such as a delivered e-mail, the adapter documents).
        Idempotent, and a no-op for an unknown person."""

    # -- public API ----------------------------------------------------------------
    def send(self, message: OutboundMessage) -> str:
        """Deliver ``message`` to ``message.recipient_id`` and return the network's id.

        Idempotent on ``message.message_id``; retried on
        :class:`~socialreferral.errors.TransientError`. A reply to a post
        (``in_reply_to``) needs ``public_replies`` or, when ``private``,
        ``private_replies``; without it :class:`~socialreferral.errors.Unsupported`.
        """
        if not isinstance(message, OutboundMessage):
            raise InvalidInput("must be an OutboundMessage", field="message")
        self._check_person(message.recipient_id, "message.recipient_id")
        if message.in_reply_to is not None:
            self.require(Capability.PRIVATE_REPLIES if message.private
                         else Capability.PUBLIC_REPLIES)
        network_id = self._call(self._send, message)
        if not isinstance(network_id, str) or not network_id:
            raise SocialChannelError(f"{self.adapter_name} returned no id for a sent message")
        return network_id

    def get_profile(self, person_id: str) -> Profile:
        """A consenting person's profile (capability ``profiles``); raise
        :class:`~socialreferral.errors.ProfileNotFound` (a ``KeyError``) when the network
        has none."""
        self.require(Capability.PROFILES)
        self._check_person(person_id)
        profile = self._call(self._get_profile, person_id)
        if profile is None:
            raise ProfileNotFound(f"no profile for {person_id!r}")
        return profile

    def get_connections(self, person_id: str) -> list[Connection]:
        """The connections ``person_id`` shared with us (capability ``connections``), as
        seen from their account, ordered by ``other_id``; ``[]`` when none."""
        self.require(Capability.CONNECTIONS)
        self._check_person(person_id)
        connections = self._call(self._get_connections, person_id)
        return sorted(connections, key=lambda c: c.other_id)

    def forget(self, person_id: str) -> None:
        """Right to erasure: erase everything the channel holds about ``person_id``, their
        profile, every connection from or to them, and the messages sent to them.
        Idempotent, and a no-op for an unknown person."""
        self._check_person(person_id)
        self._call(self._forget, person_id)

    @staticmethod
    def _check_person(person_id: object, field: str = "person_id") -> None:
        if (
            not isinstance(person_id, str)
            or not 0 < len(person_id) <= MAX_PERSON_ID
            or not person_id.isprintable()
        ):
            raise InvalidInput(f"must be 1-{MAX_PERSON_ID} printable characters", field=field)


__all__ = ["MAX_PERSON_ID", "SocialChannel"]
