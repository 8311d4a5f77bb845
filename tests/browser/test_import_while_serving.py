"""The running dashboard keeps serving while `python -m analytics import` replaces its
database, and shows the new data afterwards, without a restart.

A server is started on a demo database of its own (scale 0.3). A different dataset
(scale 1, another seed: about 190,000 household-years, a few seconds to import) is
imported into the same file from a subprocess. While the import runs, the health
endpoint is polled and the overview page reloaded: it must keep answering and render
without an exception, showing either the old figure or the new one, never anything
else. Afterwards the poverty-incidence tile must show the new dataset's value.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analytics.metrics import headline_figures
from analytics.store import Store
from tests.browser.server import ROOT, free_port, start_server, stop_server, wait_until_rendered

YEAR = 2017


def cli(*args, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *map(str, args), "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def incidence_tile(db: Path) -> str:
    """The tile text for the county's poverty incidence in YEAR (ui.format.fmt_pct)."""
    store = Store(db)
    try:
        value = headline_figures(store, YEAR)["poverty_incidence_pct"]
    finally:
        store.close()
    return "—" if value is None else f"{value:.2f}%"


def health(base: str) -> int:
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as response:
        assert response.read().strip() == b"ok"
        return response.status


def render(page, url: str | None = None) -> str:
    """(Re)load the overview, wait for the run to end, return the first tile's value."""
    if url:
        page.goto(url)
    else:
        page.reload()
    wait_until_rendered(page, "总览")
    assert page.locator('[data-testid="stException"]').count() == 0
    tile = page.locator('[data-testid="stMetric"]').filter(has_text="贫困发生率").first
    tile.wait_for(timeout=60000)  # the run may still be drawing tiles after a reload
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


@pytest.fixture
def databases(tmp_path):
    """(the served database, a folder with a different dataset to import into it)."""
    served = tmp_path / "served" / "tongwei.duckdb"
    served.parent.mkdir()
    built = cli("build-demo", "--scale", "0.3", "--seed", "5", db=served)
    assert built.returncode == 0, built.stderr
    other = tmp_path / "other.duckdb"
    built = cli("build-demo", "--scale", "1", "--seed", "99", db=other)
    assert built.returncode == 0, built.stderr
    export = tmp_path / "other_export"
    assert cli("export", export, db=other).returncode == 0
    return served, export, incidence_tile(served), incidence_tile(other)


def test_dashboard_serves_during_an_import_and_shows_the_new_data(databases, page, artifacts,
                                                                   tmp_path):
    served, export, old_value, new_value = databases
    assert old_value != new_value, "the two datasets must differ in the tile"
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log = tmp_path / "server.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_server(served, port, log)
    try:
        assert render(page, f"{base}/?year={YEAR}") == old_value

        importer = subprocess.Popen(
            [sys.executable, "-m", "analytics", "import", str(export), "--db", str(served)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        checks = reloads = 0
        seen_values = []
        try:
            deadline = time.monotonic() + 180
            while importer.poll() is None and time.monotonic() < deadline:
                assert health(base) == 200
                checks += 1
                seen_values.append(render(page))
                reloads += 1
                assert health(base) == 200
                checks += 1
        finally:
            if importer.poll() is None:
                importer.kill()
            out, err = importer.communicate(timeout=60)
        assert importer.returncode == 0, out + err
        print(f"while importing: {checks} health checks, {reloads} reloads, saw {seen_values}")
        assert reloads >= 1 and checks >= 2, "the import ended before the page was reloaded"
        # while the file was being replaced, a reader saw the old figure or the new one
        assert set(seen_values) <= {old_value, new_value}, seen_values

        assert health(base) == 200
        assert render(page) == new_value
        page.screenshot(path=str(artifacts / "overview_after_import.png"))
        # a fresh page (a new session) sees the new data too
        assert render(page, f"{base}/?year={YEAR}") == new_value
    finally:
        stop_server(process)
    assert not errors, errors
    server_log = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in server_log, server_log[-3000:]


def test_an_open_page_says_when_newer_data_has_been_imported(tmp_path, page, artifacts):
    """An analyst's page is not redrawn under their eyes, but within [pages]
    recheck_database_seconds (here 2 s) of an import the top of its sidebar (in sight at
    1366×768) says the figures are the old ones, and 刷新本页 redraws it with the new data
    and the same filters."""
    from analytics.demo import demo_tables
    from analytics.store import write_dataset

    db = tmp_path / "live.duckdb"
    write_dataset(demo_tables(scale=0.03, seed=1), db, source="before")
    config = tmp_path / "county.toml"
    config.write_text("[pages]\nrecheck_database_seconds = 2\n", encoding="utf-8")
    port = free_port()
    process = start_server(db, port, artifacts / "notice_server.log", {"TONGWEI_CONFIG": str(config)})
    try:
        old = render(page, f"http://127.0.0.1:{port}/?year={YEAR}")
        assert page.get_by_text("已导入新数据").count() == 0
        write_dataset(demo_tables(scale=0.06, seed=2), db, source="after")
        new = incidence_tile(db)
        assert new != old
        page.set_viewport_size({"width": 1366, "height": 768})  # a laptop: seen without scrolling
        page.get_by_text("已导入新数据：本页显示的是导入前的数字。").wait_for(timeout=30000)
        button = page.get_by_role("button", name="刷新本页").bounding_box()
        assert button["y"] + button["height"] <= 768, button
        tile = page.locator('[data-testid="stMetric"]').filter(has_text="贫困发生率").first
        assert tile.locator('[data-testid="stMetricValue"]').inner_text().strip() == old
        page.screenshot(path=str(artifacts / "notice_new_data.png"))
        page.get_by_role("button", name="刷新本页").click()
        page.wait_for_function(
            """(v) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(
                   m => m.innerText.includes('贫困发生率') && m.innerText.includes(v))""",
            arg=new, timeout=30000)
        wait_until_rendered(page, "总览")
        assert page.get_by_text("已导入新数据").count() == 0
        assert f"year={YEAR}" in page.url
    finally:
        stop_server(process)
