"""Generate the bad-input corpus: tests/bad_inputs/<case>/ folders, <case>.xlsx workbooks
and manifest.json.

    .venv/bin/python tests/bad_inputs/make_corpus.py            # rewrite the committed corpus
    .venv/bin/python tests/bad_inputs/make_corpus.py /tmp/out   # write it somewhere else

Every case is the hand dataset (tests/hand_dataset.py: 2 townships, 3 villages, 5
households, 2014-2017) written out in the interchange format with exactly ONE defect.
The committed files are the artifacts the tests read; this script only exists so
they can be regenerated (tests/test_bad_inputs.py checks that it still reproduces
them byte for byte). It depends on nothing but the hand dataset and the contract
(column order, primary keys, the ID check digit), not on the store or the importer.

manifest.json lists, for each case:

- ``name``, ``path`` (relative to this folder; a folder of CSV files or one .xlsx),
  ``defect`` (what is wrong, in words);
- ``expect``: ``"load"`` (a good case, e.g. GBK) or ``"reject"``;
- ``problems``: the exact problems the importer must report, each with ``table``,
  ``line`` (header = line 1; null for a whole file/column), ``column``, ``rule`` and
  ``source`` (the file label the report prints);
- ``max_bytes``: the size limit to import with (null = none). The command line has no
  size option, so ``cli`` is false for those cases (the limit is the upload page's);
- ``generate``: set instead of ``path`` for an input too large to commit (built by the
  test at run time, e.g. a workbook that unpacks past the 200 MB default limit);
- ``personal_values``: every raw name and ID number in the case's files, none of which
  may appear in any message;
- ``known_bug``: set when the importer does not yet behave as the case expects (it
  crashes instead of reporting): the tests mark the case xfail(strict=True) with this
  text as the reason, so the fix shows up as an unexpected pass. The ``problems`` are
  what the contract asks for (docs/import-rules.md, ``file_unreadable``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import shutil
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics.contract import TABLE_ORDER, TABLES, id_check_digit  # noqa: E402
from tests.hand_dataset import hand_tables  # noqa: E402

WORKBOOK_DATE = dt.datetime(2018, 1, 1)
#: Uncompressed bytes of padding in the committed (small) zip bomb.
SMALL_BOMB_BYTES = 8 * 1024 * 1024
#: max_bytes the small zip bomb is imported with (the file itself is far smaller).
SMALL_BOMB_LIMIT = 1_000_000


# --------------------------------------------------------------------------- the base dataset


def _cell(value, kind: str) -> str:
    """A value as the exporter writes it: '' for null, true/false, ints without '.0'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "int":
        return str(int(value))
    if kind == "real":
        return repr(float(value))
    return str(value)


def base_rows() -> dict[str, list[list[str]]]:
    """The hand dataset as string rows (header first), each table in primary-key order."""
    out = {}
    for name, frame in hand_tables().items():
        spec = TABLES[name]
        frame = frame[list(spec.column_names)].sort_values(list(spec.primary_key), kind="stable")
        rows = [list(spec.column_names)]
        for record in frame.itertuples(index=False):
            rows.append([_cell(v, c.kind) for v, c in zip(record, spec.columns)])
        out[name] = rows
    return {name: out[name] for name in TABLE_ORDER if name in out}


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def write_folder(folder: Path, tables: dict[str, list[list[str]]], encoding: str = "utf-8",
                 raw: dict[str, str] | None = None) -> None:
    """TABLE.csv per table; ``raw`` gives the text of a file verbatim instead."""
    folder.mkdir(parents=True)
    for name, rows in tables.items():
        text = (raw or {}).get(name, csv_text(rows))
        (folder / f"{name}.csv").write_bytes(text.encode(encoding))


def write_workbook(path: Path, tables: dict[str, list[list[str]]], *, title_row=None,
                   empty_sheets=(), cell_hook=None) -> None:
    """A workbook written the way a careful clerk would: codes and IDs as text, numbers as
    numbers, booleans as booleans. ``title_row`` {table: title} puts a merged title row above
    that sheet's header; ``cell_hook(ws, table, row, col_name, value)`` may write a cell
    itself (returns True)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                         "strings_to_numbers": False,
                                         "strings_to_urls": False})
    wb.set_properties({"created": WORKBOOK_DATE, "author": "corpus"})
    for name, rows in tables.items():
        ws = wb.add_worksheet(name)
        if name in empty_sheets:
            continue
        r0 = 0
        if title_row and name in title_row:
            ws.merge_range(0, 0, 0, len(rows[0]) - 1, title_row[name])
            r0 = 1
        header = rows[0]
        for j, c in enumerate(header):
            ws.write_string(r0, j, c)
        for i, row in enumerate(rows[1:], start=r0 + 1):
            for j, v in enumerate(row):
                column = TABLES[name].column(header[j])
                if cell_hook and cell_hook(ws, name, i, header[j], v):
                    continue
                if v == "":
                    continue
                if column.kind == "int":
                    ws.write_number(i, j, int(v))
                elif column.kind == "real":
                    ws.write_number(i, j, float(v))
                elif column.kind == "bool":
                    ws.write_boolean(i, j, v == "true")
                else:
                    ws.write_string(i, j, v)
    wb.close()


def _pad_sheet(path: Path, member_suffix: str, padding: int) -> None:
    """Rewrite the workbook with ``padding`` spaces inside one sheet's XML (valid XML that
    compresses about 1000:1: a zip bomb when large)."""
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename.endswith(member_suffix):
                head, tail = data.rsplit(b"</worksheet>", 1)
                out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                out.compress_type = zipfile.ZIP_DEFLATED
                with z.open(out, "w", force_zip64=padding > 2**31) as f:
                    f.write(head)
                    block = b" " * (1 << 20)
                    left = padding
                    while left > 0:
                        f.write(block[:min(left, len(block))])
                        left -= len(block)
                    f.write(b"</worksheet>" + tail)
            else:
                z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(path)


def _rewrite_member(path: Path, member: str, change) -> None:
    """Rewrite one part of a zip with ``change(bytes) -> bytes`` (the zip stays valid)."""
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, change(data) if info.filename == member else data,
                       compress_type=zipfile.ZIP_DEFLATED)


def make_zip_bomb(path: Path, padding: int) -> Path:
    """The hand dataset as a workbook whose household_years sheet unpacks to ``padding``
    more bytes (used by the tests for the bomb past the 200 MB default limit)."""
    rows = base_rows()
    write_workbook(path, rows)
    sheet = list(rows).index("household_years") + 1   # the sheets are the tables written
    _pad_sheet(path, f"worksheets/sheet{sheet}.xml", padding)
    return path


# --------------------------------------------------------------------------- the cases


def _col(rows, name):
    return rows[0].index(name)


def _find(rows, **where):
    """Index (0 = header) of the row whose columns have the given values."""
    for i, row in enumerate(rows[1:], start=1):
        if all(row[_col(rows, k)] == v for k, v in where.items()):
            return i
    raise KeyError(where)


def personal_values(tables: dict[str, list[list[str]]], *extra: str) -> list[str]:
    values = set(extra)
    for name, rows in tables.items():
        for column in TABLES[name].columns:
            if column.personal and (column.kind == "id_number" or column.name.endswith("name")) \
                    and column.name in rows[0]:
                j = rows[0].index(column.name)
                values.update(r[j] for r in rows[1:] if r[j])
    return sorted(values)


def problem(table, line, column, rule, source):
    return {"table": table, "line": line, "column": column, "rule": rule, "source": source}


def build(out: Path) -> dict:
    """Write every case under ``out`` (cleared first) and return the manifest."""
    if out.exists():
        for child in out.iterdir():
            if child.name in ("make_corpus.py", "__pycache__"):
                continue
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    base = base_rows()
    all_personal = personal_values(base)
    cases: list[dict] = []

    def case(name, defect, *, tables=None, raw=None, encoding="utf-8", problems=(),
             expect="reject", max_bytes=None, path=None, extra_personal=(), workbook=None,
             cli=True, generate=None, known_bug=None):
        entry = {"name": name, "defect": defect, "expect": expect}
        if known_bug:
            entry["known_bug"] = known_bug
        if generate is not None:
            entry["path"] = None
            entry["generate"] = generate
        elif path is not None:
            entry["path"] = path
        elif workbook is not None:
            entry["path"] = f"{name}.xlsx"
            workbook(out / entry["path"])
        else:
            entry["path"] = name
            write_folder(out / name, tables or base, encoding, raw)
        entry["max_bytes"] = max_bytes
        entry["cli"] = cli
        entry["problems"] = [problem(*p) for p in problems]
        entry["personal_values"] = sorted(set(all_personal) | set(extra_personal))
        cases.append(entry)

    def edited(table, fn):
        tables = {k: [list(r) for r in v] for k, v in base.items()}
        fn(tables[table])
        return tables

    # ---- good cases: the same data in every accepted encoding and form
    case("utf8", "none: the hand dataset as UTF-8 CSV, the reference the good cases are "
         "compared with", expect="load")
    case("gbk", "none: every CSV encoded as GBK (what county offices export)", encoding="gbk",
         expect="load")
    case("utf8_bom", "none: every CSV encoded as UTF-8 with a byte-order mark",
         encoding="utf-8-sig", expect="load")
    case("xlsx_original", "none: the hand dataset as one workbook", expect="load",
         workbook=lambda p: write_workbook(p, base))

    # ---- header and columns
    def drop_column(rows, column="poverty_cause"):
        j = _col(rows, column)
        for r in rows:
            del r[j]

    case("missing_column", "households.csv has no poverty_cause column",
         tables=edited("households", drop_column),
         problems=[("households", None, "poverty_cause", "missing_column", "households.csv")])

    def add_column(rows):
        rows[0].append("remark")
        for r in rows[1:]:
            r.append("备注")

    case("extra_column", "villages.csv has an extra column 'remark'",
         tables=edited("villages", add_column),
         problems=[("villages", None, "remark", "unknown_column", "villages.csv")])

    # ---- IDs mangled by Excel
    hh = base["households"]
    id_col = _col(hh, "head_id_number")
    h1 = _find(hh, household_id="H1")
    id1 = hh[h1][id_col]
    mangled = id1[:15] + "000"
    assert id_check_digit(mangled[:17]) != mangled[17], "the mangled ID must fail its checksum"

    def set_cell(table_rows, row, column, value):
        table_rows[row][_col(table_rows, column)] = value

    case("id_scientific_csv", "H1's head_id_number is 6.21121E+17 (Excel's display of a "
         "number, saved as CSV)",
         tables=edited("households", lambda r: set_cell(r, h1, "head_id_number", "6.21121E+17")),
         extra_personal=["6.21121E+17"],
         problems=[("households", h1 + 1, "head_id_number", "stored_as_number",
                    "households.csv")])
    case("id_ending_000_csv", "H1's head_id_number lost its last 3 digits to Excel "
         "(15 digits kept + 000) in a CSV",
         tables=edited("households", lambda r: set_cell(r, h1, "head_id_number", mangled)),
         extra_personal=[mangled],
         problems=[("households", h1 + 1, "head_id_number", "stored_as_number",
                    "households.csv")])
    case("xlsx_id_ending_000", "in the workbook, H1's head_id_number is the text of the "
         "15-digit number Excel kept, ending in 000",
         workbook=lambda p: write_workbook(
             p, edited("households", lambda r: set_cell(r, h1, "head_id_number", mangled))),
         extra_personal=[mangled],
         problems=[("households", h1 + 1, "head_id_number", "stored_as_number",
                    "xlsx_id_ending_000.xlsx 工作表 households")])

    def number_id(ws, table, row, column, value):
        if table == "households" and row == h1 and column == "head_id_number":
            ws.write_number(row, id_col, float(value))
            return True
        return False

    case("xlsx_id_number_cell", "in the workbook, H1's head_id_number is a number cell",
         workbook=lambda p: write_workbook(p, base, cell_hook=number_id),
         extra_personal=[mangled],
         problems=[("households", h1 + 1, "head_id_number", "stored_as_number",
                    "xlsx_id_number_cell.xlsx 工作表 households")])

    h2 = _find(hh, household_id="H2")
    id2 = hh[h2][id_col]
    bad_sum = id2[:17] + ("0" if id2[17] != "0" else "1")
    case("bad_id_checksum", "H2's head_id_number has a wrong check digit",
         tables=edited("households", lambda r: set_cell(r, h2, "head_id_number", bad_sum)),
         extra_personal=[bad_sum],
         problems=[("households", h2 + 1, "head_id_number", "id_checksum", "households.csv")])

    # ---- keys
    new_first17 = "62112119881111789"
    new_id = new_first17 + id_check_digit(new_first17)

    def duplicate_household(rows):
        row = list(rows[h2])
        row[_col(rows, "head_name")] = "周八"
        row[_col(rows, "head_id_number")] = new_id
        rows.append(row)

    case("duplicate_key", "households.csv has a second row for household_id H2 (another "
         "person)", tables=edited("households", duplicate_household),
         extra_personal=["周八", new_id],
         problems=[("households", len(hh) + 1, "household_id", "duplicate_key",
                    "households.csv")])

    hy = base["household_years"]
    case("duplicate_key_composite", "household_years.csv repeats the row (H1, 2015)",
         tables=edited("household_years", lambda r: r.append(list(r[_find(
             r, household_id="H1", year="2015")]))),
         problems=[("household_years", len(hy) + 1, "household_id, year", "duplicate_key",
                    "household_years.csv")])

    def orphan(rows):
        row = list(rows[_find(rows, household_id="H4", year="2015")])
        row[_col(rows, "household_id")] = "H9"
        rows.append(row)

    case("orphan_rows", "household_years.csv has a row for household H9, which is not in "
         "households.csv", tables=edited("household_years", orphan),
         problems=[("household_years", len(hy) + 1, "household_id", "foreign_key",
                    "household_years.csv")])

    gap_row = _find(hy, household_id="H2", year="2016")
    case("year_gap", "household H2 has no row for 2016 (rows 2014, 2015, 2017)",
         tables=edited("household_years", lambda r: r.pop(gap_row)),
         # the first row after the gap (H2 2017) moves up into the deleted row's line
         problems=[("household_years", gap_row + 1, "year", "year_gap",
                    "household_years.csv")])

    # ---- cells
    neg_row = _find(hy, household_id="H4", year="2016")
    case("members_negative", "H4's household size in 2016 is -2",
         tables=edited("household_years", lambda r: set_cell(r, neg_row, "members", "-2")),
         problems=[("household_years", neg_row + 1, "members", "minimum",
                    "household_years.csv")])
    zero_row = _find(hy, household_id="H1", year="2015")
    case("members_zero", "H1's household size in 2015 is 0",
         tables=edited("household_years", lambda r: set_cell(r, zero_row, "members", "0")),
         problems=[("household_years", zero_row + 1, "members", "minimum",
                    "household_years.csv")])
    vy = base["village_years"]
    text_row = _find(vy, village_code="621121101002", year="2015")
    case("text_in_number", "registered_population of 621121101002 in 2015 is '二百人'",
         tables=edited("village_years",
                       lambda r: set_cell(r, text_row, "registered_population", "二百人")),
         problems=[("village_years", text_row + 1, "registered_population", "int_format",
                    "village_years.csv")])

    # ---- workbooks
    case("xlsx_title_row", "the households sheet has a merged title row above its header",
         workbook=lambda p: write_workbook(p, base, title_row={"households": "通渭县建档立卡户名单"}),
         problems=[("households", 1, None, "bad_header",
                    "xlsx_title_row.xlsx 工作表 households")])

    formula_row = _find(vy, village_code="621121101001", year="2015")

    def formula(ws, table, row, column, value):
        if table == "village_years" and row == formula_row and column == "registered_population":
            ws.write_formula(row, _col(vy, column), "=60+40", None, 100)
            return True
        if table == "households" and row == h1 and column == "head_name":
            # a formula that builds a name: its text must not be shown either
            ws.write_formula(row, _col(hh, column), '="张"&"三"', None, "张三")
            return True
        return False

    case("xlsx_formula", "two formula cells: village_years.registered_population "
         "(=60+40) and households.head_name (=\"张\"&\"三\")",
         workbook=lambda p: write_workbook(p, base, cell_hook=formula),
         problems=[("village_years", formula_row + 1, "registered_population", "formula",
                    "xlsx_formula.xlsx 工作表 village_years"),
                   ("households", h1 + 1, "head_name", "formula",
                    "xlsx_formula.xlsx 工作表 households")])
    case("xlsx_empty_sheet", "the village_years sheet is there but empty (not even a header)",
         workbook=lambda p: write_workbook(p, base, empty_sheets=("village_years",)),
         problems=[("village_years", None, None, "empty_table",
                    "xlsx_empty_sheet.xlsx 工作表 village_years")])

    # ---- limits
    sizes = {p.name: p.stat().st_size for p in (out / "utf8").iterdir()}
    biggest = max(sizes, key=sizes.get)
    assert sorted(sizes.values())[-2] < sizes[biggest] - 1
    case("csv_over_limit", f"{biggest} is one byte over the upload limit (the utf8 folder "
         "imported with max_bytes = its size - 1)", path="utf8",
         max_bytes=sizes[biggest] - 1, cli=False,
         problems=[(biggest[:-4], None, None, "file_too_large", biggest)])
    xlsx_size = (out / "xlsx_original.xlsx").stat().st_size
    case("xlsx_over_limit", "the workbook is one byte over the upload limit", path="xlsx_original.xlsx",
         max_bytes=xlsx_size - 1, cli=False,
         problems=[("dataset", None, None, "file_too_large", "xlsx_original.xlsx")])
    case("xlsx_zip_bomb_small", f"the household_years sheet unpacks to "
         f"{SMALL_BOMB_BYTES:,} more bytes (a {SMALL_BOMB_LIMIT:,}-byte limit applies)",
         workbook=lambda p: make_zip_bomb(p, SMALL_BOMB_BYTES), max_bytes=SMALL_BOMB_LIMIT,
         cli=False,
         problems=[("dataset", None, None, "zip_bomb", "xlsx_zip_bomb_small.xlsx")])
    # ---- damaged workbooks
    sheet_of = {name: f"xl/worksheets/sheet{i}.xml" for i, name in enumerate(base, start=1)}

    def truncated_sheet(path):
        write_workbook(path, base)
        _rewrite_member(path, sheet_of["households"], lambda data: data[: len(data) // 2])

    case("xlsx_truncated_sheet", "the households sheet's XML is cut off in the middle (a "
         "damaged download)", workbook=truncated_sheet,
         problems=[("dataset", None, None, "file_unreadable", "xlsx_truncated_sheet.xlsx")])

    def bad_zip_version(path):
        write_workbook(path, base)
        data = bytearray(path.read_bytes())
        at = data.find(b"PK\x01\x02")  # the first central-directory entry
        data[at + 6: at + 8] = (99).to_bytes(2, "little")  # "version needed to extract" 9.9
        path.write_bytes(bytes(data))

    case("xlsx_bad_zip_version", "the zip directory says a part needs zip version 9.9 "
         "(a damaged or foreign archive)", workbook=bad_zip_version,
         problems=[("dataset", None, None, "file_unreadable", "xlsx_bad_zip_version.xlsx")])

    case("xlsx_zip_bomb", "a workbook that unpacks past the 200 MB default limit (built at "
         "test time: about 200 KB on disk)", generate="zip_bomb_default_limit",
         problems=[("dataset", None, None, "zip_bomb", "xlsx_zip_bomb.xlsx")])

    assert (out / "xlsx_zip_bomb_small.xlsx").stat().st_size < SMALL_BOMB_LIMIT // 20
    manifest = {"about": "see make_corpus.py", "cases": cases}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return manifest


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    manifest = build(target)
    print(f"{len(manifest['cases'])} cases written to {target}")
