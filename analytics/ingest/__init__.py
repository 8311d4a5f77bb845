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
from analytics.ingest import rules, staging
from analytics.ingest.report import (
    MAX_PROBLEMS_PER_RULE,
    Collector,
    ImportRejected,
    Problem,
    safe_text,
    sorted_problems,
    write_problems_report,
)
from analytics.ingest.rules import RULES, Staged
from analytics.store import DatasetBuilder

__all__ = ["import_dataset", "ImportResult", "ImportRejected", "Problem", "RULES",
           "MAX_PROBLEMS_PER_RULE", "write_problems_report", "WORKBOOK_SUFFIXES"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: Limit on a workbook's uncompressed size when no ``max_bytes`` is given.
DEFAULT_XLSX_UNCOMPRESSED_LIMIT = 200 * 1024 * 1024


@dataclass
class ImportResult:
    """A successful import: rows per table, and the notices (nothing that rejects)."""

    counts: dict[str, int]
    notices: list[Problem] = field(default_factory=list)


def _folder_files(path: Path, out: Collector) -> dict[str, Path]:
    found: dict[str, Path] = {}
    skipped = []
    for f in sorted(path.iterdir()):
        if not f.is_file() or f.name.startswith("."):
            continue
        ext = f.suffix.lower()
        if ext in WORKBOOK_SUFFIXES:
            out.add("dataset", None, None, "unsupported_input",
                    f"{f.name}：工作簿要单独导入，请给出它的路径，而不是文件夹", f.name)
            continue
        if ext not in (".csv", ".parquet"):
            continue
        table = f.stem.strip().lower()
        if table not in TABLES:
            skipped.append(safe_text(f.name))
            continue
        if table in found:
            out.add(table, None, None, "duplicate_source",
                    f"表 {table} 同时由 {found[table].name} 和 {f.name} 提供；请只保留一个", f.name)
            continue
        found[table] = f
    if skipped:
        out.notice("dataset", None, None, "unknown_table",
                   f"跳过了 {len(skipped)} 个不以数据规范中的表命名的文件：{'、'.join(skipped)}"
                   f"（表名：{'、'.join(TABLE_ORDER)}）", path.name)
    return found


def _stage_folder(db, path: Path, out: Collector, workdir: Path, max_bytes, progress):
    staged: dict[str, Staged] = {}
    given: set[str] = set()
    for table, f in _folder_files(path, out).items():
        given.add(table)
        size = f.stat().st_size
        if max_bytes is not None and size > max_bytes:
            out.add(table, None, None, "file_too_large",
                    f"文件有 {size:,} 字节，超过上限 {max_bytes:,} 字节", f.name)
            continue
        if progress:
            progress(f"读取 {f.name}")
        if f.suffix.lower() == ".csv":
            s = staging.stage_csv(db, f, table, workdir, out, progress)
        else:
            s = staging.stage_parquet(db, f, table, out, max_bytes, progress)
        if s is not None:
            staged[table] = s
        elif not TABLES[table].required and not any(p.table == table for p in out.problems):
            given.discard(table)  # an empty optional table is as good as none
    return staged, given, "文件", ".csv / .parquet"


def _stage_workbook(db, path: Path, out: Collector, max_bytes, progress):
    from analytics.ingest import workbook

    limit = max_bytes if max_bytes is not None else DEFAULT_XLSX_UNCOMPRESSED_LIMIT
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            with zipfile.ZipFile(path) as z:
                total = sum(i.file_size for i in z.infolist())
        except Exception as error:  # noqa: BLE001 - any damage to the zip is the file's
            out.add("dataset", None, None, "file_unreadable",
                    f"不是有效的 .xlsx 工作簿（{type(error).__name__}）", path.name)
            return {}, set(REQUIRED_TABLES), "工作表", ""
        if total > limit:
            out.add("dataset", None, None, "zip_bomb",
                    f"工作簿解压后有 {total:,} 字节，超过上限 {limit:,} 字节；请拆分，或改用 CSV 文件",
                    path.name)
            return {}, set(REQUIRED_TABLES), "工作表", ""
    staged: dict[str, Staged] = {}
    given: set[str] = set()
    try:
        sheets = workbook.workbook_sheets(path)
        skipped = []
        for sheet in sheets:
            table = sheet.name.strip().lower()
            if table not in TABLES:
                skipped.append(safe_text(sheet.name) + ("（隐藏）" if not sheet.visible else ""))
                continue
            if table in given:
                out.add(table, None, None, "duplicate_source",
                        f"表 {table} 有两个工作表；请只保留一个", f"{path.name} 工作表 {sheet.name}")
                continue
            given.add(table)
            s = staging.stage_sheet(db, path, sheet.name, table, out, progress)
            if s is not None:
                staged[table] = s
            elif not TABLES[table].required and not any(p.table == table for p in out.problems):
                given.discard(table)
        if path.suffix.lower() in (".xls", ".ods"):
            out.notice("dataset", None, None, "xls_limits",
                       f"{path.suffix.lower()} 工作簿无法检查公式和隐藏行：公式按其结果导入；"
                       "如需检查，请另存为 .xlsx", path.name)
        if skipped:
            out.notice("dataset", None, None, "skipped_sheet",
                       f"跳过了 {len(skipped)} 个不以数据规范中的表命名的工作表：{'、'.join(skipped)}",
                       path.name)
    except workbook.WorkbookUnreadable as error:
        out.add("dataset", None, None, "file_unreadable", str(error), path.name)
        return {}, set(REQUIRED_TABLES), "工作表", ""
    return staged, given, "工作表", ""


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
            staged, given, where, ext = _stage_folder(db, path, out, Path(work), max_bytes,
                                                      progress)
        else:
            if progress:
                progress(f"读取 {path.name}")
            staged, given, where, ext = _stage_workbook(db, path, out, max_bytes, progress)
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
        counts = db.finish(source=source or str(path), progress=progress, before_swap=before_swap)
    return ImportResult({t: n for t, n in counts.items() if t in staged}, out.notices)
