"""Published promotions and the scheduled jobs' watermarks.

Collections: ``promotion_posts`` (``<promotion>:<customer>``: one publication per target,
with its score and explanation) and ``state`` (named watermarks, e.g. the promotion job's
"CRM promotions updated up to").
"""

from __future__ import annotations

from datetime import datetime

from socialreferral.domain.explain import Explanation
from socialreferral.repositories._base import Repository, safe_key
from socialreferral.repositories.erasure import Erasure

PROMOTION_POSTS = "promotion_posts"
STATE = "state"


class PromotionRepository(Repository):
    """Promotion publications and job watermarks."""

    collections = (PROMOTION_POSTS, STATE)

    def watermark(self, name: str) -> datetime | None:
        """The stored watermark ``name``, or None before the first run."""
        document = self._store.find(STATE, name)
        if document is None:
            return None
        # "updated_at": how the first release stored the promotion watermark.
        return datetime.fromisoformat(document.value.get("at") or document.value["updated_at"])

    def set_watermark(self, name: str, at: datetime) -> None:
        """Move watermark ``name`` to ``at``."""
        self._store.put(STATE, name, {"at": at.isoformat()})

    def published(self, promotion_id: str, customer_id: str) -> bool:
        """True if the promotion was already published to the customer."""
        return self._store.find(PROMOTION_POSTS, safe_key(promotion_id, customer_id)) is not None

    def record_publication(self, promotion_id: str, customer_id: str, *, score: float,
                           explanation: Explanation, at: datetime) -> None:
        """Remember that the promotion went to the customer (after sending it)."""
        self._store.put(PROMOTION_POSTS, safe_key(promotion_id, customer_id), {
            "promotion_id": promotion_id, "customer_id": customer_id, "score": score,
            "at": at.isoformat(), "explanation": explanation.model_dump(mode="json")})

    def erase(self, erasure: Erasure) -> None:
        """Publications addressed to the person."""
        self._delete_where_in(PROMOTION_POSTS, "customer_id", erasure.subject.customer_ids,
                              "promotion_posts", erasure)


def publication_key(promotion_id: str, customer_id: str) -> str:
    """The id a publication's message derives from (idempotent sends)."""
    return safe_key(promotion_id, customer_id)


__all__ = ["PromotionRepository", "publication_key"]
