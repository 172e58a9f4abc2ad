"""The fault-injection wrappers of socialreferral.testing.faults."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialreferral import build_providers
from socialreferral.errors import DocumentExists, InvalidInput, TransientError
from socialreferral.ports import NO_RETRY, PORTS, DocumentStore, Queue, RetryPolicy
from socialreferral.providers.local.queue import LocalQueue
from socialreferral.providers.local.store import LocalDocumentStore
from socialreferral.settings import Settings
from socialreferral.testing.fakes import RecordingCRM, RecordingSocialChannel
from socialreferral.testing.faults import (
    PRIMITIVES,
    FaultInjector,
    FaultPlan,
    InjectedFault,
    inject_faults,
    port_of,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalDocumentStore]:
    built = LocalDocumentStore(tmp_path / "store.sqlite3")
    yield built
    built.close()


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[LocalQueue]:
    built = LocalQueue(tmp_path / "queue.sqlite3", "events", visibility_timeout=30)
    yield built
    built.close()


def test_every_abstract_primitive_of_every_port_is_listed() -> None:
    for port in PORTS.values():
        abstract = {n for n in port.__abstractmethods__ if n.startswith("_")}
        assert abstract <= set(PRIMITIVES[port]), port.__name__
        for name in PRIMITIVES[port]:
            assert inspect.isfunction(getattr(port, name)), (port.__name__, name)


def test_fault_after_success_happened_and_the_retry_meets_its_own_write(
        store: LocalDocumentStore) -> None:
    """The dangerous half: the write is stored, the caller sees a transient error, and
    the port's retry then finds the key taken."""
    FaultInjector(FaultPlan(rate=1.0, after_share=1.0), retry=NO_RETRY).wrap(store)
    with pytest.raises(InjectedFault) as raised:
        store.put("c", "k", {"a": 1}, create_only=True)
    assert raised.value.after and isinstance(raised.value, TransientError)
    FaultInjector.unwrap(store)
    assert store.get("c", "k").value == {"a": 1}  # it did happen
    store.retry = RetryPolicy(attempts=3, initial_wait=0, max_wait=0)
    injector = FaultInjector(FaultPlan(rate=1.0, after_share=1.0, seed=1,
                                       primitives=frozenset({"_put"})))
    injector.wrap(store)
    # First attempt writes and "fails"; the retry finds its own document.
    with pytest.raises(DocumentExists):
        store.put("c", "k2", {"a": 2}, create_only=True)
    assert injector.stats.after[("store", "_put")] == 1


def test_fault_before_the_call_changes_nothing(store: LocalDocumentStore) -> None:
    FaultInjector(FaultPlan(rate=1.0, after_share=0.0), retry=NO_RETRY).wrap(store)
    with pytest.raises(InjectedFault) as raised:
        store.put("c", "k", {"a": 1})
    assert not raised.value.after
    FaultInjector.unwrap(store)
    assert store.find("c", "k") is None


def test_the_port_retry_absorbs_some_faults_and_the_share_is_about_the_rate(
        store: LocalDocumentStore) -> None:
    injector = FaultInjector(FaultPlan(rate=0.2, after_share=0.5, seed=3),
                             retry=RetryPolicy(attempts=6, initial_wait=0, max_wait=0))
    injector.wrap(store)
    for n in range(400):
        store.put("c", f"k{n}", {"n": n})  # plain puts are idempotent: retries succeed
        assert store.get("c", f"k{n}").value == {"n": n}
    stats = injector.stats
    share = stats.total_faults / stats.total_calls
    assert 0.15 < share < 0.25, stats.summary()
    assert 0.35 < stats.faults_after / stats.total_faults < 0.65
    assert "store" in stats.summary()


def test_same_seed_same_faults_other_seed_other_faults(tmp_path: Path) -> None:
    def run(seed: int, name: str) -> list[bool]:
        store = LocalDocumentStore(tmp_path / f"{name}.sqlite3")
        FaultInjector(FaultPlan(rate=0.3, seed=seed), retry=NO_RETRY).wrap(store)
        outcomes = []
        for n in range(60):
            try:
                store.find("c", f"k{n}")
                outcomes.append(True)
            except InjectedFault:
                outcomes.append(False)
        store.close()
        return outcomes

    assert run(5, "a") == run(5, "b")
    assert run(5, "c") != run(6, "d")


def test_queue_send_after_success_duplicates_and_receive_after_success_hides(
        queue: LocalQueue) -> None:
    injector = FaultInjector(FaultPlan(rate=1.0, after_share=1.0,
                                       primitives=frozenset({"_send_batch"})),
                             retry=RetryPolicy(attempts=2, initial_wait=0, max_wait=0))
    injector.wrap(queue)
    with pytest.raises(InjectedFault):
        queue.send("hello")
    FaultInjector.unwrap(queue)
    assert queue.depth() == 2  # sent by both attempts: at-least-once, made visible
    FaultInjector(FaultPlan(rate=1.0, after_share=1.0, primitives=frozenset({"_receive"})),
                  retry=NO_RETRY).wrap(queue)
    with pytest.raises(InjectedFault):
        queue.receive(10)
    FaultInjector.unwrap(queue)
    assert queue.depth() == 0  # received, but the receipts were lost with the answer


def test_limits_to_ports_and_primitives_and_pause(store: LocalDocumentStore,
                                                  queue: LocalQueue) -> None:
    injector = inject_faults([store, queue], FaultPlan(rate=1.0, ports=frozenset({"queue"})),
                             retry=NO_RETRY)
    store.put("c", "k", {"a": 1})  # the store is not targeted
    with pytest.raises(InjectedFault):
        queue.depth()
    injector.pause()
    assert queue.depth() == 0
    injector.resume()
    with pytest.raises(InjectedFault):
        queue.depth()
    assert injector.stats.calls[("queue", "_depth")] == 3


def test_works_on_any_adapter_class_including_fakes_and_bundles(tmp_path: Path) -> None:
    crm, social = RecordingCRM(), RecordingSocialChannel()
    injector = inject_faults([crm, social], FaultPlan(rate=1.0, after_share=0.0),
                             retry=NO_RETRY)
    with pytest.raises(InjectedFault):
        crm.list_products()
    assert port_of(crm) == "crm" and port_of(social) == "social"
    with build_providers(Settings.model_validate(
            {"local": {"data_dir": str(tmp_path / "d")}})) as providers:
        bundle = FaultInjector(FaultPlan(rate=0.0))
        bundle.wrap_providers(providers)
        providers.queue.send("x")
        providers.store.put("c", "k", {})
        assert bundle.stats.calls[("queue", "_send_batch")] == 1
        assert bundle.stats.total_faults == 0
    assert injector.stats.before[("crm", "_find_records")] == 1


def test_refuses_bad_plans_double_wrapping_and_non_adapters(store: LocalDocumentStore) -> None:
    with pytest.raises(InvalidInput, match="rate"):
        FaultPlan(rate=1.5)
    with pytest.raises(InvalidInput, match="ports"):
        FaultPlan(ports=frozenset({"quue"}))
    FaultInjector().wrap(store)
    with pytest.raises(InvalidInput, match="already"):
        FaultInjector().wrap(store)
    with pytest.raises(InvalidInput, match="adapter"):
        port_of(object())  # type: ignore[arg-type]
    assert isinstance(store, DocumentStore) and not isinstance(store, Queue)
