"""Township and county geography for the map: schematic polygons, or an official file
when given; the demo's replica counties drawn with Tongwei's shapes, moved.

No public township boundaries exist for Tongwei. The schematic cells are Voronoi
cells around the (approximate) township seats, clipped to the real county outline;
the map says so on screen. Dropping an official boundary file at
``data/geo/townships_official.geojson`` (a FeatureCollection whose features carry a
``township_code`` property) replaces them, with no code change.

The demo's replica counties (``counties.DEMO_REPLICA_BASE + k``) have no geography of
their own: ``map_township_polygons`` gives each replica township Tongwei's polygon of the
same suffix, moved by the replica's offset on the demo's grid (the shift of its seats,
docs/demo-data.md) — made-up geometry, and the map says so. A county's polygon is the
union of its townships' (``county_polygons``), simplified for the screen. Any other
county without boundary data is listed on every page but not drawn.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import shapely
from shapely import MultiPoint, voronoi_polygons
from shapely.affinity import translate
from shapely.geometry import mapping, shape

from analytics.config import DATA_DIR
from analytics.counties import DEMO_REPLICA_BASE, TONGWEI, county_name, county_of

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


def _is_replica(county_code: str) -> bool:
    return county_code.isdigit() and DEMO_REPLICA_BASE < int(county_code) < DEMO_REPLICA_BASE + 100000


def replica_offsets(townships) -> dict[str, tuple[float, float]]:
    """county code → (longitude, latitude) shift in degrees of each demo replica county
    among ``townships`` (township_code, seat_lat, seat_lon): the mean shift of its seats
    from Tongwei's seats of the same suffix (data/geo/townships.csv), one per county so that
    its townships move together."""
    with SEATS.open(encoding="utf-8") as f:
        seats = {r["township_code"][-3:]: (float(r["seat_lon"]), float(r["seat_lat"]))
                 for r in csv.DictReader(f)}
    shifts: dict[str, list[tuple[float, float]]] = {}
    for code, lat, lon in zip(townships["township_code"], townships["seat_lat"], townships["seat_lon"]):
        code = str(code)
        county = county_of(code)
        if not _is_replica(county) or code[-3:] not in seats or lat != lat or lon != lon:
            continue
        base_lon, base_lat = seats[code[-3:]]
        shifts.setdefault(county, []).append((float(lon) - base_lon, float(lat) - base_lat))
    return {county: (round(sum(d[0] for d in s) / len(s), 4), round(sum(d[1] for d in s) / len(s), 4))
            for county, s in shifts.items()}


def map_township_polygons(townships) -> tuple[dict, bool]:
    """(GeoJSON of the polygons of ``townships`` that have one, True if schematic).

    ``townships``: township_code, name, seat_lat, seat_lon (the store's ``townships``). A
    township of the geography file (``township_polygons``: Tongwei's) keeps its polygon; a
    township of a demo replica county gets Tongwei's polygon of the same suffix moved by
    the replica's offset (``replica_offsets``), its own code, name and seat, and the
    property ``made_up``; any other has none (not drawn)."""
    base, schematic = township_polygons()
    by_code = {f["properties"]["township_code"]: f for f in base["features"]}
    by_suffix = {code[-3:]: f for code, f in by_code.items() if county_of(code) == TONGWEI}
    offsets = replica_offsets(townships)
    features = []
    for code, name, lat, lon in zip(townships["township_code"], townships["name"],
                                    townships["seat_lat"], townships["seat_lon"]):
        code = str(code)
        if code in by_code:
            features.append(by_code[code])
            continue
        county = county_of(code)
        source = by_suffix.get(code[-3:])
        if county not in offsets or source is None:
            continue
        dlon, dlat = offsets[county]
        moved = translate(shape(source["geometry"]), xoff=dlon, yoff=dlat)
        props = source["properties"]
        features.append({
            "type": "Feature",
            "properties": {**props, "township_code": code, "name": name,
                           "seat_lat": round(props["seat_lat"] + dlat, 5),
                           "seat_lon": round(props["seat_lon"] + dlon, 5), "made_up": True},
            "geometry": _rounded(mapping(moved), 5),
        })
    return {"type": "FeatureCollection", "features": features}, schematic


def _rounded(geometry: dict, digits: int) -> dict:
    """A GeoJSON geometry with its coordinates rounded to ``digits`` decimals."""
    def walk(c):
        return [walk(x) for x in c] if isinstance(c[0], (list, tuple)) else [round(c[0], digits),
                                                                               round(c[1], digits)]
    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def county_polygons(townships: dict, tolerance_deg: float, digits: int = 4) -> dict:
    """GeoJSON of one polygon per county of the township polygons ``townships``
    (``map_township_polygons``): the union of its townships' polygons, closed over the
    slivers between neighbouring cells (a round buffer of ``tolerance_deg`` out and back),
    simplified to ``tolerance_deg`` degrees and rounded to ``digits`` decimals, for a map
    that shows many counties at once. Properties: county_code, name, label_lat/label_lon
    (a point inside it, for its name), made_up (a demo replica's moved shape)."""
    groups: dict[str, list] = {}
    made_up: dict[str, bool] = {}
    for feature in townships["features"]:
        county = county_of(feature["properties"]["township_code"])
        groups.setdefault(county, []).append(shape(feature["geometry"]))
        made_up[county] = made_up.get(county, False) or bool(feature["properties"].get("made_up"))
    features = []
    for county in sorted(groups):
        union = shapely.union_all(groups[county])
        if tolerance_deg > 0:
            # a closing with a disc: fills the slivers, keeps every convex corner (a mitred
            # buffer drew spikes up to five times the tolerance long at sharp corners)
            union = union.buffer(tolerance_deg).buffer(-tolerance_deg)
            union = union.simplify(tolerance_deg, preserve_topology=True)
        label = union.representative_point()
        features.append({
            "type": "Feature",
            "properties": {"county_code": county, "name": county_name(county),
                           "label_lat": round(label.y, 5), "label_lon": round(label.x, 5),
                           "made_up": made_up[county]},
            "geometry": _rounded(mapping(union), digits),
        })
    return {"type": "FeatureCollection", "features": features}


def bounds(collection: dict) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a GeoJSON collection's features, None when empty."""
    if not collection["features"]:
        return None
    return tuple(shapely.union_all([shape(f["geometry"]).envelope
                                    for f in collection["features"]]).bounds)


def reference_extent() -> tuple[float, float, float, float]:
    """(west, south, east, north) of Tongwei's township polygons (the geography file's):
    the county the maps' views were tuned on (``maps.fitted_view``)."""
    base, _ = township_polygons()
    tongwei = [f for f in base["features"] if county_of(f["properties"]["township_code"]) == TONGWEI]
    return bounds({"features": tongwei or base["features"]})


def township_shapes(store) -> tuple[dict, bool]:
    """``map_township_polygons`` of the townships ``store`` shows."""
    return map_township_polygons(store.query("townships"))


def county_shapes(store) -> tuple[dict, bool]:
    """(``county_polygons`` of the townships ``store`` shows, simplified to config ``[map]
    county_simplify_deg``, True if schematic)."""
    from analytics.config import load_config

    towns, schematic = township_shapes(store)
    return county_polygons(towns, float(load_config().map["county_simplify_deg"])), schematic
