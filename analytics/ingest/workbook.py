"""Streaming reader of spreadsheet workbooks (.xlsx, .xlsm, .xls, .ods) for the importer.

Cell values come from python-calamine (0.9.1 when written). What it does not expose,
formula cells and hidden rows, is read for .xlsx/.xlsm by a bytes-regex scan of the sheet's
XML streamed from the zip in ~1 MB pieces (see ``_pieces``); merged ranges come from that
scan too (calamine's ``merged_cell_ranges`` gives the same ones, but only after loading the
whole sheet) and from calamine for .xls (it gives none for .ods).

Memory and speed, as measured with python-calamine 0.9.1:

* ``get_sheet_by_name`` materialises the whole sheet in Rust memory as a *dense* grid over
  the box of the cells holding a value (~32–36 bytes a cell plus the strings' text); then
  ``iter_rows`` converts one row at a time to a Python list. Python holds one row, Rust the
  whole sheet. .xls and .ods workbooks are parsed whole when opened.
* So one value far away (say in XFD1048576) asks for 17 billion cells and calamine *aborts
  the process* (Rust ``handle_alloc_error``, no exception). For .xlsx/.xlsm the scan
  measures the box first and refuses a sheet over ``MAX_CELLS`` with WorkbookUnreadable;
  .xls is bounded by its format (65,536 × 256); .ods is not guarded.
* Blank template rows: a cell with only a style (borders) is not a value, so the grid ends
  at the last row with a value (xlsx, xls, ods) and 100,000 bordered empty rows below the
  data are never walked. Cells holding an empty string do extend it (Excel writes a formula
  returning "" as ``t="str"`` with an empty value): such rows come back as all-"" lists and
  are skipped with one C-level ``list.count`` each.
"""

from __future__ import annotations

import functools
import html
import os
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from python_calamine import CalamineWorkbook, SheetVisibleEnum

#: Largest grid (rows × columns of the box of value cells) handed to calamine, about 0.7 GB.
MAX_CELLS = 20_000_000
_CHUNK = 1 << 20
# Never swallowed when a library call fails. pyo3's PanicException is a BaseException.
_PASS = (KeyboardInterrupt, SystemExit)


class WorkbookUnreadable(Exception):
    """The file cannot be read as a workbook. ``reason`` is a short Chinese text naming at
    most a library's exception class: never cell contents (a library's message may quote
    them)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SheetInfo:
    name: str  # the sheet's title as in the workbook
    visible: bool  # False for hidden and very hidden sheets


@dataclass
class SheetFacts:
    #: (first_row, first_col, last_row, last_col), 1-based: "A1:D1" -> (1, 1, 1, 4)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: 1-based sheet rows marked hidden (by the user or an autofilter), ascending
    hidden_rows: list[int] = field(default_factory=list)
    #: (row, col), 1-based, of the cells holding a formula (<f> element) in .xlsx/.xlsm
    formula_cells: set[tuple[int, int]] = field(default_factory=set)
    #: True when hidden rows and formulas could be read (.xlsx/.xlsm); False for .xls/.ods
    structure_known: bool = False


def workbook_sheets(path) -> list[SheetInfo]:
    """The sheets in workbook order. Raises WorkbookUnreadable, FileNotFoundError."""
    with _open(path) as wb:
        return [SheetInfo(m.name, m.visible == SheetVisibleEnum.Visible)
                for m in wb.sheets_metadata]


def sheet_facts(path, sheet_name: str) -> SheetFacts:
    """Merged ranges, hidden rows and formula cells of a sheet (see SheetFacts).
    Raises KeyError for an unknown sheet, WorkbookUnreadable, FileNotFoundError."""
    with _open(path) as wb:
        _check_name(wb, sheet_name)
        scanned = _scan_xlsx(path, sheet_name)
        if scanned is not None:
            return scanned[0]
        ranges = _load(wb, sheet_name).merged_cell_ranges or []  # None for .ods
    return SheetFacts(merged=[(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in ranges])


def iter_sheet_rows(path, sheet_name: str) -> Iterator[tuple[int, list[object]]]:
    """Yield ``(line, values)`` for every row holding a value: ``line`` is the 1-based row
    number shown by Excel, ``values[0]`` is column A, cells are str, int, float, bool,
    datetime.date/datetime/time/timedelta or None (empty; error cells such as #N/A also
    read as None), trailing empty cells dropped. Date-formatted numbers come as dates.
    The workbook is opened and checked now: KeyError for an unknown sheet,
    WorkbookUnreadable for a damaged file or a sheet over MAX_CELLS, FileNotFoundError."""
    with _open(path) as wb:
        _check_name(wb, sheet_name)
        scanned = _scan_xlsx(path, sheet_name)
        if scanned is not None:
            rows, cols = scanned[1]
            if rows * cols > MAX_CELLS:
                rows, cols = _scan_xlsx(path, sheet_name, precise=True)[1]
            if rows * cols > MAX_CELLS:
                raise WorkbookUnreadable(
                    f"工作表的已用区域过大（{rows:,} 行 × {cols:,} 列，"
                    f"上限 {MAX_CELLS:,} 个单元格），请删除数据下方和右侧多余的行、列后重试")
        sheet = _load(wb, sheet_name)  # the sheet keeps its grid after the workbook closes
    return _rows(sheet)


def _rows(sheet) -> Iterator[tuple[int, list[object]]]:
    if sheet.start is None:  # no value at all
        return
    pad = [None] * sheet.start[1]
    # python-calamine 0.9 yields sheet.start[0] empty rows before the grid, so the index is
    # the 0-based sheet row (the C3 case in tests/test_workbook.py pins this down).
    for index, row in enumerate(sheet.iter_rows()):
        empty = row.count("")  # calamine gives "" for an empty cell
        if empty == len(row):
            continue
        if empty:
            row = [None if v == "" else v for v in row]
            while row[-1] is None:
                row.pop()
        yield index + 1, pad + row if pad else row


def _open(path) -> CalamineWorkbook:
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    try:
        return CalamineWorkbook.from_path(path)  # picks the format from the extension
    except _PASS:
        raise
    except BaseException as first:
        try:  # by content instead, e.g. an .xls saved under the name .xlsx
            with open(path, "rb") as f:
                return CalamineWorkbook.from_filelike(f)
        except _PASS:
            raise
        except BaseException:
            raise _unreadable("无法打开工作簿", first) from None


def _load(wb: CalamineWorkbook, sheet_name: str):
    try:
        return wb.get_sheet_by_name(sheet_name)
    except _PASS:
        raise
    except BaseException as e:
        raise _unreadable("无法读取工作表", e) from None


def _unreadable(what: str, exc: BaseException) -> WorkbookUnreadable:
    name = type(exc).__name__  # only the class: the message may quote cell contents
    if name == "PasswordError":
        return WorkbookUnreadable(f"工作簿设有密码，无法打开（{name}）")
    return WorkbookUnreadable(f"{what}（{name}）")


def _check_name(wb: CalamineWorkbook, sheet_name: str) -> None:
    if sheet_name not in wb.sheet_names:
        raise KeyError(sheet_name)


# --- the .xlsx/.xlsm scan ----------------------------------------------------------------
_P = rb"<(?:[\w.-]+:)?"  # a tag's start, with any namespace prefix (<x:row ...)
_Q = rb"[\"']"
_TAG = re.compile(_P + rb"(Relationship|sheet)\s([^>]*)>")
_ATTR = re.compile(rb"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(rb"(?<![\w:.-])r\s*=\s*" + _Q + rb"([A-Z]*)(\d+)" + _Q)  # r="B7", r="7"
# <f> is the first child of its <c>, so a formula cell is "<c ...r="B7"...>" then "<f".
_FORMULA = re.compile(_P + rb"c\s(?:[^>]*?\s)?r\s*=\s*" + _Q + rb"([A-Z]+)(\d+)" + _Q
                      + rb"[^>]*>\s*" + _P + rb"f[\s/>]")
_HIDDEN_ROW = re.compile(_P + rb"row\s([^>]*?\bhidden\s*=\s*" + _Q + rb"(?:1|true)" + _Q
                         + rb"[^>]*)>")
_MERGE = re.compile(_P + rb"mergeCell\s[^>]*?\bref\s*=\s*" + _Q
                    + rb"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?" + _Q)
# The column of every cell, styled-only ones too: a literal start ("r=") keeps it fast.
_ANY_CELL_COL = re.compile(rb"r=" + _Q + rb"([A-Z]+)\d")
# Cells with content: <c r="B7" ...> but not <c r="B7" s="1"/>.
_VALUE_CELL = re.compile(rb"\sr=" + _Q + rb"([A-Z]+)(\d+)" + _Q + rb"[^>/]*>")


def _scan_xlsx(path, sheet_name: str, precise: bool = False):
    """``(SheetFacts, (rows, cols))`` for a sheet of an .xlsx/.xlsm, None for another format.
    (rows, cols) bounds the grid calamine will allocate: cheaply (from A1 to the last cell,
    cells holding only a style included) or, if ``precise``, as the box of the cells with
    content (the facts are then left empty)."""
    if not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            part = _sheet_part(zf, sheet_name)
            if part is None:  # .ods, .xlsb or a part we cannot find: calamine only
                return None
            with zf.open(part) as stream:
                if precise:
                    return SheetFacts(structure_known=True), _value_box(stream)
                return _scan_sheet_xml(stream)
    except Exception as e:  # noqa: BLE001 - BadZipFile, zlib.error, EOFError: the file's damage
        raise _unreadable("无法读取工作表", e) from None


def _scan_sheet_xml(stream) -> tuple[SheetFacts, tuple[int, int]]:
    facts = SheetFacts(structure_known=True)
    cols: set[bytes] = set()
    last_row = 0
    for piece in _pieces(stream):
        cols.update(_ANY_CELL_COL.findall(piece))
        last_row = max(last_row, _last_row(piece))
        if (b"<f" in piece or b":f" in piece) and (refs := _FORMULA.findall(piece)):
            letters, digits = zip(*refs)
            facts.formula_cells.update(zip(map(int, digits), map(_col, letters)))
        if b"hidden" in piece:
            facts.hidden_rows += [int(m[2]) for attrs in _HIDDEN_ROW.findall(piece)
                                  if (m := _REF.search(attrs))]
        if b"mergeCell" in piece:
            facts.merged += [(int(r1), _col(c1), int(r2 or r1), _col(c2 or c1))
                             for c1, r1, c2, r2 in _MERGE.findall(piece)]
    facts.hidden_rows.sort()
    return facts, (last_row, max(map(_col, cols), default=0))


def _value_box(stream) -> tuple[int, int]:
    cols: set[bytes] = set()
    first = last = 0
    for piece in _pieces(stream):
        if refs := _VALUE_CELL.findall(piece):
            letters, digits = zip(*refs)
            cols.update(letters)
            rows = list(map(int, digits))
            first = min(first, min(rows)) if first else min(rows)
            last = max(last, max(rows))
    numbers = [_col(c) for c in cols]
    return (last - first + 1, max(numbers) - min(numbers) + 1) if numbers else (0, 0)


def _pieces(stream) -> Iterator[bytes]:
    """The XML in pieces of about _CHUNK bytes, each ending just after a row's end tag (else
    just before a ``<c``): no tag, and no cell's ``<c>`` and ``<f>``, is split between two
    pieces, and the rest is carried over, not overlapped, so nothing is counted twice."""
    carry = b""
    while chunk := stream.read(_CHUNK):
        buf = carry + chunk
        end = buf.rfind(b"row>")
        cut = end + 4 if end >= 0 else max(buf.rfind(b"<c"), 0)
        carry = buf[cut:]
        if cut:
            yield buf[:cut]
    yield carry


def _last_row(piece: bytes) -> int:
    i = len(piece)
    while (i := piece.rfind(b"r=", 0, i)) >= 0:
        if m := _REF.match(piece, i):
            return int(m[2])
    return 0


@functools.lru_cache(maxsize=None)
def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _attrs(raw: bytes) -> dict[str, str]:
    """Attributes by local name (r:id -> id), entities decoded."""
    return {k.decode().rpartition(":")[2]: html.unescape((a or b).decode("utf-8", "replace"))
            for k, a, b in _ATTR.findall(raw)}


def _related(zf: zipfile.ZipFile, source: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, part name) of part ``source`` ("" for the package)."""
    folder, _, base = source.rpartition("/")
    try:
        data = zf.read(posixpath.join(folder, "_rels", base + ".rels"))
    except KeyError:
        return {}
    out = {}
    for tag, raw in _TAG.findall(data):
        if tag == b"Relationship":
            a = _attrs(raw)
            target = a.get("Target", "")
            part = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            out[a.get("Id", "")] = (a.get("Type", ""), posixpath.normpath(part))
    return out


def _sheet_part(zf: zipfile.ZipFile, sheet_name: str) -> str | None:
    book = next((p for t, p in _related(zf, "").values() if t.endswith("/officeDocument")), None)
    if book is None or not book.endswith(".xml"):  # .ods has no rels, .xlsb a workbook.bin
        return None
    rels = _related(zf, book)
    for tag, raw in _TAG.findall(zf.read(book)):
        a = _attrs(raw)
        if tag == b"sheet" and a.get("name") == sheet_name:
            part = rels.get(a.get("id", ""), ("", ""))[1]
            return part if part.endswith(".xml") and part in zf.namelist() else None
    return None
