"""The optional table village_support (驻村帮扶, docs/contract-extensions.md): every form
loads it, export writes it back, and each of its import rules (docs/import-rules.md,
section 驻村帮扶) finds exactly the broken cell, with no team leader's name in any
message."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analytics import ingest
from analytics.contract import TABLE_ORDER, TABLES
from analytics.ingest import ImportRejected, import_dataset
from analytics.store import export_dataset
from tests.tiny_dataset import (
    IDS,
    NAMES,
    base,
    problems_of,
    read_dataset,
    write,
    write_csv,
    write_parquet,
    write_xlsx,
)

LEADERS = ["赵六", "钱七"]  # the tiny dataset's team leaders (personal data)


def key(p):
    return (p.table, p.line, p.column, p.rule)


def assert_no_personal(problems):
    text = "\n".join(str(p) for p in problems) + ingest.write_problems_report(problems)
    for secret in IDS + NAMES + LEADERS:
        assert secret not in text, f"raw personal data {secret!r} in messages"


def test_the_table_in_the_contract():
    t = TABLES["village_support"]
    assert t.column_names == ["village_code", "year", "unit", "team_leader",
                              "days_in_village_per_month"]
    assert t.primary_key == ("village_code", "year")
    assert not t.required and "village_support" in TABLE_ORDER
    assert t.label == "驻村帮扶" and all(c.label for c in t.columns)
    # after the tables its foreign key names, before the households
    order = list(TABLE_ORDER)
    assert order.index("villages") < order.index("village_support") < order.index("households")
    assert t.column("team_leader").personal and not t.column("unit").personal
    days = t.column("days_in_village_per_month")
    assert (days.minimum, days.maximum, days.nullable) == (0, 31, True)


EXPECTED = pd.DataFrame({
    "village_code": ["621121101001", "621121101001", "621121102001"],
    "year": [2015, 2016, 2016],
    "unit": ["县财政局", "县财政局", None],
    "team_leader": ["赵六", None, "钱七"],
    "days_in_village_per_month": [22.0, None, 18.5],
})


def _rows(frame: pd.DataFrame) -> list[tuple]:
    frame = frame.sort_values(["village_code", "year"]).reset_index(drop=True)
    return [tuple(None if v is None or v != v else v for v in row)
            for row in frame.itertuples(index=False)]


@pytest.mark.parametrize("form", ["csv", "csv-gbk", "parquet", "parquet-typed", "xlsx"])
def test_every_form_loads_it(form, tmp_path):
    t = base()
    path = {"csv": lambda: write_csv(t, tmp_path / "d"),
            "csv-gbk": lambda: write_csv(t, tmp_path / "d", "gbk"),
            "parquet": lambda: write_parquet(t, tmp_path / "d"),
            "parquet-typed": lambda: write_parquet(t, tmp_path / "d", typed=True),
            "xlsx": lambda: write_xlsx(t, tmp_path / "data.xlsx")}[form]()
    got = read_dataset(path)["village_support"]
    assert _rows(got) == _rows(EXPECTED)
    assert got["year"].dtype == "int32" and got["days_in_village_per_month"].dtype == "float64"


def test_chinese_labels_as_header(tmp_path):
    """A file not named after the table, headed with the Chinese labels, is recognised."""
    t = base()
    vs = t.pop("village_support")
    folder = write_csv(t, tmp_path / "d")
    vs.rename(columns={c.name: c.label for c in TABLES["village_support"].columns}).to_csv(
        folder / "驻村帮扶台账.csv", index=False, encoding="gbk")
    got = read_dataset(folder)["village_support"]
    assert _rows(got) == _rows(EXPECTED)


def test_round_trip_csv_and_parquet(tmp_path):
    first = tmp_path / "first.duckdb"
    import_dataset(write_csv(base(), tmp_path / "d"), first)
    for fmt in ("csv", "parquet"):
        out = tmp_path / f"export-{fmt}"
        counts = export_dataset(first, out, fmt)
        assert counts["village_support"] == 3
        again = tmp_path / f"again-{fmt}.duckdb"
        import_dataset(out, again)
        for table in TABLE_ORDER:
            cols = ", ".join(f'"{c}"' for c in TABLES[table].column_names)
            order = ", ".join(TABLES[table].primary_key)
            with duckdb.connect(str(first), read_only=True) as a, \
                    duckdb.connect(str(again), read_only=True) as b:
                rows_a = a.execute(f"SELECT {cols} FROM {table} ORDER BY {order}").fetchall()
                rows_b = b.execute(f"SELECT {cols} FROM {table} ORDER BY {order}").fetchall()
            assert rows_a == rows_b, (fmt, table)


def test_masked_export_masks_the_leader(tmp_path):
    db = tmp_path / "x.duckdb"
    import_dataset(write_csv(base(), tmp_path / "d"), db)
    export_dataset(db, tmp_path / "masked", "csv", masked=True)
    text = (tmp_path / "masked" / "village_support.csv").read_text(encoding="utf-8")
    assert "赵*" in text and "钱*" in text and "县财政局" in text
    for name in LEADERS:
        assert name not in text


def test_optional_when_absent(tmp_path):
    t = base()
    del t["village_support"]
    folder = write_csv(t, tmp_path / "d")
    result = import_dataset(folder, tmp_path / "x.duckdb")
    assert "village_support" not in result.counts
    assert ("village_support", "optional_table_missing") in [
        (n.table, n.rule) for n in result.notices]
    # a file with no header at all is a cut-off export: rejected, the database kept
    # (newcomer finding, stop 28: an empty cadres.csv emptied the pairing data)
    kept = tmp_path / "kept.duckdb"
    whole = import_dataset(write_csv(base(), tmp_path / "whole"), kept).counts["village_support"]
    before = kept.read_bytes()
    (folder / "village_support.csv").write_bytes(b"")
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, kept)
    assert [(p.table, p.rule) for p in rejected.value.problems] == [("village_support", "empty_table")]
    assert "表头" in rejected.value.problems[0].message
    assert whole > 0 and kept.read_bytes() == before
    # a header alone loads no row, and nothing is exported for it
    (folder / "village_support.csv").write_text(
        ",".join(TABLES["village_support"].column_names) + "\n", encoding="utf-8")
    assert import_dataset(folder, tmp_path / "y.duckdb").counts["village_support"] == 0
    assert "village_support" not in export_dataset(tmp_path / "y.duckdb", tmp_path / "e")


def setv(row, column, value):
    def f(t):
        t["village_support"].loc[row, column] = value
    return f


def add(values):
    def f(t):
        t["village_support"] = pd.concat(
            [t["village_support"],
             pd.DataFrame([values], columns=TABLES["village_support"].column_names, dtype="str")],
            ignore_index=True)
    return f


def drop_village(t):
    """The village 621121101002 (no support rows) and its ledger rows removed; a support
    row pointing at it added: only that row is an orphan."""
    t["villages"] = t["villages"][t["villages"]["village_code"] != "621121101002"]
    t["village_years"] = t["village_years"][t["village_years"]["village_code"] != "621121101002"]
    add(["621121101002", "2017", "县教育局", "孙八", "20"])(t)


def _edges(t):
    setv(0, "days_in_village_per_month", "31")(t)
    setv(2, "days_in_village_per_month", "0")(t)


# (id, mutation, expected problems as (table, line, column, rule)); the file's lines:
# header = 1, the three base rows = 2, 3, 4, an added row = 5
CASES = [
    ("code_format", setv(0, "village_code", "62112110100"),
     [("village_support", 2, "village_code", "code_format")]),
    ("orphan_village", add(["621121199001", "2016", "县教育局", "孙八", "20"]),
     [("village_support", 5, "village_code", "foreign_key")]),
    ("orphan_after_village_removed", drop_village,
     [("village_support", 5, "village_code", "foreign_key")]),
    ("year_without_poverty_line", setv(1, "year", "2030"),
     [("village_support", 3, "year", "year_range")]),
    ("year_outside_the_dataset", setv(1, "year", "2019"),   # panel years 2015–2017
     [("village_support", 3, "year", "year_range")]),
    ("year_not_an_integer", setv(1, "year", "2016.5"),
     [("village_support", 3, "year", "int_format")]),
    ("year_required", setv(1, "year", ""),
     [("village_support", 3, "year", "required")]),
    ("duplicate_key", add(["621121101001", "2015", "县教育局", "孙八", "25"]),
     [("village_support", 5, "village_code, year", "duplicate_key")]),
    ("negative_days", setv(0, "days_in_village_per_month", "-1"),
     [("village_support", 2, "days_in_village_per_month", "minimum")]),
    ("too_many_days", setv(0, "days_in_village_per_month", "32"),
     [("village_support", 2, "days_in_village_per_month", "maximum")]),
    ("days_not_a_number", setv(0, "days_in_village_per_month", "二十天"),
     [("village_support", 2, "days_in_village_per_month", "real_format")]),
    ("days_31_and_0_are_fine", _edges, []),
    ("phone_in_unit", setv(0, "unit", "县财政局13912345678"),
     [("village_support", 2, "unit", "personal_value")]),
    ("everything_empty_is_fine", add(["621121101002", "2016", "", "", ""]), []),
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
        assert p.source in ("village_support.csv", "data.xlsx 工作表 village_support")
    assert_no_personal(probs)


def test_messages_in_chinese_with_place(tmp_path):
    t = base()
    setv(0, "days_in_village_per_month", "32")(t)
    setv(1, "year", "2019")(t)
    probs = problems_of(write_csv(t, tmp_path / "d"))
    text = {p.rule: str(p) for p in probs}
    assert text["maximum"] == ("village_support.csv 第 2 行，第 5 列 days_in_village_per_month"
                               "（每月驻村天数）：「32」 大于最大值 31 [maximum]")
    assert "2019 不在数据的年份范围 2015–2017 之内" in text["year_range"]
    assert "第 3 行" in text["year_range"]


def test_no_leader_name_in_any_message(tmp_path):
    """Every rule of the table broken at once, on rows whose leader is named: the names
    appear nowhere, neither in the messages nor in the report."""
    t = base()
    vs = t["village_support"]
    vs.loc[0, ["village_code", "days_in_village_per_month"]] = ["62112110100", "99"]
    vs.loc[2, ["year", "unit"]] = ["2030", "钱七13912345678"]
    add(["621121101001", "2016", "赵六", "赵六", "-3"])(t)      # a duplicate, name as unit
    add(["621121199001", "2016", "县教育局", "钱七", "abc"])(t)  # an orphan
    with pytest.raises(ImportRejected) as rejected:
        read_dataset(write_csv(t, tmp_path / "d"))
    probs = rejected.value.problems
    rules = {p.rule for p in probs if p.table == "village_support"}
    assert {"code_format", "maximum", "year_range", "personal_value", "duplicate_key",
            "minimum", "foreign_key", "real_format"} <= rules
    assert_no_personal(probs)


def test_the_dry_run_says_an_empty_file_would_be_refused(tmp_path):
    """`import --dry-run` says what the import would do with a file that has no header:
    refuse it (it said "将跳过" and passed, newcomer finding of stop 28)."""
    folder = write_csv(base(), tmp_path / "d")
    assert ingest.describe_input(folder).ok
    (folder / "cadres.csv").write_bytes(b"")
    dry = ingest.describe_input(folder)
    assert not dry.ok and "cadres.csv：空文件，连表头都没有，导入将被拒绝" in dry.text
