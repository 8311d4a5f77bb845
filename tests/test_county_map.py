"""The map's geometry at province scale (issue 18, "the map (counties first, then
townships)"): the demo's replica counties drawn with Tongwei's township polygons moved to
their place on the demo's grid, one polygon per county (the union of its townships'),
simplified for the screen; a county without boundary data listed but not drawn; the view
fitted to what is drawn."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely
from shapely.affinity import translate
from shapely.geometry import shape

from analytics import geo, maps
from analytics.demo.geography import load_geography
from analytics.demo.tables import GRID_STEP_LAT, GRID_STEP_LON, _townships, grid_columns, grid_offset

TOLERANCE = 0.01  # data/config.toml [map] county_simplify_deg as shipped


def replica_townships(replicas: int) -> pd.DataFrame:
    """The demo's townships table of ``replicas`` counties (no households: cheap)."""
    return _townships(load_geography(), [(k, 1.0) for k in range(replicas)], grid_columns(replicas))


@pytest.mark.parametrize(("replicas", "columns"), [(1, 1), (2, 2), (3, 2), (4, 2), (5, 3),
                                                   (10, 4), (100, 10), (101, 11)])
def test_the_demo_grid_is_as_square_as_it_goes(replicas, columns):
    assert grid_columns(replicas) == columns
    rows = -(-replicas // columns)
    assert rows <= columns  # never taller than wide: a compact province, not a strip


@pytest.mark.parametrize(("k", "columns", "shift"), [
    (0, 4, (0.0, 0.0)),                         # Tongwei stays where it is
    (1, 4, (0.0, GRID_STEP_LON)),               # one step east
    (4, 4, (GRID_STEP_LAT, 0.0)),               # the next row: one step north
    (9, 4, (2 * GRID_STEP_LAT, GRID_STEP_LON)),
    (1, 2, (0.0, GRID_STEP_LON)),               # scale 2 (tests/test_demo_pinned.py)
    (57, 10, (5 * GRID_STEP_LAT, 7 * GRID_STEP_LON)),
])
def test_grid_offset(k, columns, shift):
    assert grid_offset(k, columns) == pytest.approx(shift)


@pytest.mark.parametrize("replicas", [3, 10])
def test_a_replica_township_is_tongweis_polygon_moved_by_its_seats_shift(replicas):
    towns = replica_townships(replicas)
    shapes, schematic = geo.map_township_polygons(towns)
    assert schematic
    base = {f["properties"]["township_code"][-3:]: shape(f["geometry"])
            for f in geo.township_polygons()[0]["features"]}
    columns = grid_columns(replicas)
    assert [f["properties"]["township_code"] for f in shapes["features"]] == list(towns["township_code"])
    for feature in shapes["features"]:
        props = feature["properties"]
        code = props["township_code"]
        k = 0 if code.startswith("621121") else int(code[:6]) - 900000
        dlat, dlon = grid_offset(k, columns)
        moved = translate(base[code[-3:]], xoff=dlon, yoff=dlat)
        drawn = shape(feature["geometry"])
        assert drawn.hausdorff_distance(moved) < 1e-4, code  # the same shape, 10 m apart at most
        assert drawn.contains(shapely.Point(props["seat_lon"], props["seat_lat"])), code
        assert props.get("made_up", False) is (k > 0)
        assert props["name"] == towns.set_index("township_code").at[code, "name"]


@pytest.mark.parametrize("replicas", [2, 3, 10, 100])
def test_every_replica_county_gets_one_polygon_and_none_overlap(replicas):
    towns = replica_townships(replicas)
    shapes, _ = geo.map_township_polygons(towns)
    counties = geo.county_polygons(shapes, TOLERANCE)
    codes = [f["properties"]["county_code"] for f in counties["features"]]
    assert codes == sorted({c[:6] for c in towns["township_code"]})
    assert len(codes) == replicas
    polygons = [shape(f["geometry"]) for f in counties["features"]]
    townships_area = sum(shape(f["geometry"]).area for f in shapes["features"]) / replicas
    for polygon, feature in zip(polygons, counties["features"]):
        props = feature["properties"]
        assert polygon.is_valid and polygon.geom_type == "Polygon", props["county_code"]  # one piece
        mine = shapely.union_all([shape(f["geometry"]) for f in shapes["features"]
                                  if f["properties"]["township_code"].startswith(props["county_code"])])
        assert polygon.difference(mine.buffer(2 * TOLERANCE)).area == 0  # no spike out of it
        assert mine.difference(polygon).area < 0.01 * mine.area  # nothing of it cut off
        assert polygon.area == pytest.approx(townships_area, rel=0.02)  # simplified, not shrunk
        assert polygon.contains(shapely.Point(props["label_lon"], props["label_lat"]))
        assert props["made_up"] is (props["county_code"] != "621121")
    tree = shapely.STRtree(polygons)
    for i, polygon in enumerate(polygons):
        for j in tree.query(polygon):
            if j != i:
                assert polygon.intersection(polygons[j]).area == 0, (codes[i], codes[j])


def test_a_county_without_boundary_data_is_not_drawn():
    """A real county other than Tongwei has no shapes (nor a demo offset): none drawn."""
    towns = pd.concat([replica_townships(2), pd.DataFrame({
        "township_code": ["620102001", "620102002"], "name": ["甲镇", "乙乡"],
        "seat_lat": [36.0, 36.1], "seat_lon": [103.8, 103.9]})], ignore_index=True)
    shapes, _ = geo.map_township_polygons(towns)
    drawn = {f["properties"]["township_code"][:6] for f in shapes["features"]}
    assert drawn == {"621121", "900001"}
    counties = geo.county_polygons(shapes, TOLERANCE)
    assert [f["properties"]["county_code"] for f in counties["features"]] == ["621121", "900001"]


def test_county_outlines_are_simplified_for_the_screen():
    shapes, _ = geo.map_township_polygons(replica_townships(1))
    townships = sum(len(shapely.get_coordinates(shape(f["geometry"]))) for f in shapes["features"])
    county = geo.county_polygons(shapes, TOLERANCE)["features"][0]
    assert len(shapely.get_coordinates(shape(county["geometry"]))) < townships / 3
    coarse = geo.county_polygons(shapes, 10 * TOLERANCE)["features"][0]
    assert len(shapely.get_coordinates(shape(coarse["geometry"]))) < \
        len(shapely.get_coordinates(shape(county["geometry"])))


REFERENCE = {"latitude": 35.2, "longitude": 105.2, "zoom": 9.0}
EXTENT = (105.0, 35.0, 105.4, 35.4)


@pytest.mark.parametrize(("extent", "expected"), [
    (EXTENT, REFERENCE),                                                    # the county tuned on
    ((105.7, 35.0, 106.1, 35.4), {**REFERENCE, "longitude": 105.9}),        # a replica one step east
    ((105.0, 35.0, 105.8, 35.4), {**REFERENCE, "longitude": 105.4, "zoom": 8.0}),  # twice as wide
    ((105.0, 35.0, 105.4, 36.6), {**REFERENCE, "latitude": 35.8, "zoom": 7.0}),    # four times as tall
    ((105.1, 35.1, 105.2, 35.2), {**REFERENCE, "latitude": 35.15, "longitude": 105.15,
                                  "zoom": 10.0}),                           # smaller: in by 1 at most
    (None, REFERENCE),                                                      # nothing drawn
])
def test_the_view_fits_what_is_drawn(extent, expected):
    assert maps.fitted_view(extent, REFERENCE, EXTENT) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "size", "width"), [
    ("通渭县", 10, 10 * 3 + 8),             # CJK one em each, plus the outline both sides
    ("通渭县·37", 10, 10 * (3 + 1 + 1.2) + 8),  # · drawn full width, digits 0.6 em
    ("", 20, 8),
])
def test_a_names_width_on_the_map(text, size, width):
    from ui.township_map import text_width

    assert text_width(text, size) == pytest.approx(width)


@pytest.mark.parametrize(("replicas", "fits"), [(3, True), (10, True), (100, False)])
def test_county_names_are_drawn_only_while_they_fit_their_counties(replicas, fits):
    """Newcomer finding (stop 28): at 100 counties the battle map's county names ran into
    one another, a black smear across every county. Names are drawn while the median name
    fits 90 % of the median county's width at the view the map is drawn at (the battle map's
    view and label size at 1920 × 1080, shrunk as ``ui.township_map._deck`` shrinks them)."""
    import math

    from analytics.counties import county_name
    from ui.battle import MAP_VIEW
    from ui.township_map import COUNTY_LABELS_FULL_ZOOM_OUT, names_fit

    towns = replica_townships(replicas)
    counties = geo.county_polygons(geo.map_township_polygons(towns)[0], TOLERANCE)
    for feature in counties["features"]:
        feature["properties"]["name"] = county_name(feature["properties"]["county_code"])
    fitted = maps.fitted_view(geo.bounds(counties), MAP_VIEW, geo.reference_extent())
    size = round(26 * 2 ** min(0.0, COUNTY_LABELS_FULL_ZOOM_OUT - (MAP_VIEW["zoom"] - fitted["zoom"])))
    assert names_fit(counties, size, fitted["zoom"]) is fits
    assert math.isfinite(fitted["zoom"])
