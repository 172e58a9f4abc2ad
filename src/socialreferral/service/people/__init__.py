"""The People flow's use cases (seeds 001 and 004), over repositories and ports.

* :mod:`.capture` — social logins, CRM contacts and imports become captured profiles;
* :mod:`.fusion` — the fusion job (full, incremental, auto) and operators' decisions;
* :mod:`.queries` — search and read people, the review band; every read audited;
* :mod:`.access` — API keys of service callers and authentication;
* :mod:`.enrichment` — golden values pushed to the CRM's contacts (idempotent);
* :mod:`.b2b` — the B2B sales process: companies in, one CRM task per performer out.

The pure logic (linkage, golden records, ranking, paths) is :mod:`socialreferral.people`;
these functions load, call it and store.
"""

from socialreferral.service.people.access import authenticate, create_api_key, revoke_api_key
from socialreferral.service.people.b2b import B2BRun, run_b2b
from socialreferral.service.people.capture import (
    capture_login_profile,
    capture_profiles,
    import_crm_contacts,
)
from socialreferral.service.people.enrichment import EnrichmentRun, enrich_crm
from socialreferral.service.people.fusion import FusionRun, decide, run_fusion
from socialreferral.service.people.queries import (
    PersonDetail,
    PersonSummary,
    ReviewEntry,
    SourceView,
    decide_pair,
    find_people,
    read_person,
    review_band,
)

__all__ = [
    "B2BRun",
    "EnrichmentRun",
    "FusionRun",
    "PersonDetail",
    "PersonSummary",
    "ReviewEntry",
    "SourceView",
    "authenticate",
    "capture_login_profile",
    "capture_profiles",
    "create_api_key",
    "decide",
    "decide_pair",
    "enrich_crm",
    "find_people",
    "import_crm_contacts",
    "read_person",
    "review_band",
    "revoke_api_key",
    "run_b2b",
    "run_fusion",
]
