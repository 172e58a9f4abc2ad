"""Signed, expiring referral links: tampering, expiry, unknown keys, rotation."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from socialreferral.domain.links import sign_referral_token, verify_referral_token
from socialreferral.errors import InvalidInput, SignatureInvalid

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
KEY_A = b"k" * 32
KEY_B = b"q" * 32
KEYS = {"a": KEY_A, "b": KEY_B}


def _token(rid: str = "ref_1", ttl: timedelta = timedelta(hours=72), kid: str = "a") -> str:
    return sign_referral_token(rid, NOW + ttl, KEYS[kid], kid)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_round_trip() -> None:
    token = _token()
    claims = verify_referral_token(token, KEYS, NOW)
    assert claims.referral_id == "ref_1"
    assert claims.key_id == "a"
    assert claims.expires_at == NOW + timedelta(hours=72)
    assert all(c.isalnum() or c in "-_." for c in token)  # URL-safe without quoting


def test_tampered_payload_rejected() -> None:
    body, sig = _token().split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["rid"] = "ref_someone_else"
    forged = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    with pytest.raises(SignatureInvalid, match="signature mismatch"):
        verify_referral_token(f"{forged}.{sig}", KEYS, NOW)


def test_extended_expiry_rejected_even_after_expiry() -> None:
    # A forged token must be reported as forged, not as expired.
    body, sig = _token(ttl=timedelta(hours=1)).split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["exp"] += 10**6
    forged = _b64(json.dumps(payload).encode())
    with pytest.raises(SignatureInvalid, match="signature mismatch"):
        verify_referral_token(f"{forged}.{sig}", KEYS, NOW + timedelta(hours=2))


def test_tampered_signature_rejected() -> None:
    body, sig = _token().split(".")
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
    with pytest.raises(SignatureInvalid, match="signature mismatch"):
        verify_referral_token(f"{body}.{flipped}", KEYS, NOW)


def test_signed_with_another_key_under_a_known_id_rejected() -> None:
    token = sign_referral_token("ref_1", NOW + timedelta(hours=1), KEY_B, "a")
    with pytest.raises(SignatureInvalid, match="signature mismatch"):
        verify_referral_token(token, KEYS, NOW)


def test_expiry() -> None:
    token = _token(ttl=timedelta(hours=1))
    verify_referral_token(token, KEYS, NOW + timedelta(minutes=59))
    with pytest.raises(SignatureInvalid, match="expired") as info:
        verify_referral_token(token, KEYS, NOW + timedelta(hours=1))
    assert info.value.field == "token"


def test_unknown_key_id() -> None:
    with pytest.raises(SignatureInvalid, match="unknown key id"):
        verify_referral_token(_token(kid="b"), {"a": KEY_A}, NOW)


def test_rotation_old_and_new_keys_both_verify() -> None:
    old, new = _token(kid="a"), _token(kid="b")
    assert verify_referral_token(old, KEYS, NOW).key_id == "a"
    assert verify_referral_token(new, KEYS, NOW).key_id == "b"
    with pytest.raises(SignatureInvalid, match="unknown key id"):
        verify_referral_token(old, {"b": KEY_B}, NOW)  # old key retired


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b.c",
        "!!!.???",
        _b64(b"not json") + "." + _b64(b"sig"),
        _b64(b"[1,2]") + "." + _b64(b"sig"),
        _b64(b'{"rid":"x"}') + "." + _b64(b"sig"),
        "x" * 5000,
    ],
)
def test_malformed_tokens(token: str) -> None:
    with pytest.raises(SignatureInvalid, match="malformed token"):
        verify_referral_token(token, KEYS, NOW)


def test_short_key_and_naive_times_refused() -> None:
    with pytest.raises(InvalidInput):
        sign_referral_token("ref_1", NOW, b"short", "a")
    with pytest.raises(InvalidInput):
        sign_referral_token("ref_1", datetime(2026, 1, 1), KEY_A, "a")
    with pytest.raises(InvalidInput):
        verify_referral_token(_token(), KEYS, datetime(2026, 1, 1))
