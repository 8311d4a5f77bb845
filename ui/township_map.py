"""The township map as the overview and township pages show it: pick a colouring, click
a township to filter the page (the sidebar's township filter and the URL follow)."""

from __future__ import annotations

import streamlit as st

from analytics import maps
from analytics.config import config_path, load_config
from analytics.geo import township_polygons
from ui import data


#: The map's view on 乡镇 (full width): the whole county in 510×430 px or more; on 总览,
#: beside the league table, in 400×340 px (both at 1366×768: tests/browser/test_fit_pages.py).
PAGE_MAP_VIEW = {"latitude": 35.205, "longitude": 105.222, "zoom": 8.7}
OVERVIEW_MAP_VIEW = {**PAGE_MAP_VIEW, "zoom": 8.35}


def _select_township() -> None:
    state = st.session_state.get("township_map")
    objects = (state or {}).get("selection", {}).get("objects", {}).get("townships", [])
    if objects:
        st.session_state["township"] = [objects[0]["properties"]["township_code"]]


def village_dots(year: int):
    """The villages the maps draw as dots in ``year`` (``status.village_map_points``), or
    None when the viewer's scope holds more than config ``[pages] max_village_dots``: at
    province scale, tens of thousands of dots are megabytes a browser must read and draw,
    and too dense to tell apart on a county-sized map."""
    villages = data.village_map_points(year)
    return villages if len(villages) <= load_config().pages["max_village_dots"] else None


def townships_drawn_note(year: int) -> str:
    """'' when the map draws every township of the viewer's scope; else how many it draws
    of how many (the geography, data/geo/, holds Tongwei's 18: a dataset of more
    townships is listed in full on every page, but mapped only where a shape exists)."""
    polygons, _ = township_polygons()
    codes = {f["properties"]["township_code"] for f in polygons["features"]}
    values = data.township_map_values(year)
    drawn = int(values["township_code"].isin(codes).sum())
    if drawn == len(values):
        return ""
    return f"地图只画出有边界数据的 {drawn:,} 个乡镇（共 {len(values):,} 个）"


def village_key(year: int, mark) -> str:
    """The map legend's line for the villages' dots (``mark(label, rgba)`` draws one key),
    or why there are none."""
    villages = village_dots(year)
    if villages is None:
        return (f"村：共 {len(data.village_map_points(year)):,} 个，多于 "
                f"{load_config().pages['max_village_dots']:,} 个时不逐村画点")
    return "村（圆点）摘帽进度：" + "　".join(mark(label, c) for label, c in maps.village_legend(villages))


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _deck(generation: str, allowed: tuple, year: int, metric: str, dark: bool, label_size: int,
          height: int | None, view: tuple, config: str) -> maps.SerializedDeck:
    polygons, _ = township_polygons()
    return maps.SerializedDeck(maps.build_township_map(
        polygons, data.township_map_values(year), metric, village_dots(year),
        dark=dark, label_size=label_size, height=height, view=dict(view)))


def township_deck(year: int, metric: str, *, dark: bool, label_size: int, height: int | None,
                  view: dict) -> maps.SerializedDeck:
    """The township map of ``year`` coloured by ``metric``, as the viewer may see it,
    built and serialized once per database generation (not on every run)."""
    return _deck(data.get_store().generation, data.current_scope(), year, metric, dark,
                 label_size, height, tuple(sorted(view.items())), str(config_path()))


def township_map(year: int, *, height: int = 520, view: dict | None = None) -> None:
    """Draw the map for ``year`` with its metric choice and legend."""
    metric = st.segmented_control("地图着色", list(maps.METRICS), key="metric",
                                  bind="query-params", default="status",
                                  format_func=maps.METRICS.get) or "status"
    _, schematic = township_polygons()
    deck = township_deck(year, metric, dark=False, label_size=16, height=height,
                         view=view or PAGE_MAP_VIEW)
    st.pydeck_chart(deck, height=height, key="township_map", on_select=_select_township,
                    selection_mode="single-object")
    def key(label: str, c, mark: str) -> str:
        return (f'<span style="color: rgb({c[0]},{c[1]},{c[2]})">'
                f'{"□" if label.startswith("紫红框") else mark}</span> {label}')

    towns = "　".join(key(label, c, "■")
                     for label, c in maps.map_legend(metric, data.township_map_values(year)))
    legend = (f"乡镇{maps.METRICS[metric]}：{towns}"
              f"<br>{village_key(year, lambda label, c: key(label, c, '●'))}")
    partial = townships_drawn_note(year)
    st.markdown(legend + (f"<br>{partial}" if partial else "")
                + ("　·　示意图：乡镇范围按驻地划分，非法定边界；点击乡镇即筛选本页"
                   if schematic else "　·　点击乡镇即筛选本页"), unsafe_allow_html=True)
