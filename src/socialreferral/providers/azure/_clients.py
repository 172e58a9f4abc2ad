"""Client construction shared by the Azure adapters: credentials and storage clients.

Kept apart from the adapters so each adapter module stays about its port. Every SDK import
is lazy (:func:`~socialreferral.providers.import_sdk`), so importing this module needs no
Azure package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from socialreferral.errors import ConfigurationError
from socialreferral.providers import BuildContext, import_sdk

if TYPE_CHECKING:
    from socialreferral.providers.azure.settings import AzureSettings

_PROVIDER = "azure"


def sdk(module: str) -> Any:
    """Import an Azure SDK module or raise ``ProviderNotInstalled`` with the install hint."""
    return import_sdk(module, provider=_PROVIDER, extra="azure")


def token_credential(context: BuildContext) -> Any:
    """The injected ``TokenCredential`` (``context.extra["azure_credential"]``), else
    ``DefaultAzureCredential`` (managed identity, workload identity, Azure CLI...)."""
    injected = context.extra.get("azure_credential")
    if injected is not None:
        return injected
    return sdk("azure.identity").DefaultAzureCredential()


def storage_kwargs(settings: AzureSettings) -> dict[str, Any]:
    """Options every storage client gets.

    ``retry_total=0`` because the port base classes already retry ``TransientError`` with
    jittered backoff; the storage SDK's own default waits 15 s before its first retry and
    would multiply with ours.
    """
    options: dict[str, Any] = {"retry_total": 0, "connection_verify": settings.connection_verify}
    if settings.storage_api_version:
        options["api_version"] = settings.storage_api_version
    return options


def storage_service(
    kind: Literal["queue", "blob"], settings: AzureSettings, context: BuildContext, **extra: Any
) -> Any:
    """A ``QueueServiceClient`` or ``BlobServiceClient`` from the settings."""
    module = sdk("azure.storage.queue" if kind == "queue" else "azure.storage.blob")
    cls = module.QueueServiceClient if kind == "queue" else module.BlobServiceClient
    options = storage_kwargs(settings) | extra
    if settings.storage_connection_string is not None:
        conn = settings.storage_connection_string.get_secret_value()
        return cls.from_connection_string(conn, **options)
    url = getattr(settings, f"{kind}_account_url")
    if not url:
        raise ConfigurationError(
            f"the Azure {kind} adapter needs [azure] storage_connection_string or "
            f"{kind}_account_url"
        )
    return cls(url, credential=storage_credential(url, settings, context), **options)


def storage_credential(url: str, settings: AzureSettings, context: BuildContext) -> Any:
    """Shared key when ``storage_account_key`` is set, else a token credential."""
    if settings.storage_account_key is None:
        return token_credential(context)
    account = url.split("//", 1)[-1].split(".", 1)[0].split("/", 1)[0]
    if ":" in account or account.startswith("127.") or account == "localhost":
        # Path-style (emulator) URL: http://127.0.0.1:10001/<account>
        account = url.rstrip("/").rsplit("/", 1)[-1]
    named = sdk("azure.core.credentials").AzureNamedKeyCredential
    return named(account, settings.storage_account_key.get_secret_value())


__all__ = ["sdk", "storage_credential", "storage_kwargs", "storage_service", "token_credential"]
