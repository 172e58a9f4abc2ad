"""Erasure reaches every part of the People flow: captures from every source, the fused
person (golden record, links, pairs, review items, decisions), CRM contacts and the
enrichment pushed to them, B2B tasks naming the person, blacklists; audit entries are
kept but anonymised. The raw bytes of every file are checked afterwards, as in
test_privacy.py. Backend: the local provider in tmp_path."""

from __future__ import annotations

from pathlib import Path

from people_helpers import NOW, OPERATOR, b2b_world, capture_and_fuse
from service_helpers import local_providers

from socialreferral.domain.crm import CrmContact
from socialreferral.people.b2b import B2BRequest
from socialreferral.providers.local.directory import ReplayDirectory
from socialreferral.service import erase_person
from socialreferral.service.people import (
    decide_pair,
    enrich_crm,
    find_people,
    import_crm_contacts,
    read_person,
    run_b2b,
    run_fusion,
)

NAME_FIRST, NAME_LAST = "Zelda", "Quixotewick"
EMAIL = "zelda.quixotewick@mail.example.org"
PHONE = "+15557654321"
HANDLE = "zquixotewick42"
KEEP_EMAIL = "otto.keepme@mail.example.org"


def _raw(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in data_dir.rglob("*") if p.is_file()}


def test_erasing_a_fused_person_leaves_no_trace_in_any_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with local_providers(data_dir) as providers:
        repositories, settings, crm = (providers.repositories, providers.settings.people,
                                       providers.crm)
        crm.save_contact(CrmContact(contact_id="k-zelda", first_name=NAME_FIRST,
                                    last_name=NAME_LAST, email=EMAIL, phone=PHONE,
                                    updated_at=NOW))
        crm.save_contact(CrmContact(contact_id="k-otto", first_name="Otto",
                                    last_name="Keepmeplease", email=KEEP_EMAIL, updated_at=NOW))
        import_crm_contacts(repositories, crm)
        capture_and_fuse(providers, [
            {"id": "z-social", "first_name": NAME_FIRST, "last_name": NAME_LAST,
             "email": EMAIL, "network": "x", "handle": HANDLE},
            {"id": "o-social", "first_name": "Otto", "last_name": "Keepmeplease",
             "email": KEEP_EMAIL, "network": "x", "handle": "ottokeeps"}])
        [zelda] = find_people(repositories, settings, caller=OPERATOR, kind="email",
                              value=EMAIL, now=NOW)
        person = read_person(repositories, settings, caller=OPERATOR,
                             person_id=zelda.person_id, now=NOW)
        assert {s.record_id for s in person.sources} == {"crm:k-zelda", "import:x:z-social"}
        decide_pair(repositories, settings, caller=OPERATOR, left_id="crm:k-zelda",
                    right_id="import:x:z-social", decision="confirm", now=NOW)
        assert enrich_crm(repositories, crm, settings, now=NOW).updated == 2
        # A B2B task whose contact is Zelda (she works at Acme in this world).
        world = b2b_world()
        world["employees"][0].update(first_name=NAME_FIRST, last_name=NAME_LAST, email=EMAIL,
                                     handle=HANDLE)
        directory = ReplayDirectory(world)
        run_b2b(repositories, crm, directory, directory,
                B2BRequest(requested_by="emp-s1", companies=("acme",), top=3),
                settings, now=NOW)
        zelda_id = repositories.people.clusters_of(["crm:k-zelda"])["crm:k-zelda"]
        assert any(t.related_id == zelda_id for t in crm.list_tasks())
        repositories.blacklists.add("emp-s2", [zelda_id, "x-weak"])

        report = erase_person(email=EMAIL, repositories=repositories,
                              secrets=providers.secrets, crm=crm, social=providers.social)
        assert report.people_profiles == 3  # CRM contact, social profile, register profile
        assert report.crm_contacts == 1 and report.people_decisions == 1
        assert report.audit_anonymised >= 2 and report.crm_tasks_anonymised >= 1
        assert report.people_blacklist_entries == 1
        assert find_people(repositories, settings, caller=OPERATOR, kind="email",
                           value=EMAIL, now=NOW) == []
        assert repositories.people.cluster(zelda_id) is None
        assert repositories.blacklists.get("emp-s2").contacts == {"x-weak"}
        anonymised = [e for e in repositories.audit.entries() if e.action == "read"]
        assert anonymised and all(e.subject and e.subject.startswith("erased:")
                                  for e in anonymised)
        # Otto is untouched: his person, his CRM contact and its enrichment.
        [otto] = find_people(repositories, settings, caller=OPERATOR, kind="email",
                             value=KEEP_EMAIL, now=NOW)
        assert crm.get_contact("k-otto").people_id == otto.person_id
        assert run_fusion(repositories, settings, now=NOW, mode="full").records >= 2
        again = erase_person(email=EMAIL, repositories=repositories,
                             secrets=providers.secrets, crm=crm, social=providers.social)
        assert again.people_profiles == 0 and again.crm_contacts == 0
    needles = [EMAIL, NAME_LAST, HANDLE, PHONE, zelda_id]
    for file, content in _raw(data_dir).items():
        for needle in needles:
            assert needle.encode() not in content, (file, needle)
    assert any(KEEP_EMAIL.encode() in c for c in _raw(data_dir).values())
