"""What agents and operators teach the care ranker: proposals, corrections, runs, profile.

Collections:

* ``care_proposals`` — a :class:`~socialreferral.care.records.ProposalRecord` per
  (function, term) the periodic categorizer proposed, with the agent's decision. Approved
  terms join the dictionaries; rejected ones are never proposed again.
* ``care_corrections`` — an agent's correction of an item's function and/or intent
  (a :class:`~socialreferral.care.clustering.Correction` with the corrected post's text,
  the author as bookkeeping so erasure finds it), keyed by item id: the next categorizer
  run's labelled examples.
* ``care_runs`` — a :class:`~socialreferral.care.records.RunRecord` per period: created
  create-only when a run starts, so two schedulers firing in one period run it once.
* ``care_state`` — the active weight profile (switched at run time).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from socialreferral.care.records import ProposalRecord, ProposalStatus, RunRecord
from socialreferral.errors import NotFound
from socialreferral.records import Filter
from socialreferral.repositories._base import Repository, dump, load, safe_key
from socialreferral.repositories.erasure import Erasure

if TYPE_CHECKING:  # the clustering module loads numpy; read lazily
    from socialreferral.care.clustering import AgentFeedback, Correction

CARE_PROPOSALS = "care_proposals"
CARE_CORRECTIONS = "care_corrections"
CARE_RUNS = "care_runs"
CARE_STATE = "care_state"
_PROFILE_KEY = "profile"


class ProposalNotFound(NotFound, KeyError):
    """No proposal has this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "proposal not found"


class CareTuningRepository(Repository):
    """Dictionary proposals and decisions, corrections, categorizer runs, the profile."""

    collections = (CARE_PROPOSALS, CARE_CORRECTIONS, CARE_RUNS, CARE_STATE)

    # -- proposals -------------------------------------------------------------------
    def propose(self, proposals: list[ProposalRecord]) -> int:
        """Store new proposals (a pair proposed before keeps its record and decision);
        return how many were new."""
        return sum(self._create(CARE_PROPOSALS, safe_key(p.proposal_id), p) for p in proposals)

    def proposal(self, proposal_id: str) -> ProposalRecord | None:
        """One proposal, or None."""
        return self._get(CARE_PROPOSALS, safe_key(proposal_id), ProposalRecord)

    def proposals(self, status: ProposalStatus | None = None) -> list[ProposalRecord]:
        """Proposals (of one status), best score first."""
        where = None if status is None else [Filter("status", "eq", status)]
        found = self._models(CARE_PROPOSALS, ProposalRecord, where)
        return sorted(found, key=lambda p: (-p.score, p.function, p.term))

    def decide(self, proposal_id: str, status: ProposalStatus, *, by: str | None,
               at: datetime) -> ProposalRecord:
        """Record an agent's decision (idempotent; a later decision replaces it)."""
        key = safe_key(proposal_id)
        result: dict[str, ProposalRecord] = {}

        def change(current: dict[str, Any] | None) -> dict[str, Any]:
            if current is None:
                raise ProposalNotFound(f"no proposal {proposal_id!r}")
            record = load(ProposalRecord, current)
            if record.status != status:
                record = record.model_copy(update={"status": status, "decided_at": at,
                                                   "decided_by": by})
            result["record"] = record
            return dump(record)

        self._store.update(CARE_PROPOSALS, key, change)
        return result["record"]

    def approved_terms(self) -> dict[str, tuple[str, ...]]:
        """Approved terms per function, in a stable order."""
        terms: dict[str, list[str]] = {}
        for p in self._models(CARE_PROPOSALS, ProposalRecord, {"status": "approved"}):
            terms.setdefault(p.function, []).append(p.term)
        return {f: tuple(sorted(t)) for f, t in sorted(terms.items())}

    def dictionary_version(self) -> str:
        """A fingerprint of the approved terms (the ranker is rebuilt when it changes)."""
        text = repr(sorted(self.approved_terms().items()))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    # -- corrections -----------------------------------------------------------------
    def correct(self, ticket_id: str, correction: Correction, *, author_id: str,
                by: str | None, at: datetime) -> None:
        """Store (or replace) the correction of one item."""
        self._put(CARE_CORRECTIONS, safe_key(ticket_id), correction, ticket_id=ticket_id,
                  author_id=author_id, by=by, at=at.isoformat())

    def feedback(self) -> AgentFeedback:
        """Everything agents decided, as the categorizer job's input."""
        from socialreferral.care.clustering import AgentFeedback, Correction

        approved: dict[str, list[str]] = {}
        rejected: dict[str, list[str]] = {}
        for p in self._models(CARE_PROPOSALS, ProposalRecord):
            bucket = approved if p.status == "approved" else rejected if \
                p.status == "rejected" else None
            if bucket is not None:
                bucket.setdefault(p.function, []).append(p.term)
        corrections = tuple(load(Correction, d.value) for d in
                            self._store.iter_query(CARE_CORRECTIONS, page_size=500))
        return AgentFeedback(
            approved_terms={f: tuple(sorted(t)) for f, t in approved.items()},
            rejected_terms={f: tuple(sorted(t)) for f, t in rejected.items()},
            corrections=corrections)

    # -- runs ------------------------------------------------------------------------
    def start_run(self, record: RunRecord) -> bool:
        """Claim the run's period; False if another run holds it already."""
        return self._create(CARE_RUNS, safe_key(record.run_id), record)

    def finish_run(self, record: RunRecord) -> None:
        """Store the finished run's summary."""
        self._put(CARE_RUNS, safe_key(record.run_id), record)

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The latest runs, newest first."""
        found = sorted(self._models(CARE_RUNS, RunRecord), key=lambda r: r.started_at,
                       reverse=True)
        return found[:limit]

    # -- the active profile ----------------------------------------------------------
    def active_profile(self) -> str | None:
        """The profile an operator switched to, or None (the settings' choice)."""
        document = self._store.find(CARE_STATE, _PROFILE_KEY)
        name = None if document is None else document.value.get("name")
        return name if isinstance(name, str) else None

    def set_profile(self, name: str, *, by: str | None, at: datetime) -> None:
        """Switch the active weight profile."""
        self._store.put(CARE_STATE, _PROFILE_KEY, {"name": name, "by": by,
                                                   "at": at.isoformat()})

    # -- erasure ---------------------------------------------------------------------
    def erase(self, erasure: Erasure) -> None:
        """Corrections of the person's posts (they quote the post) are deleted; proposals
        and runs hold dictionary terms and cluster summaries only."""
        self._delete_where_in(CARE_CORRECTIONS, "_author_id", erasure.subject.person_ids,
                              "care_corrections", erasure)
        tomb = erasure.tombstone
        for document in list(self._store.iter_query(CARE_CORRECTIONS, page_size=1000)):
            if tomb.scrub(document.value) != document.value:  # quotes the person
                self._change(CARE_CORRECTIONS, document.key, tomb.scrub)
                erasure.count("care_corrections_scrubbed")


__all__ = ["CARE_CORRECTIONS", "CARE_PROPOSALS", "CARE_RUNS", "CARE_STATE",
           "CareTuningRepository", "ProposalNotFound"]
