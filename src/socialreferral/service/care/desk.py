"""``CareDesk``: the care queue's use cases over the repositories and the SocialChannel.

One object per process (a worker, the web app, a CLI command) holding what the use cases
share: the repositories, the SocialChannel replies go through, the ``[care]`` settings, a
clock, and the rankers built from the settings and the agent-approved dictionary terms
(rebuilt when an approval changes the dictionaries, switched when an operator changes the
weight profile; building one takes seconds, switching a profile is free).

The use cases themselves live in one module per job (``ingest``, ``scoring``,
``assignment``, ``workflow``, ``replies``, ``tuning``, ``views``); the desk's methods are
the Python API and what the REST routes, the CLI and the batch task call::

    desk = CareDesk(repositories=providers.repositories, social=providers.social,
                    settings=providers.settings.care)
    desk.ingest(posts)                         # IncomingPost or SocialEvent
    page = desk.queue("warranty")              # ranked, explained, with SLA timers
    desk.claim(page.entries[0].item.ticket_id, "agent-7")
    desk.reply(ticket_id, "We are on it", private=False, agent_id="agent-7")
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from socialreferral.care.categorizer import Categorizer
from socialreferral.care.clustering import AgentFeedback, apply_feedback
from socialreferral.care.ranker import CareRanker
from socialreferral.care.records import (
    CareItem,
    IncomingPost,
    ProposalRecord,
    ProposalStatus,
    RunRecord,
)
from socialreferral.care.settings import CareSettings
from socialreferral.care.workflow import Agent, Assignment, SlaState, sla_status
from socialreferral.domain.social import SocialEvent
from socialreferral.ports import SocialChannel
from socialreferral.repositories import Repositories
from socialreferral.service.care import (
    assignment,
    ingest,
    replies,
    sla,
    tuning,
    views,
    workflow,
)
from socialreferral.service.care.ingest import CareIngestResult
from socialreferral.service.care.replies import Cluster, MassOutcome, ReplyOutcome
from socialreferral.service.care.views import ItemDetail, QueueCounts, QueuePage

_RANKERS_KEPT = 4  # (dictionary version, profile) pairs kept built


@dataclass
class CareDesk:
    """The care queue's use cases (see the module docstring).

    Args:
        repositories: the bundle (the care repositories are read and written).
        social: the channel replies go through.
        settings: the ``[care]`` settings.
        clock: the current time (tests pass a fixed one).
        base_ranker: a ranker to share models with (its tone model and lexicon); built
            with ``ranker_factory(settings)`` on first use when omitted (an entry point
            passes a factory that keeps one per process).
        extra_agents: agents a deployment adds at run time beside ``[[care.agents]]``
            (the web console's operators with the agent role); a configured agent of the
            same id wins, so its functions and cap stay the settings'.
    """

    repositories: Repositories
    social: SocialChannel
    settings: CareSettings = field(default_factory=CareSettings)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    base_ranker: CareRanker | None = None
    ranker_factory: Callable[[CareSettings], CareRanker] = CareRanker
    extra_agents: Callable[[], Iterable[Agent]] = field(default=lambda: ())
    _rankers: dict[tuple[str, str], CareRanker] = field(default_factory=dict, repr=False)
    _bfi: tuple[float, dict[str, tuple[int, int]] | None] | None = field(default=None,
                                                                         repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- what the use cases share ----------------------------------------------------
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        return self.clock().astimezone(UTC)

    def profile_name(self) -> str:
        """The active weight profile: switched at run time, else the settings'."""
        stored = self.repositories.care_tuning.active_profile()
        return stored if stored in self.settings.profiles else self.settings.active_profile

    def approved_feedback(self) -> AgentFeedback:
        """The agent-approved terms of known functions (dictionaries of the ranker)."""
        known = {f.name for f in self.settings.functions}
        approved = {f: t for f, t in self.repositories.care_tuning.approved_terms().items()
                    if f in known}
        return AgentFeedback(approved_terms=approved)

    def ranker(self) -> CareRanker:
        """The ranker for the current dictionaries and profile (built once per pair;
        thread-safe: the web app calls use cases from its thread pool)."""
        feedback = self.approved_feedback()
        version = repr(sorted(feedback.approved_terms.items()))
        key = (version, self.profile_name())
        found = self._rankers.get(key)
        if found is not None:
            return found
        with self._lock:
            return self._rankers.get(key) or self._build(key, feedback)

    def _build(self, key: tuple[str, str], feedback: AgentFeedback) -> CareRanker:
        version, profile = key
        base = self._base()
        same_dictionaries = next((r for (v, _), r in self._rankers.items() if v == version),
                                 None)
        if same_dictionaries is not None:
            ranker = same_dictionaries.with_profile(profile)
        elif not feedback.approved_terms:
            ranker = base.with_profile(profile)
        else:
            functions = apply_feedback(self.settings.functions, feedback)
            ranker = CareRanker(self.settings.model_copy(update={"functions": functions}),
                                profile=profile, tone_model=base.tone_model or False,
                                lexicon=base.lexicon)
        if len(self._rankers) >= _RANKERS_KEPT:
            self._rankers.pop(next(iter(self._rankers)))
        self._rankers[key] = ranker
        return ranker

    def _base(self) -> CareRanker:
        if self.base_ranker is None:
            self.base_ranker = self.ranker_factory(self.settings)
        return self.base_ranker

    def categorizer(self) -> Categorizer:
        """The real-time categorizer with the approved terms."""
        return self.ranker().categorizer

    def bfi_counts(self, max_age: float = 300.0) -> dict[str, tuple[int, int]] | None:
        """(actionable, total) per function over the categorizer window, for Eq. 3 in
        ``observed`` mode (None otherwise); counted at most every ``max_age`` seconds."""
        if self.settings.bfi.mode != "observed":
            return None
        if self._bfi is not None and time.monotonic() - self._bfi[0] < max_age:
            return self._bfi[1]
        since = self.now().timestamp() - self.settings.categorizer.window_days * 86_400
        counts: dict[str, tuple[int, int]] = {}
        for item in self.repositories.care_items.since(since):
            if item.business_function:
                a, n = counts.get(item.business_function, (0, 0))
                counts[item.business_function] = (a + int(item.actionable), n + 1)
        self._bfi = (time.monotonic(), counts or None)
        return counts or None

    def agents(self) -> dict[str, Agent]:
        """The configured agents (and :attr:`extra_agents`) with their run-time
        availability."""
        overrides = self.repositories.care_agents.availability()
        known = {a.agent_id: a for a in self.settings.agents}
        for extra in self.extra_agents():
            known.setdefault(extra.agent_id, extra)
        return {a.agent_id: a.model_copy(update={"available": overrides.get(a.agent_id,
                                                                            a.available)})
                for a in known.values()}

    def sla(self, item: CareItem) -> SlaState:
        """The item's first-response SLA now."""
        return sla_status(item, self.settings.sla, self.now())

    # -- the Python API (each delegates to its use-case module) ------------------------
    def ingest(self, posts: Sequence[IncomingPost | SocialEvent]) -> CareIngestResult:
        """Store posts in their threads and refresh their items (:func:`ingest_posts`)."""
        return ingest.ingest_posts(self, posts)

    def queue(self, queue: str | None = None, *, statuses: tuple[str, ...] = ("open",),
              assignee: str | None = None, breached: bool | None = None,
              actionable: bool | None = True, limit: int = 50,
              cursor: str | None = None) -> QueuePage:
        """One page of a queue, best first, with SLA timers (:func:`views.queue_page`)."""
        return views.queue_page(self, queue, statuses=statuses, assignee=assignee,
                                breached=breached, actionable=actionable, limit=limit,
                                cursor=cursor)

    def summary(self) -> list[QueueCounts]:
        """Counts per queue and status (:func:`views.summary`)."""
        return views.summary(self)

    def explain(self, ticket_id: str) -> ItemDetail:
        """An item with its factors, conversation, thread, SLA and replies."""
        return views.item_detail(self, ticket_id)

    def claim(self, ticket_id: str, agent_id: str, *, force: bool = False) -> CareItem:
        """An agent takes an unassigned item (:func:`assignment.claim`)."""
        return assignment.claim(self, ticket_id, agent_id, force=force)

    def assign(self, ticket_id: str, agent_id: str, *, force: bool = False) -> CareItem:
        """Give an item to an agent (:func:`assignment.assign`)."""
        return assignment.assign(self, ticket_id, agent_id, force=force)

    def unassign(self, ticket_id: str) -> CareItem:
        """Take an item back from its agent."""
        return assignment.unassign(self, ticket_id)

    def assign_round_robin(self, queue: str | None = None) -> Assignment:
        """One round-robin assignment round (caps respected)."""
        return assignment.round_robin(self, queue)

    def set_available(self, agent_id: str, available: bool) -> Agent:
        """Switch an agent on or off for round-robin assignment."""
        assignment.agent(self, agent_id)
        self.repositories.care_agents.set_available(agent_id, available)
        return assignment.agent(self, agent_id)

    def resolve(self, ticket_id: str) -> CareItem:
        """Resolve an item (its agent's slot is freed)."""
        return workflow.act(self, ticket_id, "resolve")

    def reopen(self, ticket_id: str) -> CareItem:
        """Reopen a resolved item."""
        return workflow.act(self, ticket_id, "reopen")

    def snooze(self, ticket_id: str, until: datetime) -> CareItem:
        """Snooze an item until ``until`` (it wakes up open)."""
        return workflow.act(self, ticket_id, "snooze", until=until)

    def wake_due(self) -> int:
        """Wake the snoozed items whose time has come; return how many."""
        return workflow.wake_due(self)

    def record_sla_breaches(self) -> list[CareItem]:
        """Stamp and count the first-response breaches not recorded yet, once per item
        (:func:`sla.record_breaches`); return the items stamped now."""
        return sla.record_breaches(self)

    def sla_breached_now(self) -> dict[str, int]:
        """Per queue, the open items past due without a reply (:func:`sla.breached_now`)."""
        return sla.breached_now(self)

    def reply(self, ticket_id: str, text: str, *, private: bool = False,
              agent_id: str | None = None, reply_id: str | None = None,
              post_id: str | None = None) -> ReplyOutcome:
        """Answer an item through the SocialChannel, once (:func:`replies.reply`)."""
        return replies.reply(self, ticket_id, text, private=private, agent_id=agent_id,
                             reply_id=reply_id, post_id=post_id)

    def clusters(self, queue: str | None = None) -> list[Cluster]:
        """Groups of similar open items, for one response each."""
        return replies.clusters(self, queue)

    def mass_response(self, ticket_ids: Sequence[str], text: str, *, private: bool = False,
                      agent_id: str | None = None, response_id: str | None = None,
                      ) -> tuple[str, list[MassOutcome]]:
        """One response to many items, each answered once (:func:`replies.mass_response`)."""
        return replies.mass_response(self, ticket_ids, text, private=private,
                                     agent_id=agent_id, response_id=response_id)

    def proposals(self, status: ProposalStatus | None = "pending") -> list[ProposalRecord]:
        """Dictionary terms the categorizer proposed (of one status)."""
        return self.repositories.care_tuning.proposals(status)

    def decide(self, proposal_id: str, *, approve: bool,
               agent_id: str | None = None) -> ProposalRecord:
        """Approve or reject a proposed term."""
        return tuning.decide(self, proposal_id, approve=approve, agent_id=agent_id)

    def correct(self, ticket_id: str, *, function: str | None = None,
                intent: str | None = None, agent_id: str | None = None) -> CareItem:
        """An agent corrects an item's function and/or intent (kept, and learnt from)."""
        return tuning.correct(self, ticket_id, function=function, intent=intent,
                              agent_id=agent_id)

    def recategorize(self) -> int:
        """Re-rank and re-route the open items; return how many changed queue."""
        return tuning.recategorize(self)

    def run_categorizer(self, *, force: bool = False) -> RunRecord | None:
        """The periodic clustering job (once per period unless ``force``)."""
        return tuning.run_categorizer(self, force=force)

    def switch_profile(self, name: str, *, agent_id: str | None = None) -> int:
        """Switch the weight profile and re-rank; return how many items changed queue."""
        return tuning.switch_profile(self, name, agent_id=agent_id)


__all__ = ["CareDesk"]
