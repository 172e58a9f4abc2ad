"""The chaos campaign's workload: a seeded bank, its signed webhook deliveries and a lead
plan, identical in the reference run and in every run under faults.

Everything that decides an outcome is fixed by the workload, not by the run: the bank
and its posts come from the seed, the worker's clock is the workload's ``now``, the
contact policy has no caps or cool-downs (which would make *which* events get an offer
depend on processing order), and the lead stage walks a plan derived from the offer ids
alone, in one order, with a fixed time per step. So a run under ``kill -9`` or injected
faults must end with exactly the reference run's records; anything else is a lost or a
duplicated effect.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from socialreferral.channels import MetaChannel
from socialreferral.demo.bank import Bank, Post, build_bank

WORKLOAD_NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BANK_PAGE = "bank-page-1"
CARE_PAGE = "bank-care-page"
"""The brand page whose deliveries also feed the care queue (``[care] pages``)."""
APP_SECRET_VALUE = "chaos-app-secret-0123456789"
OPEN_POLICY: dict[str, Any] = {
    "max_offers_per_prospect": 1_000_000, "product_cooldown_days": 0,
    "max_asks_per_referrer": 1_000_000}


@dataclass(frozen=True, slots=True)
class Delivery:
    """One signed Meta delivery: headers and the raw body."""

    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class LeadStep:
    """One step of the lead stage: ``recommend`` an offer, or ``submit`` its form."""

    kind: str
    offer_id: str
    form: dict[str, Any] = field(default_factory=dict)
    at: datetime = WORKLOAD_NOW


@dataclass(frozen=True, slots=True)
class ChaosWorkload:
    """What a campaign runs (module docstring). ``events`` posts in deliveries of
    ``delivery_size``; every ``care_every``-th delivery comes from :data:`CARE_PAGE`;
    ``lead_percent`` of the offers are recommended and get a lead form, one in
    ``self_referral_every`` of those from the referrer's own e-mail (flagged: a review
    task in the CRM), one in ``double_submit_every`` submitted twice.

    ``deliveries_per_second``: the ingest stage process spreads its deliveries at this
    rate, as webhooks arrive over time (0: as fast as it can). Outcomes do not depend on
    it; it keeps a fast ingest at work long enough for a campaign's kills to reach it."""

    events: int = 5000
    customers: int = 200
    seed: int = 11
    delivery_size: int = 10
    care_every: int = 10
    lead_percent: int = 60
    self_referral_every: int = 9
    double_submit_every: int = 5
    intent_share: float = 0.8
    deliveries_per_second: float = 0.0
    now: datetime = WORKLOAD_NOW

    # -- serialisation (stage processes get the workload as JSON) ------------------------
    def to_json(self) -> dict[str, Any]:
        """The workload as JSON (``from_json`` reads it back)."""
        return {**asdict(self), "now": self.now.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChaosWorkload:
        """The workload of :meth:`to_json`."""
        return cls(**{**data, "now": datetime.fromisoformat(data["now"])})

    # -- the world -------------------------------------------------------------------
    def bank(self) -> Bank:
        """The seeded bank and its posts."""
        return build_bank(self.customers, self.events, self.seed, self.now,
                          intent_share=self.intent_share)

    def settings(self) -> dict[str, Any]:
        """The settings tables the workload needs (merge them into a run's settings)."""
        return {"referral": {"contact_policy": OPEN_POLICY},
                "care": {"pages": [CARE_PAGE]}}

    def deliveries(self, bank: Bank | None = None) -> list[Delivery]:
        """The posts as signed Meta ``feed`` deliveries, in order."""
        posts = (bank or self.bank()).posts
        out = []
        for number, start in enumerate(range(0, len(posts), self.delivery_size)):
            page = CARE_PAGE if self.care_every and number % self.care_every == 0 \
                else BANK_PAGE
            out.append(_delivery(posts[start:start + self.delivery_size], page))
        return out

    @staticmethod
    def event_ids(deliveries: list[Delivery]) -> set[str]:
        """The ids of every event ``deliveries`` carry, as the Meta channel parses them."""
        channel = MetaChannel()
        return {event.event_id for d in deliveries for event in channel.parse(d.body).events}

    # -- the lead stage ------------------------------------------------------------------
    def lead_plan(self, offers: list[tuple[str, str, str]],
                  referrer_emails: dict[str, str]) -> list[LeadStep]:
        """Steps for ``offers`` as ``(offer_id, prospect_id, referrer_id)``: every chosen
        offer is recommended first, then the forms are submitted in offer-id order."""
        chosen = sorted(o for o in offers if _bucket(o[0], 100) < self.lead_percent)
        steps = [LeadStep("recommend", offer_id) for offer_id, _, _ in chosen]
        submit_at = self.now + timedelta(minutes=5)
        for n, (offer_id, prospect, referrer) in enumerate(chosen):
            email = f"{prospect}@mail.example.org"
            if _bucket(offer_id, self.self_referral_every, "self") == 0:
                email = referrer_emails.get(referrer, email)
            form = {"name": f"Prospect {prospect}", "email": email,
                    "phone": f"+1555{_bucket(offer_id, 10_000_000, 'phone'):07d}",
                    "consent_marketing": True}
            at = submit_at + timedelta(seconds=n)
            steps.append(LeadStep("submit", offer_id, form, at))
            if _bucket(offer_id, self.double_submit_every, "twice") == 0:
                steps.append(LeadStep("submit", offer_id, form, at + timedelta(seconds=1)))
        return steps


def _bucket(text: str, buckets: int, salt: str = "") -> int:
    """A stable bucket of ``text`` (not Python's per-process ``hash``)."""
    digest = hashlib.sha256(f"{salt}:{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % max(1, buckets)


def _delivery(posts: list[Post], page: str) -> Delivery:
    entry = {
        "id": page, "time": int(posts[0].created_at.timestamp()) if posts else 0,
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
    digest = hmac.new(APP_SECRET_VALUE.encode(), body, hashlib.sha256).hexdigest()
    return Delivery({"X-Hub-Signature-256": f"sha256={digest}",
                     "Content-Type": "application/json"}, body)


__all__ = ["APP_SECRET_VALUE", "BANK_PAGE", "CARE_PAGE", "OPEN_POLICY", "WORKLOAD_NOW",
           "ChaosWorkload", "Delivery", "LeadStep"]
