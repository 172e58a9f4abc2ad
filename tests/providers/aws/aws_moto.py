"""moto backends for the AWS provider tests: in-process ``mock_aws`` and a ``moto_server``
subprocess on a free 127.0.0.1 port, plus helpers shared by the test modules.

Every adapter test class mixes in :class:`InProcess` or :class:`OnServer`, which provide
the ``endpoint`` (None = in-process) and ``backend`` fixtures, so each test records the
backend it ran on.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from socialreferral.providers.aws.settings import AwsSettings

HERE = Path(__file__).resolve().parent
FAKE_KEYS = {"access_key_id": "testing", "secret_access_key": "testing"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _post(url: str, body: Mapping[str, Any] | None = None) -> None:
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=5) as answer:
        answer.read()


@contextlib.contextmanager
def run_moto_server(
    env: Mapping[str, str] | None = None, *, fault_injection: bool = False
) -> Iterator[str]:
    """Start ``python -m moto.server -H 127.0.0.1 -p <free port>`` (or, with
    ``fault_injection``, moto's same WSGI app behind :mod:`moto_fault_server`), wait until
    it answers, configure Batch without Docker, yield its URL, stop it by pid."""
    port = free_port()
    if fault_injection:
        command = [sys.executable, str(HERE / "moto_fault_server.py"), str(port)]
    else:
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _post(f"{url}/moto-api/config", {"batch": {"use_docker": False}})
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start: {command}") from None
                time.sleep(0.1)
        yield url
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def settings(endpoint: str | None, **overrides: Any) -> AwsSettings:
    """Settings for a test: fake keys, resources created on demand, unique names."""
    base: dict[str, Any] = {
        "region": "us-east-1",
        "endpoint_url": endpoint,
        "credentials": FAKE_KEYS,
        "create_missing_resources": True,
        "queue_name": f"q-{uuid.uuid4().hex[:10]}",
        "table_name": f"t-{uuid.uuid4().hex[:10]}",
    }
    base.update(overrides)
    return AwsSettings(**base)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class InProcess:
    """Mixin: the adapter talks to moto in-process (``mock_aws``), fresh per test."""

    @pytest.fixture
    def endpoint(self, moto_inprocess: None) -> str | None:
        return None

    @pytest.fixture
    def backend(self) -> str:
        return "moto in-process (mock_aws)"


class OnServer:
    """Mixin: the adapter talks HTTP to the session's moto_server subprocess."""

    @pytest.fixture
    def endpoint(self, moto_server: str) -> str | None:
        return moto_server

    @pytest.fixture
    def backend(self, moto_server: str) -> str:
        return "moto_server subprocess (HTTP, 127.0.0.1)"


class AtomicInProcess(InProcess):
    """In-process moto with atomic DynamoDB conditional writes (see moto_fault_server)."""

    @pytest.fixture
    def endpoint(self, moto_inprocess: None) -> Iterator[str | None]:
        from moto_fault_server import atomic_dynamodb

        undo = atomic_dynamodb()
        yield None
        undo()

    @pytest.fixture
    def backend(self) -> str:
        return "moto in-process (mock_aws, atomic conditional writes)"


class OnFaultServer:
    """Mixin: moto's server app in a subprocess with the test adjustments of
    moto_fault_server.py (atomic DynamoDB conditions, Batch failure switch)."""

    @pytest.fixture
    def endpoint(self, moto_fault_server: str) -> str | None:
        return moto_fault_server

    @pytest.fixture
    def backend(self, moto_fault_server: str) -> str:
        return "moto server app subprocess (HTTP, 127.0.0.1, atomic conditional writes)"


def fail_first(
    client: Any, operation: str, times: int, code: str = "ThrottlingException"
) -> list[str]:
    """Make the first ``times`` calls of ``operation`` on ``client`` fail with ``code``
    before they reach moto (a botocore event hook; the real client code runs). Returns
    the list of the calls seen, which grows as calls are made."""
    from botocore.exceptions import ClientError

    seen: list[str] = []
    service = client.meta.service_model.service_name

    def hook(**_: Any) -> None:
        seen.append(operation)
        if len(seen) <= times:
            raise ClientError(
                {
                    "Error": {"Code": code, "Message": "Rate exceeded (injected)"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                operation,
            )

    client.meta.events.register(f"before-call.{service}.{operation}", hook)
    return seen


def record_operations(client: Any) -> list[str]:
    """Names of every API operation ``client`` calls from now on."""
    calls: list[str] = []

    def hook(model: Any, **_: Any) -> None:
        calls.append(model.name)

    client.meta.events.register("before-call.*.*", hook)
    return calls


Wrap = Callable[..., Any]
