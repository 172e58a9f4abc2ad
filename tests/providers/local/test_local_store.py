"""LocalDocumentStore against the local SQLite backend: the conformance kit plus
local-specific tests (persistence, multi-process create-only, query semantics).

Backend: a real SQLite file (WAL) in pytest's ``tmp_path``; the race uses real forked
processes.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialreferral.errors import DocumentExists, InvalidInput
from socialreferral.ports import matches
from socialreferral.providers import BuildContext
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.providers.local.store import LocalDocumentStore
from socialreferral.records import Filter
from socialreferral.testing.contracts import DocumentStoreContract

_FORK = multiprocessing.get_context("fork")


class TestLocalDocumentStore(DocumentStoreContract):
    """The DocumentStore contract on a LocalDocumentStore (local SQLite file)."""

    @pytest.fixture
    def backend(self) -> str:
        return "local SQLite"

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[LocalDocumentStore]:
        store = LocalDocumentStore(tmp_path / "store.sqlite3")
        yield store
        store.close()


def test_reopened_file_sees_the_data(tmp_path: Path) -> None:
    """Documents survive closing the store and opening the file again (via settings)."""
    first = LocalDocumentStore.from_settings(LocalSettings(data_dir=tmp_path), BuildContext())
    written = first.put("people", "ann", {"age": 31})
    first.close()
    again = LocalDocumentStore(tmp_path / "store.sqlite3")
    doc = again.get("people", "ann")
    assert (doc.value, doc.etag) == ({"age": 31}, written.etag)


def _create(path: Path, worker: int, start: Any, results: Any) -> None:
    store = LocalDocumentStore(path)
    start.wait()
    try:
        store.put("locks", "leader", {"worker": worker}, create_only=True)
        results.put((worker, "won"))
    except DocumentExists:
        results.put((worker, "exists"))


@pytest.mark.slow
def test_create_only_race_between_processes(tmp_path: Path) -> None:
    """Two processes racing create_only on one key: exactly one wins, the other gets
    DocumentExists, and the stored value is the winner's."""
    path = tmp_path / "store.sqlite3"
    LocalDocumentStore(path).close()
    for round_ in range(3):
        start, results = _FORK.Event(), _FORK.Queue()
        procs = [_FORK.Process(target=_create, args=(path, w, start, results)) for w in (1, 2)]
        for proc in procs:
            proc.start()
        start.set()
        outcomes = dict(results.get(timeout=30) for _ in procs)
        for proc in procs:
            proc.join(10)
        assert sorted(outcomes.values()) == ["exists", "won"], f"round {round_}: {outcomes}"
        winner = next(w for w, outcome in outcomes.items() if outcome == "won")
        store = LocalDocumentStore(path)
        assert store.get("locks", "leader").value == {"worker": winner}
        assert store.delete("locks", "leader")


def test_cursor_from_another_query_is_rejected(tmp_path: Path) -> None:
    """A cursor only continues the query (order and direction) that produced it."""
    store = LocalDocumentStore(tmp_path / "s.sqlite3")
    for i in range(3):
        store.put("c", f"k{i}", {"n": i})
    page = store.query("c", order_by="n", limit=1)
    assert page.cursor is not None
    with pytest.raises(InvalidInput):
        store.query("c", order_by="n", descending=True, limit=1, cursor=page.cursor)
    with pytest.raises(InvalidInput):
        store.query("c", limit=1, cursor="not-a-cursor")


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(-3, 3, allow_nan=False).map(lambda f: round(f, 1)),
    st.sampled_from(["", "a", "b", "é", "1"]),
)
_VALUES = st.one_of(_SCALARS, st.lists(_SCALARS, max_size=2))
_FILTERS = st.builds(
    Filter,
    st.just("x"),
    st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge", "in"]),
    st.one_of(_VALUES, st.lists(_SCALARS, max_size=3), st.sampled_from(["ab", "é"])),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(st.one_of(st.none(), _VALUES), min_size=1, max_size=8),
    filters=st.lists(_FILTERS, min_size=1, max_size=2),
)
def test_sql_filters_equal_reference_semantics(
    tmp_path_factory: pytest.TempPathFactory, docs: list[Any], filters: list[Filter]
) -> None:
    """Whatever the field values and filters, SQL filtering returns exactly what
    ports.matches() accepts (None in ``docs`` stands for a missing field)."""
    store = LocalDocumentStore(tmp_path_factory.mktemp("q") / "s.sqlite3")
    values = {f"k{i}": ({} if v is None else {"x": v}) for i, v in enumerate(docs)}
    for key, value in values.items():
        store.put("c", key, value)
    got = sorted(d.key for d in store.iter_query("c", filters, page_size=3))
    expected = sorted(k for k, v in values.items() if matches(v, filters))
    assert got == expected, f"filters {filters} over {values}"
    store.close()
