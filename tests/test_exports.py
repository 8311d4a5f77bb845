"""CSV and XLSX bytes: codes and IDs stay text, no cell can become a formula."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from analytics.exports import csv_bytes, xlsx_bytes

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
