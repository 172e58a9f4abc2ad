"""LocalCRM behaviour: dedup (also across two processes), idempotent creates, watermarks.

Backend: real SQLite files under tmp_path (":memory:" for the RecordingCRM fake); the race
test runs two real ``spawn`` processes against one file.
"""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from socialreferral.domain.crm import (
    CrmTask,
    LeadInput,
    Opportunity,
    OpportunityStatus,
    Product,
    Promotion,
)
from socialreferral.errors import CRMRecordNotFound
from socialreferral.providers import BuildContext
from socialreferral.providers.local.crm import LocalCRM
from socialreferral.providers.local.settings import LocalSettings
from socialreferral.testing.fakes import RecordingCRM

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def crm(tmp_path: Path) -> Any:
    adapter = LocalCRM.from_settings(LocalSettings(data_dir=tmp_path / "d"), BuildContext())
    yield adapter
    adapter.close()


def _lead(email: str | None = None, phone: str | None = None, name: str = "Ann") -> LeadInput:
    return LeadInput(name=name, email=email, phone=phone, product_id="p1")


def test_lead_dedup_on_normalised_email_and_phone(crm: LocalCRM) -> None:
    first = crm.create_lead(_lead(email=" Ann@Example.COM "), lead_id="l1")
    assert first.created and first.lead.email == "ann@example.com"
    same_email = crm.create_lead(_lead(email="ann@example.com", name="Other"), lead_id="l2")
    assert not same_email.created and same_email.lead.lead_id == "l1"
    by_phone = crm.create_lead(_lead(phone="+44 20 7946 0000"), lead_id="l3")
    assert by_phone.created
    same_phone = crm.create_lead(_lead(phone="0044-20-7946-0000"), lead_id="l4")
    assert not same_phone.created and same_phone.lead.lead_id == "l3"
    assert [lead.lead_id for lead in crm.list_leads()] == ["l1", "l3"]


def test_create_lead_idempotent_on_id(crm: LocalCRM) -> None:
    assert crm.create_lead(_lead(email="a@b.io"), lead_id="l1").created
    again = crm.create_lead(_lead(email="a@b.io"), lead_id="l1")
    assert not again.created and again.lead.lead_id == "l1"
    assert crm.get_lead("l1").email == "a@b.io"
    with pytest.raises(CRMRecordNotFound):
        crm.get_lead("nope")


def _race(path: str, lead_id: str, emails: list[str], barrier: Any, out: Any) -> None:
    crm = LocalCRM(path)
    results = []
    for email in emails:
        barrier.wait()
        result = crm.create_lead(_lead(email=email), lead_id=f"{lead_id}-{email}")
        results.append((email, result.created, result.lead.lead_id))
    crm.close()
    out.put(results)


def test_two_processes_creating_the_same_lead_get_one(tmp_path: Path) -> None:
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


def test_promotions_strictly_after_watermark_oldest_first(crm: LocalCRM) -> None:
    for i, minutes in enumerate([30, 10, 20]):
        crm.upsert_promotion(
            Promotion(
                promotion_id=f"pr{i}",
                product_id="p1",
                title=f"Promo {i}",
                updated_at=T0 + timedelta(minutes=minutes),
            )
        )
    assert [p.promotion_id for p in crm.list_promotions()] == ["pr1", "pr2", "pr0"]
    since = T0 + timedelta(minutes=20)
    assert [p.promotion_id for p in crm.list_promotions(updated_since=since)] == ["pr0"]
    # the same instant in another time zone is the same watermark
    other_zone = since.astimezone(UTC).replace(tzinfo=None)
    assert [p.promotion_id for p in crm.list_promotions(updated_since=other_zone)] == ["pr0"]
    crm.upsert_promotion(
        Promotion(promotion_id="pr1", product_id="p1", title="v2", updated_at=T0 + timedelta(1))
    )
    latest = crm.list_promotions(updated_since=T0 + timedelta(minutes=30))
    assert [(p.promotion_id, p.title) for p in latest] == [("pr1", "v2")]


def test_products_catalog(crm: LocalCRM) -> None:
    crm.upsert_product(Product(product_id="b", name="B"))
    crm.upsert_product(Product(product_id="a", name="A", active=False))
    assert [p.product_id for p in crm.list_products()] == ["b"]
    assert [p.product_id for p in crm.list_products(active_only=False)] == ["a", "b"]
    crm.upsert_product(Product(product_id="a", name="A2"))
    assert [p.name for p in crm.list_products()] == ["A2", "B"]


def test_opportunities_and_tasks_create_update_filter(crm: LocalCRM) -> None:
    crm.save_opportunity(Opportunity(opportunity_id="o1", product_id="p1", prospect_id="x"))
    crm.save_opportunity(Opportunity(opportunity_id="o2", product_id="p1", prospect_id="y"))
    answered = crm.get_opportunity("o1").model_copy(
        update={"status": OpportunityStatus.ANSWERED, "offer_text": "10% off"}
    )
    crm.save_opportunity(answered)
    crm.save_opportunity(answered)  # idempotent
    assert [o.opportunity_id for o in crm.list_opportunities()] == ["o1", "o2"]
    assert [o.opportunity_id for o in crm.list_opportunities(status="open")] == ["o2"]
    assert crm.get_opportunity("o1").offer_text == "10% off"
    with pytest.raises(CRMRecordNotFound):
        crm.get_opportunity("o9")
    crm.save_task(CrmTask(task_id="t1", subject="review reward", details={"r": 1}))
    crm.save_task(CrmTask(task_id="t2", subject="call back"))
    crm.save_task(CrmTask(task_id="t1", subject="review reward", done=True))
    assert [t.task_id for t in crm.list_tasks()] == ["t1", "t2"]
    assert [t.task_id for t in crm.list_tasks(open_only=True)] == ["t2"]


def test_records_survive_reopen(tmp_path: Path) -> None:
    first = LocalCRM(tmp_path / "crm.sqlite3")
    first.create_lead(_lead(email="keep@me.io"), lead_id="l1")
    first.close()
    again = LocalCRM(tmp_path / "crm.sqlite3")
    assert again.get_lead("l1").email == "keep@me.io"
    again.close()


def test_recording_crm_fake_records_calls_and_behaves_like_local() -> None:
    fake = RecordingCRM()
    assert fake.create_lead(_lead(email="a@b.io"), lead_id="l1").created
    assert not fake.create_lead(_lead(email="a@b.io"), lead_id="l2").created
    assert fake.names() == ["create_lead", "create_lead"]
    assert fake.calls[1][2] == {"lead_id": "l2"}
    fake.close()


def test_erase_contact_deletes_by_normalised_email_phone_and_id(tmp_path: Path) -> None:
    crm = LocalCRM(tmp_path / "crm.sqlite3")
    crm.create_lead(_lead(email="Erase.Me@Example.org", name="Eraseme Person"), lead_id="l-1")
    crm.create_lead(_lead(phone="+1 555 000 7777", name="Phoneonly Person"), lead_id="l-2")
    crm.create_lead(_lead(email="by-id@example.org", name="Byid Person"), lead_id="l-3")
    crm.create_lead(_lead(email="keep@example.org", name="Keeper Person"), lead_id="l-4")
    assert crm.erase_contact(email="  erase.me@EXAMPLE.org ", phone="(+1) 555-000-7777",
                             lead_ids=["l-3", "l-unknown"]) == 3
    assert [lead.lead_id for lead in crm.list_leads()] == ["l-4"]
    assert crm.erase_contact(email="erase.me@example.org", phone="+15550007777",
                             lead_ids=["l-3"]) == 0
    assert crm.erase_contact(email=None, phone=None) == 0
    # The same person may come back later as a new lead.
    assert crm.create_lead(_lead(email="erase.me@example.org"), lead_id="l-5").created
    crm.erase_contact(email="erase.me@example.org", phone=None)
    crm.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for gone in (b"erase.me@example.org", b"Eraseme", b"Phoneonly", b"+15550007777",
                 b"by-id@example.org", b"Byid"):
        assert gone not in raw
    assert b"keep@example.org" in raw


def test_erase_contact_rejects_malformed_contact_without_echoing_it(crm: LocalCRM) -> None:
    from socialreferral.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        crm.erase_contact(email="no-at-sign", phone=None)
    assert caught.value.field == "email" and "no-at-sign" not in str(caught.value)
    with pytest.raises(InvalidInput, match="phone"):
        crm.erase_contact(email=None, phone="12")


def test_recording_crm_records_erase_without_personal_data() -> None:
    crm = RecordingCRM()
    crm.create_lead(_lead(email="gone@example.org"), lead_id="l-1")
    assert crm.erase_contact(email="gone@example.org", phone=None) == 1
    assert crm.calls[-1] == ("erase_contact", (), {"lead_ids": 0})
    assert crm.list_leads() == []
