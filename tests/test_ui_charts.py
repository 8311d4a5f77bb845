"""Figures are built once per distinct input and shared between sessions (ui/charts.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import charts
from ui.charts import figure

SERIES = pd.DataFrame({"year": [2014, 2015, 2016], "poverty_incidence_pct": [28.0, 22.5, 15.1]})


def test_same_inputs_share_one_figure_and_other_inputs_do_not():
    first = figure(charts.build_trend, SERIES, "poverty_incidence_pct", "贫困发生率", "%",
                   targets=[(5.0, "目标 5%")])
    again = figure(charts.build_trend, SERIES.copy(), "poverty_incidence_pct", "贫困发生率", "%",
                   targets=[(5.0, "目标 5%")])
    assert again is first
    changed = SERIES.assign(poverty_incidence_pct=[28.0, 22.5, 15.0])  # one value differs
    other = figure(charts.build_trend, changed, "poverty_incidence_pct", "贫困发生率", "%",
                   targets=[(5.0, "目标 5%")])
    assert other is not first
    assert list(other.data[0].y) == [28.0, 22.5, 15.0]
    relabelled = figure(charts.build_trend, SERIES, "poverty_incidence_pct", "贫困发生率", "%",
                        targets=[(3.0, "退出线 3%")])
    assert relabelled is not first
    assert [a.text for a in relabelled.layout.annotations] == ["退出线 3%"]


def test_the_cached_figure_equals_a_fresh_build():
    cached = figure(charts.build_exits_vs_plan,
                    pd.DataFrame({"year": [2015], "exited_persons": [18013], "planned_persons": [20000]}))
    fresh = charts.build_exits_vs_plan(
        pd.DataFrame({"year": [2015], "exited_persons": [18013], "planned_persons": [20000]}))
    assert cached.to_dict() == fresh.to_dict()


def test_only_builders_of_analytics_charts_are_accepted():
    def build_trend(*args):  # same name, not the builder
        return None

    with pytest.raises(ValueError):
        figure(build_trend, SERIES)


@pytest.mark.parametrize("targets, expected", [
    # two close targets (县目标 6811, 省目标 7000): the lower label below its line, the
    # higher above, on opposite sides, so neither prints on the other line
    ([(7000, "省目标"), (6811, "县目标")], [(6811, "县目标", "bottom left"), (7000, "省目标", "top right")]),
    ([(5, "目标"), (3, "退出线"), (8, "省目标")],
     [(3, "退出线", "bottom left"), (5, "目标", "top right"), (8, "省目标", "top left")]),
    ([(5, "上限")], [(5, "上限", "top left")]),
])
def test_target_labels_never_sit_on_a_neighbouring_line(targets, expected):
    assert charts.target_label_positions(targets) == expected


def test_histogram_names_the_two_lines_in_its_legend():
    # a vertical line's label beside it ran into the bars or out of the plot: the legend
    # names each line instead (with separators)
    bands = pd.DataFrame({"income": [2000.0, 3000.0, 4500.0], "members": [3, 4, 5]})
    fig = charts.build_income_histogram(bands, 3000.0, 2016, 1.7)
    assert not fig.layout.annotations
    lines = {t.name: t.line.dash for t in fig.data if t.type == "scatter"}
    assert lines == {"贫困线 3,000元": "dash", "监测线（1.7倍，5,100元）": "dash"}
    assert [s.x0 for s in fig.layout.shapes] == [3000.0, 3000.0 * 1.7]
