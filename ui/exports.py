"""Download buttons for what a page shows: CSV and XLSX, each download audited."""

from __future__ import annotations

import pandas as pd

from analytics.exports import csv_bytes, xlsx_bytes
from ui import data

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_buttons(columns, frame: pd.DataFrame, labels: dict[str, str], stem: str,
                   sheet: str) -> None:
    """A CSV and an XLSX button in ``columns`` (two containers) for exactly ``frame``.

    ``frame`` is what the page shows, already restricted and masked for the viewer.
    """
    csv_col, xlsx_col = columns
    csv_col.download_button("导出 CSV", csv_bytes(frame, labels), file_name=f"{stem}.csv",
                            mime="text/csv", key=f"{stem}_csv", on_click=data.record,
                            args=("export", f"{stem}.csv", len(frame)))
    xlsx_col.download_button("导出 XLSX", xlsx_bytes(frame, labels, sheet=sheet),
                             file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"{stem}_xlsx",
                             on_click=data.record, args=("export", f"{stem}.xlsx", len(frame)))
