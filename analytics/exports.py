"""Bytes of what a page shows, as CSV or XLSX, ready for a county office to file.

- Chinese headers (``labels``), numbers rounded to the precision the page shows them at
  (``decimals``: column → digits), yes/no as 是/否, an empty value as an empty cell;
- XLSX: a title row (scope, year, what, 数据截至), the header frozen below it, columns
  as wide as their content; CSV: the header only (a file other programs read);
- safe to open in Excel: codes and ID numbers stay text and no cell can become a
  formula (in CSV a text cell beginning with = + - @ or a tab/CR is prefixed with an
  apostrophe; XLSX is written with strings_to_formulas, strings_to_numbers and
  strings_to_urls off).
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _is_yes_no(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return True
    present = values.dropna()
    return values.dtype == object and len(present) > 0 and all(
        isinstance(v, (bool, np.bool_)) for v in present)


def export_frame(frame: pd.DataFrame, labels: dict[str, str] | None = None,
                 decimals: dict[str, int] | None = None) -> pd.DataFrame:
    """``frame`` as a file shows it: the ``labels`` columns in their order, renamed;
    numbers rounded to ``decimals`` (whole numbers as integers); booleans as 是/否."""
    if labels:
        frame = frame[[c for c in labels if c in frame]]
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if _is_yes_no(values):
            frame[column] = values.map(lambda v: None if pd.isna(v) else ("是" if v else "否")).astype(object)
        elif decimals and column in decimals and pd.api.types.is_numeric_dtype(values):
            digits = decimals[column]
            frame[column] = values.round(digits).astype("Int64") if digits == 0 else values.round(digits)
    return frame.rename(columns=labels) if labels else frame


def csv_bytes(frame: pd.DataFrame, labels: dict[str, str] | None = None,
              decimals: dict[str, int] | None = None) -> bytes:
    """UTF-8 CSV with BOM (Excel opens it as Chinese), formula cells defused."""
    frame = export_frame(frame, labels, decimals)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(_defuse)
    return frame.to_csv(index=False).encode("utf-8-sig")


def _width(values) -> int:
    """Display width in Excel's units: a CJK character counts two."""
    longest = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(v)) for v in values), default=4)
    return min(max(longest + 2, 6), 60)


def xlsx_bytes(frame: pd.DataFrame, labels: dict[str, str] | None = None,
               sheet: str = "数据", title: str | None = None,
               decimals: dict[str, int] | None = None) -> bytes:
    """An XLSX workbook: ``title`` in row 1 (when given), the header below it, bold and
    frozen; numbers shown with their ``decimals`` (1.40, not 1.4); text stays text (no
    formulas, numbers or links made from strings)."""
    frame = export_frame(frame, labels, decimals)
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    top = 1 if title else 0
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31], startrow=top)
        book, ws = writer.book, writer.sheets[sheet[:31]]
        if title:
            ws.write_string(0, 0, title, book.add_format({"bold": True, "font_size": 13}))
        header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
        for i, column in enumerate(frame.columns):
            ws.write_string(top, i, str(column), header)
        ws.freeze_panes(top + 1, 0)
        by_label = {labels.get(c, c) if labels else c: c for c in (decimals or {})}
        for i, column in enumerate(frame.columns):
            digits = (decimals or {}).get(by_label.get(column, column))
            shown = book.add_format({"num_format": "0" if digits == 0 else "0." + "0" * digits}) \
                if digits is not None else None
            ws.set_column(i, i, _width([column, *frame[column].head(2000).tolist()]), shown)
    return buffer.getvalue()


def export_file_name(scope: str, what: str, year: int | None, extension: str) -> str:
    """``马营镇_村级明细_2017.xlsx``: the scope, what, the year; no character a file system
    refuses."""
    parts = [scope, what] + ([str(year)] if year is not None else [])
    stem = "_".join(re.sub(r'[\\/:*?"<>|\s]+', "", p) for p in parts if p)
    return f"{stem}.{extension}"


def dataset_zip(store, fmt: str = "csv") -> bytes:
    """The whole dataset in the interchange format (one TABLE.csv per table, as
    ``python -m analytics export`` writes it), zipped. Personal data included: the caller
    checks the role and records the download."""
    import tempfile
    import zipfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        store.export_tables(folder, fmt)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, path.name)
    return buffer.getvalue()
