"""``socialreferral care demo``: a brand page's care queue, from webhooks to explanations.

A synthetic mobile operator ("Acme Mobile") with a Facebook Page (id ``1000``) and an X
account (id ``9000``, ``@acmecare``). Webhook bodies in each network's real shape go
through the registered channels' parsers (Meta feed changes with comment parents; X
tweets that name only the previous tweet, delivered replies first so the threads are
re-linked when their parents arrive) and into the care queue. The page holds complaints,
questions, a question the community already answered, praise, spam, the brand's own
replies (agent responses) and three posts about the same app crash (a cluster for one
response). Three agents with caps take the items round robin; the result is the top of
the queue with every item's factor explanation and SLA timer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from socialreferral.bootstrap import Providers
from socialreferral.care.records import RunRecord
from socialreferral.care.settings import CareSettings
from socialreferral.care.workflow import Agent, Assignment
from socialreferral.channels.meta import parse_meta_webhook
from socialreferral.channels.x import parse_x_webhook
from socialreferral.domain.social import SocialEvent
from socialreferral.service.care import CareDesk, CareIngestResult, Cluster, QueueEntry
from socialreferral.service.care.replies import MassOutcome

PAGE_ID = "1000"
X_ACCOUNT = "9000"
X_HANDLE = "acmecare"
AGENTS = (
    Agent(agent_id="ann", functions=frozenset({"customer_care", "warranty"}), cap=2),
    Agent(agent_id="bob", functions=frozenset({"product", "marketing_and_sales"}), cap=2),
    Agent(agent_id="cid", functions=frozenset({"*"}), cap=1),
)

# (post id, author, minutes after the start, text, parent post)
_FACEBOOK: tuple[tuple[str, str, int, str, str | None], ...] = (
    ("1000_1", "fb-101", 0, "My phone screen cracked after two days. Is this covered by the "
     "warranty? I want a replacement", None),
    ("1000_1_c1", "fb-102", 12, "Same happened to me, they replaced it under warranty "
     "within a week", "1000_1"),
    ("1000_1_c2", PAGE_ID, 25, "Sorry to hear that! Please send us a private message with "
     "your order number and we will sort out the repair.", "1000_1"),
    ("1000_1_c3", "fb-101", 95, "Still waiting for an answer to my message, this is "
     "ridiculous", "1000_1"),
    ("1000_2", PAGE_ID, 5, "Our new Acme X5 is here! Pre-order now with a 20% discount.",
     None),
    ("1000_2_c1", "fb-103", 20, "How much is the X5 phone without a contract?", "1000_2"),
    ("1000_2_c2", "fb-104", 22, "Love it, cannot wait to get mine!", "1000_2"),
    ("1000_2_c3", "fb-105", 30, "Click here for free followers www.spam.example", "1000_2"),
    ("1000_2_c4", "fb-106", 41, "I was charged twice for my pre-order and nobody answers "
     "the phone. I want a refund", "1000_2"),
    ("1000_3", "fb-107", 50, "Where can I find the customer service number in Canada?",
     None),
    ("1000_3_c1", "fb-108", 58, "You can call 1-800-555-0100, it worked for me", "1000_3"),
)
# (tweet id, author, minutes, text, in reply to) — delivered newest first
_X: tuple[tuple[str, str, int, str, str | None], ...] = (
    ("501", "x-201", 10, "@acmecare my internet has been down since Monday and no one "
     "responds #fail", None),
    ("502", X_ACCOUNT, 30, "@x201 we are sorry! Can you DM us your account number?", "501"),
    ("503", "x-201", 150, "@acmecare I sent the DM two hours ago, still nothing. Any "
     "update??", "502"),
    ("510", "x-202", 60, "@acmecare how do I reset my voicemail password?", None),
    ("520", "x-203", 70, "@acmecare the app keeps crashing after the update, never again",
     None),
    ("530", "x-204", 75, "@acmecare app keeps crashing since the update today", None),
    ("540", "x-205", 80, "@acmecare the app is crashing after the latest update, please "
     "fix it", None),
)


def meta_delivery(start: datetime) -> bytes:
    """The Facebook Page's posts and comments as one ``feed`` delivery."""
    changes = []
    for post_id, author, minutes, text, parent in _FACEBOOK:
        at = int((start + timedelta(minutes=minutes)).timestamp())
        value: dict[str, Any] = {"verb": "add", "from": {"id": author}, "message": text,
                                 "created_time": at}
        if parent is None:
            value.update(item="status", post_id=post_id)
        else:
            value.update(item="comment", post_id=parent, comment_id=post_id,
                         parent_id=parent)
        changes.append({"field": "feed", "value": value})
    return json.dumps({"object": "page", "entry": [
        {"id": PAGE_ID, "time": int(start.timestamp()), "changes": changes}]}).encode()


def x_delivery(start: datetime) -> bytes:
    """The X account's mentions and replies, newest first (replies before parents)."""
    tweets = []
    for tweet_id, author, minutes, text, parent in reversed(_X):
        at = (start + timedelta(minutes=minutes)).strftime("%a %b %d %H:%M:%S +0000 %Y")
        tweet: dict[str, Any] = {
            "id_str": tweet_id, "created_at": at, "text": text,
            "user": {"id_str": author,
                     "screen_name": X_HANDLE if author == X_ACCOUNT else author}}
        if parent is not None:
            tweet["in_reply_to_status_id_str"] = parent
        tweets.append(tweet)
    return json.dumps({"for_user_id": X_ACCOUNT, "tweet_create_events": tweets}).encode()


def demo_settings(base: CareSettings) -> CareSettings:
    """``base`` with the demo's pages, brand handle and agents."""
    data = base.model_dump(mode="json")
    data.update(pages=[PAGE_ID, X_ACCOUNT], brand_ids=[X_HANDLE],
                agents=[a.model_dump(mode="json") for a in AGENTS])
    return CareSettings.model_validate(data)


@dataclass(frozen=True)
class CareDemoResult:
    """What the demo did and the top of the queue."""

    ingest: CareIngestResult
    events: int
    assignment: Assignment
    top: list[QueueEntry]
    clusters: list[Cluster]
    mass_response: list[MassOutcome]
    categorizer: RunRecord | None
    summary: dict[str, dict[str, int]]


def run_care_demo(providers: Providers, *, top: int = 10,
                  now: datetime | None = None) -> CareDemoResult:
    """Run the demo on ``providers`` (see the module docstring)."""
    from socialreferral.tasks.care import base_ranker

    now = now or datetime.now(UTC)
    start = now - timedelta(hours=3)
    settings = demo_settings(providers.settings.care)
    desk = CareDesk(repositories=providers.repositories, social=providers.social,
                    settings=settings, clock=lambda: now, ranker_factory=base_ranker)
    events: list[SocialEvent] = [*parse_meta_webhook(meta_delivery(start)).events,
                                 *parse_x_webhook(x_delivery(start)).events]
    ingested = desk.ingest(events)
    desk.ingest(events)  # a redelivery changes nothing
    assignment = desk.assign_round_robin()
    clusters = desk.clusters()
    outcomes: list[MassOutcome] = []
    if clusters:
        _, outcomes = desk.mass_response(
            clusters[0].ticket_ids, "We are sorry about the crashes: version 5.2.1, out "
            "today, fixes them. Please update the app.", agent_id="bob")
    page = desk.queue(None, statuses=("open", "pending"), limit=top)
    run = desk.run_categorizer(force=True)
    summary = {c.queue: {"open": c.open, "pending": c.pending, "breached": c.breached}
               for c in desk.summary() if c.open or c.pending}
    return CareDemoResult(ingest=ingested, events=len(events), assignment=assignment,
                          top=page.entries, clusters=clusters, mass_response=outcomes,
                          categorizer=run, summary=summary)


__all__ = ["AGENTS", "PAGE_ID", "X_ACCOUNT", "CareDemoResult", "demo_settings",
           "meta_delivery", "run_care_demo", "x_delivery"]
