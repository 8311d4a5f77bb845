"""Plotly figure builders: each ``build_*`` returns a figure and never draws it.

Every axis carries its unit; every target or cap is drawn as a labelled line.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from analytics.colors import DARK_BACKGROUND, LIGHT_BACKGROUND, readable_on
from analytics.counties import keyed_labels as _keyed
from analytics.households import income_band_width
from analytics.verdicts import number, verdict_rgb

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
ACTUAL, ACTUAL_OTHER = "#2e86c1", "#8e44ad"  # what happened: blue (red only says "bad"), purple
PLAN = "#7f8c8d"
TARGET = "#2c3e50"
GOOD = "#27ae60"
WARN = "#e67e22"
BAD = "#c0392b"
STATUS_COLORS = {"green": GOOD, "amber": WARN, "red": BAD}
def _unit(axis_title: str) -> tuple[str, str]:
    """(unit, d3 number format) of a value from its axis title: % with two decimals, 元
    and 人 with thousands separators."""
    if "%" in axis_title:
        return "%", ",.2f"
    for unit in ("元", "人", "个", "村"):
        if unit in axis_title:
            return (" " + unit if unit != "村" else " 个"), ",.0f"
    return "", ",.3f"


def _hover(name: str, value: str, unit: str, fmt: str, head: str = "%{x}年") -> str:
    """A hover in Chinese: the point's year (or name), the series and its value with unit."""
    return f"{head}<br>{name}：%{{{value}:{fmt}}}{unit}<extra></extra>"


def _category_axis(axis: str, fig: go.Figure, codes, labels: dict[str, str]) -> None:
    """Codes in order on a category axis (digits are not numbers), each tick its label."""
    getattr(fig, f"update_{axis}axes")(type="category", categoryorder="array", categoryarray=list(codes),
                                       tickmode="array", tickvals=list(codes), ticktext=[labels[c] for c in codes])


def _legend_key(fig: go.Figure, name: str, color: str, dash: str = "dash") -> None:
    """A legend entry for a drawn line (a target line) that has no trace of its own."""
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=name, hoverinfo="skip",
                             line={"color": color, "dash": dash, "width": 2}))


def _note_if_empty(fig: go.Figure, empty: bool, note: str) -> go.Figure:
    """A chart with nothing to draw says why, in the middle of its plot, instead of
    showing blank axes."""
    if empty:
        fig.add_annotation(text=note, xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           name="empty_note")
        fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
        fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
        # nothing drawn: no legend of it, no "0" beside each empty bar
        fig.update_layout(showlegend=False)
        fig.update_traces(texttemplate=None, text=None, selector={"type": "bar"})
    return fig


def _blank(*series: pd.Series, zero_is_empty: bool = False) -> bool:
    """No finite value in any of ``series`` (nor a non-zero one when ``zero_is_empty``)."""
    for values in series:
        values = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
        if zero_is_empty:
            values = values[values != 0]
        if len(values):
            return False
    return True


def _layout(fig: go.Figure, title: str, y_title: str, x_title: str = "年份",
            height: int | None = 360, dark: bool = False) -> go.Figure:
    """Title, fonts, axes' units and the target lines, in one layout update (each
    plotly update validates the whole figure, so one is much cheaper than several).

    ``dark``: the meeting-room screen: the dark template, 22 px text read across a room,
    and no title of its own (the screen's panel title says it once). ``height`` None:
    the chart takes the height of its box (the screen's panels)."""
    pending = fig.__dict__.pop("_pending_lines", [])
    background = DARK_BACKGROUND if dark else LIGHT_BACKGROUND
    for shape, note in pending:
        if dark:
            note["font"] = {**note.get("font", {}), "size": 22}
            shape["line"] = {**shape["line"], "color": readable_on(shape["line"]["color"], ratio=3)}
        # a label stays readable over a data line that crosses it
        note["bgcolor"] = "rgba(11,19,32,0.75)" if dark else "rgba(255,255,255,0.8)"
    notes = [note for _, note in pending] + [a.to_plotly_json() for a in fig.layout.annotations]
    for note in notes:
        color = note.get("font", {}).get("color")
        if dark or color:
            note["font"] = {**note.get("font", {}),
                            "color": readable_on(color or "#f2f4f8", background)}
    fig.update_layout(
        title={"text": "" if dark else title, "x": 0.01},
        font={"family": FONT, "size": 22 if dark else 14},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        # on the screen the legend sits above the plot, where the eye starts
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0} if dark else
               {"orientation": "h", "y": -0.22},
        template="plotly_dark" if dark else "plotly_white",
        **({"paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)"} if dark else {}),
        yaxis_title=y_title,
        xaxis_title=x_title,
        # 45,000 rather than 45k: SI suffixes are not read as numbers in Chinese (the x axis
        # keeps no separator: it is often the year, 2017 and not 2,017)
        xaxis_exponentformat="none", yaxis_exponentformat="none", yaxis_separatethousands=True,
    )
    # assigned, not updated: an update merges a list into the figure's items one by one
    drawn = [sh.to_plotly_json() for sh in fig.layout.shapes]
    if dark:  # a dark line (a vertical target) and its legend key lightened to be seen
        for shape in drawn:
            if shape.get("line", {}).get("color"):
                shape["line"] = {**shape["line"], "color": readable_on(shape["line"]["color"], ratio=3)}
        for trace in fig.data:
            if trace.hoverinfo == "skip" and trace.line.color:
                trace.line.color = readable_on(trace.line.color, ratio=3)
    fig.layout.shapes = drawn + [shape for shape, _ in pending]
    fig.layout.annotations = notes
    # the axis titles stand off the tick labels (measured), whatever their size (?scale=2);
    # Plotly's estimate of a CJK title's depth is short by a few pixels: the standoff
    # (about ¾ of the text size) leaves room for it
    standoff = 16 if dark else 10
    fig.update_xaxes(title_standoff=standoff, automargin=True)
    fig.update_yaxes(title_standoff=standoff, automargin=True)
    return fig


def scaled(fig: go.Figure, scale: float) -> go.Figure:
    """A copy of ``fig`` with every text size, margin, marker, line and the axis titles'
    distance from their tick labels times ``scale`` (the screen's ``?scale=2`` on a
    3840×2160 screen run without the system's 200 %). Plotly draws a legend's markers at
    most 16 px and its bars' swatches at a fixed size, so the legend's swatches are drawn
    at ``scale`` by the screen's style sheet (ui/battle.legend_css)."""
    if scale == 1:
        return fig
    out = go.Figure(fig)

    def size(font, default: float | None = None) -> int:
        return round((font.size or default or out.layout.font.size or 14) * scale)

    layout = out.layout
    base = layout.font.size or 14
    out.update_layout(font_size=round(base * scale),
                      legend={"font": {"size": size(layout.legend.font, base)},
                              "itemwidth": max(30, round(30 * scale))},
                      margin={k: round(getattr(layout.margin, k) * scale) for k in "lrtb"},
                      annotations=[{**a.to_plotly_json(), "font": {**(a.font.to_plotly_json()),
                                                                    "size": size(a.font, base)}}
                                   for a in layout.annotations],
                      shapes=[{**sh.to_plotly_json(),
                               "line": {**sh.line.to_plotly_json(),
                                        "width": (sh.line.width or 2) * scale}}
                              for sh in layout.shapes])
    for axes in (out.layout.xaxis, out.layout.yaxis):
        axes.title.standoff = round((axes.title.standoff or 10) * scale)
        axes.title.font.size = size(axes.title.font, base)
        axes.tickfont.size = size(axes.tickfont, base)
    for trace in out.data:
        if trace.type in ("bar", "histogram"):
            trace.textfont.size = round(base * scale)
        if trace.type == "scatter":
            if trace.marker.size is not None and not isinstance(trace.marker.size, tuple):
                trace.marker.size = trace.marker.size * scale
            elif trace.mode and "markers" in trace.mode:
                trace.marker.size = 6 * scale
            if trace.marker.line.width is not None:
                trace.marker.line.width = trace.marker.line.width * scale
            trace.line.width = (trace.line.width or 2) * scale
    return out


_LABEL_POSITIONS = ("top left", "bottom right", "top right", "bottom left")


#: A target label's height as a share of the value axis' span (a 14 px label in the
#: ≈ 220 px plot of a 360 px chart; 22 px in the screen's taller panels): the band a
#: label takes above or below its line.
LABEL_HEIGHT = 0.1


def target_label_positions(targets, axis_range: tuple[float, float] | None = None
                           ) -> list[tuple[float, str, str]]:
    """(value, label, corner) for horizontal target lines, sorted by value.

    Without ``axis_range``: the lowest line's label goes below it and every other above
    it, alternating sides, so that two close targets (6811 and 7000) print away from each
    other. With the axis' (low, high): each label takes the first corner (above left,
    above right, below left, below right) where its band (``LABEL_HEIGHT`` of the span)
    crosses no other line, stays inside the axis and meets no label already placed on that
    side; ``label_axis_range`` widens the axis when a label needs room below the foot."""
    ordered = sorted(targets, key=lambda t: t[0])
    if axis_range is None:
        out = []
        for i, (value, label) in enumerate(ordered):
            side = "left" if i % 2 == 0 else "right"
            out.append((value, label, f"{'bottom' if i == 0 and len(ordered) > 1 else 'top'} {side}"))
        return out
    low, high = axis_range
    h = LABEL_HEIGHT * (high - low)
    placed: list[tuple[float, float, str]] = []
    out = []
    for value, label in ordered:
        others = [v for v, _ in ordered if v != value]
        best = None
        for corner in ("top left", "top right", "bottom left", "bottom right"):
            vertical, side = corner.split()
            a, b = (value, value + h) if vertical == "top" else (value - h, value)
            clear = (not any(a < v < b for v in others)
                     and not any(side == s and a < pb and pa < b for pa, pb, s in placed))
            if clear and low <= a and b <= high:
                best = corner
                break
            if clear and best is None and vertical == "bottom":
                best = corner  # clear, but below the foot: the axis is widened for it
        best = best or "top left"
        vertical, side = best.split()
        placed.append((value, value + h, side) if vertical == "top" else (value - h, value, side))
        out.append((value, label, best))
    return out


def label_axis_range(targets, axis_range: tuple[float, float]) -> tuple[float, float]:
    """``axis_range`` widened below its foot when a target label placed below its line
    (``target_label_positions``) would hang out of the plot."""
    low, high = axis_range
    h = LABEL_HEIGHT * (high - low)
    foot = min([v - h for v, _, corner in target_label_positions(targets, axis_range)
                if corner.startswith("bottom")] + [low])
    return (foot, high) if foot >= low else (foot - 0.02 * (high - low), high)


def _target_line(fig: go.Figure, value: float, label: str, color: str = TARGET,
                 dash: str = "dash", position: str | None = None, vertical: bool = False) -> None:
    """A target line with its label, drawn by ``_layout``. A horizontal line's label sits
    inside the plot at a corner (``target_label_positions`` keeps close lines' labels
    apart; the builders leave head room above the top line so it is never cut off). A
    vertical line's label would run into bars or out of the plot: it is a legend entry."""
    line = {"color": color, "dash": dash, "width": 2}
    if vertical:
        fig.add_shape(type="line", xref="x", x0=value, x1=value, yref="paper", y0=0, y1=1, line=line)
        _legend_key(fig, label, color, dash)
        return
    pending = fig.__dict__.setdefault("_pending_lines", [])
    corner = position or _LABEL_POSITIONS[len(pending) % len(_LABEL_POSITIONS)]
    vertical_side, horizontal_side = corner.split()
    shape = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
             "y0": value, "y1": value, "line": line}
    note = {"xref": "paper", "x": 0 if horizontal_side == "left" else 1, "yref": "y",
            "y": value, "xanchor": horizontal_side,
            "yanchor": "bottom" if vertical_side == "top" else "top"}
    note.update(text=label, showarrow=False, font={"color": color})
    pending.append((shape, note))


#: Share of the value axis left above the highest value or line: room for the top
#: line's label and for bar texts (about two lines of text in a 360 px chart).
HEAD_ROOM = 0.18


def _value_range(values, lines=()) -> tuple[float, float] | None:
    """(low, high) of the value axis: from 0 (or the lowest value) to the highest value
    or line plus ``HEAD_ROOM`` of the span, so a label above the top line stays inside
    the plot; None when there is nothing to draw."""
    numbers = pd.to_numeric(pd.Series(list(values) + list(lines), dtype="float64"),
                            errors="coerce").dropna()
    if numbers.empty:
        return None
    low, high = min(0.0, float(numbers.min())), max(0.0, float(numbers.max()))
    span = (high - low) or 1.0
    return low, high + HEAD_ROOM * span


def build_trend(frame: pd.DataFrame, column: str, title: str, unit: str,
                targets: list[tuple[float, str]] = (), series_name: str = "实际",
                extra: list[tuple[str, str, str]] = (), dark: bool = False,
                height: int | None = 360, empty_note: str | None = None) -> go.Figure:
    """A line over the years of ``frame[column]`` with labelled target lines.

    ``extra``: further (column, name, colour) lines from the same frame. ``empty_note``:
    what the chart says when there is no value to draw (default: 尚无数据 for its years).
    """
    fig = go.Figure()
    suffix, fmt = _unit(unit)
    fig.add_trace(go.Scatter(x=frame["year"], y=frame[column], mode="lines+markers",
                             name=series_name, line={"color": ACTUAL, "width": 3},
                             hovertemplate=_hover(series_name, "y", suffix, fmt)))
    for col, name, color in extra:
        fig.add_trace(go.Scatter(x=frame["year"], y=frame[col], mode="lines+markers",
                                 name=name, line={"color": color, "width": 2},
                                 hovertemplate=_hover(name, "y", suffix, fmt)))
    values = list(frame[column]) + [v for col, _, _ in extra for v in frame[col]]
    axis_range = _value_range(values, [v for v, _ in targets])
    if axis_range:
        axis_range = label_axis_range(targets, axis_range)
    for value, label, position in target_label_positions(targets, axis_range):
        _target_line(fig, value, label, position=position)
    if axis_range:
        fig.update_yaxes(range=list(axis_range))
    fig.update_xaxes(dtick=1)
    empty = _blank(frame[column], *[frame[col] for col, _, _ in extra])
    _note_if_empty(fig, empty, empty_note or f"{_years(frame)}尚无{series_name if series_name != '实际' else title}数据")
    return _layout(fig, title, unit, dark=dark, height=height)


def _years(frame: pd.DataFrame) -> str:
    """'2014 年' or '2014–2015 年': the years a chart covers, for its empty note."""
    years = sorted({int(y) for y in frame["year"]}) if "year" in frame and len(frame) else []
    if not years:
        return ""
    return f"{years[0]} 年" if len(years) == 1 else f"{years[0]}–{years[-1]} 年"


def build_actual_vs_plan(frame: pd.DataFrame, actual: str, plan: str, title: str, unit: str,
                         names: tuple[str, str], dark: bool = False, height: int | None = 360,
                         empty_note: str | None = None) -> go.Figure:
    """Bars of ``frame[actual]`` beside ``frame[plan]`` by year; ``names`` = (plan, actual)."""
    fig = go.Figure()
    suffix, fmt = _unit(unit)
    fig.add_trace(go.Bar(x=frame["year"], y=frame[plan], name=names[0], marker_color=PLAN,
                         hovertemplate=_hover(names[0], "y", suffix, fmt)))
    fig.add_trace(go.Bar(x=frame["year"], y=frame[actual], name=names[1], marker_color=ACTUAL,
                         hovertemplate=_hover(names[1], "y", suffix, fmt)))
    fig.update_layout(barmode="group")
    fig.update_xaxes(dtick=1)
    _note_if_empty(fig, _blank(frame[plan], frame[actual], zero_is_empty=True),
                   empty_note or f"{_years(frame)}尚无{names[1].removeprefix('实际')}与计划数据")
    return _layout(fig, title, unit, dark=dark, height=height)


def build_exits_vs_plan(exits: pd.DataFrame, dark: bool = False, height: int | None = 360,
                        empty_note: str | None = None) -> go.Figure:
    """Persons exited each year beside the plan's persons (bars, persons)."""
    return build_actual_vs_plan(exits, "exited_persons", "planned_persons", "脱贫人数：实际与计划",
                                "人", ("计划脱贫人数", "实际脱贫人数"), dark, height,
                                empty_note or f"{_years(exits)}尚无脱贫数据（基线年之后才有脱贫）")


def build_relapse_by_township(frame: pd.DataFrame, cap: float, title: str,
                              dark: bool = False, height: int | None = 380,
                              empty_note: str = "尚无已脱贫人口，返贫率无从计算",
                              x_title: str = "乡镇") -> go.Figure:
    """Relapse rate per township (bars, %): over the cap red, within it green (each a
    legend entry), the cap as a labelled line; per county at 全省 (``x_title`` 县).

    ``frame``: scope_code (or township_code), name, relapse_rate_pct; a bar per code.
    """
    frame = frame.sort_values("relapse_rate_pct", ascending=False)
    frame, labels = _keyed(frame)
    over = frame["relapse_rate_pct"] > cap
    fig = go.Figure()
    for rows, color, name in ((frame[~over], GOOD, f"未超过{number(cap)}%上限"),
                              (frame[over], BAD, f"超过{number(cap)}%上限")):
        if len(rows) or name.startswith("未"):
            fig.add_trace(go.Bar(x=rows["_code"], y=rows["relapse_rate_pct"], marker_color=color,
                                 name=name, texttemplate="%{y:.1f}", textposition="outside",
                                 cliponaxis=False, customdata=rows["_label"],
                                 hovertemplate=_hover("返贫率", "y", "%", ".2f", head="%{customdata}")))
    _category_axis("x", fig, frame["_code"], labels)
    axis_range = _value_range(frame["relapse_rate_pct"], [cap])
    if axis_range:
        fig.update_yaxes(range=list(axis_range))
    _target_line(fig, cap, f"上限 {number(cap)}%", color=BAD, position="top right")
    _note_if_empty(fig, _blank(frame["relapse_rate_pct"]), empty_note)
    return _layout(fig, title, "返贫率（%）", x_title=x_title, dark=dark, height=height)


def build_relapse_by_cause(frame: pd.DataFrame, cap: float) -> go.Figure:
    """Relapse rate by year stacked by cause (%), with the cap line."""
    fig = go.Figure()
    for cause, rows in frame.groupby("relapse_cause"):
        fig.add_trace(go.Bar(x=rows["year"], y=rows["relapse_rate_pct"], name=str(cause),
                             hovertemplate=_hover(f"{cause}返贫率", "y", "%", ".2f")))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(dtick=1)
    totals = frame.groupby("year")["relapse_rate_pct"].sum() if len(frame) else []
    axis_range = _value_range(totals, [cap])
    if axis_range:
        fig.update_yaxes(range=list(axis_range))
    _target_line(fig, cap, f"上限 {number(cap)}%", color=BAD)
    _note_if_empty(fig, _blank(frame["relapse_rate_pct"]), "所选范围内没有返贫")
    return _layout(fig, "返贫率按原因", "返贫率（%）")


def build_cohorts(frame: pd.DataFrame) -> go.Figure:
    """Share of each exit-year cohort poor again, by later year (%)."""
    fig = go.Figure()
    for cohort, rows in frame.groupby("cohort_year"):
        name = f"{cohort}年脱贫"
        fig.add_trace(go.Scatter(x=rows["year"], y=rows["poor_again_pct"], mode="lines+markers",
                                 name=name, hovertemplate=_hover(f"{name}者再次致贫", "y", "%", ".2f")))
    fig.update_xaxes(dtick=1)
    _note_if_empty(fig, _blank(frame["poor_again_pct"]), "尚无脱贫批次")
    return _layout(fig, "脱贫批次的返贫情况", "再次致贫人口占比（%）")


def build_income_histogram(incomes: pd.DataFrame, line: float, year: int,
                           monitoring_multiple: float) -> go.Figure:
    """Registered persons by per-capita income band around the line (persons), with the
    poverty line and the monitoring line, ``monitoring_multiple`` × the line (config
    ``risk.income_line_multiple``), each a legend entry."""
    fig = go.Figure(go.Histogram(x=incomes["income"], y=incomes["members"], histfunc="sum",
                                 xbins={"size": income_band_width(line)}, marker_color=ACTUAL,
                                 name="人数",
                                 hovertemplate="人均纯收入 %{x} 元<br>人数：%{y:,.0f} 人<extra></extra>"))
    _target_line(fig, line, f"贫困线 {number(line)}元", vertical=True)
    _target_line(fig, line * monitoring_multiple,
                 f"监测线（{monitoring_multiple:g}倍，{number(round(line * monitoring_multiple))}元）",
                 color=WARN, vertical=True)
    _note_if_empty(fig, _blank(incomes["members"], zero_is_empty=True), f"{year} 年没有建档立卡人口收入数据")
    fig.update_xaxes(separatethousands=True)  # yuan or persons on x: 4,000, not 4000
    return _layout(fig, f"{year}年建档立卡人口收入分布", "人", x_title="人均纯收入（元）")


def build_measures_over_time(frame: pd.DataFrame) -> go.Figure:
    """FGT0/1/2, Watts and Gini over the years (ratios 0–1)."""
    fig = go.Figure()
    for column, name in (("fgt0", "FGT0 收入低于贫困线人口比例"), ("fgt1", "FGT1 贫困深度"),
                         ("fgt2", "FGT2 贫困强度"), ("watts", "Watts 指数"), ("gini", "基尼系数")):
        fig.add_trace(go.Scatter(x=frame["year"], y=frame[column], mode="lines+markers", name=name,
                                 hovertemplate=_hover(name, "y", "", ".3f")))
    fig.update_xaxes(dtick=1)
    _note_if_empty(fig, _blank(*[frame[c] for c in ("fgt0", "fgt1", "fgt2", "watts", "gini")]),
                   f"{_years(frame)}尚无建档立卡人口收入数据")
    return _layout(fig, "贫困与不平等指标（建档立卡人口）", "指数（0–1）")


def build_causes(causes: pd.DataFrame) -> go.Figure:
    """Poor persons by main poverty cause (horizontal bars, persons)."""
    causes = causes.sort_values("poor_persons")
    fig = go.Figure(go.Bar(x=causes["poor_persons"], y=causes["poverty_cause"], orientation="h",
                           marker_color=ACTUAL, name="贫困人口",
                           text=causes["share_pct"].round(1).astype(str) + "%",
                           textposition="outside", cliponaxis=False,
                           hovertemplate="%{y}<br>贫困人口：%{x:,.0f} 人（%{text}）<extra></extra>"))
    _note_if_empty(fig, _blank(causes["poor_persons"], zero_is_empty=True), "没有未脱贫人口")
    fig.update_xaxes(separatethousands=True)  # yuan or persons on x: 4,000, not 4000
    return _layout(fig, "贫困人口按主要致贫原因", "致贫原因", x_title="贫困人口（人）")


def build_village_gap(villages: pd.DataFrame, threshold_pct: float, top: int = 20) -> go.Figure:
    """The villages furthest from the exit line (``threshold_pct``, config
    ``targets.exit_threshold_pct``): persons still to exit (bars, persons); ``villages``:
    village_code, village_name, persons_to_threshold, a bar per code."""
    rows = villages[villages["persons_to_threshold"] > 0].nlargest(top, "persons_to_threshold")
    rows = rows.sort_values("persons_to_threshold")
    rows, labels = _keyed(rows.rename(columns={"village_code": "scope_code", "village_name": "name"}))
    name = f"距{number(threshold_pct)}%还需脱贫"
    fig = go.Figure(go.Bar(x=rows["persons_to_threshold"], y=rows["_code"], orientation="h",
                           marker_color=WARN, name=name, customdata=rows["_label"],
                           hovertemplate=f"%{{customdata}}<br>{name}：%{{x:,.0f}} 人<extra></extra>"))
    _category_axis("y", fig, rows["_code"], labels)  # two 新庄村 are two bars
    title = (f"距{number(threshold_pct)}%退出线最远的{len(rows)}个村" if len(rows)
             else f"所有村均已低于{number(threshold_pct)}%退出线")
    _note_if_empty(fig, rows.empty, f"所有村均已低于{number(threshold_pct)}%退出线")
    fig.update_xaxes(separatethousands=True)  # yuan or persons on x: 4,000, not 4000
    return _layout(fig, title, "村", x_title="还需脱贫人数（人）", height=max(360, 22 * len(rows) + 120))


def build_household_income(years: pd.DataFrame) -> go.Figure:
    """One household's per-capita income against the poverty line by year (yuan); its
    points coloured by status, each colour a legend entry."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=years["year"], y=years["poverty_line"], mode="lines",
                             name="贫困线", line={"color": TARGET, "dash": "dash"},
                             hovertemplate=_hover("贫困线", "y", " 元", ",.0f")))
    fig.add_trace(go.Scatter(x=years["year"], y=years["income"], mode="lines",
                             name="人均纯收入", line={"color": PLAN},
                             hovertemplate=_hover("人均纯收入", "y", " 元", ",.0f")))
    exited = years["status"] == "已脱贫"
    for rows, color, name in ((years[exited], GOOD, "已脱贫的年份"), (years[~exited], BAD, "未脱贫的年份")):
        if len(rows):
            fig.add_trace(go.Scatter(x=rows["year"], y=rows["income"], mode="markers", name=name,
                                     marker={"color": color, "size": 11},
                                     hovertemplate=_hover(f"人均纯收入（{name[:3]}）", "y", " 元", ",.0f")))
    fig.update_xaxes(dtick=1)
    return _layout(fig, "人均纯收入与贫困线", "元/人·年", height=320)


#: The income-progress bars' colour bands (lower bound %, colour, legend name): the
#: target reached, more than half of the way, less. Named in words (a bare 50% would read
#: as the wage-share target of config).
PROGRESS_BANDS = ((100.0, GOOD, "已达到目标（≥100%）"), (50.0, WARN, "完成过半"), (-math.inf, BAD, "未完成一半"))


def build_income_progress_by_township(towns: pd.DataFrame, year: int, dark: bool = False,
                                      height: int | None = 380, empty_note: str | None = None, unit: str = "乡镇") -> go.Figure:
    """Registered households' income progress toward the county target per township (%):
    bars coloured by ``PROGRESS_BANDS`` (each a legend entry), the target (100 %) a line
    named in the legend. ``empty_note``: said over the chart when no township has a
    value, or every value is 0 (the baseline year, from which progress counts).
    ``towns``: scope_code (or township_code), name, income_progress_pct; a bar per code."""
    rows = towns.sort_values("income_progress_pct")
    rows, labels = _keyed(rows)
    values = rows["income_progress_pct"]
    fig = go.Figure()
    upper = math.inf
    for low, color, label in PROGRESS_BANDS:
        band = rows[(values.fillna(0) >= low) & (values.fillna(0) < upper)]
        upper = low
        if len(band):
            fig.add_trace(go.Bar(x=band["income_progress_pct"], y=band["_code"], orientation="h",
                                 marker_color=color, name=label, texttemplate="%{x:,.0f}",
                                 textposition="outside", cliponaxis=False, customdata=band["_label"],
                                 hovertemplate=_hover("收入目标进度", "x", "%", ",.1f", head="%{customdata}")))
    _category_axis("y", fig, rows["_code"], labels)
    _target_line(fig, 100, "达到目标 100%", TARGET, vertical=True)
    fig.update_xaxes(range=[min(0.0, float(values.min(skipna=True) or 0) * 1.15),
                            max(float(values.max(skipna=True) or 0), 100) * 1.15])
    _note_if_empty(fig, _blank(values, zero_is_empty=True),
                   empty_note or f"{year} 年尚无收入目标进度")
    return _layout(fig, f"{year}年建档立卡户人均纯收入目标进度", unit, x_title="进度（%）",
                   dark=dark, height=height)


def build_funnel(villages: pd.DataFrame, county_incidence_pct: float, year: int,
                 scope_label: str = "全县") -> go.Figure:
    """Village incidence (%) against registered population, with the control limits of
    config ``[honesty]`` (95 % and 99.8 % as shipped), each labelled from its z."""
    from analytics.funnel import funnel_limits, funnel_z

    fig = go.Figure()
    n_max = max(float(villages["registered_population"].max()), 10.0) if len(villages) else 10.0
    n = pd.Series(range(10, int(n_max) + 10, max(int(n_max / 200), 1)), dtype="float64")
    p0 = county_incidence_pct / 100
    phi = villages.attrs.get("phi", 1.0)
    z_warning, z_alarm = funnel_z()
    for z, dash in ((z_warning, "dot"), (z_alarm, "dash")):
        name = f"{100 * math.erf(z / math.sqrt(2)):.3g}%控制限"  # z 1.96 → 95%, 3.09 → 99.8%
        low, high = funnel_limits(p0, n, z, phi)
        for limit, bound in ((high, "上限"), (low, "下限")):
            fig.add_trace(go.Scatter(x=n, y=100 * limit, mode="lines", name=name, legendgroup=name,
                                     showlegend=bound == "上限", line={"color": PLAN, "dash": dash},
                                     hovertemplate=f"户籍人口 %{{x:,.0f}} 人<br>{name}{bound}："
                                                   "%{y:.2f}%<extra></extra>"))
    colors = {"显著偏高": BAD, "偏高": WARN, "正常": GOOD, "偏低": "#3498db"}
    for label, rows in villages.groupby("funnel"):
        fig.add_trace(go.Scatter(x=rows["registered_population"], y=rows["poverty_incidence_pct"],
                                 mode="markers", name=f"{label}（{len(rows):,}村）",
                                 text=rows["village_name"], marker={"color": colors[label], "size": 8},
                                 hovertemplate=f"%{{text}}（{label}）<br>户籍人口：%{{x:,.0f}} 人<br>"
                                               "贫困发生率：%{y:.2f}%<extra></extra>"))
    _target_line(fig, county_incidence_pct, f"{scope_label} {county_incidence_pct:.2f}%")
    axis_range = _value_range(villages["poverty_incidence_pct"], [county_incidence_pct])
    if axis_range:  # the villages and the line, with room for its label (limits may leave it)
        fig.update_yaxes(range=list(axis_range))
    _note_if_empty(fig, villages.empty, f"{year} 年没有村级数据")
    fig.update_xaxes(separatethousands=True)  # yuan or persons on x: 4,000, not 4000
    return _layout(fig, f"{year}年各村贫困发生率漏斗图", "贫困发生率（%）", x_title="户籍人口（人）",
                   height=420)


def build_exit_years_by_township(towns: pd.DataFrame, threshold_pct: float, dark: bool = False,
                                 height: int | None = 380, unit: str = "乡镇") -> go.Figure:
    """When each township was due and when its incidence first fell below the exit
    threshold: a hollow mark at the due year, a filled one at the year reached in its
    verdict's colour (``verdicts.VERDICT_COLORS``: 按期达标 green, 逾期达标 amber); a
    township not yet below it gets a 未达标 mark at the right edge. Every mark a legend entry.

    ``towns``: scope_code (or township_code), name, due_year, reached_year (null: not yet)
    — the verdict columns of ``analytics.verdicts.scope_verdicts``; a row per code.
    """
    rows, labels = _keyed(towns)
    rows = rows.sort_values(["due_year", "reached_year", "_label"], na_position="last")
    reached = rows["reached_year"].astype("Float64")
    late = reached > rows["due_year"]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=rows["due_year"], y=rows["_code"], mode="markers", name="计划摘帽年份",
                             marker={"symbol": "circle-open", "size": 22, "line": {"width": 3},
                                     "color": "#ffffff" if dark else TARGET}, text=rows["_label"],
                             hovertemplate="%{text}<br>计划摘帽：%{x}年<extra></extra>"))
    edge = int(max(pd.concat([rows["due_year"], reached.dropna()]).max(), 0)) + 1 if len(rows) else 0
    threshold = number(threshold_pct)
    for mask, code, name, x in (
            ((reached <= rows["due_year"]).fillna(False), "met", f"按期降至{threshold}%以下", reached),
            (late.fillna(False), "missed_late", f"逾期降至{threshold}%以下", reached),
            (reached.isna(), "missed", f"尚未降至{threshold}%以下", pd.Series(edge, index=rows.index))):
        mask = mask.astype(bool)
        if mask.any():
            hover = (f"%{{text}}<br>{name}：%{{x}}年<extra></extra>" if code != "missed"
                     else f"%{{text}}<br>{name}（计划%{{customdata}}年）<extra></extra>")
            fig.add_trace(go.Scatter(x=x[mask].astype("float64"), y=rows["_code"][mask], mode="markers",
                                     customdata=rows["due_year"][mask], text=rows["_label"][mask],
                                     name=name, marker={"size": 14, "color": verdict_rgb(code),
                                                        "symbol": "circle" if code != "missed" else "x"},
                                     hovertemplate=hover))
    fig.update_xaxes(dtick=1)
    _category_axis("y", fig, rows["_code"], labels)
    fig.update_yaxes(autorange="reversed")
    _note_if_empty(fig, rows.empty, f"没有{unit}数据")
    return _layout(fig, f"各{unit}计划摘帽年份与贫困发生率降至{threshold}%以下的年份", unit,
                   x_title="年份", dark=dark, height=height)
