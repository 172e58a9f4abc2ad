"""The real server with 2 worker processes on loopback: 20 concurrent lead forms give one
lead, and a bounded load test of the webhook endpoint records requests/s and p99.

``socialreferral serve --workers 2 --no-workers`` (two uvicorn processes sharing the
local provider's files) on a free 127.0.0.1 port, rate limits lifted for the test's one
client address. A small asyncio client (httpx) sends:

* the same lead form 20 times at once (a prospect's double clicks and retries, landing
  on both processes), and 20 forms at once from 20 different links with the same e-mail
  (one person referred by many): each gives exactly one CRM lead, the first one reward;
* signed Meta deliveries, one new post each, from 16 concurrent connections, at most
  ``SOCIALREFERRAL_CHAOS_LOAD_REQUESTS`` (default 2,000) or 30 s, whichever comes first.
"""

from __future__ import annotations

import asyncio
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
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import Figures, local_settings
from socialreferral import build_providers
from socialreferral.domain.referrals import lead_id_for
from socialreferral.service.referrals import recommend
from socialreferral.settings import settings_from_mapping
from socialreferral.testing.chaos import (
    ChaosWorkload,
    Progress,
    ingest_stage,
    prepare,
    worker_stage,
)
from socialreferral.testing.chaos.workload import APP_SECRET_VALUE

WORKLOAD = ChaosWorkload(events=120, customers=30, seed=4, care_every=0)
LOAD_REQUESTS = int(os.environ.get("SOCIALREFERRAL_CHAOS_LOAD_REQUESTS", "2000"))
LOAD_SECONDS, CONCURRENCY = 30.0, 16
FORM = {"name": "Pat Prospect", "email": "pat.concurrent@mail.example.org",
        "phone": "+15550007777", "consent_marketing": True}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Offers from the workload, 21 of them recommended: their links' tokens."""
    data = tmp_path_factory.mktemp("server") / "data"
    settings = local_settings(data, WORKLOAD)
    with build_providers(settings_from_mapping(settings)) as providers:
        prepare(providers, WORKLOAD)
        ingest_stage(providers, WORKLOAD, Progress())
        worker_stage(providers, WORKLOAD, idle_seconds=0.5, max_seconds=300)
        offers = sorted(providers.repositories.referrals.offers(), key=lambda o: o.offer_id)
        assert len(offers) >= 21
        tokens = [recommend(o.offer_id, repositories=providers.repositories,
                            secrets=providers.secrets, social=providers.social,
                            settings=providers.settings.referral,
                            public_base_url="https://bank.example.com")[1]
                  for o in offers[:21]]
    return data, tokens


@pytest.fixture(scope="module")
def server(world: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[str]:
    data, _ = world
    folder = tmp_path_factory.mktemp("server-settings")
    settings = folder / "settings.toml"
    settings.write_text(
        f'[local]\ndata_dir = "{data}"\n\n[web]\nmax_body_bytes = 1000000\n'
        '[web.client_rate]\nrequests = 1000000\nper_seconds = 1\n'
        '[web.channel_rate]\nrequests = 1000000\nper_seconds = 1\n', encoding="utf-8")
    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "socialreferral.cli", "serve", "--settings", str(settings),
             "--port", str(port), "--workers", "2", "--no-workers"],
            stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise AssertionError(log.read_text(errors="replace")[-3000:])
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not start: "
                                     + log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield url
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


async def _post_all(url: str, requests: list[tuple[str, bytes, dict[str, str]]],
                    ) -> list[int]:
    """POST every request at once; a 503 (an etag race lost) is retried, as its
    Retry-After asks, at most 10 times."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        async def one(path: str, body: bytes, headers: dict[str, str]) -> int:
            for _ in range(10):
                answer = await client.post(path, content=body, headers=headers)
                if answer.status_code != 503:
                    return answer.status_code
                await asyncio.sleep(0.05)
            return answer.status_code

        return list(await asyncio.gather(*(one(*r) for r in requests)))


def test_twenty_concurrent_lead_forms_give_one_lead(
        server: str, world: tuple[Path, list[str]], figures: Figures) -> None:
    data, tokens = world
    form = json.dumps(FORM).encode()
    headers = {"Content-Type": "application/json"}
    same = asyncio.run(_post_all(server, [(f"/referrals/{tokens[0]}/lead", form, headers)] * 20))
    other = {**FORM, "email": "one.person@mail.example.org", "phone": "+15550008888"}
    many = asyncio.run(_post_all(server, [(f"/referrals/{t}/lead", json.dumps(other).encode(),
                                           headers) for t in tokens[1:21]]))
    assert same == [201] * 20 and many == [201] * 20, (same, many)
    with build_providers(settings_from_mapping(local_settings(data, WORKLOAD))) as providers:
        leads = providers.crm.list_leads()
        referrals = providers.repositories.referrals
        first = [lead for lead in leads if lead.email == FORM["email"]]
        assert [lead.lead_id for lead in first] == [lead_id_for(
            referrals.referral(_referral_of(providers, tokens[0])).referral_id)]  # type: ignore[union-attr]
        person = [lead for lead in leads if lead.email == other["email"]]
        assert len(person) == 1
        rewards = referrals.rewards()
        first_rewards = [r for r in rewards if r.reward.lead_id == first[0].lead_id]
        assert len(first_rewards) == len({r.reward.referral_id for r in first_rewards})
    figures.add("web: 20 concurrent lead forms (2 server processes)",
                same_link_leads=len(first), same_person_leads=len(person),
                statuses="all 201")


def _referral_of(providers: Any, token: str) -> str:
    from socialreferral.service.referrals import open_link

    return open_link(token, repositories=providers.repositories,
                     secrets=providers.secrets).referral_id


def _delivery(n: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"object": "page", "entry": [{"id": "load-page", "time": 1, "changes": [{
        "field": "feed", "value": {"item": "status", "verb": "add", "post_id": f"load_{n}",
                                   "from": {"id": f"fb-load-{n % 97}", "name": "L"},
                                   "message": f"any good car loan out there? #{n}",
                                   "created_time": 1_700_000_000}}]}]},
                      separators=(",", ":")).encode()
    digest = hmac.new(APP_SECRET_VALUE.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Hub-Signature-256": f"sha256={digest}",
                  "Content-Type": "application/json"}


async def _load(url: str) -> tuple[int, float, list[float], dict[int, int]]:
    deliveries = [_delivery(n) for n in range(LOAD_REQUESTS)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    next_index = 0
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    started = time.perf_counter()
    deadline = started + LOAD_SECONDS
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        async def user() -> None:
            nonlocal next_index
            while next_index < len(deliveries) and time.perf_counter() < deadline:
                body, headers = deliveries[next_index]
                next_index += 1
                began = time.perf_counter()
                answer = await client.post("/webhooks/meta", content=body, headers=headers)
                latencies.append(time.perf_counter() - began)
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

        await asyncio.gather(*(user() for _ in range(CONCURRENCY)))
    return len(latencies), time.perf_counter() - started, latencies, statuses


def test_webhook_load_at_two_workers(server: str, world: tuple[Path, list[str]],
                                     figures: Figures) -> None:
    data, _ = world
    with build_providers(settings_from_mapping(local_settings(data, WORKLOAD))) as providers:
        before = providers.queue.depth()
    sent, seconds, latencies, statuses = asyncio.run(_load(server))
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    with build_providers(settings_from_mapping(local_settings(data, WORKLOAD))) as providers:
        enqueued = providers.queue.depth() - before
    figures.add("web: webhook load, 2 server processes, loopback", requests=sent,
                concurrency=CONCURRENCY, requests_per_s=round(sent / seconds, 1),
                p50_ms=round(p50, 1), p99_ms=round(p99, 1), statuses=statuses,
                events_enqueued=enqueued)
    assert statuses == {200: sent}, statuses
    assert enqueued == sent  # one new event per delivery, each enqueued once
    assert sent >= min(LOAD_REQUESTS, 200)
