"""The audit store: a small DuckDB file of its own (who signed in, imported, exported;
revoked sessions), written and read serialised and retried, owner-only."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from analytics.store.schema import OWNER_ONLY, owner_only, read_query


if TYPE_CHECKING:  # pandas is imported by DuckDB when a query returns a frame, not here:
    import pandas as pd  # `metrics --all --json` streams JSON and never needs it


_AUDIT_LOCK = threading.Lock()
AUDIT_WAIT_S = 10.0


def append_audit(path: Path, row: tuple) -> None:
    """Append one row (logged_at, actor, role, action, detail, rows, scope) to the audit
    file; ``scope`` is the acting account's township or county codes, comma-separated
    ('' unrestricted). A file from before rows carried a scope gains the column first
    (``audit_schema``)."""
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


def _visible(con, query: str, params: dict, allowed: tuple[str, ...]):
    """``queries/<query>.sql`` restricted to the rows ``allowed`` may see. A file written
    before rows recorded their scope (no ``scope`` column; opened read-only, so not yet
    migrated) holds only unrestricted accounts' rows: all of them for an unrestricted
    viewer (``<query>_unscoped``), none for a restricted one (None)."""
    try:
        return con.execute(read_query(query), {**params, "allowed": list(allowed)})
    except duckdb.BinderException:
        return None if allowed else con.execute(read_query(f"{query}_unscoped"), params)


def audit_row_count(path: Path, allowed: tuple[str, ...] = ()) -> int:
    """How many rows of the audit file a viewer restricted to ``allowed`` (township or
    county codes; empty: unrestricted) may see."""
    def read(con):
        result = _visible(con, "audit_count", {}, allowed)
        return 0 if result is None else result.fetchone()[0]

    return _read_audit_file(path, read)


def read_audit(path: Path, limit: int, allowed: tuple[str, ...] = ()) -> pd.DataFrame:
    """The latest rows of the audit file a viewer restricted to ``allowed`` may see
    (queries/audit_log.sql), newest first: logged_at, actor, role, action, detail, rows."""
    def read(con):
        result = _visible(con, "audit_log", {"limit": limit}, allowed)
        if result is None:  # none of an old file's rows: its columns, no row
            result = con.execute(read_query("audit_log_unscoped"), {"limit": 0})
        return result.df()

    return _read_audit_file(path, read)
