"""The People flow's use cases (seeds 001 and 004), over repositories and ports.

* :mod:`.capture` — social logins, CRM contacts and imports become captured profiles;
* :mod:`.fusion` — the fusion job (full, incremental, auto) and operators' decisions;
* :mod:`.queries` — search and read people, the review band; every read audited;
* :mod:`.access` — API keys of service callers and authentication;
* :mod:`.enrichment` — golden values pushed to the CRM's contacts (idempotent);
* :mod:`.b2b` — the B2B sales process: companies in, one CRM task per performer out.

The pure logic (linkage, golden records, ranking, paths) is :mod:`socialreferral.people`;
these functions load, call it and store.

Names are imported on first access (as in :mod:`socialreferral.text`): a queue worker
imports the few use cases it runs, not every flow's (issue 14's cold start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialreferral._lazy import lazy_names

if TYPE_CHECKING:
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

_HOME = {
    "authenticate": ".access",
    "create_api_key": ".access",
    "revoke_api_key": ".access",
    "B2BRun": ".b2b",
    "run_b2b": ".b2b",
    "capture_login_profile": ".capture",
    "capture_profiles": ".capture",
    "import_crm_contacts": ".capture",
    "EnrichmentRun": ".enrichment",
    "enrich_crm": ".enrichment",
    "FusionRun": ".fusion",
    "decide": ".fusion",
    "run_fusion": ".fusion",
    "PersonDetail": ".queries",
    "PersonSummary": ".queries",
    "ReviewEntry": ".queries",
    "SourceView": ".queries",
    "decide_pair": ".queries",
    "find_people": ".queries",
    "read_person": ".queries",
    "review_band": ".queries",
}


__getattr__, __dir__ = lazy_names(__name__, _HOME)


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
