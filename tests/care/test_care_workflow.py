"""Workflow rules: statuses, ranked queues, round-robin with caps, claims, SLA timers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialreferral.care import (
    Agent,
    CareTicket,
    SlaPolicy,
    assign_round_robin,
    claim,
    group_similar,
    ranked_queues,
    sla_status,
    transition,
    wake_due,
)
from socialreferral.errors import InvalidInput

T0 = datetime(2024, 12, 1, 9, 0, tzinfo=UTC)


def ticket(tid: str, score: float, function: str | None = "care", **kw: object) -> CareTicket:
    return CareTicket(
        ticket_id=tid,
        business_function=function,
        rank_score=score,
        created_at=kw.pop("created_at", T0),
        **kw,
    )  # type: ignore[arg-type]


def test_allowed_transitions_and_stamps() -> None:
    t = ticket("t", 1.0)
    replied = transition(t, "reply", T0 + timedelta(minutes=5))
    assert replied.status == "pending" and replied.first_response_at == T0 + timedelta(minutes=5)
    again = transition(transition(replied, "customer_reply", T0), "reply", T0 + timedelta(hours=1))
    assert again.first_response_at == replied.first_response_at  # first response kept
    snoozed = transition(again, "snooze", T0, until=T0 + timedelta(hours=2))
    assert wake_due([snoozed], T0 + timedelta(hours=1)) == []
    [woken] = wake_due([snoozed], T0 + timedelta(hours=3))
    assert woken.status == "open" and woken.snoozed_until is None
    done = transition(woken, "resolve", T0 + timedelta(hours=4))
    assert done.status == "resolved" and done.resolved_at is not None
    assert transition(done, "reopen", T0).status == "open"


@pytest.mark.parametrize(
    ("status", "event"),
    [("resolved", "reply"), ("open", "wake"), ("resolved", "snooze"), ("open", "reopen")],
)
def test_refused_transitions(status: str, event: str) -> None:
    with pytest.raises(InvalidInput) as err:
        transition(ticket("t", 1, status=status), event, T0)  # type: ignore[arg-type]
    assert err.value.field == "status"


def test_snooze_needs_a_future_time_and_aware_clock() -> None:
    with pytest.raises(InvalidInput):
        transition(ticket("t", 1), "snooze", T0, until=T0)
    with pytest.raises(InvalidInput):
        transition(ticket("t", 1), "reply", datetime(2024, 1, 1))


def test_ranked_queue_per_function() -> None:
    queues = ranked_queues(
        [
            ticket("low", 0.1),
            ticket("high", 0.9),
            ticket("old", 0.5, created_at=T0 - timedelta(1)),
            ticket("same", 0.5),
            ticket("other", 2.0, function="sales"),
            ticket("tie", 1.0, None),
            ticket("done", 5.0, status="resolved"),
        ]
    )
    assert [t.ticket_id for t in queues["care"]] == ["high", "old", "same", "low"]
    assert set(queues) == {"care", "sales", "undecided"}


def test_round_robin_respects_caps_and_rotates() -> None:
    agents = [
        Agent(agent_id="ann", functions=frozenset({"care"}), cap=2),
        Agent(agent_id="bob", functions=frozenset({"care"}), cap=1),
        Agent(agent_id="cy", functions=frozenset({"sales"}), cap=5),
    ]
    tickets = [ticket(f"t{i}", 1.0 - i / 10) for i in range(5)]
    tickets.append(ticket("busy", 3.0, assignee="ann"))
    result = assign_round_robin(tickets, agents)
    assert result.assigned == {"t0": "ann", "t1": "bob"}  # ann already holds one
    assert result.unassigned == ("t2", "t3", "t4")
    more = assign_round_robin(
        [ticket("u1", 1.0), ticket("u2", 0.5)], agents[:2], cursor=result.cursor
    )
    assert more.assigned == {"u1": "ann", "u2": "bob"}


def test_manual_claim_and_cap() -> None:
    ann = Agent(agent_id="ann", functions=frozenset({"*"}), cap=1)
    held = [ticket("mine", 1.0, assignee="ann")]
    with pytest.raises(InvalidInput) as err:
        claim(ticket("x", 1.0), ann, held)
    assert err.value.field == "cap"
    assert claim(ticket("x", 1.0), ann, held, force=True).assignee == "ann"
    with pytest.raises(InvalidInput):
        claim(ticket("y", 1.0, assignee="bob"), ann, [])
    assert claim(ticket("z", 1.0), ann, []).assignee == "ann"


def test_sla_warning_breach_and_met() -> None:
    policy = SlaPolicy(
        first_response=timedelta(hours=2),
        by_intent={"complaint": timedelta(minutes=60)},
        warn_fraction=0.5,
    )
    t = ticket("t", 1.0, intent="complaint")
    assert sla_status(t, policy, T0 + timedelta(minutes=10)).warning is False
    warn = sla_status(t, policy, T0 + timedelta(minutes=40))
    assert warn.warning and not warn.breached
    late = sla_status(t, policy, T0 + timedelta(minutes=61))
    assert late.breached and late.remaining_seconds == pytest.approx(-60)
    answered = transition(t, "reply", T0 + timedelta(minutes=30))
    ok = sla_status(answered, policy, T0 + timedelta(days=1))
    assert ok.met and not ok.breached
    slow = transition(t, "reply", T0 + timedelta(minutes=90))
    assert sla_status(slow, policy, T0 + timedelta(days=1)).breached
    question = ticket("q", 1.0, intent="question")
    assert sla_status(question, policy, T0 + timedelta(minutes=61)).breached is False


def test_mass_response_groups_similar_posts() -> None:
    posts = [
        "when will the ios update for the app be released?",
        "any news on when the ios app update is released",
        "ios update release date for the app?",
        "my card was declined at the store",
        "card declined at checkout again",
        "love your coffee",
    ]
    groups = group_similar(posts, threshold=0.2)
    members = [set(g.members) for g in groups]
    assert {0, 1, 2} in members and {3, 4} in members
    assert all(5 not in m for m in members)
    first = groups[0]
    assert first.representative in first.members and "update" in " ".join(first.top_terms)
    with pytest.raises(InvalidInput):
        group_similar(posts, threshold=0)
    assert group_similar(["one"]) == []
