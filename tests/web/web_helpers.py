"""Helpers for the web tests: local providers with channel secrets, signed deliveries for
each network, a tiny bank for the referral flow, and a real uvicorn server subprocess."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from socialreferral import Providers, build_providers
from socialreferral.domain.crm import Product
from socialreferral.domain.customers import Customer
from socialreferral.domain.social import Connection, Interaction, Profile
from socialreferral.plugins import load_registry
from socialreferral.service.authorization import connect_account
from socialreferral.service.worker import Worker
from socialreferral.settings import settings_from_mapping
from socialreferral.text.keyword_analyzer import KeywordAnalyzer

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "webhooks"
# Only the built-in plugins: the tests must not depend on what else is installed.
BUILTIN_ONLY = {"SOCIALREFERRAL_PLUGINS": "local"}
META_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "verify-token-SENTINEL-7f3a"
X_SECRET = "x-consumer-secret-for-tests"
LINKEDIN_SECRET = "linkedin-client-secret-for-tests"
SECRETS = {"meta-app-secret": META_SECRET, "meta-verify-token": VERIFY_TOKEN,
           "x-consumer-secret": X_SECRET, "linkedin-client-secret": LINKEDIN_SECRET}


def settings_for(data_dir: Path, **web: Any) -> Any:
    """Local settings in ``data_dir`` with ``[web]`` overrides."""
    return settings_from_mapping({"local": {"data_dir": str(data_dir)}, "web": web})


@contextmanager
def local_providers(data_dir: Path, *, extra_plugins: tuple[object, ...] = (),
                    secrets: dict[str, str] | None = None, **web: Any) -> Iterator[Providers]:
    """Built-in channels (+ ``extra_plugins``), local adapters, the channel secrets set
    (all but ``generic-webhook-secret``, which stays unconfigured)."""
    registry = load_registry(env=BUILTIN_ONLY, extra_plugins=extra_plugins)
    with build_providers(settings_for(data_dir, **web), registry=registry) as built:
        for name, value in (SECRETS if secrets is None else secrets).items():
            built.secrets.set(name, value)
        yield built


# --- signed deliveries --------------------------------------------------------------------
def meta_body(*messages: str, verb: str = "add") -> bytes:
    changes = [{"field": "feed", "value": {"item": "status", "verb": verb, "post_id": f"p_{i}",
                                           "from": {"id": "u_1", "name": "Ann"},
                                           "message": text, "created_time": 1_700_000_000}}
               for i, text in enumerate(messages)]
    return json.dumps({"object": "page", "entry": [
        {"id": "page_1", "time": 1_700_000_000, "changes": changes}]}).encode()


def meta_headers(body: bytes, secret: str = META_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def x_headers(body: bytes, secret: str = X_SECRET) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return {"x-twitter-webhooks-signature": "sha256=" + digest.decode(),
            "Content-Type": "application/json"}


def linkedin_headers(body: bytes, secret: str = LINKEDIN_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), b"hmacsha256=" + body, hashlib.sha256).hexdigest()
    return {"X-LI-Signature": digest, "Content-Type": "application/json"}


def fixture_body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --- a tiny bank for the referral flow ----------------------------------------------------
def referral_offer(providers: Providers, now: datetime) -> str:
    """Ingest a post by prospect ``p1`` (friend of customer ``c1``) asking for a car loan,
    run the worker once, and return the offer id it created."""
    from socialreferral.channels import MetaChannel
    from socialreferral.service.ingest import ingest_webhook

    providers.crm.upsert_product(Product(product_id="personal-loan", name="personal loan",
                                         seed_phrases=("car loan",)))
    social: Any = providers.social
    social.add_profile(Profile(person_id="fb-c1", network="facebook", display_name="C1",
                               followers=300))
    social.add_connections([Connection(
        person_id="fb-c1", other_id="p1", network="facebook", since=now - timedelta(days=400),
        mutual_connections=5,
        interactions=tuple(Interaction(kind="like", at=now - timedelta(days=1 + i))
                           for i in range(5)))])
    connect_account(repositories=providers.repositories, secrets=providers.secrets,
                    social=providers.social, rules=providers.settings.referral.eligibility,
                    customer=Customer(customer_id="c1", display_name="C1", customer_value=0.5,
                                      email="c1@bank.example.com"),
                    network="facebook", person_id="fb-c1", token="oauth-token-of-c1",
                    scopes=("user_posts",), now=now)
    changes = [{"field": "feed", "value": {
        "item": "status", "verb": "add", "post_id": "1_1", "from": {"id": "p1", "name": "Pat"},
        "message": "I am looking for a car loan", "created_time": int(now.timestamp())}}]
    body = json.dumps({"object": "page", "entry": [
        {"id": "page", "time": int(now.timestamp()), "changes": changes}]}).encode()
    ingest_webhook(MetaChannel(), meta_headers(body), body, queue=providers.queue,
                   secrets=providers.secrets, repositories=providers.repositories)
    Worker(queue=providers.queue, repositories=providers.repositories, crm=providers.crm,
           social=providers.social, settings=providers.settings.referral,
           analyzer=KeywordAnalyzer(), clock=lambda: now).run_once()
    [offer] = [o for o in providers.repositories.referrals.offers() if o.prospect_id == "p1"]
    return offer.offer_id


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# --- a real server ------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A uvicorn subprocess serving ``socialreferral.web.serve`` over ``data_dir``."""

    url: str
    port: int
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def peak_rss_kib(self) -> int:
        """The server process's peak resident set (VmHWM), in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise AssertionError("no VmHWM")


SERVER_SCRIPT = """
import sys
from socialreferral import build_providers
from socialreferral.settings import settings_from_mapping
from socialreferral.web import serve
data_dir, port, max_body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
settings = settings_from_mapping({"local": {"data_dir": data_dir},
                                  "web": {"max_body_bytes": max_body}})
with build_providers(settings) as providers:
    serve(providers, "127.0.0.1", port)
"""


@contextmanager
def running_server(data_dir: Path, log_path: Path, *,
                   max_body_bytes: int = 1_000_000) -> Iterator[Server]:
    """Start the server on a free loopback port, wait until it answers, stop it by pid."""
    port = free_port()
    env = {**os.environ, **BUILTIN_ONLY, "PYTHONPATH": str(ROOT / "src")}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER_SCRIPT, str(data_dir), str(port),
             str(max_body_bytes)], stdout=log, stderr=subprocess.STDOUT, env=env)
    server = Server(f"http://127.0.0.1:{port}", port, data_dir, log_path, process)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited: {server.log()}")
            try:
                if httpx.get(server.url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {server.log()}")
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP/1.1 response with a Content-Length body from ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed after {data!r}")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip()
               for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed mid-body")
        rest += chunk
    return status, headers, rest[:length]


def raw_request(method: str, path: str, body: bytes = b"",
                headers: dict[str, str] | None = None) -> bytes:
    """The bytes of an HTTP/1.1 keep-alive request."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive",
             f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


# --- the app's routes ---------------------------------------------------------------------
def route_table(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the app serves, hidden routes included (FastAPI >= 0.16x keeps
    included routers as wrappers; ``iter_route_contexts`` unwraps them)."""
    import fastapi.routing as routing

    contexts = getattr(routing, "iter_route_contexts", None)
    routes = list(contexts(app.routes)) if contexts is not None else list(app.routes)
    table: set[tuple[str, str]] = set()
    for route in routes:
        path = getattr(route, "path", None)
        for method in getattr(route, "methods", None) or ():
            if path:
                table.add((method, path))
    return table
