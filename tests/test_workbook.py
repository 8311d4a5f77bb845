"""Tests of analytics.ingest.workbook: values and types as python-calamine gives them, line
numbers, sheet facts (merges, hidden rows, formulas), blank template rows, .xls and .ods,
damaged files.

Every workbook is made here with made-up data: .xlsx with XlsxWriter; .xls and .ods, which
no installed package writes, by the small spec-following writers below (a BIFF8 stream in
an OLE2 compound file; an ODF zip with content.xml).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile

import pytest
import python_calamine
import xlsxwriter

from analytics.ingest import workbook
from analytics.ingest.workbook import (
    MAX_CELLS,
    SheetFacts,
    SheetInfo,
    WorkbookUnreadable,
    iter_sheet_rows,
    sheet_facts,
    workbook_sheets,
)

SECRET = "机密户主王小明"  # cell content that must never show in an error message


def xlsx(path, build, name="数据", options=None):
    """Write an .xlsx whose first sheet ``name`` is filled by ``build(workbook, sheet)``."""
    wb = xlsxwriter.Workbook(str(path), options or {})
    build(wb, wb.add_worksheet(name))
    wb.close()
    return path


def rows(path, sheet="数据"):
    return list(iter_sheet_rows(path, sheet))


def rewrite_sheet_xml(path, edit):
    """Apply ``edit(bytes) -> bytes`` to xl/worksheets/sheet1.xml (for shapes that Excel
    writes and XlsxWriter does not)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts["xl/worksheets/sheet1.xml"] = edit(parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


# --- values and types ---------------------------------------------------------------------
DATE = {"num_format": "yyyy-mm-dd"}
VALUE_CASES = [
    # id, write(ws, wb) into A1, expected value, expected type
    ("text", lambda ws, wb: ws.write_string(0, 0, "户主"), "户主", str),
    ("int-looking number comes back as float",
     lambda ws, wb: ws.write_number(0, 0, 42), 42.0, float),
    ("real number", lambda ws, wb: ws.write_number(0, 0, 42.5), 42.5, float),
    ("12-digit code stored as number is exact",
     lambda ws, wb: ws.write_number(0, 0, 440111000000), 440111000000.0, float),
    ("12-digit code stored as text stays text",
     lambda ws, wb: ws.write_string(0, 0, "440111000000"), "440111000000", str),
    ("18-digit ID stored as number has lost digits",  # XlsxWriter keeps 16 digits, Excel 15
     lambda ws, wb: ws.write_number(0, 0, 440111199001011234), 4.401111990010113e17, float),
    ("leading zero kept in text", lambda ws, wb: ws.write_string(0, 0, "0123"), "0123", str),
    ("bool", lambda ws, wb: ws.write_boolean(0, 0, True), True, bool),
    ("date on 1 January", lambda ws, wb: ws.write_datetime(
        0, 0, dt.datetime(2015, 1, 1), wb.add_format(DATE)), dt.date(2015, 1, 1), dt.date),
    ("other date", lambda ws, wb: ws.write_datetime(
        0, 0, dt.datetime(2015, 3, 1), wb.add_format(DATE)), dt.date(2015, 3, 1), dt.date),
    ("date and time", lambda ws, wb: ws.write_datetime(
        0, 0, dt.datetime(2015, 3, 1, 10, 30), wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})),
     dt.datetime(2015, 3, 1, 10, 30), dt.datetime),
    ("time of day", lambda ws, wb: ws.write_datetime(
        0, 0, dt.time(10, 30), wb.add_format({"num_format": "hh:mm"})), dt.time(10, 30), dt.time),
    ("plain string starting with '='",
     lambda ws, wb: ws.write_string(0, 0, "=不是公式"), "=不是公式", str),
    ("formula: its cached value", lambda ws, wb: ws.write_formula(0, 0, "=1+1", None, 2), 2.0, float),
]


@pytest.mark.parametrize("write, expected, kind", [c[1:] for c in VALUE_CASES],
                         ids=[c[0] for c in VALUE_CASES])
def test_values_and_types(tmp_path, write, expected, kind):
    path = xlsx(tmp_path / "v.xlsx", lambda wb, ws: write(ws, wb))
    [(line, values)] = rows(path)
    assert line == 1
    assert values == [expected] and type(values[0]) is kind


def test_error_cells_read_as_empty(tmp_path):
    """calamine turns #DIV/0!, #N/A... into "" like an empty cell: they come back as None."""
    def build(wb, ws):
        ws.write("A1", "户主")
        ws.write_formula("B1", "=1/0", None, "#DIV/0!")
        ws.write_formula("C1", "=NA()", None, "#N/A")
        ws.write("D1", 3)
    assert rows(xlsx(tmp_path / "err.xlsx", build)) == [(1, ["户主", None, None, 3.0])]


def test_18_digit_number_is_not_the_id_typed(tmp_path):
    path = xlsx(tmp_path / "v.xlsx", lambda wb, ws: ws.write_number(0, 0, 440111199001011234))
    [(_, [value])] = rows(path)
    assert int(value) != 440111199001011234  # Excel keeps 15 significant digits


# --- line numbers and shape of rows -----------------------------------------------------------
def test_lines_count_blank_rows_in_between(tmp_path):
    def build(wb, ws):
        ws.write_row(0, 0, ["乡镇", "村"])
        ws.write_row(3, 0, ["甲镇", "一村"])  # rows 2 and 3 left empty
        ws.write_row(6, 0, ["乙镇", "二村"])
    assert rows(xlsx(tmp_path / "b.xlsx", build)) == [
        (1, ["乡镇", "村"]), (4, ["甲镇", "一村"]), (7, ["乙镇", "二村"])]


def test_used_range_starting_at_c3_keeps_column_a_first(tmp_path):
    def build(wb, ws):
        ws.write("C3", "C3值")
        ws.write("E3", "E3值")
        ws.write("D5", "D5值")
    path = xlsx(tmp_path / "c3.xlsx", build)
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据")
    assert sheet.start == (2, 2)  # calamine's grid starts at C3...
    assert rows(path) == [(3, [None, None, "C3值", None, "E3值"]),  # ...ours at A1
                          (5, [None, None, None, "D5值"])]


def test_trailing_and_inner_empty_cells(tmp_path):
    def build(wb, ws):
        border = wb.add_format({"border": 1})
        ws.write_row(0, 0, ["a", "b", "c", "d", "e"])
        ws.write("A2", "x")
        ws.write("C2", "y")
        ws.write_blank("D2", None, border)  # formatted but empty: trailing, dropped
        ws.write_blank("E2", None, border)
    assert rows(xlsx(tmp_path / "t.xlsx", build)) == [
        (1, ["a", "b", "c", "d", "e"]), (2, ["x", None, "y"])]


def test_empty_sheet_yields_nothing(tmp_path):
    path = xlsx(tmp_path / "e.xlsx", lambda wb, ws: None)
    assert rows(path) == []
    assert sheet_facts(path, "数据") == SheetFacts(structure_known=True)


# --- sheets and facts ---------------------------------------------------------------------------
def test_sheets_in_order_with_visibility(tmp_path):
    path = tmp_path / "s.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("户")
    wb.add_worksheet("隐藏").hide()
    wb.add_worksheet("深度隐藏").very_hidden()
    wb.add_worksheet("家庭成员 & <备注>")
    wb.close()
    assert workbook_sheets(path) == [
        SheetInfo("户", True), SheetInfo("隐藏", False), SheetInfo("深度隐藏", False),
        SheetInfo("家庭成员 & <备注>", True)]
    assert sheet_facts(path, "家庭成员 & <备注>").structure_known  # escaped name in the XML


def test_xlsm_is_read_like_xlsx(tmp_path):
    def build(wb, ws):
        ws.write_row(0, 0, ["户主", 3])
        ws.write_formula("C1", "=B1*2", None, 6)
    path = xlsx(tmp_path / "macro.xlsm", build)
    assert rows(path) == [(1, ["户主", 3.0, 6.0])]
    assert sheet_facts(path, "数据").formula_cells == {(1, 3)}


def test_merged_ranges_as_calamine_sees_them(tmp_path):
    def build(wb, ws):
        ws.merge_range("A1:D1", "2024年脱贫户名册", wb.add_format({"align": "center"}))
        ws.merge_range("B3:C4", "合并")
        ws.write_row(5, 0, ["乡镇", "村", "户主", "人口"])
    path = xlsx(tmp_path / "m.xlsx", build)
    facts = sheet_facts(path, "数据")
    assert facts.merged == [(1, 1, 1, 4), (3, 2, 4, 3)]
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据")
    assert facts.merged == [(a + 1, b + 1, c + 1, d + 1)
                            for (a, b), (c, d) in sheet.merged_cell_ranges]
    assert rows(path)[0] == (1, ["2024年脱贫户名册"])


def test_hidden_rows_by_user_and_by_autofilter(tmp_path):
    def build(wb, ws):
        ws.write_row(0, 0, ["乡镇", "人口"])
        for r, town in enumerate(["甲镇", "乙镇", "甲镇", "丙镇", "甲镇"], start=1):
            ws.write_row(r, 0, [town, r])
        ws.set_row(2, None, None, {"hidden": True})  # row 3 hidden by the user
        ws.autofilter("A1:B6")
        ws.filter_column("A", "x == 甲镇")
        ws.set_row(4, None, None, {"hidden": True})  # row 5 (丙镇) hidden by the filter
    path = xlsx(tmp_path / "h.xlsx", build)
    facts = sheet_facts(path, "数据")
    assert facts.hidden_rows == [3, 5]
    assert facts.structure_known
    assert [line for line, _ in rows(path)] == [1, 2, 3, 4, 5, 6]  # hidden rows are still read


def test_formula_cells_but_not_strings_starting_with_equals(tmp_path):
    def build(wb, ws):
        ws.write_row(0, 0, ["人口", "收入", "合计", "说明"])
        ws.write_row(1, 0, [3, 1000.5])
        ws.write_formula("C2", "=A2*B2", None, 3001.5)
        ws.write_formula("D2", '="=注意"', None, "=注意")  # cached value starts with '='
        ws.write_string("D3", "=A2*B2")  # text typed with a leading '=': not a formula
        ws.write_array_formula("E4:E4", "{=SUM(A2:B2)}", None, 1003.5)
    path = xlsx(tmp_path / "f.xlsx", build)
    assert sheet_facts(path, "数据").formula_cells == {(2, 3), (2, 4), (4, 5)}
    assert rows(path)[1:] == [(2, [3.0, 1000.5, 3001.5, "=注意"]), (3, [None, None, None, "=A2*B2"]),
                              (4, [None, None, None, None, 1003.5])]


@pytest.mark.parametrize("chunk", [7, 64, 1000, 1 << 20])
def test_facts_do_not_depend_on_where_the_xml_is_cut(tmp_path, monkeypatch, chunk):
    def build(wb, ws):
        ws.merge_range("A1:C1", "标题")
        for r in range(1, 60):
            ws.write_row(r, 0, [f"户主{r}" * (r % 7), r])
            if r % 3 == 0:
                ws.write_formula(r, 2, f"=B{r + 1}*2", None, r * 2)
            if r % 11 == 0:
                ws.set_row(r, None, None, {"hidden": True})
    path = xlsx(tmp_path / "cut.xlsx", build)
    monkeypatch.setattr(workbook, "_CHUNK", chunk)
    facts = sheet_facts(path, "数据")
    assert facts.merged == [(1, 1, 1, 3)]
    assert facts.formula_cells == {(r + 1, 3) for r in range(3, 60, 3)}
    assert facts.hidden_rows == [r + 1 for r in range(11, 60, 11)]
    assert len(rows(path)) == 60


def test_facts_read_from_prefixed_xml(tmp_path):
    """Some writers (the .NET OpenXML SDK) put every tag in a namespace prefix: <x:c ...>."""
    def build(wb, ws):
        ws.merge_range("A1:B1", "标题")
        ws.write_formula("A2", "=1+1", None, 2)
        ws.set_row(2, None, None, {"hidden": True})
        ws.write("A3", "隐藏行")
    path = xlsx(tmp_path / "p.xlsx", build)
    rewrite_sheet_xml(path, lambda x: re.sub(
        rb"<(/?)(?=[a-zA-Z])", rb"<\1x:", x).replace(b'xmlns="', b'xmlns:x="'))
    facts = sheet_facts(path, "数据")
    assert (facts.merged, facts.hidden_rows, facts.formula_cells) == ([(1, 1, 1, 2)], [3], {(2, 1)})


# --- blank template rows and huge used ranges ---------------------------------------------------
def test_100000_bordered_blank_rows_below_the_data(tmp_path):
    def build(wb, ws):
        border = wb.add_format({"border": 1})
        for r in range(5):
            ws.write_row(r, 0, [f"村{r}", r, "是"], border)
        for r in range(5, 100_005):
            if r % 10_000 == 0:  # a few hidden ones too, spread over many 1 MB pieces
                ws.set_row(r, None, None, {"hidden": True})
            for c in range(3):
                ws.write_blank(r, c, None, border)
    path = xlsx(tmp_path / "tpl.xlsx", build, options={"constant_memory": True})
    assert [line for line, _ in rows(path)] == [1, 2, 3, 4, 5]
    assert sheet_facts(path, "数据").hidden_rows == list(range(10_001, 100_002, 10_000))


def test_formula_template_rows_returning_empty_string(tmp_path):
    """Excel writes a formula whose result is "" as t="str" with an empty value: calamine
    then reads 30,000 rows of "", none of which is yielded."""
    def build(wb, ws):
        for r in range(5):
            ws.write_row(r, 0, [f"户{r}", r])
        for r in range(5, 30_005):
            ws.write_formula(r, 2, f'=IF(A{r + 1}="","",B{r + 1}*2)', None, "")
    path = xlsx(tmp_path / "ftpl.xlsx", build, options={"constant_memory": True})
    rewrite_sheet_xml(path, lambda x: re.sub(rb'<c r="(C\d+)"><f>', rb'<c r="\1" t="str"><f>', x))
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据")
    assert sheet.end == (30_004, 2)
    assert [line for line, _ in rows(path)] == [1, 2, 3, 4, 5]
    assert len(sheet_facts(path, "数据").formula_cells) == 30_000


def test_far_away_value_is_refused_instead_of_crashing(tmp_path):
    """One value in XFD1048576 would make calamine allocate 17 billion cells and abort."""
    def build(wb, ws):
        ws.write("A1", "户主")
        ws.write("XFD1048576", "x")
    with pytest.raises(WorkbookUnreadable, match="已用区域过大") as e:
        iter_sheet_rows(xlsx(tmp_path / "far.xlsx", build), "数据")
    assert "户主" not in str(e.value) and "1,048,576 行 × 16,384 列" in str(e.value)


def test_far_away_cell_with_only_a_format_is_read(tmp_path):
    def build(wb, ws):
        ws.write_row(0, 0, ["户主", 3])
        ws.write_blank("XFD1048576", None, wb.add_format({"bold": True}))
    assert rows(xlsx(tmp_path / "fmt.xlsx", build)) == [(1, ["户主", 3.0])]
    assert MAX_CELLS < 1_048_576 * 16_384


# --- .xls and .ods ------------------------------------------------------------------------------
def _rec(kind, data=b""):
    return struct.pack("<HH", kind, len(data)) + data


def _xls_text(text, count_format):
    return struct.pack(count_format, len(text)) + b"\x01" + text.encode("utf-16-le")


def write_xls(path, sheets, password=False):
    """A minimal BIFF8 workbook ([MS-XLS]) in an OLE2 compound file ([MS-CFB]).
    ``sheets``: (name, hidden, {(row, col): value}, [(r1, c1, r2, c2)]), all 0-based; ints
    are written as RK records, floats as NUMBER, dates with a date format (XF 1)."""
    bof = lambda kind: _rec(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))
    xfs = b"".join(_rec(0x00E0, struct.pack("<HH", 0, fmt) + bytes(16)) for fmt in (0, 14))
    head = bof(0x0005) + (_rec(0x002F, b"\x01\x00" + bytes(4)) if password else b"")
    head += _rec(0x0042, struct.pack("<H", 1200)) + xfs
    subs = []
    for _, _, cells, merges in sheets:
        body = bof(0x0010)
        for (r, c), v in sorted(cells.items()):
            if isinstance(v, bool):
                body += _rec(0x0205, struct.pack("<HHHBB", r, c, 0, v, 0))
            elif isinstance(v, int):
                body += _rec(0x027E, struct.pack("<HHHI", r, c, 0, (v << 2) | 2))
            elif isinstance(v, float):
                body += _rec(0x0203, struct.pack("<HHHd", r, c, 0, v))
            elif isinstance(v, dt.date):
                body += _rec(0x0203, struct.pack("<HHHd", r, c, 1, (v - dt.date(1899, 12, 30)).days))
            else:
                body += _rec(0x0204, struct.pack("<HHH", r, c, 0) + _xls_text(v, "<H"))
        if merges:
            body += _rec(0x00E5, struct.pack("<H", len(merges)) + b"".join(
                struct.pack("<HHHH", r1, r2, c1, c2) for r1, c1, r2, c2 in merges))
        subs.append(body + _rec(0x000A))
    bound = [lambda at, s=s: _rec(0x0085, struct.pack("<IBB", at, 1 if s[1] else 0, 0)
                                  + _xls_text(s[0], "<B")) for s in sheets]
    at = len(head) + sum(len(b(0)) for b in bound) + 4
    for i, sub in enumerate(subs):
        head += bound[i](at)
        at += len(sub)
    stream = head + _rec(0x000A) + b"".join(subs)
    stream += bytes(max(0, 4096 - len(stream)) + (-len(stream)) % 512)  # no mini stream
    n, end, free = len(stream) // 512, 0xFFFFFFFE, 0xFFFFFFFF
    header = (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *[free] * 108))  # sector 0: FAT, 1: directory, 2..: stream
    fat = [0xFFFFFFFD, end] + list(range(3, n + 2)) + [end] + [free] * (126 - n)

    def entry(name, kind, child, start, size):
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, free, free, child)
                + bytes(36) + struct.pack("<IQ", start, size))
    directory = (entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 2, len(stream))
                 + entry("", 0, free, 0, 0) * 2)
    path.write_bytes(header + struct.pack("<128I", *fat) + directory + stream)
    return path


XLS_SHEETS = [
    ("户", False, {(0, 0): "2024年脱贫户名册", (2, 0): "甲镇", (2, 1): 42, (2, 2): 3.5, (2, 3): True,
                  (3, 0): dt.date(2015, 1, 1), (3, 1): dt.date(2015, 3, 1), (5, 2): "C6"},
     [(0, 0, 0, 3)]),
    ("隐藏", True, {(0, 0): 1.0}, []),
]


def test_xls(tmp_path):
    path = write_xls(tmp_path / "old.xls", XLS_SHEETS)
    assert workbook_sheets(path) == [SheetInfo("户", True), SheetInfo("隐藏", False)]
    assert rows(path, "户") == [
        (1, ["2024年脱贫户名册"]),
        (3, ["甲镇", 42, 3.5, True]),  # an RK integer comes back as int, unlike in .xlsx
        (4, [dt.date(2015, 1, 1), dt.date(2015, 3, 1)]),
        (6, [None, None, "C6"])]
    assert type(rows(path, "户")[1][1][1]) is int
    assert sheet_facts(path, "户") == SheetFacts(merged=[(1, 1, 1, 4)], structure_known=False)


def test_xls_saved_under_an_xlsx_name_is_read_by_content(tmp_path):
    path = write_xls(tmp_path / "misnamed.xlsx", XLS_SHEETS)
    assert rows(path, "隐藏") == [(1, [1.0])]
    assert sheet_facts(path, "户").structure_known is False


def write_ods(path, rows_xml, name="数据"):
    ns = " ".join(f'xmlns:{p}="urn:oasis:names:tc:opendocument:xmlns:{u}"' for p, u in
                  [("office", "office:1.0"), ("table", "table:1.0"), ("text", "text:1.0")])
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="{name}">{rows_xml}'
               "</table:table></office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return path


def test_ods(tmp_path):
    text = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    number = '<table:table-cell office:value-type="float" office:value="{}"/>'
    path = write_ods(tmp_path / "o.ods", "".join([
        f'<table:table-row>{text.format("标题")}</table:table-row>',
        '<table:table-row table:visibility="collapse">' + number.format(42)
        + '<table:table-cell table:formula="of:=[.A2]+1" office:value-type="float" office:value="43"/>'
        + "</table:table-row>",
        '<table:table-row><table:table-cell office:value-type="date" office:date-value="2015-03-01"/>'
        "</table:table-row>",
        '<table:table-row table:number-rows-repeated="100000"><table:table-cell '
        'table:number-columns-repeated="3"/></table:table-row>']))
    assert workbook_sheets(path) == [SheetInfo("数据", True)]
    assert rows(path) == [(1, ["标题"]), (2, [42.0, 43.0]), (3, [dt.date(2015, 3, 1)])]
    assert sheet_facts(path, "数据") == SheetFacts(structure_known=False)  # no merges from calamine


# --- errors -------------------------------------------------------------------------------------
def _secret_xlsx(path):
    return xlsx(path, lambda wb, ws: ws.write_row(0, 0, [SECRET] * 50))


DAMAGED = [
    # id, file name, make(path), the whole message
    ("garbage", "book.xlsx", lambda p: p.write_bytes(f"{SECRET} 不是工作簿\n".encode() * 40),
     "无法打开工作簿（ZipError）"),
    ("empty file", "book.xlsx", lambda p: p.write_bytes(b""), "无法打开工作簿（ZipError）"),
    ("truncated", "book.xlsx", lambda p: p.write_bytes(_secret_xlsx(p).read_bytes()[:3000]),
     "无法打开工作簿（ZipError）"),
    ("garbage named .xls", "book.xls", lambda p: p.write_bytes(SECRET.encode() * 40),
     "无法打开工作簿（CalamineError）"),
    ("password-protected .xls", "book.xls",
     lambda p: write_xls(p, [("户", False, {(0, 0): SECRET}, [])], password=True),
     "工作簿设有密码，无法打开（PasswordError）"),
]


@pytest.mark.parametrize("name, make, message", [c[1:] for c in DAMAGED], ids=[c[0] for c in DAMAGED])
def test_damaged_file_is_unreadable_without_its_contents(tmp_path, name, make, message):
    path = tmp_path / name
    make(path)
    for call in (lambda: workbook_sheets(path), lambda: sheet_facts(path, "户"),
                 lambda: iter_sheet_rows(path, "户")):
        with pytest.raises(WorkbookUnreadable) as e:
            call()
        assert str(e.value) == e.value.reason == message  # so no cell content either


def test_broken_sheet_xml_is_unreadable_without_its_contents(tmp_path):
    path = _secret_xlsx(tmp_path / "broken.xlsx")
    rewrite_sheet_xml(path, lambda x: x[: x.index(b"</sheetData>") - 300])
    with pytest.raises(WorkbookUnreadable) as e:
        list(iter_sheet_rows(path, "数据"))
    assert re.fullmatch(r"无法读取工作表（\w+）", str(e.value))
    assert SECRET not in str(e.value)


def test_unknown_sheet_is_a_key_error(tmp_path):
    path = xlsx(tmp_path / "k.xlsx", lambda wb, ws: ws.write("A1", 1))
    for call in (sheet_facts, iter_sheet_rows):
        with pytest.raises(KeyError):
            call(path, "没有这张表")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        workbook_sheets(tmp_path / "nope.xlsx")
