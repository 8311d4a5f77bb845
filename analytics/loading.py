"""Loading a dataset the way both the command line and the upload page do it.

``analytics.ingest.import_dataset`` validates everything and builds the new database;
the audit row is written just before the swap, so an import that cannot be audited does
not happen. Nothing changes unless every rule passes.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analytics import audit
from analytics.ingest import WORKBOOK_SUFFIXES, ImportRejected, Problem, import_dataset
from analytics.ingest.report import problem_count
from analytics.store import ImportInProgress, default_db_path

UPLOAD_SUFFIXES = (".csv", ".parquet", *WORKBOOK_SUFFIXES)


@dataclass
class LoadResult:
    """``ok``: the data was replaced and audited. Otherwise ``problems`` says why (and
    nothing changed). ``notices`` hold what was noticed either way."""

    ok: bool
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)


def load_dataset(path: str | Path, db_path: str | Path | None = None, *, actor: str = "cli",
                 role: str = "county", source: str | None = None, max_bytes: int | None = None,
                 progress: Callable[[str], None] | None = None) -> LoadResult:
    """Validate the dataset at ``path`` and, if every rule passes, replace the database.

    The attempt is recorded in the audit trail (who, what, rows or problems). A
    successful import's audit row is written before the swap: if it cannot be written,
    the data is not replaced and the result says so.
    """
    source = source or str(path)
    # what a problem about the whole load names as its file: the uploaded files' names,
    # never the private temporary folder they were written to
    shown = source.removeprefix("upload: ") if source.startswith("upload: ") else Path(str(path)).name

    def audit_before_swap(counts: dict[str, int]) -> None:
        audit.record(actor, role, "import", source, sum(counts.values()))

    try:
        result = import_dataset(path, db_path or default_db_path(), source=source,
                                max_bytes=max_bytes, progress=progress,
                                before_swap=audit_before_swap)
    except ImportRejected as rejected:
        try:
            audit.record(actor, role, "import_rejected",
                         f"{source}: {problem_count(rejected.problems)} problems")
        except Exception:  # noqa: BLE001 - the rejection itself is what the user must see
            pass
        return LoadResult(False, problems=list(rejected.problems), notices=rejected.notices)
    except ImportInProgress as busy:
        return LoadResult(False, problems=[Problem("dataset", None, None, "import_in_progress",
                                                   str(busy), shown)])
    except audit.AuditUnavailable as failed:
        return LoadResult(False, problems=[Problem("dataset", None, None, "audit_unavailable",
                                                   str(failed), shown)])
    except Exception as error:  # noqa: BLE001 - fail closed: nothing swapped, no traceback
        # (a library's message may quote the data, so only its class is named)
        return LoadResult(False, problems=[Problem(
            "dataset", None, None, "import_failed",
            f"导入中途出错（{type(error).__name__}），现有数据未改动" + (
                "；内存不足：可调高 TONGWEI_IMPORT_MEMORY（默认 2GB）"
                if "OutOfMemory" in type(error).__name__ or isinstance(error, MemoryError)
                else ""), shown)])
    return LoadResult(True, counts=result.counts, notices=result.notices)


def check_dataset(path: str | Path, *, progress: Callable[[str], None] | None = None) -> LoadResult:
    """Every rule of an import, without replacing anything (``import --dry-run``): the
    dataset is validated and built into a throwaway database in a private temporary
    folder, removed afterwards; no audit row (nothing happened). ``ok``: an import would
    load it (``counts``); otherwise ``problems``, as ``load_dataset`` gives them."""
    workdir = Path(tempfile.mkdtemp(prefix="dry-run-"))
    try:
        result = import_dataset(path, workdir / "dry-run.duckdb", source=str(path), progress=progress)
    except ImportRejected as rejected:
        return LoadResult(False, problems=list(rejected.problems), notices=rejected.notices)
    except Exception as error:  # noqa: BLE001 - said like load_dataset says it, no traceback
        return LoadResult(False, problems=[Problem(
            "dataset", None, None, "import_failed", f"试导入中途出错（{type(error).__name__}）",
            Path(str(path)).name)])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return LoadResult(True, counts=result.counts, notices=result.notices)


def load_uploaded_files(files: Iterable[tuple[str, bytes]], db_path: str | Path | None = None, *,
                        actor: str = "upload", role: str = "county",
                        max_bytes: int | None = None,
                        progress: Callable[[str], None] | None = None) -> LoadResult:
    """Load uploaded files (TABLE.csv / TABLE.parquet, or one workbook).

    The files are written to a private temporary folder (only their base names are
    kept) and loaded with ``load_dataset``; the folder is removed afterwards.
    """
    files = list(files)
    workdir = Path(tempfile.mkdtemp(prefix="upload-"))
    try:
        names = []
        for name, content in files:
            base = Path(name).name
            if not base.lower().endswith(UPLOAD_SUFFIXES):
                return LoadResult(False, problems=[Problem(
                    base, None, None, "unsupported_input",
                    "只接受 .csv、.parquet 文件，或一个工作簿（.xlsx、.xls）", base)])
            (workdir / base).write_bytes(content)
            names.append(base)
        workbooks = [n for n in names if n.lower().endswith(WORKBOOK_SUFFIXES)]
        target = workdir / workbooks[0] if len(workbooks) == 1 and len(names) == 1 else workdir
        source = "upload: " + ", ".join(sorted(names))
        return load_dataset(target, db_path, actor=actor, role=role, source=source,
                            max_bytes=max_bytes, progress=progress)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
