"""Job-title classification and contact ranking (seed 004)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialreferral.people import Contact, SocialGraph, Tie, classify_title, rank_contacts

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Chief Executive Officer", "decision_maker"),
        ("CEO & Founder", "decision_maker"),
        ("Geschäftsführer", "decision_maker"),
        ("Head of Procurement", "decision_maker"),
        ("Director, Strategic Sourcing", "decision_maker"),
        ("Senior Buyer", "buyer"),
        ("Einkäufer", "buyer"),
        ("Category Manager", "buyer"),
        ("Procurement Specialist", "buyer"),
        ("IT Manager", "influencer"),
        ("Software Engineer", "influencer"),
        ("Assistant to the CFO", "other"),
        ("HR Business Partner", "influencer"),  # a role, not a partner of the firm
        ("Partner", "decision_maker"),
        ("Marketing Intern", "other"),
        ("", "other"),
        ("%%%!!!", "other"),
    ],
)
def test_classes(title: str, expected: str) -> None:
    assert classify_title(title).title_class == expected


def test_vice_president_is_not_a_president_and_explanation_adds_up() -> None:
    vp = classify_title("Vice President Sales")
    assert vp.seniority == 4 and vp.title_class == "decision_maker"
    assert vp.explanation.total == pytest.approx(vp.score)
    assert "vice president" in vp.explanation.factor("seniority").note


def test_buyers_and_deciders_outrank_influencers() -> None:
    scores = {t: classify_title(t).score for t in ("Head of Purchasing", "Buyer", "Engineer")}
    assert scores["Head of Purchasing"] > scores["Buyer"] > scores["Engineer"]


def test_ranking_uses_title_connections_and_freshness() -> None:
    graph = SocialGraph(
        [],
        [Tie(a="emp1", b="c_engineer", strength=0.9), Tie(a="emp2", b="c_engineer", strength=0.8)],
    )
    contacts = [
        Contact(person_id="c_buyer_stale", title="Buyer", updated_at=NOW - timedelta(days=2000)),
        Contact(person_id="c_buyer_fresh", title="Buyer", updated_at=NOW - timedelta(days=10)),
        Contact(person_id="c_engineer", title="Engineer", updated_at=NOW - timedelta(days=10)),
        Contact(person_id="c_ceo", title="CEO"),
    ]
    ranked = rank_contacts(contacts, now=NOW, graph=graph, employees=["emp1", "emp2"])
    order = [r.contact.person_id for r in ranked]
    assert order.index("c_buyer_fresh") < order.index("c_buyer_stale")
    engineer = next(r for r in ranked if r.contact.person_id == "c_engineer")
    assert engineer.employee_ties == (("emp1", 0.9), ("emp2", 0.8))
    assert engineer.explanation.factor("connections").value > 0.5
    for r in ranked:
        assert r.explanation.total == pytest.approx(r.score)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)


def test_ranking_needs_an_aware_clock() -> None:
    with pytest.raises(ValueError):
        rank_contacts([], now=datetime(2026, 1, 1))
