"""Helpers for the People service tests: captures from plain rows, a small B2B world."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from socialreferral.bootstrap import Providers
from socialreferral.people.access import Caller
from socialreferral.people.profiles import CapturedProfile, from_mapping
from socialreferral.service.people import capture_profiles, run_fusion
from socialreferral.service.people.fusion import FusionRun

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
OPERATOR = Caller(caller_id="test:operator", name="operator")


def captures(rows: Iterable[dict[str, Any]], *, source: str = "import",
             at: datetime = NOW) -> list[CapturedProfile]:
    """Captures of ``rows`` (each needs an ``id``)."""
    return [from_mapping(row, source=source, captured_at=at) for row in rows]


def capture_and_fuse(providers: Providers, rows: Iterable[dict[str, Any]], *,
                     source: str = "import", mode: str = "full",
                     at: datetime = NOW) -> FusionRun:
    """Capture ``rows`` and run fusion in ``mode`` at ``at``."""
    capture_profiles(providers.repositories, captures(rows, source=source, at=at))
    return run_fusion(providers.repositories, providers.settings.people, now=at,
                      mode=mode)  # type: ignore[arg-type]


PEOPLE: list[dict[str, Any]] = [
    {"id": "ann-1", "first_name": "Ann", "last_name": "Lee", "email": "ann.lee@gmail.com",
     "phone": "+44 20 7946 0001", "city": "London", "date_of_birth": "1990-02-01"},
    {"id": "ann-2", "first_name": "Annie", "last_name": "Lee", "email": "AnnLee+shop@gmail.com",
     "city": "London", "network": "x", "handle": "@annlee"},
    {"id": "bob-1", "first_name": "Robert", "last_name": "Stone", "email": "bob.stone@example.org",
     "phone": "+44 20 7946 0777", "city": "Leeds", "date_of_birth": "1981-07-15"},
    {"id": "cara-1", "first_name": "Cara", "last_name": "Nguyen", "email": "cara.n@example.net",
     "city": "Bristol", "date_of_birth": "1975-11-30"},
    {"id": "dev-1", "first_name": "Dev", "last_name": "Patel", "email": "dev.patel@example.com",
     "phone": "+44 161 496 0000", "city": "Manchester"},
]


def b2b_world(now: datetime = NOW) -> dict[str, Any]:
    """Two companies; staff with a sales team; intermediaries; ties with known shape.

    ``emp-s1`` (sales) reaches the CFO of Acme through ``x-bridge`` (strong) or through
    ``x-weak``; ``emp-o1`` (not sales) knows the CFO directly but weakly.
    """
    recent = (now - timedelta(days=20)).isoformat()
    old = (now - timedelta(days=1500)).isoformat()
    return {
        "companies": [
            {"company_id": "acme", "name": "Acme Tools", "industry": "manufacturing",
             "employees": 900, "region": "UK"},
            {"company_id": "globex", "name": "Globex Foods", "industry": "food",
             "employees": 120, "region": "France"},
        ],
        "employees": [
            {"company_id": "acme", "id": "acme-cfo", "network": "linkedin",
             "handle": "carla-finch", "first_name": "Carla", "last_name": "Finch",
             "email": "carla.finch@acme.example", "title": "Chief Financial Officer",
             "updated_at": recent},
            {"company_id": "acme", "id": "acme-buyer", "network": "linkedin",
             "handle": "ben-oakes", "first_name": "Ben", "last_name": "Oakes",
             "email": "ben.oakes@acme.example", "title": "Senior Buyer", "updated_at": recent},
            {"company_id": "acme", "id": "acme-asst", "network": "linkedin",
             "handle": "ivy-moss", "first_name": "Ivy", "last_name": "Moss",
             "email": "ivy.moss@acme.example", "title": "Purchasing Assistant",
             "updated_at": old},
            {"company_id": "globex", "id": "globex-md", "network": "linkedin",
             "handle": "gus-hale", "first_name": "Gus", "last_name": "Hale",
             "email": "gus.hale@globex.example", "title": "Managing Director",
             "updated_at": recent},
        ],
        "staff": [
            {"person_id": "emp-s1", "display_name": "Sam Seller", "is_sales": True},
            {"person_id": "emp-s2", "display_name": "Sue Seller", "is_sales": True},
            {"person_id": "emp-o1", "display_name": "Oli Other"},
        ],
        "people": [
            {"person_id": "x-bridge", "display_name": "Bea Bridge"},
            {"person_id": "x-weak", "display_name": "Wes Weak"},
        ],
        "ties": [
            {"a": "emp-s1", "b": "x-bridge", "strength": 0.9},
            {"a": "x-bridge", "b": "acme-cfo", "strength": 0.9},
            {"a": "emp-s1", "b": "x-weak", "strength": 0.4},
            {"a": "x-weak", "b": "acme-cfo", "strength": 0.4},
            {"a": "x-weak", "b": "acme-buyer", "strength": 0.6},
            {"a": "emp-s2", "b": "x-bridge", "strength": 0.5},
            {"a": "emp-o1", "b": "acme-cfo", "strength": 0.15},
            {"a": "emp-s2", "b": "globex-md", "strength": 0.7},
            {"a": "emp-s1", "b": "emp-s2", "strength": 0.8},
            {"a": "x-bridge", "b": "acme-asst", "strength": 0.5},
        ],
    }
