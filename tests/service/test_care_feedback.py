"""Agent feedback through the service: corrections feed the next categorizer run, approved
terms change the real-time routing, rejected ones stay rejected; corrections survive
re-ranking; weight profiles switch at run time; the periodic run once per period."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from care_helpers import Clock, care_providers, desk_for, post

from socialreferral.errors import InvalidInput

ROAMING = [
    "@acmecare the roaming charges on my bill from Spain are outrageous",
    "@acmecare why is roaming so expensive, my bill doubled after the trip",
    "@acmecare roaming did not work in Italy and I was still charged",
    "@acmecare is roaming included in my plan when I travel to France?",
]
OTHERS = [
    "@acmecare my refund is still not here after 3 weeks",
    "@acmecare still waiting for my refund, nobody answers",
    "@acmecare the app keeps crashing after the update",
    "@acmecare app crashing again after the latest update",
    "@acmecare the battery of my new phone dies in two hours",
    "@acmecare my phone battery drains overnight, broken device",
]


def _ingest(desk: object) -> None:
    posts = [post(f"r{i}", f"u{i}", t, minutes=i) for i, t in enumerate(ROAMING)]
    posts += [post(f"o{i}", f"v{i}", t, minutes=10 + i) for i, t in enumerate(OTHERS)]
    desk.ingest(posts)  # type: ignore[attr-defined]


def test_corrections_and_approvals_change_the_next_categorization(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        _ingest(desk)
        items = providers.repositories.care_items
        assert {items.require(f"x:r{i}").queue for i in (2, 3)} == {"miscellaneous"}
        before = desk.run_categorizer(force=True)
        assert before is not None
        first = {(p.function, p.term) for p in desk.proposals()}
        assert ("customer_care", "roaming") not in first
        for ticket in ("x:r0", "x:r1"):  # an agent routes two roaming posts
            corrected = desk.correct(ticket, function="customer_care", agent_id="ann")
            assert corrected.queue == "customer_care"
            assert corrected.function_source == "agent"
        run = desk.run_categorizer(force=True)
        assert run is not None and run.corrections == 2
        roaming = [p for p in desk.proposals()
                   if (p.function, p.term) == ("customer_care", "roaming")]
        assert [p.status for p in roaming] == ["pending"]  # learnt from the corrections
        # nothing changes until an agent approves
        assert items.require("x:r2").queue == "miscellaneous"
        desk.decide(roaming[0].proposal_id, approve=True, agent_id="ann")
        assert desk.recategorize() >= 1
        assert items.require("x:r2").queue == "customer_care"  # routed by the new term
        assert items.require("x:r2").function_source == "categorizer"
        # and new posts are routed at once
        desk.ingest([post("r9", "u9", "@acmecare roaming in Portugal cost me 80 euros",
                          minutes=30)])
        assert items.require("x:r9").queue == "customer_care"


def test_a_rejected_term_is_not_proposed_again(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        _ingest(desk)
        for ticket in ("x:r0", "x:r1"):
            desk.correct(ticket, function="customer_care")
        desk.run_categorizer(force=True)
        pending = desk.proposals()
        assert pending
        rejected = desk.decide(pending[0].proposal_id, approve=False, agent_id="bob")
        assert rejected.status == "rejected" and rejected.decided_by == "bob"
        desk.run_categorizer(force=True)
        assert rejected.proposal_id not in {p.proposal_id for p in desk.proposals()}
        assert [p.status for p in desk.proposals("rejected")] == ["rejected"]


def test_an_agent_correction_survives_re_ranking_and_stays_explained(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        _ingest(desk)
        fixed = desk.correct("x:o0", function="warranty", intent="question", agent_id="ann")
        assert (fixed.queue, fixed.intent, fixed.intent_source) == ("warranty", "question",
                                                                    "agent")
        desk.recategorize()
        desk.ingest([post("o0c", "v9", "@v0 same for me", minutes=40, parent="o0")])
        kept = providers.repositories.care_items.require("x:o0")
        assert (kept.queue, kept.intent) == ("warranty", "question")
        assert kept.score is not None and kept.score.business_function == "warranty"
        score = kept.score
        assert kept.rank_score == pytest.approx(score.author_score * score.bfi * score.ascore)
        with pytest.raises(InvalidInput):
            desk.correct("x:o0", function="no-such-function")
        with pytest.raises(InvalidInput):
            desk.correct("x:o0")


def test_switching_the_weight_profile_re_ranks_at_once(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        _ingest(desk)
        items = providers.repositories.care_items
        before = items.require("x:o1")
        assert desk.profile_name() == "default" and before.profile == "default"
        desk.switch_profile("complaints_first", agent_id="ann")
        after = items.require("x:o1")
        assert desk.profile_name() == "complaints_first"
        assert after.profile == "complaints_first"
        assert after.score is not None and after.score.profile == "complaints_first"
        assert after.rank_score > before.rank_score  # W_sent and W_tone doubled
        assert desk.queue().profile == "complaints_first"
        with pytest.raises(InvalidInput):
            desk.switch_profile("no-such-profile")


def test_the_periodic_run_runs_once_per_period(tmp_path: Path) -> None:
    clock = Clock()
    with care_providers(tmp_path / "data", categorizer={"every_hours": 24}) as providers:
        desk = desk_for(providers, clock=clock)
        _ingest(desk)
        first = desk.run_categorizer()
        assert first is not None and first.posts == len(ROAMING) + len(OTHERS)
        assert desk.run_categorizer() is None  # the same period
        clock.at += timedelta(hours=24)
        assert desk.run_categorizer() is not None  # the next one
        runs = providers.repositories.care_tuning.runs()
        assert len(runs) == 2 and all(r.finished_at is not None for r in runs)
