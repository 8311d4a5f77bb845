"""Bytes of what a page shows, as CSV or XLSX, safe to open in Excel.

Codes and ID numbers stay text; no cell can become a formula: in CSV a text cell
beginning with = + - @ (or a tab/CR) is prefixed with an apostrophe, and XLSX is
written with strings_to_formulas, strings_to_numbers and strings_to_urls off.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _labelled(frame: pd.DataFrame, labels: dict[str, str] | None) -> pd.DataFrame:
    if labels:
        frame = frame[[c for c in labels if c in frame]].rename(columns=labels)
    return frame


def csv_bytes(frame: pd.DataFrame, labels: dict[str, str] | None = None) -> bytes:
    """UTF-8 CSV with BOM (Excel opens it as Chinese), formula cells defused."""
    frame = _labelled(frame, labels).copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(_defuse)
    return frame.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, labels: dict[str, str] | None = None,
               sheet: str = "数据") -> bytes:
    """An XLSX workbook: text stays text (no formulas, numbers or links made from strings)."""
    frame = _labelled(frame, labels)
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()
