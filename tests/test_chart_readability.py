"""Every figure of analytics/charts.py is readable as built, light and on the dark
meeting-room screen: target labels inside the plot and apart, a note instead of blank
axes, a legend entry for every colour that means something, Chinese hovers with units,
thousands separated, and text that reads on the dark background; ``scaled`` (?scale=2)
scales what the eye compares."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analytics import charts, colors, plan_charts

YEARS = list(range(2014, 2021))
SERIES = pd.DataFrame({
    "year": YEARS,
    "poverty_incidence_pct": [27.9, 22.8, 14.0, 2.6, 1.5, 0.6, 0.2],
    "relapse_rate_pct": [np.nan, 2.7, 2.3, 1.5, 1.6, 0.9, 0.7],
    "rural_income_per_capita": [4800.0, 5235, 5700, 6200, 6800, 7350, 7900],
    "registered_income_per_capita": [2300.0, 2581, 3300, 3900, 4100, 4700, 6100],
    "exited_persons": [0, 1131, 1871, 2347, 279, 268, 117],
})
EXITS = pd.DataFrame({"year": YEARS, "exited_persons": [0, 18013, 28000, 41000, 279, 268, 117],
                      "planned_persons": [np.nan, 20000, 30100, 40000, np.nan, np.nan, np.nan]})
TOWNS = pd.DataFrame({"township_code": ["621121100", "621121101", "621121102", "621121103"],
                      "name": ["平襄镇", "马营镇", "鸡川镇", "榜罗镇"],
                      "relapse_rate_pct": [6.2, 4.9, 1.0, 0.0],
                      "income_progress_pct": [112.0, 96.0, 55.0, 20.0],
                      "due_year": [2015, 2016, 2016, 2017],
                      "reached_year": pd.array([2015, 2018, pd.NA, 2017], dtype="Int64")})
VILLAGES = pd.DataFrame({"registered_population": [1200.0, 800, 2500, 400, 1500],
                         "poverty_incidence_pct": [2.0, 9.0, 30.0, 1.0, 4.0],
                         "funnel": ["正常", "偏高", "显著偏高", "偏低", "正常"],
                         "village_name": ["甲村", "乙村", "丙村", "丁村", "戊村"],
                         "village_code": [f"62112110020{i}" for i in range(5)],
                         "persons_to_threshold": [0, 48, 675, 0, 15]})


def figures(dark: bool):
    """(name, figure) for every builder, with the data of 2014–2016 and of a whole run."""
    early = SERIES[SERIES["year"] <= 2016]
    yield "trend_incidence", charts.build_trend(
        SERIES, "poverty_incidence_pct", "贫困发生率", "贫困发生率（%）",
        targets=[(5.0, "2017年目标 5%"), (3.0, "退出线 3%"), (8.0, "省目标 8%")], dark=dark)
    yield "trend_relapse_early", charts.build_trend(
        early, "relapse_rate_pct", "返贫率", "返贫率（%）", targets=[(5.0, "上限 5%")], dark=dark)
    yield "trend_income", charts.build_trend(
        early, "rural_income_per_capita", "人均收入", "元/人·年", series_name="农村居民人均可支配收入",
        extra=[("registered_income_per_capita", "建档立卡户人均纯收入", charts.PLAN)],
        targets=[(6811, "农村收入县目标 6,811"), (7000, "省目标 7,000"), (3700, "建档立卡户县目标 3,700")],
        dark=dark)
    yield "exits", charts.build_exits_vs_plan(EXITS, dark=dark)
    yield "relapse_towns", charts.build_relapse_by_township(TOWNS, 5.0, "返贫率", dark=dark)
    yield "income_progress", charts.build_income_progress_by_township(TOWNS, 2016, dark=dark)
    yield "exit_years", charts.build_exit_years_by_township(TOWNS, 3.0, dark=dark)
    if not dark:
        yield "relapse_causes", charts.build_relapse_by_cause(pd.DataFrame(
            {"year": [2015, 2015, 2016], "relapse_cause": ["因病", "因灾", "因病"],
             "relapse_rate_pct": [1.5, 1.2, 2.3]}), 5.0)
        yield "cohorts", charts.build_cohorts(pd.DataFrame(
            {"cohort_year": [2015, 2015, 2016], "year": [2016, 2017, 2017], "poor_again_pct": [1.0, 2.0, 1.5]}))
        yield "histogram", charts.build_income_histogram(pd.DataFrame(
            {"income": [2000.0, 3000.0, 4500.0], "members": [3000, 4000, 5000]}), 2952.0, 2016, 1.5)
        yield "measures", charts.build_measures_over_time(SERIES.assign(
            fgt0=0.2, fgt1=0.05, fgt2=0.02, watts=0.06, gini=0.3))
        yield "causes", charts.build_causes(pd.DataFrame(
            {"poverty_cause": ["因病", "缺资金"], "poor_persons": [12000, 3400], "share_pct": [78.0, 22.0]}))
        yield "village_gap", charts.build_village_gap(VILLAGES, 3.0)
        yield "household", charts.build_household_income(pd.DataFrame(
            {"year": [2014, 2015, 2016], "poverty_line": [2800, 2855, 2952], "income": [2100, 2900, 3500],
             "status": ["未脱贫", "已脱贫", "已脱贫"]}))
        yield "funnel", charts.build_funnel(VILLAGES, 8.0, 2016)
        yield "measures_by_year", plan_charts.build_measures_by_year(pd.DataFrame(
            {"year": [2015, 2015, 2016], "measure": ["产业扶持", "危房改造", "产业扶持"],
             "households": [12000, 2700, 9000]}))
        yield "share_trend", plan_charts.build_share_trend(
            SERIES.assign(a=[70.0, 80, 90, 99, 100, 100, 100], b=[90.0, 95, 97, 98, 99, 100, 100]),
            {"a": "住房安全有保障", "b": "饮水安全有保障"}, "两不愁三保障达标人口占比",
            deadlines=(2015, 2017))
        yield "waterfall", plan_charts.build_poor_change_waterfall(pd.Series(
            {"poor_persons_before": 89710, "poor_persons": 55753, "delta_exits": -35513,
             "delta_relapses": 491, "delta_new": 1237, "delta_reentered": 0, "delta_removed": -220,
             "delta_size": 48}), {"delta_exits": "脱贫退出", "delta_relapses": "返贫", "delta_new": "新识别",
                                  "delta_reentered": "重新纳入", "delta_removed": "自然减少",
                                  "delta_size": "家庭人口变化"}, 2016)
        yield "plan_progress", plan_charts.build_plan_progress(pd.DataFrame(
            {"label": ["2015年危房改造"], "planned": [3000.0], "households": [2700]}), "计划与实际")


ALL = [(dark, name, fig) for dark in (False, True) for name, fig in figures(dark)]
IDS = [f"{'dark' if dark else 'light'}-{name}" for dark, name, _ in ALL]


def target_labels(fig):
    return [a for a in fig.layout.annotations if a.name != "empty_note"]


@pytest.mark.parametrize("dark, name, fig", ALL, ids=IDS)
def test_target_labels_stay_inside_the_plot_and_apart(dark, name, fig):
    low, high = fig.layout.yaxis.range or (None, None)
    labels = target_labels(fig)
    for a in labels:
        # horizontal lines only: a vertical line's label is a legend entry (beside the
        # line it ran into the bars or past the plot's edge)
        assert a.xref == "paper" and a.yref == "y" and a.x in (0, 1), (name, a.text)
        assert low is not None, f"{name}: the value axis leaves no fixed room for {a.text}"
        span = high - low
        if a.yanchor == "bottom":   # the label above its line: room up to the top
            assert a.y + 0.08 * span <= high, (name, a.text, a.y, high)
        else:                       # below its line: room down to the foot
            assert a.y - 0.08 * span >= low, (name, a.text, a.y, low)
    for a, b in [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:]]:
        if a.xanchor == b.xanchor:  # same side: not within a label's height of each other
            top_a = a.y if a.yanchor == "bottom" else a.y - 0.08 * (high - low)
            top_b = b.y if b.yanchor == "bottom" else b.y - 0.08 * (high - low)
            assert abs(top_a - top_b) >= 0.08 * (high - low), (name, a.text, b.text)


@pytest.mark.parametrize("dark, name, fig", ALL, ids=IDS)
def test_every_trace_has_a_chinese_name_and_hover_with_units(dark, name, fig):
    for trace in fig.data:
        assert trace.name and not re.match(r"trace", trace.name), (name, trace.name)
        if trace.hoverinfo == "skip":  # a legend entry for a drawn line: nothing to hover
            continue
        template = trace.hovertemplate or ""
        assert template and "<extra></extra>" in template, (name, trace.name, template)
        assert re.search(r"[\u4e00-\u9fff]", template), (name, template)
        assert not re.search(r"(^|<br>)[xy]=", template), (name, template)
        formatted = re.findall(r"%\{[xy]:,?\.\d+f\}", template)  # 2,952 / 4.43
        years = re.findall(r"%\{(?:[xy]|customdata)\}年", template)
        assert formatted or years, (name, template)
        text = template.replace("<extra></extra>", "")
        unit = re.search(r"%\{(?:[xy]|customdata)(:[^}]*)?\}\s*(%|元|人|个|年|户)", text)
        assert unit or name == "measures", (name, template)


def colour_groups(fig):
    """The (colour, legend name) of every mark that carries a colour."""
    for trace in fig.data:
        color = trace.marker.color if trace.type in ("bar", "scatter", "histogram") else None
        yield trace, color


@pytest.mark.parametrize("dark, name, fig", ALL, ids=IDS)
def test_every_colour_that_means_something_is_in_the_legend(dark, name, fig):
    shown = [t for t in fig.data if t.showlegend is not False]
    for trace in fig.data:
        if trace.type == "waterfall":  # rises and falls: each bar says its sign (+491, -220)
            assert all(str(t)[:1] in "+-" for t in trace.text[1:-1]), name
            continue
        color = trace.marker.color
        # one colour per trace: a list of colours inside one trace has no legend entry
        assert not isinstance(color, (list, tuple)), (name, trace.name)
    if len(fig.data) > 1:  # (an empty chart hides its legend: nothing is drawn)
        assert fig.layout.showlegend is not False and len({t.name for t in shown}) == len(shown), name
    # a dashed line drawn as a shape is named by a legend entry or a label beside it
    for shape in fig.layout.shapes:
        named = [t for t in fig.data if t.hoverinfo == "skip" and t.line.dash == shape.line.dash]
        labelled = [a for a in fig.layout.annotations if a.yref == "y" and a.y == shape.y0]
        assert named or labelled, (name, shape)
    if len(fig.data) == 1 and fig.data[0].type == "bar":
        assert fig.layout.title.text or dark, name


def test_colour_bands_have_legend_entries():
    fig = charts.build_income_progress_by_township(TOWNS, 2016)
    assert [t.name for t in fig.data] == ["已达到目标（≥100%）", "完成过半", "未完成一半", "达到目标 100%"]
    fig = charts.build_relapse_by_township(TOWNS, 5.0, "返贫率")
    assert [t.name for t in fig.data] == ["未超过5%上限", "超过5%上限"]
    fig = charts.build_exit_years_by_township(TOWNS, 3.0)
    assert [t.name for t in fig.data] == ["计划摘帽年份", "按期降至3%以下", "逾期降至3%以下", "尚未降至3%以下"]


def test_late_and_missed_marks_take_the_verdict_palette():
    from analytics.verdicts import VERDICT_COLORS, verdict_rgb

    fig = charts.build_exit_years_by_township(TOWNS, 3.0)
    colours = {t.name: t.marker.color for t in fig.data[1:]}
    assert colours["逾期降至3%以下"] == verdict_rgb("missed_late")
    assert colours["尚未降至3%以下"] == verdict_rgb("missed")
    late, missed = VERDICT_COLORS["missed_late"], VERDICT_COLORS["missed"]
    # apart in lightness, not only in hue (read by a colour-blind viewer too)
    assert colors.contrast(f"rgb({late[0]},{late[1]},{late[2]})",
                           f"rgb({missed[0]},{missed[1]},{missed[2]})") >= 2.5


LONG_NUMBER = re.compile(r"(?<![\d,.])\d{4,}(?!\s*年|[\d,.]*\s*年)")


def texts(fig) -> list[str]:
    out = [fig.layout.title.text or "", fig.layout.xaxis.title.text or "", fig.layout.yaxis.title.text or ""]
    out += [a.text for a in fig.layout.annotations]
    for trace in fig.data:
        out.append(trace.name or "")
        if trace.text is not None and not isinstance(trace.text, str):
            out += [str(t) for t in trace.text]
    return out


@pytest.mark.parametrize("dark, name, fig", ALL, ids=IDS)
def test_counts_in_labels_have_thousands_separators(dark, name, fig):
    for text in texts(fig):
        assert not LONG_NUMBER.search(text), (name, text)


@pytest.mark.parametrize("dark, name, fig", [a for a in ALL if a[0]], ids=[i for i in IDS if i.startswith("dark")])
def test_every_annotation_reads_on_the_dark_screen(dark, name, fig):
    for a in fig.layout.annotations:
        assert a.font.color, (name, a.text)
        assert colors.contrast(a.font.color, colors.DARK_BACKGROUND) >= 4.5, (name, a.text, a.font.color)


@pytest.mark.parametrize("year", [2014, 2015])
def test_an_empty_early_year_says_why(year):
    exits = EXITS[EXITS["year"] <= year].assign(exited_persons=0, planned_persons=np.nan)
    towns = TOWNS.assign(relapse_rate_pct=np.nan, income_progress_pct=0.0)
    early = SERIES[SERIES["year"] <= year].assign(relapse_rate_pct=np.nan)
    for fig in (charts.build_exits_vs_plan(exits, dark=True),
                charts.build_relapse_by_township(towns, 5.0, "返贫率", dark=True),
                charts.build_income_progress_by_township(towns, year, dark=True,
                                                         empty_note=f"{year} 年为基线年"),
                charts.build_trend(early, "relapse_rate_pct", "返贫率", "返贫率（%）",
                                   targets=[(5.0, "上限 5%")], series_name="返贫率", dark=True)):
        notes = [a.text for a in fig.layout.annotations if a.name == "empty_note"]
        assert len(notes) == 1 and re.search(r"[\u4e00-\u9fff]{2}", notes[0]), notes
        assert not fig.layout.yaxis.showticklabels and fig.layout.showlegend is False
        assert all(t.text is None and t.texttemplate is None for t in fig.data if t.type == "bar")


def test_a_chart_with_values_has_no_empty_note():
    for _, name, fig in ALL:
        assert not [a for a in fig.layout.annotations if a.name == "empty_note"], name


@pytest.mark.parametrize("name", ["exits", "relapse_towns", "income_progress", "exit_years", "trend_relapse_early"])
def test_scaled_scales_what_the_eye_compares(name):
    fig = dict(figures(True))[name]
    big = charts.scaled(fig, 2)
    assert big.layout.font.size == 2 * fig.layout.font.size
    assert big.layout.legend.font.size == 2 * fig.layout.font.size
    for axis, small in ((big.layout.yaxis, fig.layout.yaxis), (big.layout.xaxis, fig.layout.xaxis)):
        # the title is placed from the tick labels' measured size, at twice the distance
        assert small.automargin and axis.automargin
        assert axis.title.standoff == 2 * small.title.standoff
    for b, s in zip(big.data, fig.data):
        if s.type == "scatter" and s.mode and "markers" in s.mode:
            assert b.marker.size == 2 * (s.marker.size or 6)
    assert big.layout.legend.itemwidth == 60
    assert fig.layout.font.size == 22  # the original is left alone (it is shared)


@pytest.mark.parametrize("dark, name, fig", [a for a in ALL if a[0]], ids=[i for i in IDS if i.startswith("dark")])
def test_every_line_and_legend_key_shows_on_the_dark_screen(dark, name, fig):
    for shape in fig.layout.shapes:
        assert colors.contrast(shape.line.color, colors.DARK_BACKGROUND) >= 3, (name, shape.line.color)
    for trace in fig.data:
        if trace.hoverinfo == "skip":  # a drawn line's legend key
            assert colors.contrast(trace.line.color, colors.DARK_BACKGROUND) >= 3, (name, trace.name)


@pytest.mark.parametrize("name", ["histogram", "causes", "village_gap", "funnel"])
def test_an_x_axis_of_yuan_or_persons_separates_thousands(name):
    assert dict(figures(False))[name].layout.xaxis.separatethousands is True


@pytest.mark.parametrize("color", [charts.TARGET, charts.BAD, charts.WARN, charts.GOOD, charts.PLAN, "#ffffff"])
@pytest.mark.parametrize("background", [colors.DARK_BACKGROUND, colors.LIGHT_BACKGROUND])
def test_readable_on_reaches_the_contrast_on_either_background(color, background):
    out = colors.readable_on(color, background)
    assert colors.contrast(out, background) >= 4.5, (color, background, out)
    if colors.contrast(color, background) >= 4.5:
        assert out == color  # a colour that reads is left alone


def test_a_share_axis_stops_at_100_percent():
    """Shares never pass 100 %: the axis ends there (no 110 % tick); the target's label is
    under its line, inside the plot; a point at 100 % is drawn whole on the edge."""
    frame = SERIES.assign(a=[70.0, 80, 90, 99, 100, 100, 100], b=[40.0, 45, 50, 52, 55, 57, 60])
    fig = plan_charts.build_share_trend(frame, {"a": "住房安全有保障"}, "占比")
    assert fig.layout.yaxis.range[1] == 100 and all(t.cliponaxis is False for t in fig.data)
    lower = plan_charts.build_share_trend(frame, {"b": "低保占比"}, "占比", None)
    assert 60 < lower.layout.yaxis.range[1] <= 100


def test_a_small_villages_waterfall_labels_only_its_bars():
    """In a small village most terms are 0: they carry no "+0" label to crowd the others."""
    fig = plan_charts.build_poor_change_waterfall(pd.Series(
        {"poor_persons_before": 31, "poor_persons": 40, "delta_exits": -3, "delta_relapses": 7,
         "delta_new": 5, "delta_reentered": 0, "delta_removed": 0, "delta_size": 0}),
        {"delta_exits": "脱贫退出", "delta_relapses": "返贫", "delta_new": "新识别", "delta_reentered": "重新纳入",
         "delta_removed": "自然减少的贫困人口", "delta_size": "家庭人口变化"}, 2016)
    assert list(fig.data[0].text) == ["31", "-3", "+7", "+5", "", "", "", "40"]
