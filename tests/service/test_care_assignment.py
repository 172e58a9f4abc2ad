"""Assignment through the service: caps (also under forced races), claims, round robin,
status moves freeing slots, SLA breach flags and snooze wake-up."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from care_helpers import (
    COMPLAINTS,
    T0,
    Clock,
    RacingStore,
    care_providers,
    desk_for,
    post,
)

from socialreferral.errors import InvalidInput, StateConflict
from socialreferral.repositories import Repositories
from socialreferral.service.care import UnknownAgent


def _fill(desk: Any, n: int = 4) -> list[str]:
    desk.ingest([post(str(100 + i), f"c{i}", COMPLAINTS[i % len(COMPLAINTS)], minutes=i)
                 for i in range(n)])
    return [f"x:{100 + i}" for i in range(n)]


def test_claim_respects_the_cap_and_resolving_frees_a_slot(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        a, b, c, _ = _fill(desk)
        assert desk.claim(a, "cid").assignee == "cid"  # cid's cap is 1
        assert desk.claim(a, "cid").assignee == "cid"  # claiming one's own: no-op
        with pytest.raises(StateConflict) as at_cap:
            desk.claim(b, "cid")
        assert at_cap.value.field == "cap"
        assert desk.claim(b, "cid", force=True).assignee == "cid"  # a supervisor's force
        with pytest.raises(StateConflict) as taken:
            desk.claim(a, "ann")
        assert taken.value.field == "assignee"
        desk.resolve(a)
        desk.resolve(b)
        assert providers.repositories.care_agents.holding("cid") == {}
        assert desk.claim(c, "cid").assignee == "cid"
        with pytest.raises(StateConflict) as closed:
            desk.claim(a, "ann")  # resolved items are not claimable
        assert closed.value.field == "status"
        with pytest.raises(UnknownAgent):
            desk.claim(c, "nobody")


def test_assign_moves_an_item_between_agents_and_their_loads(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        a, *_ = _fill(desk)
        desk.claim(a, "ann")
        assert desk.assign(a, "bob").assignee == "bob"
        agents = providers.repositories.care_agents
        assert a not in agents.holding("ann") and a in agents.holding("bob")
        assert desk.unassign(a).assignee is None and agents.holding("bob") == {}


def test_two_agents_claiming_one_item_at_once_one_wins(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        a, *_ = _fill(desk_for(providers))
        racing = Repositories.over(RacingStore(providers.store, "care_items", 2))  # type: ignore[arg-type]
        desk = desk_for(providers, repositories=racing)
        results: dict[str, Any] = {}

        def claim(agent: str) -> None:
            try:
                results[agent] = desk.claim(a, agent).assignee
            except StateConflict as exc:
                results[agent] = exc

        threads = [threading.Thread(target=claim, args=(who,)) for who in ("ann", "cid")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        winners = [v for v in results.values() if isinstance(v, str)]
        losers = [v for v in results.values() if isinstance(v, StateConflict)]
        assert len(winners) == 1 and len(losers) == 1, results
        stored = providers.repositories.care_items.require(a)
        assert stored.assignee == winners[0]
        loser = "ann" if winners[0] == "cid" else "cid"
        assert providers.repositories.care_agents.holding(loser) == {}  # slot given back


def test_one_agent_claiming_many_items_at_once_stays_within_the_cap(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        ids = _fill(desk_for(providers), 4)
        racing = Repositories.over(RacingStore(providers.store, "care_agents", 4))  # type: ignore[arg-type]
        desk = desk_for(providers, repositories=racing)
        outcomes: list[Any] = []
        lock = threading.Lock()

        def claim(ticket: str) -> None:
            try:
                done: Any = desk.claim(ticket, "ann")  # ann's cap is 2
            except StateConflict as exc:
                done = exc
            with lock:
                outcomes.append(done)

        threads = [threading.Thread(target=claim, args=(t,)) for t in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        won = [o for o in outcomes if not isinstance(o, StateConflict)]
        assert len(won) == 2 and len(outcomes) == 4
        assigned = [i for i in providers.repositories.care_items.many(ids).values()
                    if i.assignee == "ann"]
        assert len(assigned) == 2
        assert set(providers.repositories.care_agents.holding("ann")) == {
            i.ticket_id for i in assigned}


def test_round_robin_serves_functions_with_caps_and_a_fair_cursor(tmp_path: Path) -> None:
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers)
        ids = _fill(desk, 8)
        first = desk.assign_round_robin()
        items = providers.repositories.care_items.many(ids)
        team = desk.agents()
        loads = {a: len(providers.repositories.care_agents.holding(a)) for a in team}
        assert set(first.assigned) | set(first.unassigned) == set(ids)
        for ticket, agent in first.assigned.items():  # only agents serving the queue
            assert team[agent].serves(items[ticket].queue)
            assert items[ticket].assignee == agent
        assert all(loads[a] <= team[a].cap for a in team)  # caps hold
        for ticket in first.unassigned:  # left over only when every server is full
            servers = [a for a in team.values() if a.serves(items[ticket].queue)]
            assert servers and all(loads[a.agent_id] == a.cap for a in servers), ticket
        # the best item of each queue went first
        for queue in {i.queue for i in items.values()}:
            ranked = sorted((i for i in items.values() if i.queue == queue),
                            key=lambda i: -i.rank_score)
            if any(i.ticket_id in first.assigned for i in ranked):
                assert ranked[0].ticket_id in first.assigned
        assert desk.assign_round_robin().assigned == {}  # nobody has room left
        desk.resolve(next(iter(first.assigned)))
        assert len(desk.assign_round_robin().assigned) <= 1
        assert all(len(providers.repositories.care_agents.holding(a)) <= team[a].cap
                   for a in team)


def test_sla_breach_flags_and_queue_filter(tmp_path: Path) -> None:
    clock = Clock(T0 + timedelta(minutes=20))
    with care_providers(tmp_path / "data", sla={"first_response": 3600,
                                                "by_intent": {"complaint": 1800}}) as providers:
        desk = desk_for(providers, clock=clock)
        desk.ingest([post("1", "c1", COMPLAINTS[0], minutes=0),
                     post("2", "c2", "@acmecare how do I reset my voicemail password?",
                          minutes=0)])
        page = desk.queue()
        sla = {e.item.ticket_id: e.sla for e in page.entries}
        assert sla["x:1"].warning is False and sla["x:1"].breached is False
        clock.at = T0 + timedelta(minutes=25)  # 75% of the complaint's 30 minutes
        warned = {e.item.ticket_id: e.sla for e in desk.queue().entries}
        assert warned["x:1"].warning and not warned["x:1"].breached
        assert not warned["x:2"].warning  # a question's target is the default hour
        clock.at = T0 + timedelta(minutes=31)
        breached = desk.queue(breached=True)
        assert [e.item.ticket_id for e in breached.entries] == ["x:1"]
        assert [e.item.ticket_id for e in desk.queue(breached=False).entries] == ["x:2"]
        desk.reply("x:2", "Dial *86 and follow the prompts", private=False)
        clock.at = T0 + timedelta(hours=5)
        after = {e.item.ticket_id: e.sla for e in desk.queue(statuses=("open", "pending"))
                 .entries}
        assert after["x:2"].met and not after["x:2"].breached  # answered within an hour
        assert after["x:1"].breached and not after["x:1"].met
        counts = {c.queue: c for c in desk.summary()}
        assert sum(c.breached for c in counts.values()) == 1


def test_snooze_wakes_up_when_due(tmp_path: Path) -> None:
    clock = Clock()
    with care_providers(tmp_path / "data") as providers:
        desk = desk_for(providers, clock=clock)
        [a, *_] = _fill(desk, 1)
        with pytest.raises(InvalidInput):
            desk.snooze(a, clock.at - timedelta(minutes=1))  # not in the future
        snoozed = desk.snooze(a, clock.at + timedelta(hours=1))
        assert snoozed.status == "snoozed"
        assert desk.queue().entries == []  # snoozed items are out of the open queue
        clock.at += timedelta(minutes=59)
        assert desk.wake_due() == 0
        clock.at += timedelta(minutes=2)
        assert [e.item.ticket_id for e in desk.queue().entries] == [a]  # woken on listing
        assert providers.repositories.care_items.require(a).status == "open"
        with pytest.raises(StateConflict):
            desk.reopen(a)  # open items cannot be reopened


def test_run_time_agents_join_the_configured_ones_without_overriding_them(
        tmp_path: Path) -> None:
    from socialreferral.care.workflow import Agent

    with care_providers(tmp_path / "data") as providers:
        extra = [Agent(agent_id="console-op", functions=frozenset({"*"})),
                 Agent(agent_id="cid", functions=frozenset({"*"}), cap=50)]
        desk = desk_for(providers)
        desk.extra_agents = lambda: extra
        a, b, *_ = _fill(desk)
        assert desk.claim(a, "console-op").assignee == "console-op"
        assert desk.agents()["cid"].cap == 1  # the configured cid wins over the extra one
        desk.claim(b, "cid")
        with pytest.raises(StateConflict):
            desk.claim(_fill(desk, 3)[2], "cid")
