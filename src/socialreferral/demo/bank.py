"""A synthetic retail bank for the demo: the paper's ten offers, customers, prospects, posts.

Seeded and deterministic: the same ``seed`` gives the same bank and the same posts. The
posts mix sentences like the paper's experiment ("I am looking for a car loan", "can
anyone suggest the best house loan") with unrelated chatter, so the analyzer has
something to reject.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from socialreferral.domain.crm import Product, Promotion
from socialreferral.domain.customers import Customer
from socialreferral.domain.social import Connection, Interaction, Profile

NETWORK = "facebook"
PAGE_ID = "bank-page-1"

# (product id, name, category, seed phrases, manual offer?) — the paper's ten offers.
OFFERS: tuple[tuple[str, str, str, tuple[str, ...], bool], ...] = (
    ("home-loan", "home loan", "loans", ("house loan", "mortgage", "housing loan"), False),
    ("debit-card", "debit card", "cards", ("debit card", "atm card"), False),
    ("credit-card", "credit card", "cards", ("credit card", "card with cashback"), False),
    ("student-loan", "student loan", "loans", ("education loan", "loan for college"), False),
    ("personal-loan", "personal loan", "loans", ("car loan", "loan for a wedding"), False),
    ("medical-insurance", "medical insurance", "insurance",
     ("health insurance", "medical cover"), False),
    ("term-insurance", "term insurance", "insurance", ("life insurance", "term plan"), False),
    ("vehicle-insurance", "vehicle insurance", "insurance",
     ("car insurance", "bike insurance", "motor insurance"), False),
    ("shares", "shares", "investments", ("stock broker", "trading account", "demat account"),
     True),
    ("job-offers", "job offers", "careers", ("job opening", "job at the bank"), False),
)

INTENT_SENTENCES = (
    "I am looking for a {p}",
    "can anyone suggest the best {p}",
    "what are the procedure for applying for a {p}",
    "need a good {p} urgently, any recommendation?",
    "planning to get a {p} this month, where can I get one?",
    "any good {p} out there?",
)
INTENT_TOPICS = (
    "car loan", "house loan", "student loan", "credit card", "debit card", "health insurance",
    "term insurance", "car insurance", "trading account", "home loan", "personal loan",
    "job opening", "medical insurance", "life insurance",
)
CHATTER = (
    "what a match last night!",
    "the weather is lovely today",
    "just finished a great book",
    "happy birthday to my brother",
    "coffee first, then everything else",
    "traffic on the highway is terrible again",
    "new recipe turned out amazing",
    "I am not looking for a loan, just saying hi",
    "weekend trip photos coming soon",
    "my cat ignores me as usual",
)
FIRST = ("Asha", "Ben", "Chen", "Divya", "Eli", "Fatima", "Gita", "Hugo", "Ines", "Jon",
         "Kiran", "Lena", "Mo", "Nia", "Omar", "Priya", "Quinn", "Ravi", "Sara", "Tom")
LAST = ("Rao", "Smith", "Li", "Khan", "Garcia", "Iyer", "Brown", "Sato", "Nair", "Okafor")


@dataclass
class Post:
    """One synthetic post by ``author_id``."""

    post_id: str
    author_id: str
    author_name: str
    text: str
    created_at: datetime


@dataclass
class Bank:
    """The generated world."""

    products: list[Product]
    promotions: list[Promotion]
    customers: list[Customer]
    profiles: list[Profile]
    connections: list[Connection]
    prospects: dict[str, str]  # person id -> display name
    posts: list[Post] = field(default_factory=list)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def products() -> list[Product]:
    """The paper's ten offers as catalog products."""
    return [
        Product(product_id=pid, name=name, category=category, seed_phrases=phrases,
                manual_offer=manual,
                offer_template="Hi {prospect}, {referrer} thinks our {product} fits you.")
        for pid, name, category, phrases, manual in OFFERS
    ]


def build_bank(
    customers: int, posts: int, seed: int, now: datetime, *, authors: int | None = None,
    intent_share: float = 0.65,
) -> Bank:
    """A bank with ``customers`` customers, twice as many prospects, and ``posts`` posts
    written by the first ``authors`` prospects (all of them by default)."""
    rng = random.Random(seed)
    catalog = products()
    people: list[Customer] = []
    profiles: list[Profile] = []
    connections: list[Connection] = []
    prospects = {f"fb-p{i:05d}": _name(rng) for i in range(1, 2 * customers + 1)}
    prospect_ids = sorted(prospects)
    for i in range(1, customers + 1):
        cid, pid = f"c{i:05d}", f"fb-c{i:05d}"
        name = _name(rng)
        people.append(Customer(
            customer_id=cid, display_name=name, customer_value=round(rng.random(), 3),
            segments=tuple(rng.sample(["loans", "cards", "insurance", "investments"], 2)),
            email=f"{cid}@customers.example.com",
        ))
        # One customer in ten is not eligible: a small, quiet network.
        quiet = i % 10 == 0
        profiles.append(Profile(person_id=pid, network=NETWORK, display_name=name,
                                followers=rng.randint(3, 10) if quiet else rng.randint(60, 900),
                                posts=rng.randint(5, 400)))
        friends = rng.sample(prospect_ids, k=min(len(prospect_ids), rng.randint(3, 6)))
        for friend in friends:
            count = 0 if quiet else rng.randint(1, 12)
            interactions = tuple(
                Interaction(kind=rng.choice(["like", "comment", "message"]),
                            at=now - timedelta(days=rng.uniform(0.5, 80)))
                for _ in range(count)
            )
            connections.append(Connection(
                person_id=pid, other_id=friend, network=NETWORK,
                since=now - timedelta(days=rng.uniform(30, 2000)),
                mutual_connections=rng.randint(0, 40), interactions=interactions,
            ))
    bank = Bank(products=catalog, promotions=[], customers=people, profiles=profiles,
                connections=connections, prospects=prospects)
    bank.promotions = [
        Promotion(promotion_id=f"promo-{pid}", product_id=pid, title=title, text=text,
                  starts_at=now - timedelta(days=1), updated_at=now - timedelta(minutes=k))
        for k, (pid, title, text) in enumerate((
            ("credit-card", "Cashback credit card", "5% cashback for the first 3 months"),
            ("home-loan", "Home loan festival", "lower rates on home loans this quarter"),
            ("medical-insurance", "Family health cover", "one plan for the whole family"),
        ))
    ]
    writers = prospect_ids[:authors] if authors else prospect_ids
    for n in range(posts):
        author = rng.choice(writers)
        if rng.random() < intent_share:
            text = rng.choice(INTENT_SENTENCES).format(p=rng.choice(INTENT_TOPICS))
        else:
            text = rng.choice(CHATTER)
        bank.posts.append(Post(post_id=f"{PAGE_ID}_{seed}_{n:06d}", author_id=author,
                               author_name=prospects[author], text=text,
                               created_at=now - timedelta(seconds=posts - n)))
    return bank


def meta_delivery(posts: list[Post], app_secret: str) -> tuple[dict[str, str], bytes]:
    """A Meta Page ``feed`` delivery for ``posts`` and its ``X-Hub-Signature-256``."""
    entry = {
        "id": PAGE_ID,
        "time": int(posts[0].created_at.timestamp()) if posts else 0,
        "changes": [
            {"field": "feed", "value": {
                "item": "status", "verb": "add", "post_id": p.post_id,
                "from": {"id": p.author_id, "name": p.author_name},
                "message": p.text, "created_time": int(p.created_at.timestamp()),
            }}
            for p in posts
        ],
    }
    body = json.dumps({"object": "page", "entry": [entry]}, separators=(",", ":")).encode()
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}",
            "Content-Type": "application/json"}, body


__all__ = ["NETWORK", "OFFERS", "Bank", "Post", "build_bank", "meta_delivery", "products"]
