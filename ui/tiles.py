"""Headline tiles: ``st.metric`` with the data's date in every tile's help (issue 14.7)."""

from __future__ import annotations

from ui import data


def tile(column, label: str, value, delta=None, *, help: str | None = None, **kwargs) -> None:
    """Draw ``st.metric`` in ``column`` (a column or ``st``); its ? help ends with
    "数据截至 <the data's date>", so that a figure read on its own still carries its date."""
    dated = f"数据截至 {data.dataset_meta().get('as_of', '—')}"
    column.metric(label, value, delta, help=f"{help}\n\n{dated}" if help else dated, **kwargs)
