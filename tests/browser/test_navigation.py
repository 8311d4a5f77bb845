"""Filters survive navigation (issue 14, point 1): open a deep link, click every sidebar link
in turn, and on each page the year and the township are still the ones chosen, in the
widgets, in the page's own scope line and in the address bar."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.server import At, wait_until_rendered

# (link label, page heading, whether the page has the filters)
LINKS = [("返贫监测", "返贫监测", True), ("收入", "收入", True), ("数据", "数据", False),
         ("收入", "收入", True), ("总览", "总览", True), ("乡镇", "乡镇", True)]


def sidebar_filters(page) -> tuple[str, list[str]]:
    sidebar = page.locator('[data-testid="stSidebar"]')
    year = sidebar.get_by_role("combobox", name="年份").input_value()
    chosen = sidebar.locator('[data-testid="stMultiSelect"]').first.inner_text().split("\n")
    return year, [t.strip() for t in chosen[1:] if t.strip()]  # the label, then the chips


def test_filters_survive_every_sidebar_link_after_a_deep_link(server, page, artifacts):
    page.goto(f"{server}/townships?year=2016&township=%E9%A9%AC%E8%90%A5%E9%95%87")
    wait_until_rendered(page, "乡镇")
    assert sidebar_filters(page) == ("2016", ["马营镇"])
    for label, heading, has_filters in LINKS:
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name=label).first.click()
        wait_until_rendered(page, heading)
        page.wait_for_function(f"document.title.startsWith('{heading}')")
        wait_until_rendered(page, heading)
        if not has_filters:
            continue
        assert sidebar_filters(page) == ("2016", ["马营镇"]), f"after clicking {label}"
        query = parse_qs(urlparse(page.url).query)
        assert query.get("year") == ["2016"] and query.get("township") == ["马营镇"], page.url
        if heading == "总览":
            assert "马营镇 · 2016 年" in page.get_by_text("范围：").first.inner_text()
    page.screenshot(path=str(artifacts / "navigation_kept_filters.png"))


def test_filters_chosen_on_a_page_survive_the_links(server, page):
    page.goto(f"{server}/")
    wait_until_rendered(page, "总览")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="2015").click()
    # the run the choice starts has ended when the address says it (the frame writes the
    # address from the widgets at the end of a run; "not running" can be read before it starts)
    page.wait_for_url("**year=2015**", timeout=60000)
    wait_until_rendered(page, "总览")
    for label, heading, has_filters in LINKS[:2]:
        sidebar.get_by_role("link", name=label).first.click()
        page.wait_for_function(f"document.title.startsWith('{heading}')")
        wait_until_rendered(page, heading)
        assert sidebar_filters(page)[0] == "2015", f"after clicking {label}"


def test_a_link_into_a_page_without_filters_keeps_them(server, page):
    page.goto(f"{server}/data?year=2017&township=%E9%A9%AC%E8%90%A5%E9%95%87")
    wait_until_rendered(page, "数据")
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="总览").first.click()
    page.wait_for_function("document.title.startsWith('总览')")
    wait_until_rendered(page, "总览")
    assert sidebar_filters(page) == ("2017", ["马营镇"])


# the page test_pages_render's downloads read too (loaded once for them all)
@pytest.mark.parametrize("shown", [At("townships?year=2017&township=%E9%A9%AC%E8%90%A5%E9%95%87")],
                         indirect=True, ids=str)
def test_tables_offer_no_unaudited_download(shown):
    """Streamlit's own table toolbar would download an unlabelled, unaudited CSV: hidden."""
    page = shown.as_loaded()
    wait_until_rendered(page, "乡镇")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.hover()
    page.locator('[data-testid="stElementToolbar"] button[aria-label="Search"]').first.wait_for()
    assert page.locator('button[aria-label="Download as CSV"]').count() > 0  # it is there…
    assert not page.locator('button[aria-label="Download as CSV"]').first.is_visible()  # …hidden
