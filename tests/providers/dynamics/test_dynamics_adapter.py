"""DynamicsCRM beyond the contract: the duplicate answer, service protection limits,
token renewal, what agents change in Dynamics, campaigns authored there, QualifyLead,
campaign responses, erasure with audit purge, and the kit catching a broken variant.

Backend: the Dataverse fake over TLS on 127.0.0.1 (``socialreferral.testing.
vendor_fakes.dataverse``), with the real azure-identity credential and httpx.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dynamics_helpers import BACKEND, dynamics_settings

from socialreferral.domain.crm import (
    CrmTask,
    Lead,
    LeadInput,
    LeadResult,
    Opportunity,
    OpportunityStatus,
    Promotion,
)
from socialreferral.errors import CRMError, CRMRecordNotFound, TransientError
from socialreferral.providers import BuildContext
from socialreferral.providers.dynamics.crm import DynamicsCRM
from socialreferral.providers.dynamics.errors import DuplicateRecord
from socialreferral.records import CrmRecordKind
from socialreferral.testing.contracts import CRMContract
from socialreferral.testing.vendor_fakes import dataverse
from socialreferral.testing.vendor_fakes.dataverse import DataverseFake
from socialreferral.testing.vendor_fakes.server import LoopbackServer

MakeCrm = Callable[..., DynamicsCRM]
FIXTURES = Path(__file__).parents[2] / "fixtures" / "dynamics"


def _lead(email: str) -> LeadInput:
    return LeadInput(name="Ann", email=email, product_id="home-loan")


def test_create_asks_for_duplicate_detection_and_links_a_duplicate(
        make_crm: MakeCrm, dataverse: DataverseFake) -> None:
    """A lead create says ``MSCRM.SuppressDuplicateDetection: false``; the duplicate
    answer returns the held lead (created=False) instead of failing."""
    crm = make_crm()
    first = crm.create_lead(_lead("dup.one@example.org"), lead_id="dyn-dup-1")
    again = crm.create_lead(_lead("DUP.one@example.org "), lead_id="dyn-dup-2")
    assert first.created and not again.created
    assert again.lead.lead_id == "dyn-dup-1"
    posts = [h for m, p, h in dataverse.requests if m == "POST" and p == "leads"]
    assert posts and all(h.get("mscrm.suppressduplicatedetection") == "false" for h in posts)


def test_throttling_waits_the_advised_retry_after(make_crm: MakeCrm,
                                                  dataverse: DataverseFake) -> None:
    """429 + Retry-After (service protection) → TransientError with that wait; the base
    waits at least as long, then succeeds."""
    crm = make_crm()
    crm.list_products()  # token fetched outside the timing
    dataverse.throttle(times=1, retry_after=0.4)
    started = time.monotonic()
    crm.list_products()
    assert time.monotonic() - started >= 0.4


def test_advice_longer_than_the_worker_waits_fails_fast(make_crm: MakeCrm,
                                                        dataverse: DataverseFake) -> None:
    crm = make_crm()
    dataverse.throttle(times=1, retry_after=300)
    started = time.monotonic()
    with pytest.raises(TransientError) as caught:
        crm.list_products()
    assert caught.value.retry_after == 300
    assert time.monotonic() - started < 2
    dataverse._throttle.clear()


def test_an_expired_token_is_renewed(make_crm: MakeCrm, dataverse: DataverseFake) -> None:
    """Tokens that expire (here after 1 s, then refused by the service) are fetched anew
    from the token endpoint by the credential; the call succeeds."""
    dataverse.token_lifetime = 1
    try:
        crm = make_crm()
        crm.list_products()
        before = dataverse.token_requests
        time.sleep(1.2)
        dataverse.revoke_tokens()
        crm.list_products()
        assert dataverse.token_requests > before
    finally:
        dataverse.token_lifetime = 3599


def test_a_wrong_client_secret_is_a_clear_crm_error(
        dataverse_server: tuple[LoopbackServer, DataverseFake]) -> None:
    crm = DynamicsCRM.from_settings(
        dynamics_settings(dataverse_server[0]).model_copy(
            update={"client_secret": __import__("pydantic").SecretStr("wrong")}),
        BuildContext())
    try:
        with pytest.raises(CRMError, match="signing in") as caught:
            crm.list_products()
        assert "wrong" not in str(caught.value)
    finally:
        crm.close()


def test_agents_answer_opportunities_and_close_tasks_in_dynamics(
        make_crm: MakeCrm, dataverse: DataverseFake) -> None:
    """Columns agents edit in Dynamics win over the stored payload."""
    crm = make_crm()
    crm.save_opportunity(Opportunity(opportunity_id="dyn-opp-1", product_id="p",
                                     prospect_id="pros-1"))
    crm.save_task(CrmTask(task_id="dyn-task-1", subject="Review reward"))
    with dataverse._lock:
        row = next(r for r in dataverse.tables["opportunities"].values()
                   if r.get("sr_externalid") == "dyn-opp-1")
        row.update({"sr_status": "answered", "sr_offertext": "5% off for you",
                    "sr_answeredat": "2031-01-02T03:04:05Z"})
        task = next(r for r in dataverse.tables["tasks"].values()
                    if r.get("sr_externalid") == "dyn-task-1")
        task["statecode"] = 1
    answered = crm.list_opportunities(status=OpportunityStatus.ANSWERED.value)
    mine = [o for o in answered if o.opportunity_id == "dyn-opp-1"]
    assert [(o.offer_text, o.answered_at) for o in mine] == [
        ("5% off for you", datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC))]
    assert "dyn-task-1" not in [t.task_id for t in crm.list_tasks(open_only=True)]


def test_a_campaign_authored_in_dynamics_is_read_by_its_modifiedon(
        make_crm: MakeCrm, dataverse: DataverseFake) -> None:
    crm = make_crm()
    before = datetime.now(UTC) - timedelta(seconds=5)
    with dataverse._lock:
        dataverse.tables["campaigns"]["c-guid-1"] = {
            "campaignid": "c-guid-1", "name": "Spring home loans", "description": "0.5% off",
            "sr_productid": "home-loan", "sr_externalid": "spring-2031",
            "modifiedon": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    found = [p for p in crm.list_promotions(updated_since=before)
             if p.promotion_id == "spring-2031"]
    assert [(p.title, p.product_id) for p in found] == [("Spring home loans", "home-loan")]
    later = datetime.now(UTC) + timedelta(seconds=5)
    assert "spring-2031" not in [p.promotion_id for p in crm.list_promotions(updated_since=later)]


def test_qualify_lead_and_campaign_response(make_crm: MakeCrm,
                                            dataverse: DataverseFake) -> None:
    crm = make_crm()
    crm.create_lead(_lead("qualify.me@example.org"), lead_id="dyn-q-1")
    crm.upsert_promotion(Promotion(promotion_id="dyn-promo-q", product_id="home-loan",
                                   title="Q"))
    created = crm.qualify_lead("dyn-q-1")
    assert len(created) == 2 and all(created)
    crm.record_campaign_response("dyn-promo-q", "dyn-q-1", response_id="dyn-resp-1",
                                 subject="Answered the spring offer")
    crm.record_campaign_response("dyn-promo-q", "dyn-q-1", response_id="dyn-resp-1",
                                 subject="Answered the spring offer")
    responses = [r for r in dataverse.rows("campaignresponses")
                 if r.get("sr_externalid") == "dyn-resp-1"]
    assert len(responses) == 1
    with pytest.raises(CRMRecordNotFound):
        crm.qualify_lead("no-such-lead")


def test_erasure_purges_audit_history_when_asked(make_crm: MakeCrm,
                                                 dataverse: DataverseFake) -> None:
    crm = make_crm(purge_audit_history=True)
    held = crm.create_lead(_lead("erase.audit@example.org"), lead_id="dyn-erase-1")
    assert crm.erase_contact(email="erase.audit@example.org", phone=None) == 1
    key = [k for k in dataverse.audit_purged]
    assert key and held.lead.lead_id not in repr(dataverse.tables["leads"])


def test_the_kit_catches_a_crm_that_ignores_the_duplicate_answer(
        make_crm: MakeCrm, dataverse: DataverseFake) -> None:
    """A variant that treats Dataverse's duplicate answer as success is failed by the
    contract's de-duplication test, with a message naming the backend."""

    class IgnoresDuplicateAnswer(DynamicsCRM):
        def _create_lead(self, lead: Lead) -> LeadResult:
            table = self._maps[CrmRecordKind.LEAD]
            with contextlib.suppress(DuplicateRecord):  # the duplicate answer, ignored
                self._client.request("POST", table.entity_set, "create lead",
                                     json=table.to_row(lead),
                                     headers={"MSCRM.SuppressDuplicateDetection": "false"})
            return LeadResult(lead=lead, created=True)

    broken = make_crm(IgnoresDuplicateAnswer)
    with pytest.raises(AssertionError, match=r"created=False") as caught:
        CRMContract().test_same_email_other_case_and_spaces_is_the_same_lead(broken, BACKEND)
    assert BACKEND in str(caught.value)


@pytest.mark.parametrize(("name", "constant", "status"), [
    ("duplicate_detected.json", dataverse.DUPLICATE_DETECTED, 500),
    ("alternate_key_conflict.json", dataverse.KEY_CONFLICT, 412),
    ("throttled.json", dataverse.THROTTLED, 429),
    ("not_found.json", dataverse.NOT_FOUND, 404),
])
def test_the_fake_answers_the_documented_shapes(name: str, constant: dict[str, object],
                                                status: int) -> None:
    """The fake's error bodies carry the documented codes (tests/fixtures/dynamics)."""
    documented = json.loads((FIXTURES / name).read_text())
    assert str(status) in documented["_source"]
    assert constant["error"]["code"] == documented["error"]["code"]  # type: ignore[index]
