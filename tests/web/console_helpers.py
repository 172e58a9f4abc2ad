"""Helpers for the console tests: operators of every role, logged-in clients, a referral
link, a flagged reward — over local providers in tmp_path.

Passwords are hashed with a cheap argon2 profile (the stored hashes are still argon2id),
and the app's authenticator is given the same profile, so a login costs milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
           "build_world", "csrf_of", "flagged_reward"]
