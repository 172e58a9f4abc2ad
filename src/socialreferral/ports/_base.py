"""Common ground of every adapter: retries, capabilities, naming."""

from __future__ import annotations

import json
from abc import ABC
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from socialreferral.errors import (
    InvalidInput,
    TransientError,
    Unsupported,
)
from socialreferral.records import (
    Capability,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How the base classes retry :class:`TransientError`: attempts and backoff (seconds)."""

    attempts: int = 5
    initial_wait: float = 0.05
    max_wait: float = 2.0
    #: Longest wait a service may advise (``TransientError.retry_after``) that is still
    #: waited for in-process; a longer advice is re-raised at once, so the job goes back
    #: to its queue instead of holding a worker (Meta's rate limits advise up to an hour).
    max_advised_wait: float = 30.0

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` and retry it while it raises :class:`TransientError`."""
        # Fast path: building a Retrying costs ~60 µs, more than a local SQLite read, so it
        # is built only after a first failure, which it then replays as its attempt 1
        # (same attempt count and waits as before).
        try:
            return fn(*args, **kwargs)
        except TransientError as exc:
            first: list[BaseException] = [exc]

        if _advised(first[0]) > self.max_advised_wait:
            raise first[0]

        def attempt(*a: Any, **kw: Any) -> T:
            if first:
                raise first.pop()
            return fn(*a, **kw)

        # wait_exponential + wait_random instead of wait_exponential_jitter(initial=...),
        # whose ``initial`` is deprecated in tenacity 9 (a DeprecationWarning, which the
        # test suite turns into an error) while ``multiplier`` is missing from 8.x.
        backoff = (wait_exponential(multiplier=self.initial_wait, max=self.max_wait)
                   + wait_random(0, self.initial_wait))

        def wait(state: RetryCallState) -> float:
            # A service's advice (Retry-After) is a floor: waiting less only earns another
            # throttled answer, and Dataverse extends the penalty of clients that insist.
            return max(backoff(state), _advised(_failure(state)))

        def stop(state: RetryCallState) -> bool:
            return (stop_after_attempt(self.attempts)(state)
                    or _advised(_failure(state)) > self.max_advised_wait)

        retrying = Retrying(
            retry=retry_if_exception_type(TransientError), stop=stop, wait=wait, reraise=True,
        )
        return retrying(attempt, *args, **kwargs)


def _failure(state: RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome is not None else None


def _advised(exc: BaseException | None) -> float:
    """The wait a service advised with a :class:`TransientError` (0 when none)."""
    advice = getattr(exc, "retry_after", None) if isinstance(exc, TransientError) else None
    return float(advice) if advice else 0.0


NO_RETRY = RetryPolicy(attempts=1)


class Adapter(ABC):  # noqa: B024 - abstract only through its port subclasses
    """Common ground of every adapter: a name, declared capabilities, a retry policy."""

    #: Capabilities this adapter implements. Subclasses override.
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: Short provider name shown in errors and by ``socialreferral providers``.
    provider: ClassVar[str] = "unknown"

    retry: RetryPolicy = RetryPolicy()

    @property
    def adapter_name(self) -> str:
        return f"{type(self).__name__} ({self.provider})"

    def supports(self, capability: Capability | str) -> bool:
        """True if the adapter declares ``capability``."""
        return Capability(capability) in self.capabilities

    def require(self, capability: Capability | str, detail: str = "") -> None:
        """Raise :class:`Unsupported` naming this adapter unless it declares ``capability``."""
        if not self.supports(capability):
            raise Unsupported(self.adapter_name, str(capability), detail)

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self.retry.call(fn, *args, **kwargs)

    @classmethod
    def from_settings(cls, settings: Any, context: Any) -> Self:
        """Build the adapter from its provider's validated settings (bootstrap calls this)."""
        raise NotImplementedError(f"{cls.__name__} does not define from_settings()")

    def close(self) -> None:  # noqa: B027 - optional hook, most adapters hold nothing
        """Release connections and files. Safe to call twice."""


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def encode_json(value: Mapping[str, Any]) -> str:
    """Serialise a document value the same way in every adapter (compact, sorted)."""
    try:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"not JSON-serialisable: {exc}", field="value") from exc
