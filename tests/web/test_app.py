"""The web service over real local adapters (SQLite in tmp_path), via FastAPI's TestClient.

Backend: local provider; the HTTP layer is Starlette's in-process test transport.
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from web_helpers import META_SECRET, VERIFY_TOKEN, meta_body, meta_headers

from socialreferral import Providers

APP_SECRET = META_SECRET


def delivery(*messages: str) -> bytes:
    return meta_body(*messages)


def signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    return meta_headers(body, secret)


def test_handshake_echoes_the_challenge_only_for_the_right_token(client: TestClient) -> None:
    ok = client.get("/webhooks/meta", params={"hub.mode": "subscribe",
                                              "hub.verify_token": VERIFY_TOKEN,
                                              "hub.challenge": "12345"})
    assert ok.status_code == 200 and ok.text == "12345"
    bad = client.get("/webhooks/meta", params={"hub.mode": "subscribe",
                                               "hub.verify_token": "wrong",
                                               "hub.challenge": "12345"})
    assert bad.status_code == 403


def test_signed_delivery_is_enqueued_once(client: TestClient, providers: Providers) -> None:
    body = delivery("can anyone suggest a good car loan?", "lovely weather")
    first = client.post("/webhooks/meta", content=body, headers=signed(body))
    assert first.status_code == 200, first.text
    assert first.json()["enqueued"] == 2
    again = client.post("/webhooks/meta", content=body, headers=signed(body))
    assert again.json() == {"enqueued": 0, "duplicates": 2, "rejected_count": 0,
                            "skipped_count": 0, "rejected": [], "skipped": []}
    assert providers.queue.depth() == 2


def test_forged_signature_is_403_and_enqueues_nothing(
    client: TestClient, providers: Providers
) -> None:
    body = delivery("I need a home loan")
    response = client.post("/webhooks/meta", content=body, headers=signed(body, "not-the-secret"))
    assert response.status_code == 403
    assert response.json()["error"] == "SignatureInvalid"
    assert APP_SECRET not in response.text
    missing = client.post("/webhooks/meta", content=body)
    assert missing.status_code == 403
    assert providers.queue.depth() == 0


def test_signature_covers_the_raw_bytes(client: TestClient, providers: Providers) -> None:
    body = delivery("I need a home loan")
    reformatted = json.dumps(json.loads(body), indent=2).encode()  # same JSON, other bytes
    response = client.post("/webhooks/meta", content=reformatted, headers=signed(body))
    assert response.status_code == 403
    assert providers.queue.depth() == 0


def test_malformed_body_names_the_problem(client: TestClient) -> None:
    body = b'{"object": "page", "entry": "nope"}'
    response = client.post("/webhooks/meta", content=body, headers=signed(body))
    assert response.status_code == 400
    assert "entry" in response.json()["detail"]


def test_unknown_channel_is_not_found(client: TestClient) -> None:
    body = delivery("x")
    response = client.post("/webhooks/myspace", content=body, headers=signed(body))
    assert response.status_code == 404
    assert response.json()["error"] == "UnknownChannel"


def test_tampered_referral_link_is_403(client: TestClient, providers: Providers) -> None:
    providers.secrets.set("referral-link-key", "k" * 32)
    assert client.get("/referrals/not.a-token").status_code == 403
    lead = client.post("/referrals/not.a-token/lead", json={"name": "Bo", "email": "bo@x.io"})
    assert lead.status_code == 403


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
