"""Start and stop the Node emulators (Azurite 3.35.0, @vercel/cosmosdb-server 1.0.1) for tests.

They live in the project-local npm folder ``tools/emulators`` (``npm ci --prefix
tools/emulators``). Each server binds 127.0.0.1 on a free port, is waited for until it
accepts connections, and is stopped by its process id.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NODE_MODULES = ROOT / "tools" / "emulators" / "node_modules"
AZURITE_JS = NODE_MODULES / "azurite" / "dist" / "src" / "azurite.js"
COSMOS_JS = NODE_MODULES / "@vercel" / "cosmosdb-server" / "lib" / "cli.js"
INSTALL_HINT = (
    "the Azure emulators are not installed; run `npm ci --prefix tools/emulators` "
    "(Node >= 20) from the repository root"
)

DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
# The key every @vercel/cosmosdb-server accepts (it does not check signatures).
COSMOS_KEY = (
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
)


class EmulatorMissing(RuntimeError):
    """The npm packages (or node) are not there; the message says how to install them."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"emulator exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"emulator did not listen on 127.0.0.1:{port} within {timeout}s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _node(script: Path) -> str:
    if not script.exists():
        raise EmulatorMissing(f"{script} not found: {INSTALL_HINT}")
    node = shutil.which("node")
    if node is None:
        raise EmulatorMissing(f"`node` is not on PATH: {INSTALL_HINT}")
    return node


@dataclass(frozen=True)
class Azurite:
    blob_port: int
    queue_port: int
    table_port: int

    @property
    def connection_string(self) -> str:
        base = "http://127.0.0.1"
        return (
            f"DefaultEndpointsProtocol=http;AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
            f"BlobEndpoint={base}:{self.blob_port}/{DEV_ACCOUNT};"
            f"QueueEndpoint={base}:{self.queue_port}/{DEV_ACCOUNT};"
            f"TableEndpoint={base}:{self.table_port}/{DEV_ACCOUNT};"
        )


@contextlib.contextmanager
def run_azurite() -> Iterator[Azurite]:
    """Azurite (Blob, Queue, Table) in memory on three free loopback ports."""
    node = _node(AZURITE_JS)
    ports = Azurite(free_port(), free_port(), free_port())
    command = [
        node, str(AZURITE_JS), "--silent", "--inMemoryPersistence", "--disableTelemetry",
        "--loose", "--skipApiVersionCheck",
        "--blobHost", "127.0.0.1", "--blobPort", str(ports.blob_port),
        "--queueHost", "127.0.0.1", "--queuePort", str(ports.queue_port),
        "--tableHost", "127.0.0.1", "--tablePort", str(ports.table_port),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for port in (ports.blob_port, ports.queue_port, ports.table_port):
            _wait_listening(port, process, 20)
        yield ports
    finally:
        _stop(process)


@contextlib.contextmanager
def run_cosmos() -> Iterator[str]:
    """@vercel/cosmosdb-server over plain HTTP on a free loopback port; yields its URL."""
    node = _node(COSMOS_JS)
    port = free_port()
    command = [node, str(COSMOS_JS), "-p", str(port), "--host", "127.0.0.1", "--no-ssl"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(port, process, 20)
        yield f"http://127.0.0.1:{port}/"
    finally:
        _stop(process)
