"""socialreferral: social activity in; referrals, leads, rewards and a care queue out.

The same code runs on the embedded local default, on AWS and on Azure: the domain talks
only to the ports in :mod:`socialreferral.ports`, and plugins supply the adapters.

    >>> from socialreferral import build_providers, load_settings
    >>> providers = build_providers(load_settings("socialreferral.toml"))  # doctest: +SKIP

Importing this package loads no cloud SDK and no model.
"""

from __future__ import annotations

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
