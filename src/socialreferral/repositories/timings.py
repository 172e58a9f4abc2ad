"""Duration samples of the pipeline's steps (the shape of the paper's Table 2).

Collection ``timings``: one sample per (step, record), so a retried step overwrites its
sample instead of adding one. Samples are bookkeeping: written in batches, never on the
critical path of an effect.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from socialreferral.records import WriteItem
from socialreferral.repositories._base import Repository, safe_key
from socialreferral.repositories.erasure import Erasure

TIMINGS = "timings"


@dataclass(frozen=True, slots=True)
class TimingSample:
    """How long ``step`` took for the record ``record_id``."""

    step: str
    record_id: str
    seconds: float


class TimingRepository(Repository):
    """Step duration samples."""

    collections = (TIMINGS,)

    def add(self, samples: Iterable[TimingSample]) -> None:
        """Store samples (one batch write when the store can)."""
        at = time.time()
        self._put_many(TIMINGS, [
            WriteItem(safe_key(s.step, s.record_id),
                      {"step": s.step, "record_id": s.record_id, "seconds": s.seconds, "at": at})
            for s in samples])

    def by_step(self) -> dict[str, list[float]]:
        """Every sample's seconds, by step."""
        samples: dict[str, list[float]] = defaultdict(list)
        for value in self._values(TIMINGS):
            samples[str(value["step"])].append(float(value["seconds"]))
        return dict(samples)

    def erase(self, erasure: Erasure) -> None:
        """Samples of the records erased before (their ids can name the person's post)."""
        self._delete_where_in(TIMINGS, "record_id", erasure.deleted_records, "timings",
                              erasure)


__all__ = ["TimingRepository", "TimingSample"]
