"""The national system's files import directly (issue 12, docs/import-formats.md).

The proof: the demo dataset written as a county has it (tests/national_files.py: a
roster per year, GBK CSV and XLSX with a title row and a two-row header, the village
ledger, the pairing list, 乡镇.csv) gives the same `metrics --all --json` as the same
data in the contract format. Then each bad input of the issue, table-driven: one
problem with its file, line and rule, in Chinese, and nothing changed.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics.demo import demo_tables
from analytics.ingest import (
    MAX_PROBLEMS_PER_RULE,
    ImportRejected,
    describe_input,
    import_dataset,
)
from tests.cli_runner import cli_in_process
from tests.national_files import write_national

ROOT = Path(__file__).resolve().parent.parent
SCALE = 0.03
# an ID number (18 characters) or a mobile number: never in a message
PERSONAL = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx]|1[3-9][0-9]{9})(?![0-9])")


@pytest.fixture(scope="module")
def demo():
    return demo_tables(scale=SCALE, seed=2015)


@pytest.fixture(scope="module")
def national(demo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("national")
    years = sorted(set(demo["household_years"]["year"]))
    write_national(demo, folder, xlsx_years={years[1], years[3]})
    return folder


@pytest.fixture(scope="module")
def csv_national(demo, tmp_path_factory):
    """The same files with every year's roster a GBK CSV: for the tests of a problem in a
    CSV roster (staging the workbook years would only add time: workbooks have their
    own tests here and in test_workbook.py)."""
    folder = tmp_path_factory.mktemp("csv_national")
    write_national(demo, folder)
    return folder


def _metrics(db: Path, *, real: bool = True) -> dict[tuple, dict]:
    """``metrics --all --json`` of ``db``: a real ``python -m analytics``, or (``real``
    false) the same command in this process (tests/cli_runner.py: a Python start with
    pandas and DuckDB is about a second of CPU)."""
    command = ["--db", str(db), "metrics", "--all", "--json"]
    if real:
        out = subprocess.run([sys.executable, "-m", "analytics", *command], capture_output=True,
                             text=True, check=True, cwd=ROOT)
    else:
        out = cli_in_process(*command)
        assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return {(r["scope"], r["code"], r["year"]): r for r in rows}


def test_national_files_give_the_same_figures_as_the_contract_files(demo, national, tmp_path):
    contract = tmp_path / "contract"
    contract.mkdir()
    for name, frame in demo.items():
        frame.to_parquet(contract / f"{name}.parquet", index=False)
    import_dataset(contract, tmp_path / "contract.duckdb")
    result = import_dataset(national, tmp_path / "national.duckdb")
    assert result.counts["household_years"] == len(demo["household_years"])
    assert result.counts["households"] == len(demo["households"])
    assert result.counts["village_years"] == len(demo["village_years"])
    # the national database's figures from the command as users run it
    expected = _metrics(tmp_path / "contract.duckdb", real=False)
    got = _metrics(tmp_path / "national.duckdb")
    assert len(expected) > 100 and set(got) == set(expected)
    for key, row in expected.items():  # every scope and year, every figure
        for name, value in row.items():
            if isinstance(value, float):  # sums in another row order: last-digit differences
                assert got[key][name] == pytest.approx(value, rel=1e-12, abs=1e-12), (key, name)
            else:
                assert got[key][name] == value, (key, name)
    # the tables themselves, not only the figures
    with duckdb.connect(str(tmp_path / "national.duckdb"), read_only=True) as con:
        con.execute(f"ATTACH '{tmp_path / 'contract.duckdb'}' AS c (READ_ONLY)")
        for table, columns in (("households", "*"), ("household_years", "*"),
                               ("village_years", "*"), ("cadres", "*"),
                               ("villages", "village_code, township_code, name, is_poor_village, "
                                            "planned_exit_year, exit_year")):
            for a, b in ((table, f"c.{table}"), (f"c.{table}", table)):  # both ways
                differ = con.execute(f"SELECT count(*) FROM (SELECT {columns} FROM {a} "
                                     f"EXCEPT ALL SELECT {columns} FROM {b})").fetchall()[0][0]
                assert differ == 0, (table, a)
    # what the exports hold but the product does not need is never stored
    with duckdb.connect(str(tmp_path / "national.duckdb"), read_only=True) as con:
        text = " ".join(str(r) for r in con.execute(
            "SELECT * FROM duckdb_columns() WHERE column_name ILIKE '%phone%'").fetchall())
        assert "phone" not in text
        assert con.execute("SELECT count(*) FROM households WHERE cadre_id IS NOT NULL"
                           ).fetchall()[0][0] == demo["households"]["cadre_id"].notna().sum()


def test_notices_name_the_ignored_columns_and_the_skipped_footers(national, tmp_path):
    result = import_dataset(national, tmp_path / "n.duckdb")
    rules = {n.rule for n in result.notices}
    assert {"ignored_columns", "footer_rows"} <= rules
    ignored = [n.message for n in result.notices if n.rule == "ignored_columns"]
    assert any("联系电话" in m for m in ignored)
    assert not any(PERSONAL.search(m) for m in ignored)


def test_dry_run_says_what_feeds_what(national):
    dry = describe_input(national)
    assert dry.ok
    text = dry.text
    assert "建档立卡人口明细" in text and "村级台账" in text and "帮扶责任人名单" in text
    assert "两行表头" in text  # the workbook years
    assert "不读取、不保存：联系电话" in text
    assert "表 townships（乡镇）" in text  # 乡镇.csv, headed with the contract's labels
    out = subprocess.run([sys.executable, "-m", "analytics", "import", "--dry-run", str(national)],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode == 0 and "证件号码 → 证件号码" in out.stdout
    assert "共识别：" in out.stdout and "（id_number）" not in out.stdout


# --------------------------------------------------------------------------- bad input


def _copy(national: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for f in national.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    return folder


def _csv_rosters(folder: Path) -> list[Path]:
    return sorted(folder.glob("贫困人口明细_*.csv"))


def _rows(path: Path) -> tuple[list[list[str]], str]:
    raw = path.read_bytes()
    try:
        text, enc = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, enc = raw.decode("gb18030"), "gb18030"
    return list(csv.reader(text.splitlines())), enc


def _write(path: Path, rows: list[list[str]], enc: str) -> None:
    with open(path, "w", encoding=enc, newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _header_index(rows):
    return next(i for i, r in enumerate(rows) if "户编号" in r)


def _first_household(rows, h):
    """Index of the first data row of a household with two or more persons, and its rows."""
    hid = rows[h].index("户编号")
    first = h + 1
    while True:
        same = [i for i in range(h + 1, len(rows)) if len(rows[i]) > hid
                and rows[i][hid] == rows[first][hid]]
        if len(same) >= 2:
            return same
        first = same[-1] + 1


def _setting(column: str, new):
    """A change: the first household of two or more persons gets ``new(old)`` in ``column``."""
    def change(rows, h):
        j = rows[h].index(column)
        for i in _first_household(rows, h):
            rows[i][j] = new(rows[i][j])
    return change


_no_head = _setting("与户主关系", lambda old: "配偶" if old == "户主" else old)
_two_heads = _setting("与户主关系", lambda old: "户主")
_members_disagree = _setting("人数", lambda old: str(int(float(old)) + 1))
_unknown_status = _setting("贫困户状态", lambda old: "已出列")


def _two_villages(rows, h):
    v = rows[h].index("行政村")
    hid = rows[h].index("户编号")
    first = _first_household(rows, h)[0]
    other = next(r[v] for r in rows[h + 1:] if len(r) > v and r[v] and r[v] != rows[first][v]
                 and r[hid])
    for i in _first_household(rows, h)[1:]:
        rows[i][v] = other


def _no_year(rows, h):
    y = rows[h].index("年度")
    for r in rows[h:]:
        if len(r) > y:
            del r[y]


CASES = [
    ("no head row", _no_head, "household_head", "没有户主行"),
    ("two head rows", _two_heads, "household_head", "个户主行"),
    ("人数 disagrees", _members_disagree, "household_members", "名单中这一户有"),
    ("unknown status word", _unknown_status, "value_map", "不是认识的贫困户状态"),
    ("户编号 in two villages", _two_villages, "household_villages", "出现在两个村"),
    ("no 年度 or 数据日期", _no_year, "format_year", "无法知道这是哪一年"),
]


@pytest.mark.parametrize("name, change, rule, words", CASES, ids=[c[0] for c in CASES])
def test_bad_roster_is_one_clear_problem_and_nothing_changes(csv_national, tmp_path, name, change,
                                                            rule, words):
    folder = _copy(csv_national, tmp_path)
    target = _csv_rosters(folder)[0]
    rows, enc = _rows(target)
    change(rows, _header_index(rows))
    _write(target, rows, enc)
    db = tmp_path / "x.duckdb"
    db.write_bytes(b"old")
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, db)
    assert db.read_bytes() == b"old"
    # one mistake, one problem: no knock-on in the derived tables
    assert [p.rule for p in rejected.value.problems] == [rule], \
        [(p.rule, p.message) for p in rejected.value.problems][:10]
    p = rejected.value.problems[0]
    assert words in p.message
    assert p.source == target.name
    if rule != "format_year":
        assert p.line is not None and p.line > 1
    for q in rejected.value.problems:  # no ID number, phone number or name in any message
        assert PERSONAL.search(q.message) is None, q.message


def test_two_files_for_one_year(csv_national, tmp_path):
    folder = _copy(csv_national, tmp_path)
    first = _csv_rosters(folder)[0]
    (folder / ("副本_" + first.name)).write_bytes(first.read_bytes())
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "x.duckdb")
    assert any(p.rule == "duplicate_year" and "每年只能有一个" in p.message
               for p in rejected.value.problems)


def test_unknown_village_name_is_reported_with_its_line(csv_national, tmp_path):
    folder = _copy(csv_national, tmp_path)
    target = _csv_rosters(folder)[0]
    rows, enc = _rows(target)
    h = _header_index(rows)
    v = rows[h].index("行政村")
    rows[h + 1][v] = "不存在村"
    _write(target, rows, enc)
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "x.duckdb")
    found = [p for p in rejected.value.problems if p.rule == "place_name"]
    assert found and found[0].line == h + 2 and found[0].source == target.name
    assert "没有名为「不存在村」的行政村" in found[0].message


def test_cadres_found_by_name_and_unit_when_the_roster_has_no_cadre_number(demo, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_national(demo, folder, gbk=False)
    for roster in _csv_rosters(folder):
        rows, enc = _rows(roster)
        j = rows[_header_index(rows)].index("帮扶责任人编号")
        _write(roster, [r[:j] + r[j + 1:] if len(r) > j else r for r in rows], enc)
    assert "→ 帮扶责任人编号" not in describe_input(_csv_rosters(folder)[0]).text
    import_dataset(folder, tmp_path / "n.duckdb")
    with duckdb.connect(str(tmp_path / "n.duckdb"), read_only=True) as con:
        got = dict(con.execute("SELECT household_id, cadre_id FROM households").fetchall())
    expected = dict(zip(demo["households"]["household_id"], demo["households"]["cadre_id"]))
    assert got == {h: (None if pd.isna(c) else c) for h, c in expected.items()}


def test_a_county_code_table_replaces_tongwei_s(demo, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    written = write_national(demo, folder, code_table=True, gbk=False)
    assert "codes" in written
    text = describe_input(folder).text
    assert "统计用区划代码表" in text
    import_dataset(folder, tmp_path / "n.duckdb")
    with duckdb.connect(str(tmp_path / "n.duckdb"), read_only=True) as con:
        got = set(con.execute("SELECT village_code, township_code, name FROM villages").fetchall())
    v = demo["villages"]
    assert got == set(zip(v["village_code"], v["township_code"], v["name"]))


def _as_workbook(roster: Path, *, merged_total: bool, ids_as_numbers: bool) -> Path:
    """The CSV roster re-saved as Excel would: a merged 合计 row at the bottom; ID numbers
    as numbers when asked (Excel keeps 15 digits)."""
    import xlsxwriter

    rows, _ = _rows(roster)
    h = _header_index(rows)
    idc = rows[h].index("证件号码")
    target = roster.with_suffix(".xlsx")
    book = xlsxwriter.Workbook(str(target))
    sheet = book.add_worksheet("明细")
    data = [r for r in rows[h:] if len(r) == len(rows[h]) and r[rows[h].index("户编号")]]
    for i, r in enumerate(data):
        for j, v in enumerate(r):
            if i and j == idc and ids_as_numbers and v[:17].isdigit():
                sheet.write_number(i, j, float(v[:17]))
            else:
                sheet.write_string(i, j, v)
    if merged_total:
        sheet.merge_range(len(data), 0, len(data), 9, "合计")
    book.close()
    roster.unlink()
    return target


def test_a_merged_total_row_in_a_workbook_is_skipped(csv_national, tmp_path):
    folder = _copy(csv_national, tmp_path)
    _as_workbook(_csv_rosters(folder)[0], merged_total=True, ids_as_numbers=False)
    result = import_dataset(folder, tmp_path / "n.duckdb")
    assert any(n.rule == "footer_rows" for n in result.notices)


def test_ids_stored_as_numbers_are_listed_up_to_the_cap_then_summarised(csv_national, tmp_path):
    folder = _copy(csv_national, tmp_path)
    book = _as_workbook(_csv_rosters(folder)[0], merged_total=True, ids_as_numbers=True)
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "n.duckdb")
    problems = rejected.value.problems
    assert {p.rule for p in problems} == {"stored_as_number"}
    listed = [p for p in problems if p.line is not None]
    assert len(listed) == MAX_PROBLEMS_PER_RULE
    assert all(p.source.startswith(book.name) for p in problems)
    assert len(problems) == MAX_PROBLEMS_PER_RULE + 1 and "另有" in problems[-1].message
    assert all(p.column == "证件号码" for p in problems)  # the header as the file has it
    assert not any(PERSONAL.search(p.message) for p in problems)


def test_dry_run_says_what_is_missing_and_fails(csv_national, tmp_path):
    folder = _copy(csv_national, tmp_path)
    roster = _csv_rosters(folder)[0]
    rows, enc = _rows(roster)
    h = _header_index(rows)
    drop = {rows[h].index("贫困户状态"), rows[h].index("年度")}
    _write(roster, [[v for j, v in enumerate(r) if j not in drop] for r in rows], enc)
    dry = describe_input(folder)
    assert not dry.ok
    assert "缺少（必需，导入会被拒绝）：贫困户状态、年度、数据日期（其一）" in dry.text
    # the same command in this process (test_dry_run_says_what_feeds_what runs it for real)
    out = cli_in_process("import", "--dry-run", str(folder))
    assert out.returncode == 1


def test_a_stray_byte_in_a_gbk_roster_is_reported_at_its_line(csv_national, tmp_path):
    folder = _copy(csv_national, tmp_path)
    roster = _csv_rosters(folder)[0]
    lines = roster.read_bytes().split(b"\n")
    lines[237] = lines[237][:5] + b"\xff" + lines[237][5:]  # line 238: no GB18030 byte
    roster.write_bytes(b"\n".join(lines))
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, tmp_path / "n.duckdb")
    problem = rejected.value.problems[0]
    assert (problem.rule, problem.line, problem.source) == ("encoding", 238, roster.name)
    assert [p.rule for p in rejected.value.problems] == ["encoding"]  # no knock-on


def _with_data_date(rows, h, first: str, rest: str) -> None:
    """Add a 数据日期 column: ``first`` in the first data row, ``rest`` in every other."""
    hid = rows[h].index("户编号")
    rows[h].append("数据日期")
    data = [r for r in rows[h + 1:] if len(r) > hid and r[hid].strip() and r[hid] != rows[h][hid]]
    for k, r in enumerate(data):
        r.append(first if k == 0 else rest)


@pytest.mark.parametrize(("first", "rest", "expected", "again"), [
    ("2020-06-30", "2020-06-30", "{y}-06-30", False),
    ("{y}年9月30日", "{y}年9月30日", "{y}-09-30", False),
    ("{y}/12/1", "{y}/12/1", "{y}-12-01", False),
    ("{y}-10-31", "{y}-06-30", "{y}-10-31", True),    # the latest date of the year's rows
    ("{y}-02-30", "{y}-02-30", "{y}-12-31", False),   # no such day: the end of the year
    ("", "", "{y}-12-31", True),                      # none given: the end of the year
])
def test_the_data_date_is_the_roster_s_own(csv_national, tmp_path, first, rest, expected, again):
    """数据截至 is the roster's 数据日期 of its last year, else that year's end (issue 14.7);
    it is the data's own date, so importing the same files again keeps it (checked with
    a given date and with none: the others only differ in how the date is written)."""
    folder = _copy(csv_national, tmp_path)
    last = _csv_rosters(folder)[-1]
    year = int(re.search(r"(\d{4})", last.name).group(1))
    rows, enc = _rows(last)
    first, rest = (v.replace("2020", "{y}").format(y=year) for v in (first, rest))
    _with_data_date(rows, _header_index(rows), first, rest)
    _write(last, rows, enc)
    db = tmp_path / "x.duckdb"
    import_dataset(folder, db)
    from analytics.store import Store
    assert Store(db).meta()["as_of"] == expected.format(y=year)
    assert year == int(Store(db).meta()["last_year"])
    if again:
        import_dataset(folder, db)  # again, another day: the same date
        assert Store(db).meta()["as_of"] == expected.format(y=year)
