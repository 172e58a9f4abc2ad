"""The app served by a real uvicorn process (``socialreferral.web.serve``) on a free
loopback port: a referral link produced by the flow opens and takes the lead form, the
access log holds neither the verify token nor referral tokens, a keep-alive connection
survives bad bodies, and 100 MB bodies are refused fast without being buffered.

Backend: local provider; the test process and the server share one data directory (the
SQLite files are multi-process safe). The server is stopped by its process id.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_helpers import (
    BUILTIN_ONLY,
    ROOT,
    VERIFY_TOKEN,
    Server,
    free_port,
    local_providers,
    meta_body,
    meta_headers,
    now_utc,
    raw_request,
    read_response,
    referral_offer,
    running_server,
)

from socialreferral import Providers
from socialreferral.service.referrals import recommend

MB = 1024 * 1024
SERVER_MAX_BODY = 1_000_000
FORM = {"name": "Pat Prospect", "email": "pat@mail.example.org", "phone": "+15550001111"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Providers, Server]]:
    data_dir = tmp_path_factory.mktemp("served") / "data"
    with local_providers(data_dir) as providers, running_server(
            data_dir, data_dir.parent / "server.log", max_body_bytes=SERVER_MAX_BODY) as server:
        yield providers, server


@pytest.fixture(scope="module")
def referral_link(shared: tuple[Providers, Server]) -> str:
    """The link the flow sent to the prospect, built on the test server's URL."""
    providers, server = shared
    offer_id = referral_offer(providers, now_utc())
    recommend(offer_id, repositories=providers.repositories, secrets=providers.secrets,
              social=providers.social, settings=providers.settings.referral,
              public_base_url=server.url)
    social: Any = providers.social
    [message] = [m for m in social.sent_messages("p1") if m.kind == "offer"]
    assert message.link is not None and message.link.startswith(server.url + "/referrals/")
    return str(message.link)


def test_flow_link_opens_and_takes_the_lead_once(shared: tuple[Providers, Server],
                                                 referral_link: str) -> None:
    providers, _ = shared
    landing = httpx.get(referral_link, timeout=10)
    assert landing.status_code == 200, landing.text
    assert landing.json()["product_id"] == "personal-loan"
    first = httpx.post(referral_link + "/lead", json=FORM, timeout=10)
    assert first.status_code == 201, first.text
    second = httpx.post(referral_link + "/lead", json=FORM, timeout=10)
    assert second.status_code == 201
    assert first.json() == second.json()
    leads = providers.crm.list_leads()
    assert len(leads) == 1 and leads[0].email == FORM["email"]


def test_access_log_holds_no_verify_token_and_no_referral_token(
        shared: tuple[Providers, Server], referral_link: str) -> None:
    _, server = shared
    handshake = httpx.get(server.url + "/webhooks/meta", timeout=10, params={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "4242"})
    assert handshake.status_code == 200 and handshake.text == "4242"
    assert httpx.get(referral_link, timeout=10).status_code == 200
    assert httpx.get(server.url + "/webhooks/x", params={"crc_token": "crc-SENTINEL"},
                     timeout=10).status_code == 200
    token = referral_link.rsplit("/", 1)[1]
    deadline = time.monotonic() + 10
    while "crc_token=" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.1)  # the access line is written after the response
    log = server.log()
    assert "hub.verify_token=[redacted]" in log  # the request was logged ...
    assert "/referrals/[token:" in log
    assert VERIFY_TOKEN not in log  # ... without the secret
    assert token not in log and token[:20] not in log
    assert "crc-SENTINEL" not in log


def test_keep_alive_connection_survives_bad_bodies(shared: tuple[Providers, Server]) -> None:
    _, server = shared
    depth_bomb = b'{"object": "page", "entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    surrogate = meta_body("x", verb="edited").replace(b'"x"', b'"caf\\udc00"')
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(raw_request("POST", "/webhooks/meta", depth_bomb,
                                 meta_headers(depth_bomb)))
        status, _, body = read_response(sock)
        assert status == 400 and json.loads(body)["field"] == "body"
        sock.sendall(raw_request("POST", "/webhooks/meta", surrogate,
                                 meta_headers(surrogate)))
        status, _, body = read_response(sock)
        assert status == 200, body
        sock.sendall(raw_request("GET", "/healthz"))
        status, _, body = read_response(sock)  # same connection, still open
        assert status == 200 and json.loads(body) == {"status": "ok"}


def test_declared_100_mb_body_is_413_before_it_is_sent(shared: tuple[Providers, Server]) -> None:
    _, server = shared
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = raw_request("POST", "/webhooks/meta").replace(
            b"Content-Length: 0", f"Content-Length: {100 * MB}".encode())
        sock.sendall(head)  # the headers only: the server must not wait for the body
        status, headers, body = read_response(sock)
    assert status == 413 and headers["connection"] == "close"
    assert json.loads(body)["error"] == "RequestBodyTooLarge"
    assert time.monotonic() - started < 5


def test_chunked_100_mb_body_is_413_fast_without_buffering(
        shared: tuple[Providers, Server]) -> None:
    _, server = shared
    rss_before = server.peak_rss_kib()
    chunk = b"x" * (256 * 1024)
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent, answer = 0, b""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /webhooks/meta HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n")
        try:
            while sent < 100 * MB and time.monotonic() - started < 30:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered before we finished
                sock.sendall(framed)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # it closed the connection: that is the point
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except ConnectionResetError:
            pass
    elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 20 * MB, f"the server kept reading: {sent} bytes sent"
    assert elapsed < 15
    # Peak memory of the server process did not grow by anything like the body.
    assert server.peak_rss_kib() - rss_before < 30 * 1024


WORKERS_SCRIPT = """
import sys
from socialreferral import build_providers
from socialreferral.settings import settings_from_mapping
from socialreferral.web import serve


def main() -> None:
    settings = settings_from_mapping({"local": {"data_dir": sys.argv[1]}})
    with build_providers(settings) as providers:
        serve(providers, "127.0.0.1", int(sys.argv[2]), workers=2)


if __name__ == "__main__":  # worker processes are spawned and re-import this module
    main()
"""


@pytest.mark.slow
def test_two_worker_processes_rebuild_their_providers(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with local_providers(data_dir):
        pass  # sets the channel secrets in data_dir
    script = tmp_path / "serve_two.py"
    script.write_text(WORKERS_SCRIPT, encoding="utf-8")
    port = free_port()
    log_path = tmp_path / "workers.log"
    env = {**os.environ, **BUILTIN_ONLY, "PYTHONPATH": str(ROOT / "src")}
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, str(script), str(data_dir), str(port)],
                                   stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        # The first worker may answer while the second is still importing (a busy
        # machine): wait until both have started before judging either.
        while time.monotonic() < deadline and log_path.read_text(
            encoding="utf-8", errors="replace"
        ).count("Started server process") < 2:
            time.sleep(0.2)
        answers = {httpx.get(url + "/webhooks/meta", timeout=10, params={
            "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": str(i)}).text for i in range(6)}
        assert answers == {str(i) for i in range(6)}
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    log_text = log_path.read_text(encoding="utf-8", errors="replace")
    assert log_text.count("Started server process") == 2
    assert VERIFY_TOKEN not in log_text
