"""The fusion job through the service: persisted golden records with provenance,
incremental linking, review decisions that stick, capture at login, CRM contacts and
enrichment. Backend: the local provider in tmp_path (SQLite store and CRM)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from people_helpers import NOW, OPERATOR, PEOPLE, capture_and_fuse, captures
from service_helpers import add_customer, local_providers

from socialreferral.bootstrap import Providers
from socialreferral.domain.crm import CrmContact
from socialreferral.errors import NotFound
from socialreferral.repositories import Repositories
from socialreferral.service.people import (
    capture_profiles,
    decide_pair,
    enrich_crm,
    find_people,
    import_crm_contacts,
    read_person,
    review_band,
    run_fusion,
)
from socialreferral.service.people.fusion import choose_mode
from socialreferral.settings import Settings


def _person_of(repositories: Repositories, record_id: str) -> str:
    return repositories.people.clusters_of([record_id])[record_id]


def test_golden_record_with_provenance_is_persisted(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with local_providers(data_dir) as providers:
        run = capture_and_fuse(providers, PEOPLE[:3])
        assert run.mode == "full" and run.records == 3 and run.people == 2
    # A new process: everything comes back from the store.
    with local_providers(data_dir) as providers:
        repositories = providers.repositories
        ann = _person_of(repositories, "import:ann-1")
        assert _person_of(repositories, "import:x:ann-2") == ann
        cluster = repositories.people.cluster(ann)
        assert cluster is not None
        golden = cluster.golden
        assert golden.record_ids == ("import:ann-1", "import:x:ann-2")
        email = golden.fields["email"]
        # Both records say the same canonical address (Gmail dots and +tag do not count).
        assert email.support == 2 and email.alternatives == 0 and email.source == "import"
        assert email.observed_at == NOW
        assert golden.fields["first_name"].alternatives == 1  # Ann vs Annie
        assert golden.fields["handle"].record_id == "import:x:ann-2"
        assert golden.fields["phone"].record_id == "import:ann-1"
        assert cluster.links and cluster.links[0].evidence  # the weights behind the link
        detail = read_person(repositories, providers.settings.people, caller=OPERATOR,
                             person_id=ann, now=NOW)
        assert detail.golden == golden
        assert [s.record_id for s in detail.sources] == list(golden.record_ids)
        assert repositories.people.model() is not None  # the trained model JSON


def test_incremental_linking_joins_new_profiles_and_touches_nothing_else(
        providers: Providers) -> None:
    repositories, settings = providers.repositories, providers.settings.people
    capture_and_fuse(providers, PEOPLE)
    before = repositories.people.load()
    ann = _person_of(repositories, "import:ann-1")
    later = NOW + timedelta(hours=1)
    assert choose_mode(repositories, settings, later, "auto") == "incremental"
    new = [{"id": "ann-crm", "first_name": "Ann", "last_name": "Lee",
            "email": "ann.lee@gmail.com", "phone": "020 7946 0001", "city": "London"},
           {"id": "zed-1", "first_name": "Zed", "last_name": "Quill",
            "email": "zed.quill@example.org", "city": "York"}]
    capture_profiles(repositories, captures(new, source="crm", at=later))
    run = run_fusion(repositories, settings, now=later)  # auto: incremental
    assert run.mode == "incremental" and run.linked == 2
    after = repositories.people.load()
    assert after.assignments["crm:ann-crm"] == ann  # joined the existing person, same id
    zed = after.assignments["crm:zed-1"]
    assert zed not in before.clusters
    # Every other person is exactly as it was (only Ann's cluster was rewritten).
    for cid, cluster in before.clusters.items():
        if cid != ann:
            assert after.clusters[cid] == cluster
    assert run.writes["clusters"] == 2
    assert repositories.profiles.pending() == []
    assert run_fusion(repositories, settings, now=later).mode == "none"
    assert "crm" in after.clusters[ann].golden.sources


def test_a_changed_capture_leaves_its_old_person(providers: Providers) -> None:
    repositories, settings = providers.repositories, providers.settings.people
    capture_and_fuse(providers, PEOPLE)
    ann = _person_of(repositories, "import:ann-1")
    assert _person_of(repositories, "import:x:ann-2") == ann
    # The second profile turns out to be somebody else entirely.
    moved = {"id": "ann-2", "network": "x", "handle": "@devp", "first_name": "Dev",
             "last_name": "Patel", "email": "dev.patel@example.com", "city": "Manchester"}
    capture_profiles(repositories, captures([moved], at=NOW + timedelta(hours=1)))
    run = run_fusion(repositories, settings, now=NOW + timedelta(hours=1), mode="incremental")
    assert run.linked == 1
    assert _person_of(repositories, "import:x:ann-2") == _person_of(repositories, "import:dev-1")
    cluster = repositories.people.cluster(ann)
    assert cluster is not None and cluster.golden.record_ids == ("import:ann-1",)


def test_review_decisions_stick_across_runs(tmp_path: Path) -> None:
    # Every model link below 1.0 goes to the review band.
    with local_providers(tmp_path / "data") as providers:
        settings = providers.settings.model_copy(update={"people": Settings.model_validate(
            {"people": {"linkage": {"review_upper": 1.0}}}).people})
        providers.settings = settings
        repositories, people = providers.repositories, settings.people
        capture_and_fuse(providers, PEOPLE)
        band = review_band(repositories, people, caller=OPERATOR, now=NOW)
        pair = next(e for e in band if {e.left and e.left.record_id,
                                        e.right and e.right.record_id}
                    == {"import:ann-1", "import:x:ann-2"})
        assert pair.left_person == pair.right_person and pair.evidence
        placed = decide_pair(repositories, people, caller=OPERATOR, left_id="import:ann-1",
                             right_id="import:x:ann-2", decision="split", now=NOW)
        assert placed["import:ann-1"] != placed["import:x:ann-2"]  # applied at once
        confirmed = decide_pair(repositories, people, caller=OPERATOR,
                                left_id="import:bob-1", right_id="import:cara-1",
                                decision="confirm", now=NOW)
        assert confirmed["import:bob-1"] == confirmed["import:cara-1"]
        for mode, at in (("full", NOW + timedelta(days=2)),
                         ("incremental", NOW + timedelta(days=3))):
            if mode == "incremental":  # a new profile forces the incremental run to work
                capture_profiles(repositories, captures([{
                    "id": "ann-3", "first_name": "Ann", "last_name": "Lee",
                    "email": "ann.lee@gmail.com", "city": "London"}], at=at))
            run = run_fusion(repositories, people, now=at, mode=mode)  # type: ignore[arg-type]
            assert run.mode == mode
            assert _person_of(repositories, "import:ann-1") != _person_of(
                repositories, "import:x:ann-2")
            assert _person_of(repositories, "import:bob-1") == _person_of(
                repositories, "import:cara-1")
            ids = {(e.left.record_id if e.left else "", e.right.record_id if e.right else "")
                   for e in review_band(repositories, people, caller=OPERATOR, now=at)}
            assert ("import:ann-1", "import:x:ann-2") not in ids
        decisions = repositories.people.decisions()
        assert {(d.left_id, d.right_id, d.decision) for d in decisions} == {
            ("import:ann-1", "import:x:ann-2", "split"),
            ("import:bob-1", "import:cara-1", "confirm")}
        assert {e.action for e in repositories.audit.entries()} >= {"review", "decide"}
        with pytest.raises(NotFound):
            decide_pair(repositories, people, caller=OPERATOR, left_id="import:nobody",
                        right_id="import:bob-1", decision="split", now=NOW)


def test_social_login_is_captured_with_its_consent(providers: Providers) -> None:
    add_customer(providers, 7, {"friend-1": 2}, email="c7@bank.example.com")
    [profile] = [p for p in providers.repositories.profiles.every()
                 if p.customer_id == "c7"]
    assert profile.source == "facebook-login" and profile.network == "facebook"
    assert profile.external_id == "fb-c7" and profile.scopes == ("user_posts",)
    assert profile.fields == {"first_name": "C7"}
    assert providers.repositories.profiles.pending() == [profile]


def test_crm_contacts_are_a_source_and_enrichment_is_idempotent(providers: Providers) -> None:
    repositories, settings, crm = providers.repositories, providers.settings.people, providers.crm
    crm.save_contact(CrmContact(contact_id="k-1", first_name="Ann", last_name="Lee",
                                email="ann.lee@gmail.com", updated_at=NOW))
    crm.save_contact(CrmContact(contact_id="k-2", first_name="Nobody", last_name="Else",
                                updated_at=NOW))
    assert import_crm_contacts(repositories, crm) == 2
    assert import_crm_contacts(repositories, crm) == 0  # strictly after the watermark
    capture_and_fuse(providers, PEOPLE[:2])
    ann = _person_of(repositories, "crm:k-1")
    assert _person_of(repositories, "import:ann-1") == ann
    first = enrich_crm(repositories, crm, settings, now=NOW)
    assert (first.updated, first.unchanged) == (2, 0)
    contact = crm.get_contact("k-1")
    assert contact.people_id == ann
    assert contact.enrichment["handle"] == "@annlee"  # from the social profile
    assert contact.enrichment["phone"] == "+44 20 7946 0001"
    assert contact.first_name == "Ann"  # the CRM's own fields are untouched
    second = enrich_crm(repositories, crm, settings, now=NOW + timedelta(hours=1))
    assert (second.updated, second.unchanged) == (0, 2)
    assert crm.get_contact("k-1") == contact
    # Re-reading the enriched contact captures nothing new (no fusion churn).
    assert import_crm_contacts(repositories, crm) == 0
    assert repositories.profiles.pending() == []


def test_search_normalises_like_fusion_and_is_audited(providers: Providers) -> None:
    repositories, settings = providers.repositories, providers.settings.people
    capture_and_fuse(providers, PEOPLE)
    ann = _person_of(repositories, "import:ann-1")
    for kind, value in (("email", "A.N.N.Lee+x@googlemail.com"), ("phone", "0044 20 7946 0001"),
                        ("handle", "https://x.com/AnnLee")):
        found = find_people(repositories, settings, caller=OPERATOR, kind=kind, value=value,
                            now=NOW)
        assert [p.person_id for p in found] == [ann], (kind, value)
    assert find_people(repositories, settings, caller=OPERATOR, kind="email",
                       value="nobody@example.org", now=NOW) == []
    entries = repositories.audit.entries(caller_id=OPERATOR.caller_id)
    assert Counter((e.action, e.subject, e.query_kind) for e in entries) == Counter([
        ("search", ann, "email"), ("search", ann, "phone"), ("search", ann, "handle"),
        ("search", None, "email")])
    # The searched value is never stored.
    assert all("nobody@example.org" not in e.model_dump_json() for e in entries)


def test_the_fuse_task_enriches_only_what_an_incremental_run_changed(
        providers: Providers) -> None:
    from socialreferral.tasks.people import fuse_once

    crm = providers.crm
    for number, (first, last, email) in enumerate(
            (("Ann", "Lee", "ann.lee@gmail.com"), ("Bob", "Stone", "bob.stone@example.org"),
             ("Cara", "Nguyen", "cara.n@example.net"))):
        crm.save_contact(CrmContact(contact_id=f"k-{number}", first_name=first,
                                    last_name=last, email=email, updated_at=NOW))
    captured, run, enriched = fuse_once(providers, mode="auto", now=NOW)
    assert captured == 3 and run.mode == "full" and enriched is not None
    assert enriched.updated == 3
    capture_profiles(providers.repositories, captures([PEOPLE[1]], at=NOW))  # Ann on X
    _, run, enriched = fuse_once(providers, mode="auto", now=NOW + timedelta(minutes=15))
    assert run.mode == "incremental" and run.changed == {_person_of(
        providers.repositories, "crm:k-0")}
    assert enriched is not None and (enriched.updated, enriched.unchanged) == (1, 0)
    assert crm.get_contact("k-0").enrichment["handle"] == "@annlee"
