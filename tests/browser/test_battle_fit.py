"""The meeting-room screen fits the screens it runs on, reads across a room, and shows
only panels that have drawn (issue 14, point 2)."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import shape

from analytics.geo import county_outline
from tests.browser.server import At, wait_until_rendered
from tests.browser.test_battle_map import VISIBLE_PANEL
from ui.battle import MAP_VIEW


def county_extent_px(view: dict) -> tuple[float, float]:
    """(width, height) in CSS pixels the county's outline needs around the view's centre
    at its zoom (deck.gl's Web Mercator: 512·2^zoom pixels round the world), twice the
    larger half on each axis, so a map of that size shows the whole county."""
    outline = county_outline()
    feature = outline["features"][0]["geometry"] if "features" in outline else outline["geometry"]
    west, south, east, north = shape(feature).bounds
    scale = 512 * 2 ** view["zoom"] / (2 * math.pi)

    def y(lat: float) -> float:
        return scale * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    x0, y0 = scale * math.radians(view["longitude"]), y(view["latitude"])
    half_w = max(x0 - scale * math.radians(west), scale * math.radians(east) - x0)
    half_h = max(y(north) - y0, y0 - y(south))
    return 2 * half_w, 2 * half_h

#: Every box of the screen that must lie inside the window (right of the sidebar, with
#: ``?kiosk=0``): the title, the data date, the tiles and their text, each panel's title,
#: chart, axis text and the map, the legend.
OUTSIDE = """() => {
    const w = window.innerWidth, h = window.innerHeight, out = [];
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    const left = sidebar && sidebar.checkVisibility() ? sidebar.getBoundingClientRect().right : 0;
    const boxes = document.querySelectorAll(
        '.bm-title, .bm-asof, .bm-tile, .bm-tile div, .bm-panel-title, .bm-legend, .bm-note, '
        + '.js-plotly-plot .main-svg, .js-plotly-plot .xtick text, .js-plotly-plot .ytick text, '
        + '.js-plotly-plot .g-xtitle text, .js-plotly-plot .g-ytitle text, .js-plotly-plot .legendtext, '
        + '[data-testid="stDeckGlJsonChart"] canvas');
    for (const e of boxes) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.left < left - 1 || r.top < -1 || r.right > w + 1 || r.bottom > h + 1)
            out.push([e.className.baseVal ?? e.className, e.textContent.slice(0, 20),
                      Math.round(r.left), Math.round(r.top), Math.round(r.right), Math.round(r.bottom)]);
    }
    // text cut inside its own box (a tile's value too long for the tile)
    for (const e of document.querySelectorAll('.bm-head, .bm-tile, .bm-tile div, .bm-title, .bm-asof'))
        if (e.scrollWidth > e.clientWidth + 1) out.push(['clipped', e.textContent.slice(0, 20)]);
    const doc = document.documentElement;
    const main = document.querySelector('[data-testid="stMain"]');
    return {outside: out, scroll: [Math.max(doc.scrollWidth, main.scrollWidth),
                                   Math.max(doc.scrollHeight, main.scrollHeight), w, h]};
}"""


def screen_address(query: str = "", kiosk: bool = True, year: int = 2017) -> str:
    return f"battle_map?kiosk={int(kiosk)}&rotate=5&year={year}{query}"


def wait_for_screen(page) -> None:
    wait_until_rendered(page)
    page.wait_for_function(  # the map's canvas has taken its box's size (300×150 before)
        """() => { const c = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
                   return c && c.getBoundingClientRect().width > 300; }""", timeout=60000)
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot .main-svg .trace').length >= 3", timeout=60000)


def open_screen(page, server, query: str = "", kiosk: bool = True, year: int = 2017) -> None:
    page.goto(f"{server}/{screen_address(query, kiosk, year)}")
    wait_for_screen(page)


#: the screen at 1920×1080, the kiosk's usual size: read by several tests (loaded once)
FULL_HD = At(screen_address())
SCREENS = [At(screen_address(query, kiosk), width, height) for width, height, query, kiosk in [
    (1280, 720, "", True), (1366, 768, "", True), (1920, 1080, "", True), (3840, 2160, "&scale=2", True),
    # the normal frame (?kiosk=0): right of the sidebar, under the page's title
    (1366, 768, "", False), (1920, 1080, "", False),
]]


@pytest.mark.parametrize("shown", SCREENS, indirect=True, ids=str)
def test_the_screen_fits_without_scrolling_or_cutting(shown, artifacts):
    page, at = shown.as_loaded(), shown.at
    wait_for_screen(page)
    found = page.evaluate(OUTSIDE)  # every panel is laid out, shown or not
    canvas = page.evaluate("""() => { const r = document.querySelector(
        '[data-testid="stDeckGlJsonChart"] canvas').getBoundingClientRect();
        return [r.width, r.height]; }""")
    framed = "kiosk=0" in at.address
    page.screenshot(path=str(artifacts / f"battle_fit_{at.width}x{at.height}{'_framed' if framed else ''}.png"))
    assert found["outside"] == [], found
    scroll_width, scroll_height, inner_width, inner_height = found["scroll"]
    assert scroll_width <= inner_width and scroll_height <= inner_height, found["scroll"]
    # the whole county is inside the map (its zoom is the screen's scale above the base)
    scale = 2 if "scale=2" in at.address else 1
    need_w, need_h = county_extent_px({**MAP_VIEW, "zoom": MAP_VIEW["zoom"] + math.log2(scale)})
    assert canvas[0] >= need_w and canvas[1] >= need_h, (canvas, need_w, need_h)


@pytest.mark.parametrize("kiosk", [True, False])
def test_the_header_wraps_at_1280x1024(browser, server, artifacts, kiosk):
    """1280×1024 takes the 1080 sizes (by height) on a narrow screen: the header's title
    and 数据截至 wrap rather than run off the right edge, and the screen still fits. The
    year 2020 has the longest title (· 攻坚结果)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1024}, locale="zh-CN")
    page = context.new_page()
    try:
        open_screen(page, server, kiosk=kiosk, year=2020)
        found = page.evaluate(OUTSIDE)
        page.screenshot(path=str(artifacts / f"battle_fit_1280x1024{'' if kiosk else '_framed'}.png"))
    finally:
        context.close()
    assert found["outside"] == [], found
    scroll_width, scroll_height, inner_width, inner_height = found["scroll"]
    assert scroll_width <= inner_width and scroll_height <= inner_height, found["scroll"]


def test_the_screen_at_200_percent_on_a_4k_screen_is_the_1080_layout(browser, server):
    """A 3840×2160 screen run at the system's 200 % (the usual kiosk) is 1920×1080 CSS
    pixels: it fits the same way, drawn at twice the pixels."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, device_scale_factor=2,
                                  locale="zh-CN")
    page = context.new_page()
    try:
        open_screen(page, server)
        found = page.evaluate(OUTSIDE)
        ratio = page.evaluate("window.devicePixelRatio")
    finally:
        context.close()
    assert ratio == 2
    assert found["outside"] == [], found


@pytest.mark.parametrize("shown", [FULL_HD], indirect=True, ids=str)
def test_chart_text_reads_across_a_room_at_1080(shown):
    page = shown.as_loaded()
    wait_for_screen(page)
    sizes = page.evaluate("""() => [...document.querySelectorAll(
            '.js-plotly-plot .xtick text, .js-plotly-plot .ytick text, .js-plotly-plot .g-xtitle text, '
            + '.js-plotly-plot .g-ytitle text, .js-plotly-plot .legendtext, .js-plotly-plot .annotation-text')]
        .map(e => parseFloat(getComputedStyle(e).fontSize))""")
    titles = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]
        .map(e => e.textContent).filter(t => t.trim())""")
    panel_titles = page.locator(".bm-panel-title").count()
    assert len(sizes) > 30 and min(sizes) >= 20, sorted(sizes)[:5]
    assert titles == []  # one title per chart: the panel's, not the chart's own
    assert panel_titles == 4


@pytest.mark.parametrize("shown", [FULL_HD], indirect=True, ids=str)
def test_a_panel_is_shown_only_once_it_has_drawn(shown):
    """Every panel is in the page from the start and draws while hidden; whichever panel is
    on show has its chart's bars or its map's canvas painted."""
    page = shown.as_loaded()
    wait_for_screen(page)
    drawn = """(k) => {
        const panel = document.querySelector('.st-key-bm_panel_' + (k - 1));
        const bars = panel.querySelectorAll('.js-plotly-plot .trace .point, .js-plotly-plot .trace path');
        const canvas = panel.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
        return bars.length > 0 || (canvas !== null && canvas.width > 0 && canvas.height > 0);
    }"""
    seen = {}
    for _ in range(5):  # four panels, then the first again: each change of panel
        # between two runs of the screen the panels are redrawn: wait for one on show
        shown = page.wait_for_function(f"({VISIBLE_PANEL})() || false", timeout=30000).json_value()
        assert shown in (1, 2, 3, 4)
        seen[shown] = page.evaluate(drawn, shown)
        if len(seen) == 4:
            break
        page.wait_for_function(f"({VISIBLE_PANEL})() !== {shown}", timeout=30000)
    assert seen == {1: True, 2: True, 3: True, 4: True}


#: the toolbars (Streamlit's element toolbar, Plotly's mode bar) whose box overlaps panel
#: ``k``'s number (1-based)
COVERING = """(k) => {
    const n = document.querySelector('.st-key-bm_panel_' + (k - 1) + ' .bm-panel-no')
        .getBoundingClientRect();
    return [...document.querySelectorAll('[data-testid="stElementToolbar"], .modebar')]
        .map(e => [e.getAttribute('data-testid') || 'modebar', e.getBoundingClientRect()])
        .filter(([, r]) => r.width > 0 && r.height > 0 && r.left < n.right && n.left < r.right
                           && r.top < n.bottom && n.top < r.bottom)
        .map(([name, r]) => [name, Math.round(r.left), Math.round(r.top)]);
}"""


@pytest.mark.parametrize("shown", [FULL_HD], indirect=True, ids=str)
def test_nothing_covers_the_panel_number_under_a_resting_mouse(shown):
    """A mouse left on the map or a chart (a newcomer's, on the meeting-room PC) brought up
    a toolbar over 第 1/4 屏: on the map panel and on a chart panel, nothing covers it."""
    page = shown.as_loaded()
    wait_for_screen(page)
    checked = set()
    while 1 not in checked or len(checked) < 2:  # the map's panel and a chart's
        k = page.wait_for_function(f"({VISIBLE_PANEL})() || false", timeout=30000).json_value()
        graphic = page.locator(f'.st-key-bm_panel_{k - 1} [data-testid="stDeckGlJsonChart"], '
                               f'.st-key-bm_panel_{k - 1} .js-plotly-plot').first
        box = graphic.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + 40)  # near its top right
        page.mouse.move(box["x"] + box["width"] * 0.8 + 3, box["y"] + 43)
        page.wait_for_function(  # the pointer is over it, and the page has drawn since
            """(k) => document.querySelector('.st-key-bm_panel_' + (k - 1)).matches(':hover')
                && new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))""",
            arg=k, timeout=10000)
        assert page.evaluate(COVERING, k) == [], k
        checked.add(k)
        page.wait_for_function(f"({VISIBLE_PANEL})() !== {k}", timeout=30000)
    page.mouse.move(0, 0)
