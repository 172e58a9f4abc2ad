"""Business-function categorizer: real-time rules, the periodic job, agent feedback."""

from __future__ import annotations

import pytest

from socialreferral.care import (
    AgentFeedback,
    BusinessFunction,
    Categorizer,
    Correction,
    apply_feedback,
    run_categorizer_job,
)
from socialreferral.errors import InvalidInput

FUNCTIONS = (
    BusinessFunction(
        name="warranty", terms=("warranty", "coverage", "repair", "claim", "extended warranty")
    ),
    BusinessFunction(name="sales", terms=("price", "deal", "discount", "buy", "offer")),
    BusinessFunction(
        name="service", terms=("appointment", "dealer", "oil change", "mechanic", "service")
    ),
)


def test_most_terms_win() -> None:
    c = Categorizer(FUNCTIONS).categorize("Is the repair covered by my warranty claim?")
    assert c.function == "warranty" and c.candidates == ("warranty",)
    assert set(c.matched["warranty"]) == {"repair", "warranty", "claim"}


def test_stems_and_phrases_match() -> None:
    cat = Categorizer(FUNCTIONS)
    assert cat.categorize("booked two oil changes at the dealers").function == "service"
    assert "extended warranty" in cat.categorize("an Extended Warranty?").matched["warranty"]


def test_tie_presents_all_candidates_in_priority_order() -> None:
    c = Categorizer(FUNCTIONS).categorize("what is the price of a repair")
    assert c.function is None and c.needs_agent
    assert c.candidates == ("warranty", "sales")


def test_no_match_is_miscellaneous() -> None:
    c = Categorizer(FUNCTIONS).categorize("nice weather today")
    assert c.function == "miscellaneous" and not c.matched


def test_function_validation() -> None:
    with pytest.raises(ValueError):
        BusinessFunction(name="miscellaneous", terms=("x",))
    with pytest.raises(ValueError):
        BusinessFunction(name="x", terms=("  ",))


def _posts() -> list[str]:
    tyres = [
        f"my tyre pressure sensor {w} again on the highway"
        for w in ("failed", "blinks", "beeps", "died", "glitched", "flickers")
    ]
    sunroof = [
        f"sunroof leak {w} after rain, water inside the cabin"
        for w in ("started", "again", "worse", "today", "twice", "yesterday")
    ]
    deals = [
        f"any discount or deal on the {w} model this month?"
        for w in ("hybrid", "sport", "base", "electric", "family", "compact")
    ]
    return tyres + sunroof + deals


def test_job_clusters_names_maps_and_only_proposes() -> None:
    run = run_categorizer_job(_posts(), FUNCTIONS, n_clusters=3, stop_words=["car"])
    assert len(run.clusters) == 3
    assert sum(c.size for c in run.clusters) == 18
    deals = next(c for c in run.clusters if "discount" in c.top_terms or "deal" in c.top_terms)
    assert deals.function == "sales"
    assert run.functions == FUNCTIONS  # nothing added silently
    proposed = {(p.function, p.term) for p in run.proposals}
    assert any(fn == "sales" for fn, _ in proposed)
    assert all(t not in {"discount", "deal"} for _, t in proposed)  # already known


def test_feedback_changes_the_next_categorization() -> None:
    cat = Categorizer(FUNCTIONS)
    text = "sunroof leak again, water in the cabin"
    assert cat.categorize(text).function == "miscellaneous"
    corrections = tuple(Correction(text=t, function="warranty") for t in _posts()[6:12])
    run = run_categorizer_job(
        _posts(), FUNCTIONS, n_clusters=3, feedback=AgentFeedback(corrections=corrections)
    )
    leak_cluster = next(c for c in run.clusters if "sunroof" in c.top_terms)
    assert leak_cluster.function == "warranty"  # the agents' corrections vote
    proposals = {p.term for p in run.proposals if p.function == "warranty"}
    assert "sunroof" in proposals
    approved = AgentFeedback(
        approved_terms={"warranty": ("sunroof", "leak")}, rejected_terms={"warranty": ("cabin",)}
    )
    updated = Categorizer(apply_feedback(FUNCTIONS, approved))
    assert updated.categorize(text).function == "warranty"
    again = run_categorizer_job(
        _posts(),
        FUNCTIONS,
        n_clusters=3,
        feedback=AgentFeedback(
            corrections=corrections,
            approved_terms=approved.approved_terms,
            rejected_terms=approved.rejected_terms,
        ),
    )
    assert ("warranty", "cabin") not in {(p.function, p.term) for p in again.proposals}
    assert ("warranty", "sunroof") not in {(p.function, p.term) for p in again.proposals}


def test_feedback_for_unknown_function_is_refused() -> None:
    with pytest.raises(InvalidInput):
        apply_feedback(FUNCTIONS, AgentFeedback(approved_terms={"nope": ("x",)}))


def test_job_on_too_little_data_returns_nothing() -> None:
    run = run_categorizer_job(["hi"], FUNCTIONS)
    assert run.clusters == () and run.proposals == ()
