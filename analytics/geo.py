"""Township geography for the map: schematic polygons, or an official file when given.

No public township boundaries exist for Tongwei. The schematic cells are Voronoi
cells around the (approximate) township seats, clipped to the real county outline;
the map says so on screen. Dropping an official boundary file at
``data/geo/townships_official.geojson`` (a FeatureCollection whose features carry a
``township_code`` property) replaces them, with no code change.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from shapely import MultiPoint, voronoi_polygons
from shapely.geometry import mapping, shape

from analytics.config import DATA_DIR

GEO_DIR = DATA_DIR / "geo"
OUTLINE = GEO_DIR / "county_outline.geojson"
SEATS = GEO_DIR / "townships.csv"
SCHEMATIC = GEO_DIR / "townships_schematic.geojson"
OFFICIAL = GEO_DIR / "townships_official.geojson"


def schematic_township_polygons(seats_csv: Path = SEATS, outline: Path = OUTLINE) -> dict:
    """Voronoi cells around the township seats clipped to the county outline (GeoJSON)."""
    county = shape(json.loads(outline.read_text(encoding="utf-8"))["features"][0]["geometry"])
    with seats_csv.open(encoding="utf-8") as f:
        seats = [r for r in csv.DictReader(f)]
    points = MultiPoint([(float(r["seat_lon"]), float(r["seat_lat"])) for r in seats])
    cells = voronoi_polygons(points, extend_to=county.envelope.buffer(0.5), ordered=True)
    features = []
    for row, cell in zip(seats, cells.geoms):
        clipped = cell.intersection(county).simplify(0.001)
        features.append({
            "type": "Feature",
            "properties": {"township_code": row["township_code"], "name": row["name"],
                           "seat_lat": float(row["seat_lat"]), "seat_lon": float(row["seat_lon"]),
                           "schematic": True},
            "geometry": mapping(clipped),
        })
    return {"type": "FeatureCollection", "features": features}


def write_schematic(path: Path = SCHEMATIC) -> Path:
    """Build the schematic polygons once and keep them under data/geo/."""
    collection = schematic_township_polygons()
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")
    return path


def township_polygons() -> tuple[dict, bool]:
    """(GeoJSON of township polygons, True if schematic): the official file when present."""
    if OFFICIAL.exists():
        return json.loads(OFFICIAL.read_text(encoding="utf-8")), False
    if not SCHEMATIC.exists():
        write_schematic()
    return json.loads(SCHEMATIC.read_text(encoding="utf-8")), True


def county_outline() -> dict:
    return json.loads(OUTLINE.read_text(encoding="utf-8"))
