"""Answering from one place: replies through the SocialChannel, and mass responses.

:func:`reply` answers a conversation in public (a reply in the post's thread, capability
``public_replies``) or in private (a private message about the post, ``private_replies``),
whatever the channel allows; a channel without the capability refuses before anything is
recorded (:class:`~socialreferral.errors.Unsupported`). Exactly once: the reply id is
given by the caller or derived from (item, post, visibility, text); a
:class:`~socialreferral.care.records.ReplyRecord` is created under it before the channel
is called and marked sent after, the channel's ``message_id`` is derived from it (sends
are idempotent on it), and the item's ``reply`` move is applied in between. A retry after
any crash sends nothing twice and leaves the item as one success would.

:func:`clusters` groups the open items whose posts are similar
(:func:`socialreferral.care.group_similar`); :func:`mass_response` sends one text to
many items, each through :func:`reply` under a per-item id derived from the response id,
so retrying a mass response answers each post once and continues where it stopped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from socialreferral.care.mass_response import group_similar
from socialreferral.care.records import CareItem, CarePostRecord, ReplyRecord
from socialreferral.care.workflow import transition
from socialreferral.domain.social import OutboundMessage
from socialreferral.errors import InvalidInput, NotFound, StateConflict
from socialreferral.records import Capability

if TYPE_CHECKING:
    from socialreferral.service.care.desk import CareDesk

MAX_REPLY_CHARS = 8_000
MAX_MASS_ITEMS = 1_000

# Client-chosen idempotency keys: visible ASCII only. They become parts of store keys, and
# the OpenAPI schema states the same rule exactly (web/care_schemas.py), so a request the
# schema allows is never refused here.
_CLIENT_KEY = re.compile(r"[!-~]+")


def _client_key(value: str, limit: int) -> bool:
    return len(value) <= limit and _CLIENT_KEY.fullmatch(value) is not None


class PostNotFound(NotFound, KeyError):
    """The post to answer is not in the item's conversation."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "post not found"


@dataclass(frozen=True)
class ReplyOutcome:
    """A reply as recorded; ``sent_now`` is False when it had been sent before."""

    reply: ReplyRecord
    item: CareItem
    sent_now: bool


@dataclass(frozen=True)
class Cluster:
    """Open items similar enough to share one response."""

    cluster_id: str
    ticket_ids: tuple[str, ...]  # best RankScore first
    representative: str
    top_terms: tuple[str, ...]
    mean_similarity: float


@dataclass(frozen=True)
class MassOutcome:
    """One item's part of a mass response: ``sent``, ``already_sent`` or ``refused``."""

    ticket_id: str
    status: str
    detail: str = ""
    reply_id: str | None = None


def capability(private: bool) -> Capability:
    """The channel capability a public or private reply needs."""
    return Capability.PRIVATE_REPLIES if private else Capability.PUBLIC_REPLIES


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _target(desk: CareDesk, item: CareItem, post_id: str | None) -> CarePostRecord:
    """The post answered: the one named (in the item's conversation), else the latest
    customer post of the conversation."""
    posts = desk.repositories.care_threads.conversation(item.ticket_id)
    if post_id is not None:
        found = next((p for p in posts if p.post_id == post_id), None)
        if found is None:
            raise PostNotFound(f"{post_id!r} is not a post of this item's conversation")
        return found
    customers = [p for p in posts if not p.is_brand and not p.erased]
    if not customers:
        raise StateConflict("the conversation has no customer post to answer",
                            field="ticket_id")
    return customers[-1]


def _check_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("must not be empty", field="text")
    if len(cleaned) > MAX_REPLY_CHARS:
        raise InvalidInput(f"at most {MAX_REPLY_CHARS} characters", field="text")
    return cleaned


def reply(desk: CareDesk, ticket_id: str, text: str, *, private: bool = False,
          agent_id: str | None = None, reply_id: str | None = None,
          post_id: str | None = None, mass_response_id: str | None = None) -> ReplyOutcome:
    """Answer the item's conversation once (module docstring)."""
    text = _check_text(text)
    if reply_id is not None and not _client_key(reply_id, 120):
        raise InvalidInput("1-120 visible ASCII characters", field="reply_id")
    desk.social.require(capability(private), "the care queue's reply")
    items = desk.repositories.care_items
    item = items.require(ticket_id)
    target = _target(desk, item, post_id)
    reply_id = reply_id or "r-" + _digest(ticket_id, target.post_id, str(private), text)[:32]
    stored = items.reply(reply_id)
    if stored is None:
        if item.erased or target.erased:
            raise StateConflict("the author of this conversation was erased", field="ticket_id")
        if item.status not in ("open", "pending"):
            raise StateConflict(f"the item is {item.status}; reopen it to answer",
                                field="status")
        stored = items.begin_reply(ReplyRecord(
            reply_id=reply_id, ticket_id=ticket_id, message_id=f"care:{reply_id}",
            network=target.network, in_reply_to=target.native_id,
            recipient_id=target.author_id, text=text, private=private, agent_id=agent_id,
            mass_response_id=mass_response_id, created_at=desk.now()))
    elif stored.ticket_id != ticket_id:
        raise StateConflict("this reply id answered another item", field="reply_id")
    if stored.status == "sent":
        return ReplyOutcome(stored, items.require(ticket_id), sent_now=False)
    now = desk.now()
    network_id = desk.social.send(OutboundMessage(
        message_id=stored.message_id, recipient_id=stored.recipient_id, text=stored.text,
        kind="care_reply", in_reply_to=stored.in_reply_to, private=stored.private,
        created_at=now))

    def answered(current: CareItem) -> CareItem:
        if current.status not in ("open", "pending"):
            return current  # resolved or snoozed meanwhile: the answer went out anyway
        return transition(current, "reply", now).model_copy(update={"updated_at": now})

    item = items.change(ticket_id, answered)
    items.mark_sent(reply_id, network_id, now)
    sent = items.reply(reply_id) or stored
    return ReplyOutcome(sent, item, sent_now=True)


def clusters(desk: CareDesk, queue: str | None = None) -> list[Cluster]:
    """Groups of similar open, actionable items (of one queue, or all), largest first."""
    options = desk.settings.mass_response
    items: list[CareItem] = []
    cursor: str | None = None
    while len(items) < options.max_posts:
        page, cursor = desk.repositories.care_items.page(
            queue=queue, statuses=("open",), limit=min(1000, options.max_posts), cursor=cursor)
        items.extend(page)
        if cursor is None:
            break
    items = items[: options.max_posts]
    threads = desk.repositories.care_threads
    texts = []
    for item in items:
        lead = threads.get(item.lead_post_id) if item.lead_post_id else None
        texts.append(lead.text if lead is not None else "")
    groups = group_similar(texts, threshold=options.threshold, min_size=options.min_size,
                           stop_words=desk.settings.categorizer.stop_words)
    out = []
    for group in groups:
        ids = tuple(items[m].ticket_id for m in group.members)
        out.append(Cluster(cluster_id=_digest(*sorted(ids))[:16], ticket_ids=ids,
                           representative=items[group.representative].ticket_id,
                           top_terms=group.top_terms,
                           mean_similarity=round(group.mean_similarity, 4)))
    return out


def mass_response(desk: CareDesk, ticket_ids: Sequence[str], text: str, *,
                  private: bool = False, agent_id: str | None = None,
                  response_id: str | None = None) -> tuple[str, list[MassOutcome]]:
    """Answer every item in ``ticket_ids`` with ``text``, each once; returns the response
    id (pass it again to retry) and each item's outcome. An item that cannot be answered
    (resolved, unknown, erased) is reported ``refused`` and the others still go out."""
    text = _check_text(text)
    unique = list(dict.fromkeys(ticket_ids))
    if not unique:
        raise InvalidInput("name at least one item", field="ticket_ids")
    if len(unique) > MAX_MASS_ITEMS:
        raise InvalidInput(f"at most {MAX_MASS_ITEMS} items", field="ticket_ids")
    if response_id is not None and not _client_key(response_id, 60):
        raise InvalidInput("1-60 visible ASCII characters", field="response_id")
    desk.social.require(capability(private), "the care queue's mass response")
    response_id = response_id or "m-" + _digest(*sorted(unique), str(private), text)[:24]
    outcomes = []
    for ticket_id in unique:
        reply_id = f"{response_id}:{_digest(ticket_id)[:24]}"
        try:
            done = reply(desk, ticket_id, text, private=private, agent_id=agent_id,
                         reply_id=reply_id, mass_response_id=response_id)
        except (StateConflict, NotFound, InvalidInput) as exc:
            outcomes.append(MassOutcome(ticket_id, "refused", str(exc)))
            continue
        outcomes.append(MassOutcome(ticket_id, "sent" if done.sent_now else "already_sent",
                                    reply_id=reply_id))
    return response_id, outcomes


__all__ = ["MAX_MASS_ITEMS", "MAX_REPLY_CHARS", "Cluster", "MassOutcome", "PostNotFound",
           "ReplyOutcome",
           "capability", "clusters", "mass_response", "reply"]
