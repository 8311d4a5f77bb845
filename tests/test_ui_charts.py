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
