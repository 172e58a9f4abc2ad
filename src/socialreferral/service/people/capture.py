"""Profile capture (seed 001): every social login, CRM contact and import becomes a
captured profile that waits for fusion.

* :func:`capture_login_profile` — called by the authorization workflow right after the
  channel returned the profile the person consented to share (seed 001's "login success
  callback"), with the consent's scopes and the customer it belongs to;
* :func:`import_crm_contacts` — the CRM's contacts changed since the last import (a
  watermark, strictly after), when the CRM declares ``contacts``;
* :func:`capture_profiles` — anything else: an import file, a B2B directory.

A capture whose content did not change is not written again, so repeating any of these
is harmless and creates no fusion work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from socialreferral.domain.social import Profile
from socialreferral.people.profiles import CapturedProfile, from_crm_contact, from_social_profile
from socialreferral.ports import CRM
from socialreferral.records import Capability
from socialreferral.repositories import Repositories

CRM_WATERMARK = "crm-contacts"


def capture_profiles(repositories: Repositories, profiles: Iterable[CapturedProfile]) -> int:
    """Store captures; return how many were new or changed."""
    return repositories.profiles.capture_many(profiles)


def capture_login_profile(repositories: Repositories, profile: Profile, *, customer_id: str,
                          scopes: Sequence[str], now: datetime) -> bool:
    """Capture the profile a network returned at a social login or connection; True if
    it was new or changed."""
    captured = from_social_profile(profile, captured_at=now, scopes=tuple(scopes),
                                   customer_id=customer_id)
    return repositories.profiles.capture(captured)


def import_crm_contacts(repositories: Repositories, crm: CRM) -> int:
    """Capture the CRM contacts updated since the last import; return how many were new
    or changed (0 when the CRM keeps no contacts)."""
    if not crm.supports(Capability.CONTACTS):
        return 0
    since = repositories.people.watermark(CRM_WATERMARK)
    contacts = crm.list_contacts(updated_since=since)
    if not contacts:
        return 0
    changed = repositories.profiles.capture_many(from_crm_contact(c) for c in contacts)
    # Listed oldest update first: the last one is the new watermark.
    repositories.people.set_watermark(CRM_WATERMARK, contacts[-1].updated_at)
    return changed


__all__ = ["CRM_WATERMARK", "capture_login_profile", "capture_profiles", "import_crm_contacts"]
