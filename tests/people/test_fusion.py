"""Fusion: golden records with provenance, review decisions, incremental linking, erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialreferral.errors import InvalidInput, NotFound
from socialreferral.people import (
    FusionResult,
    LinkageSettings,
    ProfileRecord,
    ReviewDecision,
    erase_person,
    erase_records,
    fuse,
    link_new,
)
from socialreferral.people.records import records_from_mappings
from socialreferral.people.synthetic import generate

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def rec(rid: str, source: str, days: int = 0, **fields: str | bool | None) -> ProfileRecord:
    base = {"record_id": rid, "source": source, "observed_at": T0 + timedelta(days=days)}
    return ProfileRecord.model_validate({**base, **fields})


def background(n: int = 40, seed: int = 5) -> list[ProfileRecord]:
    """Other people, so that the model has random pairs to learn ``u`` from."""
    rows, _ = generate(n, seed=seed, mean_records=1.0)
    return [
        r.model_copy(update={"record_id": f"bg{i}", "source": "crm"})
        for i, r in enumerate(records_from_mappings(rows, max_records=10_000))
    ]


ANN = [
    rec(
        "crm1",
        "crm",
        0,
        first_name="Ann",
        last_name="Lee",
        date_of_birth="1980-04-02",
        email="ann.lee@gmail.com",
        phone="07700 900123",
        city="Leeds",
        postcode="LS1 4AB",
        street="12 Park Row",
    ),
    rec(
        "fb1",
        "facebook",
        30,
        first_name="Annie",
        last_name="Lee",
        email="annlee@gmail.com",
        city="Leeds",
        network="facebook",
        handle="annie.lee",
    ),
    rec(
        "form1",
        "web_form",
        60,
        first_name="ann",
        last_name="lee",
        email="ANN.LEE@gmail.com",
        phone="+44 7700 900123",
        date_of_birth="02/04/1980",
    ),
]


@pytest.fixture(scope="module")
def fused() -> tuple[list[ProfileRecord], FusionResult]:
    records = [*ANN, *background()]
    return records, fuse(records, source_priority=("crm",))


def test_golden_record_has_per_field_provenance(
    fused: tuple[list[ProfileRecord], FusionResult],
) -> None:
    _, result = fused
    person = result.cluster_of("crm1")
    assert set(person.golden.record_ids) == {"crm1", "fb1", "form1"}
    golden = person.golden.fields
    # Three records agree on the mailbox (canonical form); the most recent one's text wins.
    assert golden["email"].support == 3 and golden["email"].record_id == "form1"
    assert golden["email"].observed_at == T0 + timedelta(days=60)
    # Two say "ann", one "annie": the majority wins, the alternative is counted.
    assert golden["first_name"].value.lower() == "ann" and golden["first_name"].alternatives == 1
    assert golden["street"].source == "crm" and golden["street"].support == 1
    assert golden["handle"].source == "facebook"
    assert person.golden.sources == ("crm", "facebook", "web_form")
    # Every link says why: the per-comparison match weights.
    for link in person.links:
        assert link.evidence and any(e.match_weight > 0 for e in link.evidence)


def test_review_decisions_stick_on_rerun(fused: tuple[list[ProfileRecord], FusionResult]) -> None:
    records, result = fused
    split = ReviewDecision(
        left_id="fb1", right_id="crm1", decision="split", decided_by="op", decided_at=T0
    )
    split2 = split.model_copy(update={"left_id": "fb1", "right_id": "form1"})
    again = fuse(records, decisions=[split, split2], previous=result.assignments)
    assert again.assignments["fb1"] != again.assignments["crm1"]
    # The larger part keeps the person's id.
    assert again.assignments["crm1"] == result.assignments["crm1"]
    assert not any({"fb1", "crm1"} == {i.pair.left_id, i.pair.right_id} for i in again.review)

    bg = [r for r in records if r.record_id.startswith("bg")]
    confirm = ReviewDecision(
        left_id="crm1", right_id=bg[0].record_id, decision="confirm", decided_by="op", decided_at=T0
    )
    merged = fuse(records, decisions=[confirm])
    assert merged.assignments["crm1"] == merged.assignments[bg[0].record_id]
    link = next(link for link in merged.cluster_of("crm1").links if link.rule)
    assert "confirmed by op" in link.rule


def test_verified_email_links_deterministically() -> None:
    records = [
        *background(),
        rec(
            "a",
            "crm",
            first_name="Robert",
            last_name="Smith",
            email="r.s@example.org",
            email_verified=True,
        ),
        rec(
            "b",
            "login",
            first_name="Bobby",
            last_name="Jones",
            email="R.S@example.org",
            email_verified=True,
        ),
    ]
    result = fuse(records)
    assert result.assignments["a"] == result.assignments["b"]
    (link,) = result.cluster_of("a").links
    assert "verified e-mail" in link.rule
    assert result.cluster_of("a").golden.fields["email"].verified


def test_incremental_linking_matches_a_full_run() -> None:
    rows, truth = generate(60, seed=21)
    records = records_from_mappings(rows, max_records=10_000)
    cut = len(records) * 3 // 4
    old, new = records[:cut], records[cut:]
    settings = LinkageSettings()
    base = fuse(old, settings=settings)
    incremental = link_new(base, old, new, settings=settings)
    assert set(incremental.assignments) == {r.record_id for r in records}
    # Old records keep their cluster ids unless a new record merged their clusters.
    moved = [
        r.record_id
        for r in old
        if incremental.assignments[r.record_id] != base.assignments[r.record_id]
    ]
    assert len(moved) <= len(new)
    # A new record lands with its own people as often as a full run puts it there.
    full = fuse(records, settings=settings, model=base.model)
    person = dict(zip((r.record_id for r in records), truth, strict=True))

    def correct(assign: dict[str, str]) -> int:
        hits = 0
        for r in new:
            mates = [o.record_id for o in old if person[o.record_id] == person[r.record_id]]
            hits += sum(assign[m] == assign[r.record_id] for m in mates)
        return hits

    assert correct(incremental.assignments) >= correct(full.assignments) - 2
    assert correct(incremental.assignments) > 0
    with pytest.raises(InvalidInput):
        link_new(base, old[:-1], new)


def test_erasure_splits_a_bridged_cluster_and_recomputes_golden() -> None:
    bridge = [
        rec(
            "x1", "crm", 0, first_name="Zed", last_name="Quill", email="zq@example.org", city="York"
        ),
        rec(
            "x2",
            "login",
            5,
            first_name="Zed",
            last_name="Quill",
            email="zq@example.org",
            phone="07123456789",
            city="Hull",
        ),
        rec("x3", "form", 9, first_name="Zedd", last_name="Quil", phone="07123456789", city="Hull"),
    ]
    records = [*bridge, *background()]
    result = fuse(records)
    cid = result.assignments["x1"]
    assert result.assignments["x2"] == cid == result.assignments["x3"]
    after = erase_records(result, records, ["x2"])
    assert "x2" not in after.assignments
    # x2 was the only bridge (e-mail to x1, phone to x3): without it they are two people.
    assert after.assignments["x1"] != after.assignments["x3"]
    assert after.clusters[after.assignments["x3"]].golden.fields["city"].value == "Hull"
    assert all("x2" not in (p.left_id, p.right_id) for p in after.pairs)
    for person in after.clusters.values():
        assert "x2" not in person.golden.record_ids
        for prov in person.golden.fields.values():
            assert prov.record_id != "x2"
    # Untouched people are carried over unchanged.
    other = next(r for r in records if r.record_id.startswith("bg"))
    assert after.clusters[after.assignments[other.record_id]] == result.cluster_of(other.record_id)
    gone = erase_person(after, records, after.assignments["x1"])
    assert "x1" not in gone.assignments
    with pytest.raises(NotFound):
        erase_records(result, records, ["nope"])


def test_spark_backend_needs_a_session() -> None:
    with pytest.raises(ValueError, match="SparkSession"):
        fuse(ANN, settings=LinkageSettings(backend="spark"))
