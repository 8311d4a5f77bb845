"""The township geography and the map builders: offline, complete, status-coloured."""

from __future__ import annotations

import json

import shapely
from shapely.geometry import shape

from analytics import geo
from analytics.maps import METRICS, SerializedDeck, build_township_map, map_legend, township_colors
from analytics.status import township_map_values, village_map_points
from analytics.verdicts import VERDICT_COLORS


def test_schematic_polygons_cover_the_county_and_hold_their_seats():
    collection = geo.schematic_township_polygons()
    assert len(collection["features"]) == 18
    county = shape(geo.county_outline()["features"][0]["geometry"])
    union = shapely.union_all([shape(f["geometry"]) for f in collection["features"]])
    assert union.area / county.area > 0.98
    for feature in collection["features"]:
        props = feature["properties"]
        assert shape(feature["geometry"]).contains(shapely.Point(props["seat_lon"], props["seat_lat"]))


def test_kept_schematic_file_is_up_to_date():
    kept = json.loads(geo.SCHEMATIC.read_text(encoding="utf-8"))
    assert [f["properties"]["township_code"] for f in kept["features"]] == \
        [f["properties"]["township_code"] for f in geo.schematic_township_polygons()["features"]]


def test_an_official_boundary_file_replaces_the_schematic(tmp_path, monkeypatch):
    official = tmp_path / "townships_official.geojson"
    official.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    monkeypatch.setattr(geo, "OFFICIAL", official)
    collection, schematic = geo.township_polygons()
    assert schematic is False and collection["features"] == []


def test_map_is_offline_and_carries_no_personal_data(demo_store):
    values = township_map_values(demo_store, 2017)
    points = village_map_points(demo_store, 2017)
    polygons, _ = geo.township_polygons()
    deck = build_township_map(polygons, values, "status", points)
    spec = json.loads(deck.to_json())
    text = json.dumps(spec, ensure_ascii=False)
    assert "http" not in text  # no tiles, no style, no fonts fetched
    # the style sentinel: Streamlit's front end only fetches a basemap style when it is null
    assert spec["mapStyle"] == "__MAP_STYLE__"
    assert "mapProvider" not in spec or spec["mapProvider"] is None
    assert "head_name" not in text and "head_id_number" not in text
    layer_ids = [layer["id"] for layer in spec["layers"]]
    assert layer_ids == ["townships", "over_cap", "villages", "labels"]


def test_status_colours_and_legends(demo_store):
    values = township_map_values(demo_store, 2017)
    colours = township_colors(values, "status")
    assert colours == [VERDICT_COLORS[s] for s in values["verdict"]]
    for metric in METRICS:
        legend = map_legend(metric)
        assert legend and all(len(colour) == 4 for _, colour in legend)
    # the verdict legend lists only the verdicts on the map, and the over-cap outline when any
    shown = [label for label, _ in map_legend("status", values)]
    assert set(shown[:len(set(values["verdict"]))]) == set(values["verdict_label"])
    assert any("返贫率超" in label for label in shown) == bool(values["over_cap"].any())
    ramp = township_colors(values.assign(poverty_incidence_pct=[0.0, 30.0] + [15.0] * 16), "incidence")
    assert ramp[0][:3] == [39, 174, 96] and ramp[1][:3] == [231, 76, 60]


def test_a_serialized_deck_draws_the_same_map(demo_store):
    values = township_map_values(demo_store, 2017)
    polygons, _ = geo.township_polygons()
    deck = build_township_map(polygons, values, "relapse", village_map_points(demo_store, 2017))
    frozen = SerializedDeck(deck)
    assert frozen.to_json() == deck.to_json()
    assert frozen._tooltip == deck._tooltip and frozen.layers == []
