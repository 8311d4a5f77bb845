"""Forgiving where the data is intact, precise where it is not (issue 11, point 4).

One table-driven test per case seen in county files: each builds a small file in the
test (the tiny dataset of tests/tiny_dataset.py, made-up people), imports it, and
expects exactly the problems and notices listed. Intact data loads; damaged data is
reported at its line and column, with no personal value in any message.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from analytics.contract import TABLES
from analytics.ingest import ImportRejected, import_dataset, write_problems_report
from analytics.ingest.report import file_problems_lead
from analytics.quality import quality_findings
from analytics.store import Store
from tests.tiny_dataset import ID1, IDS, NAMES, base, read_dataset, write_csv, write_xlsx


def key(p) -> tuple:
    return (p.table, p.line, p.column, p.rule)


def outcome(path: Path, db: Path):
    """(problems, notices) of importing ``path``; problems are [] when it loaded."""
    try:
        result = import_dataset(path, db)
    except ImportRejected as rejected:
        return [key(p) for p in rejected.problems], [key(p) for p in rejected.notices], \
            rejected.problems + rejected.notices
    return [], [key(p) for p in result.notices], result.notices


def assert_nothing_personal(items) -> None:
    text = "\n".join(map(str, items))
    for secret in IDS + NAMES + [ID1[:15], ID1[:17]]:
        assert secret not in text, secret
    assert "None" not in text


def column_index(table: str, column: str) -> int:
    return TABLES[table].column_names.index(column)


# ------------------------------------------------------------------ workbooks


def number_cells(table: str, column: str, number: float):
    """A cell writer storing ``column`` of the first row of ``table`` as a number."""
    def writer(ws, name, r, col, value):
        if name == table and r == 1 and col == column:
            ws.write_number(r, column_index(table, column), number)
            return True
        return False
    return writer


def date_cell(table: str, column: str, row: int, when: dt.date):
    def writer(ws, name, r, col, value):
        if name == table and r == row and col == column:
            ws.write_datetime(r, column_index(table, column),
                              dt.datetime(when.year, when.month, when.day), DATE_FORMAT[ws])
            return True
        return False
    return writer


DATE_FORMAT: dict = {}


def write_workbook(tmp_path: Path, writer=None, *, extra=None) -> Path:
    """The tiny dataset as a workbook; ``extra(workbook)`` may add sheets or formats."""
    path = tmp_path / "data.xlsx"
    original = xlsxwriter.Workbook.add_worksheet

    def add_worksheet(self, name=None):
        ws = original(self, name)
        DATE_FORMAT[ws] = self.add_format({"num_format": "yyyy-mm-dd"})
        return ws

    xlsxwriter.Workbook.add_worksheet = add_worksheet
    try:
        write_xlsx(base(), path, cell_writer=writer)
    finally:
        xlsxwriter.Workbook.add_worksheet = original
    if extra:
        extra(path)
    return path


WORKBOOK_CASES = [
    # (id, cell writer, expected problems, expected notices)
    ("township_code_as_number", number_cells("townships", "township_code", 621121101), [], []),
    ("village_code_as_number", number_cells("villages", "village_code", 621121101001), [], []),
    ("household_id_as_number", None, [], []),
    ("code_as_number_of_wrong_length", number_cells("townships", "township_code", 62112110),
     [("townships", 2, "township_code", "code_format"),
      ("villages", 2, "township_code", "foreign_key"),
      ("villages", 3, "township_code", "foreign_key")], []),
    ("id_number_as_number", number_cells("households", "head_id_number", 621121198001011234),
     [("households", 2, "head_id_number", "stored_as_number")], []),
    ("year_as_date_on_1_january",
     date_cell("households", "registered_year", 1, dt.date(2015, 1, 1)), [], []),
    ("year_as_other_date", date_cell("households", "registered_year", 1, dt.date(2015, 3, 1)),
     [("households", 2, "registered_year", "date_cell")], []),
]


@pytest.mark.parametrize("writer, problems, notices", [c[1:] for c in WORKBOOK_CASES],
                         ids=[c[0] for c in WORKBOOK_CASES])
def test_workbook_cells(writer, problems, notices, tmp_path):
    path = write_workbook(tmp_path, writer)
    got_problems, got_notices, items = outcome(path, tmp_path / "db.duckdb")
    assert sorted(got_problems, key=str) == sorted(problems, key=str), "\n".join(map(str, items))
    assert got_notices == notices
    assert_nothing_personal(items)


def test_household_ids_stored_as_numbers_load_as_their_digits(tmp_path):
    t = base()
    for name in ("households", "household_years", "household_measures"):
        t[name]["household_id"] = t[name]["household_id"].str.replace("H", "9")
    path = tmp_path / "ids.xlsx"

    def writer(ws, name, r, col, value):
        if col == "household_id" and value:
            ws.write_number(r, column_index(name, col), int(value))
            return True
        return False

    write_xlsx(t, path, cell_writer=writer)
    got = read_dataset(path)
    assert got["households"]["household_id"].tolist() == ["9001", "9002", "9003"]


def test_date_message_shows_the_date_as_the_user_sees_it(tmp_path):
    path = write_workbook(tmp_path, date_cell("households", "registered_year", 1,
                                              dt.date(2015, 3, 1)))
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(path, tmp_path / "db.duckdb")
    assert "2015-03-01" in rejected.value.problems[0].message


def test_extra_and_hidden_sheets_are_skipped_with_a_notice(tmp_path):
    t = base()
    path = tmp_path / "extra.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    wb.add_worksheet("说明").write_string(0, 0, "本工作簿由村级台账导出")
    for name, frame in t.items():
        ws = wb.add_worksheet(name)
        for j, c in enumerate(frame.columns):
            ws.write_string(0, j, c)
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            for j, v in enumerate(row):
                if v != "":
                    ws.write_string(i, j, v)
    wb.add_worksheet("Sheet1")
    hidden = wb.add_worksheet("草稿")
    hidden.write_string(0, 0, "x")
    hidden.hide()
    wb.close()
    result = import_dataset(path, tmp_path / "db.duckdb")
    assert [key(n) for n in result.notices] == [("dataset", None, None, "skipped_sheet")]
    message = result.notices[0].message
    assert "说明" in message and "Sheet1" in message and "草稿（隐藏）" in message


def test_a_missing_required_sheet_still_rejects(tmp_path):
    t = base()
    del t["households"]
    path = write_xlsx(t, tmp_path / "m.xlsx")
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(path, tmp_path / "db.duckdb")
    assert ("households", None, None, "missing_table") in [key(p) for p in rejected.value.problems]


def test_merged_cells_in_the_data_are_reported_as_merged(tmp_path):
    t = base()
    path = tmp_path / "merged.xlsx"

    def writer(ws, name, r, col, value):
        if name == "households" and col == "village_code" and r in (1, 2):
            if r == 1:  # the first two households share one merged village cell
                ws.merge_range(1, 1, 2, 1, value)
            return True
        return False

    write_xlsx(t, path, cell_writer=writer)
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(path, tmp_path / "db.duckdb")
    problems = rejected.value.problems
    assert [key(p) for p in problems] == [("households", 2, "village_code", "merged_cells")]
    assert "B2:B3" in problems[0].message
    assert not any(p.rule == "required" for p in problems)


def test_hidden_and_filtered_rows_are_imported_with_a_notice(tmp_path):
    t = base()
    path = tmp_path / "hidden.xlsx"
    write_xlsx(t, path)
    # rewrite with rows 3 and 4 of household_years hidden (as a filter leaves them)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    for name, frame in t.items():
        ws = wb.add_worksheet(name)
        for j, c in enumerate(frame.columns):
            ws.write_string(0, j, c)
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            for j, v in enumerate(row):
                if v != "":
                    ws.write_string(i, j, v)
        if name == "household_years":
            ws.autofilter(0, 0, len(frame), len(frame.columns) - 1)
            for r in (2, 3):
                ws.set_row(r, None, None, {"hidden": True})
    wb.close()
    result = import_dataset(path, tmp_path / "db.duckdb")
    assert result.counts["household_years"] == len(t["household_years"])
    assert [key(n) for n in result.notices] == [("household_years", None, None, "hidden_rows")]
    assert "第 3、4 行" in result.notices[0].message


def test_blank_template_rows_below_the_data_are_not_rows(tmp_path):
    t = base()
    path = tmp_path / "template.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    border = wb.add_format({"border": 1})
    for name, frame in t.items():
        ws = wb.add_worksheet(name)
        for j, c in enumerate(frame.columns):
            ws.write_string(0, j, c)
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            for j, v in enumerate(row):
                if v != "":
                    ws.write_string(i, j, v)
        if name == "households":
            for r in range(len(frame) + 1, 100_001):
                ws.write_blank(r, 0, None, border)
    wb.close()
    result = import_dataset(path, tmp_path / "db.duckdb")
    assert result.counts["households"] == 3


def test_old_excel_xls_is_read(tmp_path):
    from tests.test_workbook import write_xls

    t = base()
    sheets = []
    for name, frame in t.items():
        rows = [list(frame.columns)] + [list(r) for r in frame.itertuples(index=False)]
        cells = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v != ""}
        sheets.append((name, False, cells, []))
    path = tmp_path / "old.xls"
    write_xls(path, sheets)
    result = import_dataset(path, tmp_path / "db.duckdb")
    assert result.counts["households"] == 3
    assert [key(n) for n in result.notices].count(("dataset", None, None, "xls_limits")) == 1


# ------------------------------------------------------------------ CSV files


def _csv(tmp_path: Path, table: str, edit) -> Path:
    folder = write_csv(base(), tmp_path / "d")
    p = folder / f"{table}.csv"
    p.write_bytes(edit(p.read_text(encoding="utf-8")).encode("utf-8"))
    return folder


def trailing_commas(text: str) -> str:
    lines = text.splitlines()
    return "\n".join([lines[0]] + [line + "," for line in lines[1:]]) + "\n"


def stray_quote(text: str) -> str:
    lines = text.splitlines()
    lines[2] = lines[2].replace("李四", '李"四')
    return "\n".join(lines) + "\n"


def unclosed_quote(text: str) -> str:
    lines = text.splitlines()
    lines[2] = lines[2].replace("李四", '"李四')
    return "\n".join(lines) + "\n"


def nul_byte(text: str) -> str:
    return text.replace("缺资金", "缺\x00资金")


def full_width(text: str) -> str:
    # a full-width village code, a zero-width space and a no-break space in codes and IDs
    text = text.replace("H002,621121101001", "H002,６２１１２１１０１００１")
    text = text.replace(f",{IDS[2]},", f",\u200b{IDS[2]}\u00a0,")
    return text


def year_outside(text: str) -> str:
    return text.replace(",2016,2016,", ",2016,2021,")  # an exit year after the panel


CSV_CASES = [
    # (id, table, edit, problems, notices)
    ("trailing_comma_on_data_rows", "households", trailing_commas, [],
     [("households", None, None, "trailing_comma")]),
    ("stray_quote", "households", stray_quote, [("households", 3, None, "bad_quote")], []),
    ("unclosed_quote", "households", unclosed_quote, [("households", 3, None, "bad_quote")], []),
    ("nul_byte", "households", nul_byte, [("households", 3, None, "nul_byte")], []),
    ("full_width_and_invisible", "households", full_width, [],
     [("households", None, "head_id_number", "normalised_characters"),
      ("households", None, "village_code", "normalised_characters")]),
    ("exit_year_after_the_panel", "villages", year_outside,
     [("villages", 4, "exit_year", "year_range")], []),
]


@pytest.mark.parametrize("table, edit, problems, notices", [c[1:] for c in CSV_CASES],
                         ids=[c[0] for c in CSV_CASES])
def test_csv_files(table, edit, problems, notices, tmp_path):
    folder = _csv(tmp_path, table, edit)
    got_problems, got_notices, items = outcome(folder, tmp_path / "db.duckdb")
    # the broken files stop at their own problems: no knock-on orphans
    assert got_problems == problems, "\n".join(map(str, items))
    assert sorted(got_notices, key=str) == sorted(notices, key=str)
    assert_nothing_personal(items)


def test_quote_problems_name_the_column(tmp_path):
    folder = _csv(tmp_path, "households", stray_quote)
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "db.duckdb")
    assert rejected.value.problems[0].column_index == 3


def test_normalised_values_are_stored_plain(tmp_path):
    got = read_dataset(_csv(tmp_path, "households", full_width))
    hh = got["households"]
    assert hh["village_code"].tolist()[1] == "621121101001"
    assert hh["head_id_number"].tolist()[2] == IDS[2]


def test_year_range_allowance_comes_from_config(tmp_path, monkeypatch):
    from analytics import config

    real = config.load_config()
    widened = dict(real.imports, year_allowance_after=4)
    monkeypatch.setattr("analytics.ingest.rules.load_config",
                        lambda: type(real)(**{**real.__dict__, "imports": widened}))
    assert read_dataset(_csv(tmp_path, "villages", year_outside))


def test_knock_on_orphans_after_a_broken_row_are_one_line(tmp_path):
    """A broken households row leaves its years without a parent: one summary line."""
    t = base()
    folder = write_csv(t, tmp_path / "d")
    p = folder / "households.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1] + ",extra,fields"  # H001's row cannot be read
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "db.duckdb")
    problems = [key(p) for p in rejected.value.problems]
    assert ("households", 2, None, "bad_row") in problems
    orphans = [p for p in rejected.value.problems
               if p.table == "household_years" and p.rule == "foreign_key"]
    assert len(orphans) == 1 and "3 行" in orphans[0].message


def test_id_cut_by_excel_that_passes_the_checksum_is_a_check_finding(tmp_path):
    """An ID ending in 000 whose checksum happens to hold imports, and `check` lists it."""
    cut = next(f"{ID1[:14]}{d}000" for d in "0123456789"
               if _passes(f"{ID1[:14]}{d}000"))
    t = base()
    t["households"].loc[0, "head_id_number"] = cut
    folder = write_csv(t, tmp_path / "d")
    import_dataset(folder, tmp_path / "db.duckdb")
    findings = {f.rule: f for f in quality_findings(Store(tmp_path / "db.duckdb"))}
    assert findings["id_ending_000"].count == 1
    assert cut not in findings["id_ending_000"].rows.to_string()


def _passes(id_number: str) -> bool:
    from analytics.contract import id_check_digit

    return id_check_digit(id_number[:17]) == id_number[17]


def test_messages_say_empty_not_none(tmp_path):
    t = base()
    t["households"].loc[0, "head_name"] = ""
    folder = write_csv(t, tmp_path / "d")
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "db.duckdb")
    text = "\n".join(map(str, rejected.value.problems))
    assert "None" not in text and "必须填写" in text


def test_a_shifted_column_never_prints_an_id_number(tmp_path):
    """An ID number that lands in a number column (a shifted row) is masked."""
    t = base()
    t["households"].loc[0, "registered_year"] = IDS[1]
    folder = write_csv(t, tmp_path / "d")
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "db.duckdb")
    assert_nothing_personal(rejected.value.problems)
    assert any(p.rule == "int_format" for p in rejected.value.problems)


@pytest.mark.parametrize("chunk", [7, 64, 4096])
def test_a_stray_quote_deep_in_a_large_file_names_its_line(tmp_path, monkeypatch, chunk):
    """The scan reads a file in chunks (16 MB); small chunks stand in for a large file:
    the quote is found at its line and column whatever the chunk boundaries."""
    from analytics.ingest import csvfile

    monkeypatch.setattr(csvfile, "CHUNK", chunk)
    folder = write_csv(base(), tmp_path / "d")
    p = folder / "cadres.csv"
    rows = p.read_text(encoding="utf-8").splitlines()
    extra = [f"C{i:03d},{'某' * 3},科级,县财政局" for i in range(2, 200)]
    extra[150] = 'C152,某某某,科级,县"财政局'
    p.write_text("\n".join(rows + extra) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "db.duckdb")
    problems = [(p.line, p.column_index, p.rule) for p in rejected.value.problems]
    assert problems == [(153, 4, "bad_quote")]


# ------------------------------------------------------------------ found by a newcomer


def set_cell(table: str, row: int, column: str, value: str):
    def edit(text: str) -> str:
        import csv
        import io

        rows = list(csv.reader(io.StringIO(text)))
        rows[row + 1][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()
    return edit


MORE_CSV_CASES = [
    # (id, table, edit, problems, notices)
    ("implausible_members", "household_years", set_cell("household_years", 1, "members",
                                                        "2147483647"),
     [("household_years", 3, "members", "maximum")], []),
    ("implausible_income", "household_years",
     set_cell("household_years", 1, "net_income_per_capita", "1e300"),
     [("household_years", 3, "net_income_per_capita", "maximum")], []),
    ("an_id_number_in_a_public_name", "townships",
     set_cell("townships", 1, "short_name", "陇阳" + IDS[1]),
     [("townships", 3, "short_name", "personal_value")], []),
    ("a_phone_number_in_a_unit", "cadres", set_cell("cadres", 0, "unit", "县财政局 13912345678"),
     [("cadres", 2, "unit", "personal_value")], []),
    ("a_year_without_a_poverty_line_is_named_once", "household_years",
     set_cell("household_years", 2, "year", "2030"),
     [("household_years", 4, "year", "year_range")], []),
    ("a_year_typo_in_the_middle_is_one_problem", "household_years",
     set_cell("household_years", 1, "year", "2030"),
     [("household_years", 3, "year", "year_range")], []),
    ("a_phone_number_written_with_dashes", "villages",
     set_cell("villages", 0, "name", "赤砂村 +86 139-1234-5678"),
     [("villages", 2, "name", "personal_value")], []),
    ("an_id_number_in_full_width_digits", "villages",
     set_cell("villages", 0, "name", "赤砂村" + IDS[1].translate(str.maketrans(
         "0123456789X", "０１２３４５６７８９Ｘ"))),
     [("villages", 2, "name", "personal_value")], []),
    ("an_implausible_village_population", "village_years",
     set_cell("village_years", 0, "registered_population", "2147483647"),
     [("village_years", 2, "registered_population", "maximum")], []),
    ("chinese_in_a_household_id_is_not_normalised", "cadres",
     set_cell("cadres", 0, "cadre_id", "一类"), [("households", 2, "cadre_id", "foreign_key"),
                                               ("households", 4, "cadre_id", "foreign_key")], []),
    ("a_registered_year_typo_is_one_problem", "households",
     set_cell("households", 0, "registered_year", "15"),
     [("households", 2, "registered_year", "year_range")], []),
    ("full_width_and_invisible_numbers", "household_years",
     lambda text: text.replace(",2500,", ",\u3000２５００,").replace("H002,2016,", "H002,2016\u200b,"),
     [], []),
    ("two_trailing_commas_on_one_row", "households",
     lambda text: text.replace("H002,", "H002,", 1).splitlines()[0] + "\n" + "\n".join(
         line + (",," if i == 1 else "") for i, line in enumerate(text.splitlines()[1:])) + "\n",
     [], [("households", None, None, "trailing_comma")]),
    ("a_row_with_a_cell_missing", "households",
     lambda text: "\n".join(line if i != 2 else ",".join(line.split(",")[:-1])
                            for i, line in enumerate(text.splitlines())) + "\n",
     # the unreadable row's children: one summary line, not one per child
     [("households", 3, None, "bad_row"), ("household_years", 5, "household_id", "foreign_key")],
     []),
]


@pytest.mark.parametrize("table, edit, problems, notices", [c[1:] for c in MORE_CSV_CASES],
                         ids=[c[0] for c in MORE_CSV_CASES])
def test_more_csv_files(table, edit, problems, notices, tmp_path):
    folder = _csv(tmp_path, table, edit)
    got_problems, got_notices, items = outcome(folder, tmp_path / "db.duckdb")
    assert got_problems == problems, "\n".join(map(str, items))
    assert sorted(got_notices, key=str) == sorted(notices, key=str)
    assert_nothing_personal(items)
    assert "13912345678" not in "\n".join(map(str, items))


def test_an_empty_parent_table_is_one_line_not_one_per_child(tmp_path):
    folder = _csv(tmp_path, "villages", lambda text: text.splitlines()[0] + "\n")
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "db.duckdb")
    orphans = [p for p in rejected.value.problems if p.rule == "foreign_key"]
    # one line each
    assert sorted(p.table for p in orphans) == ["households", "village_support", "village_years"]
    assert all("没有数据行" in p.message for p in orphans)


def test_a_missing_optional_table_is_a_notice(tmp_path):
    t = base()
    del t["household_measures"]
    result = import_dataset(write_csv(t, tmp_path / "d"), tmp_path / "db.duckdb")
    assert ("household_measures", None, None, "optional_table_missing") in [
        key(n) for n in result.notices]


def test_a_sixteen_digit_household_id_stored_as_a_number_is_its_digits(tmp_path):
    t = base()
    long_ids = {"H001": "6211211002010001", "H002": "6211211002010002", "H003": "6211211002010003"}
    for name in ("households", "household_years", "household_measures"):
        t[name]["household_id"] = t[name]["household_id"].map(long_ids)
    path = tmp_path / "ids.xlsx"

    def writer(ws, name, r, col, value):
        if col == "household_id" and value:
            ws.write_number(r, column_index(name, col), float(value))
            return True
        return False

    write_xlsx(t, path, cell_writer=writer)
    assert sorted(read_dataset(path)["households"]["household_id"]) == sorted(long_ids.values())


@pytest.mark.parametrize("value, shown", [
    ("赵国" + IDS[0], "「赵" + "*" * 19 + "」"),      # a name and an ID: nothing of either
    ("阿卜杜·热合曼", "「阿******」"),
    ("13912345678", "「1**********」"),
    ("脱贫", "「脱贫」"),                              # a piece of a contract word
    ("市", "「市」"),                                  # one character is no name
    ("6211211002010001", "「6211211002010001」"),      # a household ID is not personal
    (IDS[1], "「" + IDS[1][:4] + "*" * 10 + IDS[1][-4:] + "」"),
    ("", "（空）"),
    ("李镇江", "「李**」"),          # holds 镇, a contract word, and is still a name
    ("是赵国" + IDS[0], "「是" + "*" * 20 + "」"),
    ("+86 139-1234-5678", "「+****************」"),
])
def test_shown_values_never_show_a_person(value, shown):
    from analytics.ingest.report import shown_value

    assert shown_value(value) == shown


def test_a_value_right_of_the_header_is_reported_with_its_column(tmp_path):
    def writer(ws, name, r, col, value):
        if name == "cadres" and r == 1 and col == "unit":
            ws.write_string(r, 25, "备注")  # Z2
        return False

    path = write_xlsx(base(), tmp_path / "z.xlsx", cell_writer=writer)
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(path, tmp_path / "db.duckdb")
    problems = rejected.value.problems
    assert [(p.table, p.line, p.rule, p.column_index) for p in problems] == [
        ("cadres", 2, "bad_header", 26)]
    assert "（Z）" in problems[0].message


def test_names_a_user_wrote_in_headers_and_ids_are_masked(tmp_path):
    """A household ID, a column header or a file name can hold anything: masked too."""
    secret = "赵国13912345678"
    t = base()
    for name in ("households", "household_years", "household_measures"):
        t[name]["household_id"] = t[name]["household_id"].replace("H002", secret)
    t["household_years"] = t["household_years"].drop(index=4).reset_index(drop=True)  # a gap
    folder = write_csv(t, tmp_path / "d")
    (folder / f"{secret}.csv").write_text("a\n1\n", encoding="utf-8")
    p = folder / "cadres.csv"
    rows = p.read_text(encoding="utf-8").splitlines()
    p.write_text("\n".join([rows[0] + "," + secret] + [r + "," for r in rows[1:]]) + "\n",
                 encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "db.duckdb")
    items = rejected.value.problems + rejected.value.notices
    text = "\n".join(map(str, items))
    assert {p.rule for p in rejected.value.problems} == {"unknown_column", "year_gap"}
    assert "赵国" not in text and "13912345678" not in text


def test_negative_implausible_income_is_out_of_range_not_greater(tmp_path):
    folder = _csv(tmp_path, "household_years",
                  set_cell("household_years", 1, "net_income_per_capita", "-1e300"))
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "db.duckdb")
    assert "超出合理范围" in rejected.value.problems[0].message


def test_an_optional_parent_with_a_header_alone_is_not_said_to_be_above(tmp_path):
    """Newcomer finding (stop 28): a header-only cadres.csv gave "cadres.csv 没有数据行（见上）"
    with nothing above it (a header alone is no problem of its own for an optional table)."""
    folder = _csv(tmp_path, "cadres", lambda text: text.splitlines()[0] + "\n")
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "db.duckdb")
    orphans = [p for p in rejected.value.problems if p.rule == "foreign_key"]
    assert orphans and all("cadres.csv 没有数据行：只有表头" in p.message for p in orphans)
    assert not any(p.table == "cadres" for p in rejected.value.problems)


def test_a_file_cut_short_is_named_first(tmp_path):
    """household_years.csv cut in the middle of a line: the households left without their
    years (one problem each, with no line of their own, so listed before lines) are caused
    by its short row. The cut file's problem comes first, with a sentence saying to mend it
    first, in the command line's report as on the upload page (which shows the same sorted
    problems). A newcomer found it under 13,766 such problems."""
    def cut(text: str) -> str:
        lines = text.splitlines()
        keep = len(lines) // 2
        return "\n".join(lines[:keep]) + "\n" + lines[keep][: len(lines[keep]) // 3]

    folder = _csv(tmp_path, "household_years", cut)
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "db.duckdb")
    problems = rejected.value.problems
    assert sum(p.rule == "year_gap" for p in problems) == 2
    assert (problems[0].table, problems[0].rule) == ("household_years", "bad_row")
    report = write_problems_report(problems).splitlines()
    assert report[1].startswith("先看 household_years.csv 文件本身的 1 个问题"), report[:3]
    assert report[3].startswith("household_years（"), report[:5]
    assert "这一行有" in report[4]
    assert_nothing_personal(problems)


def test_without_a_file_problem_there_is_no_lead_sentence(tmp_path):
    folder = _csv(tmp_path, "households", lambda text: text.replace("H002", "H00X", 1))
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "db.duckdb")
    assert file_problems_lead(rejected.value.problems) is None
    assert write_problems_report(rejected.value.problems).splitlines()[1] == ""
