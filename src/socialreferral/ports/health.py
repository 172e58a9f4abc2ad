"""Are the providers reachable? One cheap read per port (the console's admin page).

Each probe makes one call that touches the backend but changes nothing: the queue's
depth, a read of a key that does not exist in the store, the SecretStore and the batch
service, the CRM's product list, and a profile lookup on the social channel. An answer —
including "not found" or "not supported" — means the backend is reachable; any other
error means it is not, and is reported by type only (its message may name an endpoint or
a credential). The port bases retry transient errors first, so a probe of a backend that
is down takes as long as the retry policy allows.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from socialreferral.errors import NotFound, SocialReferralError, Unsupported
from socialreferral.ports import (
    CRM,
    Adapter,
    BatchCompute,
    DocumentStore,
    Queue,
    SecretStore,
    SocialChannel,
)

_PROBE_KEY = "__health_probe__"


@dataclass(frozen=True)
class PortHealth:
    """One port's adapter, its capabilities and the probe's outcome."""

    port: str
    adapter: str
    capabilities: tuple[str, ...]
    healthy: bool
    detail: str
    seconds: float


def _probe(adapter: Adapter) -> None:
    if isinstance(adapter, Queue):
        adapter.depth()
    elif isinstance(adapter, DocumentStore):
        adapter.find("operators", _PROBE_KEY)
    elif isinstance(adapter, SecretStore):
        adapter.get("health-probe")
    elif isinstance(adapter, BatchCompute):
        adapter.status("health-probe")
    elif isinstance(adapter, CRM):
        adapter.list_products(active_only=True)
    elif isinstance(adapter, SocialChannel):
        adapter.get_profile(_PROBE_KEY)


def probe_ports(adapters: Mapping[str, Adapter]) -> list[PortHealth]:
    """Probe every port's adapter (module docstring), in the order given."""
    report = []
    for port, adapter in adapters.items():
        started = time.perf_counter()
        try:
            _probe(adapter)
        except (NotFound, Unsupported):
            healthy, detail = True, "reachable"
        except SocialReferralError as exc:
            healthy, detail = False, f"unavailable ({type(exc).__name__})"
        except Exception as exc:  # an adapter bug must not take the admin page down
            healthy, detail = False, f"probe failed ({type(exc).__name__})"
        else:
            healthy, detail = True, "reachable"
        report.append(PortHealth(
            port=port, adapter=adapter.adapter_name,
            capabilities=tuple(sorted(str(c) for c in adapter.capabilities)),
            healthy=healthy, detail=detail, seconds=time.perf_counter() - started))
    return report


__all__ = ["PortHealth", "probe_ports"]
