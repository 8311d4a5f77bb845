"""The audit trail: every import, export and sign-in (who, when, what, row counts).

Kept in its own small DuckDB file (``data/audit.duckdb`` or ``$TONGWEI_AUDIT``) beside
the dataset, because the dataset file is replaced by every import and opened read-only
by the dashboard. Each write opens the file briefly (through the store) and retries while
another process holds it. Details never carry personal data (names of files and tables, counts).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from analytics.config import DATA_DIR
from analytics.store import append_audit, audit_row_count, read_audit, revoke_session, session_revoked

ACTIONS = ("import", "import_rejected", "export", "sign_in", "sign_in_failed", "sign_out",
           "build_demo")


class AuditUnavailable(RuntimeError):
    """The audit row could not be written; whatever it was to record did not happen."""


def audit_path() -> Path:
    return Path(os.environ.get("TONGWEI_AUDIT", DATA_DIR / "audit.duckdb"))


def record(actor: str, role: str, action: str, detail: str = "", rows: int | None = None,
           path: Path | None = None, scope: Iterable[str] = ()) -> None:
    """Append one audit row. ``scope``: the acting account's township or county codes
    (``Viewer.allowed``; empty: unrestricted — the province, an unrestricted county
    account, the command line), stored comma-separated: whose rows a restricted viewer
    may read (``recent``)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    try:
        append_audit(path or audit_path(), (now, actor, role, action, detail, rows, ",".join(scope)))
    except Exception as error:  # noqa: BLE001 - any failure means: not recorded
        raise AuditUnavailable(
            f"审计记录无法写入（{type(error).__name__}），操作未执行，现有数据未改动；"
            f"请检查 {path or audit_path()} 是否被其他程序占用、能否创建，或磁盘是否已满"
        ) from error


def end_session(sid: str, expires_at, path: Path | None = None) -> None:
    """Revoke the signed session ``sid`` (analytics/sessions.py) for every process.
    Raises AuditUnavailable when it cannot be recorded."""
    try:
        revoke_session(path or audit_path(), sid, expires_at)
    except Exception as error:  # noqa: BLE001 - any failure means: not recorded
        raise AuditUnavailable(f"退出登录无法记录（{type(error).__name__}）") from error


def session_ended(sid: str, path: Path | None = None) -> bool:
    """Whether ``sid`` was revoked. When the audit file cannot be read, the session
    counts as ended (fail closed: the user signs in again)."""
    try:
        return session_revoked(path or audit_path(), sid)
    except Exception:  # noqa: BLE001 - unreadable: do not trust the cookie
        return True


def recent(limit: int = 200, path: Path | None = None, allowed: tuple[str, ...] = ()):
    """The latest audit rows a viewer restricted to ``allowed`` (``Viewer.allowed``:
    township or county codes; empty: everything) may see, as a DataFrame (logged_at,
    actor, role, action, detail, rows), newest first; empty when nothing was recorded
    yet. A county account sees the rows of accounts of its county and its townships, a
    township analyst those of its townships; neither sees an unrestricted account's rows
    (imports, whole-dataset exports, failed sign-ins, which carry a typed name) nor another
    county's. pandas is imported here, not at the top: the command line imports this module
    for every command and `metrics --all --json` needs no pandas."""
    import pandas as pd

    path = path or audit_path()
    if not path.exists():
        return pd.DataFrame(columns=["logged_at", "actor", "role", "action", "detail", "rows"])
    return read_audit(path, limit, tuple(allowed))


def total(path: Path | None = None, allowed: tuple[str, ...] = ()) -> int:
    """How many audit rows a viewer restricted to ``allowed`` may see (0 before anything
    was recorded)."""
    path = path or audit_path()
    return audit_row_count(path, tuple(allowed)) if path.exists() else 0
