"""A tiny valid dataset for the import tests, and writers for every input form.

2 townships, 3 villages, 3 households (IDs with check digits from
contract.id_check_digit), their years, a cadre, a measure and three 驻村帮扶 rows: every cell a string
('' = null), written as CSV (any encoding), Parquet (text or typed) or XLSX the way a
careful clerk would (codes and IDs as text, numbers as numbers).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import xlsxwriter

from analytics.contract import EXITED, POOR, TABLE_ORDER, TABLES, id_check_digit
from analytics.ingest import ImportRejected, Problem, import_dataset


def _id(first17: str) -> str:
    return first17 + id_check_digit(first17)


ID1 = _id("62112119800101123")  # 张三
ID2 = _id("62112119751231002")  # 李四
ID3 = _id("62112119650304201")  # 欧阳娜娜, check digit X
NAMES = ["张三", "李四", "欧阳娜娜", "王五", "赵六", "钱七"]  # heads, the cadre, team leaders
IDS = [ID1, ID2, ID3]


def base() -> dict[str, pd.DataFrame]:
    """The tiny valid dataset, every cell a string ('' = null), contract column order."""
    t = {
        "townships": [
            ["621121101", "马营镇", "马营", "镇", "2017", "35.1", "105.2"],
            ["621121102", "陇阳乡", "陇阳", "乡", "2016", "", ""],
        ],
        "villages": [
            ["621121101001", "621121101", "赤砂村", "1", "2017", "", "35.11", "105.21"],
            ["621121101002", "621121101", "新庄村", "0", "", "", "", ""],
            ["621121102001", "621121102", "李家村", "是", "2016", "2016", "", ""],
        ],
        "village_years": [
            [v, y, "1200", "300", inc, "1", "1", "0", "", "否", "Y", "2", "50000.5", "-1200"]
            for v in ("621121101001", "621121101002", "621121102001")
            for y, inc in (("2015", "5200"), ("2016", "6100.25"))
        ],
        "village_support": [   # 驻村帮扶: unit, team leader (personal), days a month
            ["621121101001", "2015", "县财政局", "赵六", "22"],
            ["621121101001", "2016", "县财政局", "", ""],
            ["621121102001", "2016", "", "钱七", "18.5"],
        ],
        "households": [
            ["H001", "621121101001", "张三", ID1, "2015", "因病", "C01"],
            ["H002", "621121101001", "李四", ID2, "2015", "缺资金", ""],
            ["H003", "621121102001", "欧阳娜娜", ID3, "2016", "因学", "C01"],
        ],
        "household_years": [
            ["H001", "2015", "4", "2500", "800", POOR, "", "一类", "1", "1", "0", "1", "1"],
            ["H001", "2016", "4", "3900.5", "1200", EXITED, "", "", "1", "1", "1", "1", "1"],
            ["H001", "2017", "3", "2100", "", POOR, "因病", "二类", "1", "1", "0", "1", "1"],
            ["H002", "2015", "2", "-150", "0", "poor", "", "", "1", "0", "1", "1", "1"],
            ["H002", "2016", "2", "2800", "100", POOR, "", "", "1", "1", "1", "1", "1"],
            ["H002", "2017", "2", "4200", "2000", "exited", "", "", "1", "1", "1", "1", "1"],
            ["H003", "2016", "5", "2000", "600", POOR, "", "", "是", "是", "否", "Y", "n"],
            ["H003", "2017", "5", "4600", "3000", EXITED, "", "", "TRUE", "true", "1", "1", "1"],
        ],
        "cadres": [["C01", "王五", "科级", "县财政局"]],
        "household_measures": [["H001", "2016", "产业扶持", "5000"]],
    }
    return {
        name: pd.DataFrame(rows, columns=TABLES[name].column_names, dtype="str")
        for name, rows in t.items()
    }


# --------------------------------------------------------------------------- writers


def write_csv(tables, folder: Path, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False, encoding=encoding)
    return folder


def write_parquet(tables, folder: Path, typed: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df = df.copy()
        if typed:
            for c in TABLES[name].columns:
                s = df[c.name].replace("", None)
                if c.kind == "int":
                    df[c.name] = pd.to_numeric(s).astype("Int64")
                elif c.kind == "real":
                    df[c.name] = pd.to_numeric(s).astype("float64")
                elif c.kind == "bool":
                    low = s.str.lower()
                    df[c.name] = low.map(
                        lambda v: None if v is None or v != v
                        else v in ("1", "true", "是", "y")).astype("boolean")
        df.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def _is_number(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


def write_xlsx(tables, path: Path, *, title_row: dict[str, str] | None = None,
               cell_writer=None) -> Path:
    """Write the tables as a workbook the way a careful clerk would: codes and IDs as
    text, numbers as numbers, booleans as booleans. ``title_row`` puts a merged title
    row above the header of the named sheets; ``cell_writer(ws, table, r, c, value)``
    may write a cell itself (returns True) to plant formulas or numeric IDs."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                         "strings_to_numbers": False})
    for name, df in tables.items():
        ws = wb.add_worksheet(name)
        r0 = 0
        if title_row and name in title_row:
            ws.merge_range(0, 0, 0, max(len(df.columns) - 1, 1), title_row[name])
            r0 = 1
        for j, c in enumerate(df.columns):
            ws.write_string(r0, j, c)
        for i, row in enumerate(df.itertuples(index=False), start=r0 + 1):
            for j, v in enumerate(row):
                col = TABLES[name].column(df.columns[j]) if df.columns[j] in TABLES[name].column_names else None
                if cell_writer and cell_writer(ws, name, i, df.columns[j], v):
                    continue
                if v == "":
                    continue
                if col is not None and col.kind in ("int", "real") and _is_number(v):
                    ws.write_number(i, j, float(v))
                elif col is not None and col.kind == "bool" and v.lower() in ("1", "0"):
                    ws.write_boolean(i, j, v == "1")
                else:
                    ws.write_string(i, j, v)
    wb.close()
    return path


def write(form: str, tables, tmp_path: Path) -> Path:
    if form == "csv":
        return write_csv(tables, tmp_path / "csv")
    if form == "xlsx":
        tmp_path.mkdir(parents=True, exist_ok=True)
        return write_xlsx(tables, tmp_path / "data.xlsx")
    raise ValueError(form)


def problems_of(path, **kw) -> list[Problem]:
    """The problems of importing ``path`` ([] when it imports)."""
    try:
        read_dataset(path, **kw)
    except ImportRejected as rejected:
        return rejected.problems
    return []


def read_dataset(path, **kw) -> dict[str, pd.DataFrame]:
    """Import ``path`` into a fresh database and read every table given back, in load
    order (rows in file order); raises ImportRejected like the import."""
    path = Path(path)
    db = path.parent / f"{path.name}.{len(list(path.parent.glob('*.duckdb')))}.duckdb"
    result = import_dataset(path, db, **kw)
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f'SELECT * FROM "{t}"').df() for t in TABLE_ORDER
                if t in result.counts}
    finally:
        con.close()
