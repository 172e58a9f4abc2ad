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

Everything here is pure: no I/O beyond the linkage engine's own in-process database, no
environment, no global state. Persistence, REST and CRM calls build on these functions.
"""

from __future__ import annotations

from socialreferral.people.clustering import Conflict, ReviewItem
from socialreferral.people.conduit import TieChoice, strongest_tie
from socialreferral.people.decisions import ReviewDecision
from socialreferral.people.engine import LevelWeight, ScoredPair, TrainedModel
from socialreferral.people.erasure import erase_person, erase_records
from socialreferral.people.fusion import FusionResult, PersonCluster, fuse, resolve
from socialreferral.people.golden import FieldProvenance, GoldenRecord
from socialreferral.people.graph import PathWeights, Person, SocialGraph, Tie
from socialreferral.people.incremental import link_new
from socialreferral.people.paths import Blacklist, IntroPath, warm_paths
from socialreferral.people.performers import PerformerTask, designate_performers
from socialreferral.people.ranking import Contact, RankedContact, RankingWeights, rank_contacts
from socialreferral.people.records import PERSON_FIELDS, ProfileRecord
from socialreferral.people.settings import LinkageSettings
from socialreferral.people.titles import TitleAssessment, classify_title

__all__ = [
    "PERSON_FIELDS",
    "Blacklist",
    "Conflict",
    "Contact",
    "FieldProvenance",
    "FusionResult",
    "GoldenRecord",
    "IntroPath",
    "LevelWeight",
    "LinkageSettings",
    "PathWeights",
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
