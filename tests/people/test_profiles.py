"""Captured profiles: record ids, bounds, import rows, social logins and CRM contacts;
API key parsing and verification."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialreferral.domain.crm import CrmContact
from socialreferral.domain.social import Profile
from socialreferral.errors import InvalidInput, NotAuthenticated
from socialreferral.people.access import ApiKey, digest_of, format_key, parse_key, verify
from socialreferral.people.profiles import (
    CapturedProfile,
    from_crm_contact,
    from_mapping,
    from_social_profile,
    record_id_for,
    split_display_name,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_record_ids_are_stable_and_valid() -> None:
    assert record_id_for("crm", "k-1") == "crm:k-1"
    odd = record_id_for("import", "a b/c")
    assert odd == record_id_for("import", "a b/c") and odd.startswith("import:h")
    assert record_id_for("import", "x" * 300) != record_id_for("import", "x" * 299)


def test_import_rows_are_bounded_and_errors_name_the_field() -> None:
    row = {"id": "7", "first_name": "Ann", "email": "ann@example.org", "network": "x",
           "handle": "@ann", "title": "CFO", "scopes": "email, public_profile",
           "email_verified": "true", "ignored": "yes", "phone": 442079460001}
    profile = from_mapping(row, source="Import File!", captured_at=NOW)
    assert profile.record_id == "import-file:x:7" and profile.source == "import-file"
    assert profile.fields == {"first_name": "Ann", "email": "ann@example.org",
                              "phone": "442079460001"}
    assert profile.attributes == {"title": "CFO"} and profile.email_verified
    assert profile.scopes == ("email", "public_profile")
    record = profile.to_record()
    assert record.handle == "@ann" and record.network == "x" and record.observed_at == NOW
    for bad, field in (({"first_name": "x"}, "p.id"),
                       ({"id": "1", "email": "x" * 300}, "p.email"),
                       ({"id": "1", "city": ["London"]}, "p.city"),
                       ({"id": "1", "captured_at": "yesterday"}, "p.captured_at"),
                       ({"id": "1", "captured_at": "2026-01-01T00:00:00"}, "p.captured_at")):
        with pytest.raises(InvalidInput) as caught:
            from_mapping(bad, source="import", captured_at=NOW, where="p")
        assert caught.value.field == field, bad
    with pytest.raises(ValueError):
        CapturedProfile(record_id="a:1", source="a", external_id="1", captured_at=NOW,
                        fields={"salary": "1"})


def test_social_login_and_crm_contact_captures() -> None:
    profile = Profile(person_id="fb-9", network="facebook", display_name="Ann Marie Lee",
                      email="ann@example.org", date_of_birth="1990-01-02")
    captured = from_social_profile(profile, captured_at=NOW, scopes=("email",),
                                   customer_id="c9")
    assert captured.record_id == "facebook-login:facebook:fb-9"
    assert captured.fields == {"first_name": "Ann", "last_name": "Lee",
                               "email": "ann@example.org", "date_of_birth": "1990-01-02"}
    assert captured.display_name == "Ann Marie Lee" and captured.handle == "fb-9"
    assert split_display_name("Cher") == {"first_name": "Cher"}
    assert split_display_name("  ") == {}
    contact = CrmContact(contact_id="k-1", first_name="Ann", last_name="Lee",
                         email="ANN@example.org", company="Acme", title="CFO", updated_at=NOW)
    crm = from_crm_contact(contact)
    assert crm.record_id == "crm:k-1" and crm.captured_at == NOW and crm.network is None
    assert crm.fields["email"] == "ann@example.org"
    assert crm.attributes == {"company": "Acme", "title": "CFO"}


def test_api_keys_parse_and_verify_in_constant_time() -> None:
    key = format_key("abcdefgh1234", "s" * 43)
    assert parse_key(key) == ("abcdefgh1234", "s" * 43)
    for bad in (None, "", "srk_short_x", key + "x", key.replace("srk", "sk")):
        with pytest.raises(NotAuthenticated) as caught:
            parse_key(bad)
        assert (bad or "#") not in str(caught.value)
    stored = ApiKey(key_id="abcdefgh1234", name="app", scopes=("people:read",),
                    digest=digest_of("s" * 43), created_at=NOW)
    assert verify(stored, "s" * 43)
    assert not verify(stored, "t" * 43) and not verify(None, "s" * 43)
    assert not verify(stored.model_copy(update={"revoked_at": NOW}), "s" * 43)
