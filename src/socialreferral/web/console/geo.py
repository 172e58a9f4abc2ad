"""The influencer map as server-rendered SVG: countries from world-atlas TopoJSON, places
as circles.

The land comes from ``static/vendor/world-atlas/countries-110m.json`` (npm ``world-atlas``
2.0.2, Natural Earth 1:110m, ISC licence), vendored into the package, so the map needs
no tile server and no script. TopoJSON stores each border once as a delta-encoded,
quantized *arc*; a country is rings of arc indexes (a negative index ``~i`` walks arc
``i`` backwards). :func:`country_paths` decodes them (a few dozen lines: no TopoJSON or
GIS library is needed for that) and projects them equirectangularly — honest enough
for "where are the influencers", and a point's position is plain arithmetic.

The country layer is built once per process (:func:`land_layer`); each map adds only its
circles. Every text in the SVG (place names, handles) is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from socialreferral.web.console.assets import static_dir

WIDTH = 960
NORTH, SOUTH = 84.0, -58.0  # Antarctica is left out: no influencer lives there
HEIGHT = round(WIDTH * (NORTH - SOUTH) / 360.0)
ATLAS = ("vendor", "world-atlas", "countries-110m.json")
MAX_RADIUS = 14.0


def project(longitude: float, latitude: float) -> tuple[float, float]:
    """(x, y) on the map of a point (equirectangular, north up)."""
    x = (longitude + 180.0) / 360.0 * WIDTH
    y = (NORTH - latitude) / (NORTH - SOUTH) * HEIGHT
    return x, y


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    transform = topology.get("transform")
    (sx, sy), (tx, ty) = ((transform["scale"], transform["translate"]) if transform
                          else ((1.0, 1.0), (0.0, 0.0)))
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for position in arc:
            if transform:
                x, y = x + position[0], y + position[1]
            else:
                x, y = position[0], position[1]
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indexes: Sequence[int], arcs: list[list[tuple[float, float]]]
          ) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _path(rings: Iterable[list[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        projected = [project(lon, lat) for lon, lat in ring]
        if len(projected) < 3:
            continue
        parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in projected) + "Z")
    return "".join(parts)


@dataclass(frozen=True)
class Country:
    """One country's outline as an SVG path."""

    name: str
    path: str


def country_paths(topology: dict[str, Any], layer: str = "countries") -> list[Country]:
    """The countries of a TopoJSON ``topology`` as projected SVG paths."""
    arcs = _decode_arcs(topology)
    countries = []
    for geometry in topology["objects"][layer]["geometries"]:
        kind, shape = geometry.get("type"), geometry.get("arcs") or []
        polygons = [shape] if kind == "Polygon" else shape if kind == "MultiPolygon" else []
        rings = [_ring(ring, arcs) for polygon in polygons for ring in polygon]
        path = _path(rings)
        if path:
            name = str((geometry.get("properties") or {}).get("name", ""))
            countries.append(Country(name=name, path=path))
    return countries


@lru_cache(maxsize=1)
def land_layer() -> str:
    """The vendored atlas's countries as one SVG group (built once per process)."""
    path = static_dir().joinpath(*ATLAS)
    topology = json.loads(path.read_text(encoding="utf-8"))
    shapes = "".join(f'<path class="land" d="{c.path}"><title>{escape(c.name)}</title></path>'
                     for c in country_paths(topology))
    return f'<g class="countries">{shapes}</g>'


@dataclass(frozen=True)
class MapMarker:
    """A place to mark: where, how many influencers, which side, what the tooltip says."""

    latitude: float
    longitude: float
    count: int
    side: str  # "positive" or "negative" (a CSS class)
    label: str


def world_map(markers: Sequence[MapMarker], *, title: str) -> Markup:
    """The map with a circle per marker (area by influencer count), each titled."""
    largest = max((m.count for m in markers), default=1) or 1
    circles = []
    # Bigger circles first, so small ones stay visible on top.
    for marker in sorted(markers, key=lambda m: -m.count):
        x, y = project(marker.longitude, max(SOUTH, min(NORTH, marker.latitude)))
        radius = 3.0 + (MAX_RADIUS - 3.0) * (marker.count / largest) ** 0.5
        side = "positive" if marker.side == "positive" else "negative"
        circles.append(f'<circle class="marker {side}" cx="{x:.1f}" cy="{y:.1f}" '
                       f'r="{radius:.1f}"><title>{escape(marker.label)}</title></circle>')
    return Markup(
        f'<svg class="map" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<rect class="sea" x="0" y="0" width="{WIDTH}" height="{HEIGHT}"/>'
        + land_layer() + '<g class="markers">' + "".join(circles) + "</g></svg>")


__all__ = ["HEIGHT", "WIDTH", "Country", "MapMarker", "country_paths", "land_layer",
           "project", "world_map"]
