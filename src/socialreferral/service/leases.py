"""Keeping received messages hidden while a batch is processed, and acking them safely.

A worker holds a batch for as long as processing takes; if that outlasts the queue's
visibility timeout, the queue hands the same messages to another worker and the first
worker's receipts go stale. :class:`Lease` prevents that on queues that declare
``visibility_extend``: a background thread extends every held message at a third of the
timeout. Azure issues a new receipt on every extension, so the lease always acks with the
newest one.

Acks are at-least-once bookkeeping, not effects: every effect of a message is idempotent,
so an ack that fails because the receipt went stale (another worker took the message, or
an ack that succeeded was retried after a transient error) is logged and counted, never
allowed to fail the job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from types import TracebackType

from socialreferral.errors import ReceiptInvalid, SocialReferralError
from socialreferral.ports import Queue
from socialreferral.records import Capability, ReceivedMessage

log = logging.getLogger(__name__)


class Lease:
    """Holds ``messages`` received from ``queue`` until they are acked or released.

    Use as a context manager around processing; :meth:`ack` acks a subset by message id.
    """

    def __init__(self, queue: Queue, messages: Sequence[ReceivedMessage]) -> None:
        self._queue = queue
        self._held = {m.message_id: m for m in messages}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stale_acks = 0
        self.extensions = 0
        timeout = queue.visibility_timeout
        self._period = max(1.0, timeout / 3) if timeout else 0.0

    def __enter__(self) -> Lease:
        if self._held and self._period and self._queue.supports(Capability.VISIBILITY_EXTEND):
            self._thread = threading.Thread(target=self._keep, name="lease", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _keep(self) -> None:
        seconds = max(1, int(self._queue.visibility_timeout))
        while not self._stop.wait(self._period):
            with self._lock:
                for message_id, message in list(self._held.items()):
                    try:
                        self._held[message_id] = self._queue.extend_visibility(message, seconds)
                        self.extensions += 1
                    except ReceiptInvalid:
                        # Someone else holds it now; their ack will count.
                        log.warning("lost the lease of message %s", message_id)
                        del self._held[message_id]
                    except SocialReferralError as exc:  # try again at the next tick
                        log.warning("could not extend message %s: %s", message_id, exc)

    def ack(self, message_ids: Sequence[str]) -> None:
        """Ack the held messages among ``message_ids`` (stale receipts counted, not raised)."""
        with self._lock:
            chosen = [self._held.pop(i) for i in message_ids if i in self._held]
        if not chosen:
            return
        try:
            self._queue.ack(*chosen)
        except ReceiptInvalid:
            # Which of them went stale is unknown: ack one by one to ack all the others.
            for message in chosen:
                try:
                    self._queue.ack(message)
                except ReceiptInvalid:
                    self.stale_acks += 1
                    log.warning("ack of message %s refused: receipt stale (its effects are "
                                "idempotent; a redelivery will find them done)",
                                message.message_id)

    def release(self, message_ids: Sequence[str]) -> None:
        """Make the held messages among ``message_ids`` visible again now (they will be
        redelivered, and dead-lettered once received ``max_receives`` times)."""
        with self._lock:
            chosen = [self._held.pop(i) for i in message_ids if i in self._held]
        for message in chosen:
            try:
                self._queue.release(message)
            except ReceiptInvalid:
                log.warning("release of message %s refused: receipt stale", message.message_id)


__all__ = ["Lease"]
