"""Tests of tests/national_files.py, the writer of a county office's files (issue 12).

A small demo dataset (scale 0.02: every township and village, ≈550 households), with a
few cells planted (17-digit incomes, unrecorded security flags, a relapse), is written
once — rosters of 2016 and 2018 as workbooks, the other years as GB18030 CSV, the code
table — and every file is read back and compared with the tables it came from.
"""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from analytics.contract import EXITED, POOR, TABLES, id_check_digit
from analytics.demo import demo_tables
from tests.national_files import (
    CODE_COLUMNS,
    LEDGER_COLUMNS,
    PAIRING_COLUMNS,
    ROSTER_COLUMNS,
    county_name,
    main,
    roster_name,
    write_national,
)

FORMATS = Path(__file__).resolve().parent.parent / "data" / "formats"
XLSX_YEARS = {2016, 2018}
EXACT_INCOME = 1234.5678901234567  # 17 significant digits: .16G would lose the last one
EXACT_WAGE = 0.1 + 0.2             # 0.30000000000000004


def _planted() -> tuple[dict[str, pd.DataFrame], dict]:
    t = demo_tables(scale=0.02, seed=7)
    hy = t["household_years"].copy()
    plant = {}
    # a relapse in a workbook year and one in a CSV year: exited the year before, poor now
    for year in (2016, 2017):
        prev = hy[(hy["year"] == year - 1) & (hy["status"] == EXITED)]["household_id"]
        now = hy[(hy["year"] == year) & hy["household_id"].isin(prev) & (hy["status"] == EXITED)]
        i = now.index[0]
        hy.loc[i, "status"] = POOR
        hy.loc[i, "relapse_cause"] = "因病"
        plant[year] = hy.loc[i, "household_id"]
    # exact values and unrecorded flags, in a workbook year and a CSV year
    for year in (2016, 2019):
        i = hy.index[hy["year"] == year][3]
        hy.loc[i, "net_income_per_capita"] = EXACT_INCOME
        hy.loc[i, "wage_income_per_capita"] = EXACT_WAGE
        j = hy.index[hy["year"] == year][5]
        hy.loc[j, "wage_income_per_capita"] = float("nan")
        for col in ("housing_secure", "water_secure"):
            hy[col] = hy[col].astype("boolean")
            hy.loc[j, col] = pd.NA
    t["household_years"] = hy
    return t, plant


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    tables, plant = _planted()
    folder = tmp_path_factory.mktemp("national")
    files = write_national(tables, folder, xlsx_years=XLSX_YEARS, code_table=True, gbk=True)
    return tables, plant, folder, files


def read_csv_roster(path: Path, encoding: str = "gb18030"):
    """(title or None, header, data rows, footer rows) of a roster CSV."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))
    title = None
    if rows[0][0] != "序号":
        title, rows = rows[0][0], rows[1:]
    header, rows = rows[0], rows[1:]
    footer = [r for r in rows if r[0] == "合计" or r[0].startswith("填表人")]
    return title, header, [r for r in rows if r not in footer], footer


def read_roster(folder: Path, year: int) -> pd.DataFrame:
    """A year's roster as a frame (workbook cells as read, CSV cells as text)."""
    if year in XLSX_YEARS:
        rows = CalamineWorkbook.from_path(folder / roster_name(year, True)).get_sheet_by_index(0).to_python()
        data = [r for r in rows[3:] if r[0] != "合计" and not str(r[0]).startswith("填表人")]
        return pd.DataFrame(data, columns=list(ROSTER_COLUMNS))
    _, header, data, _ = read_csv_roster(folder / roster_name(year))
    return pd.DataFrame(data, columns=header)


def expected_years(tables) -> pd.DataFrame:
    """Every household-year with its household, its previous year's status and cadre."""
    hy = tables["household_years"]
    prev = hy[["household_id", "year", "status"]].assign(year=hy["year"] + 1)
    out = hy.merge(prev.rename(columns={"status": "prev"}), on=["household_id", "year"], how="left")
    out = out.merge(tables["households"], on="household_id")
    return out.merge(tables["cadres"].rename(columns={"name": "cadre_name"}), on="cadre_id", how="left")


def test_files_written(written):
    tables, _, folder, files = written
    years = sorted(tables["household_years"]["year"].unique())
    assert set(files) == {f"roster_{y}" for y in years} | {"ledger", "pairing", "townships", "codes"}
    for y in years:
        assert files[f"roster_{y}"] == folder / roster_name(y, y in XLSX_YEARS)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in files.values())


def test_headers_are_the_formats_aliases(written):
    """Every header cell names a field of its format (联系电话 aside: to be ignored)."""
    _, _, folder, _ = written

    def aliases(fmt):
        spec = tomllib.loads((FORMATS / f"{fmt}.toml").read_text(encoding="utf-8"))
        return {a for names in spec["fields"].values() for a in names}

    assert set(ROSTER_COLUMNS) - aliases("roster") == {"联系电话"}
    assert set(LEDGER_COLUMNS) <= aliases("ledger")
    assert set(PAIRING_COLUMNS) <= aliases("pairing")
    assert set(CODE_COLUMNS) <= aliases("codes")
    text = (folder / "乡镇.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    header = text.decode("utf-8-sig").splitlines()[0].split(",")
    assert header == [c.label for c in TABLES["townships"].columns]


def test_csv_layout_and_encoding(written):
    tables, _, folder, _ = written
    csv_years = sorted(set(tables["household_years"]["year"]) - XLSX_YEARS)
    for k, year in enumerate(csv_years):
        raw = (folder / roster_name(year)).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")  # GB18030, as county offices export
        title, header, rows, footer = read_csv_roster(folder / roster_name(year))
        assert header == list(ROSTER_COLUMNS)
        assert (title == f"通渭县{year}年建档立卡贫困人口明细") if k % 2 == 0 else title is None
        members = tables["household_years"].query("year == @year")["members"].sum()
        assert [r[0] for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
        assert footer[0][0] == "合计" and footer[0][ROSTER_COLUMNS.index("人数")] == str(members)
        assert footer[1][0] == "填表人：XXX  审核人：XXX"
        assert all(len(r) == len(ROSTER_COLUMNS) for r in rows + footer)


def test_one_row_per_person_one_head(written):
    tables, _, folder, _ = written
    heads = tables["households"].set_index("household_id")
    seen_ids: dict[str, str] = {}
    for year, group in tables["household_years"].groupby("year"):
        r = read_roster(folder, year)
        r["户编号"] = r["户编号"].astype(str)
        assert len(r) == group["members"].sum()
        counts = r.groupby("户编号").size()
        members = group.set_index("household_id")["members"]
        assert counts.sort_index().tolist() == members.sort_index().tolist()
        assert (r["人数"].astype(float).astype(int).to_numpy()
                == r["户编号"].map(members).to_numpy()).all()
        head = r[r["与户主关系"] == "户主"]
        assert head["户编号"].is_unique and len(head) == len(group)
        assert (head["姓名"].to_numpy() == heads.loc[head["户编号"], "head_name"].to_numpy()).all()
        assert (head["证件号码"].to_numpy()
                == heads.loc[head["户编号"], "head_id_number"].to_numpy()).all()
        assert r["人编号"].is_unique
        assert (r["人编号"].str[:-2] == r["户编号"]).all() and r["人编号"].str[-2:].str.isdigit().all()
        assert set(r["年度"].astype(float)) == {year}
        assert (r["县(市、区、旗)"] == county_name("621121")).all()
        # a person keeps one ID across years; different persons never share one
        for pid, idn in zip(r["人编号"], r["证件号码"]):
            assert seen_ids.setdefault(pid, idn) == idn
    ids = pd.Series(seen_ids)
    assert ids.is_unique
    assert all(len(i) == 18 and id_check_digit(i[:17]) == i[17] for i in ids)
    members_only = ids[~ids.index.str.endswith("01")]
    assert not set(members_only) & set(heads["head_id_number"])


def test_household_values_and_relapse_words(written):
    tables, plant, folder, _ = written
    e = expected_years(tables).set_index(["household_id", "year"])
    relapses = 0
    for year in sorted(tables["household_years"]["year"].unique()):
        r = read_roster(folder, year)
        r = r[r["与户主关系"] == "户主"]
        r = r.set_index(r["户编号"].astype(str))
        x = e.xs(year, level="year").loc[r.index]
        relapse = (x["status"] == POOR) & (x["prev"] == EXITED)
        word = pd.Series("贫困户", index=x.index).where(x["status"] == POOR, "脱贫户")
        word[relapse] = "返贫户"
        assert (r["贫困户状态"] == word).all()
        relapses += int(relapse.sum())
        if year in plant:
            assert r.loc[plant[year], "贫困户状态"] == "返贫户"
        assert (r["主要致贫原因"] == x["poverty_cause"]).all()
        attr = pd.Series("一般贫困户", index=x.index).where(x["dibao_class"].isna(), "低保贫困户")
        assert (r["贫困户属性"] == attr).all()
        assert (r["低保类别"].replace("", None).fillna("x") == x["dibao_class"].fillna("x")).all()
        assert (r["返贫原因"].replace("", None).fillna("x") == x["relapse_cause"].fillna("x")).all()
        for flag, column, yes in (("housing_secure", "危房户", False), ("water_secure", "是否解决安全饮用水", True),
                                  ("education_secure", "是否义务教育有保障", True)):
            want = x[flag].astype("boolean").map(
                lambda v, yes=yes: "" if pd.isna(v) else ("是" if bool(v) == yes else "否"))
            assert (r[column] == want).all(), column
        cadre = x["cadre_id"].fillna("")
        assert (r["帮扶责任人编号"] == cadre).all()
        assert (r["帮扶责任人"] == x["cadre_name"].fillna("")).all()
        assert (r["帮扶单位"] == x["unit"].fillna("")).all()
        assert r["联系电话"].str.fullmatch(r"138\d{8}").all()
        reg = r["首次识别时间"]
        first = x["registered_year"] == 2014
        assert reg[first.to_numpy()].isin(["2013年12月", "2014-03"]).all()
        assert set(reg[first.to_numpy()]) == {"2013年12月", "2014-03"}
        later = x[~first]
        assert all(v in (f"{y}-06", f"{y}年6月") for v, y in zip(reg[(~first).to_numpy()],
                                                                later["registered_year"]))
    assert relapses >= len(plant)


def test_values_round_trip_exactly(written):
    tables, _, folder, _ = written
    hy = tables["household_years"].set_index(["household_id", "year"])
    planted_years = set()
    for year in sorted(tables["household_years"]["year"].unique()):
        r = read_roster(folder, year)
        r = r[r["与户主关系"] == "户主"]
        x = hy.xs(year, level="year").loc[r["户编号"].astype(str)]
        for column, field in (("人均纯收入", "net_income_per_capita"),
                              ("人均工资性收入", "wage_income_per_capita")):
            for cell, want in zip(r[column], x[field]):
                if pd.isna(want):
                    assert cell == ""
                elif year in XLSX_YEARS:
                    assert isinstance(cell, float) and cell == want
                else:
                    assert float(cell) == want
        if (x["net_income_per_capita"] == EXACT_INCOME).any():
            planted_years.add(year)
            row = r[(x["net_income_per_capita"] == EXACT_INCOME).to_numpy()].iloc[0]
            assert float(row["人均纯收入"]) == EXACT_INCOME
            assert float(row["人均工资性收入"]) == EXACT_WAGE
    assert planted_years == {2016, 2019}  # a workbook year and a CSV year


def test_workbook_roster_layout(written):
    tables, _, folder, _ = written
    for year in XLSX_YEARS:
        sheet = CalamineWorkbook.from_path(folder / roster_name(year, True)).get_sheet_by_index(0)
        rows = sheet.to_python()
        width = len(ROSTER_COLUMNS)
        merged = {tuple(map(tuple, m)) for m in sheet.merged_cell_ranges}
        assert rows[0][0] == f"通渭县{year}年建档立卡贫困人口明细"
        assert ((0, 0), (0, width - 1)) in merged
        top, second = rows[1], rows[2]
        income, wage = ROSTER_COLUMNS.index("人均纯收入"), ROSTER_COLUMNS.index("人均工资性收入")
        house, edu = ROSTER_COLUMNS.index("危房户"), ROSTER_COLUMNS.index("是否义务教育有保障")
        assert top[income] == "收入情况" and ((1, income), (1, wage)) in merged
        assert top[house] == "两不愁三保障" and ((1, house), (1, edu)) in merged
        for c, name in enumerate(ROSTER_COLUMNS):
            if income <= c <= wage or house <= c <= edu:
                assert second[c] == name
            else:  # merged over both rows, or in the first with the second empty
                assert (top[c], second[c]) == (name, "")
        plain = [c for c in range(width) if not (income <= c <= wage or house <= c <= edu)]
        assert sum(((1, c), (2, c)) in merged for c in plain) > len(plain) / 2
        members = tables["household_years"].query("year == @year")["members"].sum()
        assert rows[-2][0] == "合计" and rows[-2][ROSTER_COLUMNS.index("人数")] == members
        assert rows[-1][0] == "填表人：XXX  审核人：XXX"
        data = rows[3:-2]
        assert len(data) == members and [r[0] for r in data] == list(range(1, members + 1))
        # codes and IDs are text, numbers are numbers
        for name in ("户编号", "人编号", "证件号码", "帮扶责任人编号", "联系电话"):
            assert all(isinstance(r[ROSTER_COLUMNS.index(name)], str) for r in data), name
        for name in ("年度", "人数", "人均纯收入"):
            assert all(isinstance(r[ROSTER_COLUMNS.index(name)], float) for r in data), name


def test_ledger_pairing_and_townships(written):
    tables, _, folder, _ = written
    rows = CalamineWorkbook.from_path(folder / "村级台账.xlsx").get_sheet_by_name("村级台账").to_python()
    assert rows[1] == list(LEDGER_COLUMNS)
    vy = tables["village_years"].merge(tables["villages"], on="village_code")
    assert rows[-1][0] == "合计"
    data = pd.DataFrame(rows[2:-1], columns=list(LEDGER_COLUMNS))
    assert len(data) == len(vy)
    assert rows[-1][LEDGER_COLUMNS.index("户籍人口")] == vy["registered_population"].sum()
    got = data.set_index([data["年度"].astype(int), data["行政村"]]).sort_index()
    want = vy.set_index(["year", "name"]).sort_index()
    assert (got["户籍人口"].to_numpy() == want["registered_population"].to_numpy()).all()
    assert (got["是否贫困村"].to_numpy() == want["is_poor_village"].map({True: "是", False: "否"}).to_numpy()).all()
    income = want["rural_income_per_capita"]
    assert all(g == "" if pd.isna(w) else g == w for g, w in zip(got["农村居民人均可支配收入"], income))
    planned = want["planned_exit_year"]
    assert all(g == "" if pd.isna(w) else g == w for g, w in zip(got["计划退出年度"], planned))

    rows = CalamineWorkbook.from_path(folder / "帮扶责任人名单.xlsx").get_sheet_by_name("帮扶责任人").to_python()
    assert rows[1] == list(PAIRING_COLUMNS)
    cadres = tables["cadres"].sort_values("cadre_id")
    assert [r[1:] for r in rows[2:]] == cadres[["cadre_id", "name", "unit", "rank"]].values.tolist()

    t = pd.read_csv(folder / "乡镇.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert t["乡镇代码"].tolist() == sorted(tables["townships"]["township_code"])
    lat = dict(zip(tables["townships"]["township_code"], tables["townships"]["seat_lat"]))
    assert all(float(v) == lat[c] for c, v in zip(t["乡镇代码"], t["乡镇驻地纬度"]))


def test_code_table(written):
    tables, _, folder, _ = written
    codes = pd.read_csv(folder / "统计用区划代码.csv", dtype=str, encoding="utf-8", keep_default_na=False)
    assert list(codes.columns) == list(CODE_COLUMNS)
    assert (codes["城乡分类代码"] == "220").all() and codes["统计用区划代码"].str.fullmatch(r"\d{12}").all()
    names = dict(zip(codes["统计用区划代码"], codes["名称"]))
    t, v = tables["townships"], tables["villages"]
    assert len(codes) == len(t) + len(v)
    assert all(names[c + "000"] == n for c, n in zip(t["township_code"], t["name"]))
    suffixed = 0
    for code, name in zip(v["village_code"], v["name"]):
        got = names[code]
        if got != name:
            assert got == name + ("村民委员会" if name.endswith("村") else "居民委员会")
            suffixed += 1
    assert abs(suffixed - len(v) / 2) <= 1


def test_without_cadres_utf8_and_from_a_database(tmp_path):
    """No cadres: no pairing list, empty cadre cells. The CLI on a database file writes the
    same bytes as write_national on its tables."""
    tables = demo_tables(scale=0.01, seed=3)
    tables["households"]["cadre_id"] = pd.Series(pd.NA, index=tables["households"].index, dtype="str")
    del tables["cadres"]
    files = write_national(tables, tmp_path / "frames", xlsx_years={2015}, gbk=False)
    assert "pairing" not in files and "codes" not in files
    _, header, rows, _ = read_csv_roster(files["roster_2017"], encoding="utf-8")
    for name in ("帮扶责任人", "帮扶单位", "帮扶责任人编号"):
        assert {r[header.index(name)] for r in rows} == {""}

    db = tmp_path / "x.duckdb"
    con = duckdb.connect(str(db))
    for name, df in tables.items():
        con.register("frame", df)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
        con.unregister("frame")
    con.close()
    assert main(["--db", str(db), "--out", str(tmp_path / "db"), "--utf8", "--xlsx-years", "2015"]) == 0
    for year in range(2014, 2021):
        if year != 2015:
            assert (tmp_path / "db" / roster_name(year)).read_bytes() == files[f"roster_{year}"].read_bytes()
    rows = CalamineWorkbook.from_path(tmp_path / "db" / roster_name(2015, True)).get_sheet_by_index(0).to_python()
    assert len(rows) - 5 == tables["household_years"].query("year == 2015")["members"].sum()
