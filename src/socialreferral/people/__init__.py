"""People: profile fusion and warm introductions (seeds 001 and 004).

* **Fusion** links profile records from many sources into people, with a golden record
  and per-field provenance, explained links and a review band whose operator decisions
  stick across runs (:func:`fuse`, :func:`resolve`, :func:`link_new`, :func:`erase_records`).
  The linkage engine is Splink (DuckDB in-process, or a caller's Spark session); it is
  imported only when linkage runs, so importing this package stays cheap.
* **B2B**: a job-title classifier and contact ranking (:func:`classify_title`,
  :func:`rank_contacts`), the k best introduction paths from our employees with per-user
  blacklists (:func:`warm_paths`) and one task-to-be per performer
  (:func:`designate_performers`), on a :class:`SocialGraph` that also answers the
  referral flow's conduit lookup (:func:`strongest_tie`).

* **Capture and B2B input/output**: :class:`CapturedProfile` (what a person consented
  to share, per source), :class:`Company`/:class:`CompanyCriteria`/:class:`B2BRequest`
  and the CRM task of an introduction (:mod:`.b2b`).

Everything here is pure: no I/O beyond the linkage engine's own in-process database, no
environment, no global state. Persistence, REST and CRM calls build on these functions
(:mod:`socialreferral.service.people`).

Importing the package loads none of its modules: each public name is imported on first
use, so ``[people]`` settings (and ``import socialreferral``) stay light.
"""

from __future__ import annotations

import typing as _typing

from socialreferral._lazy import lazy_names

if _typing.TYPE_CHECKING:
    from socialreferral.people.b2b import B2BRequest, Company, CompanyCriteria
    from socialreferral.people.clustering import Conflict, ReviewItem
    from socialreferral.people.conduit import TieChoice, choose_conduit, strongest_tie
    from socialreferral.people.decisions import ReviewDecision
    from socialreferral.people.engine import LevelWeight, ScoredPair, TrainedModel
    from socialreferral.people.erasure import erase_person, erase_records
    from socialreferral.people.fusion import FusionResult, PersonCluster, fuse, resolve
    from socialreferral.people.golden import FieldProvenance, GoldenRecord
    from socialreferral.people.graph import PathWeights, Person, SocialGraph, Tie
    from socialreferral.people.incremental import link_new
    from socialreferral.people.paths import Blacklist, IntroPath, warm_paths
    from socialreferral.people.performers import PerformerTask, designate_performers
    from socialreferral.people.profiles import CapturedProfile
    from socialreferral.people.ranking import Contact, RankedContact, RankingWeights, rank_contacts
    from socialreferral.people.records import PERSON_FIELDS, ProfileRecord
    from socialreferral.people.settings import B2BSettings, LinkageSettings, PeopleSettings
    from socialreferral.people.titles import TitleAssessment, classify_title

_HOMES: dict[str, str] = {
    "B2BRequest": "socialreferral.people.b2b",
    "B2BSettings": "socialreferral.people.settings",
    "Blacklist": "socialreferral.people.paths",
    "CapturedProfile": "socialreferral.people.profiles",
    "Company": "socialreferral.people.b2b",
    "CompanyCriteria": "socialreferral.people.b2b",
    "Conflict": "socialreferral.people.clustering",
    "Contact": "socialreferral.people.ranking",
    "FieldProvenance": "socialreferral.people.golden",
    "FusionResult": "socialreferral.people.fusion",
    "GoldenRecord": "socialreferral.people.golden",
    "IntroPath": "socialreferral.people.paths",
    "LevelWeight": "socialreferral.people.engine",
    "LinkageSettings": "socialreferral.people.settings",
    "PERSON_FIELDS": "socialreferral.people.records",
    "PathWeights": "socialreferral.people.graph",
    "PeopleSettings": "socialreferral.people.settings",
    "PerformerTask": "socialreferral.people.performers",
    "Person": "socialreferral.people.graph",
    "PersonCluster": "socialreferral.people.fusion",
    "ProfileRecord": "socialreferral.people.records",
    "RankedContact": "socialreferral.people.ranking",
    "RankingWeights": "socialreferral.people.ranking",
    "ReviewDecision": "socialreferral.people.decisions",
    "ReviewItem": "socialreferral.people.clustering",
    "ScoredPair": "socialreferral.people.engine",
    "SocialGraph": "socialreferral.people.graph",
    "Tie": "socialreferral.people.graph",
    "TieChoice": "socialreferral.people.conduit",
    "TitleAssessment": "socialreferral.people.titles",
    "TrainedModel": "socialreferral.people.engine",
    "choose_conduit": "socialreferral.people.conduit",
    "classify_title": "socialreferral.people.titles",
    "designate_performers": "socialreferral.people.performers",
    "erase_person": "socialreferral.people.erasure",
    "erase_records": "socialreferral.people.erasure",
    "fuse": "socialreferral.people.fusion",
    "link_new": "socialreferral.people.incremental",
    "rank_contacts": "socialreferral.people.ranking",
    "resolve": "socialreferral.people.fusion",
    "strongest_tie": "socialreferral.people.conduit",
    "warm_paths": "socialreferral.people.paths",
}
"""Where each public name lives (imported on first use)."""


__getattr__, __dir__ = lazy_names(__name__, _HOMES)


__all__ = [
    "PERSON_FIELDS",
    "B2BRequest",
    "B2BSettings",
    "Blacklist",
    "CapturedProfile",
    "Company",
    "CompanyCriteria",
    "Conflict",
    "Contact",
    "FieldProvenance",
    "FusionResult",
    "GoldenRecord",
    "IntroPath",
    "LevelWeight",
    "LinkageSettings",
    "PathWeights",
    "PeopleSettings",
    "PerformerTask",
    "Person",
    "PersonCluster",
    "ProfileRecord",
    "RankedContact",
    "RankingWeights",
    "ReviewDecision",
    "ReviewItem",
    "ScoredPair",
    "SocialGraph",
    "Tie",
    "TieChoice",
    "TitleAssessment",
    "TrainedModel",
    "choose_conduit",
    "classify_title",
    "designate_performers",
    "erase_person",
    "erase_records",
    "fuse",
    "link_new",
    "rank_contacts",
    "resolve",
    "strongest_tie",
    "warm_paths",
]
