"""Loading a dataset the way both the command line and the upload page do it.

validate everything (analytics.ingest) → write a new database and swap it in
(analytics.store). Nothing changes unless every rule passes.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analytics import audit
from analytics.ingest import ImportRejected, Problem, read_dataset
from analytics.store import default_db_path, write_dataset

UPLOAD_SUFFIXES = (".csv", ".parquet", ".xlsx")


@dataclass
class LoadResult:
    ok: bool
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def load_dataset(path: str | Path, db_path: str | Path | None = None, *, actor: str = "cli",
                 role: str = "county", source: str | None = None, max_bytes: int | None = None,
                 progress: Callable[[str], None] | None = None) -> LoadResult:
    """Validate the dataset at ``path`` and, if every rule passes, replace the database.

    Either way the attempt is recorded in the audit trail (who, what, rows or problems).
    """
    source = source or str(path)
    try:
        tables = read_dataset(path, progress=progress, max_bytes=max_bytes)
    except ImportRejected as rejected:
        audit.record(actor, role, "import_rejected", f"{source}: {len(rejected.problems)} problems")
        return LoadResult(False, problems=list(rejected.problems))
    counts = write_dataset(tables, db_path or default_db_path(), source=source, progress=progress)
    audit.record(actor, role, "import", source, sum(counts.values()))
    return LoadResult(True, counts=counts)


def load_uploaded_files(files: Iterable[tuple[str, bytes]], db_path: str | Path | None = None, *,
                        actor: str = "upload", role: str = "county",
                        max_bytes: int | None = None,
                        progress: Callable[[str], None] | None = None) -> LoadResult:
    """Load uploaded files (TABLE.csv / TABLE.parquet, or one workbook .xlsx).

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
                return LoadResult(False, problems=[Problem(base, None, None, "unsupported_input",
                                  "只接受 .csv、.parquet 或 .xlsx 文件")])
            (workdir / base).write_bytes(content)
            names.append(base)
        workbooks = [n for n in names if n.lower().endswith(".xlsx")]
        target = workdir / workbooks[0] if len(workbooks) == 1 and len(names) == 1 else workdir
        source = "upload: " + ", ".join(sorted(names))
        return load_dataset(target, db_path, actor=actor, role=role, source=source,
                            max_bytes=max_bytes, progress=progress)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
