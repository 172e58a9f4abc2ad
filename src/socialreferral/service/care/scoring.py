"""Scoring a conversation and keeping its queue item in step with it.

A conversation's *lead* is the post that is scored: its first post when a customer wrote
it, else its first customer post (a brand reply may arrive before the tweet it answers).
The other customers' posts are the lead's comments (Ncomm, "answered by the community");
the brand's replies are left out of the ranker's context on purpose: whether the brand
has answered is the workflow's business (status ``pending``), not a reason to drop the
conversation from the ranking. The lead author's history (Eq. 2) comes from the author
repository, without this conversation's own entry.

:func:`refresh` rescores and writes the item. The workflow events it applies are derived
from timestamps, not from which post just arrived: a brand post newer than any the item
has seen is a ``reply`` (open → pending, first response stamped), a customer post newer
than that and than the item's last customer post is a ``customer_reply`` (back to open,
reopening a resolved item). The item stores what it has seen, in the same etag-guarded
write, so a redelivered post or a re-run changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from socialreferral.care.models import MAX_COMMENTS, CareComment, CarePost, CareScore
from socialreferral.care.ranker import CareRanker
from socialreferral.care.records import CareItem, CarePostRecord
from socialreferral.care.scores import bfi_from_counts, bfi_value
from socialreferral.care.workflow import OPEN_STATUSES, transition
from socialreferral.errors import InvalidInput

if TYPE_CHECKING:
    from socialreferral.service.care.desk import CareDesk

_CHANNELS = {"x": "x", "facebook": "meta"}


@dataclass(frozen=True)
class Scored:
    """A conversation as scored: its posts, its lead and the lead's verdict."""

    posts: list[CarePostRecord]
    lead: CarePostRecord
    score: CareScore
    first_brand_reply: datetime | None
    last_brand_at: datetime | None
    last_customer_at: datetime | None


def score_conversation(desk: CareDesk, conversation_id: str, ranker: CareRanker,
                       bfi_counts: Mapping[str, tuple[int, int]] | None) -> Scored | None:
    """Score one conversation; None when it holds no customer post (nothing to answer)."""
    posts = desk.repositories.care_threads.conversation(conversation_id)
    customers = [p for p in posts if not p.is_brand]
    if not customers:
        return None
    lead = posts[0] if not posts[0].is_brand else customers[0]
    comments = tuple(CareComment(text=p.text, post_id=p.post_id, author_id=p.author_id,
                                 created_at=p.created_at)
                     for p in customers if p.post_id != lead.post_id)[:MAX_COMMENTS]
    history = desk.repositories.care_authors.history(lead.network, lead.author_id,
                                                     excluding=conversation_id)
    post = CarePost(text=lead.text, post_id=lead.post_id, author_id=lead.author_id,
                    channel=_CHANNELS.get(lead.network, "other"),  # type: ignore[arg-type]
                    created_at=lead.created_at, parent_id=lead.parent_id,
                    root_id=lead.root_id, comments=comments, author=history)
    score = ranker.score([post], bfi_counts=bfi_counts,
                         helpful_members=desk.settings.helpful_members)[0]
    brand = [p.created_at for p in posts if p.is_brand]
    after = [t for t in brand if t >= lead.created_at]
    return Scored(posts=posts, lead=lead, score=score,
                  first_brand_reply=min(after) if after else None,
                  last_brand_at=max(brand) if brand else None,
                  last_customer_at=max(p.created_at for p in customers))


def rerouted(score: CareScore, function: str | None, desk: CareDesk, ranker: CareRanker,
             bfi_counts: Mapping[str, tuple[int, int]] | None) -> CareScore:
    """``score`` routed to ``function`` (an agent's decision): the BFI and RankScore of
    that function, so the explanation still multiplies out."""
    if function is None or function == score.business_function:
        return score
    observed = bfi_from_counts(bfi_counts, desk.settings.bfi) if bfi_counts else {}
    bfi, source = bfi_value((function,), desk.settings.bfi, observed, ranker.profile.bfi)
    return score.model_copy(update={
        "business_function": function, "function_candidates": (function,), "bfi": bfi,
        "bfi_source": source, "rank_score": score.author_score * bfi * score.ascore})


def apply_score(item: CareItem, scored: Scored, desk: CareDesk, ranker: CareRanker,
                bfi_counts: Mapping[str, tuple[int, int]] | None) -> CareItem:
    """The item with the new verdict (agent corrections kept) and the workflow events
    the conversation's timestamps imply (module docstring)."""
    score = scored.score
    if item.function_source == "agent":
        score = rerouted(score, item.business_function, desk, ranker, bfi_counts)
    if item.intent_source == "agent":
        intent, actionable = item.intent, item.intent in desk.settings.actionable_intents
    else:
        intent, actionable = score.intent, score.actionable
    updated = item.model_copy(update={
        "rank_score": score.rank_score, "intent": intent, "actionable": actionable,
        "score": score, "candidates": score.function_candidates,
        "suggestion": score.suggestion, "profile": score.profile,
        "lead_post_id": scored.lead.post_id, "root_id": scored.lead.root_id,
        "author_id": scored.lead.author_id, "network": scored.lead.network,
        "posts": len(scored.posts), "updated_at": desk.now()})
    if item.function_source != "agent":
        updated = updated.with_function(score.business_function, "categorizer")
    return _workflow(updated, item, scored)


def _workflow(updated: CareItem, seen: CareItem, scored: Scored) -> CareItem:
    events: list[tuple[datetime, str]] = []
    if scored.last_brand_at and (seen.last_brand_at is None
                                 or scored.last_brand_at > seen.last_brand_at):
        events.append((scored.last_brand_at, "reply"))
    last_customer = scored.last_customer_at
    if last_customer and (seen.last_customer_at is None or last_customer >
                          seen.last_customer_at) and (scored.last_brand_at is None
                                                      or last_customer > scored.last_brand_at):
        events.append((last_customer, "customer_reply"))
    for at, event in sorted(events):
        try:
            updated = transition(updated, event, at)  # type: ignore[arg-type]
        except InvalidInput:
            continue  # e.g. the brand answered a snoozed or resolved item: status kept
    if updated.first_response_at is None and scored.first_brand_reply is not None:
        updated = updated.model_copy(update={"first_response_at": scored.first_brand_reply})
    return updated.model_copy(update={"last_brand_at": scored.last_brand_at,
                                      "last_customer_at": scored.last_customer_at})


def new_item(conversation_id: str, scored: Scored) -> CareItem:
    """A fresh item for a conversation (open; :func:`apply_score` fills the rest)."""
    return CareItem(ticket_id=conversation_id, business_function=None, rank_score=0.0,
                    created_at=scored.lead.created_at, lead_post_id=scored.lead.post_id,
                    author_id=scored.lead.author_id, network=scored.lead.network,
                    root_id=scored.lead.root_id)


def refresh(desk: CareDesk, conversation_id: str, ranker: CareRanker,
            bfi_counts: Mapping[str, tuple[int, int]] | None) -> CareItem | None:
    """Rescore one conversation and write its item (created on first sight); record the
    lead author's history. Returns the item, or None when there is nothing to answer."""
    scored = score_conversation(desk, conversation_id, ranker, bfi_counts)
    if scored is None:
        return None
    lead = scored.lead
    desk.repositories.care_authors.record(
        lead.network, lead.author_id, conversation_id, at=lead.created_at,
        ascore=scored.score.ascore,
        relevant_comments=scored.score.features.relevant_comments,
        answered=scored.first_brand_reply is not None)
    items = desk.repositories.care_items
    existing = items.get(conversation_id)
    if existing is None:
        fresh = new_item(conversation_id, scored)
        if items.create(apply_score(fresh, scored, desk, ranker, bfi_counts)):
            return items.get(conversation_id)
    before: dict[str, CareItem] = {}

    def edit(current: CareItem) -> CareItem:
        before["item"] = current
        return apply_score(current, scored, desk, ranker, bfi_counts)

    after = items.change(conversation_id, edit)
    previous = before["item"]
    if after.assignee and previous.status not in OPEN_STATUSES and \
            after.status in OPEN_STATUSES:
        # reopened by the customer: back on its agent's load (forced: a reopened item
        # cannot wait for a free slot)
        desk.repositories.care_agents.reserve(after.assignee, after.ticket_id, cap=0,
                                              force=True, at=desk.now())
    return after


def merge_items(desk: CareDesk, old: str, new: str) -> None:
    """Fold the item of conversation ``old`` into ``new``'s (a late ancestor joined them):
    the older creation time, the first response, the assignee if ``new`` has none."""
    items, agents = desk.repositories.care_items, desk.repositories.care_agents
    old_item = items.get(old)
    if old_item is None:
        return
    if items.get(new) is None and items.create(old_item.model_copy(update={"ticket_id": new})):
        merged = old_item
    else:
        def fold(current: CareItem) -> CareItem:
            firsts = [t for t in (current.first_response_at, old_item.first_response_at) if t]
            # A breach already counted on either side stays counted (no second count).
            breaches = [t for t in (current.sla_breached_at, old_item.sla_breached_at) if t]
            return current.model_copy(update={
                "created_at": min(current.created_at, old_item.created_at),
                "first_response_at": min(firsts) if firsts else None,
                "sla_breached_at": min(breaches) if breaches else None,
                "assignee": current.assignee or old_item.assignee})

        merged = items.change(new, fold)
    if old_item.assignee:
        if merged.assignee == old_item.assignee:
            agents.reserve(old_item.assignee, new, cap=0, force=True, at=desk.now())
        agents.release(old_item.assignee, old)
    items.delete(old)


__all__ = ["Scored", "apply_score", "merge_items", "new_item", "refresh", "rerouted",
           "score_conversation"]
