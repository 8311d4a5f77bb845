"""Number formats for the pages (Chinese conventions, units always shown)."""

from __future__ import annotations

import math


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value != value


def fmt_pct(value, digits: int = 2) -> str:
    return "—" if _missing(value) else f"{value:.{digits}f}%"


def fmt_int(value) -> str:
    return "—" if _missing(value) else f"{int(round(value)):,}"


def fmt_yuan(value) -> str:
    return "—" if _missing(value) else f"{value:,.0f} 元"


def delta_text(value, target, unit: str, *, lower_is_better: bool = False) -> str | None:
    """The gap to a target, short enough for a tile: '-4.88 个百分点 · 达标'."""
    if _missing(value):
        return None
    gap = value - target
    amount = f"{abs(gap):.2f} 个百分点" if unit == "pct" else f"{abs(gap):,.0f} 元"
    met = gap < 0 if lower_is_better else gap >= 0
    return f"{'-' if gap < 0 else '+'}{amount} · {'达标' if met else '未达标'}"
