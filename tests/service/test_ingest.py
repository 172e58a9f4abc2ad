"""Ingestion: signatures, normalisation, de-duplication and batch enqueue."""

from __future__ import annotations

import json

import pytest
from service_helpers import APP_SECRET, delivery, sign

from socialreferral.bootstrap import Providers
from socialreferral.channels.meta import VERIFY_TOKEN
from socialreferral.errors import ChannelNotConfigured, InvalidInput, SignatureInvalid
from socialreferral.service.ingest import IngestResult, answer_handshake, ingest_webhook
from socialreferral.service.queued_events import decode_event


def _ingest(providers: Providers, headers: dict[str, str], body: bytes,
            source: str = "meta", **kw: int) -> IngestResult:
    return ingest_webhook(providers.registry.channel(source), headers, body,
                          queue=providers.queue, secrets=providers.secrets,
                          repositories=providers.repositories, **kw)


def test_signed_delivery_enqueues_each_event_once(providers: Providers) -> None:
    headers, body = delivery([("1_1", "p1", "I am looking for a car loan"),
                              ("1_2", "p2", "nice weather")])
    result = _ingest(providers, headers, body)
    assert len(result.enqueued) == 2 and not result.duplicates
    messages = providers.queue.receive(10)
    assert sorted(decode_event(m.body).event.author_id for m in messages) == ["p1", "p2"]


def test_replayed_webhook_creates_nothing_new(providers: Providers) -> None:
    headers, body = delivery([("1_1", "p1", "I am looking for a car loan")])
    _ingest(providers, headers, body)
    depth = providers.queue.depth()
    again = _ingest(providers, headers, body)
    assert again.enqueued == () and len(again.duplicates) == 1
    assert providers.queue.depth() == depth == 1


@pytest.mark.parametrize("headers", [
    {},  # missing
    {"X-Hub-Signature-256": "sha256=" + "0" * 64},  # forged
    {"X-Hub-Signature-256": "md5=abc"},  # malformed
])
def test_bad_or_missing_signature_enqueues_nothing(providers: Providers,
                                                   headers: dict[str, str]) -> None:
    _, body = delivery([("1_1", "p1", "I am looking for a car loan")])
    with pytest.raises(SignatureInvalid) as info:
        _ingest(providers, headers, body)
    assert info.value.field == "X-Hub-Signature-256"
    assert providers.queue.depth() == 0


def test_signature_with_another_secret_is_refused(providers: Providers) -> None:
    headers, body = delivery([("1_1", "p1", "hello")], secret="not-" + APP_SECRET)
    with pytest.raises(SignatureInvalid):
        _ingest(providers, headers, body)
    assert providers.queue.depth() == 0


def test_tampered_body_is_refused(providers: Providers) -> None:
    headers, body = delivery([("1_1", "p1", "hello")])
    with pytest.raises(SignatureInvalid):
        _ingest(providers, headers, body.replace(b"hello", b"hellO"))
    assert providers.queue.depth() == 0


def test_bad_entries_are_reported_and_good_ones_kept(providers: Providers) -> None:
    headers, body = delivery([("1_1", "p1", "looking for a house loan"),
                              ("1_2", "p2", "hi")])
    data = json.loads(body)
    del data["entry"][0]["changes"][1]["value"]["from"]
    body = json.dumps(data).encode()
    headers = sign(body)
    result = _ingest(providers, headers, body)
    assert len(result.enqueued) == 1
    assert len(result.rejected) == 1 and "changes[1]" in result.rejected[0].path
    assert providers.queue.depth() == 1


def test_body_that_is_not_a_delivery_names_the_field(providers: Providers) -> None:
    body = b"[1, 2]"
    headers = sign(body)
    with pytest.raises(InvalidInput) as info:
        _ingest(providers, headers, body)
    assert info.value.field == "body"
    assert providers.queue.depth() == 0


def test_oversized_body_is_refused_before_parsing(providers: Providers) -> None:
    headers, body = delivery([("1_1", "p1", "x" * 500)])
    with pytest.raises(InvalidInput) as info:
        _ingest(providers, headers, body, max_body_bytes=100)
    assert info.value.field == "body"


def test_generic_format_uses_its_own_secret(providers: Providers) -> None:
    providers.secrets.set("generic-webhook-secret", "generic-secret-123")
    body = json.dumps({"events": [{"event_id": "g:1", "network": "facebook", "kind": "post",
                                   "author_id": "p9", "text": "need a car loan",
                                   "created_at": 1767225600}]}).encode()
    signed = sign(body, "generic-secret-123")
    assert _ingest(providers, signed, body, source="generic").enqueued == ("g:1",)
    with pytest.raises(SignatureInvalid):
        other = body.replace(b"g:1", b"g:2")
        _ingest(providers, sign(other), other, source="generic")


def test_verification_handshake(providers: Providers) -> None:
    providers.secrets.set(VERIFY_TOKEN, "verify-me")
    meta = providers.registry.channel("meta")
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"}
    assert answer_handshake(meta, query, providers.secrets).body == "42"
    with pytest.raises(SignatureInvalid):
        answer_handshake(meta, {**query, "hub.verify_token": "nope"}, providers.secrets)


def test_channel_without_its_secret_is_a_configuration_error(providers: Providers) -> None:
    """Regression (defect 8): a missing channel secret is a server misconfiguration (the
    web app answers 503 so the sender retries), not a missing resource (404)."""
    body = b'{"events": []}'
    with pytest.raises(ChannelNotConfigured, match="generic-webhook-secret") as info:
        _ingest(providers, sign(body), body, source="generic")
    assert "secrets set generic-webhook-secret" in str(info.value)
    assert providers.queue.depth() == 0


def test_crash_between_enqueue_and_mark_loses_nothing(providers: Providers,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    headers, body = delivery([("1_1", "p1", "I am looking for a car loan")])

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed after enqueue")

    monkeypatch.setattr(providers.store, "put_many", crash)
    with pytest.raises(RuntimeError):
        _ingest(providers, headers, body)
    monkeypatch.undo()
    assert providers.queue.depth() == 1  # the event is not lost
    # Meta redelivers: enqueued again (the worker's deterministic ids absorb it).
    assert len(_ingest(providers, headers, body).enqueued) == 1
