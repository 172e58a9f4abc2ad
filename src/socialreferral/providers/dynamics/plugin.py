"""Registers the Dynamics 365 CRM adapter (``pip install 'socialreferral[dynamics]'``).

Only dotted paths are registered; ``azure-identity`` is imported when a settings file
chooses ``crm = "dynamics"``.
"""

from __future__ import annotations

from collections.abc import Callable

from socialreferral.hookspecs import hookimpl
from socialreferral.providers import ProviderSpec


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(ProviderSpec(
        port="crm", name="dynamics",
        adapter="socialreferral.providers.dynamics.crm:DynamicsCRM",
        settings="socialreferral.providers.dynamics.settings:DynamicsSettings",
        extra="dynamics",
        description="Dynamics 365 / Dataverse Web API: leads with duplicate detection and "
                    "alternate keys, campaigns since a watermark, opportunities, tasks",
    ))
