"""The writing side: a new database file built beside the old (schema, data, derived
tables, metadata) and swapped in whole; one writer at a time; leftovers cleaned."""

from __future__ import annotations

import glob
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from analytics.config import load_config
from analytics.contract import RANK_QUOTA, TABLE_ORDER, TABLES
from analytics.counties import county_names
from analytics.store.schema import (DEFAULT_DB, DERIVED_TABLES, SCHEMA_VERSION, Progress, _create_macros,
                                    _meta_ddl, _quote, _say, _uses_macros, owner_only, read_query,
                                    table_ddl)

if TYPE_CHECKING:  # pandas is imported by DuckDB when a query returns a frame, not here:
    import pandas as pd  # `metrics --all --json` streams JSON and never needs it


def write_dataset(
    tables: Mapping[str, pd.DataFrame],
    db_path: str | Path = DEFAULT_DB,
    *,
    source: str,
    as_of: date | None = None,
    poverty_lines: Mapping[int, float] | None = None,
    progress: Progress = None,
) -> dict[str, int]:
    """Replace the database at ``db_path`` with ``tables``, all or nothing.

    Builds a new file next to it and swaps it in; the old file stays untouched until
    the new one is complete. ``poverty_lines`` overrides the configured lines (tests).
    Returns the row count of every table written.
    """
    return write_dataset_chunks([tables], db_path, source=source, as_of=as_of,
                                poverty_lines=poverty_lines, progress=progress)


def write_dataset_chunks(
    chunks: Iterable[Mapping[str, pd.DataFrame]],
    db_path: str | Path = DEFAULT_DB,
    *,
    source: str,
    as_of: date | None = None,
    poverty_lines: Mapping[int, float] | None = None,
    constraints: bool = True,
    memory_limit: str | None = None,
    progress: Progress = None,
) -> dict[str, int]:
    """``write_dataset`` for data that does not fit in memory at once: ``chunks`` yields
    disjoint parts of the dataset (e.g. a few counties each), appended in turn.

    ``constraints=False`` leaves out the key and foreign-key indexes (NOT NULL and value
    checks stay): for a build whose rows are valid by construction and too many for the
    indexes to be worth their memory. ``memory_limit`` caps DuckDB's memory; beyond it,
    DuckDB spills to a temporary folder next to the database.
    """
    with DatasetBuilder(db_path, constraints=constraints, memory_limit=memory_limit,
                        poverty_lines=poverty_lines) as builder:
        for tables in chunks:
            for name in TABLE_ORDER:
                frame = tables.get(name)
                if frame is None:
                    continue
                _say(progress, f"loading {name} ({len(frame):,} rows)")
                builder.append_frame(name, frame)
            del tables
        return builder.finish(source=source, as_of=as_of, progress=progress)


class ImportInProgress(RuntimeError):
    """Another process is writing this database; nothing was changed."""

    def __init__(self, db_path: Path, holder: str):
        self.db_path, self.holder = db_path, holder
        super().__init__(f"另一个导入正在写入 {db_path.name}（{holder}）；请等它完成后再试。现有数据未改动。")


def _lock_path(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.lock")


class _WriterLock:
    """An exclusive lock beside the database (``.<name>.lock``, ``flock``): one writer at a
    time per database file. The kernel releases it when the process dies, so a killed
    import never blocks the next one."""

    def __init__(self, db_path: Path):
        self.path = _lock_path(db_path)
        self.file = None

    def acquire(self) -> None:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "另一个进程"
            handle.close()
            raise ImportInProgress(self.path.with_name(self.path.name[1:-5]), holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"进程 {os.getpid()}，开始于 {datetime.now().strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        self.file = handle

    def release(self) -> None:
        if self.file is not None:
            self.file.close()  # closing the descriptor releases the flock
            self.file = None


def import_memory_limit() -> str:
    """DuckDB's memory cap for a writer (import, build): $TONGWEI_IMPORT_MEMORY, else 2GB.
    Beyond it DuckDB spills to ``.<name>.spill`` beside the database."""
    return os.environ.get("TONGWEI_IMPORT_MEMORY") or "2GB"


def _build_params(sql: str) -> dict:
    """The values a build_*.sql binds: the contract's "8741" quotas (``$ranks``,
    ``$quotas``: rank i has quota i), when it names them."""
    params = {}
    if "$ranks" in sql:
        params["ranks"] = list(RANK_QUOTA)
        params["quotas"] = [int(q) for q in RANK_QUOTA.values()]
    return params


def fill_counties(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the ``counties`` table with the counties of the loaded townships (the first six
    digits of their codes), named by ``analytics.counties.county_name``."""
    codes = con.execute("SELECT DISTINCT left(township_code, 6) FROM townships").fetchall()
    con.executemany("INSERT INTO counties VALUES (?, ?)", county_names(code for (code,) in codes))


class DatasetBuilder:
    """A new database file being built beside ``db_path``, swapped in by ``finish``.

    Holds the writer lock of ``db_path`` (``ImportInProgress`` if another writer has it)
    from creation to ``finish``/``abandon``. Its connection has a memory limit and a spill
    folder; a scratch database ``staging``
    is attached in memory for the importer's staging tables (spilled to the spill folder
    beyond the limit), so they never bloat the new file.
    Used as a context manager, an exception abandons the build: the old database stays.
    The importer passes its SQL through ``execute``/``fetch``; values are bound.
    """

    def __init__(self, db_path: str | Path, *, constraints: bool = True,
                 memory_limit: str | None = None,
                 poverty_lines: Mapping[int, float] | None = None):
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self._finished = False
        self._lock = _WriterLock(self.db_path)
        self._lock.acquire()
        try:
            remove_stale_temporaries(self.db_path)
            self.tmp = self.db_path.with_name(
                f".{self.db_path.name}.{os.getpid()}.{time.time_ns()}.tmp")
            self.spill = self.db_path.with_name(f".{self.db_path.name}.spill")
            self.spill.mkdir(exist_ok=True)
            self.constraints = constraints
            self.counts: dict[str, int] = {name: 0 for name in TABLE_ORDER}
            self.con = duckdb.connect(str(self.tmp))
            limit = str(memory_limit or import_memory_limit())
            self.con.execute("SET memory_limit = ?", [limit + "GB" if limit.isdigit() else limit])
            self.con.execute("SET temp_directory = ?", [str(self.spill)])
            # in memory: beyond the limit DuckDB spills it to the spill folder too
            self.con.execute("ATTACH ':memory:' AS staging")
            self.con.execute("SET preserve_insertion_order = false")
            for name in TABLE_ORDER:
                self.con.execute(table_ddl(TABLES[name], constraints=constraints))
            for stmt in _meta_ddl():
                self.con.execute(stmt)
            lines = poverty_lines if poverty_lines is not None else load_config().poverty_line
            self.con.executemany("INSERT INTO poverty_lines VALUES (?, ?)", sorted(lines.items()))
        except BaseException:
            self.abandon()
            raise

    def __enter__(self) -> "DatasetBuilder":
        return self

    def __exit__(self, kind, value, tb) -> None:
        if kind is not None or not self._finished:  # an error, or left without finish()
            self.abandon()

    def execute(self, sql: str, params=None) -> None:
        """Run a statement of the importer (values bound as ``params``)."""
        self.con.execute(sql, params)

    def execute_unoptimized(self, sql: str) -> None:
        """Run ``sql`` with DuckDB's optimizer off: for a projection of one table (no join,
        no filter — the importer's cell checks), where planning its long CASE expressions
        costs more than running them on a county's rows (a 10-row table: 0.13 s of the
        import's 0.63 s CPU; at scale 10 +3 % CPU, about the runs' spread:
        ``bench/results/import_optimizer_ab``)."""
        self.con.execute("SET enable_optimizer = false")
        try:
            self.con.execute(sql)
        finally:
            self.con.execute("RESET enable_optimizer")

    def fetch(self, sql: str, params=None) -> list[tuple]:
        """Rows of a query of the importer (values bound as ``params``)."""
        return self.con.execute(sql, params).fetchall()

    def register(self, name: str, data) -> None:
        """Make an Arrow table (or frame) visible to SQL as ``name`` until unregistered."""
        self.con.register(name, data)

    def unregister(self, name: str) -> None:
        self.con.unregister(name)

    def append_frame(self, name: str, frame: pd.DataFrame) -> None:
        """Append a typed frame of contract table ``name`` (the demo generator's path)."""
        cols = ", ".join(map(_quote, TABLES[name].column_names))
        self.con.register("incoming", frame)
        self.con.execute(f"INSERT INTO {_quote(name)} ({cols}) SELECT {cols} FROM incoming")
        self.con.unregister("incoming")
        self.counts[name] += len(frame)

    def finish(self, *, source: str, as_of: date | None = None, progress: Progress = None,
               before_swap: Callable[[dict[str, int]], None] | None = None) -> dict[str, int]:
        """Build the derived tables, write the metadata, and swap the file in.

        ``before_swap(counts)`` runs last, before the swap (the audit row): if it raises,
        nothing is swapped and the old database stays. Returns the row counts.
        """
        try:
            self.con.execute("SET preserve_insertion_order = false")
            for name in TABLE_ORDER:
                self.counts[name] = self.con.execute(
                    f"SELECT count(*) FROM {_quote(name)}").fetchall()[0][0]
            self.con.execute("DETACH staging")
            fill_counties(self.con)
            macros = False
            for name in DERIVED_TABLES:
                _say(progress, f"计算 {name}")
                sql = read_query(f"build_{name}")
                if _uses_macros(sql) and not macros:
                    _create_macros(self.con)
                    macros = True
                params = _build_params(sql)
                self.con.execute(sql, params) if params else self.con.execute(sql)
            loaded_at = datetime.now(timezone.utc).replace(microsecond=0)
            years = self.con.execute("SELECT min(year), max(year) FROM household_years").fetchall()[0]
            meta = {
                "schema_version": str(SCHEMA_VERSION),
                "source": source,
                "loaded_at": loaded_at.isoformat(),
                # the data's own date: given, else the end of its last panel year (never
                # the day it was loaded, so a re-import keeps it)
                "as_of": (as_of or date(int(years[1]), 12, 31)).isoformat(),
                "first_year": str(years[0]),
                "last_year": str(years[1]),
                "row_counts": json.dumps(self.counts),
                "constraints": "enforced" if self.constraints else "validated before load",
            }
            self.con.executemany("INSERT INTO dataset_meta VALUES (?, ?)", list(meta.items()))
            _say(progress, "写入磁盘")
            self.con.execute("CHECKPOINT")
            self.con.close()
            if before_swap is not None:
                before_swap(dict(self.counts))
            owner_only(self.tmp)
            os.replace(self.tmp, self.db_path)
            _say(progress, f"已替换 {self.db_path}")
        except BaseException:
            self.abandon()
            raise
        self._finished = True
        self._cleanup()
        return dict(self.counts)

    def _cleanup(self) -> None:
        shutil.rmtree(self.spill, ignore_errors=True)
        self._lock.release()

    def abandon(self) -> None:
        """Drop the new file and the staging data; the old database stays as it was.
        Safe to call more than once."""
        con = getattr(self, "con", None)
        if con is not None:
            try:
                con.close()
            except duckdb.Error:
                pass
        tmp = getattr(self, "tmp", None)
        if tmp is not None:
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                leftover.unlink(missing_ok=True)
        if getattr(self, "spill", None) is not None:
            self._cleanup()
        else:
            self._lock.release()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(db_path: Path) -> list[Path]:
    """Remove what a killed writer left beside ``db_path``: its half-built
    ``.<name>.<pid>.<ns>.tmp`` (and .wal) whose process is gone, and an unused spill folder."""
    removed = []
    for leftover in db_path.parent.glob(f".{glob.escape(db_path.name)}.*.tmp*"):
        parts = leftover.name[len(db_path.name) + 2:].split(".")
        if not parts[0].isdigit():
            continue
        pid = int(parts[0])
        if pid != os.getpid() and not _pid_alive(pid):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    spill = db_path.with_name(f".{db_path.name}.spill")
    if spill.is_dir() and not any(
            p for p in db_path.parent.glob(f".{glob.escape(db_path.name)}.*.tmp")):
        shutil.rmtree(spill, ignore_errors=True)
        removed.append(spill)
    return removed
