"""Projections of incidence and income, against cases computed by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.projections import linear_projection, log_linear_projection, township_projections


def test_log_linear_projection_of_an_exact_trend():
    # 30 % falling by half each year: 30, 15, 7.5 → 2017: 3.75, 2018: 1.875
    centre, low, high = log_linear_projection([2014, 2015, 2016], [30, 15, 7.5], 2018)
    assert centre == pytest.approx(1.875)
    # a perfect fit of three years is not certain: the s.e. never falls below 0.25, so the
    # band is 1.645 · 0.25 · √(1 + 1/3 + (2018 − 2015)² / 2) = 0.99327 on the log scale
    spread = 1.645 * 0.25 * math.sqrt(1 + 1 / 3 + 9 / 2)
    assert low == pytest.approx(1.875 * math.exp(-spread)) and high == pytest.approx(1.875 * math.exp(spread))


def test_log_linear_band_widens_with_noise_and_distance():
    years, values = [2014, 2015, 2016, 2017], [30, 18, 14, 7]
    near = log_linear_projection(years, values, 2018)
    far = log_linear_projection(years, values, 2020)
    assert near[2] / near[1] < far[2] / far[1]


def test_degenerate_inputs():
    assert all(math.isnan(v) for v in log_linear_projection([2014, 2015], [0, 0], 2017))
    centre, low, high = log_linear_projection([2016], [10.0], 2017)
    assert centre == pytest.approx(10.0) and low < 10 < high
    assert linear_projection([2014, 2015], [2000, 2400], 2017) == pytest.approx(3200)
    assert linear_projection([2014, 2015], [math.nan, 2400], 2017) == 2400


def test_township_flags():
    figures = pd.DataFrame({
        "scope_code": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
        "year": [2014, 2015, 2016] * 3,
        "poverty_incidence_pct": [30, 15, 7.5, 30, 28, 26, 20, 10, 2.5],
        "registered_income_per_capita": [2000, 2500, 3000, 2000, 2100, 2200, 2000, 2600, 3200],
    })
    towns = pd.DataFrame({"township_code": ["a", "b", "c"], "name": ["甲", "乙", "丙"],
                          "planned_exit_year": [2018, 2018, 2016]})
    frame = township_projections(figures, towns, 2016).set_index("township_code")
    assert frame.loc["a", "projected_incidence_pct"] == pytest.approx(1.875)
    assert frame.loc["a", "on_track"] and frame.loc["a", "verdict"] == "on_track"
    assert not frame.loc["b", "on_track"] and frame.loc["b", "verdict"] == "behind"
    # due in 2016 and below 3 % then: the result, not a forecast
    assert frame.loc["c", "verdict"] == "met" and pd.isna(frame.loc["c", "projected_incidence_pct"])
    assert frame.loc["a", "projected_income"] == pytest.approx(3500)  # +500 a year to 2017
    assert not frame.loc["a", "income_on_track"]  # 3500 < 3700
    assert frame.loc["c", "projected_income"] == pytest.approx(3800)
    assert frame.loc["c", "income_on_track"]
