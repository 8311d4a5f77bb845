"""Import of a dataset in the interchange format (shared/data-contract.md), all or nothing.

``import_dataset(path, db_path)`` reads a folder of ``TABLE.csv`` / ``TABLE.parquet``
files or one workbook (``.xlsx``/``.xlsm``/``.xls``/``.ods``, a sheet per table) into a
new database file, checks every rule of docs/import-rules.md in SQL, and swaps the new
file in only if no problem was found; otherwise it raises ``ImportRejected`` with every
problem (file, line, column, rule, Chinese message) and the old database stays as it
was. Memory is bounded by DuckDB's limit (``store.import_memory_limit``), whatever the
size of the input: no table is ever held in pandas.

The layers, so that a new input layout is one more reader plus a mapping:

- ``csvfile``: a CSV's encoding, records and line numbers;
- ``workbook``: a spreadsheet's sheets, rows, formulas, merged and hidden rows;
- ``staging``: each file → a staged table (``line`` + its columns) in a scratch database;
- ``rules``: every rule as SQL over the staged tables, then the load;
- ``report``: problems and notices, in Chinese, with no personal value.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from analytics.contract import REQUIRED_TABLES, TABLE_ORDER, TABLES
from analytics.ingest import csvfile, national, rules, staging
from analytics.ingest.layouts import (
    HEADER_SEARCH_ROWS,
    Header,
    Layout,
    all_layouts,
    contract_layout,
    recognise,
)
from analytics.ingest.report import (
    MAX_PROBLEMS_PER_RULE,
    Collector,
    ImportRejected,
    Problem,
    safe_text,
    sorted_problems,
    write_problems_report,
)
from analytics.ingest.rules import RULES, Staged, staging_relation
from analytics.store import DatasetBuilder

__all__ = ["import_dataset", "describe_input", "DryRun", "ImportResult", "ImportRejected", "Problem", "RULES",
           "MAX_PROBLEMS_PER_RULE", "write_problems_report", "WORKBOOK_SUFFIXES"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: Limit on a workbook's uncompressed size when no ``max_bytes`` is given.
DEFAULT_XLSX_UNCOMPRESSED_LIMIT = 200 * 1024 * 1024


@dataclass
class ImportResult:
    """A successful import: rows per table, and the notices (nothing that rejects)."""

    counts: dict[str, int]
    notices: list[Problem] = field(default_factory=list)


def _folder_files(path: Path, out: Collector) -> list[tuple[Path, list[Layout]]]:
    """The files of a folder to stage, each with the layouts its header may name: a file
    named after a contract table is that table; any other CSV is recognised by its header
    (the contract's columns or Chinese labels, or a format of data/formats/)."""
    found: list[tuple[Path, list[Layout]]] = []
    named: dict[str, Path] = {}
    skipped = []
    for f in sorted(path.iterdir()):
        if not f.is_file() or f.name.startswith("."):
            continue
        ext = f.suffix.lower()
        if ext in WORKBOOK_SUFFIXES:
            found.append((f, []))
            continue
        if ext not in (".csv", ".parquet"):
            continue
        table = f.stem.strip().lower()
        if table not in TABLES:
            if f.stat().st_size == 0:
                skipped.append(safe_text(f.name) + "（空文件）")
            elif ext == ".csv" and recognise(csvfile.head_records(f, guess_encoding=True)):
                found.append((f, all_layouts()))
            else:
                skipped.append(safe_text(f.name))
            continue
        if table in named:
            out.add(table, None, None, "duplicate_source",
                    f"表 {table} 同时由 {named[table].name} 和 {f.name} 提供；请只保留一个", f.name)
            continue
        named[table] = f
        found.append((f, [contract_layout(table)]))
    if skipped:
        out.notice("dataset", None, None, "unknown_table",
                   f"跳过了 {len(skipped)} 个既不以数据规范中的表命名、表头也不认识的文件："
                   f"{'、'.join(skipped)}（表名：{'、'.join(TABLE_ORDER)}；格式见 data/formats/）",
                   path.name)
    return found


class _Gathered:
    """What staging found: contract tables (``staged``, ``given``) and the national
    formats' files (``raw``: format name → staged files)."""

    def __init__(self):
        self.staged: dict[str, Staged] = {}
        self.given: set[str] = set()
        self.raw: dict[str, list[Staged]] = {}
        self.count = 0

    def relation(self, layouts: list[Layout]) -> str | None:
        if len(layouts) == 1 and layouts[0].strict:
            return None  # staging.s_<table>
        self.count += 1
        return staging_relation(f"s_file_{self.count}")

    def add(self, s: Staged | None, layouts: list[Layout], out: Collector) -> None:
        if s is None:
            if len(layouts) == 1 and layouts[0].strict:
                table = layouts[0].name
                self.given.add(table)
                if not TABLES[table].required and not any(p.table == table for p in out.problems):
                    self.given.discard(table)  # an empty optional table is as good as none
            return
        if s.table in TABLES:
            if s.table in self.given:
                out.add(s.table, None, None, "duplicate_source",
                        f"表 {s.table} 同时由 {self.staged[s.table].source} 和 {s.source} 提供；"
                        "请只保留一个", s.source)
                return
            self.given.add(s.table)
            self.staged[s.table] = s
        else:
            self.raw.setdefault(s.table, []).append(s)


def _stage_folder(db, path: Path, out: Collector, workdir: Path, max_bytes, progress):
    got = _Gathered()
    for f, layouts in _folder_files(path, out):
        size = f.stat().st_size
        if max_bytes is not None and size > max_bytes:
            out.add(layouts[0].table if len(layouts) == 1 else "dataset", None, None,
                    "file_too_large", f"文件有 {size:,} 字节，超过上限 {max_bytes:,} 字节", f.name)
            if len(layouts) == 1:
                got.given.add(layouts[0].name)  # given, though too large: not also missing
            continue
        if progress:
            progress(f"读取 {f.name}")
        if f.suffix.lower() in WORKBOOK_SUFFIXES:
            _stage_workbook(db, f, out, max_bytes, progress, got)
        elif f.suffix.lower() == ".csv":
            s = staging.stage_csv(db, f, layouts, workdir, out, progress, got.relation(layouts))
            got.add(s, layouts, out)
        else:
            s = staging.stage_parquet(db, f, layouts[0].name, out, max_bytes, progress)
            got.add(s, layouts, out)
    return got, "文件", ".csv / .parquet"


def _stage_workbook(db, path: Path, out: Collector, max_bytes, progress,
                    got: _Gathered | None = None):
    from analytics.ingest import workbook

    alone = got is None  # the workbook is the whole input: if it cannot be read, say only that
    got = got if got is not None else _Gathered()
    unreadable = set(REQUIRED_TABLES) if alone else set()
    limit = max_bytes if max_bytes is not None else DEFAULT_XLSX_UNCOMPRESSED_LIMIT
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            with zipfile.ZipFile(path) as z:
                total = sum(i.file_size for i in z.infolist())
        except Exception as error:  # noqa: BLE001 - any damage to the zip is the file's
            out.add("dataset", None, None, "file_unreadable",
                    f"不是有效的 .xlsx 工作簿（{type(error).__name__}）", path.name)
            got.given |= unreadable
            return got, "工作表", ""
        if total > limit:
            out.add("dataset", None, None, "zip_bomb",
                    f"工作簿解压后有 {total:,} 字节，超过上限 {limit:,} 字节；请拆分，或改用 CSV 文件",
                    path.name)
            got.given |= unreadable
            return got, "工作表", ""
    try:
        sheets = workbook.workbook_sheets(path)
        skipped = []
        for sheet in sheets:
            table = sheet.name.strip().lower()
            if table in TABLES:
                layouts = [contract_layout(table)]
            else:
                head = []
                for item in workbook.iter_sheet_rows(path, sheet.name):
                    head.append((item[0], ["" if v is None else str(v) for v in item[1]]))
                    if len(head) >= HEADER_SEARCH_ROWS:
                        break
                if not recognise(head):
                    skipped.append(safe_text(sheet.name) + ("（隐藏）" if not sheet.visible else ""))
                    continue
                layouts = all_layouts()
            s = staging.stage_sheet(db, path, sheet.name, layouts, out, progress,
                                    got.relation(layouts))
            got.add(s, layouts, out)
        if path.suffix.lower() in (".xls", ".ods"):
            out.notice("dataset", None, None, "xls_limits",
                       f"{path.suffix.lower()} 工作簿无法检查公式和隐藏行：公式按其结果导入；"
                       "如需检查，请另存为 .xlsx", path.name)
        if skipped:
            out.notice("dataset", None, None, "skipped_sheet",
                       f"跳过了 {len(skipped)} 个既不以数据规范中的表命名、表头也不认识的工作表："
                       f"{'、'.join(skipped)}", path.name)
    except workbook.WorkbookUnreadable as error:
        out.add("dataset", None, None, "file_unreadable", str(error), path.name)
        got.given |= unreadable
    return got, "工作表", ""


@dataclass
class DryRun:
    """What ``describe_input`` found: ``text`` (Chinese, one block per file or sheet, then
    a summary) and ``ok``: every file recognised has the fields it needs."""

    text: str
    ok: bool

    def __str__(self) -> str:
        return self.text


def _describe_header(name: str, header: Header | None, lines: list[str],
                     found: dict[str, int]) -> bool:
    """Describe one file or sheet into ``lines``; count it in ``found`` (label → files).
    False when it lacks a field it needs."""
    if header is None:
        lines.append(f"{name}：不认识（既不以数据规范中的表命名，表头也不是 data/formats/ 中的格式），将跳过")
        return True
    layout = header.layout
    what = f"表 {layout.name}（{layout.label}）" if layout.strict else layout.label
    found[what] = found.get(what, 0) + 1
    rows = "两行表头" if header.two_rows else "表头"
    lines.append(f"{name}：{what}，{rows}在第 {header.line} 行")
    for f in layout.fields:
        if f in header.mapping:
            j = header.mapping[f]
            column = layout.column(f) if layout.strict else None
            target = f"{f}（{column.label}）" if column is not None else layout.field_label(f)
            lines.append(f"    第 {j + 1} 列 {safe_text(header.names[j])} → {target}")
    if header.ignored:
        lines.append("    不读取、不保存：" + "、".join(safe_text(n) for _, n in header.ignored))
    missing = [layout.field_label(f) for f in header.missing]
    either = layout.year_from
    if either and not any(f in header.mapping for f in either):
        missing.append("、".join(layout.field_label(f) for f in either) + "（其一）")
    if missing:
        lines.append("    缺少（必需，导入会被拒绝）：" + "、".join(missing))
    absent = [f for f in layout.fields if f not in header.mapping and f not in header.missing
              and f not in either]
    if absent and not layout.strict:
        lines.append("    没有（可选，按无数据处理）：" + "、".join(
            layout.field_label(f) for f in absent))
    return not missing


def describe_input(path: str | Path) -> DryRun:
    """What ``import`` would make of ``path`` without reading its data (``--dry-run``):
    per file or sheet, the format recognised, which column feeds which field, the
    columns ignored and the fields missing, then a summary. Chinese text, no cell value
    but headers."""
    from analytics.ingest import workbook

    path = Path(path)
    lines: list[str] = []
    found: dict[str, int] = {}
    ok = True

    def one(f: Path) -> bool:
        ext = f.suffix.lower()
        table = f.stem.strip().lower()
        candidates = [contract_layout(table)] if table in TABLES else None
        if ext == ".csv":
            if f.stat().st_size == 0:
                if candidates:  # a contract table's file with no header: rejected (staging)
                    lines.append(f"{f.name}：空文件，连表头都没有，导入将被拒绝")
                    return False
                lines.append(f"{f.name}：空文件，将跳过")
                return True
            return _describe_header(f.name, recognise(
                csvfile.head_records(f, guess_encoding=True), candidates), lines, found)
        if ext == ".parquet":
            lines.append(f"{f.name}：表 {table}" if candidates else f"{f.name}：不认识，将跳过")
            return True
        if ext not in WORKBOOK_SUFFIXES:
            return True
        fine = True
        try:
            for sheet in workbook.workbook_sheets(f):
                head = []
                for line, values in workbook.iter_sheet_rows(f, sheet.name):
                    head.append((line, ["" if v is None else str(v) for v in values]))
                    if len(head) >= HEADER_SEARCH_ROWS:
                        break
                st = sheet.name.strip().lower()
                fine &= _describe_header(f"{f.name} 工作表 {safe_text(sheet.name)}",
                                         recognise(head, [contract_layout(st)] if st in TABLES
                                                   else None), lines, found)
        except workbook.WorkbookUnreadable as error:
            lines.append(f"{f.name}：无法读取（{error}）")
            return False
        return fine

    if path.is_dir():
        for f in sorted(path.iterdir()):
            if f.is_file() and not f.name.startswith("."):
                ok &= one(f)
    elif path.exists():
        ok &= one(path)
    else:
        lines.append(f"{path.name} 不存在")
        ok = False
    if found:
        lines.append("共识别：" + "，".join(f"{what} {n} 个" for what, n in found.items()))
    else:
        lines.append("没有认识的文件")
        ok = False
    return DryRun("\n".join(lines), ok)


def import_dataset(path: str | Path, db_path: str | Path, *, source: str | None = None,
                   max_bytes: int | None = None,
                   progress: Callable[[str], None] | None = None,
                   before_swap: Callable[[dict[str, int]], None] | None = None,
                   memory_limit: str | None = None) -> ImportResult:
    """Validate the dataset at ``path`` and, if every rule passes, replace ``db_path``.

    ``max_bytes`` limits each file (and a workbook's or Parquet file's uncompressed
    size; a workbook's is limited to 200 MB when it is None). ``before_swap(counts)``
    runs just before the new file is swapped in (the audit row): if it raises, nothing
    is swapped. Raises ``ImportRejected`` (every problem, nothing changed) and
    ``store.ImportInProgress`` (another import holds the database).
    """
    path = Path(path)
    out = Collector()
    if not path.exists():
        out.add("dataset", None, None, "unsupported_input", f"{path.name} 不存在", path.name)
        raise ImportRejected(out.problems)
    if path.is_file() and path.suffix.lower() not in WORKBOOK_SUFFIXES:
        out.add("dataset", None, None, "unsupported_input",
                f"{path.name} 既不是装有各表 CSV/Parquet 文件的文件夹，也不是工作簿"
                "（.xlsx、.xls）", path.name)
        raise ImportRejected(out.problems)
    if path.is_file() and max_bytes is not None and path.stat().st_size > max_bytes:
        out.add("dataset", None, None, "file_too_large",
                f"文件有 {path.stat().st_size:,} 字节，超过上限 {max_bytes:,} 字节", path.name)
        raise ImportRejected(out.problems)
    with DatasetBuilder(db_path, constraints=False, memory_limit=memory_limit) as db, \
            tempfile.TemporaryDirectory(prefix="import-", dir=db.spill,
                                        ignore_cleanup_errors=True) as work:
        if path.is_dir():
            got, where, ext = _stage_folder(db, path, out, Path(work), max_bytes, progress)
        else:
            if progress:
                progress(f"读取 {path.name}")
            got, where, ext = _stage_workbook(db, path, out, max_bytes, progress)
        as_of = national.derive(db, got.raw, got.staged, got.given, out, progress)
        staged, given = got.staged, got.given
        for table in TABLE_ORDER:
            if table not in given and not TABLES[table].required:
                out.notice(table, None, None, "optional_table_missing",
                           f"未提供 {table}（{TABLES[table].label}）：导入后将没有这张表的数据"
                           "（数据库中现有的这张表会被清空）", table)
        for table in REQUIRED_TABLES:
            if table not in given:
                out.add(table, None, None, "missing_table",
                        f"缺少必需的表 {table}（{TABLES[table].label}）：没有名为 {table}{ext} 的{where}",
                        table)
        for table in TABLE_ORDER:
            if table in staged:
                if progress:
                    progress(f"校验 {table}（{staged[table].rows:,} 行）")
                rules.check_cells(db, staged[table], out)
        if progress:
            progress("校验表间关系")
        rules.check_relations(db, staged, out)
        if out.problems:
            raise ImportRejected(sorted_problems(out.problems), out.notices)
        if progress:
            progress("写入数据")
        rules.load_tables(db, staged)
        counts = db.finish(source=source or str(path), as_of=as_of, progress=progress,
                           before_swap=before_swap)
    return ImportResult({t: n for t, n in counts.items() if t in staged}, out.notices)
