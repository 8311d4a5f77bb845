"""Download buttons for what a page shows: CSV and XLSX, built on click, each audited."""

from __future__ import annotations

import pandas as pd

from analytics import audit
from analytics.exports import csv_bytes, xlsx_bytes
from ui import data

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _on_click(builder, frame: pd.DataFrame, labels: dict[str, str], file_name: str, **kwargs):
    """The deferred download: the bytes are built only when the button is clicked (on
    another thread, so the viewer is read now) and the export is recorded then."""
    viewer = data.current_viewer()

    def build() -> bytes:
        audit.record(viewer.name, viewer.role, "export", file_name, len(frame))
        return builder(frame, labels, **kwargs)

    return build


def export_buttons(columns, frame: pd.DataFrame, labels: dict[str, str], stem: str,
                   sheet: str) -> None:
    """A CSV and an XLSX button in ``columns`` (two containers) for exactly ``frame``.

    ``frame`` is what the page shows, already restricted and masked for the viewer.
    """
    csv_col, xlsx_col = columns
    csv_col.download_button("导出 CSV", _on_click(csv_bytes, frame, labels, f"{stem}.csv"),
                            file_name=f"{stem}.csv", mime="text/csv", key=f"{stem}_csv",
                            on_click="ignore")
    xlsx_col.download_button("导出 XLSX",
                             _on_click(xlsx_bytes, frame, labels, f"{stem}.xlsx", sheet=sheet),
                             file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"{stem}_xlsx",
                             on_click="ignore")
