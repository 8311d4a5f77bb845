"""Honest data: the comprehensive incidence and the funnel, against hand-computed cases."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.comprehensive_incidence import comprehensive_incidence
from analytics.funnel import funnel_limits, overdispersion, village_funnel


def test_comprehensive_incidence_on_the_hand_dataset(hand_store):
    frame = comprehensive_incidence(hand_store).set_index("year")
    # 2014: 10 poor; H4 (5 persons) registered in 2015 was an omission; no exited yet
    assert frame.loc[2014, "late_enrolled_persons"] == 5
    assert frame.loc[2014, "comprehensive_incidence_pct"] == pytest.approx(100 * 15 / 300)
    # 2015: H2 exited at 2900 ≥ 2855 and secure; no suspects; nobody registered later
    assert frame.loc[2015, "wrong_exit_persons"] == 0
    assert frame.loc[2015, "comprehensive_incidence_pct"] == pytest.approx(100 * 8 / 350)


def test_wrong_exits_count_in_the_comprehensive_rate(hand_store, tmp_path):
    from analytics.store import Store, write_dataset
    from tests.hand_dataset import hand_tables

    tables = hand_tables()
    years = tables["household_years"]
    years.loc[(years["household_id"] == "H2") & (years["year"] == 2016), "net_income_per_capita"] = 2000
    write_dataset(tables, tmp_path / "w.duckdb", source="w")
    frame = comprehensive_incidence(Store(tmp_path / "w.duckdb")).set_index("year")
    assert frame.loc[2016, "wrong_exit_persons"] == 2  # H2, exited, 2000 < 2952
    assert frame.loc[2016, "comprehensive_incidence_pct"] == pytest.approx(100 * (5 + 2) / 350)


def test_funnel_limits_by_hand():
    low, high = funnel_limits(0.1, [100, 400], 1.96)
    assert high[0] == pytest.approx(0.1 + 1.96 * math.sqrt(0.09 / 100))
    assert high[1] - 0.1 == pytest.approx((high[0] - 0.1) / 2)  # four times the people: half the width
    assert low[0] == pytest.approx(max(0.0, 0.1 - 1.96 * 0.03))


def test_one_household_does_not_turn_a_small_village_red():
    villages = pd.DataFrame({
        "village_code": ["small", "big", "normal1", "normal2", "normal3"],
        "village_name": list("甲乙丙丁戊"),
        "registered_population": [20, 2000, 1000, 1000, 1000],
        "poor_persons": [4, 400, 100, 100, 100],   # small: 20 % (one household of 2 more)
        "poverty_incidence_pct": [20.0, 20.0, 10.0, 10.0, 10.0],
    })
    frame = village_funnel(villages, 10.0).set_index("village_code")
    assert frame.loc["small", "funnel"] == "正常"
    assert frame.loc["big", "funnel"] == "显著偏高"
    assert frame.loc["normal1", "funnel"] == "正常"


def test_overdispersion_is_at_least_one():
    assert overdispersion([0.1, 0.1], [100, 100], 0.1) == 1.0
    assert overdispersion([0.05, 0.3, 0.1, 0.2, 0.01], [1000] * 5, 0.1) > 1.0
