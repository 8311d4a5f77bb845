"""Plotly figure builders: each ``build_*`` returns a figure and never draws it.

Every axis carries its unit; every target or cap is drawn as a labelled line.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from analytics.households import income_band_width

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
ACTUAL = "#c0392b"
PLAN = "#7f8c8d"
TARGET = "#2c3e50"
GOOD = "#27ae60"
WARN = "#e67e22"
BAD = "#c0392b"
STATUS_COLORS = {"green": GOOD, "amber": WARN, "red": BAD}


def _layout(fig: go.Figure, title: str, y_title: str, x_title: str = "年份",
            height: int | None = 360, dark: bool = False) -> go.Figure:
    """Title, fonts, axes' units and the target lines, in one layout update (each
    plotly update validates the whole figure, so one is much cheaper than several).

    ``dark``: the meeting-room screen: the dark template, 22 px text read across a room,
    and no title of its own (the screen's panel title says it once). ``height`` None:
    the chart takes the height of its box (the screen's panels)."""
    pending = fig.__dict__.pop("_pending_lines", [])
    if dark:
        for _, note in pending:
            note["font"] = {**note.get("font", {}), "size": 22}
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
        shapes=[shape for shape, _ in pending],
        annotations=[note for _, note in pending],
    )
    return fig


def scaled(fig: go.Figure, scale: float) -> go.Figure:
    """A copy of ``fig`` with every text size and margin times ``scale`` (the screen's
    ``?scale=2`` on a 3840×2160 screen run without the system's 200 %)."""
    if scale == 1:
        return fig
    out = go.Figure(fig)

    def size(font) -> int:
        return round((font.size or 14) * scale)

    layout = out.layout
    out.update_layout(font_size=size(layout.font),
                      margin={k: round(getattr(layout.margin, k) * scale) for k in "lrtb"},
                      annotations=[{**a.to_plotly_json(), "font": {**(a.font.to_plotly_json()),
                                                                    "size": size(a.font)}}
                                   for a in layout.annotations])
    out.update_traces(textfont_size=size(layout.font), selector={"type": "bar"})
    return out


_LABEL_POSITIONS = ("top left", "bottom right", "top right", "bottom left")


def target_label_positions(targets) -> list[tuple[float, str, str]]:
    """(value, label, corner) for horizontal target lines: sorted by value, the lowest
    line's label goes below it and every other above it, alternating sides, so that two
    close targets (6811 and 7000) print away from each other, never on the other line."""
    ordered = sorted(targets, key=lambda t: t[0])
    out = []
    for i, (value, label) in enumerate(ordered):
        side = "left" if i % 2 == 0 else "right"
        out.append((value, label, f"{'bottom' if i == 0 and len(ordered) > 1 else 'top'} {side}"))
    return out


def _target_line(fig: go.Figure, value: float, label: str, color: str = TARGET,
                 dash: str = "dash", position: str | None = None, vertical: bool = False) -> None:
    """A target line with its label, drawn by ``_layout``; successive labels alternate
    corners so that close targets (6811 and 7000) do not print over each other."""
    pending = fig.__dict__.setdefault("_pending_lines", [])
    corner = position or _LABEL_POSITIONS[len(pending) % len(_LABEL_POSITIONS)]
    vertical_side, horizontal_side = corner.split()
    line = {"color": color, "dash": dash, "width": 2}
    if vertical:
        shape = {"type": "line", "xref": "x", "x0": value, "x1": value, "yref": "paper",
                 "y0": 0, "y1": 1, "line": line}
        note = {"xref": "x", "x": value, "yref": "paper", "y": 1, "yanchor": "top",
                "xanchor": "left" if horizontal_side == "right" else "right"}
    else:
        shape = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                 "y0": value, "y1": value, "line": line}
        note = {"xref": "paper", "x": 0 if horizontal_side == "left" else 1, "yref": "y",
                "y": value, "xanchor": horizontal_side,
                "yanchor": "bottom" if vertical_side == "top" else "top"}
    note.update(text=label, showarrow=False, font={"color": color})
    pending.append((shape, note))


def build_trend(frame: pd.DataFrame, column: str, title: str, unit: str,
                targets: list[tuple[float, str]] = (), series_name: str = "实际",
                extra: list[tuple[str, str, str]] = (), dark: bool = False,
                height: int | None = 360) -> go.Figure:
    """A line over the years of ``frame[column]`` with labelled target lines.

    ``extra``: further (column, name, colour) lines from the same frame.
    """
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=frame["year"], y=frame[column], mode="lines+markers",
                             name=series_name, line={"color": ACTUAL, "width": 3}))
    for col, name, color in extra:
        fig.add_trace(go.Scatter(x=frame["year"], y=frame[col], mode="lines+markers",
                                 name=name, line={"color": color, "width": 2}))
    for value, label, position in target_label_positions(targets):
        _target_line(fig, value, label, position=position)
    fig.update_xaxes(dtick=1)
    return _layout(fig, title, unit, dark=dark, height=height)


def build_actual_vs_plan(frame: pd.DataFrame, actual: str, plan: str, title: str, unit: str,
                         names: tuple[str, str], dark: bool = False, height: int | None = 360) -> go.Figure:
    """Bars of ``frame[actual]`` beside ``frame[plan]`` by year; ``names`` = (plan, actual)."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=frame["year"], y=frame[plan], name=names[0], marker_color=PLAN))
    fig.add_trace(go.Bar(x=frame["year"], y=frame[actual], name=names[1], marker_color=ACTUAL))
    fig.update_layout(barmode="group")
    fig.update_xaxes(dtick=1)
    return _layout(fig, title, unit, dark=dark, height=height)


def build_exits_vs_plan(exits: pd.DataFrame, dark: bool = False, height: int | None = 360) -> go.Figure:
    """Persons exited each year beside the plan's persons (bars, persons)."""
    return build_actual_vs_plan(exits, "exited_persons", "planned_persons", "脱贫人数：实际与计划",
                                "人", ("计划脱贫人数", "实际脱贫人数"), dark, height)


def build_village_exits_vs_plan(exits: pd.DataFrame, dark: bool = False) -> go.Figure:
    """Poor villages exited each year beside the plan (bars, villages)."""
    return build_actual_vs_plan(exits, "exited_villages", "planned_villages_plan",
                                "贫困村退出：实际与计划", "个", ("计划退出村数", "实际退出村数"), dark)


def build_relapse_by_township(frame: pd.DataFrame, cap: float, title: str,
                              dark: bool = False, height: int | None = 380) -> go.Figure:
    """Relapse rate per township (bars, %), over-cap bars red, the cap as a line.

    ``frame``: columns name, relapse_rate_pct.
    """
    frame = frame.sort_values("relapse_rate_pct", ascending=False)
    colors = [BAD if r > cap else GOOD for r in frame["relapse_rate_pct"].fillna(0)]
    fig = go.Figure(go.Bar(x=frame["name"], y=frame["relapse_rate_pct"], marker_color=colors,
                           name="返贫率", text=frame["relapse_rate_pct"].round(1),
                           textposition="outside"))
    _target_line(fig, cap, f"上限 {cap:g}%", color=BAD, position="top right")
    fig.update_traces(cliponaxis=False)
    return _layout(fig, title, "返贫率（%）", x_title="乡镇", dark=dark, height=height)


def build_relapse_by_cause(frame: pd.DataFrame, cap: float) -> go.Figure:
    """Relapse rate by year stacked by cause (%), with the cap line."""
    fig = go.Figure()
    for cause, rows in frame.groupby("relapse_cause"):
        fig.add_trace(go.Bar(x=rows["year"], y=rows["relapse_rate_pct"], name=str(cause)))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(dtick=1)
    _target_line(fig, cap, f"上限 {cap:g}%", color=BAD)
    return _layout(fig, "返贫率按原因", "返贫率（%）")


def build_cohorts(frame: pd.DataFrame) -> go.Figure:
    """Share of each exit-year cohort poor again, by later year (%)."""
    fig = go.Figure()
    for cohort, rows in frame.groupby("cohort_year"):
        fig.add_trace(go.Scatter(x=rows["year"], y=rows["poor_again_pct"], mode="lines+markers",
                                 name=f"{cohort}年脱贫"))
    fig.update_xaxes(dtick=1)
    return _layout(fig, "脱贫批次的返贫情况", "再次致贫人口占比（%）")


def build_income_histogram(incomes: pd.DataFrame, line: float, year: int,
                           monitoring_multiple: float) -> go.Figure:
    """Registered persons by per-capita income band around the line (persons), with the
    poverty line (label to its left) and the monitoring line, ``monitoring_multiple`` ×
    the line (config ``risk.income_line_multiple``; label to its right)."""
    fig = go.Figure(go.Histogram(x=incomes["income"], y=incomes["members"], histfunc="sum",
                                 xbins={"size": income_band_width(line)}, marker_color=ACTUAL,
                                 name="人数"))
    _target_line(fig, line, f"贫困线 {line:g}元", position="top left", vertical=True)
    _target_line(fig, line * monitoring_multiple, f"监测线（{monitoring_multiple:g}倍）",
                 color=WARN, position="top right", vertical=True)
    return _layout(fig, f"{year}年建档立卡人口收入分布", "人", x_title="人均纯收入（元）")



def build_measures_over_time(frame: pd.DataFrame) -> go.Figure:
    """FGT0/1/2, Watts and Gini over the years (ratios 0–1)."""
    fig = go.Figure()
    for column, name in (("fgt0", "FGT0 收入低于贫困线人口比例"), ("fgt1", "FGT1 贫困深度"),
                         ("fgt2", "FGT2 贫困强度"), ("watts", "Watts 指数"), ("gini", "基尼系数")):
        fig.add_trace(go.Scatter(x=frame["year"], y=frame[column], mode="lines+markers", name=name))
    fig.update_xaxes(dtick=1)
    return _layout(fig, "贫困与不平等指标（建档立卡人口）", "指数（0–1）")


def build_causes(causes: pd.DataFrame) -> go.Figure:
    """Poor persons by main poverty cause (horizontal bars, persons)."""
    causes = causes.sort_values("poor_persons")
    fig = go.Figure(go.Bar(x=causes["poor_persons"], y=causes["poverty_cause"], orientation="h",
                           marker_color=ACTUAL, name="贫困人口",
                           text=causes["share_pct"].round(1).astype(str) + "%",
                           textposition="outside", cliponaxis=False))
    return _layout(fig, "贫困人口按主要致贫原因", "致贫原因", x_title="贫困人口（人）")


def build_village_gap(villages: pd.DataFrame, threshold_pct: float, top: int = 20) -> go.Figure:
    """The villages furthest from the exit line (``threshold_pct``, config
    ``targets.exit_threshold_pct``): persons still to exit (bars, persons)."""
    rows = villages[villages["persons_to_threshold"] > 0].nlargest(top, "persons_to_threshold")
    rows = rows.sort_values("persons_to_threshold")
    fig = go.Figure(go.Bar(x=rows["persons_to_threshold"], y=rows["village_name"], orientation="h",
                           marker_color=WARN, name=f"距{threshold_pct:g}%还需脱贫"))
    title = (f"距{threshold_pct:g}%退出线最远的{len(rows)}个村" if len(rows)
             else f"所有村均已低于{threshold_pct:g}%退出线")
    return _layout(fig, title, "村", x_title="还需脱贫人数（人）", height=max(360, 22 * len(rows) + 120))


def build_household_income(years: pd.DataFrame) -> go.Figure:
    """One household's per-capita income against the poverty line by year (yuan)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=years["year"], y=years["poverty_line"], mode="lines",
                             name="贫困线", line={"color": TARGET, "dash": "dash"}))
    colors = [GOOD if s == "已脱贫" else BAD for s in years["status"]]
    fig.add_trace(go.Scatter(x=years["year"], y=years["income"], mode="lines+markers",
                             name="人均纯收入", marker={"color": colors, "size": 11},
                             line={"color": PLAN}))
    fig.update_xaxes(dtick=1)
    return _layout(fig, "人均纯收入与贫困线（红点未脱贫，绿点已脱贫）", "元/人·年", height=320)


def build_income_progress_by_township(towns: pd.DataFrame, year: int, dark: bool = False,
                                      height: int | None = 380) -> go.Figure:
    """Registered households' income progress toward the county target per township (%)."""
    rows = towns.sort_values("income_progress_pct")
    colors = [GOOD if v >= 100 else WARN if v >= 50 else BAD for v in rows["income_progress_pct"].fillna(0)]
    fig = go.Figure(go.Bar(x=rows["income_progress_pct"], y=rows["name"], orientation="h",
                           marker_color=colors, text=rows["income_progress_pct"].round(0),
                           textposition="outside", cliponaxis=False, name="进度"))
    # the line's label at the foot, beside the shortest bar (the longest is at the top)
    _target_line(fig, 100, "达到目标 100%", TARGET if not dark else "#ffffff",
                 position="bottom right", vertical=True)
    fig.update_xaxes(range=[0, max(float(rows["income_progress_pct"].max(skipna=True) or 0), 100) * 1.12])
    fig = _layout(fig, f"{year}年建档立卡户人均纯收入目标进度", "乡镇", x_title="进度（%）",
                  dark=dark, height=height)
    return fig


def build_funnel(villages: pd.DataFrame, county_incidence_pct: float, year: int,
                 scope_label: str = "全县") -> go.Figure:
    """Village incidence (%) against registered population, with the control limits of
    config ``[honesty]`` (95 % and 99.8 % as shipped), each labelled from its z."""
    from analytics.honesty import funnel_limits, funnel_z

    fig = go.Figure()
    n_max = max(float(villages["registered_population"].max()), 10.0)
    n = pd.Series(range(10, int(n_max) + 10, max(int(n_max / 200), 1)), dtype="float64")
    p0 = county_incidence_pct / 100
    phi = villages.attrs.get("phi", 1.0)
    z_warning, z_alarm = funnel_z()
    for z, dash in ((z_warning, "dot"), (z_alarm, "dash")):
        name = f"{100 * math.erf(z / math.sqrt(2)):.3g}%控制限"  # z 1.96 → 95%, 3.09 → 99.8%
        low, high = funnel_limits(p0, n, z, phi)
        fig.add_trace(go.Scatter(x=n, y=100 * high, mode="lines", name=name,
                                 line={"color": PLAN, "dash": dash}))
        fig.add_trace(go.Scatter(x=n, y=100 * low, mode="lines", showlegend=False,
                                 line={"color": PLAN, "dash": dash}))
    colors = {"显著偏高": BAD, "偏高": WARN, "正常": GOOD, "偏低": "#3498db"}
    for label, rows in villages.groupby("funnel"):
        fig.add_trace(go.Scatter(x=rows["registered_population"], y=rows["poverty_incidence_pct"],
                                 mode="markers", name=f"{label}（{len(rows)}村）",
                                 text=rows["village_name"], marker={"color": colors[label], "size": 8}))
    _target_line(fig, county_incidence_pct, f"{scope_label} {county_incidence_pct:.2f}%")
    return _layout(fig, f"{year}年各村贫困发生率漏斗图", "贫困发生率（%）", x_title="户籍人口（人）",
                   height=420)


def build_exit_years_by_township(towns: pd.DataFrame, threshold_pct: float, dark: bool = False,
                                 height: int | None = 380) -> go.Figure:
    """When each township was due and when its incidence first fell below the exit
    threshold: a hollow mark at the due year, a filled one at the year reached, green
    when reached by the due year, red when later or not yet (shown at the right edge).

    ``towns``: name, due_year, reached_year (null: not yet) — the verdict columns of
    ``analytics.verdicts.scope_verdicts``.
    """
    rows = towns.sort_values(["due_year", "reached_year", "name"], na_position="last")
    reached = rows["reached_year"].astype("Float64")
    late = reached.isna() | (reached > rows["due_year"])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=rows["due_year"], y=rows["name"], mode="markers", name="计划摘帽年份",
                             marker={"symbol": "circle-open", "size": 22, "line": {"width": 3},
                                     "color": "#ffffff" if dark else TARGET}))
    fig.add_trace(go.Scatter(x=reached.astype("float64"), y=rows["name"], mode="markers",
                             name=f"降至{threshold_pct:g}%以下的年份",
                             marker={"size": 14, "color": [BAD if x else GOOD for x in late]}))
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, f"各乡镇计划摘帽年份与贫困发生率降至{threshold_pct:g}%以下的年份", "乡镇",
                   x_title="年份", dark=dark, height=height)
