"""CSV and XLSX bytes: codes and IDs stay text, no cell can become a formula."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from analytics.exports import csv_bytes, export_file_name, xlsx_bytes

FRAME = pd.DataFrame({
    "village_code": ["621121101001", "621121101002"],
    "head_id_number": ["6211**********123X", "621121198001011234"],
    "name": ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1"],
    "note": ["@SUM(A1)", "-2+3"],
    "persons": [12, -3],
})


def test_csv_keeps_codes_and_defuses_formulas():
    text = csv_bytes(FRAME).decode("utf-8-sig")
    rows = text.splitlines()
    assert rows[1].startswith("621121101001,")
    assert "'=HYPERLINK" in text and "'+1+1" in text and "'@SUM" in text and "'-2+3" in text
    assert rows[2].endswith(",-3")  # numbers are not touched
    assert csv_bytes(FRAME)[:3] == b"\xef\xbb\xbf"  # BOM: Excel opens it as UTF-8


def test_csv_labels_choose_and_rename_columns():
    text = csv_bytes(FRAME, {"village_code": "村代码", "persons": "人数"}).decode("utf-8-sig")
    assert text.splitlines()[0] == "村代码,人数"


def test_xlsx_writes_text_as_text():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(FRAME, sheet="测试")))
    sheet = book["测试"]
    cells = {sheet.cell(1, c).value: sheet.cell(2, c) for c in range(1, 6)}
    assert cells["village_code"].data_type == "s" and cells["village_code"].value == "621121101001"
    assert cells["name"].data_type == "s" and cells["name"].value.startswith("=HYPERLINK")
    assert sheet.cell(3, 2).value == "621121198001011234"  # 18 digits, not 6.21121E+17
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


SHOWN = pd.DataFrame({
    "township_code": ["621121101"], "poverty_incidence_pct": [6401.438991228069],
    "persons": [12.0], "is_poor_village": [True], "all_secure": pd.array([None], dtype="boolean"),
})
LABELS = {"township_code": "乡镇代码", "poverty_incidence_pct": "贫困发生率（%）", "persons": "人数",
          "is_poor_village": "贫困村", "all_secure": "三保障达标"}
DECIMALS = {"poverty_incidence_pct": 2, "persons": 0}


def test_files_round_as_the_page_shows_and_say_yes_no_in_chinese():
    text = csv_bytes(SHOWN, LABELS, DECIMALS).decode("utf-8-sig").splitlines()
    assert text == ["乡镇代码,贫困发生率（%）,人数,贫困村,三保障达标", "621121101,6401.44,12,是,"]


def test_xlsx_has_a_title_row_a_frozen_header_and_widths():
    title = "马营镇 · 2017年 · 各村情况 · 数据截至 2020-12-31"
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(SHOWN, LABELS, "各村情况", title, DECIMALS)))
    sheet = book["各村情况"]
    assert sheet["A1"].value == title and sheet["A1"].font.bold
    assert [c.value for c in sheet[2]] == list(LABELS.values())
    assert [c.value for c in sheet[3]] == ["621121101", 6401.44, 12, "是", None]
    assert sheet.freeze_panes == "A3"  # the title and the header stay in view
    assert sheet["A2"].font.bold and sheet["B3"].number_format == "0.00" and sheet["C3"].number_format == "0"
    assert sheet.column_dimensions["B"].width >= 14  # 贫困发生率（%）: wide enough to read


@pytest.mark.parametrize("scope, what, year, name", [
    ("马营镇", "各村情况", 2017, "马营镇_各村情况_2017.xlsx"),
    ("马营镇、陇阳镇", "走访名单", 2018, "马营镇、陇阳镇_走访名单_2018.xlsx"),
    ("全县", "全部数据", None, "全县_全部数据.xlsx"),
    ("a/b: c", "x", 2016, "ab c_x_2016.xlsx".replace(" ", "")),
])
def test_file_names_name_the_scope_and_the_year(scope, what, year, name):
    assert export_file_name(scope, what, year, "xlsx") == name


def test_the_whole_dataset_zips_as_the_command_line_exports_it(demo_store, tmp_path):
    import json
    import zipfile

    from analytics.exports import dataset_zip
    from analytics.ingest import import_dataset

    archive = zipfile.ZipFile(io.BytesIO(dataset_zip(demo_store)))
    counts = json.loads(demo_store.meta()["row_counts"])
    names = set(archive.namelist())
    assert {"households.csv", "household_years.csv", "villages.csv"} <= names
    for name in names:
        rows = archive.read(name).decode("utf-8").count("\n") - 1
        assert rows == counts[name.removesuffix(".csv")], name
    archive.extractall(tmp_path / "again")  # and it imports back
    result = import_dataset(tmp_path / "again", tmp_path / "again.duckdb")
    assert result.counts["households"] == counts["households"]
