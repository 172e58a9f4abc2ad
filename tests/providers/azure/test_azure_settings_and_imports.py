"""Settings validation, error mapping and SDK-free imports of the Azure provider.

Pure Python (no emulator). Not covered: the SDKs' own behaviour.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from socialreferral.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    DocumentExists,
    ReceiptInvalid,
    SecretNotFound,
    TransientError,
)
from socialreferral.providers import BuildContext
from socialreferral.providers.azure.cosmos import CosmosDocumentStore
from socialreferral.providers.azure.errors import map_azure_errors
from socialreferral.providers.azure.settings import AzureSettings

pytestmark = pytest.mark.azure
ROOT = Path(__file__).resolve().parents[3]


def test_modules_import_without_the_azure_sdk() -> None:
    """A subprocess where every ``azure`` import fails: the provider's modules still import
    and building an adapter raises ProviderNotInstalled with the install hint."""
    code = textwrap.dedent(
        """
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "azure" or name.startswith("azure."):
                    raise ImportError(name)
        sys.meta_path.insert(0, Block())
        import importlib
        for m in ("settings", "errors", "queue", "claim_check", "cosmos", "keyvault",
                  "batch", "autoscale", "plugin"):
            importlib.import_module("socialreferral.providers.azure." + m)
        from socialreferral.errors import ProviderNotInstalled
        from socialreferral.providers import BuildContext
        from socialreferral.providers.azure.queue import AzureStorageQueue
        from socialreferral.providers.azure.settings import AzureSettings
        try:
            AzureStorageQueue.from_settings(
                AzureSettings(storage_connection_string="UseDevelopmentStorage=true"),
                BuildContext())
        except ProviderNotInstalled as exc:
            assert "socialreferral[azure]" in str(exc), exc
            print("ok")
        """
    )
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_settings_validation() -> None:
    """Bad names, a too-short autoscale interval and half a shared key are rejected; a
    missing endpoint is reported by the adapter that needs it."""
    with pytest.raises(ValidationError):
        AzureSettings(queue_name="Bad_Name")
    with pytest.raises(ValidationError):
        AzureSettings(message_encoding="utf16")
    with pytest.raises(ValidationError):
        AzureSettings(batch_account_name="only-the-name")
    with pytest.raises(ConfigurationError, match="cosmos_endpoint"):
        CosmosDocumentStore.from_settings(AzureSettings(), BuildContext())
    assert "hunter2" not in repr(AzureSettings(cosmos_key="hunter2"))


def test_example_settings_file_validates() -> None:
    """examples/azure-emulators.toml: its [azure] table is valid AzureSettings and its
    [ports] table puts queue and store on Azure."""
    data = tomllib.loads((ROOT / "examples" / "azure-emulators.toml").read_text())
    assert data["ports"]["queue"] == "azure" and data["ports"]["store"] == "azure"
    settings = AzureSettings(**data["azure"])
    assert settings.cosmos_emulator_compat and settings.message_encoding == "base64"


def _http_error(status: int, code: str = "") -> Exception:
    from azure.core.exceptions import HttpResponseError

    error = HttpResponseError(message=f"status {status}")
    error.status_code = status
    error.error_code = code
    return error


@pytest.mark.parametrize(
    ("port", "status", "code", "expected"),
    [
        ("queue", 503, "ServerBusy", TransientError),
        ("queue", 429, "", TransientError),
        ("queue", 404, "MessageNotFound", ReceiptInvalid),
        ("queue", 400, "PopReceiptMismatch", ReceiptInvalid),
        ("store", 412, "", ConcurrencyConflict),
        ("store", 409, "", DocumentExists),
        ("store", 449, "", TransientError),
        ("secrets", 404, "SecretNotFound", SecretNotFound),
    ],
)
def test_error_mapping(port: str, status: int, code: str, expected: type[Exception]) -> None:
    """azure-core HttpResponseErrors become the library's errors in one place."""
    with pytest.raises(expected), map_azure_errors(port, "subject"):  # type: ignore[arg-type]
        raise _http_error(status, code)


def test_connection_errors_are_transient() -> None:
    """A connection failure (no response at all) is retryable."""
    from azure.core.exceptions import ServiceRequestError

    with pytest.raises(TransientError), map_azure_errors("queue"):
        raise ServiceRequestError("connection refused")
