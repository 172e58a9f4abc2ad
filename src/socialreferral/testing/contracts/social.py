"""Conformance tests every :class:`~socialreferral.ports.SocialChannel` adapter must pass.

A social network holds data the channel does not write (profiles, friendships) and
receives what it sends, so besides the adapter the kit needs a way to put the first in
place and to look at the second. Fixture API (provide all four in the test class or a
mixin)::

    social       a fresh adapter instance (function scope); the fixture closes it
    seed_social  a callable ``seed_social(profiles, connections)`` that makes the network
                 hold these :class:`~socialreferral.domain.social.Profile` and
                 :class:`~socialreferral.domain.social.Connection` records, as a real
                 network already would for people who consented to the app (locally:
                 ``add_profile``/``add_connections``; against a network: test accounts)
    delivered    a callable ``delivered(recipient_id=None) -> list[OutboundMessage]``:
                 the messages the network received from this adapter (to one recipient
                 when given), one entry per delivery, oldest first
    backend      a short string naming what the adapter ran against ("local SQLite",
                 "Graph API test users"); recorded on every test with
                 ``record_property("backend", ...)`` and quoted in assertion messages

Usage::

    class LocalSocialFixtures:
        @pytest.fixture
        def backend(self) -> str:
            return "local SQLite"

        @pytest.fixture
        def social(self, tmp_path):
            channel = LocalSocialChannel(tmp_path / "social.sqlite3")
            yield channel
            channel.close()

        @pytest.fixture
        def seed_social(self, social):
            def seed(profiles, connections):
                for profile in profiles:
                    social.add_profile(profile)
                social.add_connections(connections)
            return seed

        @pytest.fixture
        def delivered(self, social):
            return social.sent_messages

    class TestLocalSocialChannel(SocialChannelContract, LocalSocialFixtures):
        pass

Person and message ids are unique per test, so a shared test network works too.
Override :meth:`SocialChannelContract.assert_forgotten_from_storage` to check the raw
storage after ``forget`` (the local fixtures scan the SQLite files).

What is checked: sends idempotent on ``message_id`` (one delivery, the first text, the
same network id); distinct ids delivered in order; replies to a post, public and private
(capabilities ``public_replies``/``private_replies``), delivered with their post when
declared and refused with ``Unsupported`` otherwise; profiles and connections (declared
capabilities ``profiles``/``connections``) as seeded, unknown people having none, and
``Unsupported`` naming the adapter when undeclared; ``forget`` removing the profile,
connections both ways and messages, idempotent; typed ``InvalidInput``; a primitive that
fails once with ``TransientError`` is retried by the base class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import pytest

from socialreferral.domain.social import Connection, OutboundMessage, Profile
from socialreferral.errors import InvalidInput, ProfileNotFound
from socialreferral.ports import SocialChannel
from socialreferral.records import Capability
from socialreferral.testing.contracts._support import (
    assert_unsupported,
    expect_raises,
    transient_once,
    unique,
)

SeedSocial = Callable[[Sequence[Profile], Sequence[Connection]], None]
Delivered = Callable[..., list[OutboundMessage]]


def _message(message_id: str, to: str, text: str = "Hello from the kit") -> OutboundMessage:
    return OutboundMessage(message_id=message_id, recipient_id=to, text=text, kind="offer")


def _ids(messages: Sequence[OutboundMessage]) -> list[str]:
    return [m.message_id for m in messages]


class SocialChannelContract:
    """Mixin of behaviour tests; subclass it with ``social``, ``seed_social``,
    ``delivered`` and ``backend`` fixtures.

    Set ``network_keeps_private_messages = True`` for a network on which a delivered
    private message cannot be taken back by the sender (Messenger, e-mail): ``forget``
    must then still delete the public replies and everything the adapter holds (checked
    with :meth:`assert_forgotten_from_storage`), and the adapter's documentation says
    what stays in the person's inbox.
    """

    network_keeps_private_messages: ClassVar[bool] = False

    @pytest.fixture(autouse=True)
    def _record_backend(self, record_property: Any, backend: str) -> None:
        record_property("backend", backend)

    def assert_forgotten_from_storage(
        self, social: SocialChannel, forgotten: Sequence[str]
    ) -> None:
        """Hook: check that none of the strings in ``forgotten`` (texts of messages to a
        forgotten person, their display name) is left in raw storage. Default: no check."""

    def _profile(self, social: SocialChannel, person_id: str, **fields: Any) -> Profile:
        return Profile(person_id=person_id, network=social.network, **fields)

    def _tie(
        self, social: SocialChannel, person_id: str, other_id: str, **fields: Any
    ) -> Connection:
        return Connection(person_id=person_id, other_id=other_id, network=social.network, **fields)

    # -- sending -----------------------------------------------------------------------
    def test_send_delivers_and_returns_an_id(
        self, social: SocialChannel, delivered: Delivered, backend: str
    ) -> None:
        to, message_id = unique("ann-"), unique("m-")
        sent = _message(message_id, to, "Grüße 👋, here is your offer")
        network_id = social.send(sent)
        assert isinstance(network_id, str) and network_id, (
            f"[{backend}] send returned {network_id!r}"
        )
        got = delivered(to)
        assert _ids(got) == [message_id], f"[{backend}] delivered to {to}: {_ids(got)}"
        assert (got[0].text, got[0].recipient_id) == (sent.text, to), (
            f"[{backend}] the message changed on the way: {got[0]}"
        )

    def test_send_is_idempotent_on_message_id(
        self, social: SocialChannel, delivered: Delivered, backend: str
    ) -> None:
        """The same message id sent three times (a redelivered job) is delivered once."""
        to, message_id = unique("bob-"), unique("m-")
        first = social.send(_message(message_id, to, "first text"))
        second = social.send(_message(message_id, to, "retry with other text"))
        third = social.send(_message(message_id, to, "first text"))
        got = delivered(to)
        assert _ids(got) == [message_id], (
            f"[{backend}] message {message_id} was sent 3 times and delivered {len(got)} "
            f"times; sends must be idempotent on message_id"
        )
        assert got[0].text == "first text", f"[{backend}] the first send should win: {got[0]}"
        assert first == second == third, (
            f"[{backend}] one message id should keep one network id: {first}, {second}, {third}"
        )

    def test_distinct_ids_are_distinct_messages_in_order(
        self, social: SocialChannel, delivered: Delivered, backend: str
    ) -> None:
        to, other = unique("cat-"), unique("dan-")
        ids = [unique("m-") for _ in range(3)]
        for message_id in ids:
            social.send(_message(message_id, to))
        social.send(_message(unique("m-"), other))
        assert _ids(delivered(to)) == ids, f"[{backend}] to {to}: {_ids(delivered(to))}"
        assert [m.recipient_id for m in delivered() if m.message_id in ids] == [to] * 3

    @pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
    def test_reply_to_a_post_as_declared(
        self, social: SocialChannel, delivered: Delivered, backend: str, private: bool
    ) -> None:
        """A reply to a post (``in_reply_to``) is delivered with its post and visibility
        when the matching capability is declared, and refused with ``Unsupported`` naming
        the adapter, delivering nothing, when it is not."""
        capability = Capability.PRIVATE_REPLIES if private else Capability.PUBLIC_REPLIES
        to, message_id, post = unique("gus-"), unique("m-"), unique("post-")
        reply = OutboundMessage(message_id=message_id, recipient_id=to, text="We are on it",
                                kind="care_reply", in_reply_to=post, private=private)
        if not social.supports(capability):
            assert_unsupported(social, capability, lambda: social.send(reply), backend)
            assert delivered(to) == [], f"[{backend}] a refused reply was delivered"
            return
        first = social.send(reply)
        assert social.send(reply) == first, f"[{backend}] a reply resent got another id"
        got = delivered(to)
        assert _ids(got) == [message_id], f"[{backend}] reply delivered as {_ids(got)}"
        assert (got[0].in_reply_to, got[0].private) == (post, private), (
            f"[{backend}] the reply lost its post or visibility: {got[0]}"
        )

    def test_send_rejects_what_is_not_a_message(self, social: SocialChannel) -> None:
        with pytest.raises(InvalidInput) as caught:
            social.send({"message_id": "m", "recipient_id": "x", "text": "t"})  # type: ignore[arg-type]
        assert caught.value.field == "message"

    # -- reading -------------------------------------------------------------------------
    def test_profile_as_seeded_and_unknown_person_has_none(
        self, social: SocialChannel, seed_social: SeedSocial, backend: str
    ) -> None:
        person = unique("eve-")
        if not social.supports(Capability.PROFILES):
            assert_unsupported(
                social, Capability.PROFILES, lambda: social.get_profile(person), backend
            )
            return
        profile = self._profile(social, person, display_name="Eve", followers=120, posts=9)
        seed_social([profile], [])
        got = social.get_profile(person)
        assert (got.person_id, got.display_name, got.followers, got.posts) == (
            person,
            "Eve",
            120,
            9,
        ), f"[{backend}] profile as read: {got}"
        with expect_raises(ProfileNotFound, backend, "reading the profile of an unknown person"):
            social.get_profile(unique("nobody-"))
        with pytest.raises(KeyError):  # callers that only know builtins still catch it
            social.get_profile(unique("nobody-"))

    def test_connections_as_seen_from_the_person_ordered(
        self, social: SocialChannel, seed_social: SeedSocial, backend: str
    ) -> None:
        ann, bob, cat = unique("ann-"), unique("bob-"), unique("cat-")
        if not social.supports(Capability.CONNECTIONS):
            assert_unsupported(
                social, Capability.CONNECTIONS, lambda: social.get_connections(ann), backend
            )
            return
        seed_social(
            [],
            [
                self._tie(social, ann, cat),
                self._tie(social, ann, bob, mutual_connections=3),
            ],
        )
        got = social.get_connections(ann)
        assert [c.other_id for c in got] == sorted([bob, cat]), (
            f"[{backend}] {ann}'s connections, ordered by other_id: {[c.other_id for c in got]}"
        )
        assert all(c.person_id == ann for c in got), f"[{backend}] not as seen from {ann}: {got}"
        assert next(c for c in got if c.other_id == bob).mutual_connections == 3
        assert social.get_connections(bob) == [], (
            f"[{backend}] {bob} shared nothing; the tie seen from {ann}'s account is not theirs"
        )
        assert social.get_connections(unique("nobody-")) == []

    # -- erasure -------------------------------------------------------------------------
    def test_forget_removes_profile_connections_both_ways_and_messages(
        self,
        social: SocialChannel,
        seed_social: SeedSocial,
        delivered: Delivered,
        backend: str,
    ) -> None:
        zed, bob, cat = unique("zed-"), unique("bob-"), unique("cat-")
        profiles = social.supports(Capability.PROFILES)
        connections = social.supports(Capability.CONNECTIONS)
        secret_name = f"Zed Erasable {zed}"
        seed_social(
            [self._profile(social, zed, display_name=secret_name), self._profile(social, bob)]
            if profiles
            else [],
            [
                self._tie(social, zed, bob),
                self._tie(social, bob, zed),
                self._tie(social, bob, cat),
            ]
            if connections
            else [],
        )
        secret_text = f"a private offer for {zed}"
        to_zed, to_bob = unique("m-"), unique("m-")
        social.send(_message(to_zed, zed, secret_text))
        social.send(_message(to_bob, bob))
        social.forget(zed)
        social.forget(zed)  # idempotent
        social.forget(unique("nobody-"))  # unknown person: a no-op
        if profiles:
            with expect_raises(ProfileNotFound, backend, "reading a forgotten profile"):
                social.get_profile(zed)
            assert social.get_profile(bob).person_id == bob, f"[{backend}] bob was erased too"
        if connections:
            assert social.get_connections(zed) == [], f"[{backend}] {zed}'s ties survived"
            left = [c.other_id for c in social.get_connections(bob)]
            assert left == [cat], (
                f"[{backend}] the tie {bob} -> {zed} must go with {zed}; {bob} has {left}"
            )
        kept = delivered(zed)
        if self.network_keeps_private_messages:
            kept = [m for m in kept if m.in_reply_to is not None and not m.private]
        assert kept == [], f"[{backend}] messages to {zed} survived forget()"
        assert to_bob in _ids(delivered()), (
            f"[{backend}] forget({zed}) should keep other people's messages: "
            f"{_ids(delivered())}"
        )
        assert self.network_keeps_private_messages or to_zed not in _ids(delivered()), (
            f"[{backend}] forget({zed}) should remove {to_zed}: {_ids(delivered())}"
        )
        self.assert_forgotten_from_storage(social, [secret_text, secret_name])

    @pytest.mark.parametrize("person_id", ["", "x" * 129, "tab\there"])
    def test_bad_person_id_is_invalid_input(self, social: SocialChannel, person_id: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            social.forget(person_id)
        assert caught.value.field == "person_id"

    # -- retries -------------------------------------------------------------------------
    @pytest.mark.parametrize("primitive", ["_send", "_get_profile", "_get_connections", "_forget"])
    def test_transient_failure_of_a_primitive_is_retried(
        self,
        social: SocialChannel,
        seed_social: SeedSocial,
        delivered: Delivered,
        backend: str,
        primitive: str,
    ) -> None:
        """The base class retries a primitive that raised TransientError once."""
        person, message_id = unique("fay-"), unique("m-")
        needs = {"_get_profile": Capability.PROFILES, "_get_connections": Capability.CONNECTIONS}
        if primitive in needs and not social.supports(needs[primitive]):
            return  # never called without the capability; test_* above checks Unsupported
        if primitive == "_get_profile":
            seed_social([self._profile(social, person)], [])
        calls: dict[str, Callable[[], object]] = {
            "_send": lambda: social.send(_message(message_id, person)),
            "_get_profile": lambda: social.get_profile(person),
            "_get_connections": lambda: social.get_connections(person),
            "_forget": lambda: social.forget(person),
        }
        with transient_once(social, primitive) as attempts:
            calls[primitive]()
        assert attempts[0] == 2, (
            f"[{backend}] {primitive} failed once with TransientError; the base should have "
            f"called it again (calls: {attempts[0]})"
        )
        if primitive == "_send":
            assert _ids(delivered(person)) == [message_id], (
                f"[{backend}] a retried send delivered {_ids(delivered(person))}"
            )


__all__ = ["SocialChannelContract"]
