"""Figure builders for the plan's countable commitments (issue 16): measures, 两不愁三保障,
village targets and the 回头看 decomposition. Same rules as analytics.charts (whose
layout helpers they use): each ``build_*`` returns a figure and never draws it, every
axis carries its unit, every target is a labelled line.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.charts import (ACTUAL, BAD, GOOD, PLAN, _blank, _hover, _layout,
                              _note_if_empty, _target_line, _value_range, _years)

#: One colour per series where a chart draws several (Plotly's default order is not
#: used: it would shift when a series is missing).
SERIES_COLORS = ("#1f77b4", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085",
                 "#7f8c8d", "#d35400", "#2c3e50", "#f1c40f", "#95a5a6")


def build_measures_by_year(measures: pd.DataFrame) -> go.Figure:
    """Households with each measure by year (stacked bars, households).

    ``measures``: the 'total' rows of ``assistance.measure_counts`` (year, measure,
    households). The plan's counts are drawn apart (``build_plan_progress``): a target
    for one measure on a stack of eleven would be read against the stack.
    """
    fig = go.Figure()
    for i, (measure, rows) in enumerate(measures.groupby("measure", sort=False)):
        fig.add_trace(go.Bar(x=rows["year"], y=rows["households"], name=str(measure),
                             marker_color=SERIES_COLORS[i % len(SERIES_COLORS)],
                             hovertemplate=_hover(str(measure), "y", " 户", ",.0f")))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(dtick=1)
    totals = measures.groupby("year")["households"].sum() if len(measures) else []
    axis_range = _value_range(totals)
    if axis_range:
        fig.update_yaxes(range=list(axis_range))
    _note_if_empty(fig, _blank(measures["households"], zero_is_empty=True),
                   "所选范围内没有帮扶措施记录")
    return _layout(fig, "各年有帮扶措施的户数（按措施）", "户", height=420)


def build_share_trend(frame: pd.DataFrame, series: dict[str, str], title: str,
                      target_pct: float | None = 100.0, target_label: str = "目标 100%",
                      y_title: str = "占比（%）", deadlines: tuple[int, ...] = ()) -> go.Figure:
    """One line per ``series`` (column → name) of shares over the years (%), with the
    target as a labelled line (``target_pct`` None: none) and each of ``deadlines`` (years)
    a dotted vertical line named in the legend (期限 2017年底). ``frame``: year and the
    columns, one row per year."""
    fig = go.Figure()
    for i, (column, name) in enumerate(series.items()):
        fig.add_trace(go.Scatter(x=frame["year"], y=frame[column], mode="lines+markers",
                                 name=name, line={"color": SERIES_COLORS[i % len(SERIES_COLORS)], "width": 2},
                                 cliponaxis=False,  # a point at 100 % on the top edge is drawn whole
                                 hovertemplate=_hover(name, "y", "%", ".1f")))
    values = [v for column in series for v in frame[column]]
    axis_range = _value_range(values, [] if target_pct is None else [target_pct])
    if axis_range:
        # a share near its target is read from where the lines are, not from 0
        numbers = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce")
        low = numbers.min()
        floor = max(0.0, 10 * ((low - 5) // 10)) if low == low else 0.0
        # a share never passes 100 %: the axis stops there (no 110 % tick); the target's
        # label sits under its line, inside the plot, so it needs no head room above
        top = min(axis_range[1], 100.0) if max(numbers.max(), target_pct or 0) <= 100 else axis_range[1]
        fig.update_yaxes(range=[floor, top])
    if target_pct is not None:
        _target_line(fig, target_pct, target_label, position="bottom right")
    for year in sorted(set(deadlines)):
        _target_line(fig, year, f"期限 {year}年底", color=PLAN, dash="dot", vertical=True)
    fig.update_xaxes(dtick=1)
    _note_if_empty(fig, _blank(*[frame[c] for c in series]), f"{_years(frame)}尚无数据")
    return _layout(fig, title, y_title, height=400)


def build_poor_change_waterfall(row: pd.Series, terms: dict[str, str], year: int) -> go.Figure:
    """The change in poor persons from the end of ``year`` − 1 to the end of ``year``
    as a waterfall (persons): the poor persons before, each term of ``terms`` (column →
    label; falls green, rises red), and the poor persons after. ``row``: one row of
    ``register_changes.poor_change_decomposition``."""
    before, after = int(row["poor_persons_before"]), int(row["poor_persons"])
    values = [int(row[t]) for t in terms]
    fig = go.Figure(go.Waterfall(
        x=[f"{year - 1}年底贫困人口", *terms.values(), f"{year}年底贫困人口"],
        y=[before, *values, after], measure=["absolute", *["relative"] * len(values), "total"],
        # a term of 0 has no bar to label: its "+0" stood over its neighbours' labels in a
        # small village (the hover still gives it); the others outside their bars
        text=[f"{before:,}", *[f"{v:+,}" if v else "" for v in values], f"{after:,}"],
        textposition="outside",
        cliponaxis=False, decreasing={"marker": {"color": GOOD}},
        increasing={"marker": {"color": BAD}}, totals={"marker": {"color": PLAN}},
        connector={"line": {"color": "#95a5a6"}}, name="贫困人口",
        hovertemplate="%{x}：%{y:,.0f} 人<extra></extra>"))
    fig.update_layout(showlegend=False)
    peak = max([before, after] + [before + sum(values[:i + 1]) for i in range(len(values))])
    fig.update_yaxes(range=[0, peak * 1.18 or 1])
    _note_if_empty(fig, before == 0 and after == 0 and not any(values),
                   f"{year - 1}–{year} 年所选范围内没有贫困人口")
    return _layout(fig, f"{year}年贫困人口变化的来源", "人", x_title="", height=420)


def build_plan_progress(rows: pd.DataFrame, title: str) -> go.Figure:
    """Done against planned for each row (bars, households): ``rows`` with label,
    planned, households; the plan a grey bar beside the actual one."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=rows["label"], y=rows["planned"], name="计划", marker_color=PLAN,
                         hovertemplate=_hover("计划", "y", " 户", ",.0f", head="%{x}")))
    fig.add_trace(go.Bar(x=rows["label"], y=rows["households"], name="实际", marker_color=ACTUAL,
                         texttemplate="%{y:,.0f}", textposition="outside", cliponaxis=False,
                         hovertemplate=_hover("实际", "y", " 户", ",.0f", head="%{x}")))
    fig.update_layout(barmode="group")
    _note_if_empty(fig, rows.empty, "计划未规定措施户数")
    return _layout(fig, title, "户", x_title="", height=320)
