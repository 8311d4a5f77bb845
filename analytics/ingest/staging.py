"""Staging: every input file becomes a table (or a view) of the scratch database.

A staged table has a ``line`` column (the row's line in its file, header = 1) and one
column per column of the file, ``c0``, ``c1``…, whose names the header gave; ``Staged``
(rules.py) says which contract column each holds. Nothing is held in pandas:

- CSV: DuckDB reads the UTF-8 file (csvfile.py transcodes GBK first) and its rows are
  matched, positionally, with the lines csvfile.scan_records found;
- Parquet: a view over ``read_parquet`` (``file_row_number`` + 2 is the line), typed
  columns kept as they are, so nothing is turned into text;
- workbooks: rows streamed from workbook.iter_sheet_rows in batches of Arrow arrays.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from analytics.contract import TABLES
from analytics.ingest import csvfile
from analytics.ingest.layouts import (
    HEADER_SEARCH_ROWS,
    Header,
    Layout,
    contract_layout,
    header_key,
    recognise,
)
from analytics.ingest.report import (
    MAX_PROBLEMS_PER_RULE,
    Collector,
    safe_text,
    shown_value,
)
from analytics.ingest.rules import REPORTED, Staged, _is_id_column, _lit, _q, staging_relation
from analytics.store.schema import sql_path

BATCH_ROWS = 50_000
MAX_COLUMNS = 1000
_TYPES = {"VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT",
          "UINTEGER", "USMALLINT", "UTINYINT", "DOUBLE", "FLOAT", "BOOLEAN"}


def col_letter(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA (a spreadsheet column's letters)."""
    s, i = "", i + 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def map_header(layout: Layout, header: Header, source: str,
               out: Collector) -> tuple[dict[str, int], list[int]]:
    """Field → 0-based file column, and the unnamed columns (to check for data).

    A contract table (strict): duplicate_column, unknown_column and missing_column are
    problems; names match whatever their case and surrounding spaces, or as the Chinese
    label. A national format: a missing required field is a problem, the columns no field
    takes are ignored (a notice lists them; they are never stored).
    """
    table, names, header_line = layout.table, header.names, header.line
    found: dict[str, int] = {}
    unnamed: list[int] = []
    seen: dict[str, int] = {}
    ignored: list[str] = []
    for j, raw in enumerate(names):
        name = str(raw or "").strip()
        if not name:
            unnamed.append(j)
            continue
        key = header_key(name)
        if key in seen:
            if layout.strict or key in layout.aliases:
                out.add(table, header_line, safe_text(name), "duplicate_column",
                        f"列名 {safe_text(name)} 出现两次（第 {seen[key] + 1} 列和第 {j + 1} 列）；"
                        "第二列被忽略", source, j + 1)
            continue
        seen[key] = j
        f = layout.aliases.get(key)
        if f is None or f in found:
            if layout.strict:
                out.add(table, None, safe_text(name), "unknown_column",
                        f"{safe_text(name)} 不是表 {layout.name} 的列；应有的列：{'、'.join(layout.fields)}",
                        source, j + 1)
            else:
                ignored.append(safe_text(name))
            continue
        found[f] = j
    for f in layout.fields:
        if f in layout.required and f not in found:
            col = layout.column(f) if layout.strict else None
            label = col.label if col is not None else layout.field_label(f)
            out.add(table, None, f, "missing_column", f"缺少列 {f}（{label}）" if layout.strict
                    else f"{layout.label}缺少“{label}”列", source)
    if ignored:
        out.notice(table, None, None, "ignored_columns",
                   f"{len(ignored)} 列不需要，不读取、不保存：{'、'.join(ignored)}", source)
    return found, unnamed


def find_layout(rows: list[tuple[int, list[str]]], layouts: list[Layout]) -> Header | None:
    """The header of a file or sheet among its first rows (layouts.recognise)."""
    return recognise(rows, layouts)


def report_no_header(layouts: list[Layout], line: int, source: str, out: Collector,
                     hint: str = "") -> None:
    """bad_header for a file or sheet whose first rows name no column of its table, or
    no format at all."""
    if len(layouts) == 1:
        layout = layouts[0]
        out.add(layout.table, line, None, "bad_header",
                f"前 {HEADER_SEARCH_ROWS} 行中找不到表头：第 1 行应为列名"
                f"（{'、'.join(layout.fields)}）{hint}", source)
    else:
        out.add("dataset", line, None, "bad_header",
                f"前 {HEADER_SEARCH_ROWS} 行中找不到认识的表头：既不是数据规范中的表（文件名或列名），"
                "也不是建档立卡人口明细、村级台账、帮扶责任人名单或统计用区划代码表"
                f"（data/formats/）{hint}", source)


def report_title_rows(header: Header, rows: list[tuple[int, list[str]]], source: str,
                      out: Collector) -> None:
    """bad_header for rows above a contract table's header (a title or merged-cell row);
    a national format's title rows are expected."""
    if header.title_rows > 0 and header.layout.strict:
        first, header_line, h = rows[0][0], header.line, header.title_rows
        out.add(header.layout.table, first, None, "bad_header",
                f"第 {first} 行是标题或合并单元格行，不是表头；列名在第 {header_line} 行：请删除表头"
                f"上方的 {h} 行（已从第 {header_line} 行起校验）", source)


def _unnamed_with_data(db, relation: str, unnamed: list[int], table: str, header_line: int,
                       source: str, out: Collector) -> None:
    for j in unnamed:
        n = db.fetch(f"SELECT count(*) FROM {relation} WHERE NULLIF(trim({_q(f'c{j}')}), '') "
                     "IS NOT NULL")[0][0]
        if n:
            out.add(table, header_line, None, "bad_header",
                    f"第 {j + 1} 列（{col_letter(j)}）有数据但表头没有列名", source, j + 1)


def _staged(table: str, source: str, relation: str, found: dict[str, int],
            types: dict[str, str] | None = None) -> Staged:
    return Staged(table, source, relation,
                  columns={c: f"c{j}" for c, j in found.items()},
                  types={c: (types or {}).get(c, "VARCHAR") for c in found},
                  positions={c: j + 1 for c, j in found.items()})


# --------------------------------------------------------------------------- CSV


def _where(layouts: list[Layout]) -> str:
    """The table a problem found before the header is known is filed under."""
    return layouts[0].table if len(layouts) == 1 else "dataset"


def stage_csv(db, path: Path, layouts: list[Layout], workdir: Path, out: Collector,
              progress=None, relation: str | None = None) -> Staged | None:
    """Stage one CSV file (UTF-8 or GB18030/GBK) as the layout its header names (one of
    ``layouts``). None when it cannot be staged (its problems are reported)."""
    source = path.name
    table = _where(layouts)
    try:
        encoding, text_path, stray_crs = csvfile.utf8_copy(path, workdir)
    except csvfile.EncodingProblem as bad:
        out.add(table, bad.line, None, "encoding",
                f"从第 {bad.line:,} 行起既不是 UTF-8 也不是 GB18030/GBK 编码的文本", source)
        return None
    if stray_crs:
        out.notice(table, None, None, "stray_cr",
                   f"{stray_crs:,} 处单独的回车符（CR，多为单元格内换行）已删除", source)
    rows = csvfile.head_records(text_path)
    if not rows:
        if len(layouts) > 1 or TABLES[table].required:
            out.add(table, None, None, "empty_table", f"{source} 是空的：需要表头行和数据行", source)
        else:  # an optional table: no header at all is a cut-off export, not "no rows"
            out.add(table, None, None, "empty_table",
                    f"{source} 是空的，连表头都没有（导出可能中断了）：导入会清空数据库中的"
                    f"{TABLES[table].label}，因此不予导入。确实没有数据时，请只保留表头行，或删去这个文件",
                    source)
        return None
    header = find_layout(rows, layouts)
    if header is None:
        first = ",".join(rows[0][1])
        report_no_header(layouts, rows[0][0], source, out,
                         "；文件似乎用制表符或分号分隔，请另存为逗号分隔的 CSV"
                         if len(rows[0][1]) == 1 and ("\t" in first or ";" in first) else "")
        return None
    layout = header.layout
    table = layout.table
    report_title_rows(header, rows, source, out)
    header_line, names = header.line, header.names
    if len(names) > MAX_COLUMNS:
        out.add(table, header_line, None, "bad_header",
                f"表头有 {len(names):,} 列，数据规范中的表最多 {MAX_COLUMNS} 列", source)
        return None
    if progress:
        progress(f"扫描 {source}（{encoding}）")
    scan = csvfile.scan_records(text_path)
    broken = False
    for line, column in scan.stray_quotes[:MAX_PROBLEMS_PER_RULE]:
        out.add(table, line, None, "bad_quote",
                "引号不配对：引号既不在字段开头也不在字段结尾（字段中的引号要写成两个 \"\"，"
                "并把整个字段用引号括起来）", source, column)
        broken = True
    if scan.unclosed_quote:
        line, column = scan.unclosed_quote
        out.add(table, line, None, "bad_quote",
                "这里的引号一直没有闭合，其后的内容都会被当作同一个字段", source, column)
        broken = True
    for line, column in scan.nul_bytes[:MAX_PROBLEMS_PER_RULE]:
        out.add(table, line, None, "nul_byte", "含有空字符（NUL），文件可能已损坏", source, column)
        broken = True
    if broken:
        return None
    start = int(np.searchsorted(scan.lines, header_line, side="right"))
    lines = scan.lines[start:]
    fields = scan.fields[start:]
    width = len(names)
    extra = (fields == width + 1) & scan.trailing_comma[start:]
    # Regular: every row has the header's fields, or one more that is empty (DuckDB reads
    # those in parallel). Otherwise every row is read, padded to the widest, in one
    # thread, and the rows that do not fit are found in SQL.
    regular = bool(((fields == width) | extra).all())
    relation = relation or staging_relation("s_" + layout.name)
    widest = width if regular else max(width, min(int(fields.max(initial=0)), MAX_COLUMNS))
    keep = (fields == width) | extra if regular else np.ones(lines.size, dtype=bool)
    db.register("csv_lines", pa.table({"line": pa.array(lines[keep].astype(np.int64)),
                                       "fields": pa.array(fields[keep])}))
    cols = "{" + ", ".join(f"'c{j}': 'VARCHAR'" for j in range(widest)) + "}"
    options = "ignore_errors = true" if regular else "null_padding = true, parallel = false"
    skip = int(lines[0]) - 1 if lines.size else header_line
    found, unnamed = map_header(layout, header, source, out)
    # a national format keeps the columns its fields take and the first three (for 合计 and
    # 填表人 rows): a column not needed (a phone number) is never stored, not even here
    kept = list(range(widest)) if layout.strict else sorted(
        {*found.values(), *range(min(3, width))})
    picked = ", ".join(["r.present"] + [f"r.{_q(f'c{j}')}" for j in kept])
    try:
        db.execute("SET preserve_insertion_order = true")
        try:
            db.execute(
                f"CREATE OR REPLACE TABLE {relation} AS SELECT l.line, l.fields, {picked} "
                f"FROM csv_lines l POSITIONAL JOIN (SELECT true AS present, * FROM read_csv("
                f"{sql_path(text_path)}, header = false, skip = {skip}, columns = {cols}, "
                f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', {options}, "
                f"max_line_size = 16777216)) r")
            read, matched = db.fetch(f"SELECT count(*), count(line) = count(present) "
                                     f"AND count(*) = count(line) FROM {relation}")[0]
        except Exception as error:  # noqa: BLE001 - the parser's text may quote cells
            out.add(table, None, None, "file_unreadable",
                    f"CSV 无法解析（{type(error).__name__}）；请用 Excel 或 WPS 重新另存为 CSV",
                    source)
            return None
    finally:
        db.execute("SET preserve_insertion_order = false")
        db.unregister("csv_lines")
    if not matched:
        out.add(table, None, None, "file_unreadable",
                "CSV 的行数与逐行扫描的结果不一致，无法确定行号；请用 Excel 或 WPS 重新另存为 CSV",
                source)
        return None
    beyond = [f"NULLIF(trim({_q(f'c{j}')}), '') IS NOT NULL" for j in range(width, widest)
              if j in kept]
    short = f"fields < {width}"
    if not layout.strict and layout.footer_markers:  # a short 合计 or 填表人 line is no misfit
        markers = "|".join(re.escape(m) for m in layout.footer_markers)
        short += f" AND NOT regexp_matches(coalesce(c0, '') || coalesce(c1, ''), {_lit('^[[:space:]]*(' + markers + ')')})"
    misfit = f"({short})" + (f" OR {' OR '.join(beyond)}" if beyond else "")
    if regular:
        bad_rows = [(int(line), int(n)) for line, n in zip(lines[~keep], fields[~keep])]
        n_bad, last_bad = len(bad_rows), (bad_rows[-1][0] if bad_rows else None)
    else:
        n_bad, last_bad = db.fetch(f"SELECT count(*), max(line) FROM {relation} "
                                   f"WHERE {misfit}")[0]
        bad_rows = db.fetch(f"SELECT line, fields FROM {relation} WHERE {misfit} ORDER BY line "
                            "LIMIT ?", [MAX_PROBLEMS_PER_RULE + 1])
        db.execute(f"DELETE FROM {relation} WHERE {misfit}")
    for line, n in bad_rows[:MAX_PROBLEMS_PER_RULE]:
        out.add(table, line, None, "bad_row",
                f"这一行有 {n} 个字段，表头有 {width} 个（少了或多了逗号？）", source)
    if n_bad > MAX_PROBLEMS_PER_RULE:
        out.summary(table, None, "bad_row", n_bad - MAX_PROBLEMS_PER_RULE,
                    bad_rows[MAX_PROBLEMS_PER_RULE][0], last_bad, source)
    trailing = db.fetch(f"SELECT count(*) FROM {relation} WHERE fields > {width}")[0][0]
    if trailing:
        out.notice(table, None, None, "trailing_comma",
                   f"{trailing:,} 行的行尾有多余的逗号（表头没有），已忽略", source)
    not_blank = " OR ".join(f"NULLIF(trim({_q(f'c{j}')}), '') IS NOT NULL" for j in range(width)
                            if j in kept)
    db.execute(f"DELETE FROM {relation} WHERE NOT ({not_blank or 'false'})")
    n_read = db.fetch(f"SELECT count(*) FROM {relation}")[0][0]
    if layout.strict:
        _unnamed_with_data(db, relation, unnamed, table, header_line, source, out)
    staged = _staged(layout.name, source, relation, found)
    staged.rows = n_read
    staged.dropped_rows = n_bad
    if staged.rows == 0 and not n_bad and (not layout.strict or TABLES[table].required):
        out.add(table, None, None, "empty_table", f"{table} 有表头但没有数据行", source)
    if progress:
        progress(f"已读取 {source}（{staged.rows:,} 行）")
    return staged


# --------------------------------------------------------------------------- Parquet


def _ident(name: str) -> str:
    """A column name from a user's file as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def stage_parquet(db, path: Path, table: str, out: Collector, max_bytes: int | None,
                  progress=None) -> Staged | None:
    """Stage one Parquet file as a view (typed columns stay typed)."""
    source = path.name
    try:
        described = db.fetch(f"DESCRIBE SELECT * FROM read_parquet({sql_path(path)})")
        if max_bytes is not None:
            size = db.fetch(f"SELECT coalesce(sum(total_uncompressed_size), 0) FROM "
                            f"parquet_metadata({sql_path(path)})")[0][0]
            if size > max_bytes:
                out.add(table, None, None, "file_too_large",
                        f"数据解压后有 {size:,} 字节，超过上限 {max_bytes:,} 字节", source)
                return None
    except Exception as error:  # noqa: BLE001 - any damage to the file is the file's
        out.add(table, None, None, "file_unreadable",
                f"无法读取 Parquet 文件（{type(error).__name__}）", source)
        return None
    names = [row[0] for row in described]
    if not names:
        if TABLES[table].required:
            out.add(table, None, None, "empty_table", f"{source} 没有任何列", source)
        return None
    select = ["file_row_number + 2 AS line"]
    types: dict[str, str] = {}
    layout = contract_layout(table)
    found, unnamed = map_header(layout, Header(layout, 0, 1, names, {}, [], 0), source, out)
    for j, (name, typ) in enumerate((row[0], row[1]) for row in described):
        base = typ.split("(")[0]
        if base == "DECIMAL":
            expr, kind = f"CAST({_ident(name)} AS DOUBLE)", "DOUBLE"
        elif base in _TYPES:
            expr, kind = _ident(name), base
        else:
            expr, kind = f"CAST({_ident(name)} AS VARCHAR)", "VARCHAR"
        select.append(f"{expr} AS {_q(f'c{j}')}")
        for contract_name, k in found.items():
            if k == j:
                types[contract_name] = kind
    relation = staging_relation("s_" + table)
    db.execute(f"CREATE OR REPLACE VIEW {relation} AS SELECT {', '.join(select)} FROM "
               f"read_parquet({sql_path(path)}, file_row_number = true)")
    staged = _staged(table, source, relation, found, types)
    staged.rows = db.fetch(f"SELECT count(*) FROM {relation}")[0][0]
    if staged.rows == 0 and TABLES[table].required:
        out.add(table, None, None, "empty_table", f"{table} 有表头但没有数据行", source)
    if progress:
        progress(f"已读取 {source}（{staged.rows:,} 行）")
    return staged


# --------------------------------------------------------------------------- workbooks


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


class _Capped:
    """A Collector for one sheet's cell problems: at most MAX_PROBLEMS_PER_RULE per column
    and rule are listed, the rest summarised in one line (``close``)."""

    def __init__(self, out: Collector):
        self.out = out
        self.over: dict[tuple, list] = {}
        self.seen: dict[tuple, int] = {}

    def add(self, table, line, column, rule, message, source="", column_index=None):
        key = (table, column, rule, source, column_index)
        self.seen[key] = self.seen.get(key, 0) + 1
        if self.seen[key] <= MAX_PROBLEMS_PER_RULE:
            self.out.add(table, line, column, rule, message, source, column_index)
        else:
            first_last = self.over.setdefault(key, [line, line])
            first_last[1] = line

    def close(self) -> None:
        for (table, column, rule, source, index), (first, last) in self.over.items():
            more = self.seen[(table, column, rule, source, index)] - MAX_PROBLEMS_PER_RULE
            self.out.summary(table, column, rule, more, first, last, source, index)


def cell_text(value, column, line: int, j: int, table: str, source: str, out: Collector,
              label: str | None = None) -> str | None:
    """A workbook cell as the text the rules check, or REPORTED after reporting it.

    Numbers in code and ID columns are accepted when they are exact integers (the rules
    then check their length); an ID number (身份证号) stored as a number has always lost
    digits. A date in a year column on 1 January reads as its year.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if column is not None and _is_id_column(column):
            exact = float(value).is_integer() and abs(value) < 2**53  # exact in a double
            if column.kind == "id_number" or not exact:
                out.add(table, line, label or column.name, "stored_as_number",
                        "身份证号被 Excel 存成了数字，已丢失位数；请把该列设为文本格式后重新导出"
                        if column.kind == "id_number" else
                        f"{shown_value(_number_text(value))} 是被存成数字的代码或编号，且不是"
                        "准确的整数（数字只保留约 15 位）；请把该列设为文本后重新导出",
                        source, j + 1)
                return REPORTED
            return str(int(value))
        return _number_text(value)
    if isinstance(value, (dt.date, dt.datetime)):
        day = value.date() if isinstance(value, dt.datetime) else value
        if column is not None and column.kind == "int":
            if day.month == 1 and day.day == 1 and (not isinstance(value, dt.datetime)
                                                    or value.time() == dt.time()):
                return str(day.year)
            out.add(table, line, label or column.name, "date_cell",
                    f"「{day.isoformat()}」是日期，不是{column.label}：请填写数字（如 2015）",
                    source, j + 1)
            return REPORTED
        return day.isoformat() if day == value or value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    return str(value)


def _batches(rows: Iterator[tuple[int, list]], width: int, convert,
             beyond: dict[int, int], kept: list[int]) -> Iterator[pa.Table]:
    """Arrow batches of BATCH_ROWS rows of the columns ``kept``; ``beyond`` collects, per
    column past the header's width that holds a value, the first line where it does."""
    buffer: list[tuple[int, list]] = []
    for line, values in rows:
        for j in range(width, len(values)):
            if values[j] not in (None, "") and j not in beyond:
                beyond[j] = line
        buffer.append((line, values))
        if len(buffer) >= BATCH_ROWS:
            yield _batch(buffer, kept, convert)
            buffer = []
    if buffer:
        yield _batch(buffer, kept, convert)


def _batch(buffer: list[tuple[int, list]], kept: list[int], convert) -> pa.Table:
    columns = {"line": pa.array([line for line, _ in buffer], pa.int64())}
    for j in kept:
        columns[f"c{j}"] = pa.array(
            [convert(line, j, values[j] if j < len(values) else None) for line, values in buffer],
            pa.string())
    return pa.table(columns)


def stage_sheet(db, path: Path, sheet: str, layouts: list[Layout], out: Collector,
                progress=None, relation: str | None = None) -> Staged | None:
    """Stage one sheet of a workbook, row by row in batches, as the layout its header
    names (one of ``layouts``)."""
    from analytics.ingest import workbook

    source = f"{path.name} 工作表 {sheet}"
    table = _where(layouts)
    rows_iter = workbook.iter_sheet_rows(path, sheet)
    head: list[tuple[int, list]] = []
    for item in rows_iter:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    if not head:
        if len(layouts) > 1 or TABLES[table].required:
            out.add(table, None, None, "empty_table", f"{source} 是空的：需要表头行和数据行", source)
        return None
    text_head = [(line, ["" if v is None else str(v) for v in values]) for line, values in head]
    header = find_layout(text_head, layouts)
    if header is None:
        report_no_header(layouts, head[0][0], source, out)
        return None
    layout = header.layout
    table = layout.table
    report_title_rows(header, text_head, source, out)
    header_line, names = header.line, header.names
    found, unnamed = map_header(layout, header, source, out)
    by_index = {j: layout.column(c) for c, j in found.items()}
    facts = workbook.sheet_facts(path, sheet)
    formulas = {(r, c) for r, c in facts.formula_cells if r > header_line}
    merged_cells: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in facts.merged:
        if r2 <= header_line:
            continue
        first_col = c1 - 1
        name = next((c for c, j in found.items() if j == first_col), None)
        if not layout.strict and r1 == r2 and (c1 == 1 or (c2 - c1 + 1) * 2 >= len(names)):
            continue  # a national format's 合计 or 填表人 row, merged from its first column
        out.add(table, max(r1, header_line + 1), name, "merged_cells",
                f"合并单元格 {col_letter(c1 - 1)}{r1}:{col_letter(c2 - 1)}{r2}：请取消合并，并在每个"
                "单元格中填入值", source, c1)
        merged_cells.update((r, c) for r in range(max(r1, header_line + 1), r2 + 1)
                            for c in range(c1, c2 + 1))
    width = len(names)

    def convert(line: int, j: int, value):
        if (line, j + 1) in formulas:
            name = next((c for c, k in found.items() if k == j), None)
            if name is None and not layout.strict:
                return None  # a column not read: its formulas do not matter
            capped.add(table, line, name if layout.strict else names[j], "formula",
                       "不接受公式单元格；请复制后“选择性粘贴 → 数值”", source, j + 1)
            return REPORTED
        if (line, j + 1) in merged_cells:
            return REPORTED
        return cell_text(value, by_index.get(j), line, j, table, source, capped,
                         None if layout.strict else names[j])

    capped = _Capped(out)

    data = ((line, values) for line, values in head[header.index + 1:])
    relation = relation or staging_relation("s_" + layout.name)
    # a national format keeps the columns its fields take and the first three (see stage_csv)
    kept = list(range(width)) if layout.strict else sorted({*found.values(), *range(min(3, width))})
    cols = ", ".join(f"{_q(f'c{j}')} VARCHAR" for j in kept)
    db.execute(f"CREATE OR REPLACE TABLE {relation} (line BIGINT, {cols})")

    def all_rows():
        yield from data
        yield from rows_iter

    n = 0
    beyond: dict[int, int] = {}
    for batch in _batches(all_rows(), width, convert, beyond, kept):
        db.register("sheet_batch", batch)
        db.execute(f"INSERT INTO {relation} SELECT * FROM sheet_batch")
        db.unregister("sheet_batch")
        n += batch.num_rows
    capped.close()
    for j, line in sorted(beyond.items()):
        if layout.strict:
            out.add(table, line, None, "bad_header",
                    f"第 {j + 1} 列（{col_letter(j)}）有数据但表头没有列名（第 {line:,} 行起）",
                    source, j + 1)
    hidden = [r for r in facts.hidden_rows if r > header_line]
    if hidden:
        shown = "、".join(map(str, hidden[:20])) + ("……" if len(hidden) > 20 else "")
        out.notice(table, None, None, "hidden_rows",
                   f"{len(hidden):,} 行被隐藏或筛选掉（第 {shown} 行），已照常导入", source)
    if layout.strict:
        _unnamed_with_data(db, relation, unnamed, table, header_line, source, out)
    staged = _staged(layout.name, source, relation, found)
    staged.rows = n
    if n == 0 and (not layout.strict or TABLES[table].required):
        out.add(table, None, None, "empty_table", f"{source} 有表头但没有数据行", source)
    if progress:
        progress(f"已读取 {source}（{n:,} 行）")
    return staged
