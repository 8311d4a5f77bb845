"""The map as the overview and township pages show it: pick a colouring, click an area to
filter the page (the sidebar's filters and the URL follow).

The map draws the level in view: at province scope (more than one county visible, none
chosen) the counties, and a click chooses one; otherwise the townships of the county (or
of what the viewer may see) and their villages, and a click chooses a township.
"""

from __future__ import annotations

import streamlit as st

from analytics import maps
from analytics.config import config_path, load_config
from analytics.geo import reference_extent
from ui import data


#: The map's view of one county the size of Tongwei on 乡镇 (full width): the whole county
#: in 510×430 px or more; on 总览, beside the league table, in 400×340 px (both at 1366×768:
#: tests/browser/test_fit_pages.py). Another county, or the province's counties, are shown
#: as these show Tongwei (``maps.fitted_view``): centred on them, zoomed out to fit.
PAGE_MAP_VIEW = {"latitude": 35.205, "longitude": 105.222, "zoom": 8.7}
OVERVIEW_MAP_VIEW = {**PAGE_MAP_VIEW, "zoom": 8.35}


def map_level() -> str:
    """'county' when the map draws counties (the viewer sees more than one county and
    none is chosen: the province), else 'township'."""
    return "county" if len(data.counties()) > 1 and not st.session_state.get("county") else "township"


def _select_township() -> None:
    state = st.session_state.get("township_map")
    objects = (state or {}).get("selection", {}).get("objects", {}).get("townships", [])
    if objects:
        st.session_state["township"] = [objects[0]["properties"]["township_code"]]


def _select_county() -> None:
    """A county clicked on the province's map: it becomes the county filter's choice (the
    township filter then opens), as a click on a township chooses that township."""
    state = st.session_state.get("county_map")
    objects = (state or {}).get("selection", {}).get("objects", {}).get("counties", [])
    if objects:
        st.session_state["county"] = objects[0]["properties"]["county_code"]
        st.session_state["township"] = []
        st.session_state["village"] = []


def village_dots(year: int):
    """The villages the maps draw as dots in ``year`` (``status.village_map_points``), or
    None when the viewer's scope holds more than config ``[pages] max_village_dots``: at
    province scale, tens of thousands of dots are megabytes a browser must read and draw,
    and too dense to tell apart on a county-sized map."""
    villages = data.village_map_points(year)
    return villages if len(villages) <= load_config().pages["max_village_dots"] else None


def _shapes(level: str) -> tuple[dict, bool]:
    return data.county_shapes() if level == "county" else data.township_shapes()


def _values(level: str, year: int):
    return data.county_map_values(year) if level == "county" else data.township_map_values(year)


def townships_drawn_note(year: int, level: str = "township") -> str:
    """'' when the map draws every area (county or township) of the viewer's scope; else
    how many it draws of how many: the geography (data/geo/) holds Tongwei's 18 townships,
    and the demo's replica counties borrow them (``geo.map_township_polygons``); a county
    or township without boundary data is listed on every page, but not drawn."""
    key, unit = ("county_code", "县") if level == "county" else ("township_code", "乡镇")
    shapes, _ = _shapes(level)
    codes = {f["properties"][key] for f in shapes["features"]}
    values = _values(level, year)
    drawn = int(values[key].isin(codes).sum())
    if drawn == len(values):
        return ""
    return f"地图只画出有边界数据的 {drawn:,} 个{unit}（共 {len(values):,} 个）"


def shapes_note(level: str) -> str:
    """What the map's shapes are, in words: schematic, made up for the demo's counties.
    Read from the shapes of the level drawn: the province's map reads its counties', not
    the townships' (at 1,000 counties, reading 18,000 township shapes from the cache took
    0.7 s of the overview's 1.1 s)."""
    shapes, schematic = _shapes(level)
    words = []
    if schematic:
        words.append("示意图：乡镇范围按驻地划分，非法定边界" + ("，县界由其乡镇合并而成" if level == "county" else ""))
    if any(f["properties"].get("made_up") for f in shapes["features"]):  # a demo replica's
        words.append("演示县（通渭县·n）的边界为通渭县示意图平移而成，纯属虚构")
    return "；".join(words)


def village_key(year: int, mark, level: str = "township") -> str:
    """The map legend's line for the villages' dots (``mark(label, rgba)`` draws one key),
    or why there are none."""
    if level == "county":
        return "村：全省地图不画村点，选择县后显示其乡镇和村"
    villages = village_dots(year)
    if villages is None:
        return (f"村：共 {len(data.village_map_points(year)):,} 个，多于 "
                f"{load_config().pages['max_village_dots']:,} 个时不逐村画点")
    return "村（圆点）摘帽进度：" + "　".join(mark(label, c) for label, c in maps.village_legend(villages))


#: How far (zoom levels) the province's map may zoom out from a Tongwei-sized county's view
#: with the counties' names at full size: a 10-county demo (4 × 3 counties) is 2.1.
COUNTY_LABELS_FULL_ZOOM_OUT = 2.2
#: Names smaller than this (pixels) are not drawn: the tooltip names a county.
MIN_LABEL_PX = 10


def view_zoom(view: tuple) -> float:
    return float(dict(view)["zoom"])


def text_width(text: str, size: float) -> float:
    """Pixels ``text`` takes at ``size`` px with its outline, in the maps' CJK font: a CJK
    character and ``·`` (drawn full width) one em, a digit or Latin letter 0.6 em."""
    ems = sum(0.6 if ord(c) < 0x2E80 and c != "·" else 1.0 for c in text)
    return size * ems + 2 * maps.LABEL_OUTLINE_PX


def names_fit(areas: dict, size: float, zoom: float) -> bool:
    """Whether the areas' names (``properties.name``) drawn ``size`` px high fit across
    their areas at ``zoom`` (deck.gl's Web Mercator: the world is 512 × 2^zoom px wide),
    for the median area: names wider than their counties run into each other."""
    import statistics

    from analytics.geo import bounds

    features = areas["features"]
    if not features:
        return True
    px_per_degree = 512 * 2 ** zoom / 360
    widths = [(east - west) * px_per_degree
              for west, _, east, _ in (bounds({"features": [f]}) for f in features)]
    names = [text_width(str(f["properties"].get("name", "")), size) for f in features]
    return statistics.median(names) <= 0.9 * statistics.median(widths)  # a gap between names


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _deck(generation: str, allowed: tuple, level: str, year: int, metric: str, dark: bool,
          label_size: int, height: int | None, view: tuple, config: str) -> maps.SerializedDeck:
    from analytics.geo import bounds

    shapes, _ = _shapes(level)
    values = _values(level, year)
    key = "county_code" if level == "county" else "township_code"
    drawn = {"features": [f for f in shapes["features"] if f["properties"][key] in set(values[key])]}
    fitted = maps.fitted_view(bounds(drawn), dict(view), reference_extent())
    if level == "county":
        # the counties' names shrink with the counties once these are drawn smaller than
        # a 10-county grid's (4 × 3) are, and are left to the tooltip below a legible size
        # or when they are wider than their counties (a hundred counties: names run together)
        zoomed_out = view_zoom(view) - fitted["zoom"]
        size = round(label_size * 2 ** min(0.0, COUNTY_LABELS_FULL_ZOOM_OUT - zoomed_out))
        fits = size >= MIN_LABEL_PX and names_fit(drawn, size, fitted["zoom"])
        deck = maps.build_county_map(shapes, values, metric, dark=dark,
                                     label_size=size if fits else 0,
                                     height=height, view=fitted)
    else:
        deck = maps.build_township_map(shapes, values, metric, village_dots(year), dark=dark,
                                       label_size=label_size, height=height, view=fitted)
    return maps.SerializedDeck(deck)


def area_deck(year: int, metric: str, level: str, *, dark: bool, label_size: int,
              height: int | None, view: dict) -> maps.SerializedDeck:
    """The map of ``year`` at ``level`` ('county': the province's counties; 'township': the
    townships in scope and their villages) coloured by ``metric``, as the viewer may see
    it, built and serialized once per database generation (not on every run). ``view`` is
    the view of a Tongwei-sized county, fitted to what is drawn (``maps.fitted_view``)."""
    return _deck(data.get_store().generation, data.current_scope(), level, year, metric, dark,
                 label_size, height, tuple(sorted(view.items())), str(config_path()))


def township_deck(year: int, metric: str, *, dark: bool, label_size: int, height: int | None,
                  view: dict) -> maps.SerializedDeck:
    """``area_deck`` at the level in view (``map_level``)."""
    return area_deck(year, metric, map_level(), dark=dark, label_size=label_size, height=height,
                     view=view)


def township_map(year: int, *, height: int = 520, view: dict | None = None) -> None:
    """Draw the map for ``year`` with its metric choice and legend: the counties at
    province scope (a click chooses the county), else the townships (a click chooses the
    township)."""
    metric = st.segmented_control("地图着色", list(maps.METRICS), key="metric",
                                  bind="query-params", default="status",
                                  format_func=maps.METRICS.get) or "status"
    level = map_level()
    deck = area_deck(year, metric, level, dark=False, label_size=16, height=height,
                     view=view or PAGE_MAP_VIEW)
    if level == "county":
        st.pydeck_chart(deck, height=height, key="county_map", on_select=_select_county,
                        selection_mode="single-object")
    else:
        st.pydeck_chart(deck, height=height, key="township_map", on_select=_select_township,
                        selection_mode="single-object")

    def key(label: str, c, mark: str) -> str:
        return (f'<span style="color: rgb({c[0]},{c[1]},{c[2]})">'
                f'{"□" if label.startswith("紫红框") else mark}</span> {label}')

    areas = "　".join(key(label, c, "■")
                      for label, c in maps.map_legend(metric, _values(level, year)))
    unit = "县" if level == "county" else "乡镇"
    legend = (f"{unit}{maps.METRICS[metric]}：{areas}"
              f"<br>{village_key(year, lambda label, c: key(label, c, '●'), level)}")
    partial = townships_drawn_note(year, level)
    notes = [n for n in (shapes_note(level), f"点击{unit}即筛选本页") if n]
    st.markdown(legend + (f"<br>{partial}" if partial else "") + "　·　" + "　·　".join(notes),
                unsafe_allow_html=True)
