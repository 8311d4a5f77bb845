"""The 数据 page's upload in a real browser: a bad dataset is refused with every problem
listed and nothing changes; a good one replaces the data."""

from __future__ import annotations

import shutil

from analytics.demo import demo_tables
from analytics.store import Store, export_dataset, write_dataset
from tests.browser.server import free_port, start_server, stop_server, wait_until_rendered


def test_upload_refuses_bad_data_and_loads_good_data(tmp_path, page, artifacts):
    db = tmp_path / "upload.duckdb"
    write_dataset(demo_tables(scale=0.02, seed=4), db, source="before upload")
    good = tmp_path / "good"
    write_dataset(demo_tables(scale=0.03, seed=5), tmp_path / "other.duckdb", source="other")
    export_dataset(tmp_path / "other.duckdb", good)
    bad = tmp_path / "bad"
    shutil.copytree(good, bad)
    lines = (bad / "households.csv").read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(",")
    fields[3] = fields[3][:-1] + ("0" if fields[3][-1] != "0" else "1")  # break the checksum
    lines[1] = ",".join(fields)
    lines[2] = lines[2].replace(lines[2].split(",")[1], "12345", 1)       # a malformed village code
    (bad / "households.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cut = (bad / "household_years.csv").read_text(encoding="utf-8")  # a file cut short
    (bad / "household_years.csv").write_text(cut[: len(cut) // 2], encoding="utf-8")
    before = db.read_bytes()

    port = free_port()
    process = start_server(db, port, artifacts / "upload_server.log")
    try:
        page.goto(f"http://127.0.0.1:{port}/data")
        wait_until_rendered(page, "数据")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            [str(p) for p in sorted(bad.iterdir())])
        page.get_by_role("button", name="校验并导入").click()
        page.get_by_text("现有数据未改动").first.wait_for(timeout=60000)
        problems = page.locator('[data-testid="stDataFrame"]').last
        problems.wait_for(timeout=30000)
        page.screenshot(path=str(artifacts / "upload_rejected.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 768})
        problems.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "upload_rejected_1366.png"), full_page=True)
        assert db.read_bytes() == before, "a rejected upload changed the database"
        text = page.locator("body").inner_text()
        assert fields[3] not in text  # the ID number is never echoed unmasked
        assert "None" not in text
        assert "正在校验" not in text and "已拒绝" in text  # the status says how the check ended
        assert "先看 household_years.csv 文件本身的 1 个问题" in text  # the cut file first

        page.reload()
        wait_until_rendered(page, "数据")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            [str(p) for p in sorted(good.iterdir())])
        page.get_by_role("button", name="校验并导入").click()
        page.get_by_text("导入成功").first.wait_for(timeout=120000)
        assert db.read_bytes() != before
        wait_until_rendered(page, "数据")
        # the header shows the new data at once, with the data's own date (the end of its
        # last year), not the day of the upload
        last_year = Store(db).meta()["last_year"]
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "来源：上传的" in sidebar and f"数据截至 {last_year}-12-31" in sidebar, sidebar
    finally:
        stop_server(process)


def test_upload_of_the_files_a_county_has(tmp_path, page, artifacts):
    """The national system's rosters (GBK CSV and XLSX with a two-row header), the village
    ledger and the pairing list, uploaded together, replace the data; a roster with a
    household whose head row is missing is refused, the problem named by file and line."""
    import csv

    from tests.national_files import write_national

    db = tmp_path / "upload.duckdb"
    write_dataset(demo_tables(scale=0.02, seed=4), db, source="before upload")
    tables = demo_tables(scale=0.03, seed=5)
    good = tmp_path / "county"
    good.mkdir()
    write_national(tables, good, xlsx_years={2016})
    bad = tmp_path / "bad"
    shutil.copytree(good, bad)
    roster = sorted(bad.glob("贫困人口明细_*.csv"))[0]
    rows = list(csv.reader(roster.read_bytes().decode("gb18030").splitlines()))
    h = next(i for i, r in enumerate(rows) if "户编号" in r)
    relation = rows[h].index("与户主关系")
    first_head = next(i for i in range(h + 1, len(rows)) if rows[i][relation] == "户主")
    rows[first_head][relation] = "之子"
    with open(roster, "w", encoding="gb18030", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    before = db.read_bytes()

    port = free_port()
    process = start_server(db, port, artifacts / "upload_national_server.log")
    try:
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"http://127.0.0.1:{port}/data")
        wait_until_rendered(page, "数据")
        uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
        uploader.set_input_files([str(p) for p in sorted(bad.iterdir())])
        page.get_by_role("button", name="校验并导入").click()
        page.get_by_text("现有数据未改动").first.wait_for(timeout=120000)
        page.locator('[data-testid="stDataFrame"]').last.wait_for(timeout=30000)
        page.screenshot(path=str(artifacts / "upload_national_rejected_1366.png"), full_page=True)
        assert db.read_bytes() == before
        body = page.locator("body").inner_text()
        assert "None" not in body

        page.reload()
        wait_until_rendered(page, "数据")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            [str(p) for p in sorted(good.iterdir())])
        page.get_by_role("button", name="校验并导入").click()
        page.get_by_text("导入成功").first.wait_for(timeout=180000)
        page.screenshot(path=str(artifacts / "upload_national_loaded_1366.png"), full_page=True)
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.screenshot(path=str(artifacts / "upload_national_loaded_1920.png"), full_page=True)
        assert db.read_bytes() != before
        assert "建档立卡人口明细" in page.locator("body").inner_text()  # the notices name the format
    finally:
        stop_server(process)
