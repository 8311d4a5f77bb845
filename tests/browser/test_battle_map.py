"""The meeting-room screen in a real browser, on a freshly started server."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from analytics.households import household_list
from analytics.store import Store
from tests.browser.server import free_port, refuse_outside, start_server, stop_server, wait_until_rendered

KIOSK = "battle_map?kiosk=1&rotate=6&year=2017"


#: The panel on show: panels rotate in the browser, all in the page, one visible.
VISIBLE_PANEL = """() => {
    for (const e of document.querySelectorAll('.bm-panel-no')) {
        const panel = e.closest('[class*="st-key-bm_panel_"]');
        if (getComputedStyle(panel).visibility === 'visible') return Number(e.dataset.panel);
    }
    return 0;
}"""


def panel_number(page) -> int:
    page.wait_for_selector(".bm-panel-no", state="attached", timeout=60000)
    return page.evaluate(VISIBLE_PANEL)


@pytest.fixture
def fresh_server(demo_db, artifacts):
    """A server started for this test alone, so the first request it sees is ours."""
    port = free_port()
    process = start_server(demo_db, port, artifacts / "fresh_server.log")
    yield f"http://127.0.0.1:{port}", port
    stop_server(process)


def test_deep_link_on_a_fresh_server_renders_the_kiosk_frame(fresh_server, page, artifacts, demo_db):
    base, _ = fresh_server
    refused: list[str] = []
    refuse_outside(page, base, refused)
    page.goto(f"{base}/{KIOSK}")
    page.wait_for_selector(".bm-title", timeout=60000)
    page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=60000)
    # the run has ended: measured mid-run, the page can be 40 px taller for a moment (CI at
    # aadba67: scrollHeight 1120 at 1080, while the run still added the screen's last elements)
    wait_until_rendered(page)

    assert "通渭县脱贫攻坚挂图作战" in page.locator(".bm-title").inner_text()
    # kiosk chrome: no sidebar, no toolbar, dark background
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stToolbar"]').is_visible()
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.stApp')).backgroundColor")
    assert background == "rgb(11, 19, 32)"
    # fits 1920×1080 without scrolling
    overflow = page.evaluate("""() => {
        const el = document.querySelector('[data-testid="stMain"]') || document.documentElement;
        return [el.scrollHeight, el.clientHeight, document.documentElement.scrollHeight,
                window.innerHeight, document.documentElement.scrollWidth, window.innerWidth];
    }""")
    assert overflow[0] <= overflow[1] + 2 and overflow[2] <= overflow[3] + 2, overflow
    assert overflow[4] <= overflow[5], overflow
    # the map canvas is drawn: many distinct colours, not one background
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    for _ in range(30):  # deck.gl draws asynchronously; a loaded machine takes longer
        image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
        colours = image.getcolors(maxcolors=1_000_000)
        if colours is not None and len(colours) > 50:
            break
        page.wait_for_timeout(1000)
    assert colours is not None and len(colours) > 50
    dominant = max(colours)[0] / (image.width * image.height)
    assert dominant < 0.9, "the canvas is (almost) one colour: nothing drawn"
    page.screenshot(path=str(artifacts / "battle_map_kiosk.png"))
    # aggregates only: no ID number, no name, no illness cause anywhere on the page
    text = page.locator("body").inner_text()
    store = Store(demo_db)
    villages = tuple(store.query("villages")["village_code"])
    people = household_list(store, 2017, villages, unmasked=True)
    assert not re.search(r"\d{17}[\dX]", text)
    assert not [n for n in people["head_name"] if len(n) >= 2 and n in text]
    assert "因病" not in text and "因残" not in text
    assert refused == []


def test_screen_rotates_and_survives_a_server_restart(demo_db, page, artifacts):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    refused: list[str] = []
    refuse_outside(page, base, refused)
    process = start_server(demo_db, port, artifacts / "restart_server.log")
    try:
        page.goto(f"{base}/{KIOSK}")
        page.wait_for_selector(".bm-title", timeout=60000)
        first = panel_number(page)
        page.wait_for_function(f"({VISIBLE_PANEL})() !== {first}", timeout=30000)
        stop_server(process)
        page.wait_for_function(  # the page has noticed: not a fixed wait
            "document.querySelector('[data-testid=\"stApp\"]').dataset.testConnectionState "
            "!== 'CONNECTED'", timeout=60000)
        process = start_server(demo_db, port, artifacts / "restart_server.log")
        # no reload: the page reconnects by itself and keeps rotating (a panel shown, then
        # another one; VISIBLE_PANEL reads 0 while the panels are being re-rendered)
        page.wait_for_function(
            "document.querySelector('[data-testid=\"stApp\"]').dataset.testConnectionState "
            "=== 'CONNECTED'", timeout=60000)
        page.wait_for_function(f"({VISIBLE_PANEL})() > 0", timeout=60000)
        shown = page.evaluate(VISIBLE_PANEL)
        try:
            page.wait_for_function(f"(p => p > 0 && p !== {shown})(({VISIBLE_PANEL})())",
                                   timeout=40000)
        except Exception as timeout:  # noqa: BLE001 - playwright's TimeoutError, said in words
            raise AssertionError("the screen did not resume rotating after the restart") from timeout
        assert page.locator(".bm-title").is_visible()
    finally:
        stop_server(process)
    assert refused == []


def test_screen_picks_up_newly_imported_data(tmp_path, page, artifacts):
    """An import shows on the screen within [pages] recheck_database_seconds (here 2 s),
    long before the screen's own cycle (4 panels × 30 s) would fetch it."""
    from analytics.demo import demo_tables
    from analytics.metrics import selection_figures
    from analytics.store import write_dataset
    from ui.format import fmt_pct

    db = tmp_path / "live.duckdb"
    write_dataset(demo_tables(scale=0.03, seed=1), db, source="before")
    config = tmp_path / "county.toml"  # a county's own file: the rest comes from the shipped one
    config.write_text("[pages]\nrecheck_database_seconds = 2\n", encoding="utf-8")
    port = free_port()
    process = start_server(db, port, artifacts / "live_server.log", {"TONGWEI_CONFIG": str(config)})
    try:
        page.goto(f"http://127.0.0.1:{port}/battle_map?kiosk=1&rotate=30")
        page.wait_for_selector(".bm-value", timeout=60000)
        before = page.locator(".bm-value").first.inner_text()
        write_dataset(demo_tables(scale=0.06, seed=2), db, source="after")
        expected = selection_figures(Store(db)).set_index("year").loc[2020, "poverty_incidence_pct"]
        wanted = fmt_pct(expected)  # the first tile: the county's poverty incidence
        assert wanted not in before
        page.wait_for_function(
            f"[...document.querySelectorAll('.bm-value')].some(e => e.innerText.startsWith('{wanted}'))",
            timeout=30000)
    finally:
        stop_server(process)


def test_the_screen_comes_back_by_itself_after_an_outdated_database_is_imported_again(
        demo_db, page, artifacts, tmp_path):
    """A database written by an older version: the screen says so (in Chinese, with the
    command that rebuilds it); once the administrator has imported again, the screen shows
    the data without anyone touching it (no reload: it checks the file again every
    [pages] recheck_database_seconds)."""
    import os
    import shutil

    from tests.test_database_versions import outdated_copy

    db = tmp_path / "screen.duckdb"
    outdated_copy(db, "import /data/2016")
    config = tmp_path / "county.toml"  # a county's own file: the rest comes from the shipped one
    config.write_text("[pages]\nrecheck_database_seconds = 2\n", encoding="utf-8")
    port = free_port()
    process = start_server(db, port, artifacts / "outdated_server.log", {"TONGWEI_CONFIG": str(config)})
    try:
        page.goto(f"http://127.0.0.1:{port}/{KIOSK}")
        page.get_by_text("数据库由旧版本生成").wait_for(timeout=60000)
        assert f"--db {db}" in page.locator("body").inner_text()
        fresh = tmp_path / "fresh.duckdb"
        shutil.copy(demo_db, fresh)
        os.replace(fresh, db)  # as an import swaps the file in
        page.wait_for_selector(".bm-title", timeout=60000)
        # the message goes when the run that drew the screen ends (until then it is stale)
        page.wait_for_function("!document.body.innerText.includes('数据库由旧版本生成')",
                               timeout=60000)
    finally:
        stop_server(process)
