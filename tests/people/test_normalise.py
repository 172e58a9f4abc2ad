"""Normalisers: canonical forms, and "unknown" for placeholders and garbage."""

from __future__ import annotations

import pytest

from socialreferral.people import normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("J.Smith+news@GoogleMail.com", "jsmith@gmail.com"),
        (" ann.lee@outlook.com ", "ann.lee@outlook.com"),
        ("bob+x@web.de", "bob@web.de"),
        ("not an email", None),
        ("n/a", None),
        (None, None),
    ],
)
def test_email(raw: str | None, expected: str | None) -> None:
    assert normalise.email(raw) == expected


def test_email_user_ignores_punctuation_and_short_users() -> None:
    assert normalise.email_user("j.smith@outlook.com") == "jsmith"
    assert normalise.email_user("ab@x.com") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+44 7700 900123", "700900123"),
        ("07700 900123", "700900123"),
        ("0044-7700-900-123", "700900123"),
        ("0000000000", None),
        ("123", None),
        ("unknown", None),
    ],
)
def test_phone(raw: str, expected: str | None) -> None:
    assert normalise.phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "day_first", "expected"),
    [
        ("1990-02-01", True, "1990-02-01"),
        ("19900201", True, "1990-02-01"),
        ("01/02/1990", True, "1990-02-01"),
        ("01/02/1990", False, "1990-01-02"),
        ("25/12/1990", False, "1990-12-25"),
        ("1990-13-45", True, None),
        ("19651332", True, "1965-13-32"),  # a typo keeps its digits as evidence
        ("yesterday", True, None),
        ("", True, None),
    ],
)
def test_date_of_birth(raw: str, day_first: bool, expected: str | None) -> None:
    assert normalise.date_of_birth(raw, day_first=day_first) == expected


def test_names_drop_titles_accents_and_punctuation() -> None:
    assert normalise.name("Dr. Zoë O'Neil-Smith") == "zoe oneil smith"
    assert normalise.name("  MR  ") is None
    assert normalise.first_name_key(normalise.name("Bob")) == "robert"
    assert normalise.first_name_key("zebedee") == "zebedee"


def test_handles_and_places() -> None:
    assert normalise.handle("https://twitter.com/@Ann_Lee?ref=x") == "annlee"
    assert normalise.handle("@x") is None
    assert normalise.postcode("sw1a 1aa") == "SW1A1AA"
    assert normalise.place("Straße 5, München") == "strasse 5 munchen"
    assert normalise.tokens("b a b") == ["a", "b"]
