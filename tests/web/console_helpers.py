"""Helpers for the console tests: operators of every role, logged-in clients, a referral
link, a flagged reward — over local providers in tmp_path.

Passwords are hashed with a cheap argon2 profile (the stored hashes are still argon2id),
and the app's authenticator is given the same profile, so a login costs milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import now_utc, referral_offer

from socialreferral import Providers
from socialreferral.domain.crm import Product
from socialreferral.domain.explain import Explanation
from socialreferral.domain.operators import Role
from socialreferral.domain.referrals import Reward, RewardStatus
from socialreferral.service.operators import PasswordAuthenticator, create_operator
from socialreferral.service.referrals import recommend
from socialreferral.web import create_app

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "console-test-password"
ROLES = tuple(Role)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The first CSRF token in a page."""
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@dataclass
class ConsoleWorld:
    """An app with one operator per role, a referral link and a flagged reward."""

    providers: Providers
    app: FastAPI
    token: str
    reward_id: str
    ids: dict[str, str] = field(default_factory=dict)

    def client(self) -> TestClient:
        """A fresh browser (no cookies)."""
        return TestClient(self.app, raise_server_exceptions=False)

    def login(self, client: TestClient, name: str, password: str = PASSWORD) -> str:
        """Log ``client`` in as ``name``; return the session's CSRF token."""
        token = csrf_of(client.get("/console/login").text)
        answer = client.post("/console/login", data={"csrf_token": token, "name": name,
                                                     "password": password},
                             follow_redirects=False)
        assert answer.status_code == 303, answer.text[:500]
        return csrf_of(client.get("/console/").text)


def add_operators(providers: Providers, names: dict[str, tuple[Role, ...]]) -> None:
    """Create operators (name -> roles) with the cheap hasher."""
    for name, roles in names.items():
        create_operator(providers.repositories.operators, name, roles, PASSWORD,
                        rules=providers.settings.console, now=datetime.now(UTC),
                        hasher=FAST_HASHER)


def flagged_reward(providers: Providers, *, referrer_id: str = "c1", n: int = 1,
                   summary: str = "fraud: flagged: velocity (11 leads in 24 hours)",
                   flagged_at: datetime | None = None) -> str:
    """A reward waiting for review."""
    reward = Reward(reward_id=f"rwd_test{n}", referral_id=f"ref_test{n}",
                    referrer_id=referrer_id, lead_id=f"lead_test{n}", amount=Decimal("25.00"),
                    currency="USD", status=RewardStatus.PENDING_REVIEW, flags=("velocity",),
                    explanation=Explanation(summary=summary))
    providers.repositories.referrals.create_reward(
        reward, product_id="personal-loan", at=flagged_at or datetime.now(UTC))
    return reward.reward_id


def seed_care(providers: Providers, text: str = "") -> str:
    """Care posts (the first one's text ends with ``text``); returns the first item's id."""
    from socialreferral.care.records import IncomingPost
    from socialreferral.web.console.pages.care import console_desk

    now = datetime.now(UTC)
    posts = [("1", "c1", f"@acmecare my refund is still not here after 3 weeks {text}", None),
             ("2", "c2", "@acmecare the app keeps crashing after the update", None),
             ("3", "c3", "@acmecare app keeps crashing since the update today", None),
             ("4", "c4", "@acmecare how do I reset my voicemail password?", None),
             ("5", "c5", "same here, it crashes every time", "2")]
    console_desk(providers).ingest([
        IncomingPost(network="x", native_id=pid, author_id=author, text=body,
                     parent_native_id=parent, created_at=now - timedelta(minutes=90 - i))
        for i, (pid, author, body, parent) in enumerate(posts)])
    return "x:1"


INFLUENCE_TEXTS = ("Acme is awful, never again", "I love Acme, great app and friendly staff",
                   "Acme opens a branch downtown")
PLACES = ("London", "New York", "Paris", "Toronto")


def seed_influence(providers: Providers, name: str = "") -> tuple[str, str]:
    """A tracked keyword ``acme`` with posts of the last hours by authors whose display
    names end with ``name``, and one volume alert; returns (key, alert id)."""
    from socialreferral.domain.social import EventKind, SocialEvent
    from socialreferral.influence.alerts import SpikeAlert
    from socialreferral.influence.keywords import TrackedKeyword
    from socialreferral.tasks.influence import influence_analytics

    now = datetime.now(UTC)
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=4)
    analytics = influence_analytics(providers, clock=lambda: now)
    analytics.keywords.add(TrackedKeyword(term="Acme", aliases=("#AcmeBank",)), now)
    analytics.track_events([
        SocialEvent(event_id=f"x:{i}:tweet", network="x", kind=EventKind.POST,
                    author_id=f"u{i % 4}", text=INFLUENCE_TEXTS[i % 3] + f" {name}",
                    created_at=start + timedelta(minutes=12 * i),
                    extra={"screen_name": f"user_{i % 4}", "author_name": f"User {i % 4} {name}",
                           "followers_count": 100 * (i + 1), "retweet_count": i,
                           "location": PLACES[i % 4]})
        for i in range(18)])
    hour = start + timedelta(hours=2)
    alert_id = f"acme:volume:{int(hour.timestamp()) // 3600}"
    providers.repositories.influence_alerts.record(SpikeAlert(
        alert_id=alert_id, keyword="acme", kind="volume", hour=hour, partial=False,
        posts=9, expected_posts=2.0, negative=3, negative_share=0.33,
        expected_negative_share=0.2, ratio=4.5, z=5.5, drivers=(), top_posts=(),
        rising_words=(), explanation=f"volume spike on 'acme' {name}"), 0.0,
        refresh_after=0.0)
    return "acme", alert_id


def seed_people(providers: Providers, name: str = "") -> str:
    """Two profiles of one person (last name ends with ``name``) fused, and a B2B
    introduction task naming them; returns the person id."""
    from socialreferral.domain.crm import CrmTask
    from socialreferral.people.b2b import TASK_KIND
    from socialreferral.people.profiles import from_mapping
    from socialreferral.service.people import capture_profiles, run_fusion

    now = datetime.now(UTC)
    rows = [{"id": "ann-1", "first_name": "Ann", "last_name": f"Lee {name}".strip(),
             "email": "ann.lee@gmail.com", "phone": "+44 20 7946 0001", "city": "London"},
            {"id": "ann-2", "first_name": "Ann", "last_name": f"Lee {name}".strip(),
             "email": "ann.lee@gmail.com", "network": "x", "handle": "@annlee"}]
    repositories = providers.repositories
    capture_profiles(repositories, [from_mapping(r, source="import", captured_at=now)
                                    for r in rows])
    run_fusion(repositories, providers.settings.people, now=now, mode="full")
    [person_id] = set(repositories.people.clusters_of(
        repositories.profiles.find("email", "ann.lee@gmail.com")).values())
    path = {"people": [{"id": "emp-1", "name": f"Sam Staff {name}"},
                       {"id": person_id, "name": f"Ann Lee {name}"}],
            "cost": 1.0, "score": 0.8, "explanation": "emp-1 knows Ann directly"}
    providers.crm.save_task(CrmTask(
        task_id="b2b-test-1", subject="Warm introduction", assignee="emp-1",
        related_id=person_id, created_at=now, details={
            "kind": TASK_KIND, "requested_by": "sales-1",
            "contact": {"id": person_id, "name": f"Ann Lee {name}",
                        "company": f"Lee Ltd {name}", "score": 0.7},
            "path": path, "alternatives": [], "reasons": [f"role: buyer {name}"]}))
    return person_id


def seed_areas(world: ConsoleWorld, name: str = "") -> None:
    """Care, influence and people data for the round-2 pages; their ids in
    ``world.ids`` (the route templates' parameters)."""
    ticket_id = seed_care(world.providers, name)
    key, alert_id = seed_influence(world.providers, name)
    person_id = seed_people(world.providers, name)
    world.ids.update(ticket_id=ticket_id, key=key, alert_id=alert_id, person_id=person_id,
                     sentiment="positive", action="claim", agent_id="agent",
                     proposal_id="0" * 24)


def build_world(providers: Providers, *, product: Product | None = None) -> ConsoleWorld:
    """The world every console test starts from (class docstring)."""
    add_operators(providers, {role.value: (role,) for role in ROLES})
    now = now_utc()
    offer_id = referral_offer(providers, now)
    if product is not None:
        providers.crm.upsert_product(product)
    _, token = recommend(offer_id, repositories=providers.repositories,
                         secrets=providers.secrets, social=providers.social,
                         settings=providers.settings.referral,
                         public_base_url=providers.settings.web.public_base_url, now=now)
    reward_id = flagged_reward(providers, flagged_at=now - timedelta(hours=1))
    app = create_app(providers)
    app.state.console_auth.authenticator = PasswordAuthenticator(
        providers.repositories.operators, providers.settings.console, hasher=FAST_HASHER)
    return ConsoleWorld(providers=providers, app=app, token=token, reward_id=reward_id)


__all__ = ["FAST_HASHER", "PASSWORD", "ROLES", "ConsoleWorld", "add_operators",
           "build_world", "csrf_of", "flagged_reward", "seed_areas", "seed_care",
           "seed_influence", "seed_people"]
