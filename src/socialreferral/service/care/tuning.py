"""Agent feedback and the periodic categorizer: how the queue learns.

* :func:`decide` — an agent approves or rejects a term the categorizer proposed. Approved
  terms join the business functions' dictionaries at once (the desk rebuilds its ranker
  when the approved set changes); rejected ones are never proposed again.
* :func:`correct` — an agent corrects an item's function and/or intent. The item keeps the
  agent's values through every later re-ranking, and the correction (with the post's
  text) is a labelled example for the next categorizer run: corrected posts vote for
  their function inside their cluster and their distinctive words are proposed for it.
* :func:`run_categorizer` — the periodic job (seed 003: "every 24 hours"): cluster the
  recent customers' posts with the feedback so far and store the proposals. A run claims
  its period create-only, so schedulers firing twice in one period run it once.
* :func:`recategorize` / :func:`switch_profile` — re-rank and re-route the open items with
  the current dictionaries and the (new) weight profile.
"""

from __future__ import annotations

import math
import uuid
from typing import TYPE_CHECKING, get_args

from socialreferral.care.clustering import AgentFeedback, Correction, run_categorizer_job
from socialreferral.care.models import IntentType
from socialreferral.care.records import (
    CareItem,
    ClusterRecord,
    ProposalRecord,
    RunRecord,
    proposal_id,
)
from socialreferral.care.settings import MISCELLANEOUS
from socialreferral.care.workflow import OPEN_STATUSES
from socialreferral.errors import InvalidInput
from socialreferral.service.care.scoring import refresh, rerouted

if TYPE_CHECKING:
    from socialreferral.service.care.desk import CareDesk

INTENTS: tuple[str, ...] = get_args(IntentType)


def decide(desk: CareDesk, proposal: str, *, approve: bool,
           agent_id: str | None = None) -> ProposalRecord:
    """Approve or reject a proposed term (a later decision replaces an earlier one)."""
    return desk.repositories.care_tuning.decide(
        proposal, "approved" if approve else "rejected", by=agent_id, at=desk.now())


def correct(desk: CareDesk, ticket_id: str, *, function: str | None = None,
            intent: str | None = None, agent_id: str | None = None) -> CareItem:
    """Set an item's function and/or intent as an agent decided (module docstring)."""
    if function is None and intent is None:
        raise InvalidInput("give a function, an intent or both", field="function")
    functions = {f.name for f in desk.settings.functions} | {MISCELLANEOUS}
    if function is not None and function not in functions:
        raise InvalidInput(f"not one of {sorted(functions)}", field="function")
    if intent is not None and intent not in INTENTS:
        raise InvalidInput(f"not one of {list(INTENTS)}", field="intent")
    items = desk.repositories.care_items
    item = items.require(ticket_id)
    lead = desk.repositories.care_threads.get(item.lead_post_id) if item.lead_post_id \
        else None
    ranker, counts = desk.ranker(), desk.bfi_counts()

    def edit(current: CareItem) -> CareItem:
        updated = current
        if function is not None:
            updated = updated.with_function(function, "agent")
            if updated.score is not None:
                score = rerouted(updated.score, function, desk, ranker, counts)
                updated = updated.model_copy(update={"score": score,
                                                     "rank_score": score.rank_score,
                                                     "candidates": (function,)})
        if intent is not None:
            updated = updated.model_copy(update={
                "intent": intent, "intent_source": "agent",
                "actionable": intent in desk.settings.actionable_intents})
        return updated.model_copy(update={"updated_at": desk.now()})

    changed = items.change(ticket_id, edit)
    if lead is not None and lead.text and not lead.erased:
        desk.repositories.care_tuning.correct(
            ticket_id, Correction(text=lead.text,
                                  function=changed.business_function if function else None,
                                  intent=intent),  # type: ignore[arg-type]
            author_id=lead.author_id, by=agent_id, at=desk.now())
    return changed


def recategorize(desk: CareDesk) -> int:
    """Re-rank and re-route every open, pending or snoozed item with the current
    dictionaries and profile (agent corrections kept); return how many changed queue."""
    ranker, counts = desk.ranker(), desk.bfi_counts()
    moved = 0
    for item in list(desk.repositories.care_items.with_status(*OPEN_STATUSES)):
        after = refresh(desk, item.ticket_id, ranker, counts)
        moved += int(after is not None and after.queue != item.queue)
    return moved


def switch_profile(desk: CareDesk, name: str, *, agent_id: str | None = None) -> int:
    """Make ``name`` the active weight profile and re-rank the open items."""
    if name not in desk.settings.profiles:
        raise InvalidInput(f"unknown profile; known: {sorted(desk.settings.profiles)}",
                           field="profile")
    desk.repositories.care_tuning.set_profile(name, by=agent_id, at=desk.now())
    return recategorize(desk)


def _known_feedback(desk: CareDesk, feedback: AgentFeedback) -> AgentFeedback:
    """Feedback about functions the settings still have (a removed function's terms and
    corrections are ignored rather than failing the run)."""
    known = {f.name for f in desk.settings.functions}
    return AgentFeedback(
        approved_terms={f: t for f, t in feedback.approved_terms.items() if f in known},
        rejected_terms={f: t for f, t in feedback.rejected_terms.items() if f in known},
        corrections=tuple(c for c in feedback.corrections
                          if c.function is None or c.function in known | {MISCELLANEOUS}))


def run_categorizer(desk: CareDesk, *, force: bool = False) -> RunRecord | None:
    """One run of the periodic categorizer; None when this period has run already
    (``force`` runs anyway, under its own id)."""
    options, now = desk.settings.categorizer, desk.now()
    period = math.floor(now.timestamp() / (options.every_hours * 3600))
    # a forced run is an operator's extra run: its own id, never the period's
    run_id = f"{period}-forced-{uuid.uuid4().hex[:12]}" if force else str(period)
    tuning = desk.repositories.care_tuning
    if not tuning.start_run(RunRecord(run_id=run_id, started_at=now)):
        return None
    since = now.timestamp() - options.window_days * 86_400
    posts = desk.repositories.care_threads.customer_posts_since(since, options.max_posts)
    texts = [p.text for p in posts if p.text.strip()]
    feedback = _known_feedback(desk, tuning.feedback())
    run = run_categorizer_job(texts, desk.settings.functions, feedback=feedback,
                              stop_words=options.stop_words, n_clusters=options.n_clusters,
                              top_x=options.top_x,
                              proposals_per_cluster=options.proposals_per_cluster)
    new = tuning.propose([
        ProposalRecord(proposal_id=proposal_id(p.function, p.term), function=p.function,
                       term=p.term, cluster=p.cluster, score=p.score, proposed_at=now)
        for p in run.proposals])
    record = RunRecord(
        run_id=run_id, started_at=now, finished_at=desk.now(), posts=len(texts),
        corrections=len(feedback.corrections), proposals=new,
        clusters=tuple(ClusterRecord(name=c.name, size=c.size, top_terms=c.top_terms,
                                     function=c.function, candidates=c.candidates)
                       for c in run.clusters))
    tuning.finish_run(record)
    return record


__all__ = ["INTENTS", "correct", "decide", "recategorize", "run_categorizer",
           "switch_profile"]
