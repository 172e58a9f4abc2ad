"""Fault injection for any adapter of any port: transient failures before *and after* the
real call.

A real backend fails in two ways that look the same to the caller: the request never
arrived (nothing happened) or it arrived, succeeded, and the answer was lost (everything
happened). The second is the dangerous half: the port's retry runs the call again, so a
create-only write meets its own document, a conditional write meets its own etag, a send
is sent twice and a receive hides messages that nobody will process. Exactly-once code
must survive both.

:class:`FaultInjector` shadows the *primitives* of an adapter instance (the underscore
methods a port's base class calls through its retry policy, e.g. ``Queue._send_batch``,
``DocumentStore._put``) with versions that raise :class:`InjectedFault` — a
:class:`~socialreferral.errors.TransientError` — for a configurable share of calls,
either before the real call or after it returned. Faults therefore enter exactly where a
network error would: below the port's shared behaviour (validation, batching, retries,
capability checks), above the adapter's own code. Because it only relies on the port's
primitives, it works for any adapter class, a third-party plugin's included::

    injector = FaultInjector(FaultPlan(rate=0.2, after_share=0.5, seed=7))
    injector.wrap_providers(providers)          # every port of a bundle
    ... run the workload ...
    print(injector.stats.summary())             # calls, faults before / after, per port

Decisions are deterministic for a seed: each (port, primitive) pair draws from its own
seeded random stream, so the same sequence of calls meets the same faults (across
threads the sequence itself is up to the scheduler). ``retry`` replaces the wrapped
adapters' :class:`~socialreferral.ports.RetryPolicy`, e.g. fewer attempts so that some
faults escape the port and reach the use cases.

Claim-check hooks (``_offload``, ``_resolve``, ``_release_claim``) are not primitives
called through the retry policy and are left alone.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from socialreferral.errors import InvalidInput, TransientError
from socialreferral.ports import (
    CRM,
    PORTS,
    Adapter,
    BatchCompute,
    DocumentStore,
    Queue,
    RetryPolicy,
    SecretStore,
    SocialChannel,
)

A = TypeVar("A", bound=Adapter)

PRIMITIVES: dict[type[Adapter], tuple[str, ...]] = {
    Queue: ("_send_batch", "_receive", "_delete_batch", "_change_visibility", "_depth",
            "_receive_dead_letters"),
    DocumentStore: ("_get", "_get_many", "_put", "_delete", "_query", "_put_batch"),
    SecretStore: ("_get", "_set", "_delete", "_versions", "_names"),
    BatchCompute: ("_submit", "_status", "_cancel", "_scale"),
    CRM: ("_put_record", "_get_record", "_find_records", "_create_lead", "_erase_leads"),
    SocialChannel: ("_send", "_get_profile", "_get_connections", "_forget"),
}
"""The primitives of each port that the injector can fail (those the base class calls
through its retry policy; a test checks every abstract primitive is listed)."""

_WRAPPED = "_socialreferral_fault_injector"


class InjectedFault(TransientError):
    """A transient failure made up by a :class:`FaultInjector`.

    ``after`` is True when the real call had run and succeeded (its result was dropped).
    """

    def __init__(self, port: str, primitive: str, *, after: bool) -> None:
        when = "after the call succeeded" if after else "before the call"
        super().__init__(f"injected transient fault in {port}.{primitive} ({when})")
        self.port, self.primitive, self.after = port, primitive, after


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What to inject.

    ``rate``: share of primitive calls that fail (0..1). ``after_share``: of those, the
    share that fail after the real call succeeded. ``seed``: makes the decisions
    reproducible. ``ports``/``primitives``: limit injection to these port names
    (``queue``, ``store``...) or primitive names; None means all.
    """

    rate: float = 0.2
    after_share: float = 0.5
    seed: int = 0
    ports: frozenset[str] | None = None
    primitives: frozenset[str] | None = None

    def __post_init__(self) -> None:
        for name in ("rate", "after_share"):
            value = getattr(self, name)
            if isinstance(value, bool) or not 0.0 <= value <= 1.0:
                raise InvalidInput("must be between 0 and 1", field=name)
        unknown = set(self.ports or ()) - set(PORTS)
        if unknown:
            raise InvalidInput(f"unknown ports {sorted(unknown)}", field="ports")


@dataclass
class FaultStats:
    """What an injector did: calls seen and faults injected, by ``(port, primitive)``."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    before: Counter[tuple[str, str]] = field(default_factory=Counter)
    after: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def total_calls(self) -> int:
        """Every primitive call that went through the injector."""
        return sum(self.calls.values())

    @property
    def total_faults(self) -> int:
        """Faults injected, before and after the real call."""
        return sum(self.before.values()) + sum(self.after.values())

    @property
    def faults_after(self) -> int:
        """Faults injected after the real call had succeeded."""
        return sum(self.after.values())

    def by_port(self) -> dict[str, tuple[int, int, int]]:
        """``port -> (calls, faults before, faults after)``."""
        out: dict[str, list[int]] = {}
        for counter, slot in ((self.calls, 0), (self.before, 1), (self.after, 2)):
            for (port, _), count in counter.items():
                out.setdefault(port, [0, 0, 0])[slot] += count
        return {port: (c[0], c[1], c[2]) for port, c in sorted(out.items())}

    def summary(self) -> str:
        """One line: calls, faults and the before/after split, then per port."""
        ports = ", ".join(f"{p} {c}/{b}+{a}" for p, (c, b, a) in self.by_port().items())
        return (f"{self.total_calls} port calls, {self.total_faults} faults injected "
                f"({self.total_faults - self.faults_after} before, {self.faults_after} after "
                f"success) [port calls/before+after: {ports}]")


def port_of(adapter: Adapter) -> str:
    """The port name (``queue``, ``store``...) an adapter serves; ``InvalidInput`` if none."""
    for name, base in PORTS.items():
        if isinstance(adapter, base):
            return name
    raise InvalidInput(f"{type(adapter).__name__} is not an adapter of any port",
                       field="adapter")


class FaultInjector:
    """Injects the faults of a :class:`FaultPlan` into adapters (module docstring)."""

    def __init__(self, plan: FaultPlan | None = None, *, retry: RetryPolicy | None = None,
                 ) -> None:
        self.plan = plan or FaultPlan()
        self.retry = retry
        self.stats = FaultStats()
        self._lock = threading.Lock()
        self._streams: dict[tuple[str, str], random.Random] = {}
        self._enabled = True

    # -- switching -------------------------------------------------------------------
    def pause(self) -> None:
        """Stop injecting (calls still pass through and are counted)."""
        self._enabled = False

    def resume(self) -> None:
        """Inject again after :meth:`pause`."""
        self._enabled = True

    # -- wrapping --------------------------------------------------------------------
    def wrap(self, adapter: A) -> A:
        """Make ``adapter``'s primitives faulty (in place) and return it. Wrapping an
        adapter twice, by this injector or another, raises ``InvalidInput``."""
        if _WRAPPED in vars(adapter):
            raise InvalidInput("adapter already has a fault injector", field="adapter")
        port = port_of(adapter)
        base = PORTS[port]
        names = [n for n in PRIMITIVES[base]
                 if self.plan.primitives is None or n in self.plan.primitives]
        if self.plan.ports is None or port in self.plan.ports:
            for name in names:
                setattr(adapter, name, self._faulty(port, name, getattr(adapter, name)))
        setattr(adapter, _WRAPPED, (self, names))
        if self.retry is not None:
            adapter.retry = self.retry
        return adapter

    def wrap_providers(self, providers: Any) -> None:
        """Wrap every adapter of a :class:`~socialreferral.bootstrap.Providers` bundle
        (an adapter serving two ports is wrapped once)."""
        seen: set[int] = set()
        for adapter in providers.adapters().values():
            if id(adapter) not in seen:
                seen.add(id(adapter))
                self.wrap(adapter)

    @staticmethod
    def unwrap(adapter: A) -> A:
        """Give ``adapter`` its own primitives back (no-op if it was not wrapped). Its
        retry policy stays as the injector set it."""
        state = vars(adapter).pop(_WRAPPED, None)
        if state is not None:
            for name in state[1]:
                vars(adapter).pop(name, None)
        return adapter

    # -- decisions -------------------------------------------------------------------
    def _decide(self, port: str, primitive: str) -> str | None:
        """None (pass), "before" or "after"; counts the call (and a fault before it)."""
        key = (port, primitive)
        with self._lock:
            self.stats.calls[key] += 1
            stream = self._streams.get(key)
            if stream is None:
                stream = self._streams[key] = random.Random(
                    f"{self.plan.seed}:{port}:{primitive}")
            fail, where = stream.random(), stream.random()
            if not self._enabled or fail >= self.plan.rate:
                return None
            if where < self.plan.after_share:
                return "after"
            self.stats.before[key] += 1
            return "before"

    def _faulty(self, port: str, primitive: str, real: Callable[..., Any]
                ) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            decision = self._decide(port, primitive)
            if decision == "before":
                raise InjectedFault(port, primitive, after=False)
            result = real(*args, **kwargs)
            if decision == "after":  # counted only when the real call did succeed
                with self._lock:
                    self.stats.after[(port, primitive)] += 1
                raise InjectedFault(port, primitive, after=True)
            return result

        call.__name__ = primitive
        call.__doc__ = f"{primitive} of {port}, with injected faults"
        return call


def inject_faults(adapters: Iterable[Adapter], plan: FaultPlan | None = None, *,
                  retry: RetryPolicy | None = None) -> FaultInjector:
    """Wrap each of ``adapters`` with one new :class:`FaultInjector`; return it."""
    injector = FaultInjector(plan, retry=retry)
    for adapter in adapters:
        injector.wrap(adapter)
    return injector


__all__ = [
    "PRIMITIVES",
    "FaultInjector",
    "FaultPlan",
    "FaultStats",
    "InjectedFault",
    "inject_faults",
    "port_of",
]
