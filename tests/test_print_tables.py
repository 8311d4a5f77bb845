"""A table's rows on paper (ui.tables.print_table_html): every row up to the cap, the
screen's column titles and number formats, nothing hidden on screen shown on paper."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from ui.tables import PRINT_ROWS_MAX, print_table_html


def cells(markup: str) -> list[list[str]]:
    """The rows of the first table in ``markup`` as lists of cell texts (header first)."""
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", markup)]


def test_every_township_of_an_18_row_table_prints_with_the_screen_s_titles_and_formats():
    towns = pd.DataFrame({"name": [f"乡镇{i}" for i in range(18)],
                          "incidence": [i / 3 for i in range(18)],
                          "persons": [1000 * i for i in range(18)],
                          "view": ["townships?x"] * 18, "code": ["x"] * 18})
    markup = print_table_html(
        towns, ["name", "incidence", "persons", "view"],
        {"name": "乡镇", "incidence": st.column_config.NumberColumn("贫困发生率（%）", format="%.2f"),
         "persons": st.column_config.NumberColumn("人口", format="localized"),
         "view": st.column_config.LinkColumn("查看", display_text="进入乡镇 ›")})
    rows = cells(markup)
    assert rows[0] == ["乡镇", "贫困发生率（%）", "人口"]  # in column_order; no link, no unlisted column
    assert [r[0] for r in rows[1:]] == list(towns["name"])
    assert rows[2] == ["乡镇1", "0.33", "1,000"]
    assert 'class="print-only"' in markup and "共" not in markup


def test_missing_values_booleans_and_escaping():
    frame = [{"村": "<b>张家</b>", "贫困村": True, "收入": None}, {"村": "李家", "贫困村": False, "收入": 3500.4}]
    rows = cells(print_table_html(frame, column_config={
        "贫困村": st.column_config.CheckboxColumn("贫困村"),
        "收入": st.column_config.NumberColumn("收入（元）", format="%.0f")}))
    assert rows[1] == ["&lt;b&gt;张家&lt;/b&gt;", "是", "—"]
    assert rows[2] == ["李家", "否", "3500"]


def test_a_long_table_prints_up_to_the_cap_and_says_so():
    frame = pd.DataFrame({"n": range(PRINT_ROWS_MAX + 5)})
    markup = print_table_html(frame)
    assert len(cells(markup)) == PRINT_ROWS_MAX + 1
    assert f"共 {PRINT_ROWS_MAX + 5:,} 行" in markup


def test_a_styled_table_prints_its_data_with_its_index():
    matrix = pd.DataFrame({"2016": [1.5, None]}, index=pd.Index(["马营镇", "平襄镇"], name="乡镇"))
    rows = cells(print_table_html(matrix.style.format("{:.2f}")))
    assert rows[0] == ["乡镇", "2016"] and rows[1][0] == "马营镇" and rows[2] == ["平襄镇", "—"]
