"""Offline location resolution: cities, states, countries, nicknames, junk."""

from __future__ import annotations

import pytest

from socialreferral.influence import Gazetteer
from socialreferral.influence.gazetteer import normalize


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


@pytest.mark.parametrize(
    ("text", "name", "country", "precision"),
    [
        ("New York, NY", "New York City", "US", "city"),
        ("NYC", "New York City", "US", "city"),
        ("LA", "Los Angeles", "US", "city"),
        ("SF Bay Area", "San Francisco", "US", "city"),
        ("Austin TX", "Austin", "US", "city"),
        ("Paris", "Paris", "FR", "city"),
        ("Paris, TX", "Paris", "US", "city"),
        ("London, Ontario", "London", "CA", "city"),
        ("Toronto, CA", "Toronto", "CA", "city"),  # CA: California or Canada
        ("Perth, WA", "Perth", "AU", "city"),  # WA: Washington or Western Australia
        ("Seattle, WA", "Seattle", "US", "city"),
        ("São Paulo, Brasil", "São Paulo", "BR", "city"),
        ("Montreal", "Montréal", "CA", "city"),
        ("Cologne", "Köln", "DE", "city"),  # another name of a city above a million
        ("Based in Chicago", "Chicago", "US", "city"),
        ("Houston, TX 📍", "Houston", "US", "city"),
        ("Washington D.C.", "Washington", "US", "city"),
        ("Texas", "Texas", "US", "region"),
        ("Texas, USA", "Texas", "US", "region"),
        ("Ontario, Canada", "Ontario", "CA", "region"),
        ("Scotland", "Scotland", "GB", "region"),
        ("Nigeria", "Nigeria", "NG", "country"),
        ("UK", "United Kingdom", "GB", "country"),
        ("Deutschland", "Germany", "DE", "country"),
        ("🇧🇷", "Brazil", "BR", "country"),
    ],
)
def test_resolves(gazetteer: Gazetteer, text: str, name: str, country: str, precision: str) -> None:
    place = gazetteer.resolve(text)
    assert place is not None, text
    assert (place.name, place.country_code, place.precision) == (name, country, precision)
    assert -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180


@pytest.mark.parametrize(
    "text",
    [
        "somewhere over the rainbow",
        "Earth",
        "she/her",
        "🌍",
        "in your heart ❤️",
        "Home",
        "",
        "x" * 500,
    ],
)
def test_junk_does_not_resolve(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.resolve(text) is None


def test_coordinates_are_plausible(gazetteer: Gazetteer) -> None:
    texas = gazetteer.resolve("Texas")
    nyc = gazetteer.resolve("NYC")
    assert texas is not None and nyc is not None
    assert 26 < texas.latitude < 36 and -106 < texas.longitude < -93
    assert abs(nyc.latitude - 40.71) < 0.1 and abs(nyc.longitude + 74.0) < 0.1
    assert nyc.label == "New York City, NY, US"


def test_a_tiny_gazetteer_from_raw_tables() -> None:
    g = Gazetteer(
        cities=[
            {
                "name": "Springfield",
                "countrycode": "US",
                "admin1code": "IL",
                "latitude": 39.8,
                "longitude": -89.6,
                "population": 114000,
            },
            {
                "name": "Springfield",
                "countrycode": "US",
                "admin1code": "MA",
                "latitude": 42.1,
                "longitude": -72.6,
                "population": 155000,
            },
        ],
        countries=[{"iso": "US", "iso3": "USA", "name": "United States", "capital": "Washington"}],
        us_states=[
            {"code": "IL", "name": "Illinois"},
            {"code": "MA", "name": "Massachusetts"},
            {"code": "OR", "name": "Oregon"},
        ],
    )
    assert g.resolve("Springfield").region == "MA"  # type: ignore[union-attr]
    assert g.resolve("Springfield, Illinois").region == "IL"  # type: ignore[union-attr]
    assert g.resolve("Springfield, OR") is None  # a known qualifier that disagrees
    assert g.resolve("Springfield, Narnia").region == "MA"  # type: ignore[union-attr]
    assert g.resolve("USA").name == "United States"  # type: ignore[union-attr]
    assert len(g) == 2


def test_normalize() -> None:
    assert normalize("  São  Paulo ") == "sao paulo"
    assert normalize("Washington, D.C.") == "washington, dc"
    assert normalize("Winston-Salem") == "winston salem"
