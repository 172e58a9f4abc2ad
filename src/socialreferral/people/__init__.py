"""People: profile fusion (record linkage) and warm introductions (seeds 001 and 004).

Fusion links profile records from many sources into people with golden records, per-field
provenance, explained links and a review band (:func:`fuse`, :func:`resolve`). Splink is
imported only when linkage actually runs, so importing this package stays cheap.
"""

from __future__ import annotations

from socialreferral.people.fusion import FusionResult, PersonCluster, fuse, resolve
from socialreferral.people.records import ProfileRecord
from socialreferral.people.settings import LinkageSettings

__all__ = [
    "FusionResult",
    "LinkageSettings",
    "PersonCluster",
    "ProfileRecord",
    "fuse",
    "resolve",
]
