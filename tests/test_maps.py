"""The township geography and the map builders: offline, complete, status-coloured."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import shape

from analytics import geo
from analytics.maps import (
    METRICS,
    SerializedDeck,
    build_township_map,
    map_legend,
    township_colors,
    village_legend,
)
from analytics.status import township_map_values, village_map_points
from analytics.verdicts import VERDICT_COLORS, VERDICTS


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
    assert json.loads(frozen.to_json()) == json.loads(deck.to_json())
    assert len(frozen.to_json()) < 0.6 * len(deck.to_json())  # compact: no indentation
    assert frozen._tooltip == deck._tooltip and frozen.layers == []


@pytest.mark.parametrize(("metric", "column", "labels", "green_value"), [
    ("incidence", "poverty_incidence_pct", ["0%", "15%", "30%及以上"], 0.0),
    ("relapse", "relapse_rate_pct", ["0%", "5%", "10%及以上"], 0.0),
    ("income_progress", "income_progress_pct", ["100%", "50%", "0%及以下"], 100.0),
])
def test_every_metric_legend_explains_every_colour_on_the_map(demo_store, metric, column, labels,
                                                              green_value):
    """The ramp's ends come from config [map]; a township with no value and the outline over
    the relapse cap are explained under every metric, not only under 摘帽进度."""
    values = township_map_values(demo_store, 2017)
    values = values.assign(**{column: [green_value, float("nan")] + [values[column].iloc[2]] * 16},
                           over_cap=[True] + [False] * 17)
    legend = map_legend(metric, values)
    shown = [label for label, _ in legend]
    assert shown[:3] == labels
    assert legend[0][1][:3] == [39, 174, 96] and legend[2][1][:3] == [231, 76, 60]
    assert ("无数据", VERDICT_COLORS["no_data"]) in legend
    assert any(label.startswith("紫红框") for label in shown)
    # every fill on the map is a legend colour or lies on the ramp between its ends
    fills = township_colors(values, metric)
    assert fills[0] == legend[0][1] and fills[1] == VERDICT_COLORS["no_data"]
    # without a missing value or a township over the cap, neither is listed
    plain = values.assign(**{column: [green_value] * 18}, over_cap=[False] * 18)
    assert [label for label, _ in map_legend(metric, plain)] == labels


def test_village_legend_lists_the_verdicts_of_the_dots(demo_store):
    points = village_map_points(demo_store, 2017)
    shown = [label for label, _ in village_legend(points)]
    assert set(shown) == {VERDICTS[v] for v in points["verdict"].unique()}
    assert [label for label, _ in village_legend(points.iloc[0:0])] == []
