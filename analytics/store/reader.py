"""The reading gateway: ``Store.query(name, **params)`` runs ``queries/<name>.sql`` with
its values bound, read-only, restricted to the viewer's townships (``ScopedStore``), and
reopens the file when an import has swapped it."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from analytics.store.export import _copy_tables
from analytics.store.schema import (DEFAULT_DB, SCHEMA_VERSION, _create_macros, sql_path,
                                    read_query)


if TYPE_CHECKING:  # pandas is imported by DuckDB when a query returns a frame, not here:
    import pandas as pd  # `metrics --all --json` streams JSON and never needs it


# DuckDB's memory for a reader (buffer pool and query memory; beyond it, it spills to
# a temporary folder next to the database). Without a cap DuckDB takes up to 80 % of
# the machine and keeps the pages it has read.
READER_MEMORY_LIMIT = "1GB"


def reader_memory_limit() -> str:
    """The memory cap of a reader's connection: $TONGWEI_DB_MEMORY, else READER_MEMORY_LIMIT."""
    return os.environ.get("TONGWEI_DB_MEMORY") or READER_MEMORY_LIMIT

#: Cursors kept ready with the macros of queries/macros.sql (``Store._borrow``): creating
#: them costs ~10 ms a cursor, more than most queries; as many as queries run at once.
SPARE_CURSORS = 8

# Queries that carry nothing township-specific and may run for any viewer.
UNSCOPED_QUERIES = frozenset({"dataset_meta"})


class OutdatedDatabase(RuntimeError):
    """The file was written by another version of the store: its derived tables differ."""

    def __init__(self, path: Path, found: str | None, source: str | None = None):
        self.path, self.found, self.source = path, found, source
        super().__init__(
            f"数据库文件 {path} 由{self.writer()}生成（数据库版本 {found or '?'}，本版本读取版本 "
            f"{SCHEMA_VERSION}），现有数据没有被改动，但需要"
            + ("用生成它的程序版本读取，或用本版本重新生成：" if self.newer else "重新生成：")
            + f"{self.remedy()}。")

    @property
    def newer(self) -> bool:
        """True when the file was written by a later version of the program than this one
        (its schema version is higher): rebuilding it loses nothing but the newer tables."""
        return (self.found or "").isdigit() and int(self.found) > SCHEMA_VERSION

    def writer(self) -> str:
        """Who wrote the file, in Chinese: 较新版本的程序 or 旧版本."""
        return "较新版本的程序" if self.newer else "旧版本"

    def remedy(self) -> str:
        """What rebuilds the file, in Chinese: the import of the data last loaded (its
        source as recorded, when it was a folder or file) or the demo, always with --db."""
        last = (self.source or "").removeprefix("import ").strip()
        if self.source and self.source.startswith("demo"):
            return f"`python -m analytics build-demo --db {self.path}`"
        folder = last if last and not last.startswith(("upload", "demo", "hand")) else "数据目录"
        return (f"`python -m analytics import {folder} --db {self.path}`（导入上次导入的数据；"
                f"演示数据用 `python -m analytics build-demo --db {self.path}`）")


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

    Thread-safe for Streamlit: the connection is shared, each query runs on a cursor of
    its own at a time (one with the macros is borrowed from a few kept ready, ``_borrow``).
    ``generation`` changes whenever new data has been swapped in, so callers
    can key caches on it.
    """

    def __init__(self, db_path: str | Path = DEFAULT_DB, *, memory_limit: str | None = None):
        self.path = Path(db_path)
        self.memory_limit = memory_limit or reader_memory_limit()
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int, int] | None = None
        self._spare: list[duckdb.DuckDBPyConnection] = []  # cursors of _con, macros created
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
                self._close_spares()
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
        con = self._connection()
        cursor = self._borrow(con)  # one with the macros, whether this query calls them or not
        try:
            self.queries_run += 1
            frame = cursor.execute(sql, params or None).df()
        except BaseException:
            cursor.close()  # a cursor whose query failed is not lent again
            raise
        self._give_back(con, cursor)
        return frame

    def _borrow(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """A cursor of ``con`` with the macros of queries/macros.sql (temporary macros live
        per cursor): a spare one, else a new one. Only one thread uses it until
        ``_give_back``."""
        with self._lock:
            if self._spare and con is self._con:
                return self._spare.pop()
        cursor = con.cursor()
        try:
            _create_macros(cursor)
        except BaseException:
            cursor.close()
            raise
        return cursor

    def _give_back(self, con: duckdb.DuckDBPyConnection, cursor: duckdb.DuckDBPyConnection) -> None:
        """Keep ``cursor`` for the next query, unless the file was reopened since it was
        lent (its connection is then closed: a cursor keeps the old file open) or
        ``SPARE_CURSORS`` are kept already."""
        with self._lock:
            if con is self._con and len(self._spare) < SPARE_CURSORS:
                self._spare.append(cursor)
                return
        cursor.close()

    def _close_spares(self) -> None:
        """Close the kept cursors (the caller holds ``_lock``)."""
        for cursor in self._spare:
            cursor.close()
        self._spare.clear()

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
            cursor.execute(f"COPY ({sql}) TO {sql_path(target)} (FORMAT {fmt})")
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
            self._close_spares()
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
