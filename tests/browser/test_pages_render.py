"""Every page in a real browser at 1920×1080: it renders, its charts are drawn, and a
screenshot is kept under artifacts/ for a person to look at."""

from __future__ import annotations

import pytest

from tests.browser.server import At, wait_until_rendered

PAGES = [
    ("", "总览", 4),
    ("townships?township=621121101", "乡镇", 2),
    ("relapse", "返贫监测", 3),
    ("income", "收入", 5),
    ("data", "数据", 0),
    ("assistance?year=2017", "帮扶措施", 3),
    ("guarantees", "保障与设施", 2),
    ("review?year=2016", "回头看", 1),
]


@pytest.mark.parametrize("shown, heading, charts", [(At(p), h, c) for p, h, c in PAGES], indirect=["shown"],
                         ids=[p.split("?")[0] or "overview" for p, _, _ in PAGES])
def test_page_renders_with_charts(shown, artifacts, heading, charts):
    page = shown.as_loaded()  # errors: in the page's scripts since it was loaded
    wait_until_rendered(page, heading)
    if charts:
        page.wait_for_function(  # every chart drawn, not a fixed wait
            f"document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= {charts}",
            timeout=60000)
    assert page.locator('[data-testid="stException"]').count() == 0
    name = shown.at.address.split("?")[0] or "overview"
    page.screenshot(path=str(artifacts / f"page_{name}.png"), full_page=True)
    assert not shown.errors, shown.errors


def test_clicking_a_township_on_the_map_filters_the_page(server, page, artifacts):
    page.goto(f"{server}/?year=2017")
    wait_until_rendered(page, "总览")
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.scroll_into_view_if_needed()
    page.wait_for_function(  # the canvas has taken its box's size (300×150 before)
        """() => { const c = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
                   return c && c.getBoundingClientRect().width > 300; }""", timeout=60000)
    box = canvas.bounding_box()
    for _ in range(10):  # until deck.gl has drawn a frame it can pick from
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            page.wait_for_function("window.location.search.includes('township=')", timeout=3000)
            break
        except Exception:  # noqa: BLE001 - not picked yet: click again
            continue
    assert "township=" in page.evaluate("window.location.search")
    wait_until_rendered(page)
    scope = page.get_by_text("范围：").first.inner_text()
    assert "通渭县 ·" not in scope, scope  # not the whole county
    page.screenshot(path=str(artifacts / "overview_filtered_by_map.png"))


#: 马营镇's villages in 2017: its downloads (a click on one reruns the page, which stays
#: as it was: the tests of this page share it)
MAYING_2017 = At("townships?year=2017&township=%E9%A9%AC%E8%90%A5%E9%95%87")


@pytest.mark.parametrize("shown", [MAYING_2017], indirect=True, ids=str)
def test_csv_download_is_what_the_table_shows(shown):
    page = shown.as_loaded()
    wait_until_rendered(page, "乡镇")
    with page.expect_download() as info:
        page.get_by_role("button", name="导出 CSV").first.click()
    download = info.value
    text = open(download.path(), encoding="utf-8-sig").read()
    lines = text.splitlines()
    header = lines[0].split(",")
    assert header[:3] == ["乡镇", "村代码", "村"]
    assert all(line.split(",")[0] == "马营镇" for line in lines[1:])
    assert all(line.split(",")[1].startswith("621121101") for line in lines[1:])
    assert download.suggested_filename == "马营镇_各村情况_2017.csv"


def test_unknown_year_in_the_url_falls_back_to_the_latest(server, page):
    page.goto(f"{server}/?year=1999&township=%E4%B8%8D%E5%AD%98%E5%9C%A8")
    wait_until_rendered(page, "总览")
    assert "通渭县 · 2020 年" in page.get_by_text("范围：").first.inner_text()


@pytest.mark.parametrize("shown", [MAYING_2017], indirect=True, ids=str)
def test_township_briefing_pdf_downloads(shown, artifacts):
    page = shown.as_loaded()
    wait_until_rendered(page, "乡镇")
    with page.expect_download(timeout=60000) as info:
        page.get_by_role("button", name="下载督查简报 PDF").click()
    download = info.value
    content = open(download.path(), "rb").read()
    assert content[:5] == b"%PDF-" and len(content) > 10_000
    assert download.suggested_filename.endswith(".pdf")
    (artifacts / "briefing_maying_2017.pdf").write_bytes(content)
