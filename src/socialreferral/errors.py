"""The library's exceptions: one root, one base per port, meaning-based leaves.

Every leaf also inherits the builtin it means, so callers that do not know this
library can still catch ``KeyError``, ``ValueError`` or ``PermissionError``::

    SocialReferralError
    ├── ConfigurationError (ValueError)            bad settings, unknown provider
    │   └── ProviderNotInstalled (ImportError)     extra not installed; carries an install hint
    ├── Unsupported (NotImplementedError)          capability the adapter does not declare
    ├── TransientError                             retryable: throttling, 5xx, timeouts;
    │                                              ``retry_after``: the wait the service advised
    ├── InvalidInput (ValueError)                  a boundary rejected a payload; names the field
    │   └── SignatureInvalid (PermissionError)     webhook or link signature missing/wrong/expired
    ├── NotFound (LookupError)                     base for every "does not exist"
    │   ├── UnknownKeyword (KeyError)              influence: no such tracked keyword or data
    │   └── UnknownAlert (KeyError)                influence: no stored alert of that id
    ├── StateConflict                              the record's state refuses the request
    │                                              (a ticket another agent holds, a cap)
    ├── QueueError
    │   ├── MessageTooLarge (ValueError)
    │   └── ReceiptInvalid (ValueError)            ack/extend with a stale or foreign receipt
    ├── DocumentStoreError
    │   ├── DocumentNotFound (NotFound, KeyError)
    │   ├── ConcurrencyConflict                    etag mismatch on a conditional write
    │   │   └── DocumentExists                     create-only write found the key taken
    │   └── DocumentTooLarge (ValueError)
    ├── SecretStoreError
    │   └── SecretNotFound (NotFound, KeyError)
    ├── BatchComputeError
    │   ├── JobNotFound (NotFound, KeyError)
    │   └── TaskNotRegistered (NotFound, KeyError)
    ├── CRMError
    │   └── CRMRecordNotFound (NotFound, KeyError)
    ├── SocialChannelError
    │   ├── ProfileNotFound (NotFound, KeyError)
    │   └── TokenInvalid (PermissionError)         an OAuth token expired or was revoked:
    │                                              the person (or page admin) must re-consent
    ├── WebhookChannelError
    │   ├── UnknownChannel (NotFound, KeyError)    no registered channel of that name
    │   └── ChannelNotConfigured (ConfigurationError)  its secret is not in the SecretStore
    └── AccessDenied (PermissionError)             a caller may not do this
        ├── NotAuthenticated                       no valid login, session or API key (401)
        │   └── AccountLocked                      too many failed logins; try again later
        └── RoleRequired                           authenticated, without the role or
                                                   scope the action needs (HTTP 403)

Providers translate SDK errors into these in one place per vendor
(``map_boto_errors``, ``map_azure_errors``) and mark retryable ones
:class:`TransientError`; retries themselves live in the port base classes.
"""

from __future__ import annotations


class SocialReferralError(Exception):
    """Root of every exception this library raises on purpose."""


class ConfigurationError(SocialReferralError, ValueError):
    """Settings are invalid, or name a provider or port that does not exist."""


class ProviderNotInstalled(ConfigurationError, ImportError):
    """A provider needs an optional dependency that is not installed."""

    def __init__(self, provider: str, extra: str, missing: str) -> None:
        self.provider, self.extra, self.missing = provider, extra, missing
        super().__init__(
            f"provider {provider!r} needs the package {missing!r}, which is not installed; "
            f"install it with: pip install 'socialreferral[{extra}]'"
        )


class Unsupported(SocialReferralError, NotImplementedError):
    """The adapter does not declare the capability an operation needs."""

    def __init__(self, adapter: str, capability: str, detail: str = "") -> None:
        self.adapter, self.capability = adapter, capability
        message = f"{adapter} does not support the capability {capability!r}"
        super().__init__(f"{message}: {detail}" if detail else message)


class TransientError(SocialReferralError):
    """A failure worth retrying (throttling, 5xx, timeouts, lock contention).

    ``retry_after`` is the wait in seconds the service advised (HTTP ``Retry-After``, a
    rate-limit reset header), or None; the port base waits at least that long before the
    next attempt, and gives up at once when the advice is longer than its
    ``max_advised_wait`` (a queue redelivers the job later instead of a worker sleeping).
    """

    def __init__(self, message: str = "", *, retry_after: float | None = None) -> None:
        self.retry_after = None if retry_after is None else max(0.0, float(retry_after))
        super().__init__(message)


class InvalidInput(SocialReferralError, ValueError):
    """Input at an external boundary was rejected. ``field`` names what was wrong."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class SignatureInvalid(InvalidInput, PermissionError):
    """A signature (webhook, referral link) is missing, malformed, wrong or expired."""


class NotFound(SocialReferralError, LookupError):
    """Base for every 'the thing asked for does not exist'."""


class StateConflict(SocialReferralError):
    """The request is valid but the record's current state refuses it: a care ticket
    another agent has claimed, an agent at their cap, a workflow move the ticket's status
    does not allow. Retrying the same request will not help until the state changes (a web
    edge answers 409). ``field`` names what is in the way, like :class:`InvalidInput`."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


# --- Queue -----------------------------------------------------------------------------
class QueueError(SocialReferralError):
    """Base for queue failures."""


class MessageTooLarge(QueueError, ValueError):
    """The body exceeds the queue's limit and the adapter has no claim check."""


class ReceiptInvalid(QueueError, ValueError):
    """An ack or visibility change used a receipt that is stale or unknown."""


# --- Document store --------------------------------------------------------------------
class DocumentStoreError(SocialReferralError):
    """Base for document store failures."""


class DocumentNotFound(DocumentStoreError, NotFound, KeyError):
    """No live document has this key (expired documents count as missing)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "document not found"


class ConcurrencyConflict(DocumentStoreError):
    """A conditional write lost: the stored etag is not the one given."""


class DocumentExists(ConcurrencyConflict):
    """A create-only write found the key already taken."""


class DocumentTooLarge(DocumentStoreError, ValueError):
    """The serialised document exceeds the store's item size limit."""


# --- Secret store ----------------------------------------------------------------------
class SecretStoreError(SocialReferralError):
    """Base for secret store failures."""


class SecretNotFound(SecretStoreError, NotFound, KeyError):
    """No secret (or no such version) under this name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "secret not found"


# --- Batch compute ---------------------------------------------------------------------
class BatchComputeError(SocialReferralError):
    """Base for batch compute failures."""


class JobNotFound(BatchComputeError, NotFound, KeyError):
    """No job with this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "job not found"


class TaskNotRegistered(BatchComputeError, NotFound, KeyError):
    """A job names a task that no plugin registered."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "task not registered"


# --- CRM -------------------------------------------------------------------------------
class CRMError(SocialReferralError):
    """Base for CRM failures."""


class CRMRecordNotFound(CRMError, NotFound, KeyError):
    """No CRM record (lead, promotion, opportunity, task) with this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "CRM record not found"


# --- Social channel --------------------------------------------------------------------
class SocialChannelError(SocialReferralError):
    """Base for social channel failures."""


class ProfileNotFound(SocialChannelError, NotFound, KeyError):
    """The channel knows no profile for this person id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "profile not found"


class TokenInvalid(SocialChannelError, PermissionError):
    """The network refused an OAuth token: expired, revoked, or missing a permission the
    person declined. Retrying cannot help; the person (``person_id`` on ``network``, or
    the page's administrator when ``person_id`` is None) must connect again, so callers
    record that re-consent is needed instead of failing the job. The message never
    contains the token."""

    def __init__(self, message: str, *, network: str, person_id: str | None = None) -> None:
        self.network, self.person_id = network, person_id
        super().__init__(message)


class WebhookChannelError(SocialReferralError):
    """Base of the errors of inbound webhook channels (the channel registry)."""


class UnknownChannel(WebhookChannelError, NotFound, KeyError):
    """No webhook channel of that name is registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ChannelNotConfigured(WebhookChannelError, ConfigurationError):
    """A registered channel's secret is missing: a server misconfiguration, answered as
    "try again later" so the network redelivers once an operator sets it."""


class AccessDenied(SocialReferralError, PermissionError):
    """Base of the access errors (operator logins and sessions, API keys of service
    callers)."""


class NotAuthenticated(AccessDenied):
    """No valid credential: wrong name or password (never said which), an expired or
    unknown session, a missing, malformed, unknown or revoked API key (never said which,
    so a caller cannot probe for key ids)."""


class AccountLocked(NotAuthenticated):
    """Too many failed logins in a row; ``retry_after`` seconds until the next try."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class RoleRequired(AccessDenied):
    """The caller is authenticated but has none of the roles or scopes the action needs."""
# --- Influence analytics ---------------------------------------------------------------
class UnknownKeyword(NotFound, KeyError):
    """The keyword is neither tracked nor has any stored posts."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown keyword"


class UnknownAlert(NotFound, KeyError):
    """No stored influence alert has this id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown alert"


__all__ = [
    "AccessDenied",
    "AccountLocked",
    "BatchComputeError",
    "CRMError",
    "CRMRecordNotFound",
    "ChannelNotConfigured",
    "ConcurrencyConflict",
    "ConfigurationError",
    "DocumentExists",
    "DocumentNotFound",
    "DocumentStoreError",
    "DocumentTooLarge",
    "InvalidInput",
    "JobNotFound",
    "MessageTooLarge",
    "NotAuthenticated",
    "NotFound",
    "ProfileNotFound",
    "ProviderNotInstalled",
    "QueueError",
    "ReceiptInvalid",
    "RoleRequired",
    "SecretNotFound",
    "SecretStoreError",
    "SignatureInvalid",
    "SocialChannelError",
    "SocialReferralError",
    "StateConflict",
    "TaskNotRegistered",
    "TokenInvalid",
    "TransientError",
    "UnknownAlert",
    "UnknownChannel",
    "UnknownKeyword",
    "Unsupported",
    "WebhookChannelError",
]

