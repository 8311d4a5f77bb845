"""Tests of analytics.ingest: every input form, then one test per rule.

A tiny valid dataset is built in code (2 townships, 3 villages, 3 households with
IDs whose check digits come from contract.id_check_digit, their years, a cadre, a
measure), written out as CSV (UTF-8, UTF-8 with BOM, GBK), Parquet and XLSX, and read
back. Each rule test mutates that dataset and expects an exact set of problems.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from analytics import ingest
from analytics.contract import EXITED, POOR, TABLE_ORDER, TABLES, mask_id_number
from analytics.ingest import ImportRejected, Problem, import_dataset
from tests.tiny_dataset import (
    ID1,
    ID2,
    ID3,
    IDS,
    NAMES,
    _id,
    base,
    problems_of,
    read_dataset,
    write,
    write_csv,
    write_parquet,
    write_xlsx,
)


def key(p: Problem):
    return (p.table, p.line, p.column, p.rule)


def assert_masked(problems, report: str | None = None):
    text = "\n".join(str(p) for p in problems) + (report or "")
    for secret in IDS + NAMES + [ID1[:15] + "000", ID1[:17]]:
        assert secret not in text, f"raw personal data {secret!r} in messages"


# --------------------------------------------------------------------------- forms


def test_every_form_loads_to_identical_frames(tmp_path):
    t = base()
    paths = {
        "csv-utf8": write_csv(t, tmp_path / "u8"),
        "csv-bom": write_csv(t, tmp_path / "bom", "utf-8-sig"),
        "csv-gbk": write_csv(t, tmp_path / "gbk", "gbk"),
        "parquet": write_parquet(t, tmp_path / "pq"),
        "parquet-typed": write_parquet(t, tmp_path / "pqt", typed=True),
        "xlsx": write_xlsx(t, tmp_path / "data.xlsx"),
    }
    # The GBK files really are GBK (not UTF-8) and the BOM is really there.
    assert (tmp_path / "bom" / "townships.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        (tmp_path / "gbk" / "households.csv").read_bytes().decode("utf-8")
    loaded = {form: read_dataset(p) for form, p in paths.items()}
    ref = loaded["csv-utf8"]
    assert list(ref) == list(TABLE_ORDER)
    for form, got in loaded.items():
        assert list(got) == list(ref), form
        for name in ref:
            pd.testing.assert_frame_equal(got[name], ref[name], obj=f"{form} {name}")


def test_typed_frames(tmp_path):
    got = read_dataset(write_csv(base(), tmp_path / "d"))
    hy = got["household_years"]
    assert list(hy.columns) == TABLES["household_years"].column_names
    assert hy["members"].tolist() == [4, 4, 3, 2, 2, 2, 5, 5]
    assert hy["year"].tolist() == [2015, 2016, 2017] * 2 + [2016, 2017]
    assert hy["wage_income_per_capita"].dtype == "float64"
    assert np.isnan(hy["wage_income_per_capita"].iloc[2])
    assert hy["water_secure"].tolist() == [True] * 6 + [False, True]
    # status aliases normalised
    assert hy["status"].tolist() == [POOR, EXITED, POOR, POOR, POOR, EXITED, POOR, EXITED]
    assert hy["relapse_cause"].isna().tolist() == [True, True, False] + [True] * 5
    hh = got["households"]
    assert hh["head_id_number"].tolist() == IDS
    assert hh["cadre_id"].isna().tolist() == [False, True, False]
    v = got["villages"]
    assert v["is_poor_village"].tolist() == [True, False, True]
    assert v["planned_exit_year"].isna().tolist() == [False, True, False]
    vy = got["village_years"]
    assert vy["collective_income_yuan"].tolist() == [-1200.0] * 6
    assert vy["clinic"].isna().all() and vy["kindergarten"].tolist() == [False] * 6
    assert got["townships"]["seat_lat"].iloc[0] == 35.1


def test_optional_tables_only_if_given(tmp_path):
    t = base()
    del t["cadres"], t["household_measures"]
    t["households"].loc[:, "cadre_id"] = ""
    got = read_dataset(write_csv(t, tmp_path / "d"))
    assert set(got) == set(TABLE_ORDER) - {"cadres", "household_measures"}


def test_cadre_fk_not_checked_without_cadres(tmp_path):
    t = base()
    del t["cadres"]
    got = read_dataset(write_csv(t, tmp_path / "d"))
    assert got["households"]["cadre_id"].iloc[0] == "C01"


def test_progress_is_reported(tmp_path):
    seen = []
    read_dataset(write_csv(base(), tmp_path / "d"), progress=seen.append)
    assert any("households" in s for s in seen)
    assert any(s.startswith("校验 household_years") for s in seen)


def test_header_case_and_whitespace_tolerated(tmp_path):
    t = base()
    t["cadres"] = t["cadres"].rename(columns={"rank": " Rank "})
    t["cadres"].loc[0, "unit"] = "  县财政局  "
    got = read_dataset(write_csv(t, tmp_path / "d"))
    assert got["cadres"]["unit"].iloc[0] == "县财政局"


def test_blank_rows_are_skipped_and_lines_kept(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    p = folder / "households.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    # a blank line and an all-empty row before the last household, whose ID is now bad
    lines[3] = lines[3].replace(ID3, ID3[:-1] + "1")
    text = "\n".join(lines[:3] + ["", ",,,,,,"] + lines[3:]) + "\n"
    p.write_text(text, encoding="utf-8")
    probs = problems_of(folder)
    assert [key(p) for p in probs] == [("households", 6, "head_id_number", "id_checksum")]


def test_quoted_newline_keeps_line_numbers(tmp_path):
    t = base()
    t["villages"].loc[0, "name"] = "赤砂\n村"
    t["villages"].loc[2, "lat"] = "north"
    folder = write_csv(t, tmp_path / "d")
    probs = problems_of(folder)
    # row 3 of the file starts on line 5 because row 1's name spans two lines
    assert [key(p) for p in probs] == [("villages", 5, "lat", "real_format")]
    got_ok = base()
    got_ok["villages"].loc[0, "name"] = "赤砂\n村"
    assert read_dataset(write_csv(got_ok, tmp_path / "ok"))["villages"]["name"].iloc[0] == "赤砂\n村"


# --------------------------------------------------------------------------- mutations


def setv(table, row, column, value):
    def f(t):
        t[table].loc[row, column] = value
    return f


def drop_col(table, column):
    def f(t):
        t[table] = t[table].drop(columns=[column])
    return f


def add_col(table, column, value="x"):
    def f(t):
        t[table][column] = value
    return f


def drop_rows(table, *rows):
    def f(t):
        t[table] = t[table].drop(index=list(rows)).reset_index(drop=True)
    return f


def add_row(table, values):
    def f(t):
        t[table] = pd.concat(
            [t[table], pd.DataFrame([values], columns=t[table].columns, dtype="str")],
            ignore_index=True)
    return f


def drop_table(table):
    def f(t):
        del t[table]
    return f


def both(*fs):
    def f(t):
        for g in fs:
            g(t)
    return f


_BAD_BIRTH = _id("62112119800231123")  # 31 February
_FUTURE = _id("62112129990101123")
_OLD = _id("62112118991231123")
_MANGLED = ID1[:15] + "000"  # what Excel makes of ID1: 15 digits kept
_BAD_SUM = ID1[:17] + ("0" if ID1[17] != "0" else "1")

# (id, mutation, expected problems as (table, line, column, rule))
CASES = [
    ("missing_column", drop_col("households", "poverty_cause"),
     [("households", None, "poverty_cause", "missing_column")]),
    ("two_missing_columns", both(drop_col("cadres", "rank"), drop_col("cadres", "unit")),
     [("cadres", None, "rank", "missing_column"), ("cadres", None, "unit", "missing_column")]),
    ("extra_column", add_col("villages", "remark"),
     [("villages", None, "remark", "unknown_column")]),
    ("missing_table", drop_table("village_years"),
     [("village_years", None, None, "missing_table")]),
    ("empty_required_table", drop_rows("household_years", *range(8)),
     [("household_years", None, None, "empty_table")]),
    ("required_cell", setv("households", 1, "head_name", ""),
     [("households", 3, "head_name", "required")]),
    ("required_bool", setv("villages", 0, "is_poor_village", ""),
     [("villages", 2, "is_poor_village", "required")]),
    ("security_unknown_is_fine", setv("household_years", 0, "water_secure", ""), []),
    ("code_too_short", setv("village_years", 1, "village_code", "62112110100"),
     [("village_years", 3, "village_code", "code_format")]),
    ("code_with_letter", setv("villages", 0, "township_code", "62112110A"),
     [("villages", 2, "township_code", "code_format")]),
    # A bad parent key is one problem, and its children really have no parent.
    ("parent_code_bad", setv("townships", 1, "township_code", "62112110A"),
     [("townships", 3, "township_code", "code_format"),
      ("villages", 4, "township_code", "foreign_key")]),
    ("village_not_in_its_township", setv("villages", 1, "township_code", "621121102"),
     [("villages", 3, "village_code", "village_township")]),
    ("text_in_int", setv("village_years", 0, "registered_population", "一千"),
     [("village_years", 2, "registered_population", "int_format")]),
    ("fraction_in_int", setv("household_years", 1, "members", "3.5"),
     [("household_years", 3, "members", "int_format")]),
    ("int_overflow", setv("village_years", 2, "households", "99999999999"),
     [("village_years", 4, "households", "int_format")]),
    ("text_in_real", setv("household_years", 3, "net_income_per_capita", "3,200"),
     [("household_years", 5, "net_income_per_capita", "real_format")]),
    ("unit_in_real", setv("townships", 0, "seat_lon", "105.2°"),
     [("townships", 2, "seat_lon", "real_format")]),
    ("bad_boolean", setv("village_years", 1, "cement_road", "maybe"),
     [("village_years", 3, "cement_road", "bool_format")]),
    ("bad_boolean_required", setv("villages", 0, "is_poor_village", "2"),
     [("villages", 2, "is_poor_village", "bool_format")]),
    ("bad_enum_kind", setv("townships", 0, "kind", "市"),
     [("townships", 2, "kind", "enum")]),
    ("bad_enum_status", setv("household_years", 4, "status", "脱贫"),
     [("household_years", 6, "status", "enum")]),
    ("bad_enum_cause", setv("households", 0, "poverty_cause", "因穷"),
     [("households", 2, "poverty_cause", "enum")]),
    ("bad_enum_rank", setv("cadres", 0, "rank", "处级"),
     [("cadres", 2, "rank", "enum")]),
    ("bad_enum_measure", setv("household_measures", 0, "measure", "发钱"),
     [("household_measures", 2, "measure", "enum")]),
    ("members_zero", setv("household_years", 2, "members", "0"),
     [("household_years", 4, "members", "minimum")]),
    ("members_negative", setv("household_years", 2, "members", "-1"),
     [("household_years", 4, "members", "minimum")]),
    ("negative_population", setv("village_years", 5, "registered_population", "-5"),
     [("village_years", 7, "registered_population", "minimum")]),
    ("negative_amount", setv("household_measures", 0, "amount_yuan", "-0.5"),
     [("household_measures", 2, "amount_yuan", "minimum")]),
    ("negative_wage", setv("household_years", 0, "wage_income_per_capita", "-1"),
     [("household_years", 2, "wage_income_per_capita", "minimum")]),
    ("id_checksum", setv("households", 0, "head_id_number", _BAD_SUM),
     [("households", 2, "head_id_number", "id_checksum")]),
    ("id_feb_31", setv("households", 0, "head_id_number", _BAD_BIRTH),
     [("households", 2, "head_id_number", "id_birth_date")]),
    ("id_future_birth", setv("households", 0, "head_id_number", _FUTURE),
     [("households", 2, "head_id_number", "id_birth_date")]),
    ("id_before_1900", setv("households", 0, "head_id_number", _OLD),
     [("households", 2, "head_id_number", "id_birth_date")]),
    ("id_too_short", setv("households", 1, "head_id_number", ID2[:15]),
     [("households", 3, "head_id_number", "id_format")]),
    ("id_letter", setv("households", 1, "head_id_number", ID2[:10] + "A" + ID2[11:]),
     [("households", 3, "head_id_number", "id_format")]),
    ("id_excel_scientific", setv("households", 0, "head_id_number", "6.21121E+17"),
     [("households", 2, "head_id_number", "stored_as_number")]),
    ("id_excel_15_digits", setv("households", 0, "head_id_number", _MANGLED),
     [("households", 2, "head_id_number", "stored_as_number")]),
    ("code_excel_scientific", setv("households", 2, "village_code", "6.21121E+11"),
     [("households", 4, "village_code", "stored_as_number")]),
    ("duplicate_primary_key",
     add_row("households", ["H002", "621121101001", "赵六", _id("62112119900615004"), "2015",
                            "因病", ""]),
     [("households", 5, "household_id", "duplicate_key")]),
    ("duplicate_composite_key", add_row("household_years", base()["household_years"].iloc[4].tolist()),
     [("household_years", 10, "household_id, year", "duplicate_key")]),
    ("duplicate_id_number", setv("households", 1, "head_id_number", ID1),
     [("households", 3, "head_id_number", "duplicate_value")]),
    ("orphan_village", drop_rows("townships", 1),
     [("villages", 4, "township_code", "foreign_key")]),
    ("orphan_village_year", setv("village_years", 3, "village_code", "621121101009"),
     [("village_years", 5, "village_code", "foreign_key")]),
    ("orphan_household", setv("households", 1, "village_code", "621121101009"),
     [("households", 3, "village_code", "foreign_key")]),
    ("orphan_cadre", setv("households", 2, "cadre_id", "C99"),
     [("households", 4, "cadre_id", "foreign_key")]),
    ("orphan_household_year",
     add_row("household_years", ["H999", "2015", "1", "1", "", POOR, "", "", "1", "1", "1", "1", "1"]),
     [("household_years", 10, "household_id", "foreign_key")]),
    ("orphan_measure", add_row("household_measures", ["H999", "2016", "其他", ""]),
     [("household_measures", 3, "household_id", "foreign_key")]),
    ("gap_in_years", drop_rows("household_years", 4),
     [("household_years", 6, "year", "year_gap")]),
    ("first_year_missing", drop_rows("household_years", 6),
     [("household_years", 8, "year", "year_gap")]),
    ("household_without_years", drop_rows("household_years", 6, 7),
     [("household_years", None, "household_id", "year_gap")]),
    ("year_before_registered",
     add_row("household_years", ["H003", "2015", "5", "100", "", POOR, "", "", "1", "1", "1", "1", "1"]),
     [("household_years", 10, "year", "year_before_registered")]),
    ("relapse_cause_on_poor_after_poor", setv("household_years", 4, "relapse_cause", "因病"),
     [("household_years", 6, "relapse_cause", "relapse_cause")]),
    ("relapse_cause_on_exited", setv("household_years", 1, "relapse_cause", "因灾"),
     [("household_years", 3, "relapse_cause", "relapse_cause")]),
    ("relapse_cause_first_year", setv("household_years", 6, "relapse_cause", "其他"),
     [("household_years", 8, "relapse_cause", "relapse_cause")]),
    ("relapse_cause_not_a_relapse_cause", setv("household_years", 2, "relapse_cause", "缺水"),
     [("household_years", 4, "relapse_cause", "enum")]),
    ("planned_exit_for_non_poor_village", setv("villages", 1, "planned_exit_year", "2017"),
     [("villages", 3, "planned_exit_year", "planned_exit_year")]),
]


@pytest.mark.parametrize("form", ["csv", "xlsx"])
@pytest.mark.parametrize("mutation, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(form, mutation, expected, tmp_path):
    t = base()
    mutation(t)
    probs = problems_of(write(form, t, tmp_path))
    assert sorted(map(key, probs), key=str) == sorted(expected, key=str), \
        "\n".join(map(str, probs))
    for p in probs:
        assert p.rule in ingest.RULES
        assert p.message
    assert_masked(probs, ingest.write_problems_report(probs))


def test_base_dataset_is_valid_in_both_forms(tmp_path):
    """Guards the rule tests: without a mutation nothing is reported."""
    for form in ("csv", "xlsx"):
        assert read_dataset(write(form, base(), tmp_path / form))


def test_masked_messages_show_masked_values(tmp_path):
    t = base()
    t["households"].loc[0, "head_id_number"] = _BAD_SUM
    t["households"].loc[1, "poverty_cause"] = "李四病了"
    probs = problems_of(write_csv(t, tmp_path / "d"))
    text = "\n".join(map(str, probs))
    assert "校验位不符" in text and _BAD_SUM not in text and mask_id_number(_BAD_SUM) not in text
    assert "「李***」" in text
    assert_masked(probs)


# --------------------------------------------------------------------------- file forms


def test_unknown_table_file(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    (folder / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "README.txt").write_text("ignored", encoding="utf-8")
    assert problems_of(folder) == []
    notes = import_dataset(folder, tmp_path / "n.duckdb").notices
    assert [key(p) for p in notes] == [("dataset", None, None, "unknown_table")]
    assert "notes.csv" in notes[0].message and "README" not in notes[0].message


def test_csv_and_parquet_for_one_table(tmp_path):
    t = base()
    folder = write_csv(t, tmp_path / "d")
    write_parquet({"cadres": t["cadres"]}, folder)
    assert [key(p) for p in problems_of(folder)] == [("cadres", None, None, "duplicate_source")]


def test_csv_row_with_extra_field(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    p = folder / "cadres.csv"
    p.write_text(p.read_text(encoding="utf-8").rstrip("\n") + "\nC02,赵六,科级,县教育局,extra\n",
                 encoding="utf-8")
    assert [key(x) for x in problems_of(folder)] == [("cadres", 3, None, "bad_row")]


def test_csv_row_with_missing_field_after_multiline_field(tmp_path):
    t = base()
    t["cadres"].loc[0, "unit"] = "县财政局\n农业科"
    folder = write_csv(t, tmp_path / "d")
    p = folder / "cadres.csv"
    p.write_text(p.read_text(encoding="utf-8") + "C02,赵六,科级\n", encoding="utf-8")
    assert [key(x) for x in problems_of(folder)] == [("cadres", 4, None, "bad_row")]


def test_csv_blank_first_line(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    p = folder / "townships.csv"
    p.write_text("\n" + p.read_text(encoding="utf-8"), encoding="utf-8")
    assert problems_of(folder) == []  # a blank line above the header is harmless


def test_csv_title_row_above_header_and_lines_still_right(tmp_path):
    t = base()
    t["townships"].loc[1, "kind"] = "市"
    folder = write_csv(t, tmp_path / "d")
    p = folder / "townships.csv"
    p.write_text("通渭县乡镇名单,,,,,,\n" + p.read_text(encoding="utf-8"), encoding="utf-8")
    assert [key(x) for x in problems_of(folder)] == [
        ("townships", 1, None, "bad_header"), ("townships", 4, "kind", "enum")]


def test_csv_without_header(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    p = folder / "cadres.csv"
    p.write_text("\n".join(p.read_text(encoding="utf-8").splitlines()[1:]) + "\n", encoding="utf-8")
    probs = problems_of(folder)
    assert [key(x) for x in probs] == [("cadres", 1, None, "bad_header")]
    assert "找不到表头" in probs[0].message and "cadre_id" in probs[0].message


def test_duplicate_column_name(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    p = folder / "cadres.csv"
    rows = p.read_text(encoding="utf-8").splitlines()
    rows = [rows[0] + ",name", rows[1] + ",王六"]
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    probs = problems_of(folder)
    assert [key(x) for x in probs] == [("cadres", 1, "name", "duplicate_column")]
    assert_masked(probs)


def test_unnamed_column_with_values(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    p = folder / "cadres.csv"
    rows = p.read_text(encoding="utf-8").splitlines()
    p.write_text(rows[0] + ",\n" + rows[1] + ",note\n", encoding="utf-8")
    assert [key(x) for x in problems_of(folder)] == [("cadres", 1, None, "bad_header")]


def test_unnamed_empty_columns_are_ignored(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    p = folder / "cadres.csv"
    rows = p.read_text(encoding="utf-8").splitlines()
    p.write_text(rows[0] + ",,\n" + rows[1] + ",,\n", encoding="utf-8")
    assert read_dataset(folder)["cadres"].shape == (1, 4)


def test_csv_neither_utf8_nor_gb18030(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    p = folder / "cadres.csv"
    p.write_bytes(p.read_bytes().replace("县财政局".encode(), b"\x80\x80\xff"))
    assert [key(x) for x in problems_of(folder)] == [("cadres", 2, None, "encoding")]


def test_empty_csv_file(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    (folder / "village_years.csv").write_bytes(b"")
    assert [key(x) for x in problems_of(folder)] == [("village_years", None, None, "empty_table")]


def test_gbk_with_error_reports_chinese_messages(tmp_path):
    t = base()
    t["townships"].loc[0, "kind"] = "市"
    probs = problems_of(write_csv(t, tmp_path / "d", "gbk"))
    assert [key(p) for p in probs] == [("townships", 2, "kind", "enum")]
    assert "「市」" in probs[0].message


def test_file_over_max_bytes(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    size = (folder / "households.csv").stat().st_size
    probs = problems_of(folder, max_bytes=size - 1)
    assert ("households", None, None, "file_too_large") in map(key, probs)
    assert all(p.rule == "file_too_large" for p in probs)
    # at exactly the limit it loads
    biggest = max(f.stat().st_size for f in folder.iterdir())
    assert read_dataset(folder, max_bytes=biggest)


def test_workbook_over_max_bytes(tmp_path):
    path = write_xlsx(base(), tmp_path / "data.xlsx")
    assert [key(p) for p in problems_of(path, max_bytes=1000)] == [
        ("dataset", None, None, "file_too_large")]


def test_parquet_with_numeric_code_column(tmp_path):
    t = base()
    folder = write_parquet(t, tmp_path / "pq")
    df = t["townships"].copy()
    df["township_code"] = df["township_code"].astype("int64")
    df.to_parquet(folder / "townships.parquet", index=False)
    # an exact 9-digit integer is the code: accepted
    assert read_dataset(folder)["townships"]["township_code"].tolist() == ["621121101", "621121102"]
    df.loc[1, "township_code"] = 62112110
    df.to_parquet(folder / "townships.parquet", index=False)
    assert [key(p) for p in problems_of(folder)] == [
        ("townships", 3, "township_code", "code_format"), ("villages", 4, "township_code", "foreign_key")]


def test_parquet_error_lines_match_csv(tmp_path):
    t = base()
    t["household_years"].loc[2, "members"] = "0"
    probs = problems_of(write_parquet(t, tmp_path / "pq"))
    assert [key(p) for p in probs] == [("household_years", 4, "members", "minimum")]


def test_not_a_dataset(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("hello")
    assert [key(x) for x in problems_of(p)] == [("dataset", None, None, "unsupported_input")]
    assert [key(x) for x in problems_of(tmp_path / "nope")] == [
        ("dataset", None, None, "unsupported_input")]


# --------------------------------------------------------------------------- xlsx


def test_xlsx_formula_cell(tmp_path):
    def writer(ws, table, r, col, v):
        if table == "village_years" and r == 3 and col == "registered_population":
            ws.write_formula(r, 2, "=1000+200", None, 1200)
            return True
        return False

    path = write_xlsx(base(), tmp_path / "f.xlsx", cell_writer=writer)
    probs = problems_of(path)
    assert [key(p) for p in probs] == [("village_years", 4, "registered_population", "formula")]
    assert "不接受公式" in probs[0].message


def test_xlsx_string_starting_with_equals_is_not_a_formula(tmp_path):
    t = base()
    t["cadres"].loc[0, "unit"] = "=县财政局"
    got = read_dataset(write_xlsx(t, tmp_path / "d.xlsx"))
    assert got["cadres"]["unit"].iloc[0] == "=县财政局"


@pytest.mark.parametrize("number", [6.21121198001011e17, 621121198001010000])
def test_xlsx_id_stored_as_number(tmp_path, number):
    column = "village_code" if number < 1e15 else "head_id_number"
    table = "villages" if column == "village_code" else "households"

    def writer(ws, tname, r, col, v):
        if tname == table and r == 1 and col == column:
            ws.write_number(r, TABLES[table].column_names.index(column), number)
            return True
        return False

    probs = problems_of(write_xlsx(base(), tmp_path / "n.xlsx", cell_writer=writer))
    # only the cell is reported: the number's digits still match the children's codes
    assert [key(p) for p in probs] == [(table, 2, column, "stored_as_number")]
    assert "存成了数字" in probs[0].message and "文本" in probs[0].message
    assert_masked(probs)


def test_xlsx_merged_title_row(tmp_path):
    t = base()
    t["households"].loc[2, "poverty_cause"] = "因穷"
    path = write_xlsx(t, tmp_path / "m.xlsx", title_row={"households": "通渭县建档立卡户名单"})
    probs = problems_of(path)
    assert [key(p) for p in probs] == [
        ("households", 1, None, "bad_header"), ("households", 5, "poverty_cause", "enum")]
    assert "第 2 行" in probs[0].message and "标题" in probs[0].message


def test_xlsx_empty_sheet(tmp_path):
    """A sheet with nothing in it, not even a header."""
    wb = xlsxwriter.Workbook(str(tmp_path / "e2.xlsx"), {"strings_to_formulas": False})
    for name, df in base().items():
        ws = wb.add_worksheet(name)
        if name == "village_years":
            continue
        for j, c in enumerate(df.columns):
            ws.write_string(0, j, c)
        for i, row in enumerate(df.itertuples(index=False), start=1):
            for j, v in enumerate(row):
                ws.write_string(i, j, v)
    wb.close()
    probs = problems_of(tmp_path / "e2.xlsx")
    assert [key(p) for p in probs] == [("village_years", None, None, "empty_table")]
    assert "工作表 village_years" in str(probs[0])


def test_xlsx_header_only_sheet(tmp_path):
    t = base()
    t["villages"] = t["villages"].iloc[0:0]
    t["village_years"] = t["village_years"].iloc[0:0]
    t["households"] = t["households"].iloc[0:0]
    t["household_years"] = t["household_years"].iloc[0:0]
    t["household_measures"] = t["household_measures"].iloc[0:0]
    t["village_support"] = t["village_support"].iloc[0:0]
    probs = problems_of(write_xlsx(t, tmp_path / "h.xlsx"))
    assert sorted(key(p) for p in probs) == sorted(
        (n, None, None, "empty_table")
        for n in ("villages", "village_years", "households", "household_years"))


def test_xlsx_unknown_sheet(tmp_path):
    t = base()
    t["说明"] = pd.DataFrame({"a": ["b"]})
    wb_path = tmp_path / "u.xlsx"
    wb = xlsxwriter.Workbook(str(wb_path), {"strings_to_formulas": False})
    for name, df in t.items():
        ws = wb.add_worksheet(name)
        for j, c in enumerate(df.columns):
            ws.write_string(0, j, c)
        for i, row in enumerate(df.itertuples(index=False), start=1):
            for j, v in enumerate(row):
                ws.write_string(i, j, v)
    wb.close()
    notes = import_dataset(wb_path, tmp_path / "u.duckdb").notices
    assert [key(p) for p in notes] == [("dataset", None, None, "skipped_sheet")]
    assert "说明" in notes[0].message


def _zip_bomb(path: Path, megabytes: int) -> Path:
    """A 'workbook' whose sheet XML inflates to ``megabytes`` MB (compresses ~1000:1)."""
    chunk = b"<row>" + b"0" * (1024 * 1024 - 11) + b"</row>"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(megabytes):
                f.write(chunk)
    return path


def test_xlsx_zip_bomb_against_max_bytes(tmp_path):
    path = _zip_bomb(tmp_path / "bomb.xlsx", 20)
    assert path.stat().st_size < 1_000_000
    probs = problems_of(path, max_bytes=1_000_000)
    assert [key(p) for p in probs] == [("dataset", None, None, "zip_bomb")]


def test_xlsx_zip_bomb_default_limit(tmp_path):
    path = _zip_bomb(tmp_path / "bomb.xlsx", ingest.DEFAULT_XLSX_UNCOMPRESSED_LIMIT // 2**20 + 1)
    assert path.stat().st_size < 2_000_000
    assert [key(p) for p in problems_of(path)] == [("dataset", None, None, "zip_bomb")]


def test_not_a_zip_xlsx(tmp_path):
    p = tmp_path / "fake.xlsx"
    p.write_text("not a zip")
    assert [key(x) for x in problems_of(p)] == [("dataset", None, None, "file_unreadable")]


# --------------------------------------------------------------------------- all problems


def test_several_problems_all_reported(tmp_path):
    t = base()
    t["townships"].loc[0, "kind"] = "市"
    t["villages"].loc[1, "village_code"] = "62112110100"
    t["households"].loc[0, "head_id_number"] = _BAD_SUM
    t["households"].loc[2, "head_id_number"] = "6.21121E+17"
    t["household_years"].loc[0, "members"] = "0"
    t["household_years"].loc[3, "members"] = "two"
    t["household_years"].loc[5, "status"] = "good"
    t["household_years"] = t["household_years"].drop(index=[7]).reset_index(drop=True)
    t["cadres"] = t["cadres"].drop(columns=["unit"])
    t["household_measures"].loc[0, "household_id"] = "H404"
    del t["village_years"]
    for form in ("csv", "xlsx"):
        with pytest.raises(ImportRejected) as e:
            read_dataset(write(form, t, tmp_path / form))
        got = sorted(map(key, e.value.problems), key=str)
        assert got == sorted([
            ("townships", 2, "kind", "enum"),
            ("villages", 3, "village_code", "code_format"),
            ("village_years", None, None, "missing_table"),
            ("households", 2, "head_id_number", "id_checksum"),
            ("households", 4, "head_id_number", "stored_as_number"),
            ("household_years", 2, "members", "minimum"),
            ("household_years", 5, "members", "int_format"),
            ("household_years", 7, "status", "enum"),
            ("cadres", None, "unit", "missing_column"),
            ("household_measures", 2, "household_id", "foreign_key"),
        ], key=str), form
        report = ingest.write_problems_report(e.value.problems)
        assert report.startswith("导入被拒绝：7 个表共 10 个问题。")
        assert "household_years（年度动态）：3 个问题" in report
        assert_masked(e.value.problems, report)
        assert "10 个问题" in str(e.value)


def test_problems_are_capped_with_a_summary(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest.rules, "MAX_PROBLEMS_PER_RULE", 3)
    t = base()
    t["household_years"]["dibao_class"] = "三类"
    probs = problems_of(write_csv(t, tmp_path / "d"))
    assert [key(p) for p in probs] == [
        ("household_years", 2, "dibao_class", "enum"),
        ("household_years", 3, "dibao_class", "enum"),
        ("household_years", 4, "dibao_class", "enum"),
        ("household_years", None, "dibao_class", "enum"),  # the summary, after its lines
    ]
    assert "另有 5 行" in probs[3].message and "第 5–9 行" in probs[3].message
    assert ingest.report.problem_count(probs) == 8
    assert ingest.write_problems_report(probs).startswith("导入被拒绝：1 个表共 8 个问题（逐条列出 3 个）")


def test_problem_str_forms():
    assert str(Problem("households", 12, "head_id_number", "id_checksum", "校验位不符",
                       "households.csv", 5)) == (
        "households.csv 第 12 行，第 5 列 head_id_number（户主身份证号）：校验位不符 [id_checksum]")
    assert str(Problem("cadres", None, "unit", "missing_column", "m")) == \
        "cadres unit（帮扶单位）：m [missing_column]"
    assert str(Problem("dataset", None, None, "zip_bomb", "z", "a.xlsx")) == "a.xlsx：z [zip_bomb]"
    assert ingest.write_problems_report([]) == "没有发现问题。\n"


def test_rules_documented():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "import-rules.md").read_text(
        encoding="utf-8")
    for rule in ingest.RULES:
        assert f"`{rule}`" in doc, rule


# --------------------------------------------------------------------------- encodings, line ends


def test_utf8_head_then_gbk_falls_back_to_gb18030(tmp_path):
    """The encoding sniff looks at the first MB; a GBK name after it still imports."""
    t = base()
    t["villages"].loc[1, "name"] = "N" * (1 << 20)  # pushes the GBK row past the first MB
    t["villages"].loc[0, "name"] = "Chisha"
    folder = write_csv(t, tmp_path / "d")
    write_csv({"villages": t["villages"]}, folder, "gbk")
    data = (folder / "villages.csv").read_bytes()
    assert len(data) > 1 << 20 and "李家村".encode("gbk") in data[1 << 20:]
    data[: 1 << 20].decode("utf-8")  # the sniff sees valid UTF-8
    got = read_dataset(folder)["villages"]
    assert got["name"].iloc[-1] == "李家村"


def test_gb18030_bom_is_stripped(tmp_path):
    folder = write_csv(base(), tmp_path / "d")
    p = folder / "cadres.csv"
    p.write_bytes("\ufeff".encode("gb18030") + p.read_text(encoding="utf-8").encode("gb18030"))
    assert read_dataset(folder)["cadres"]["name"].iloc[0] == "王五"


def test_crlf_line_ends_with_multiline_field(tmp_path):
    t = base()
    t["cadres"] = pd.concat([t["cadres"], pd.DataFrame(
        [["C02", "赵六", "科级", "县\r\n教育局"], ["C03", "钱七", "处级", "县农业局"]],
        columns=TABLES["cadres"].column_names)], ignore_index=True)
    folder = write_csv(t, tmp_path / "d")
    p = folder / "cadres.csv"
    p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n"))
    assert [key(x) for x in problems_of(folder)] == [("cadres", 5, "rank", "enum")]


def test_lowercase_x_and_status_case(tmp_path):
    t = base()
    t["households"].loc[2, "head_id_number"] = ID3.lower()
    t["household_years"].loc[3, "status"] = "Poor"
    t["household_years"].loc[5, "status"] = " EXITED "
    got = read_dataset(write_csv(t, tmp_path / "d"))
    assert got["households"]["head_id_number"].iloc[2] == ID3
    assert got["household_years"]["status"].iloc[3] == POOR
    assert got["household_years"]["status"].iloc[5] == EXITED


def test_numeric_strings_with_trailing_zero_decimals(tmp_path):
    t = base()
    t["household_years"].loc[0, "year"] = "2015.0"
    t["household_years"].loc[0, "members"] = "+4"
    got = read_dataset(write_csv(t, tmp_path / "d"))
    assert got["household_years"]["year"].iloc[0] == 2015
    assert got["household_years"]["members"].iloc[0] == 4


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "3.2.1", ""])
def test_non_finite_reals_rejected(tmp_path, value):
    t = base()
    t["household_years"].loc[0, "net_income_per_capita"] = value
    rule = "required" if value == "" else "real_format"
    assert [key(p) for p in problems_of(write_csv(t, tmp_path / "d"))] == [
        ("household_years", 2, "net_income_per_capita", rule)]


def test_relapse_with_cause_is_valid_and_without_cause_too(tmp_path):
    t = base()
    t["household_years"].loc[2, "relapse_cause"] = ""  # a relapse need not give a cause
    assert read_dataset(write_csv(t, tmp_path / "d"))
