"""Remember which items of a batch already succeeded, across the base class's retries.

The port base classes retry a primitive such as ``_send_batch(chunk)`` by calling it again
with the very same ``chunk`` object. When AWS accepts part of a batch and refuses the rest
(SQS ``Failed`` entries, DynamoDB ``UnprocessedItems``), the adapter records what got
through here and raises ``TransientError``; the retry then sends only the rest. That keeps
one retry loop (the base's, with its backoff) and avoids duplicating accepted messages.
"""

from __future__ import annotations

import threading
from typing import Any


class ChunkProgress:
    """Per-thread record of finished items of the chunk being sent, keyed by position."""

    def __init__(self) -> None:
        self._local = threading.local()

    def start(self, chunk: object) -> dict[int, Any]:
        """Results recorded so far for ``chunk`` (empty on its first attempt)."""
        slot = getattr(self._local, "slot", None)
        # identity, not equality: a new call with an equal chunk is a new send, not a retry
        if slot is None or slot[0] is not chunk:
            slot = (chunk, {})
            self._local.slot = slot
        results: dict[int, Any] = slot[1]
        return results

    def finish(self) -> None:
        """Forget the chunk once it went through completely (or failed for good)."""
        self._local.slot = None


__all__ = ["ChunkProgress"]
