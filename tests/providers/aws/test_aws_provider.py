"""The AWS provider as a whole: settings validation, the one botocore error mapping,
registration through the plugin hook, imports without boto3, and the example settings
file building all four adapters through bootstrap against the moto_server subprocess."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from aws_moto import settings, unique
from pydantic import ValidationError

from socialreferral.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    InvalidInput,
    QueueError,
    ReceiptInvalid,
    SecretNotFound,
    SecretStoreError,
    TransientError,
)
from socialreferral.providers import ProviderSpec
from socialreferral.providers.aws.errors import map_boto_errors
from socialreferral.providers.aws.settings import AwsSettings

pytestmark = pytest.mark.aws

ROOT = Path(__file__).resolve().parents[3]


# -- settings ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad",
    [
        {"credentials": {"access_key_id": "a"}},
        {"credentials": {"access_key_id": "a", "secret_access_key": "b", "profile": "p"}},
        {"credentials": {"session_token": "t"}},
        {"region": "Mars"},
        {"endpoint_url": "ftp://x"},
        {"queue_name": None},
        {"queue_name": "events.fifo", "dead_letter_queue_name": "dlq"},
        {"secret_recovery_days": 3},
        {"indexed_fields": ["no-dash"]},
        {"visibility_timeout": -1},
        {"unknown": 1},
    ],
)
def test_invalid_settings_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        AwsSettings(**bad)


def test_secret_keys_hidden_and_defaults_least_privilege() -> None:
    s = AwsSettings(credentials={"access_key_id": "AKIA", "secret_access_key": "sekrit"})
    assert "sekrit" not in repr(s) and "sekrit" not in str(s.model_dump())
    assert s.create_missing_resources is False and s.fifo is False
    assert AwsSettings(queue_name="e.fifo", dead_letter_queue_name="d.fifo").fifo


# -- error mapping ---------------------------------------------------------------------------
def _client_error(code: str, status: int = 400) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "Op",
    )


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ThrottlingException", 400, TransientError),
        ("ProvisionedThroughputExceededException", 400, TransientError),
        ("RequestThrottled", 403, TransientError),
        ("SlowDown", 503, TransientError),
        ("Whatever", 500, TransientError),
        ("ReceiptHandleIsInvalid", 400, ReceiptInvalid),
        ("ConditionalCheckFailedException", 400, ConcurrencyConflict),
        ("AccessDeniedException", 400, ConfigurationError),
        ("ValidationException", 400, InvalidInput),
        ("SomethingElse", 400, QueueError),
    ],
)
def test_boto_errors_map_to_library_errors(code: str, status: int, expected: type) -> None:
    with pytest.raises(expected), map_boto_errors(QueueError):
        raise _client_error(code, status)


def test_not_found_uses_the_port_factory_and_network_errors_are_transient() -> None:
    from botocore.exceptions import EndpointConnectionError

    with pytest.raises(SecretNotFound), map_boto_errors(SecretStoreError, not_found=SecretNotFound):
        raise _client_error("ResourceNotFoundException")
    with pytest.raises(TransientError), map_boto_errors(QueueError):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
    with pytest.raises(KeyError), map_boto_errors(QueueError):  # not botocore: untouched
        raise KeyError("x")


# -- plugin and optional SDK -------------------------------------------------------------------
def test_plugin_registers_the_four_ports() -> None:
    from socialreferral.providers.aws import plugin

    specs: list[ProviderSpec] = []
    plugin.register_providers(specs.append)
    assert {s.port for s in specs} == {"queue", "store", "secrets", "batch"}
    for spec in specs:
        assert spec.name == "aws" and spec.extra == "aws"
        adapter = spec.load_adapter()
        assert adapter.provider == "aws" and hasattr(adapter, "from_settings")
        assert spec.load_settings_model() is AwsSettings


def test_modules_import_without_boto3_and_building_names_the_extra() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["boto3"] = None  # as if the aws extra were not installed
        sys.modules["botocore"] = None
        import socialreferral.providers.aws.plugin
        from socialreferral.providers.aws import batch, claim_check, errors, provision
        from socialreferral.providers.aws import query, queue, secrets, settings, store
        from socialreferral.errors import ProviderNotInstalled
        from socialreferral.providers import BuildContext
        try:
            queue.SqsQueue.from_settings(settings.AwsSettings(), BuildContext())
        except ProviderNotInstalled as exc:
            assert "socialreferral[aws]" in str(exc), exc
            print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src")},
        timeout=60,
    )
    assert done.stdout.strip() == "ok", done.stderr


# -- the example settings file, through bootstrap, on moto_server ------------------------------
def test_example_settings_build_every_aws_adapter(moto_server: str) -> None:
    from socialreferral.bootstrap import build_providers
    from socialreferral.settings import load_settings

    suffix = unique("ex")
    env = {
        "SOCIALREFERRAL__AWS__ENDPOINT_URL": moto_server,
        # unique names keep this test independent of others on the shared server
        "SOCIALREFERRAL__AWS__QUEUE_NAME": suffix,
        "SOCIALREFERRAL__AWS__DEAD_LETTER_QUEUE_NAME": f"{suffix}-dlq",
        "SOCIALREFERRAL__AWS__TABLE_NAME": suffix,
    }
    loaded = load_settings(ROOT / "examples" / "aws-moto.toml", env=env)
    with build_providers(loaded) as providers:
        adapters = providers.adapters()
        assert {p: type(a).__name__ for p, a in adapters.items() if a.provider == "aws"} == {
            "queue": "SqsQueue",
            "store": "DynamoDocumentStore",
            "secrets": "SecretsManagerStore",
            "batch": "AwsBatchCompute",
        }
        queue: Any = adapters["queue"]
        queue.send("x" * 300_000)
        [message] = queue.receive(1, wait_seconds=2)
        assert message.claim is not None and len(message.body) == 300_000
        queue.ack(message)
        providers.store.put("demo", "k", {"status": "new"})
        assert providers.store.get("demo", "k").value == {"status": "new"}
        providers.secrets.set(f"demo-{suffix}", "t")
        assert providers.secrets.get_value(f"demo-{suffix}") == "t"
        job = providers.batch.submit("referral.process-batch", array_size=2)
        assert providers.batch.wait(job, timeout=10).state.value == "succeeded"


def test_settings_factory_is_valid() -> None:
    assert settings(None).create_missing_resources is True
