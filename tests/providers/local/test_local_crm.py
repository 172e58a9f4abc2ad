"""LocalCRM and the RecordingCRM fake: the CRM conformance kit, plus local-specific tests
(two processes racing on one file, persistence, the fake's call log, the base's filters).

Backend: real SQLite files under tmp_path (":memory:" for the RecordingCRM fake); the race
test runs two real ``spawn`` processes against one file.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from socialreferral.domain.crm import CrmTask, LeadInput, Opportunity, Product, Promotion
from socialreferral.ports import CRM
from socialreferral.ports.crm import CrmRecord
from socialreferral.providers import BuildContext
from socialreferral.providers.local.crm import LocalCRM
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.records import Capability, CrmRecordKind
from socialreferral.testing.contracts import CRMContract
from socialreferral.testing.fakes import RecordingCRM

T0 = datetime(2026, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def _raw_bytes(path: Path) -> bytes:
    """The CRM file and its write-ahead log, as stored on disk."""
    return b"".join(p.read_bytes() for p in path.parent.glob(f"{path.name}*"))


class LocalCRMFixtures:
    """A LocalCRM on a fresh SQLite file; erasure is also checked in the raw file."""

    @pytest.fixture
    def backend(self) -> str:
        return "local SQLite"

    @pytest.fixture
    def crm(self, tmp_path: Path) -> Iterator[LocalCRM]:
        adapter = LocalCRM.from_settings(LocalSettings(data_dir=tmp_path / "d"), BuildContext())
        yield adapter
        adapter.close()

    def assert_erased_from_storage(self, crm: CRM, erased: Sequence[str]) -> None:
        assert isinstance(crm, LocalCRM)
        raw = _raw_bytes(crm.path)
        left = [text for text in erased if text.encode() in raw]
        assert left == [], f"[local SQLite] erased data still in the file: {left}"


class TestLocalCRM(LocalCRMFixtures, CRMContract):
    """The CRM contract on LocalCRM (every capability declared)."""


class _BareLocalCRM(LocalCRM):
    """LocalCRM declaring none of the optional record kinds."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset()


class TestLocalCRMWithoutOptionalKinds(CRMContract):
    """The contract's Unsupported branches: promotions, opportunities, tasks undeclared."""

    @pytest.fixture
    def backend(self) -> str:
        return "local SQLite (no optional kinds)"

    @pytest.fixture
    def crm(self, tmp_path: Path) -> Iterator[LocalCRM]:
        adapter = _BareLocalCRM(tmp_path / "crm.sqlite3")
        yield adapter
        adapter.close()


class TestRecordingCRM(CRMContract):
    """The CRM contract on the RecordingCRM fake (in-memory SQLite)."""

    @pytest.fixture
    def backend(self) -> str:
        return "RecordingCRM fake (in-memory SQLite)"

    @pytest.fixture
    def crm(self) -> Iterator[RecordingCRM]:
        adapter = RecordingCRM()
        yield adapter
        adapter.close()


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[LocalCRM]:
    adapter = LocalCRM(tmp_path / "crm.sqlite3")
    yield adapter
    adapter.close()


def _lead(email: str | None = None, phone: str | None = None, name: str = "Ann") -> LeadInput:
    return LeadInput(name=name, email=email, phone=phone, product_id="p1")


def _race(path: str, lead_id: str, emails: list[str], barrier: Any, out: Any) -> None:
    crm = LocalCRM(path)
    results = []
    for number, email in enumerate(emails):
        barrier.wait()
        result = crm.create_lead(_lead(email=email), lead_id=f"{lead_id}-{number}")
        results.append((email, result.created, result.lead.lead_id))
    crm.close()
    out.put(results)


def test_two_processes_creating_the_same_lead_get_one(tmp_path: Path) -> None:
    """Two spawned processes, one file: the kit's thread race, across processes."""
    path = str(tmp_path / "crm.sqlite3")
    LocalCRM(path).close()  # create the schema before the race
    emails = [f"p{i}@race.test" for i in range(8)]
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_race, args=(path, n, emails, barrier, out)) for n in "ab"]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=60), out.get(timeout=60)]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    for (email, created_a, id_a), (_, created_b, id_b) in zip(*results, strict=True):
        assert created_a != created_b, email  # exactly one process created it
        assert id_a == id_b  # and both got the same lead
    crm = LocalCRM(path)
    assert len(crm.list_leads()) == len(emails)
    crm.close()


def test_records_survive_reopen(tmp_path: Path) -> None:
    first = LocalCRM(tmp_path / "crm.sqlite3")
    first.create_lead(_lead(email="keep@me.io"), lead_id="l1")
    first.save_task(CrmTask(task_id="t1", subject="call back"))
    first.close()
    again = LocalCRM(tmp_path / "crm.sqlite3")
    assert again.get_lead("l1").email == "keep@me.io"
    assert [t.task_id for t in again.list_tasks()] == ["t1"]
    again.close()


class _Sloppy(LocalCRM):
    """A backend that can only filter coarsely: it answers every query with everything."""

    def _find_records(
        self, kind: CrmRecordKind, where: Mapping[str, Any], updated_after: datetime | None
    ) -> list[CrmRecord]:
        return super()._find_records(kind, {}, None)


def test_base_applies_exact_filters_and_order_to_a_superset(tmp_path: Path) -> None:
    """The port lets _find_records over-answer; the base filters and sorts exactly."""
    crm = _Sloppy(tmp_path / "crm.sqlite3")
    crm.upsert_product(Product(product_id="b", name="B"))
    crm.upsert_product(Product(product_id="a", name="A", active=False))
    first = Promotion(promotion_id="pr1", product_id="b", title="one", updated_at=T0)
    later = first.model_copy(update={"promotion_id": "pr2", "updated_at": T0 + MICROSECOND})
    crm.upsert_promotion(later)
    crm.upsert_promotion(first)
    crm.save_opportunity(
        Opportunity(opportunity_id="o1", product_id="b", prospect_id="x", status="answered")
    )
    crm.save_opportunity(Opportunity(opportunity_id="o2", product_id="b", prospect_id="y"))
    assert [p.product_id for p in crm.list_products()] == ["b"]
    assert [p.promotion_id for p in crm.list_promotions()] == ["pr1", "pr2"]
    assert [p.promotion_id for p in crm.list_promotions(updated_since=T0)] == ["pr2"]
    assert [o.opportunity_id for o in crm.list_opportunities(status="open")] == ["o2"]
    crm.close()


def test_opportunity_status_from_model_copy_is_stored_and_filtered(crm: LocalCRM) -> None:
    """model_copy(update=...) may hold a plain str status; the base re-validates it."""
    opportunity = Opportunity(opportunity_id="o1", product_id="p1", prospect_id="x")
    crm.save_opportunity(opportunity.model_copy(update={"status": "answered"}))
    assert [o.opportunity_id for o in crm.list_opportunities(status="answered")] == ["o1"]
    assert crm.get_opportunity("o1").status == "answered"


def test_recording_crm_fake_records_calls_and_behaves_like_local() -> None:
    fake = RecordingCRM()
    assert fake.create_lead(_lead(email="a@b.io"), lead_id="l1").created
    assert not fake.create_lead(_lead(email="a@b.io"), lead_id="l2").created
    assert fake.names() == ["create_lead", "create_lead"]
    assert fake.calls[1][2] == {"lead_id": "l2"}
    fake.close()


def test_recording_crm_records_erase_without_personal_data() -> None:
    crm = RecordingCRM()
    crm.create_lead(_lead(email="gone@example.org"), lead_id="l-1")
    assert crm.erase_contact(email="gone@example.org", phone=None) == 1
    assert crm.calls[-1] == ("erase_contact", (), {"lead_ids": 0})
    assert crm.list_leads() == []
