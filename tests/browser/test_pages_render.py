"""Every page in a real browser at 1920×1080: it renders, its charts are drawn, and a
screenshot is kept under artifacts/ for a person to look at."""

from __future__ import annotations

import pytest

from tests.browser.server import wait_until_rendered

PAGES = [
    ("", "总览", 4),
    ("townships?township=621121101", "乡镇", 2),
    ("relapse", "返贫监测", 3),
    ("income", "收入", 5),
    ("data", "数据", 0),
]


@pytest.mark.parametrize("path, heading, charts", PAGES)
def test_page_renders_with_charts(server, page, artifacts, path, heading, charts):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/{path}")
    wait_until_rendered(page, heading)
    if charts:
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30000)
        page.wait_for_timeout(800)
        drawn = page.locator('[data-testid="stPlotlyChart"]').count()
        assert drawn >= charts
    assert page.locator('[data-testid="stException"]').count() == 0
    name = path.split("?")[0] or "overview"
    page.screenshot(path=str(artifacts / f"page_{name}.png"), full_page=True)
    assert not errors, errors
