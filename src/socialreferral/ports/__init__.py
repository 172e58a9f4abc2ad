"""The ports: one abstract base class per kind of infrastructure the domain needs.

Each port has a handful of abstract primitives (underscore methods) that an adapter
implements, and a public API that lives once, here: argument validation, batching to the
adapter's limits, retries of :class:`~socialreferral.errors.TransientError` with backoff,
capability checks and claim checks. Adapters therefore stay small and behave alike.

Ports take and return the value types in :mod:`socialreferral.records` and the domain
models; no SDK object crosses them.
"""

from __future__ import annotations

from socialreferral.ports._base import NO_RETRY, Adapter, RetryPolicy, encode_json
from socialreferral.ports.batch import BatchCompute
from socialreferral.ports.crm import CRM
from socialreferral.ports.queue import Queue
from socialreferral.ports.secrets import SecretStore
from socialreferral.ports.social import SocialChannel
from socialreferral.ports.store import DocumentStore, filters_from, matches

PORTS: dict[str, type[Adapter]] = {
    "queue": Queue,
    "store": DocumentStore,
    "secrets": SecretStore,
    "batch": BatchCompute,
    "crm": CRM,
    "social": SocialChannel,
}
"""Port names as used in settings files and by the plugin registry."""

__all__ = [
    "CRM",
    "NO_RETRY",
    "PORTS",
    "Adapter",
    "BatchCompute",
    "DocumentStore",
    "Queue",
    "RetryPolicy",
    "SecretStore",
    "SocialChannel",
    "encode_json",
    "filters_from",
    "matches",
]
