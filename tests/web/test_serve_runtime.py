"""``socialreferral serve`` runs the whole system: a webhook accepted by the server is
processed by queue workers the server started itself — nobody runs ``worker`` — and
``--no-workers`` leaves it in the queue.

Backend: the real CLI in a subprocess on the local provider (data dir in tmp_path),
a loopback port, the keyword analyzer (fast to start); the test polls the store. After
SIGTERM no process the server started may be left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from web_helpers import BUILTIN_ONLY, ROOT, free_port, local_providers, meta_body, meta_headers

pytestmark = pytest.mark.slow

ENV = {**BUILTIN_ONLY, "SOCIALREFERRAL__SCHEDULE__CHECK_SECONDS": "0.2",
       "SOCIALREFERRAL__SCHEDULE__WORKER_IDLE_SECONDS": "1",
       "SOCIALREFERRAL__REFERRAL__ANALYZER__KIND": "keyword"}


@contextmanager
def serving(data_dir: Path, log: Path, *options: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT / "src")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "socialreferral.cli", "serve", "--data-dir",
             str(data_dir), "--port", str(port), *options],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield url
        children = descendants(process.pid)
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in children if alive(pid)], "orphaned worker processes"
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
    except OSError:
        return False
    return state != "Z"


def _deliver(url: str, text: str) -> None:
    body = meta_body(text)
    answer = httpx.post(url + "/webhooks/meta", content=body, headers=meta_headers(body))
    assert answer.status_code == 200 and answer.json()["enqueued"] == 1, answer.text


def test_serve_processes_a_webhook_without_a_separate_worker(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with local_providers(data_dir):  # the channel secrets, in the data dir's store
        pass
    with serving(data_dir, tmp_path / "serve.log") as url:
        _deliver(url, "does anyone know a good car loan?")
        deadline = time.monotonic() + 120
        with local_providers(data_dir, secrets={}) as providers:
            while not providers.repositories.events.processed():
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.5)
            assert providers.queue.depth() == 0
    assert "queue workers and scheduled jobs run" in (tmp_path / "serve.log").read_text()


def test_no_workers_gives_a_web_only_node(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with local_providers(data_dir):
        pass
    with serving(data_dir, tmp_path / "serve.log", "--no-workers") as url:
        _deliver(url, "does anyone know a good car loan?")
        time.sleep(3)
        with local_providers(data_dir, secrets={}) as providers:
            assert providers.queue.depth() == 1
            assert providers.repositories.events.processed() == []
    assert "web only" in (tmp_path / "serve.log").read_text()
