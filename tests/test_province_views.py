"""A province's views send what they show (issue 14, point 8): beyond config ``[pages]``
limits, the 乡镇 page lists only the villages furthest from the exit line and the maps
draw no village dots, and each says so; the exports keep every village."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import households
from analytics.config import CONFIG_PATH, ROOT
from analytics.households import most_behind_villages

YEAR = 2017


@pytest.mark.parametrize(("rows", "limit", "kept"), [
    # (village_code, persons_to_threshold, poverty_incidence_pct)
    ([("a", 5, 9.0), ("b", 1, 20.0), ("c", 7, 3.0)], 3, ["a", "b", "c"]),   # within the limit: all
    ([("a", 5, 9.0), ("b", 1, 20.0), ("c", 7, 3.0)], 2, ["a", "c"]),        # most persons first
    ([("a", 5, 9.0), ("b", 5, 12.0), ("c", 0, 1.0)], 1, ["b"]),             # tie: higher incidence
    ([("b", 5, 9.0), ("a", 5, 9.0), ("c", 0, 1.0)], 1, ["a"]),              # tie again: code
    ([("a", None, None), ("b", 0, 1.0), ("c", 2, 4.0)], 2, ["b", "c"]),     # no data: last
    ([("c", 2, 4.0), ("a", 9, 30.0), ("b", 0, 1.0)], 2, ["c", "a"]),        # the table's order kept
])
def test_most_behind_villages(rows, limit, kept):
    frame = pd.DataFrame(rows, columns=["village_code", "persons_to_threshold",
                                        "poverty_incidence_pct"])
    frame["persons_to_threshold"] = frame["persons_to_threshold"].astype("Int64")
    assert list(most_behind_villages(frame, limit)["village_code"]) == kept


@pytest.fixture
def small_limits(tmp_path, monkeypatch, demo_db):
    """The shipped config with both ``[pages]`` limits at 10 villages."""
    text = CONFIG_PATH.read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^(max_villages_listed|max_village_dots)\s*=\s*\d+", r"\1 = 10", text)
    assert n == 2
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("TONGWEI_CONFIG", str(path))
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    return path


def _townships_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.switch_page("pages/townships.py")  # opened at its address, as a link opens it
    at.query_params["year"] = str(YEAR)
    at.run()
    at.selectbox(key="year").set_value(YEAR).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _deck_layers(at: AppTest) -> list[str]:
    specs = [json.loads(e.proto.json) for e in at.get("deck_gl_json_chart")]
    assert specs, "the page draws its map"
    return [layer["id"] for layer in specs[0]["layers"]]


def test_beyond_the_limits_the_page_lists_the_most_behind_and_draws_no_dots(small_limits, demo_store):
    at = _townships_page()
    every = households.village_table(demo_store, YEAR)
    assert len(every) > 10
    table = at.dataframe[0].value
    assert list(table["village_code"]) == list(most_behind_villages(every, 10)["village_code"])
    captions = " ".join(c.value for c in at.caption)
    assert "10 个" in captions and f"{len(every):,} 个村" in captions
    assert len(at.selectbox(key="drill_village").options) == 10
    assert "villages" not in _deck_layers(at)
    assert "不逐村画点" in " ".join(m.value for m in at.markdown)


def test_within_the_limits_every_village_is_listed_and_drawn(demo_db, monkeypatch, demo_store):
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    at = _townships_page()
    every = households.village_table(demo_store, YEAR)
    assert len(at.dataframe[0].value) == len(every)
    assert "villages" in _deck_layers(at)
    assert "村（圆点）摘帽进度" in " ".join(m.value for m in at.markdown)


def test_the_battle_map_draws_no_village_dots_beyond_the_limit_and_says_so(small_limits):
    at = AppTest.from_file(str(ROOT / "pages" / "battle_map.py"), default_timeout=90)
    at.query_params["year"] = str(YEAR)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "villages" not in _deck_layers(at)
    assert "不逐村画点" in " ".join(m.value for m in at.markdown)


def test_a_map_that_draws_only_some_townships_says_how_many(demo_db, monkeypatch):
    """The geography holds Tongwei's 18 townships: with a shape missing (here: taken out),
    the map's legend says how many it draws of how many; with all, it says nothing."""
    import streamlit as st

    from analytics import geo

    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    at = _townships_page()
    assert "有边界数据" not in " ".join(m.value for m in at.markdown)
    polygons, schematic = geo.township_polygons()
    fewer = {**polygons, "features": polygons["features"][:-1]}
    monkeypatch.setattr(geo, "township_polygons", lambda: (fewer, schematic))
    st.cache_data.clear()  # the shapes are cached per database generation
    try:
        at = _townships_page()
        assert "地图只画出有边界数据的 17 个乡镇（共 18 个）" in " ".join(m.value for m in at.markdown)
    finally:
        st.cache_data.clear()
