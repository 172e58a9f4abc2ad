"""Settings of the People flow: linkage (backend, thresholds, training), the fusion job's
schedule, CRM enrichment, audit retention and the B2B defaults.

Defaults work on a fresh install with no training labels: ``u`` probabilities come from
random record pairs of the data itself, ``m`` probabilities start from documented priors
and are refined by expectation maximisation only when the data set is large enough for
EM to be stable (``em_min_records``). These settings are plain data; the composition root
reads them from the settings file (``[people]`` and ``[people.linkage]``) and, for
``backend = "spark"``, builds the Spark session it passes in.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from socialreferral.domain._base import DomainModel
from socialreferral.people.records import PERSON_FIELDS


class LinkageSettings(DomainModel):
    """How records are compared, linked and put up for review."""

    backend: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="duckdb: in-process (default). spark: a SparkSession the caller passes in.",
    )
    link_threshold: float = Field(
        default=0.5,
        gt=0.0,
        lt=1.0,
        description=(
            "match probability at or above which two records are linked; 0.5 is the "
            "decision that minimises expected pairwise errors when the model is calibrated"
        ),
    )
    review_lower: float = Field(
        default=0.2,
        gt=0.0,
        lt=1.0,
        description="lower edge of the review band (pairs below it are not kept at all)",
    )
    review_upper: float = Field(
        default=0.95,
        gt=0.0,
        le=1.0,
        description="upper edge of the review band: linked pairs below it may be split",
    )
    max_records: int = Field(default=1_000_000, ge=1, le=100_000_000)
    seed: int = Field(default=0, ge=0, description="random sampling seed (u estimation, EM)")
    u_max_pairs: float = Field(default=1e6, ge=1e3, le=1e9)
    training: Literal["auto", "priors", "em"] = Field(
        default="auto",
        description=(
            "priors: documented m priors only; em: refine m by expectation maximisation; "
            "auto: em when there are at least em_min_records records"
        ),
    )
    em_min_records: int = Field(default=5_000, ge=100)
    prior_match_recall: float = Field(
        default=0.7,
        gt=0.0,
        le=1.0,
        description="assumed recall of the exact rules used to estimate the match prior",
    )
    prior_iterations: int = Field(
        default=30, ge=0, le=200, description="EM steps re-estimating the match prior"
    )
    term_frequency: bool = Field(
        default=True, description="common names count less than rare ones when equal"
    )
    tf_min_records: int = Field(
        default=1_000, ge=0, description="term frequencies are too noisy on fewer records"
    )
    u_pseudo_pairs: float = Field(
        default=2_000.0, ge=0.0, description="weight of the u priors, in random pairs"
    )
    day_first: bool = Field(default=True, description="read 01/02/1990 as 1 February")
    phone_digits: int = Field(default=9, ge=6, le=15)
    max_cluster_size: int = Field(
        default=50,
        ge=2,
        description="links that would grow a cluster past this size are sent to review",
    )

    @model_validator(mode="after")
    def _band_around_threshold(self) -> LinkageSettings:
        if not self.review_lower <= self.link_threshold <= self.review_upper:
            raise ValueError("need review_lower <= link_threshold <= review_upper")
        return self


class B2BSettings(DomainModel):
    """``[people.b2b]``: defaults of the B2B sales process (seed 004)."""

    top: int = Field(default=10, ge=1, le=1000, description="contacts that get performers")
    k: int = Field(default=5, ge=1, le=100, description="introduction paths per contact")
    directory_file: str | None = Field(
        default=None, max_length=1000,
        description="JSON file of the replay company register (tests, demo, recorded data)",
    )
    source: str = Field(default="register", pattern=r"^[a-z][a-z0-9_-]{0,31}$",
                        description="source name of the employee profiles retrieved")


class PeopleSettings(DomainModel):
    """``[people]``: the People flow (fusion job, REST queries, enrichment, B2B)."""

    linkage: LinkageSettings = LinkageSettings()
    source_priority: tuple[str, ...] = Field(
        default=("crm",), description="golden-record ties go to the sources listed first"
    )
    full_every_hours: float = Field(
        default=24.0, gt=0, le=24 * 365,
        description="people.fuse in mode auto re-trains and re-fuses everything when the "
                    "last full run is older than this; otherwise it links new profiles",
    )
    retrain: bool = Field(
        default=True, description="a full run trains a new model (else reuses the stored one)"
    )
    import_crm_contacts: bool = Field(
        default=True, description="each run first captures CRM contacts changed since the last"
    )
    enrich_crm: bool = Field(
        default=True, description="each run pushes golden values to the CRM contacts"
    )
    enrich_fields: tuple[str, ...] = Field(
        default=("first_name", "last_name", "date_of_birth", "email", "phone", "city",
                 "postcode", "network", "handle"),
        description="golden fields written to a CRM contact's enrichment",
    )
    audit_retention_days: float = Field(
        default=400.0, ge=0, le=3650,
        description="audit entries expire after this (0: kept until erased or deleted)",
    )
    spark_master: str = Field(default="local[*]", max_length=200,
                              description="Spark master when linkage.backend is spark")
    spark_checkpoint_dir: str | None = Field(default=None, max_length=1000)
    b2b: B2BSettings = B2BSettings()

    @model_validator(mode="after")
    def _known_fields(self) -> PeopleSettings:
        unknown = sorted(set(self.enrich_fields) - set(PERSON_FIELDS))
        if unknown:
            raise ValueError(f"enrich_fields: unknown fields {', '.join(unknown)}")
        return self


__all__ = ["B2BSettings", "LinkageSettings", "PeopleSettings"]
