"""The store: the one place that opens DuckDB and runs SQL.

A database file is never modified in place. ``write_dataset`` builds a complete new
file beside it (schema from the contract, the data, the derived tables every page
reads) and swaps it in with ``os.replace``, so a reader sees either the old data or
the new, never half of either. A killed writer leaves only a stray temporary file.

Readers open the file read-only through ``Store``, which reopens it when the file
on disk has been replaced. Every query is a file in ``analytics/queries/`` named
after its result; values are always bound as parameters.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from analytics.config import DATA_DIR, load_config
from analytics.contract import TABLE_ORDER, TABLES, Table

if TYPE_CHECKING:  # pandas is imported by DuckDB when a query returns a frame, not here:
    import pandas as pd  # `metrics --all --json` streams JSON and never needs it


def default_db_path() -> Path:
    """The app's database: $TONGWEI_DB if set, else data/tongwei.duckdb."""
    return Path(os.environ.get("TONGWEI_DB", DATA_DIR / "tongwei.duckdb"))


DEFAULT_DB = default_db_path()
QUERY_DIR = Path(__file__).resolve().parent / "queries"
# Derived tables, rebuilt with every load, in build order.
# (Macros are created before the first that calls one: a table macro needs its tables.)
DERIVED_TABLES = ("household_facts", "household_risk_factors", "figures",
                  "village_year_households", "village_year_measures")
# 2: household_risk_factors; household_facts.prev_wage_income
# 3: village_support (contract extension); village_year_households, village_year_measures
SCHEMA_VERSION = 3

Progress = Callable[[str], None] | None


def _say(progress: Progress, message: str) -> None:
    if progress is not None:
        progress(message)


def read_query(name: str) -> str:
    """The SQL text of ``queries/<name>.sql`` (names come from code, never from users)."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad query name {name!r}")
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _quote(identifier: str) -> str:
    """Quote an identifier that comes from the contract (an allow-list), never from input."""
    if not identifier.replace("_", "").isalnum():
        raise ValueError(f"bad identifier {identifier!r}")
    return f'"{identifier}"'


def table_ddl(table: Table, constraints: bool = True) -> str:
    """CREATE TABLE for a contract table: types, NOT NULL, enum and range checks, and
    (unless ``constraints`` is False) the primary, unique and foreign keys."""
    lines = []
    for c in table.columns:
        parts = [_quote(c.name), c.sql_type]
        if not c.nullable:
            parts.append("NOT NULL")
        if c.choices:
            allowed = ", ".join("'" + v.replace("'", "''") + "'" for v in c.choices)
            parts.append(f"CHECK ({_quote(c.name)} IN ({allowed}))")
        if c.minimum is not None:
            parts.append(f"CHECK ({_quote(c.name)} >= {float(c.minimum)!r})")
        if c.maximum is not None:
            parts.append(f"CHECK ({_quote(c.name)} <= {float(c.maximum)!r})")
        if c.kind == "code" and c.digits:
            parts.append(f"CHECK (length({_quote(c.name)}) = {int(c.digits)})")
        if c.kind == "id_number":
            parts.append(f"CHECK (length({_quote(c.name)}) = 18)")
        lines.append(" ".join(parts))
    if not constraints:
        return f"CREATE TABLE {_quote(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"
    lines.append("PRIMARY KEY (" + ", ".join(map(_quote, table.primary_key)) + ")")
    for u in table.unique:
        lines.append(f"UNIQUE ({_quote(u)})")
    for fk in table.foreign_keys:
        # cadre_id refers to cadres only when that optional table is given; the
        # importer checks it then, so it is not a schema constraint.
        if not TABLES[fk.table].required:
            continue
        lines.append(
            "FOREIGN KEY (" + ", ".join(map(_quote, fk.columns)) + ") REFERENCES "
            + _quote(fk.table) + " (" + ", ".join(map(_quote, fk.ref_columns)) + ")"
        )
    return f"CREATE TABLE {_quote(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"


def _meta_ddl() -> list[str]:
    return [
        "CREATE TABLE dataset_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        "CREATE TABLE poverty_lines (year INTEGER PRIMARY KEY, poverty_line DOUBLE NOT NULL)",
    ]


def _macro_names() -> tuple[str, ...]:
    """The names of the macros of queries/macros.sql."""
    return tuple(re.findall(r"MACRO\s+(\w+)\s*\(", read_query("macros")))


@lru_cache(maxsize=256)  # on every query's path; the texts are the few query files
def _uses_macros(sql: str) -> bool:
    """Whether ``sql`` calls one of the macros of queries/macros.sql."""
    return any(re.search(rf"\b{name}\s*\(", sql) for name in MACRO_NAMES)


def _create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The macros of queries/macros.sql as temporary macros of this connection or
    cursor (nothing is stored in the file, so a database written by any version reads)."""
    for statement in read_query("macros").split(";"):
        if statement.strip():
            con.execute(statement)


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
            for name in DERIVED_TABLES:
                _say(progress, f"计算 {name}")
                sql = read_query(f"build_{name}")
                if _uses_macros(sql):
                    _create_macros(self.con)
                self.con.execute(sql)
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


def _sql_path(path: Path) -> str:
    """A file path as a SQL string literal body (paths come from our own code)."""
    return str(path).replace("'", "''")


def _connect_with_retry(path: Path, read_only: bool, attempts: int = 50):
    """Open a small shared file that another process may hold for a moment."""
    for attempt in range(attempts):
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)
    raise RuntimeError("unreachable")


_AUDIT_LOCK = threading.Lock()
AUDIT_WAIT_S = 10.0


def append_audit(path: Path, row: tuple) -> None:
    """Append one row (logged_at, actor, role, action, detail, rows) to the audit file."""
    _write_audit_file(path, "audit_insert", list(row))


def revoke_session(path: Path, sid: str, expires_at: datetime) -> None:
    """Record in the audit file that the signed session ``sid`` (analytics/sessions.py)
    was ended: its cookie no longer signs anyone in, in any process."""
    _write_audit_file(path, "session_revoke", [sid, datetime.now(timezone.utc).replace(tzinfo=None),
                                               expires_at])


def session_revoked(path: Path, sid: str) -> bool:
    """Whether ``sid`` was revoked (False when there is no audit file yet)."""
    if not path.exists():
        return False

    def read(con):
        try:
            return bool(con.execute(read_query("session_revoked"), {"sid": sid}).fetchone()[0])
        except duckdb.CatalogException:  # an audit file from before sessions were revocable
            return False

    return _read_audit_file(path, read)


def _write_audit_file(path: Path, query: str, params: list) -> None:
    """Run ``queries/<query>.sql`` with ``params`` on the audit file, creating its tables
    (``_audit_file``); the file is owner-only."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(con):
        con.execute(read_query("audit_schema"))
        con.execute(read_query(query), params)

    _audit_file(path, write, read_only=False)
    if path.stat().st_mode & 0o777 != OWNER_ONLY:
        owner_only(path)


def _read_audit_file(path: Path, read: Callable):
    """``read(connection)`` on the audit file, read-only (``_audit_file``)."""
    return _audit_file(path, read, read_only=True)


def _audit_file(path: Path, use: Callable, *, read_only: bool):
    """``use(connection)`` on the audit file. Serialised within the process (DuckDB also
    refuses a read-only connection to a file the process has open for writing) and
    retried, on any DuckDB error but a missing table (another process holding the file
    raises IOException, ResourceInUse, Transaction or Connection errors), for up to
    AUDIT_WAIT_S seconds; then the last error is raised."""
    deadline = time.monotonic() + AUDIT_WAIT_S
    delay = 0.02
    with _AUDIT_LOCK:
        while True:
            try:
                con = duckdb.connect(str(path), read_only=read_only)
                try:
                    return use(con)
                finally:
                    con.close()
            except duckdb.CatalogException:
                raise
            except duckdb.Error:
                if time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)


def read_audit(path: Path, limit: int) -> pd.DataFrame:
    """The latest rows of the audit file, newest first."""
    return _read_audit_file(path, lambda con: con.execute(read_query("audit_log"),
                                                          {"limit": limit}).df())


OWNER_ONLY = 0o600  # the database, the audit file and exports: personal data


def owner_only(path: str | Path) -> None:
    """Make ``path`` readable and writable by its owner only (it holds personal data)."""
    os.chmod(path, OWNER_ONLY)


def _masked_sql(column) -> str:
    """SQL masking a personal column (``contract.Column``) as ``contract.mask_name`` /
    ``mask_id_number`` do in Python (张三 → 张*, 6211**********1234); a cause → ＊."""
    c = _quote(column.name)
    if column.kind == "id_number":
        return (f"CASE WHEN {c} IS NULL OR {c} = '' THEN {c} WHEN length({c}) <= 8 "
                f"THEN repeat('*', length({c})) ELSE left({c}, 4) || repeat('*', length({c}) - 8) "
                f"|| right({c}, 4) END AS {c}")
    if column.kind == "text":
        return (f"CASE WHEN {c} IS NULL OR {c} = '' THEN {c} "
                f"ELSE left({c}, 1) || repeat('*', greatest(length({c}) - 1, 1)) END AS {c}")
    return f"CASE WHEN {c} IS NULL THEN NULL ELSE '＊' END AS {c}"


def _copy_tables(con, out_dir: str | Path, fmt: str, masked: bool = False) -> dict[str, int]:
    if fmt not in ("csv", "parquet"):
        raise ValueError("fmt must be csv or parquet")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in TABLE_ORDER:
        n = con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchall()[0][0]
        if n == 0 and not TABLES[name].required:
            continue
        target = out / f"{name}.{fmt}"
        options = "(FORMAT csv, HEADER true)" if fmt == "csv" else "(FORMAT parquet)"
        order = ", ".join(map(_quote, TABLES[name].primary_key))
        cols = ", ".join(_masked_sql(c) if masked and c.personal else _quote(c.name)
                         for c in TABLES[name].columns)
        con.execute(
            f"COPY (SELECT {cols} FROM {_quote(name)} ORDER BY {order}) TO ? {options}"
            .replace("?", "'" + str(target).replace("'", "''") + "'")
        )
        owner_only(target)
        counts[name] = n
    return counts


def export_dataset(db_path: str | Path, out_dir: str | Path, fmt: str = "csv", *,
                   masked: bool = False) -> dict[str, int]:
    """Write every contract table of the database to ``out_dir`` as TABLE.csv or TABLE.parquet,
    each file owner-only (0600).

    CSV is UTF-8 with a header row; codes and IDs stay text. Empty optional tables
    are not written. ``masked``: the contract's personal columns masked (names 张*, ID
    numbers 6211**********1234, causes ＊); such files cannot be imported again.
    Returns the row counts written. Raises ``OutdatedDatabase`` for a database built by an
    older version (a table of the contract may be missing from it).
    """
    store = Store(db_path)
    try:
        store.verify()
    finally:
        store.close()
    with duckdb.connect(str(db_path), read_only=True) as con:
        return _copy_tables(con, out_dir, fmt, masked)


MACRO_NAMES = _macro_names()
# DuckDB's memory for a reader (buffer pool and query memory; beyond it, it spills to
# a temporary folder next to the database). Without a cap DuckDB takes up to 80 % of
# the machine and keeps the pages it has read.
READER_MEMORY_LIMIT = "1GB"


def reader_memory_limit() -> str:
    """The memory cap of a reader's connection: $TONGWEI_DB_MEMORY, else READER_MEMORY_LIMIT."""
    return os.environ.get("TONGWEI_DB_MEMORY") or READER_MEMORY_LIMIT

# Queries that carry nothing township-specific and may run for any viewer.
UNSCOPED_QUERIES = frozenset({"dataset_meta"})


class OutdatedDatabase(RuntimeError):
    """The file was written by another version of the store: its derived tables differ."""

    def __init__(self, path: Path, found: str | None, source: str | None = None):
        self.path, self.found, self.source = path, found, source
        super().__init__(
            f"{path} was written with schema version {found or '?'}; this version reads "
            f"{SCHEMA_VERSION}. Build it again: `python -m analytics build-demo` for the demo, "
            f"or `python -m analytics import PATH` with the data last imported.")


class UnreadableDatabase(RuntimeError):
    """The database file cannot be read at all (damaged, cut short, not a DuckDB file):
    ``reason`` says which, in Chinese; the message says what to do."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = path, reason
        super().__init__(
            f"数据库文件 {path} 无法读取：{reason}。现有数据没有被改动。请从备份恢复这个文件，"
            f"或重新导入数据（`python -m analytics import 数据目录 --db {path}`；演示数据可用 "
            f"`python -m analytics build-demo --db {path}` 重新生成）。")


def _unreadable_reason(error: Exception) -> str:
    """What a DuckDB error opening a file means, in words (no data values in it)."""
    text = str(error)
    if "not a valid DuckDB database file" in text:
        return "它不是有效的 DuckDB 数据库文件（已损坏，或被别的文件覆盖）"
    if "Could not read enough bytes" in text or "truncated" in text.lower():
        return "文件不完整（复制或写入时可能中断）"
    if "checksum" in text.lower() or "Corrupt" in text:
        return "文件内容已损坏（校验不符）"
    if "Permission denied" in text:
        return "没有读取这个文件的权限"
    return f"读取时出错（{type(error).__name__}）"


class Store:
    """A read-only view of the database file, reopened when the file is replaced.

    Thread-safe for Streamlit: the connection is shared, each query runs on its own
    cursor. ``generation`` changes whenever new data has been swapped in, so callers
    can key caches on it.
    """

    def __init__(self, db_path: str | Path = DEFAULT_DB, *, memory_limit: str | None = None):
        self.path = Path(db_path)
        self.memory_limit = memory_limit or reader_memory_limit()
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int, int] | None = None
        self.queries_run = 0

    def _file_identity(self) -> tuple[int, int, int]:
        st = os.stat(self.path)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def exists(self) -> bool:
        return self.path.exists()

    @property
    def generation(self) -> str:
        """A token that changes when the database file is replaced."""
        return "-".join(map(str, self._file_identity())) if self.exists() else "none"

    def _connection(self) -> duckdb.DuckDBPyConnection:
        identity = self._file_identity()
        with self._lock:
            if self._con is None or identity != self._identity:
                if self._con is not None:
                    self._con.close()
                try:
                    self._con = duckdb.connect(str(self.path), read_only=True)
                    # SET, not a connect-time config: other connections to the file in
                    # this process (which share its DuckDB instance) may then open it as usual
                    self._con.execute("SET memory_limit = ?", [self.memory_limit])
                    self._identity = identity
                    self._check_schema()
                except (duckdb.IOException, duckdb.SerializationException,
                        duckdb.InternalException, duckdb.InvalidInputException) as error:
                    if self._con is not None:
                        self._con.close()
                    self._con = None
                    raise UnreadableDatabase(self.path, _unreadable_reason(error)) from error
            return self._con

    def _check_schema(self) -> None:
        """Refuse a file of another schema version with a clear error, not a missing table."""
        try:
            rows = self._con.execute(read_query("dataset_meta")).fetchall()
        except duckdb.CatalogException:
            rows = []
        meta = dict(rows)
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            self._con.close()
            self._con = None
            raise OutdatedDatabase(self.path, meta.get("schema_version"), meta.get("source"))

    def verify(self) -> None:
        """Open the file now (or reopen it if it was replaced); raises OutdatedDatabase
        for a file of another schema version, UnreadableDatabase for one that cannot be
        read. Cheap once open: a stat of the file."""
        self._connection()

    def query(self, name: str, *, allowed: tuple[str, ...] = (), **params) -> pd.DataFrame:
        """Run ``queries/<name>.sql`` with ``params`` bound, as a DataFrame.

        ``allowed``: the townships the viewer may see (empty = all). A query that can be
        restricted has a ``$allowed`` filter in its SQL and gets the list bound; a query
        without one may only run unrestricted (``UNSCOPED_QUERIES`` excepted), so a
        restricted viewer can never reach rows outside their townships.
        """
        sql = read_query(name)
        if "$allowed" in sql:
            params["allowed"] = list(allowed)
        elif allowed and name not in UNSCOPED_QUERIES:
            raise PermissionError(f"query {name} has no township scope")
        cursor = self._connection().cursor()
        try:
            if _uses_macros(sql):
                _create_macros(cursor)  # temporary macros live per cursor
            self.queries_run += 1
            return cursor.execute(sql, params or None).df()
        finally:
            cursor.close()

    def copy_query(self, name: str, target: str, fmt: str = "json", **variables) -> None:
        """Write the result of ``queries/<name>.sql`` to ``target`` (a file path, or
        /dev/stdout) with DuckDB's own writer; values reach the query as session
        variables (getvariable), bound, never spliced. Unrestricted viewers only."""
        if fmt not in ("json", "csv", "parquet"):
            raise ValueError(fmt)
        sql = read_query(name).strip().rstrip(";")
        cursor = self._connection().cursor()
        try:
            for key, value in variables.items():
                if not key.isidentifier():
                    raise ValueError(key)
                cursor.execute(f"SET VARIABLE {key} = ?", [value])
            self.queries_run += 1
            cursor.execute(f"COPY ({sql}) TO '{_sql_path(Path(target))}' (FORMAT {fmt})")
        finally:
            cursor.close()

    def export_tables(self, out_dir: str | Path, fmt: str = "csv") -> dict[str, int]:
        """``export_dataset`` through this store's own connection (the app must not open
        the file a second time). The whole dataset, personal data included: callers check
        the viewer's role first."""
        cursor = self._connection().cursor()
        try:
            self.queries_run += 1
            return _copy_tables(cursor, out_dir, fmt)
        finally:
            cursor.close()

    def scoped(self, allowed: tuple[str, ...]) -> "ScopedStore":
        """This store as seen by a viewer restricted to ``allowed`` townships."""
        return ScopedStore(self, tuple(allowed))

    def meta(self) -> dict[str, str]:
        frame = self.query("dataset_meta")
        return dict(zip(frame["key"], frame["value"]))

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


class ScopedStore:
    """A Store restricted to some townships: every query runs with ``allowed`` bound."""

    def __init__(self, store: Store, allowed: tuple[str, ...]):
        self.store = store
        self.allowed = allowed

    @property
    def generation(self) -> str:
        return self.store.generation

    @property
    def queries_run(self) -> int:
        return self.store.queries_run

    def query(self, name: str, **params) -> pd.DataFrame:
        return self.store.query(name, allowed=self.allowed, **params)

    def meta(self) -> dict[str, str]:
        frame = self.query("dataset_meta")
        return dict(zip(frame["key"], frame["value"]))
