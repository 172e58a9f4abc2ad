"""socialreferral: social activity in; referrals, leads, rewards and a care queue out.

The same code runs on the embedded local default, on AWS and on Azure: the domain talks
only to the ports in :mod:`socialreferral.ports`, and plugins supply the adapters.

    >>> from socialreferral import build_providers, load_settings
    >>> providers = build_providers(load_settings("socialreferral.toml"))  # doctest: +SKIP

Importing this package loads no cloud SDK and no model.
"""

from __future__ import annotations

import typing

from socialreferral._lazy import lazy_names

if typing.TYPE_CHECKING:
    from socialreferral.bootstrap import Providers, build_providers
    from socialreferral.errors import (
        ConcurrencyConflict,
        ConfigurationError,
        DocumentExists,
        DocumentNotFound,
        InvalidInput,
        MessageTooLarge,
        NotFound,
        ProviderNotInstalled,
        SignatureInvalid,
        SocialReferralError,
        StateConflict,
        TransientError,
        Unsupported,
    )
    from socialreferral.ports import (
        CRM,
        BatchCompute,
        DocumentStore,
        Queue,
        RetryPolicy,
        SecretStore,
        SocialChannel,
    )
    from socialreferral.records import (
        BatchResult,
        Capability,
        CrmRecordKind,
        Document,
        Filter,
        JobState,
        JobStatus,
        OutgoingMessage,
        Page,
        ReceivedMessage,
        Secret,
        SecretVersion,
        WriteItem,
    )
    from socialreferral.settings import Settings, load_settings

# Names load on first access (PEP 562): ``import socialreferral.text`` or a worker's use
# case must not pay for the composition root, settings and every repository (0.34 s instead
# of 0.77 s for the text package here, and ~24,000 fewer long-lived objects for each full
# garbage collection to walk).
_HOME = {
    "Providers": "socialreferral.bootstrap",
    "build_providers": "socialreferral.bootstrap",
    "ConcurrencyConflict": "socialreferral.errors",
    "ConfigurationError": "socialreferral.errors",
    "DocumentExists": "socialreferral.errors",
    "DocumentNotFound": "socialreferral.errors",
    "InvalidInput": "socialreferral.errors",
    "MessageTooLarge": "socialreferral.errors",
    "NotFound": "socialreferral.errors",
    "ProviderNotInstalled": "socialreferral.errors",
    "SignatureInvalid": "socialreferral.errors",
    "SocialReferralError": "socialreferral.errors",
    "StateConflict": "socialreferral.errors",
    "TransientError": "socialreferral.errors",
    "Unsupported": "socialreferral.errors",
    "CRM": "socialreferral.ports",
    "BatchCompute": "socialreferral.ports",
    "DocumentStore": "socialreferral.ports",
    "Queue": "socialreferral.ports",
    "RetryPolicy": "socialreferral.ports",
    "SecretStore": "socialreferral.ports",
    "SocialChannel": "socialreferral.ports",
    "BatchResult": "socialreferral.records",
    "Capability": "socialreferral.records",
    "CrmRecordKind": "socialreferral.records",
    "Document": "socialreferral.records",
    "Filter": "socialreferral.records",
    "JobState": "socialreferral.records",
    "JobStatus": "socialreferral.records",
    "OutgoingMessage": "socialreferral.records",
    "Page": "socialreferral.records",
    "ReceivedMessage": "socialreferral.records",
    "Secret": "socialreferral.records",
    "SecretVersion": "socialreferral.records",
    "WriteItem": "socialreferral.records",
    "Settings": "socialreferral.settings",
    "load_settings": "socialreferral.settings",
}

__getattr__, __dir__ = lazy_names(__name__, _HOME)

__version__ = "0.1.0"

__all__ = [
    "CRM",
    "BatchCompute",
    "BatchResult",
    "Capability",
    "ConcurrencyConflict",
    "ConfigurationError",
    "CrmRecordKind",
    "Document",
    "DocumentExists",
    "DocumentNotFound",
    "DocumentStore",
    "Filter",
    "InvalidInput",
    "JobState",
    "JobStatus",
    "MessageTooLarge",
    "NotFound",
    "OutgoingMessage",
    "Page",
    "ProviderNotInstalled",
    "Providers",
    "Queue",
    "ReceivedMessage",
    "RetryPolicy",
    "Secret",
    "SecretStore",
    "SecretVersion",
    "Settings",
    "SignatureInvalid",
    "SocialChannel",
    "SocialReferralError",
    "StateConflict",
    "TransientError",
    "Unsupported",
    "WriteItem",
    "__version__",
    "build_providers",
    "load_settings",
]
