"""Conformance tests every :class:`~socialreferral.ports.CRM` adapter must pass.

Fixture API (provide both in the test class or a mixin)::

    crm       a fresh adapter instance (function scope); the fixture closes it afterwards.
              An empty CRM is easiest, but not required: every test uses ids, e-mails
              and phones of its own and only looks at the records it made, so a shared
              sandbox (a Dynamics 365 trial organisation) works too
    backend   a short string naming what the adapter ran against ("local SQLite",
              "Dynamics 365 sandbox"); recorded on every test with
              ``record_property("backend", ...)`` and quoted in assertion messages

Usage::

    class LocalCRMFixtures:
        @pytest.fixture
        def backend(self) -> str:
            return "local SQLite"

        @pytest.fixture
        def crm(self, tmp_path):
            adapter = LocalCRM(tmp_path / "crm.sqlite3")
            yield adapter
            adapter.close()

    class TestLocalCRM(CRMContract, LocalCRMFixtures):
        pass

Override :meth:`CRMContract.assert_erased_from_storage` to check the backend's raw
storage after an erasure (the local fixtures scan the SQLite files for the erased
person's name, e-mail and phone); by default the kit checks what the port can see.

What is checked: idempotent saves on ids; lead de-duplication on the normalised e-mail
(other case, spaces) and phone (other format), id match first, and under concurrent
creates (threads on one adapter); promotions strictly after a watermark, oldest update
first; opportunity and task round trips with their filters; contacts strictly after a
watermark, by account, and their erasure; erasure that leaves nothing readable and is
idempotent; typed ``InvalidInput`` for bad arguments; declared
capabilities (``promotions``, ``opportunities``, ``tasks``, ``contacts``) work and
undeclared ones raise
``Unsupported`` naming the adapter; a primitive failing once with ``TransientError`` is
retried by the base class.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar

import pytest

from socialreferral.domain.crm import (
    CrmContact,
    CrmTask,
    Lead,
    LeadInput,
    LeadResult,
    Opportunity,
    OpportunityStatus,
    Product,
    Promotion,
)
from socialreferral.errors import CRMRecordNotFound, InvalidInput
from socialreferral.ports import CRM
from socialreferral.records import Capability
from socialreferral.testing.contracts._support import (
    assert_unsupported,
    expect_raises,
    ids_of_mine,
    phone_two_ways,
    transient_once,
    unique,
)

#: A fixed instant for watermarks; promotion times are offsets from it.
T0 = datetime(2031, 5, 17, 9, 30, tzinfo=UTC)


def _lead(email: str | None = None, phone: str | None = None, name: str = "Ann") -> LeadInput:
    return LeadInput(name=name, email=email, phone=phone, product_id="contract-product")


class CRMContract:
    """Mixin of behaviour tests; subclass it with ``crm`` and ``backend`` fixtures."""

    #: Threads that race to create the same lead in the concurrency test.
    racers: ClassVar[int] = 6

    @pytest.fixture(autouse=True)
    def _record_backend(self, record_property: Any, backend: str) -> None:
        record_property("backend", backend)

    def assert_erased_from_storage(self, crm: CRM, erased: Sequence[str]) -> None:
        """Hook: check that none of the strings in ``erased`` (names, e-mails, phones of
        erased leads) is left in the backend's raw storage. Default: no check."""

    # -- catalog -----------------------------------------------------------------------
    def test_products_round_trip_ordered_by_id_with_active_filter(
        self, crm: CRM, backend: str
    ) -> None:
        """Products come back whole, by id; inactive ones only with active_only=False."""
        tag = unique("p-")
        b = Product(product_id=f"{tag}-b", name="Home loan", seed_phrases=("house loan",))
        a = Product(product_id=f"{tag}-a", name="Student loan", active=False, manual_offer=True)
        crm.upsert_product(b)
        crm.upsert_product(a)
        mine = [a.product_id, b.product_id]
        active = ids_of_mine(crm.list_products(), "product_id", mine)
        assert active == [b.product_id], f"[{backend}] active products: {active}"
        every = [p for p in crm.list_products(active_only=False) if p.product_id in mine]
        assert [p.product_id for p in every] == mine, (
            f"[{backend}] list_products(active_only=False) should list {mine} by id, "
            f"got {[p.product_id for p in every]}"
        )
        assert every == [a, b], f"[{backend}] products changed in storage: {every}"

    def test_product_upsert_is_idempotent_and_replaces(self, crm: CRM, backend: str) -> None:
        """Saving the same id twice keeps one record; the second save replaces the first."""
        pid = unique("p-")
        crm.upsert_product(Product(product_id=pid, name="Card"))
        crm.upsert_product(Product(product_id=pid, name="Card"))
        crm.upsert_product(Product(product_id=pid, name="Gold card", category="cards"))
        found = [p for p in crm.list_products() if p.product_id == pid]
        assert len(found) == 1, f"[{backend}] {len(found)} products stored under one id"
        assert (found[0].name, found[0].category) == ("Gold card", "cards"), (
            f"[{backend}] the last upsert should win, got {found[0]}"
        )

    # -- promotions ----------------------------------------------------------------------
    def test_promotions_strictly_after_watermark_oldest_first(self, crm: CRM, backend: str) -> None:
        """Only promotions updated after the watermark, oldest update first (microsecond
        precision; a naive watermark is UTC); an update moves a promotion past it."""
        if not crm.supports(Capability.PROMOTIONS):
            promotion = Promotion(promotion_id=unique("pr-"), product_id="p", title="t")
            assert_unsupported(
                crm, Capability.PROMOTIONS, lambda: crm.upsert_promotion(promotion), backend
            )
            assert_unsupported(crm, Capability.PROMOTIONS, crm.list_promotions, backend)
            return
        tag = unique("pr-")
        offsets = {"a": 30, "b": 10, "c": 20, "d": 20}  # minutes after T0
        for suffix, minutes in offsets.items():
            crm.upsert_promotion(
                Promotion(
                    promotion_id=f"{tag}-{suffix}",
                    product_id="contract-product",
                    title=f"Promo {suffix}",
                    updated_at=T0 + timedelta(minutes=minutes),
                )
            )
        mine = [f"{tag}-{s}" for s in offsets]

        def since(moment: datetime | None) -> list[str]:
            return ids_of_mine(crm.list_promotions(updated_since=moment), "promotion_id", mine)

        assert since(None) == [f"{tag}-b", f"{tag}-c", f"{tag}-d", f"{tag}-a"], (
            f"[{backend}] every promotion, oldest update first (ties by id): {since(None)}"
        )
        watermark = T0 + timedelta(minutes=20)
        assert since(watermark) == [f"{tag}-a"], (
            f"[{backend}] strictly after {watermark}: equal updates must be excluded, "
            f"got {since(watermark)}"
        )
        just_before = watermark - timedelta(microseconds=1)
        assert since(just_before) == [f"{tag}-c", f"{tag}-d", f"{tag}-a"], (
            f"[{backend}] one microsecond before the watermark: {since(just_before)}"
        )
        elsewhere = watermark.astimezone(timezone(timedelta(hours=-5)))
        naive = watermark.replace(tzinfo=None)
        assert since(elsewhere) == since(naive) == [f"{tag}-a"], (
            f"[{backend}] the same instant in another zone, or naive (UTC), is the same "
            f"watermark: {since(elsewhere)} / {since(naive)}"
        )
        crm.upsert_promotion(
            Promotion(
                promotion_id=f"{tag}-b",
                product_id="contract-product",
                title="Promo b, revised",
                updated_at=T0 + timedelta(hours=2),
            )
        )
        latest = [
            p for p in crm.list_promotions(updated_since=T0 + timedelta(minutes=30))
            if p.promotion_id in mine
        ]  # fmt: skip
        assert [(p.promotion_id, p.title) for p in latest] == [(f"{tag}-b", "Promo b, revised")], (
            f"[{backend}] an updated promotion comes after the old watermark, once: {latest}"
        )

    # -- leads ---------------------------------------------------------------------------
    def test_same_email_other_case_and_spaces_is_the_same_lead(
        self, crm: CRM, backend: str
    ) -> None:
        """De-duplication on the normalised e-mail returns the held lead, unchanged."""
        address = f"{unique('ann.')}@example.org"
        first = crm.create_lead(
            _lead(email=f"  {address.upper()} ", name="Ann"), lead_id=unique("l-")
        )
        assert first.created, f"[{backend}] the first lead for {address} was not created"
        assert first.lead.email == address, (
            f"[{backend}] the stored e-mail should be normalised, got {first.lead.email!r}"
        )
        again = crm.create_lead(_lead(email=address, name="Someone else"), lead_id=unique("l-"))
        assert not again.created and again.lead.lead_id == first.lead.lead_id, (
            f"[{backend}] a second lead with the same e-mail (other case/spaces) must return "
            f"the existing lead {first.lead.lead_id} with created=False; got created="
            f"{again.created}, lead {again.lead.lead_id!r}"
        )
        assert again.lead.name == "Ann", f"[{backend}] the held lead was changed: {again.lead}"

    def test_same_phone_other_format_is_the_same_lead(self, crm: CRM, backend: str) -> None:
        """De-duplication on the normalised phone (+44 20 ... = 0044-20-...)."""
        pretty, other, normalised = phone_two_ways()
        first = crm.create_lead(_lead(phone=pretty), lead_id=unique("l-"))
        assert first.created and first.lead.phone == normalised, (
            f"[{backend}] first lead: created={first.created}, phone {first.lead.phone!r}"
        )
        again = crm.create_lead(_lead(phone=other, name="Bo"), lead_id=unique("l-"))
        assert not again.created and again.lead.lead_id == first.lead.lead_id, (
            f"[{backend}] {other!r} is {pretty!r} in another format: expected the existing "
            f"lead {first.lead.lead_id} with created=False, got created={again.created}, "
            f"lead {again.lead.lead_id!r}"
        )

    def test_create_lead_is_idempotent_on_id(self, crm: CRM, backend: str) -> None:
        """The same lead id again returns the held lead, even with other contact data."""
        lead_id = unique("l-")
        email = f"{unique('cy.')}@example.org"
        assert crm.create_lead(_lead(email=email), lead_id=lead_id).created
        again = crm.create_lead(_lead(email=f"{unique('other.')}@example.org"), lead_id=lead_id)
        assert not again.created and again.lead.email == email, (
            f"[{backend}] creating lead {lead_id} twice must return the first one "
            f"(created=False, e-mail {email}); got created={again.created}, {again.lead}"
        )
        assert crm.get_lead(lead_id) == again.lead, f"[{backend}] get_lead disagrees"
        assert ids_of_mine(crm.list_leads(), "lead_id", [lead_id]) == [lead_id]

    def test_id_match_then_email_match_win(self, crm: CRM, backend: str) -> None:
        """A lead matching one held lead by e-mail and another by phone gets the e-mail's."""
        email = f"{unique('dee.')}@example.org"
        pretty, other, _ = phone_two_ways()
        by_email = crm.create_lead(_lead(email=email), lead_id=unique("l-")).lead
        by_phone = crm.create_lead(_lead(phone=pretty), lead_id=unique("l-")).lead
        both = crm.create_lead(_lead(email=email, phone=other), lead_id=unique("l-"))
        assert not both.created and both.lead.lead_id == by_email.lead_id, (
            f"[{backend}] e-mail match {by_email.lead_id} should win over phone match "
            f"{by_phone.lead_id}; got created={both.created}, {both.lead.lead_id}"
        )
        by_id = crm.create_lead(_lead(email=email), lead_id=by_phone.lead_id)
        assert by_id.lead.lead_id == by_phone.lead_id, (
            f"[{backend}] an id match should win over an e-mail match: {by_id.lead.lead_id}"
        )

    def test_concurrent_duplicate_creates_make_one_lead(self, crm: CRM, backend: str) -> None:
        """Threads creating the same person at once: one created=True, all the same lead."""
        address = f"{unique('eve.')}@example.org"
        spellings = [address, address.upper(), f" {address} ", address.title()]
        start = threading.Barrier(self.racers)
        results: list[LeadResult] = []
        errors: list[BaseException] = []

        def race(index: int) -> None:
            try:
                start.wait(timeout=30)
                lead = _lead(email=spellings[index % len(spellings)], name=f"Eve {index}")
                results.append(crm.create_lead(lead, lead_id=unique("l-")))
            except BaseException as exc:  # reported below, with the backend
                errors.append(exc)

        threads = [threading.Thread(target=race, args=(i,)) for i in range(self.racers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, f"[{backend}] concurrent create_lead raised {errors[:3]!r}"
        created = [r.lead.lead_id for r in results if r.created]
        assert len(created) == 1, (
            f"[{backend}] {self.racers} concurrent creates of one e-mail must create exactly "
            f"one lead; {len(created)} said created=True: {created}"
        )
        ids = {r.lead.lead_id for r in results}
        assert ids == set(created), f"[{backend}] racers got different leads: {sorted(ids)}"
        held = [lead for lead in crm.list_leads() if lead.email == address]
        assert [lead.lead_id for lead in held] == created, (
            f"[{backend}] the CRM holds {len(held)} leads for {address}"
        )

    def test_get_missing_lead_raises_not_found(self, crm: CRM) -> None:
        with pytest.raises(CRMRecordNotFound):
            crm.get_lead(unique("missing-"))
        with pytest.raises(KeyError):  # callers that only know builtins still catch it
            crm.get_lead(unique("missing-"))

    def test_list_leads_oldest_first(self, crm: CRM, backend: str) -> None:
        made = [
            crm.create_lead(_lead(email=f"{unique('f.')}@example.org"), lead_id=unique("l-"))
            for _ in range(3)
        ]
        mine = [r.lead.lead_id for r in made]
        listed = [lead for lead in crm.list_leads() if lead.lead_id in mine]
        assert [lead.lead_id for lead in listed] == mine, (
            f"[{backend}] leads should be listed oldest first: {[x.lead_id for x in listed]}"
        )
        assert listed == [r.lead for r in made], f"[{backend}] leads changed in storage"

    @pytest.mark.parametrize("lead_id", ["", "has space", "-leading", "x" * 129, "a@b"])
    def test_bad_lead_id_is_invalid_input(self, crm: CRM, lead_id: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            crm.create_lead(_lead(email="a@example.org"), lead_id=lead_id)
        assert caught.value.field == "lead_id"

    def test_wrong_record_types_are_invalid_input(self, crm: CRM) -> None:
        with pytest.raises(InvalidInput) as caught:
            crm.create_lead({"name": "x"}, lead_id="l-1")  # type: ignore[arg-type]
        assert caught.value.field == "lead"
        with pytest.raises(InvalidInput) as caught:
            crm.upsert_product(Opportunity(opportunity_id="o", product_id="p", prospect_id="x"))  # type: ignore[arg-type]
        assert caught.value.field == "product"
        bad = Product(product_id="ok", name="x").model_copy(update={"product_id": "no spaces!"})
        with pytest.raises(InvalidInput) as caught:
            crm.upsert_product(bad)  # model_copy skipped pydantic's checks; the port did not
        assert caught.value.field == "product.product_id"

    # -- opportunities and tasks -----------------------------------------------------------
    def test_opportunities_round_trip_update_and_status_filter(
        self, crm: CRM, backend: str
    ) -> None:
        if not crm.supports(Capability.OPPORTUNITIES):
            opportunity = Opportunity(opportunity_id="o", product_id="p", prospect_id="x")
            for call in (
                lambda: crm.save_opportunity(opportunity),
                lambda: crm.get_opportunity("o"),
                crm.list_opportunities,
            ):
                assert_unsupported(crm, Capability.OPPORTUNITIES, call, backend)
            return
        tag = unique("o-")
        first = Opportunity(
            opportunity_id=f"{tag}-1",
            product_id="contract-product",
            prospect_id="prospect-1",
            referrer_id="customer-9",
            context="asked about a car loan",
            created_at=T0,
        )
        second = Opportunity(
            opportunity_id=f"{tag}-2",
            product_id="contract-product",
            prospect_id="prospect-2",
            created_at=T0 + timedelta(seconds=1),
        )
        crm.save_opportunity(second)
        crm.save_opportunity(first)
        assert crm.get_opportunity(first.opportunity_id) == first, f"[{backend}] round trip"
        answered = first.model_copy(
            update={"status": OpportunityStatus.ANSWERED, "offer_text": "10% off"}
        )
        crm.save_opportunity(answered)
        crm.save_opportunity(answered)  # idempotent
        mine = [first.opportunity_id, second.opportunity_id]
        listed = ids_of_mine(crm.list_opportunities(), "opportunity_id", mine)
        assert listed == mine, f"[{backend}] oldest first, one each: {listed}"
        assert crm.get_opportunity(first.opportunity_id).offer_text == "10% off"
        for status, expected in (
            ("open", [second.opportunity_id]),
            (OpportunityStatus.ANSWERED, [first.opportunity_id]),
            ("declined", []),
        ):
            got = ids_of_mine(crm.list_opportunities(status=status), "opportunity_id", mine)
            assert got == expected, f"[{backend}] status={status!s}: {got}"
        with expect_raises(CRMRecordNotFound, backend, "getting a missing opportunity"):
            crm.get_opportunity(unique("missing-"))
        with pytest.raises(InvalidInput) as caught:
            crm.list_opportunities(status="maybe")
        assert caught.value.field == "status"

    def test_tasks_round_trip_and_open_filter(self, crm: CRM, backend: str) -> None:
        if not crm.supports(Capability.TASKS):
            task = CrmTask(task_id="t", subject="s")
            for call in (lambda: crm.save_task(task), crm.list_tasks,
                         lambda: crm.get_task("t")):
                assert_unsupported(crm, Capability.TASKS, call, backend)
            return
        tag = unique("t-")
        review = CrmTask(
            task_id=f"{tag}-1",
            subject="Review reward",
            assignee="fraud-desk",
            related_id="rwd-1",
            details={"flags": ["velocity"], "amount": {"value": 25.5, "currency": "EUR"}},
            created_at=T0,
        )
        call_back = CrmTask(task_id=f"{tag}-2", subject="Call back", created_at=T0 + timedelta(1))
        crm.save_task(review)
        crm.save_task(call_back)
        crm.save_task(review.model_copy(update={"done": True}))
        crm.save_task(review.model_copy(update={"done": True}))  # idempotent
        mine = [review.task_id, call_back.task_id]
        every = [t for t in crm.list_tasks() if t.task_id in mine]
        assert [t.task_id for t in every] == mine, f"[{backend}] oldest first, one each"
        assert every[0].details == review.details and every[0].done, (
            f"[{backend}] task details or state changed in storage: {every[0]}"
        )
        open_ones = ids_of_mine(crm.list_tasks(open_only=True), "task_id", mine)
        assert open_ones == [call_back.task_id], f"[{backend}] open tasks: {open_ones}"
        assert crm.get_task(review.task_id) == every[0], f"[{backend}] get_task"
        with pytest.raises(CRMRecordNotFound):
            crm.get_task(f"{tag}-missing")

    # -- contacts --------------------------------------------------------------------------
    def test_contacts_round_trip_watermark_and_account(self, crm: CRM, backend: str) -> None:
        """Contacts come back whole; listed strictly after a watermark, oldest update
        first; by account; a re-save moves a contact past the watermark."""
        if not crm.supports(Capability.CONTACTS):
            contact = CrmContact(contact_id="c")
            for call in (
                lambda: crm.save_contact(contact),
                lambda: crm.get_contact("c"),
                crm.list_contacts,
            ):
                assert_unsupported(crm, Capability.CONTACTS, call, backend)
            assert crm.erase_contacts(email="a@example.org", phone=None) == 0
            return
        tag = unique("ct-")
        account = unique("acct-")
        first = CrmContact(
            contact_id=f"{tag}-1", first_name="Ada", last_name="Byron", account_id=account,
            email=f"{tag}.ada@example.org", company="Analytical Engines", title="CFO",
            updated_at=T0,
        )
        second = CrmContact(
            contact_id=f"{tag}-2", first_name="Bob", phone="+44 20 7946 0001",
            updated_at=T0 + timedelta(microseconds=1),
        )
        crm.save_contact(second)
        stored = crm.save_contact(first)
        assert crm.get_contact(first.contact_id) == stored == first, f"[{backend}] round trip"
        mine = [first.contact_id, second.contact_id]
        assert ids_of_mine(crm.list_contacts(), "contact_id", mine) == mine, (
            f"[{backend}] contacts should be listed oldest update first"
        )
        after = ids_of_mine(crm.list_contacts(updated_since=T0), "contact_id", mine)
        assert after == [second.contact_id], f"[{backend}] strictly after T0: {after}"
        by_account = ids_of_mine(crm.list_contacts(account_id=account), "contact_id", mine)
        assert by_account == [first.contact_id], f"[{backend}] account filter: {by_account}"
        enriched = first.model_copy(update={
            "enrichment": {"city": "London"}, "people_id": "p-1",
            "updated_at": T0 + timedelta(seconds=5)})
        crm.save_contact(enriched)
        crm.save_contact(enriched)  # idempotent
        after = ids_of_mine(crm.list_contacts(updated_since=T0), "contact_id", mine)
        assert after == [second.contact_id, first.contact_id], (
            f"[{backend}] the re-saved contact moves past T0 and after the other: {after}"
        )
        assert crm.get_contact(first.contact_id).enrichment == {"city": "London"}
        with expect_raises(CRMRecordNotFound, backend, "getting a missing contact"):
            crm.get_contact(unique("missing-"))

    def test_erase_contacts_leaves_nothing_readable(self, crm: CRM, backend: str) -> None:
        """Contact erasure by e-mail (other case), phone (other format) and id; the keeper
        stays; a second erasure deletes nothing."""
        if not crm.supports(Capability.CONTACTS):
            return
        tag = unique("")
        email = f"contact.erase.{tag}@example.org"
        pretty, other, normalised = phone_two_ways()
        names = [f"Contacterase{tag}", f"Contactphone{tag}", f"Contactbyid{tag}"]
        made = [
            CrmContact(contact_id=unique("ct-"), last_name=names[0], email=email.upper()),
            CrmContact(contact_id=unique("ct-"), last_name=names[1], phone=pretty),
            CrmContact(contact_id=unique("ct-"), last_name=names[2]),
        ]
        keeper = CrmContact(contact_id=unique("ct-"), last_name="Keeper",
                            email=f"keep.{tag}@example.org")
        for contact in (*made, keeper):
            crm.save_contact(contact)
        erased = crm.erase_contacts(email=f" {email.title()} ", phone=other,
                                    contact_ids=[made[2].contact_id, unique("never-")])
        assert erased == 3, f"[{backend}] erase_contacts should report 3, said {erased}"
        for contact in made:
            with expect_raises(CRMRecordNotFound, backend, "reading an erased contact"):
                crm.get_contact(contact.contact_id)
        mine = [c.contact_id for c in (*made, keeper)]
        left = ids_of_mine(crm.list_contacts(), "contact_id", mine)
        assert left == [keeper.contact_id], f"[{backend}] contacts left: {left}"
        again = crm.erase_contacts(email=email, phone=other,
                                   contact_ids=[made[2].contact_id])
        assert again == 0, f"[{backend}] a second erasure should report 0, said {again}"
        self.assert_erased_from_storage(crm, [*names, email, normalised])

    def test_get_task_reads_one_task(self, crm: CRM, backend: str) -> None:
        if not crm.supports(Capability.TASKS):
            assert_unsupported(crm, Capability.TASKS, lambda: crm.get_task("t"), backend)
            return
        task = CrmTask(task_id=unique("t-"), subject="Introduce", details={"path": ["a", "b"]})
        crm.save_task(task)
        assert crm.get_task(task.task_id) == task, f"[{backend}] get_task round trip"
        with expect_raises(CRMRecordNotFound, backend, "getting a missing task"):
            crm.get_task(unique("missing-"))

    # -- erasure ---------------------------------------------------------------------------
    def test_erase_contact_leaves_nothing_readable(self, crm: CRM, backend: str) -> None:
        """Erasure by e-mail (other case), phone (other format) and id; the keeper stays;
        a later lead with the erased e-mail is a new lead."""
        tag = unique("")
        email = f"erase.me.{tag}@example.org"
        pretty, other, normalised = phone_two_ways()
        names = [f"Eraseme {tag}", f"Phoneonly {tag}", f"Byid {tag}"]
        by_email = crm.create_lead(_lead(email=email.upper(), name=names[0]), lead_id=unique("l-"))
        by_phone = crm.create_lead(_lead(phone=pretty, name=names[1]), lead_id=unique("l-"))
        by_id = crm.create_lead(
            _lead(email=f"byid.{tag}@example.org", name=names[2]), lead_id=unique("l-")
        )
        keeper = crm.create_lead(
            _lead(email=f"keep.{tag}@example.org", name="Keeper"), lead_id=unique("l-")
        )
        gone = [by_email.lead, by_phone.lead, by_id.lead]
        erased = crm.erase_contact(
            email=f"  {email.title()} ",
            phone=other,
            lead_ids=[by_id.lead.lead_id, unique("never-existed-")],
        )
        assert erased == 3, f"[{backend}] erase_contact should report 3 leads, said {erased}"
        for lead in gone:
            with expect_raises(CRMRecordNotFound, backend, f"reading erased lead {lead.lead_id}"):
                crm.get_lead(lead.lead_id)
        mine = [lead.lead_id for lead in (*gone, keeper.lead)]
        left = ids_of_mine(crm.list_leads(), "lead_id", mine)
        assert left == [keeper.lead.lead_id], f"[{backend}] leads left after erasure: {left}"
        assert crm.get_lead(keeper.lead.lead_id) == keeper.lead
        back = crm.create_lead(_lead(email=email), lead_id=unique("l-"))
        assert back.created, (
            f"[{backend}] after erasure a lead with the same e-mail must be new, but it "
            f"matched {back.lead.lead_id} (a de-duplication index kept the erased e-mail)"
        )
        assert crm.erase_contact(email=email, phone=None) == 1
        self.assert_erased_from_storage(crm, [*names, email, f"byid.{tag}@example.org", normalised])

    def test_erase_contact_is_idempotent(self, crm: CRM, backend: str) -> None:
        email = f"{unique('twice.')}@example.org"
        lead = crm.create_lead(_lead(email=email), lead_id=unique("l-")).lead
        assert crm.erase_contact(email=email, phone=None, lead_ids=[lead.lead_id]) == 1
        again = crm.erase_contact(email=email, phone=None, lead_ids=[lead.lead_id])
        assert again == 0, f"[{backend}] a second erasure should report 0, said {again}"
        assert crm.erase_contact(email=None, phone=None) == 0
        assert crm.erase_contact(email=None, phone=None, lead_ids=[]) == 0

    @pytest.mark.parametrize(
        ("field", "email", "phone"),
        [("email", "no-at-sign.example.org", None), ("phone", None, "12")],
    )
    def test_erase_contact_rejects_malformed_contact_without_echo(
        self, crm: CRM, field: str, email: str | None, phone: str | None
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            crm.erase_contact(email=email, phone=phone)
        assert caught.value.field == field
        assert (email or phone or "") not in str(caught.value), "the message repeats the input"

    # -- retries ---------------------------------------------------------------------------
    @pytest.mark.parametrize(
        "primitive", ["_create_lead", "_get_record", "_find_records", "_put_record", "_erase_leads"]
    )
    def test_transient_failure_of_a_primitive_is_retried(
        self, crm: CRM, backend: str, primitive: str
    ) -> None:
        """The base class retries a primitive that raised TransientError once."""
        email = f"{unique('retry.')}@example.org"
        lead_id = unique("l-")
        calls: dict[str, Callable[[], object]] = {
            "_create_lead": lambda: crm.create_lead(_lead(email=email), lead_id=lead_id),
            "_get_record": lambda: crm.get_lead(lead_id),
            "_find_records": crm.list_leads,
            "_put_record": lambda: crm.upsert_product(
                Product(product_id=unique("p-"), name="Retried")
            ),
            "_erase_leads": lambda: crm.erase_contact(email=email, phone=None),
        }
        if primitive != "_create_lead":
            crm.create_lead(_lead(email=email), lead_id=lead_id)
        with transient_once(crm, primitive) as attempts:
            result = calls[primitive]()
        assert attempts[0] == 2, (
            f"[{backend}] {primitive} failed once with TransientError; the base should have "
            f"called it again (calls: {attempts[0]})"
        )
        if primitive == "_create_lead":
            assert isinstance(result, LeadResult) and result.created
        elif primitive == "_get_record":
            assert isinstance(result, Lead) and result.lead_id == lead_id
        elif primitive == "_erase_leads":
            assert result == 1, f"[{backend}] the retried erasure reported {result}"


__all__ = ["CRMContract"]
