"""Shared by the Dynamics tests: the backend's name, settings for the fake, fast retries."""

from __future__ import annotations

from typing import Any

from socialreferral.ports import RetryPolicy
from socialreferral.providers.dynamics.settings import DynamicsSettings
from socialreferral.testing.vendor_fakes.dataverse import CLIENT_ID, CLIENT_SECRET, TENANT
from socialreferral.testing.vendor_fakes.server import LoopbackServer

BACKEND = "Dataverse Web API fake (TLS, 127.0.0.1) with azure-identity/MSAL client credentials"
FAST = RetryPolicy(attempts=4, initial_wait=0.001, max_wait=0.01, max_advised_wait=5)


def dynamics_settings(server: LoopbackServer, **overrides: Any) -> DynamicsSettings:
    """Settings that point the adapter and MSAL at the fake."""
    return DynamicsSettings(
        environment_url=server.url, authority=server.url, disable_instance_discovery=True,
        ca_bundle=server.ca_path, tenant_id=TENANT, client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET, page_size=3, **overrides)
