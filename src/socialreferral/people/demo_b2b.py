"""A synthetic B2B world for the demo and tests: companies, their employees' profiles
(some on two networks), the CRM's contacts among them, our staff and the ties between
everyone. Derived from one ``seed``; no real person or company is in it.

:func:`demo_world` returns the replay directory document
(:class:`socialreferral.providers.local.directory.ReplayDirectory`'s format) and the CRM
contacts to seed, so the demo shows fusion at work (a register profile, a second network's
profile and a CRM contact of one person become one person) before ranking and paths.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from socialreferral.domain.crm import CrmContact
from socialreferral.people.synthetic import _FIRST, _LAST

COMPANIES: tuple[tuple[str, str, str, int, str], ...] = (
    ("c-alpine", "Alpine Logistics AG", "logistics", 850, "DACH"),
    ("c-brightwave", "Brightwave Energy Ltd", "energy", 2300, "UK"),
    ("c-cobalt", "Cobalt Robotics GmbH", "manufacturing", 420, "DACH"),
    ("c-delta", "Delta Foods SA", "food", 1200, "France"),
    ("c-evergreen", "Evergreen Retail plc", "retail", 5400, "UK"),
    ("c-fjord", "Fjord Shipping AS", "logistics", 300, "Nordics"),
)
TITLES: tuple[str, ...] = (
    "Chief Financial Officer", "Head of Procurement", "Treasury Manager", "Senior Buyer",
    "Purchasing Assistant", "Software Engineer", "Marketing Manager", "Managing Director",
    "Finance Director", "Operations Lead", "HR Business Partner", "Strategic Sourcing Lead",
)
STAFF_TITLES: tuple[str, ...] = (
    "Corporate Banking Sales", "Relationship Manager", "Sales Director", "Account Executive",
    "Credit Analyst", "Risk Officer", "IT Architect", "Product Owner", "Compliance Officer",
    "Operations Analyst", "Treasury Specialist", "Legal Counsel",
)


@dataclass
class DemoWorld:
    """The directory document, the CRM contacts, and who asks."""

    directory: dict[str, Any]
    crm_contacts: list[CrmContact]
    requested_by: str
    companies: list[str] = field(default_factory=list)


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_FIRST).title(), rng.choice(_LAST).title()


def demo_world(seed: int = 11, *, now: datetime, employees_per_company: int = 8,
               staff: int = 12, intermediaries: int = 25) -> DemoWorld:
    """The synthetic world (module docstring); ``now`` dates the profiles."""
    rng = random.Random(seed)
    doc: dict[str, Any] = {"companies": [], "employees": [], "staff": [], "people": [],
                           "ties": []}
    contacts: list[CrmContact] = []
    staff_ids = [f"emp-{i:02d}" for i in range(1, staff + 1)]
    for i, sid in enumerate(staff_ids):
        first, last = _name(rng)
        doc["staff"].append({"person_id": sid, "display_name": f"{first} {last}",
                             "is_sales": i < 4, "title": STAFF_TITLES[i % len(STAFF_TITLES)]})
    third = [f"x-{i:02d}" for i in range(1, intermediaries + 1)]
    for pid in third:
        first, last = _name(rng)
        doc["people"].append({"person_id": pid, "display_name": f"{first} {last}"})
    employee_ids: list[str] = []
    for cid, name, industry, size, region in COMPANIES:
        doc["companies"].append({"company_id": cid, "name": name, "industry": industry,
                                 "employees": size, "region": region})
        domain = cid.removeprefix("c-") + ".example"
        titles = rng.sample(TITLES, employees_per_company)
        for n, title in enumerate(titles):
            first, last = _name(rng)
            ident = f"li-{cid}-{n}"
            email = f"{first}.{last}@{domain}".lower()
            updated = now - timedelta(days=rng.randint(3, 900))
            doc["employees"].append({
                "company_id": cid, "id": ident, "network": "linkedin",
                "handle": f"{first}-{last}-{n}".lower(), "first_name": first,
                "last_name": last, "email": email, "city": region, "title": title,
                "updated_at": updated.isoformat()})
            employee_ids.append(ident)
            if rng.random() < 0.3:  # the same person on a second network, less complete
                doc["employees"].append({
                    "company_id": cid, "id": f"xing-{cid}-{n}", "network": "xing",
                    "handle": f"{first}{last}".lower(), "first_name": first[0] + ".",
                    "last_name": last, "email": email, "title": title,
                    "updated_at": (updated - timedelta(days=200)).isoformat()})
            if n < 2:  # the CRM knows two people per company, with its own spelling
                contacts.append(CrmContact(
                    contact_id=f"crm-{cid}-{n}", first_name=first, last_name=last,
                    email=email.upper(), phone=f"+44 20 7{rng.randint(100, 999)} "
                    f"{rng.randint(1000, 9999)}", company=name, title=title,
                    account_id=f"acct-{cid}", updated_at=now - timedelta(days=30)))
    ties = doc["ties"]
    for i, a in enumerate(staff_ids):  # colleagues know each other well
        for b in rng.sample(staff_ids[i + 1:], min(3, len(staff_ids) - i - 1)):
            ties.append({"a": a, "b": b, "strength": round(rng.uniform(0.55, 0.95), 3)})
        for x in rng.sample(third, rng.randint(3, 6)):
            ties.append({"a": a, "b": x, "strength": round(rng.uniform(0.2, 0.9), 3)})
    for x in third:
        for e in rng.sample(employee_ids, rng.randint(2, 5)):
            # sometimes the tie is known through the person's second network profile
            target = e.replace("li-", "xing-", 1) if rng.random() < 0.15 else e
            ties.append({"a": x, "b": target, "strength": round(rng.uniform(0.2, 0.85), 3)})
    for e in rng.sample(employee_ids, len(employee_ids) // 4):  # direct acquaintances
        ties.append({"a": rng.choice(staff_ids), "b": e,
                     "strength": round(rng.uniform(0.3, 0.7), 3)})
    known = {e["id"] for e in doc["employees"]}
    doc["ties"] = [t for t in ties if t["b"] in known or not t["b"].startswith("xing-")]
    return DemoWorld(directory=doc, crm_contacts=contacts, requested_by=staff_ids[0],
                     companies=[c[1] for c in COMPANIES[:3]])


__all__ = ["COMPANIES", "DemoWorld", "demo_world"]
