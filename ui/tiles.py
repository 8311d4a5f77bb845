"""Headline tiles: ``st.metric`` with the data's date in every tile's help (issue 14.7).

A tile's delta means one thing only: the change against the year before (``change``),
with its arrow; in the baseline year it says 基线. A gap to a target or cap is said in
words (``gap_words``: 低于上限 4.43 个百分点) in the help or a caption, never as a delta.
"""

from __future__ import annotations

import math

from ui import data


def tile(column, label: str, value, delta=None, *, help: str | None = None, **kwargs) -> None:
    """Draw ``st.metric`` in ``column`` (a column or ``st``); its ? help ends with
    "数据截至 <the data's date>", so that a figure read on its own still carries its date."""
    dated = f"数据截至 {data.dataset_meta().get('as_of', '—')}"
    column.metric(label, value, delta, help=f"{help}\n\n{dated}" if help else dated, **kwargs)


def _number(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _amount(gap: float, unit: str, digits: int) -> str:
    return f"{abs(gap):,.{digits}f} 个百分点" if unit == "%" else f"{abs(gap):,.{digits}f} {unit}"


def change(series, year: int, column: str, unit: str, *, baseline_year: int,
           lower_is_better: bool = False, digits: int | None = None) -> dict:
    """``st.metric`` keyword arguments for the change of ``column`` from the year before
    ``year`` in ``series`` (one scope, a row per year): '-5.33 个百分点' described as 较上年,
    green when it moved the right way. The baseline year says 基线; a year without a
    value for itself or the year before has no delta."""
    neutral = {"delta_color": "off", "delta_arrow": "off"}
    if year <= baseline_year:
        return {"delta": "基线", "delta_description": "基线年：以后各年与之比较", **neutral}
    values = series.set_index("year")[column]
    now, before = _number(values.get(year)), _number(values.get(year - 1))
    if now is None or before is None:
        return {"delta": None}
    digits = (2 if unit == "%" else 0) if digits is None else digits
    diff = now - before
    if round(diff, digits) == 0:
        return {"delta": f"持平（{_amount(0, unit, digits)}）", "delta_description": "较上年", **neutral}
    sign = "-" if diff < 0 else "+"
    return {"delta": f"{sign}{_amount(diff, unit, digits)}", "delta_description": "较上年",
            "delta_color": "inverse" if lower_is_better else "normal", "delta_arrow": "auto"}


def gap_words(value, target, unit: str, what: str, digits: int | None = None) -> str:
    """The gap of ``value`` to ``target`` in words, for a help or caption: '低于上限 4.43
    个百分点', '高于目标 17.81 个百分点', '低于目标 1,576 元', '达到目标' (equal); '' when
    the value is missing."""
    value, target = _number(value), _number(target)
    if value is None or target is None:
        return ""
    digits = (2 if unit == "%" else 0) if digits is None else digits
    gap = value - target
    if round(gap, digits) == 0:
        return f"等于{what}"
    return f"{'高于' if gap > 0 else '低于'}{what} {_amount(gap, unit, digits)}"
