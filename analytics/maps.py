"""pydeck map builders: township or county polygons coloured by verdict or by a metric,
village points.

Offline by construction: ``map_provider=None`` (no basemap, no tiles, no style
request). Builders return a ``pydeck.Deck`` and never draw it.
"""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pandas as pd
import pydeck as pdk

from analytics.config import load_config
from analytics.verdicts import VERDICT_COLORS, VERDICTS

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
#: The outline around the maps' names, pixels each side (ui.township_map counts it in a
#: name's width).
LABEL_OUTLINE_PX = 4
METRICS = {
    "status": "摘帽进度",
    "incidence": "贫困发生率",
    "relapse": "返贫率",
    "income_progress": "收入目标进度",
}
#: metric → (column, config key of its [map] range): values mapped onto a green→red ramp
_RAMPS = {
    "incidence": ("poverty_incidence_pct", "incidence_range_pct"),
    "relapse": ("relapse_rate_pct", "relapse_range_pct"),
    "income_progress": ("income_progress_pct", "income_progress_range_pct"),
}
_GREEN, _AMBER, _RED = np.array([39, 174, 96]), np.array([243, 156, 18]), np.array([231, 76, 60])


def ramp_range(metric: str) -> tuple[float, float]:
    """(green end, red end) of ``metric``'s ramp, in %, from config ``[map]``; the green end
    is the larger one for a measure where more is better (income progress)."""
    green, red = load_config().map[_RAMPS[metric][1]]
    return float(green), float(red)


def _ramp(values: pd.Series, green: float, red: float) -> list[list[int]]:
    share = ((values.astype("float64") - green) / (red - green)).clip(0, 1)
    colors = []
    for s in share:
        if s != s:
            colors.append(VERDICT_COLORS["no_data"])
            continue
        rgb = _GREEN + (_AMBER - _GREEN) * (s * 2) if s < 0.5 else _AMBER + (_RED - _AMBER) * ((s - 0.5) * 2)
        colors.append([int(c) for c in rgb] + [225])
    return colors


OVER_CAP_LINE = [255, 64, 200, 255]  # magenta: distinct from every verdict colour


def map_legend(metric: str, values: pd.DataFrame | None = None) -> list[tuple[str, list[int]]]:
    """(label, RGBA) pairs explaining the townships' colours under ``metric``: the verdicts
    among ``values`` (all when None), or the ramp's green end, middle and red end (from
    config ``[map]``) and 无数据 when a township has no value; then, whatever the metric,
    the magenta outline of a township over the relapse cap when one is (always when None).
    The labels name their unit; ``village_legend`` explains the villages' dots."""
    if metric == "status":
        shown = [k for k in VERDICTS if values is None or (values["verdict"] == k).any()]
        keys = [(VERDICTS[k], VERDICT_COLORS[k]) for k in shown]
    else:
        column = _RAMPS[metric][0]
        green, red = ramp_range(metric)
        stops = [green, (green + red) / 2, red]
        beyond = "及以上" if red > green else "及以下"
        keys = [(f"{v:g}%{beyond if i == 2 else ''}", c)
                for i, (v, c) in enumerate(zip(stops, _ramp(pd.Series(stops), green, red)))]
        if values is None or values[column].isna().any():
            keys.append(("无数据", VERDICT_COLORS["no_data"]))
    if values is None or values["over_cap"].any():
        cap = load_config().targets["relapse_cap_pct"]
        keys.append((f"紫红框：返贫率超{cap:g}%上限", OVER_CAP_LINE))
    return keys


def village_legend(villages: pd.DataFrame | None = None) -> list[tuple[str, list[int]]]:
    """(label, RGBA) of the villages' dots, coloured by their verdict whatever the metric:
    the verdicts among ``villages`` (all when None)."""
    shown = [k for k in VERDICTS if villages is None or (villages["verdict"] == k).any()]
    return [(VERDICTS[k], VERDICT_COLORS.get(k, VERDICT_COLORS["no_data"])) for k in shown]


def township_colors(values: pd.DataFrame, metric: str) -> list[list[int]]:
    """Fill colour per township row for ``metric`` (verdict colours or a green→red ramp)."""
    if metric == "status":
        return [VERDICT_COLORS[s] for s in values["verdict"]]
    green, red = ramp_range(metric)
    return _ramp(values[_RAMPS[metric][0]], green, red)


def build_township_map(polygons: dict, values: pd.DataFrame, metric: str = "status",
                       villages: pd.DataFrame | None = None, *, dark: bool = True,
                       label_size: int = 18, height: int | None = 700,
                       view: dict | None = None) -> pdk.Deck:
    """The township map: polygons coloured by ``metric``, short names on top, villages as dots.

    ``values``: one row per township_code with name, verdict, verdict_text, over_cap and
    the metric columns (poverty_incidence_pct, relapse_rate_pct, income_progress_pct);
    a township over the relapse cap gets a magenta outline. ``villages``: lon, lat and
    verdict. No personal data goes into the map.
    """
    return _area_map(polygons, values, "township_code", "townships", metric, villages, dark=dark,
                     label_size=label_size, height=height, view=view)


def build_county_map(polygons: dict, values: pd.DataFrame, metric: str = "status", *,
                     dark: bool = True, label_size: int = 18, height: int | None = 700,
                     view: dict | None = None) -> pdk.Deck:
    """The province's map: one polygon per county (``geo.county_polygons``) coloured by
    ``metric`` as the township map colours townships, the county's name on top, no village
    dots (tens of thousands at province scale); ``label_size`` 0 draws no names (counties too
    small on screen for them). ``values``: one row per county_code with
    the columns ``build_township_map`` reads (``status.county_map_values``); the layer's
    id is ``counties``."""
    return _area_map(polygons, values, "county_code", "counties", metric, None, dark=dark,
                     label_size=label_size, height=height, view=view)


def _area_map(polygons: dict, values: pd.DataFrame, code_key: str, layer_id: str, metric: str,
              villages: pd.DataFrame | None, *, dark: bool, label_size: int, height: int | None,
              view: dict | None) -> pdk.Deck:
    """A map of areas (townships or counties: ``code_key`` names their code in ``values``
    and in the features' properties) coloured by ``metric``; see ``build_township_map``."""
    values = values.copy()
    values["fill"] = township_colors(values, metric)
    by_code = values.set_index(code_key)
    collection = copy.deepcopy(polygons)
    # only the areas in ``values``: a viewer restricted to some townships sees no others
    collection["features"] = [f for f in collection["features"]
                              if f["properties"][code_key] in by_code.index]
    for feature in collection["features"]:
        code = feature["properties"][code_key]
        props = feature["properties"]
        row = by_code.loc[code]  # only areas in ``values`` are kept (above)
        props["fill"] = row["fill"]
        props["status_label"] = row.get("verdict_text", "")
        props["over_cap"] = bool(row.get("over_cap", False))
        for column in ("poverty_incidence_pct", "relapse_rate_pct", "income_progress_pct",
                       "high_risk_households"):
            value = row.get(column)
            props[column] = None if value is None or value != value else round(float(value), 2)
    line = [230, 230, 230, 255] if dark else [60, 60, 60, 255]
    layers = [
        pdk.Layer("GeoJsonLayer", collection, id=layer_id, stroked=True, filled=True,
                  get_fill_color="properties.fill", get_line_color=line, line_width_min_pixels=2,
                  pickable=True),
        # over the relapse cap: a thick magenta outline on top, beside the verdict's colour
        pdk.Layer("GeoJsonLayer", {**collection, "features": [
                      f for f in collection["features"] if f["properties"]["over_cap"]]},
                  id="over_cap", stroked=True, filled=False, get_line_color=OVER_CAP_LINE,
                  line_width_min_pixels=6, pickable=False),
    ]
    if villages is not None and len(villages):
        points = villages.dropna(subset=["lat", "lon"]).copy()
        points["color"] = [VERDICT_COLORS.get(s, VERDICT_COLORS["no_data"]) for s in points["verdict"]]
        layers.append(pdk.Layer("ScatterplotLayer", points[["lon", "lat", "color", "name"]],
                                id="villages", get_position=["lon", "lat"], get_fill_color="color",
                                get_line_color=[20, 20, 20, 255], stroked=True,
                                line_width_min_pixels=1, get_radius=450, radius_min_pixels=3,
                                radius_max_pixels=7, pickable=False))
    short = by_code["short_name"] if "short_name" in by_code else pd.Series(dtype=str)

    def label(props: dict) -> dict:
        return {"name": short.get(props[code_key], props["name"]),
                "lon": props.get("label_lon", props.get("seat_lon")),
                "lat": props.get("label_lat", props.get("seat_lat"))}

    labels = pd.DataFrame([label(f["properties"]) for f in collection["features"]] if label_size > 0
                          else [], columns=["name", "lon", "lat"])  # size 0: no names drawn
    layers.append(pdk.Layer("TextLayer", labels, id="labels", get_position=["lon", "lat"],
                            get_text="name", get_size=label_size, size_units="'pixels'",
                            get_color=[255, 255, 255, 255] if dark else [20, 20, 20, 255],
                            outline_width=LABEL_OUTLINE_PX, outline_color=[0, 0, 0, 255] if dark else [255, 255, 255, 255],
                            font_settings={"sdf": True}, font_family=f"'{FONT}'", character_set="'auto'",
                            get_text_anchor="'middle'", get_alignment_baseline="'center'"))
    view_state = pdk.ViewState(**(view or {"latitude": 35.21, "longitude": 105.22, "zoom": 9.55}))
    # pydeck reads a bare string as a JavaScript expression: literal strings are quoted.
    return pdk.Deck(layers=layers, initial_view_state=view_state, map_provider=None,
                    height=height,
                    tooltip={"text": "{name}\n{status_label}\n贫困发生率 {poverty_incidence_pct}%\n"
                                     "返贫率 {relapse_rate_pct}%\n高风险户 {high_risk_households}"})


def fitted_view(extent: tuple[float, float, float, float] | None, reference: dict,
                reference_extent: tuple[float, float, float, float], max_zoom_in: float = 1.0) -> dict:
    """The view that shows ``extent`` (west, south, east, north, degrees) as ``reference``
    (latitude, longitude, zoom: a view tuned to a panel) shows ``reference_extent`` (the
    county it was tuned on): moved by the shift between their centres, zoomed out by
    log2 of how many times wider or taller ``extent`` is (in by at most ``max_zoom_in``).
    ``reference`` itself for ``reference_extent``, or when ``extent`` is None (nothing
    drawn)."""
    if extent is None:
        return dict(reference)
    west, south, east, north = extent
    r_west, r_south, r_east, r_north = reference_extent
    ratio = max((east - west) / (r_east - r_west), (north - south) / (r_north - r_south))
    zoom = reference["zoom"] - (math.log2(ratio) if ratio > 0 else 0.0)
    return {**reference,
            "latitude": round(reference["latitude"] + (south + north - r_south - r_north) / 2, 4),
            "longitude": round(reference["longitude"] + (west + east - r_west - r_east) / 2, 4),
            "zoom": round(min(zoom, reference["zoom"] + max_zoom_in), 3)}


class SerializedDeck(pdk.Deck):
    """``deck`` serialized once: ``to_json`` returns the stored JSON.

    Streamlit serializes a chart on every run; a map that changes only with the data
    (thousands of village points at province scale) is kept in this form and drawn
    again without serializing its layers again. The JSON is compact: pydeck indents it,
    which made a map 2.5 times the size the browser must read (bench/results/README.md).
    """

    def __init__(self, deck: pdk.Deck):
        self.__dict__.update(vars(deck))
        self._json = json.dumps(json.loads(deck.to_json()), ensure_ascii=False,
                                separators=(",", ":"))
        self.layers = []  # serialized above: nothing left for Streamlit to convert

    def to_json(self) -> str:
        return self._json
