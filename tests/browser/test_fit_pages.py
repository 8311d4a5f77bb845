"""Nothing truncated (issue 14, point 4): tiles show their whole label and value, wide
tables keep their key columns in view, and the township map shows the whole county, at
1366×768 and 1920×1080."""

from __future__ import annotations

import pytest

from tests.browser.server import At, wait_until_rendered
from tests.browser.test_battle_fit import county_extent_px
from ui.township_map import OVERVIEW_MAP_VIEW, PAGE_MAP_VIEW

#: Tiles whose label, value or delta ends in "…" or overflows its box.
CUT_TILES = """() => [...document.querySelectorAll('[data-testid="stMetric"]')].flatMap(tile =>
    [...tile.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricValue"] *, '
                              + '[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *, '
                              + '[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] *')]
        .filter(e => e.scrollWidth > e.clientWidth + 1 || getComputedStyle(e).textOverflow === 'ellipsis'
                     && e.scrollWidth > e.clientWidth)
        .map(e => e.textContent))"""

#: the pages with tiles (乡镇 has tables and charts only); 保障与设施 in 2018, when the demo's
#: 饮水安全 has unrecorded persons (the longest delta: 未达标 373 人，未记录 4,497 人)
PAGES = [("", "总览"), ("relapse", "返贫监测"), ("income", "收入"), ("data", "数据"),
         ("guarantees?year=2018", "保障与设施"), ("assistance?year=2017", "帮扶措施"),
         ("review?year=2016", "回头看")]
#: the window sizes checked: the smallest laptop screen, and full HD
SIZES = [(1366, 768), (1920, 1080)]
TILED = [(At(path, w, h), heading) for path, heading in PAGES for w, h in SIZES]
MAPS = [(At("", 1366, 768), "总览", OVERVIEW_MAP_VIEW), (At("townships?year=2017", 1366, 768), "乡镇", PAGE_MAP_VIEW)]


@pytest.mark.parametrize(("shown", "heading"), TILED, indirect=["shown"], ids=[str(c[0]) for c in TILED])
def test_tiles_show_their_whole_label_and_value(shown, heading):
    page = shown.as_loaded()
    wait_until_rendered(page, heading)
    # every page here shows at least three tiles: wait for them, not for the first one
    # (on a busy machine the script can be idle between two reruns with one tile drawn)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length >= 3",
        timeout=60000)
    assert page.evaluate(CUT_TILES) == []


@pytest.mark.parametrize(("shown", "heading", "view"), MAPS, indirect=["shown"], ids=[str(c[0]) for c in MAPS])
def test_the_township_map_shows_the_whole_county_at_1366(shown, heading, view):
    page = shown.as_loaded()
    wait_until_rendered(page, heading)
    page.wait_for_function(  # the canvas has taken its box's size (300×150 before)
        """() => { const c = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
                   return c && c.getBoundingClientRect().width > 300; }""", timeout=60000)
    canvas = page.evaluate("""() => { const r = document.querySelector(
        '[data-testid="stDeckGlJsonChart"] canvas').getBoundingClientRect();
        return [r.width, r.height]; }""")
    need_w, need_h = county_extent_px(view)
    assert canvas[0] >= need_w and canvas[1] >= need_h, (canvas, need_w, need_h)


@pytest.mark.parametrize("shown", [At("townships?year=2017")], indirect=True, ids=str)
def test_the_village_table_keeps_township_and_village_in_view(shown):
    """The 332-village table is wider than the page: 乡镇 and 村 are pinned to its left
    edge, so they stay in view when it scrolls sideways."""
    page = shown.as_loaded()
    wait_until_rendered(page, "乡镇")
    headers = page.wait_for_function("""() => {
        const table = document.querySelector('[data-testid="stDataFrame"]');
        const cells = table ? [...table.querySelectorAll('[role="columnheader"]')] : [];
        return cells.length > 2 && cells.slice(0, 2).map(e => e.textContent.trim()); }""",
        timeout=60000).json_value()
    assert headers == ["乡镇", "村"]


@pytest.mark.parametrize("shown", [At("guarantees?year=2017", w, h) for w, h in SIZES], indirect=True, ids=str)
def test_the_target_tables_verdict_is_in_view(shown):
    """保障与设施's target table is wider than the page at 1366 px: its 判定 stands beside
    the 目标 it judges, so it is in view without scrolling sideways."""
    page = shown.as_loaded()
    wait_until_rendered(page, "保障与设施")
    headers = page.wait_for_function("""() => {
        const table = [...document.querySelectorAll('[data-testid="stDataFrame"]')].find(t =>
            [...t.querySelectorAll('[role="columnheader"]')].some(c => c.textContent.trim() === '判定'));
        const cells = table ? [...table.querySelectorAll('[role="columnheader"]')] : [];
        return cells.length > 2 && cells.slice(0, 2).map(e => e.textContent.trim()); }""",
        timeout=60000).json_value()
    assert headers == ["目标", "判定"]
