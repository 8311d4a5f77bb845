"""Download buttons for what a page shows (CSV and XLSX) and for files built on click (the
briefing PDF, the whole dataset): the bytes are built when clicked, and every download
is recorded in the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analytics import audit
from analytics.exports import csv_bytes, export_file_name, xlsx_bytes
from ui import data

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def audited(build: Callable[[], bytes], file_name: str, rows: int) -> Callable[[], bytes]:
    """``build`` recorded in the audit trail when it runs (on click, on another thread, so
    the viewer is read now)."""
    viewer = data.current_viewer()

    def run() -> bytes:
        audit.record(viewer.name, viewer.role, "export", file_name, rows, scope=viewer.allowed)
        return build()

    return run


def export_buttons(columns, frame: pd.DataFrame, labels: dict[str, str], *, scope: str,
                   what: str, year: int | None, decimals: dict[str, int] | None = None) -> None:
    """A CSV and an XLSX button in ``columns`` (two containers) for exactly ``frame``: the
    page's table, already restricted and masked for the viewer, with its Chinese
    ``labels``, numbers rounded as the page shows them (``decimals``). The files are named
    after the scope, what and the year (``马营镇_各村情况_2017.xlsx``); the XLSX has a
    title row with the data's date."""
    csv_col, xlsx_col = columns
    as_of = data.dataset_meta().get("as_of", "—")
    title = f"{scope} · {f'{year}年 · ' if year is not None else ''}{what} · 数据截至 {as_of}"
    csv_name, xlsx_name = (export_file_name(scope, what, year, ext) for ext in ("csv", "xlsx"))
    key = f"{what}_{year}"
    csv_col.download_button(
        "导出 CSV", audited(lambda: csv_bytes(frame, labels, decimals), csv_name, len(frame)),
        file_name=csv_name, mime="text/csv", key=f"{key}_csv", on_click="ignore")
    xlsx_col.download_button(
        "导出 XLSX", audited(lambda: xlsx_bytes(frame, labels, what, title, decimals), xlsx_name,
                             len(frame)),
        file_name=xlsx_name, mime=XLSX_MIME, key=f"{key}_xlsx", on_click="ignore")
