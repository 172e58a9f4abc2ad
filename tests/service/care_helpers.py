"""Helpers for the care service tests: local providers with a [care] section, a desk with
a fixed clock and one shared ranker, posts in a few words, a store that forces races."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.care import CareRanker
from socialreferral.care.records import IncomingPost
from socialreferral.ports import SocialChannel
from socialreferral.repositories import Repositories
from socialreferral.service.care import CareDesk
from socialreferral.settings import Settings

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BRAND = "acmecare"
PAGE = "1000"
AGENTS = [
    {"agent_id": "ann", "functions": ["customer_care", "warranty"], "cap": 2},
    {"agent_id": "bob", "functions": ["product", "marketing_and_sales"], "cap": 2},
    {"agent_id": "cid", "functions": ["*"], "cap": 1},
]
_RANKER: list[CareRanker] = []


def ranker() -> CareRanker:
    """One ranker for the session (building one loads the tone model: seconds)."""
    if not _RANKER:
        _RANKER.append(CareRanker())
    return _RANKER[0]


def care_settings(data_dir: Path, **care: Any) -> Settings:
    section = {"pages": [PAGE], "brand_ids": [BRAND], "agents": AGENTS, **care}
    return Settings.model_validate({"local": {"data_dir": str(data_dir)}, "care": section})


@contextmanager
def care_providers(data_dir: Path, **care: Any) -> Iterator[Providers]:
    """Local providers in ``data_dir`` with the test [care] section."""
    with build_providers(care_settings(data_dir, **care)) as built:
        yield built


class Clock:
    """A settable clock (starts two hours after T0)."""

    def __init__(self, at: datetime = T0 + timedelta(hours=2)) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def desk_for(providers: Providers, *, clock: Clock | None = None,
             repositories: Repositories | None = None,
             social: SocialChannel | None = None) -> CareDesk:
    """A desk over ``providers`` sharing the session's ranker."""
    return CareDesk(repositories=repositories or providers.repositories,
                    social=social or providers.social, settings=providers.settings.care,
                    clock=clock or Clock(), ranker_factory=lambda _: ranker())


def post(native: str, author: str, text: str, *, minutes: float = 0, parent: str | None = None,
         network: str = "x", root: str | None = None, brand: bool = False) -> IncomingPost:
    """A post ``minutes`` after T0."""
    return IncomingPost(network=network, native_id=native, author_id=author, text=text,
                        created_at=T0 + timedelta(minutes=minutes), parent_native_id=parent,
                        root_native_id=root, page_id=PAGE, is_brand=brand)


COMPLAINTS = [
    "@acmecare my refund is still not here after 3 weeks, this is ridiculous",
    "@acmecare I was charged twice for my order and nobody answers",
    "@acmecare the app keeps crashing after the update, never again",
    "@acmecare my phone screen is broken again, worst service ever",
]


class RacingStore:
    """A DocumentStore proxy whose ``find`` on ``collection`` waits until ``parties``
    threads have read, so their read-modify-writes overlap (a forced race)."""

    def __init__(self, store: Any, collection: str, parties: int) -> None:
        self._store = store
        self._collection = collection
        self._barrier = threading.Barrier(parties, timeout=10)
        self._waited: set[int] = set()
        self._lock = threading.Lock()

    def find(self, collection: str, key: str) -> Any:
        found = self._store.find(collection, key)
        if collection == self._collection:
            me = threading.get_ident()
            with self._lock:
                first = me not in self._waited
                self._waited.add(me)
            if first:
                with suppress(threading.BrokenBarrierError):
                    self._barrier.wait()
        return found

    def update(self, collection: str, key: str, change: Any, **options: Any) -> Any:
        # the base class's update, so its reads go through our find()
        from socialreferral.ports import DocumentStore

        return DocumentStore.update(self, collection, key, change, **options)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)
