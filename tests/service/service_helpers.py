"""Helpers for service tests: real local adapters in tmp_path and a tiny bank."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from socialreferral.bootstrap import Providers, build_providers
from socialreferral.channels import MetaChannel
from socialreferral.channels.meta import APP_SECRET as META_APP_SECRET
from socialreferral.domain.crm import Product
from socialreferral.domain.customers import Customer
from socialreferral.domain.social import Connection, Interaction, Profile
from socialreferral.service.authorization import connect_account
from socialreferral.service.worker import Worker
from socialreferral.settings import Settings
from socialreferral.text.keyword_analyzer import KeywordAnalyzer

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
APP_SECRET = "test-app-secret-0123456789"
_ANALYZER: list[KeywordAnalyzer] = []


def analyzer() -> KeywordAnalyzer:
    """One analyzer for the session (building it imports nltk, which takes seconds)."""
    if not _ANALYZER:
        _ANALYZER.append(KeywordAnalyzer())
    return _ANALYZER[0]


def make_settings(data_dir: Path, **referral: Any) -> Settings:
    return Settings.model_validate(
        {"local": {"data_dir": str(data_dir), "visibility_timeout": 1}, "referral": referral}
    )


@contextmanager
def local_providers(data_dir: Path, **referral: Any) -> Iterator[Providers]:
    """Local providers in ``data_dir`` with the meta app secret and three products."""
    with build_providers(make_settings(data_dir, **referral)) as built:
        built.secrets.set(META_APP_SECRET, APP_SECRET)
        for product in (
            Product(product_id="personal-loan", name="personal loan",
                    seed_phrases=("car loan",)),
            Product(product_id="home-loan", name="home loan", seed_phrases=("house loan",)),
            Product(product_id="shares", name="shares", seed_phrases=("trading account",),
                    manual_offer=True),
        ):
            built.crm.upsert_product(product)
        yield built


def add_customer(
    providers: Providers, number: int, friends: dict[str, int], *, followers: int = 300,
    email: str | None = None,
) -> Customer:
    """Connect customer ``c<number>`` whose friends are prospect id -> interactions."""
    person = f"fb-c{number}"
    social: Any = providers.social
    social.add_profile(Profile(person_id=person, network="facebook", display_name=f"C{number}",
                               followers=followers))
    social.add_connections([
        Connection(person_id=person, other_id=friend, network="facebook",
                   since=NOW - timedelta(days=400), mutual_connections=5,
                   interactions=tuple(Interaction(kind="like", at=NOW - timedelta(days=1 + i))
                                      for i in range(count)))
        for friend, count in friends.items()
    ])
    customer = Customer(customer_id=f"c{number}", display_name=f"C{number}",
                        customer_value=0.5, email=email or f"c{number}@bank.example.com")
    connect_account(repositories=providers.repositories, secrets=providers.secrets,
                    social=providers.social,
                    rules=providers.settings.referral.eligibility, customer=customer,
                    network="facebook", person_id=person, token=f"tok-secret-{number}-xyz",
                    scopes=("user_posts",), now=NOW)
    return customer


def delivery(
    posts: list[tuple[str, str, str]], secret: str = APP_SECRET
) -> tuple[dict[str, str], bytes]:
    """A signed Meta delivery of (post id, author id, text)."""
    changes = [{"field": "feed", "value": {
        "item": "status", "verb": "add", "post_id": pid, "from": {"id": author, "name": "Pat"},
        "message": text, "created_time": int(NOW.timestamp())}} for pid, author, text in posts]
    body = json.dumps({"object": "page", "entry": [
        {"id": "page", "time": int(NOW.timestamp()), "changes": changes}]}).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={signature}"}, body


def make_worker(providers: Providers, **kwargs: Any) -> Worker:
    kwargs.setdefault("analyzer", analyzer())
    return Worker(queue=providers.queue, repositories=providers.repositories,
                  crm=providers.crm, social=providers.social,
                  settings=providers.settings.referral, clock=lambda: NOW, **kwargs)


def sign(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    """The ``X-Hub-Signature-256`` header for ``body``."""
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(
        secret.encode(), body, hashlib.sha256).hexdigest()}


def ingest(providers: Providers, posts: list[tuple[str, str, str]]) -> None:
    """Deliver ``posts`` through real ingestion."""
    from socialreferral.service.ingest import ingest_webhook

    headers, body = delivery(posts)
    ingest_webhook(MetaChannel(), headers, body, queue=providers.queue,
                   secrets=providers.secrets, repositories=providers.repositories)
