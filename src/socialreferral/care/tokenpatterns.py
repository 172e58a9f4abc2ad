"""Word-sequence patterns over token lists (re-exported).

The rule language lives in :mod:`socialreferral.text.tokenpatterns`, shared with
``socialreferral.text``; this module keeps its former import path.
"""

from __future__ import annotations

from socialreferral.text.tokenpatterns import Match, TokenPatterns

__all__ = ["Match", "TokenPatterns"]
