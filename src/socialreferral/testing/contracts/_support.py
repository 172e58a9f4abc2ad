"""Helpers shared by the conformance kit: polling, draining a queue, Unsupported checks,
injected transient failures and unique names."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest

from socialreferral.errors import TransientError, Unsupported
from socialreferral.ports import Adapter, Queue, RetryPolicy
from socialreferral.records import Capability, ReceivedMessage

T = TypeVar("T")


def eventually(
    probe: Callable[[], T],
    accept: Callable[[T], bool],
    *,
    timeout: float = 5.0,
    interval: float = 0.05,
) -> T:
    """Call ``probe`` until ``accept`` likes its result or ``timeout`` passes; return the
    last result (the caller asserts on it, so a failure shows the last value seen)."""
    deadline = time.monotonic() + timeout
    result = probe()
    while not accept(result) and time.monotonic() < deadline:
        time.sleep(interval)
        result = probe()
    return result


def drain(
    queue: Queue,
    expected: int,
    *,
    timeout: float = 5.0,
    wait_seconds: float = 0.5,
    visibility_timeout: int | None = None,
) -> list[ReceivedMessage]:
    """Receive until ``expected`` messages arrived or ``timeout`` passed.

    Cloud queues may answer a receive with fewer messages than are waiting (SQS samples
    its servers), so the kit never relies on one receive returning everything.
    """
    received: list[ReceivedMessage] = []
    deadline = time.monotonic() + timeout
    while len(received) < expected and time.monotonic() < deadline:
        received.extend(
            queue.receive(
                min(10, expected - len(received)),
                visibility_timeout=visibility_timeout,
                wait_seconds=wait_seconds,
            )
        )
    return received


def bodies(messages: list[ReceivedMessage]) -> list[str]:
    """The bodies, sorted (for order-insensitive comparisons)."""
    return sorted(m.body for m in messages)


@contextmanager
def expect_raises(error: type[BaseException], backend: str, what: str) -> Iterator[None]:
    """Like ``pytest.raises`` but the failure says what was expected, when, and where."""
    try:
        yield
    except error:
        return
    pytest.fail(f"[{backend}] expected {error.__name__} when {what}, but nothing was raised")


def assert_unsupported(
    adapter: Adapter, capability: Capability, call: Callable[[], Any], backend: str
) -> None:
    """``call`` must raise :class:`Unsupported` naming the adapter and the capability."""
    try:
        call()
    except Unsupported as exc:
        error = exc
    else:
        pytest.fail(
            f"[{backend}] {type(adapter).__name__} does not declare {capability.value!r}, so "
            f"the call should raise Unsupported; it succeeded (the capability was silently "
            f"ignored or is implemented but undeclared)"
        )
    message = str(error)
    assert type(adapter).__name__ in message, (
        f"[{backend}] Unsupported for undeclared {capability.value!r} should name the "
        f"adapter {type(adapter).__name__!r}; the message was {message!r}"
    )
    assert error.capability == capability.value, (
        f"[{backend}] Unsupported names capability {error.capability!r}, "
        f"expected {capability.value!r}"
    )


#: The retry policy the kit installs while it injects a transient failure: a few quick
#: attempts, so the test proves the base retries without waiting for production backoff.
FAST_RETRY = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.005)


@contextmanager
def transient_once(adapter: Adapter, primitive: str) -> Iterator[list[int]]:
    """Make ``adapter.<primitive>`` raise :class:`TransientError` on its first call and
    behave normally afterwards; yield a one-item list counting the calls.

    The failure happens before the real primitive runs (like a throttled request), so a
    base class that retries through ``self._call`` succeeds on the second attempt. The
    adapter's retry policy is set to :data:`FAST_RETRY` meanwhile; both are restored.
    """
    original = getattr(adapter, primitive)
    calls = [0]

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 1:
            raise TransientError(f"injected by the conformance kit into {primitive}")
        return original(*args, **kwargs)

    saved = {name: vars(adapter)[name] for name in (primitive, "retry") if name in vars(adapter)}
    setattr(adapter, primitive, flaky)
    adapter.retry = FAST_RETRY
    try:
        yield calls
    finally:
        for name in (primitive, "retry"):
            if name in saved:
                setattr(adapter, name, saved[name])
            else:
                delattr(adapter, name)


def unique(prefix: str) -> str:
    """``prefix`` plus a random suffix: ids and contacts stay distinct between tests, so
    the kit also works on a backend that cannot be wiped between tests (a CRM sandbox)."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def phone_two_ways() -> tuple[str, str, str]:
    """One random phone number written two ways, and its normalised (E.164) form."""
    digits = f"{random.randrange(10**6, 10**7)}"
    return (
        f"+44 20 {digits[:3]} {digits[3:]}",
        f"0044-20-{digits[:3]}-{digits[3:]}",
        f"+4420{digits}",
    )


def ids_of_mine(records: Iterable[Any], attribute: str, mine: Iterable[str]) -> list[str]:
    """The ids of ``records`` that this test created, in the order listed (a shared
    sandbox may hold other records)."""
    wanted = set(mine)
    return [getattr(r, attribute) for r in records if getattr(r, attribute) in wanted]
