"""Import and validation of a dataset in the interchange format (shared/data-contract.md).

``read_dataset(path)`` reads a folder of ``TABLE.csv`` / ``TABLE.parquet`` files or one
``.xlsx`` workbook (one sheet per table), checks every rule of the contract and either
returns typed DataFrames (contract column order; codes and text as ``str``, ints as
``int64`` / ``Int64``, reals ``float64``, booleans ``boolean``) or raises
``ImportRejected`` carrying *every* problem found, each with its file, line (header =
line 1), column, rule id and a message in which personal data is masked.

Reading is done in two steps so that the validation can be tested on its own:

1. a reader per form (CSV, Parquet, XLSX) turns each table into an all-string frame
   whose index (named ``line``) is the line of each row in the file, plus the problems
   only the file form can show (encoding, header row, formula cells, numbers Excel
   stored in ID columns, zip bombs);
2. ``validate_tables`` checks the cells and the rules between rows and tables,
   vectorised with pyarrow compute / numpy / pandas: there is no Python loop per row,
   only per problem (and at most ``MAX_PROBLEMS_PER_RULE`` of those per table, column
   and rule; the rest are counted in one summary problem).

The rule ids and example messages are listed in docs/import-rules.md.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .contract import (
    EXITED,
    FALSE_WORDS,
    POOR,
    REQUIRED_TABLES,
    STATUS_ALIASES,
    TABLE_ORDER,
    TABLES,
    TRUE_WORDS,
    Column,
    mask_id_number,
    mask_name,
)

__all__ = [
    "Problem",
    "ImportRejected",
    "read_dataset",
    "validate_tables",
    "write_problems_report",
    "RULES",
]

#: Individual problems kept per (table, column, rule); the rest are summarised.
MAX_PROBLEMS_PER_RULE = 1000
#: Limit on the uncompressed size of an .xlsx (a zip archive) when ``max_bytes`` is None.
DEFAULT_XLSX_UNCOMPRESSED_LIMIT = 200 * 1024 * 1024
#: How many rows at the top of a file are searched for the header row.
HEADER_SEARCH_ROWS = 10
# No contract table has more than 20 columns: a file far wider is not a table of ours,
# and reading it cell by cell would cost time and memory for nothing.
MAX_COLUMNS = 1000
#: Ints are stored as INTEGER (32-bit) in the database.
INT_MAX = 2**31 - 1

#: rule id → what it checks (the docs/import-rules.md list, kept in code for the UI).
RULES: dict[str, str] = {
    "unsupported_input": "the path is a folder of CSV/Parquet files or one .xlsx workbook",
    "file_unreadable": "the file can be opened and parsed",
    "file_too_large": "no file is larger than the size limit (max_bytes)",
    "zip_bomb": "an .xlsx does not decompress to more than the limit",
    "encoding": "CSV is UTF-8 (with or without BOM) or GB18030/GBK",
    "duplicate_source": "a table comes from one file only (not both TABLE.csv and TABLE.parquet)",
    "unknown_table": "every file/sheet is named after a table of the contract",
    "missing_table": "every required table is given",
    "empty_table": "a required table has data rows; a file/sheet has a header row",
    "bad_header": "the header row is line 1 and every column with data has a name",
    "duplicate_column": "a column name appears once in the header",
    "missing_column": "every column of the table is present",
    "unknown_column": "no column outside the contract",
    "bad_row": "a CSV row has as many fields as the header",
    "formula": "no formula cells in a workbook (values only)",
    "stored_as_number": "code/ID columns hold text, not numbers Excel converted",
    "required": "a non-nullable cell is not empty",
    "code_format": "a code has exactly its number of digits",
    "int_format": "a whole number (within ±2147483647) in an int column",
    "real_format": "a finite decimal number in a real column",
    "bool_format": "a boolean is one of 1/0, true/false, 是/否, Y/N, yes/no, T/F",
    "enum": "a value is one of the column's choices (status aliases poor/exited accepted)",
    "minimum": "a number is not below the column's minimum",
    "id_format": "an ID number is 18 characters: 17 digits and a check digit 0-9 or X",
    "id_birth_date": "an ID number's birth date is a real date, not before 1900, not in the future",
    "id_checksum": "an ID number's check digit matches ISO 7064 MOD 11-2",
    "duplicate_key": "the primary key is unique",
    "duplicate_value": "a unique column (head_id_number) has no repeated value",
    "foreign_key": "a referenced row exists in the referenced table",
    "village_township": "a village_code's first 9 digits are its township_code",
    "planned_exit_year": "villages.planned_exit_year only for poor villages",
    "year_before_registered": "household_years.year is not before the household's registered_year",
    "year_gap": "a household's years run without gaps from its registered_year",
    "relapse_cause": "relapse_cause only on a relapse row (未脱贫 after 已脱贫 the previous year)",
}


# --------------------------------------------------------------------------- API types


@dataclass(frozen=True)
class Problem:
    """One problem of an import: where it is, which rule it breaks, and why.

    ``table`` is the contract table (or ``"dataset"`` for the input as a whole),
    ``line`` the line in the file (header = line 1; for XLSX the sheet row number; for
    Parquet the line the row would have in the CSV form, row index + 2), ``source`` the
    file (``households.csv``, ``data.xlsx sheet households``) used when printing.
    """

    table: str
    line: int | None
    column: str | None
    rule: str
    message: str
    source: str = ""

    def __str__(self) -> str:
        where = self.source or self.table
        if self.line is not None:
            where += f" line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where} [{self.rule}]: {self.message}"


class ImportRejected(Exception):
    """The dataset breaks the contract; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        n = len(self.problems)
        first = f"; first: {self.problems[0]}" if self.problems else ""
        super().__init__(f"import rejected: {n} problem{'s' if n != 1 else ''}{first}")


def write_problems_report(problems: Iterable[Problem]) -> str:
    """A readable multi-line report: a total, then the problems grouped by table."""
    problems = list(problems)
    if not problems:
        return "No problems found.\n"
    groups: dict[str, list[Problem]] = {}
    for p in problems:
        groups.setdefault(p.table, []).append(p)
    order = {name: i for i, name in enumerate(("dataset", *TABLE_ORDER))}
    n = len(problems)
    lines = [
        f"Import rejected: {n} problem{'s' if n != 1 else ''} in "
        f"{len(groups)} table{'s' if len(groups) != 1 else ''}. Nothing was loaded.",
        "",
    ]
    for table in sorted(groups, key=lambda t: (order.get(t, len(order)), t)):
        items = groups[table]
        label = TABLES[table].label if table in TABLES else ""
        title = f"{table} ({label})" if label else table
        lines.append(f"{title}: {len(items)} problem{'s' if len(items) != 1 else ''}")
        for p in items:
            lines.append(f"  - {p}")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- helpers


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _show(value: str, column: Column | None) -> str:
    """A cell value for a message: masked when the column holds personal data."""
    if column is not None and column.personal:
        if column.kind == "id_number":
            return f"'{mask_id_number(value)}'"
        return f"'{mask_name(value)}'"
    if len(value) > 40:
        value = value[:37] + "..."
    return f"'{value}'"


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _is_id_column(col: Column) -> bool:
    """Columns the contract calls 'code and ID columns': text, never numbers."""
    return col.kind in ("code", "id_number") or (col.kind == "text" and col.name.endswith("_id"))


def _np_bool(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A pyarrow boolean array as numpy, null → False."""
    arr = pc.fill_null(arr, False)
    if isinstance(arr, pa.ChunkedArray):
        if arr.num_chunks == 0:
            return np.zeros(0, dtype=bool)
        arr = arr.combine_chunks()
    return arr.to_numpy(zero_copy_only=False).astype(bool, copy=False)


_SCI_RE = r"^[+-]?[0-9]+(\.[0-9]+)?[eE]\+?[0-9]+$"
_DOT_ZERO_RE = r"^[0-9]+\.0+$"


class _Collector:
    """Builds Problem objects from vectorised masks, at most MAX per (table, column, rule)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, table, line, column, rule, message, source=""):
        self.problems.append(Problem(table, line, column, rule, message, source))

    def rows(
        self,
        table: str,
        source: str,
        lines: np.ndarray,
        mask: np.ndarray,
        column: str | None,
        rule: str,
        message: Callable[[int], str],
    ) -> int:
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return 0
        for i in idx[:MAX_PROBLEMS_PER_RULE]:
            self.add(table, int(lines[i]), column, rule, message(int(i)), source)
        rest = idx.size - MAX_PROBLEMS_PER_RULE
        if rest > 0:
            self.add(
                table, None, column, rule,
                f"... and {_plural(rest, 'more line')} with the same problem "
                f"(lines {int(lines[idx[MAX_PROBLEMS_PER_RULE]])}–{int(lines[idx[-1]])})",
                source,
            )
        return int(idx.size)


# --------------------------------------------------------------------------- readers


@dataclass
class _Raw:
    """One table as read from its file: all-string frame, index = line numbers."""

    frame: pd.DataFrame
    source: str
    flagged: dict[str, np.ndarray]  # column → cells already reported by the reader
    usable: bool = True  # False: the file was given but could not be read as a table


def _unusable(source: str) -> _Raw:
    return _Raw(pd.DataFrame(), source, {}, usable=False)


def _find_header(rows: list[list[str]], table: str) -> int | None:
    """Index of the header row among the first rows: row 0 if it names any contract
    column, else the row naming the most columns, None if no row names any."""
    expected = set(TABLES[table].column_names)
    scores = [len({c.strip().lower() for c in r} & expected) for r in rows]
    if not scores:
        return None
    if scores[0] > 0:
        return 0
    best = int(np.argmax(scores))
    return best if scores[best] > 0 else None


def _frame_from_grid(
    table: str,
    source: str,
    grid: pd.DataFrame,
    lines: np.ndarray,
    kinds: pd.DataFrame | None,
    out: _Collector,
) -> _Raw | None:
    """Turn a grid of strings (header row included) into a raw table frame.

    Finds the header row, names the columns, drops unnamed empty columns and blank
    rows, and reports header problems. ``kinds`` (XLSX only) has the openpyxl data type
    of each cell, used to report formula cells and numbers in ID columns.
    """
    spec = TABLES[table]
    ncols = grid.shape[1]
    head = [list(grid.iloc[i]) for i in range(min(HEADER_SEARCH_ROWS, len(grid)))]
    blank = ncols == 0 or len(grid) == 0 or (
        not any(v.strip() for r in head for v in r)  # cheap test first
        and not any(bool((grid[c].str.strip() != "").any()) for c in grid.columns))
    if blank:
        if spec.required:
            out.add(table, None, None, "empty_table",
                    f"{source} is empty: it needs a header row and data rows", source)
        return None
    h = _find_header(head, table)
    if h is None:
        out.add(
            table, int(lines[0]) if len(lines) else 1, None, "bad_header",
            f"no header row found in the first {HEADER_SEARCH_ROWS} lines: line 1 must "
            f"hold the column names ({', '.join(spec.column_names)})", source,
        )
        return _unusable(source)
    if h > 0:
        blank_above = all(not any(v.strip() for v in head[i]) for i in range(h))
        what = "blank" if blank_above else "a title or merged-cell row, not the header"
        out.add(
            table, int(lines[0]), None, "bad_header",
            f"line {int(lines[0])} is {what}; the column names are on line {int(lines[h])}: "
            f"delete the {_plural(h, 'row')} above the header (validated from line "
            f"{int(lines[h])} on)", source,
        )
    names = [str(v).strip() for v in head[h]]
    data = grid.iloc[h + 1:]
    data_lines = lines[h + 1:]
    data_kinds = kinds.iloc[h + 1:] if kinds is not None else None
    keep: list[int] = []
    seen: dict[str, int] = {}
    header_line = int(lines[h])
    for j, name in enumerate(names):
        col = grid.columns[j]
        if name == "":
            if (data[col] != "").any():
                out.add(table, header_line, None, "bad_header",
                        f"column {j + 1} ({_col_letter(j)}) has values but no name in the "
                        f"header row", source)
            continue
        key = name.lower()
        if key in seen:
            out.add(table, header_line, name, "duplicate_column",
                    f"column name '{name}' appears twice (columns {seen[key] + 1} and {j + 1}); "
                    "the second is ignored", source)
            continue
        seen[key] = j
        keep.append(j)
    # Contract names are lower case; accept a header in any case.
    known = {n.lower(): n for n in spec.column_names}
    frame = data.iloc[:, keep].copy()
    frame.columns = [known.get(names[j].lower(), names[j]) for j in keep]
    if len(frame.columns):
        nonblank = np.column_stack([(frame[c] != "").to_numpy() for c in frame.columns]).any(axis=1)
    else:
        nonblank = np.zeros(len(frame), dtype=bool)
    if not nonblank.all():
        frame = frame.iloc[np.flatnonzero(nonblank)]
    frame.index = pd.Index(data_lines[nonblank], name="line")
    flagged: dict[str, np.ndarray] = {}
    if data_kinds is not None:
        kinds_kept = data_kinds.iloc[np.flatnonzero(nonblank), keep]
        kinds_kept.columns = frame.columns
        row_lines = frame.index.to_numpy()
        for name in frame.columns:
            if name not in spec.column_names:
                continue
            col = spec.column(name)
            k = kinds_kept[name].to_numpy()
            formula = k == "f"
            out.rows(table, source, row_lines, formula, name, "formula",
                     lambda i: "formula cells are not accepted; paste the values "
                               "(Paste Special → Values) instead")
            flag = formula.copy()
            if _is_id_column(col):
                number = k == "n"
                vals = frame[name]
                out.rows(table, source, row_lines, number, name, "stored_as_number",
                         lambda i, v=vals, c=col: f"{_show(v.iloc[i], c)}: ID stored as a number "
                         "by Excel; format the column as text (Excel keeps only 15 digits "
                         "and drops leading zeros)")
                flag |= number
            if flag.any():
                flagged[name] = flag
    return _Raw(frame, source, flagged)


def _first_records(text: str, n: int, truncated: bool) -> list[list[str]]:
    """The first n complete CSV records of ``text`` (may end mid-file)."""
    if truncated:  # drop the last physical line: it may be cut in the middle
        lines = text.splitlines(keepends=True)
        text = "".join(lines[:-1]) if len(lines) > 1 else text
    reader = csv.reader(io.StringIO(text))
    rows = []
    try:
        for r in reader:
            rows.append(r)
            if len(rows) >= n:
                break
    except csv.Error:
        pass
    return rows


def _record_scan(data: bytes):
    """Vectorised RFC 4180 record scan of CSV bytes.

    Returns (start line of each record, number of fields, is blank). A newline or comma
    is structural when an even number of quote characters precede it (escaped quotes
    come in pairs). Safe for UTF-8 and GB18030 (their multi-byte sequences never use
    the bytes of '"', ',' or '\\n').
    """
    b = np.frombuffer(data, dtype=np.uint8)
    nl_all = np.flatnonzero(b == 10)
    quotes = np.flatnonzero(b == 34)
    commas = np.flatnonzero(b == 44)
    nl = nl_all
    if quotes.size:
        nl = nl_all[np.searchsorted(quotes, nl_all) % 2 == 0]
        commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
    starts = np.concatenate([[0], nl + 1]).astype(np.int64)
    ends = np.concatenate([nl, [b.size]]).astype(np.int64)
    if starts[-1] >= b.size:  # file ends with a newline: no record after it
        starts, ends = starts[:-1], ends[:-1]
    record_lines = np.searchsorted(nl_all, starts) + 1
    fields = np.searchsorted(commas, ends) - np.searchsorted(commas, starts) + 1
    length = ends - starts
    first = b[np.minimum(starts, max(b.size - 1, 0))] if b.size else np.zeros(0, np.uint8)
    blank = (length == 0) | ((length == 1) & (first == 13))
    return record_lines, fields, blank


def _detect_encoding(data: bytes) -> str:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[: 1 << 20], final=len(data) <= 1 << 20)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _read_csv(path: Path, table: str, out: _Collector, progress) -> _Raw | None:
    source = path.name
    data = path.read_bytes()
    if re.search(rb"[^\s\xef\xbb\xbf]", data) is None:  # empty, or only a BOM and blanks
        return _frame_from_grid(table, source, pd.DataFrame(), np.zeros(0, np.int64), None, out)
    encoding = _detect_encoding(data)
    table_arrow = None
    invalid = []
    for attempt in (encoding, "gb18030") if encoding == "utf-8" else ("gb18030",):
        try:
            text_head = data[: 1 << 20].decode(attempt, errors="replace")
        except LookupError:  # pragma: no cover
            continue
        if text_head.startswith("\ufeff"):
            text_head = text_head[1:]
        head = _first_records(text_head, HEADER_SEARCH_ROWS, len(data) > 1 << 20)
        h = _find_header(head, table)
        ncols = max((len(r) for r in head), default=0) if h is None else len(head[h])
        if ncols == 0:
            ncols = 1
        if ncols > MAX_COLUMNS:
            out.add(table, h + 1 if h is not None else 1, None, "bad_header",
                    f"the file has {ncols:,} columns; a table of the contract has at most "
                    f"{MAX_COLUMNS}", source)
            return _unusable(source)
        names = [f"c{i}" for i in range(ncols)]
        invalid = []

        def handler(row, _inv=invalid):
            _inv.append(row.actual_columns)
            return "skip"

        try:
            table_arrow = pacsv.read_csv(
                pa.BufferReader(data),
                read_options=pacsv.ReadOptions(column_names=names, encoding=attempt),
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=b'"' in data,
                    ignore_empty_lines=False,
                    invalid_row_handler=handler,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            encoding = attempt
            break
        except (pa.ArrowInvalid, UnicodeDecodeError) as e:
            if attempt == "utf-8" and ("UTF8" in str(e) or "utf-8" in str(e).lower()):
                continue
            if isinstance(e, UnicodeDecodeError) or "decode" in str(e).lower():
                out.add(table, None, None, "encoding",
                        "the file is neither UTF-8 nor GB18030/GBK text", source)
            else:
                out.add(table, None, None, "file_unreadable",
                        f"cannot parse the CSV: {str(e).splitlines()[0][:200]}", source)
            return _unusable(source)
    if table_arrow is None:  # pragma: no cover - the gb18030 attempt always ends the loop
        out.add(table, None, None, "encoding",
                "the file is neither UTF-8 nor GB18030/GBK text", source)
        return _unusable(source)
    if progress:
        progress(f"read {source} ({encoding}, {table_arrow.num_rows:,} lines)")
    n = table_arrow.num_rows
    if table_arrow.num_columns and n:
        first_cell = table_arrow.column(0)[0].as_py()
        if first_cell.startswith("\ufeff"):  # GB18030-encoded BOM
            col0 = table_arrow.column(0)
            fixed = pa.chunked_array(
                [pa.array([first_cell[1:]], col0.type)] + col0.slice(1).chunks, col0.type)
            table_arrow = table_arrow.set_column(0, "c0", fixed)
    physical = data.count(b"\n") + (0 if (not data or data.endswith(b"\n")) else 1)
    lines = np.arange(1, n + 1, dtype=np.int64)
    if invalid or physical != n:
        rec_lines, fields, blank = _record_scan(data)
        ok = (fields == table_arrow.num_columns) | blank
        if int(ok.sum()) == n:
            lines = rec_lines[ok]
            # Rows above the header are reported as bad_header, not bad_row.
            grid_head = table_arrow.slice(0, HEADER_SEARCH_ROWS).to_pandas()
            hh = _find_header([list(grid_head.iloc[i]) for i in range(len(grid_head))], table)
            header_line = int(lines[hh]) if hh is not None and n else 1
            bad = ~ok & (rec_lines > header_line)
            out.rows(table, source, rec_lines, bad, None, "bad_row",
                     lambda i: f"this row has {_plural(int(fields[i]), 'field')}, the header "
                               f"has {table_arrow.num_columns} (a missing comma or an "
                               "unquoted comma?)")
        elif invalid:
            # Bare-CR line ends or quotes inside unquoted fields: the scan cannot place
            # the rows, so line numbers are row counts and bad rows are only counted.
            out.add(table, None, None, "bad_row",
                    f"{_plural(len(invalid), 'row')} do not have as many fields as the header "
                    f"({table_arrow.num_columns}); their line numbers could not be determined",
                    source)
    del data
    grid = table_arrow.to_pandas()
    for c in grid.columns:
        if grid[c].dtype != "str":
            grid[c] = grid[c].astype("str")
    return _frame_from_grid(table, source, grid, lines, None, out)


def _read_parquet(path: Path, table: str, out: _Collector, max_bytes, progress) -> _Raw | None:
    source = path.name
    try:
        pf = pq.ParquetFile(path)
        if max_bytes is not None:
            md = pf.metadata
            size = sum(md.row_group(i).total_byte_size for i in range(md.num_row_groups))
            if size > max_bytes:
                out.add(table, None, None, "file_too_large",
                        f"the data decompresses to {size:,} bytes, over the limit of "
                        f"{max_bytes:,} bytes", source)
                return _unusable(source)
        t = pf.read()
    except Exception as e:  # noqa: BLE001 - any parse failure is a problem to report
        out.add(table, None, None, "file_unreadable",
                f"cannot read the Parquet file: {str(e).splitlines()[0][:200]}", source)
        return _unusable(source)
    if progress:
        progress(f"read {source} ({t.num_rows:,} rows)")
    spec = TABLES[table]
    cols = {}
    flagged = {}
    names = [str(n).strip() for n in t.column_names]
    for name, arr in zip(names, t.columns):
        typ = arr.type
        if name in spec.column_names and _is_id_column(spec.column(name)) and not (
            pa.types.is_string(typ) or pa.types.is_large_string(typ)
        ):
            out.add(table, None, name, "stored_as_number",
                    f"the column is stored as {typ} in the Parquet file; code and ID columns "
                    "must be strings", source)
            flagged[name] = np.ones(t.num_rows, dtype=bool)
        if pa.types.is_dictionary(typ):
            arr = arr.cast(typ.value_type)
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            try:
                arr = pc.cast(arr, pa.string())
            except pa.ArrowNotImplementedError:
                out.add(table, None, name, "file_unreadable",
                        f"the column's Parquet type {typ} cannot be read as text", source)
                arr = pa.chunked_array([pa.nulls(t.num_rows, pa.string())])
        cols[name] = pc.fill_null(arr, "")
    if len(set(names)) != len(names):
        out.add(table, 1, None, "duplicate_column", "a column name appears twice", source)
    frame = pd.DataFrame(
        {n: pd.Series(a.to_pandas(), dtype="str") for n, a in cols.items()}
    )
    frame.index = pd.Index(np.arange(2, t.num_rows + 2, dtype=np.int64), name="line")
    if not len(names):
        if spec.required:
            out.add(table, None, None, "empty_table", f"{source} has no columns", source)
        return None
    return _Raw(frame, source, flagged)


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    return str(v)


def _read_workbook(
    path: Path, out: _Collector, max_bytes, progress
) -> tuple[dict[str, _Raw], set[str]]:
    """Read a workbook's sheets; returns raw tables and the names of tables given."""
    source_file = path.name
    limit = max_bytes if max_bytes is not None else DEFAULT_XLSX_UNCOMPRESSED_LIMIT
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except Exception as e:  # noqa: BLE001 - any damage to the zip is the file's, not ours
        out.add("dataset", None, None, "file_unreadable",
                f"not a valid .xlsx workbook ({e.__class__.__name__})", source_file)
        return {}, set(REQUIRED_TABLES)
    if total > limit:
        out.add("dataset", None, None, "zip_bomb",
                f"the workbook decompresses to {total:,} bytes, over the limit of {limit:,} "
                "bytes; split it or import CSV files", source_file)
        return {}, set(REQUIRED_TABLES)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as e:  # noqa: BLE001
        out.add("dataset", None, None, "file_unreadable",
                f"cannot open the workbook ({e.__class__.__name__})", source_file)
        return {}, set(REQUIRED_TABLES)
    raws: dict[str, _Raw] = {}
    given: set[str] = set()
    try:
        for ws in wb.worksheets:
            title = ws.title
            table = title.strip().lower()
            source = f"{source_file} sheet {title}"
            if table not in TABLES:
                out.add("dataset", None, None, "unknown_table",
                        f"sheet '{title}' is not a table of the contract (tables: "
                        f"{', '.join(TABLE_ORDER)}); rename or delete it", source_file)
                continue
            if table in given:
                out.add(table, None, None, "duplicate_source",
                        f"a second sheet for table {table}", source)
                continue
            given.add(table)
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            values: list[list[str]] = []
            kinds: list[list[str]] = []
            row_lines: list[int] = []
            width = 0
            try:
                for line, row in enumerate(ws.iter_rows(), start=1):
                    vals = [_cell_text(c.value) for c in row]
                    ks = [getattr(c, "data_type", "n") if c.value is not None else "" for c in row]
                    while vals and vals[-1] == "" and ks[-1] == "":  # trailing empty cells
                        vals.pop()
                        ks.pop()
                    if not vals:
                        continue  # a blank row: skipped, still counted for line numbers
                    if len(vals) > MAX_COLUMNS:
                        out.add(table, line, None, "bad_header",
                                f"row {line} reaches column {len(vals):,}; a table of the "
                                f"contract has at most {MAX_COLUMNS}", source)
                        values = None
                        break
                    values.append(vals)
                    kinds.append(ks)
                    row_lines.append(line)
                    width = max(width, len(vals))
            except Exception as e:  # noqa: BLE001 - a damaged sheet is the file's fault
                # the class name only: an exception's text can quote cell contents
                out.add("dataset", None, None, "file_unreadable",
                        f"cannot read sheet '{title}' ({e.__class__.__name__})", source_file)
                return {}, set(REQUIRED_TABLES)
            if values is None:
                raws[table] = _unusable(source)
                continue
            if progress:
                progress(f"read {source} ({len(values):,} rows)")
            values = [v + [""] * (width - len(v)) for v in values]
            kinds = [k + [""] * (width - len(k)) for k in kinds]
            names = [f"c{i}" for i in range(width)]
            grid = pd.DataFrame(values, columns=names, dtype="str") if values else pd.DataFrame(
                columns=names, dtype="str")
            kgrid = pd.DataFrame(kinds, columns=names, dtype="str") if kinds else None
            lines = np.array(row_lines, dtype=np.int64)
            raw = _frame_from_grid(table, source, grid, lines, kgrid, out)
            if raw is not None:
                raws[table] = raw
            elif not TABLES[table].required:
                given.discard(table)
    finally:
        wb.close()
    return raws, given


def _folder_sources(path: Path, out: _Collector) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for f in sorted(path.iterdir()):
        if not f.is_file() or f.name.startswith("."):
            continue
        ext = f.suffix.lower()
        if ext in (".xlsx", ".xlsm", ".xls"):
            out.add("dataset", None, None, "unsupported_input",
                    f"{f.name}: a workbook is imported on its own; give its path instead of "
                    "the folder's", f.name)
            continue
        if ext not in (".csv", ".parquet"):
            continue
        table = f.stem.strip().lower()
        if table not in TABLES:
            out.add("dataset", None, None, "unknown_table",
                    f"{f.name} is not named after a table of the contract (tables: "
                    f"{', '.join(TABLE_ORDER)})", f.name)
            continue
        if table in found:
            out.add(table, None, None, "duplicate_source",
                    f"both {found[table].name} and {f.name} are given for table {table}; "
                    "keep one", f.name)
            continue
        found[table] = f
    return found


def read_dataset(
    path: str | Path,
    *,
    progress: Callable[[str], None] | None = None,
    max_bytes: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Read and validate a dataset folder or workbook.

    Returns the typed tables (contract column order; optional tables only if given).
    Raises ImportRejected with every problem found. ``max_bytes`` limits the size of
    each file (and the uncompressed size of a workbook or Parquet file; a workbook's
    uncompressed size is limited to 200 MB when ``max_bytes`` is None).
    """
    path = Path(path)
    out = _Collector()
    raws: dict[str, _Raw] = {}
    given: set[str] = set()
    if path.is_dir():
        for table, f in _folder_sources(path, out).items():
            given.add(table)
            size = f.stat().st_size
            if max_bytes is not None and size > max_bytes:
                out.add(table, None, None, "file_too_large",
                        f"the file has {size:,} bytes, over the limit of {max_bytes:,} bytes",
                        f.name)
                continue
            if progress:
                progress(f"reading {f.name}")
            if f.suffix.lower() == ".csv":
                raw = _read_csv(f, table, out, progress)
            else:
                raw = _read_parquet(f, table, out, max_bytes, progress)
            if raw is None:
                if not TABLES[table].required:
                    given.discard(table)
                continue
            raws[table] = raw
    elif path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            out.add("dataset", None, None, "file_too_large",
                    f"the file has {size:,} bytes, over the limit of {max_bytes:,} bytes",
                    path.name)
            raise ImportRejected(out.problems)
        if progress:
            progress(f"reading {path.name}")
        raws, given = _read_workbook(path, out, max_bytes, progress)
    elif path.is_file():
        hint = " (save it as .xlsx)" if path.suffix.lower() == ".xls" else ""
        out.add("dataset", None, None, "unsupported_input",
                f"{path.name} is neither a folder of TABLE.csv / TABLE.parquet files nor an "
                f".xlsx workbook{hint}", path.name)
        raise ImportRejected(out.problems)
    else:
        out.add("dataset", None, None, "unsupported_input", f"{path.name} does not exist",
                path.name)
        raise ImportRejected(out.problems)

    for table in REQUIRED_TABLES:
        if table not in given:
            where = "sheet" if path.is_file() else "file"
            out.add(table, None, None, "missing_table",
                    f"required table {table} ({TABLES[table].label}) is missing: no "
                    f"{where} named {table}{'' if path.is_file() else '.csv / .parquet'}",
                    table)
    usable = {t: r for t, r in raws.items() if r.usable}
    typed, problems = _validate(
        {t: r.frame for t, r in usable.items()},
        {t: r.source for t, r in raws.items()},
        {t: r.frame.index.to_numpy(dtype=np.int64) for t, r in usable.items()},
        {t: r.flagged for t, r in usable.items()},
        skip_missing=set(TABLES),  # missing tables were reported above
        progress=progress,
    )
    allp = out.problems + problems
    if allp:
        raise ImportRejected(_sorted(allp))
    return typed


def _sorted(problems: list[Problem]) -> list[Problem]:
    order = {name: i for i, name in enumerate(("dataset", *TABLE_ORDER))}
    return sorted(
        problems,
        key=lambda p: (order.get(p.table, len(order)), p.line is not None, p.line or 0),
    )


# --------------------------------------------------------------------------- validation


def validate_tables(
    raw: dict[str, pd.DataFrame],
    sources: dict[str, str],
    first_data_line: dict[str, int],
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Validate all-string tables against the contract ("" or NaN = null).

    Line numbers: if a frame's index is named ``line`` it holds each row's line number;
    otherwise row i is on line ``first_data_line[table] + i`` (default 2: header = line 1).
    Returns the typed frames (rows with bad cells have nulls there) and the problems.
    """
    lines = {}
    for t, f in raw.items():
        if f.index.name == "line":
            lines[t] = f.index.to_numpy(dtype=np.int64)
        else:
            lines[t] = first_data_line.get(t, 2) + np.arange(len(f), dtype=np.int64)
    typed, problems = _validate(raw, sources, lines, {}, skip_missing=set(), progress=None)
    return typed, _sorted(problems)


def _as_arrow(s: pd.Series) -> pa.ChunkedArray:
    """A column as a trimmed pyarrow string array with nulls as ''."""
    if not (isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"):
        s = s.astype(pd.StringDtype("pyarrow", na_value=np.nan))
    arr = s.array.__arrow_array__()  # zero copy
    if isinstance(arr, pa.Array):
        arr = pa.chunked_array([arr])
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.large_string())
    return pc.utf8_trim_whitespace(pc.fill_null(arr, ""))


def _str_series(arr: pa.ChunkedArray, valid: np.ndarray) -> pd.Series:
    """Typed text column: str dtype, NaN where not valid."""
    masked = pc.if_else(pa.array(valid), arr, pa.scalar(None, arr.type)) if len(arr) else arr
    s = pd.Series(masked.to_pandas() if len(arr) else [], dtype="str")
    return s.reset_index(drop=True)


def _id_digits(arr: pa.ChunkedArray) -> np.ndarray:
    """(n, 18) uint8 matrix of the bytes of ID numbers known to be 18 ASCII chars."""
    if len(arr) == 0:
        return np.zeros((0, 18), dtype=np.uint8)
    a = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    a = a.cast(pa.large_string())
    offsets = np.frombuffer(a.buffers()[1], dtype=np.int64)[a.offset: a.offset + len(a) + 1]
    buf = np.frombuffer(a.buffers()[2], dtype=np.uint8)
    return buf[offsets[0]: offsets[-1]].reshape(-1, 18)


_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)


def _id_checks(arr: pa.ChunkedArray, fmt_ok: np.ndarray):
    """Birth-date validity, checksum validity and the expected check char per row
    (only meaningful where fmt_ok)."""
    n = len(arr)
    birth_ok = np.ones(n, dtype=bool)
    sum_ok = np.ones(n, dtype=bool)
    expected = np.zeros(n, dtype=np.uint8)
    idx = np.flatnonzero(fmt_ok)
    if idx.size == 0:
        return birth_ok, sum_ok, expected
    m = _id_digits(pc.filter(arr, pa.array(fmt_ok)))
    d = m[:, :17].astype(np.int64) - 48
    exp = _CHECK[(d @ _WEIGHTS) % 11]
    sum_ok[idx] = m[:, 17] == exp
    expected[idx] = exp
    y = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
    mo = d[:, 10] * 10 + d[:, 11]
    da = d[:, 12] * 10 + d[:, 13]
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    dim = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(mo, 0, 12)]
    dim = dim + ((mo == 2) & leap)
    today = _dt.date.today()
    ymd = y * 10000 + mo * 100 + da
    tnum = today.year * 10000 + today.month * 100 + today.day
    ok = (mo >= 1) & (mo <= 12) & (da >= 1) & (da <= dim) & (y >= 1900) & (ymd <= tnum)
    birth_ok[idx] = ok
    return birth_ok, sum_ok, expected


def _check_column(
    table: str,
    source: str,
    col: Column,
    s: pd.Series,
    lines: np.ndarray,
    skip: np.ndarray,
    out: _Collector,
):
    """Cell checks of one column. Returns (typed Series, valid mask, trimmed strings)."""
    name = col.name
    arr = _as_arrow(s)
    n = len(arr)
    null = _np_bool(pc.equal(arr, "")) if n else np.zeros(0, bool)
    present = ~null & ~skip
    if not col.nullable:
        out.rows(table, source, lines, null & ~skip, name, "required",
                 lambda i: "a value is required" + (f" ({col.label})" if col.label else ""))

    def val(i: int) -> str:
        return arr[i].as_py()

    def regex(p: str) -> np.ndarray:
        return _np_bool(pc.match_substring_regex(arr, p)) if n else np.zeros(0, bool)

    kind = col.kind
    if kind in ("code", "id_number") or (kind == "text" and _is_id_column(col)):
        sci = present & (regex(_SCI_RE) | regex(_DOT_ZERO_RE))
        if sci.any():
            out.rows(table, source, lines, sci, name, "stored_as_number",
                     lambda i: f"{_show(val(i), col)}: ID stored as a number by Excel; format "
                               "the column as text and re-enter the full value")
            present = present & ~sci
    if kind == "code":
        ok = regex(f"^[0-9]{{{col.digits}}}$")
        bad = present & ~ok
        out.rows(table, source, lines, bad, name, "code_format",
                 lambda i: f"{_show(val(i), col)} is not a {col.digits}-digit code "
                           f"({len(val(i))} characters)")
        valid = present & ok
        return _str_series(arr, valid), valid, arr
    if kind == "text":
        valid = present
        return _str_series(arr, valid), valid, arr
    if kind == "id_number":
        arr = pc.utf8_upper(arr)
        fmt = regex("^[0-9]{17}[0-9X]$")
        bad_fmt = present & ~fmt
        out.rows(table, source, lines, bad_fmt, name, "id_format",
                 lambda i: f"{_show(val(i), col)} is not an ID number: 18 characters, 17 digits "
                           f"and a check digit 0-9 or X ({len(val(i))} characters)")
        fmt &= present
        birth_ok, sum_ok, expected = _id_checks(arr, fmt)
        mangled = fmt & ~sum_ok & _np_bool(pc.ends_with(arr, "000"))
        out.rows(table, source, lines, mangled, name, "stored_as_number",
                 lambda i: f"{_show(val(i), col)} ends in 000 and fails its checksum: ID stored "
                           "as a number by Excel (which keeps 15 digits); format the column as "
                           "text and re-enter the full ID")
        bad_birth = fmt & ~birth_ok & ~mangled
        out.rows(table, source, lines, bad_birth, name, "id_birth_date",
                 lambda i: f"{_show(val(i), col)}: the birth date in digits 7-14 is not a real "
                           "date between 1900 and today")
        bad_sum = fmt & ~sum_ok & ~mangled
        out.rows(table, source, lines, bad_sum, name, "id_checksum",
                 lambda i: f"{_show(val(i), col)} fails the GB 11643 checksum (the check "
                           f"character should be {chr(expected[i])})")
        valid = fmt & birth_ok & sum_ok
        return _str_series(arr, valid), valid, arr
    if kind == "int":
        ok = regex(r"^[+-]?[0-9]{1,10}(\.0+)?$")
        cleaned = pc.replace_substring_regex(arr, r"\.0+$", "")
        cleaned = pc.replace_substring_regex(cleaned, r"^\+", "")
        nullv = pa.scalar(None, arr.type)
        ints = pc.cast(pc.if_else(pa.array(present & ok), cleaned, nullv), pa.int64()) if n else \
            pa.chunked_array([], pa.int64())
        v = ints.to_numpy() if isinstance(ints, pa.Array) else (
            ints.combine_chunks().to_numpy(zero_copy_only=False) if n else np.zeros(0))
        v = np.nan_to_num(np.asarray(v, dtype=np.float64), nan=0.0)
        in_range = np.abs(v) <= INT_MAX
        bad = present & ~(ok & in_range)
        out.rows(table, source, lines, bad, name, "int_format",
                 lambda i: f"{_show(val(i), col)} is not a whole number")
        valid = present & ok & in_range
        vals = v.astype(np.int64)
        if col.minimum is not None:
            low = valid & (vals < col.minimum)
            out.rows(table, source, lines, low, name, "minimum",
                     lambda i: f"{vals[i]} is below the minimum of {col.minimum:g}")
            valid &= ~low
        typed = pd.Series(pd.arrays.IntegerArray(vals, ~valid))
        if not col.nullable and valid.all():
            typed = typed.astype("int64")
        return typed, valid, arr
    if kind == "real":
        ok = regex(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
        nullv = pa.scalar(None, arr.type)
        fl = pc.cast(pc.if_else(pa.array(present & ok), arr, nullv), pa.float64()) if n else None
        v = fl.combine_chunks().to_numpy(zero_copy_only=False) if n else np.zeros(0)
        v = np.asarray(v, dtype=np.float64)
        finite = np.isfinite(v)
        bad = present & ~(ok & finite)
        out.rows(table, source, lines, bad, name, "real_format",
                 lambda i: f"{_show(val(i), col)} is not a number (use digits and a decimal "
                           "point, no thousands separators or units)")
        valid = present & ok & finite
        if col.minimum is not None:
            low = valid & (v < col.minimum)
            out.rows(table, source, lines, low, name, "minimum",
                     lambda i: f"{v[i]:g} is below the minimum of {col.minimum:g}")
            valid &= ~low
        return pd.Series(np.where(valid, v, np.nan), dtype="float64"), valid, arr
    if kind == "bool":
        lower = pc.utf8_lower(arr)
        t = _np_bool(pc.is_in(lower, value_set=pa.array(sorted(TRUE_WORDS), arr.type))) if n \
            else np.zeros(0, bool)
        f = _np_bool(pc.is_in(lower, value_set=pa.array(sorted(FALSE_WORDS), arr.type))) if n \
            else np.zeros(0, bool)
        bad = present & ~(t | f)
        out.rows(table, source, lines, bad, name, "bool_format",
                 lambda i: f"{_show(val(i), col)} is not a yes/no value (1/0, true/false, 是/否, "
                           "Y/N)")
        valid = present & (t | f)
        return pd.Series(pd.arrays.BooleanArray(t, ~valid)), valid, arr
    if kind == "enum":
        choices = list(col.choices or ())
        if name == "status":
            lower = pc.utf8_lower(arr)
            poor = [k.lower() for k, v in STATUS_ALIASES.items() if v == POOR]
            exited = [k.lower() for k, v in STATUS_ALIASES.items() if v == EXITED]
            is_p = _np_bool(pc.is_in(lower, value_set=pa.array(poor, arr.type))) if n else null
            is_e = _np_bool(pc.is_in(lower, value_set=pa.array(exited, arr.type))) if n else null
            ok = is_p | is_e
            if n:
                arr = pc.if_else(pa.array(is_p), pa.scalar(POOR, arr.type),
                                 pa.scalar(EXITED, arr.type))
                arr = arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])
            accepted = choices + ["poor", "exited"]
        else:
            ok = _np_bool(pc.is_in(arr, value_set=pa.array(choices, arr.type))) if n else null
            accepted = choices
        bad = present & ~ok
        out.rows(table, source, lines, bad, name, "enum",
                 lambda i: f"{_show(str(s.iloc[i]).strip(), col)} is not one of: "
                           f"{', '.join(accepted)}")
        valid = present & ok
        return _str_series(arr, valid), valid, arr
    raise ValueError(f"unknown column kind {kind!r}")  # pragma: no cover


def _key_codes(frame: pd.DataFrame, cols: Iterable[str]) -> np.ndarray:
    """One int64 code per row identifying the combination of values in ``cols``."""
    code = np.zeros(len(frame), dtype=np.int64)
    for c in cols:
        k, uniques = pd.factorize(frame[c], use_na_sentinel=True)
        code = code * (len(uniques) + 1) + (k.astype(np.int64) + 1)
    return code


def _validate(
    raw: dict[str, pd.DataFrame],
    sources: dict[str, str],
    lines: dict[str, np.ndarray],
    flagged: dict[str, dict[str, np.ndarray]],
    *,
    skip_missing: set[str],
    progress,
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    out = _Collector()
    typed: dict[str, pd.DataFrame] = {}
    valid: dict[str, dict[str, np.ndarray]] = {}
    has_col: dict[str, set[str]] = {}
    trimmed: dict[str, dict[str, pa.ChunkedArray]] = {}

    for table in TABLE_ORDER:
        if table not in raw:
            if TABLES[table].required and table not in skip_missing:
                out.add(table, None, None, "missing_table",
                        f"required table {table} ({TABLES[table].label}) is missing",
                        sources.get(table, table))
            continue
        spec = TABLES[table]
        frame = raw[table]
        source = sources.get(table, table)
        ln = lines[table]
        n = len(frame)
        if progress:
            progress(f"validating {table} ({n:,} rows)")
        cols = [str(c).strip() for c in frame.columns]
        seen: set[str] = set()
        positions: dict[str, int] = {}
        for j, c in enumerate(cols):
            if c.lower() in seen:
                out.add(table, None, c, "duplicate_column",
                        f"column name '{c}' appears twice; the second is ignored", source)
                continue
            seen.add(c.lower())
            if c not in spec.column_names:
                out.add(table, None, c, "unknown_column",
                        f"'{c}' is not a column of {table}; the columns are: "
                        f"{', '.join(spec.column_names)}", source)
                continue
            positions[c] = j
        for c in spec.column_names:
            if c not in positions:
                label = spec.column(c).label
                out.add(table, None, c, "missing_column",
                        f"column {c}{f' ({label})' if label else ''} is missing", source)
        if n == 0 and spec.required:
            out.add(table, None, None, "empty_table",
                    f"{table} has a header but no data rows", source)
        tflag = flagged.get(table, {})
        series: dict[str, pd.Series] = {}
        vmask: dict[str, np.ndarray] = {}
        trimmed[table] = {}
        for c in spec.columns:
            if c.name not in positions:
                continue
            s = frame.iloc[:, positions[c.name]]
            skip = tflag.get(c.name, np.zeros(n, dtype=bool))
            series[c.name], vmask[c.name], trimmed[table][c.name] = _check_column(
                table, source, c, s, ln, skip, out)
        has_col[table] = set(positions)
        typed[table] = pd.DataFrame(series, index=pd.RangeIndex(n))
        valid[table] = vmask

    # ---- primary keys and unique columns
    for table, frame in typed.items():
        spec = TABLES[table]
        source = sources.get(table, table)
        ln = lines[table]
        checks = [(spec.primary_key, "duplicate_key")]
        checks += [((u,), "duplicate_value") for u in spec.unique]
        for cols, rule in checks:
            if not set(cols) <= has_col[table]:
                continue
            ok = np.logical_and.reduce([valid[table][c] for c in cols]) if cols else None
            idx = np.flatnonzero(ok)
            if idx.size == 0:
                continue
            sub = frame.iloc[idx]
            code = _key_codes(sub, cols)
            _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
            first_of_row = first[inverse.ravel()]
            dup_local = first_of_row != np.arange(idx.size)
            dup = np.zeros(len(frame), dtype=bool)
            dup[idx[dup_local]] = True
            first_line = np.zeros(len(frame), dtype=np.int64)
            first_line[idx] = ln[idx[first_of_row]]

            def msg(i, cols=cols, rule=rule):
                parts = ", ".join(
                    f"{c}={_show(str(frame[c].iloc[i]), spec.column(c))}" for c in cols)
                what = "primary key" if rule == "duplicate_key" else "value"
                return f"duplicate {what} {parts}: already on line {first_line[i]}"

            out.rows(table, source, ln, dup, cols[0] if len(cols) == 1 else ", ".join(cols),
                     rule, msg)

    # ---- foreign keys
    for table, frame in typed.items():
        spec = TABLES[table]
        source = sources.get(table, table)
        for fk in spec.foreign_keys:
            (c,), (rc,) = fk.columns, fk.ref_columns
            if fk.table not in typed or c not in has_col[table] or rc not in has_col[fk.table]:
                continue
            # Parent keys as written, valid or not: a parent row with a bad key is
            # reported once, not again for each of its children.
            parent = pc.unique(trimmed[fk.table][rc])
            child_ok = valid[table][c]
            if not child_ok.any():
                continue
            found = _np_bool(pc.is_in(trimmed[table][c], value_set=parent.cast(
                trimmed[table][c].type)))
            orphan = child_ok & ~found
            out.rows(table, source, lines[table], orphan, c, "foreign_key",
                     lambda i, c=c, fk=fk, rc=rc, frame=frame: f"{c} '{frame[c].iloc[i]}' does not "
                     f"exist in {fk.table}.{rc}")

    # ---- villages: code prefix and planned exit year
    if "villages" in typed:
        v, vv = typed["villages"], valid["villages"]
        source, ln = sources.get("villages", "villages"), lines["villages"]
        if {"village_code", "township_code"} <= has_col["villages"]:
            both = vv["village_code"] & vv["township_code"]
            if both.any():
                prefix = pc.utf8_slice_codeunits(trimmed["villages"]["village_code"], 0, 9)
                bad = both & ~_np_bool(pc.equal(prefix, trimmed["villages"]["township_code"]))
                out.rows("villages", source, ln, bad, "village_code", "village_township",
                         lambda i: f"village_code '{v['village_code'].iloc[i]}' does not start "
                                   f"with its township_code '{v['township_code'].iloc[i]}'")
        if {"planned_exit_year", "is_poor_village"} <= has_col["villages"]:
            poor = v["is_poor_village"].to_numpy(dtype=bool, na_value=True)
            bad = vv["planned_exit_year"] & vv["is_poor_village"] & ~poor
            out.rows("villages", source, ln, bad, "planned_exit_year", "planned_exit_year",
                     lambda i: f"planned_exit_year {v['planned_exit_year'].iloc[i]} is given but "
                               "the village is not a poor village (is_poor_village is false)")

    # ---- household_years against households: registered year, gaps, relapse causes
    if ("household_years" in typed and "households" in typed
            and {"household_id", "year"} <= has_col["household_years"]
            and {"household_id", "registered_year"} <= has_col["households"]):
        _check_panel(typed, valid, trimmed, has_col, sources, lines, out)

    # typed frames: contract order, only complete tables make sense but return what we have
    result = {}
    for table, frame in typed.items():
        cols = [c for c in TABLES[table].column_names if c in frame.columns]
        result[table] = frame[cols]
    return result, out.problems


def _check_panel(typed, valid, trimmed, has_col, sources, lines, out: _Collector) -> None:
    hy, hv = typed["household_years"], valid["household_years"]
    hh, hhv = typed["households"], valid["households"]
    source, ln = sources.get("household_years", "household_years"), lines["household_years"]
    hh_ok = hhv["household_id"] & hhv["registered_year"]
    hh_sel = np.flatnonzero(hh_ok)
    hh_ids = hh["household_id"].iloc[hh_sel]
    first = ~hh_ids.duplicated(keep="first").to_numpy()
    hh_sel = hh_sel[first]
    hh_keys = pc.take(trimmed["households"]["household_id"], pa.array(hh_sel))
    reg_all = hh["registered_year"].to_numpy(dtype=np.int64, na_value=0)[hh_sel]

    row_ok = hv["household_id"] & hv["year"]
    found = pc.index_in(trimmed["household_years"]["household_id"], value_set=hh_keys.cast(
        trimmed["household_years"]["household_id"].type))
    pos = pc.fill_null(found, -1).to_numpy().astype(np.int64) if len(hy) else np.zeros(0, np.int64)
    pos[~row_ok] = -1
    known = pos >= 0
    year = hy["year"].to_numpy(dtype=np.int64, na_value=0)
    reg = np.where(known, reg_all[np.maximum(pos, 0)] if reg_all.size else 0, 0)

    before = known & (year < reg)
    out.rows("household_years", source, ln, before, "year", "year_before_registered",
             lambda i: f"year {year[i]} is before the household's registered_year {reg[i]} "
                       f"(household_id '{hy['household_id'].iloc[i]}')")

    # Rows in panel order (household, year); duplicates of (household, year) dropped.
    use = np.flatnonzero(known & ~before)
    order = use[np.lexsort((year[use], pos[use]))]
    p, y = pos[order], year[order]
    if order.size:
        keep = np.ones(order.size, dtype=bool)
        keep[1:] = ~((p[1:] == p[:-1]) & (y[1:] == y[:-1]))
        order, p, y = order[keep], p[keep], y[keep]
    new_hh = np.ones(order.size, dtype=bool)
    new_hh[1:] = p[1:] != p[:-1]
    prev_year = np.empty(order.size, dtype=np.int64)
    if order.size:
        prev_year[1:] = y[:-1]
        prev_year[new_hh] = reg_all[p[new_hh]] - 1
    gap = y - prev_year > 1
    # Households with no rows at all, registered no later than the panel's last year.
    last_year = int(year[known].max()) if known.any() else None
    covered = np.zeros(len(hh_sel), dtype=bool)
    covered[p] = True
    missing_hh = np.flatnonzero(~covered & (reg_all <= last_year)) if last_year is not None \
        else np.zeros(0, dtype=np.int64)

    gi = np.flatnonzero(gap)
    if gi.size or missing_hh.size:
        # Group gaps by household: one problem per household, line of its first gap.
        by_hh: dict[int, list[tuple[int, int, int]]] = {}
        for k in gi[: MAX_PROBLEMS_PER_RULE * 4]:
            by_hh.setdefault(int(p[k]), []).append(
                (int(prev_year[k]) + 1, int(y[k]) - 1, int(ln[order[k]])))
        n_hh = len(np.unique(p[gi]))
        hh_ids_arr = hh["household_id"].iloc[hh_sel]
        shown = 0
        for h, gaps in by_hh.items():
            if shown >= MAX_PROBLEMS_PER_RULE:
                break
            years = [yy for a, b, _ in gaps for yy in range(a, b + 1)]
            ys = ", ".join(str(x) for x in years[:20]) + (" …" if len(years) > 20 else "")
            out.add("household_years", gaps[0][2], "year", "year_gap",
                    f"household '{hh_ids_arr.iloc[h]}' has no row for {ys} (rows must run "
                    f"without gaps from its registered_year {reg_all[h]})", source)
            shown += 1
        if n_hh > shown:
            out.add("household_years", None, "year", "year_gap",
                    f"... and {_plural(n_hh - shown, 'more household')} with gaps in their years",
                    source)
        hh_lines = lines["households"]
        hh_source = sources.get("households", "households")
        for h in missing_hh[:MAX_PROBLEMS_PER_RULE]:
            out.add("household_years", None, "household_id", "year_gap",
                    f"household '{hh_ids_arr.iloc[h]}' ({hh_source} line "
                    f"{int(hh_lines[hh_sel[h]])}) has no rows at all; expected rows from its "
                    f"registered_year {reg_all[h]}", source)
        if missing_hh.size > MAX_PROBLEMS_PER_RULE:
            out.add("household_years", None, "household_id", "year_gap",
                    f"... and {_plural(missing_hh.size - MAX_PROBLEMS_PER_RULE, 'more household')}"
                    " with no rows at all", source)

    # Relapse cause only where status is 未脱贫 and the previous year's was 已脱贫.
    if "relapse_cause" in has_col["household_years"] and "status" in has_col["household_years"]:
        cause = hv["relapse_cause"]
        status_ok = hv["status"]
        st_arr = trimmed["household_years"]["status"]  # normalised to 未脱贫 / 已脱贫
        is_poor = status_ok & _np_bool(pc.equal(st_arr, POOR)) if len(hy) else status_ok
        is_exited = status_ok & _np_bool(pc.equal(st_arr, EXITED)) if len(hy) else status_ok
        prev_exited = np.zeros(order.size, dtype=bool)
        if order.size:
            prev_exited[1:] = (~new_hh[1:]) & (y[1:] - y[:-1] == 1) & is_exited[order[:-1]]
        relapse = np.zeros(len(hy), dtype=bool)
        relapse[order] = is_poor[order] & prev_exited
        checked = np.zeros(len(hy), dtype=bool)
        checked[order] = True
        bad = cause & checked & ~relapse & hv["status"]

        def why(i):
            if not is_poor[i]:
                return f"the status is {EXITED}"
            return "the previous year's status was not 已脱贫"

        out.rows("household_years", source, ln, bad, "relapse_cause", "relapse_cause",
                 lambda i: f"relapse_cause is given but this row is not a relapse ({why(i)}); "
                           "it is only for a 未脱贫 year after an 已脱贫 year")
