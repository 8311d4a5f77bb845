"""The analytics beside the headline figures, each against a case computed by hand
(tests/hand_dataset.py for the database-backed ones)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics import households, metrics, pairing
from analytics.config import load_config
from analytics.households import (
    household_file,
    household_income_bands,
    household_list,
    income_band_width,
    village_table,
)
from analytics.scores import grade, township_league
from analytics.store import Store, write_dataset
from tests.reference import cadre_quota, household_incomes
from tests.hand_dataset import T1, T2, V1, V2, hand_tables


@pytest.mark.parametrize("poor, population, expected", [
    (30, 1000, 1),     # 30/1000 = 3.0 % is not below 3 %: one more must exit
    (29, 1000, 0),     # 2.9 %
    (0, 0, 0),         # no population
    (10, 300, 2),      # ⌈9⌉ − 1 = 8 allowed
    (5, 50, 4),        # ⌈1.5⌉ − 1 = 1 allowed
    (100, 3333, 1),    # ⌈99.99⌉ − 1 = 99 allowed
])
def test_persons_to_exit_threshold(poor, population, expected):
    assert metrics.persons_to_exit_threshold(poor, population) == expected


def test_target_progress_and_required_growth():
    progress = metrics.target_progress_pct(pd.Series([4000.0, 6811.0, 7000.0]), 4000.0, 6811.0)
    assert list(progress) == pytest.approx([0.0, 100.0, 100 * 3000 / 2811])
    assert math.isnan(metrics.target_progress_pct(5.0, 5.0, 5.0).iloc[0])
    growth = metrics.required_annual_growth_pct(pd.Series([5000.0, 7000.0, 6000.0]), 6050.0,
                                                pd.Series([2, 2, 0]))
    assert growth.iloc[0] == pytest.approx(10.0)  # 5000 × 1.1² = 6050
    assert growth.iloc[1] == 0.0                 # already met
    assert math.isnan(growth.iloc[2])            # no time left, not met


def test_exits_against_plan(hand_store):
    frame = metrics.exits_against_plan(hand_store).set_index("year")
    assert frame.loc[2015, "exited_persons"] == 7
    assert frame.loc[2015, "planned_persons"] == 20000
    assert frame.loc[2015, "persons_vs_plan_pct"] == pytest.approx(100 * 7 / 20000)
    assert frame.loc[2015, "exited_villages"] == 1     # V1 announced in 2015
    assert frame.loc[2016, "planned_villages"] == 1    # V3's planned year
    assert frame.loc[2015, "exited_townships"] == 1    # T1: 1.0 % in 2015
    assert frame.loc[2016, "exited_townships"] == 1    # T2: 10 % in 2015, 0 % in 2016
    assert not frame.loc[2014, "has_plan"] and frame.loc[2017, "has_plan"]


def test_relapse_by_cause_adds_up_to_the_rate(hand_store):
    frame = metrics.relapse_by_cause(hand_store)
    year = frame[frame["year"] == 2016].set_index("relapse_cause")
    assert year.loc["因病", "relapse_rate_pct"] == pytest.approx(100 * 4 / 7)
    assert year.loc["未填", "relapse_rate_pct"] == pytest.approx(100 * 1 / 7)
    assert year["relapse_rate_pct"].sum() == pytest.approx(100 * 5 / 7)
    assert metrics.relapse_by_cause(hand_store, townships=(T2,)).empty


def test_cohort_relapse(hand_store):
    frame = metrics.cohort_relapse(hand_store).set_index(["cohort_year", "year"])
    # the 2015 cohort: H1 (4), H2 (2), H5 (1); in 2016 H1 and H5 are poor again
    assert frame.loc[(2015, 2016), "cohort_persons"] == 7
    assert frame.loc[(2015, 2016), "poor_again_pct"] == pytest.approx(100 * 5 / 7)
    # in 2017 H1 has re-exited: only H5 is poor
    assert frame.loc[(2015, 2017), "poor_again_pct"] == pytest.approx(100 * 1 / 7)
    assert frame.loc[(2016, 2017), "poor_again_pct"] == 0.0


def test_income_progress(hand_store):
    county = metrics.figures_by_level(hand_store, "county")
    frame = metrics.income_progress(county).set_index("year")
    base = (4 * 2000 + 2 * 2800 - 3 * 100 + 2000) / 10
    value = frame.loc[2016, "registered_income_per_capita"]
    assert frame.loc[2016, "registered_income_per_capita_progress_pct"] == pytest.approx(
        100 * (value - base) / (3700 - base))
    assert frame.loc[2016, "registered_income_per_capita_growth_needed_pct"] == pytest.approx(
        100 * (3700 / value - 1))


def test_combined_scopes_equal_the_township(hand_store):
    one = metrics.selection_figures(hand_store, townships=(T1,)).set_index("year")
    both = metrics.selection_figures(hand_store, villages=(V1, V2)).set_index("year")
    for column in ("poverty_incidence_pct", "relapse_rate_pct", "rural_income_per_capita",
                   "registered_income_per_capita", "fgt0", "fgt1", "fgt2", "watts",
                   "wage_share_pct", "persons_to_threshold"):
        pd.testing.assert_series_equal(one[column], both[column], check_names=False,
                                       check_dtype=False)
    assert both["gini"].isna().all()


def test_cadre_quota_and_coverage(hand_store):
    quota = cadre_quota(hand_store)
    c2 = quota[(quota["cadre_id"] == "C2") & (quota["year"] == 2014)].iloc[0]
    assert c2["households"] == 2 and c2["quota"] == 1 and c2["over_quota"]
    coverage = pairing.cadre_coverage(households.household_counts(hand_store))
    county = coverage[(coverage["scope_code"] == "total")].set_index("year")
    assert county.loc[2015, "coverage_pct"] == pytest.approx(80.0)  # H4 has no cadre


def test_village_table_and_checklist(hand_store):
    table = village_table(hand_store, 2016, townships=(T1,)).set_index("village_code")
    assert list(table.index) == [V1, V2]
    assert table.loc[V1, "poor_persons"] == 4
    assert table.loc[V1, "persons_to_threshold"] == 2  # 4 poor, 100 people: 2 allowed
    assert table.loc[V1, "items_done"] == 4           # road, water, power, clinic (i > 1)


def test_household_list_is_masked_unless_allowed(hand_store):
    masked = household_list(hand_store, 2014, (V1,))
    assert list(masked["head_name"]) == ["张*", "李*", "王*"]
    assert masked["head_id_number"].str.fullmatch(r"6211\*{10}\d{3}[\dX]").all()
    assert (masked["poverty_cause"] == "＊").all()
    raw = household_list(hand_store, 2014, (V1,), unmasked=True)
    assert raw["head_name"].iloc[0] == "张三"


def test_household_file_respects_the_township_scope(hand_store):
    record = household_file(hand_store, "H1")
    assert list(record.years["year"]) == [2014, 2015, 2016, 2017]
    assert record.head["cadre_name"] == "王**"
    assert household_file(hand_store, "H1", townships=(T2,)) is None


def test_grades_and_league(hand_store):
    assert [grade(s) for s in (95, 90, 85, 70, 69.9)] == ["好", "好", "较好", "一般", "较差"]
    towns = metrics.figures_by_level(hand_store, "township")
    league = township_league(towns, hand_store.query("townships"), 2016)
    assert list(league["rank"]) == [1, 2]
    t1 = league.set_index("township_code").loc[T1]
    assert t1["relapse_points"] == 0.0  # 71 % relapse is beyond 2 × the cap
    assert t1["light"] == "red"


@pytest.mark.parametrize("fixture", ["hand_store", "demo_store"])
def test_income_bands_in_sql_equal_the_household_incomes(request, fixture):
    store = request.getfixturevalue(fixture)
    for year, line in load_config().poverty_line.items():
        for scope in ({}, {"townships": (T1,)}):
            incomes = household_incomes(store, year, **scope)
            width = income_band_width(line)
            expected = (incomes.assign(band=np.floor(incomes["income"] / width).astype("int64"))
                        .groupby("band")["members"].agg(["size", "sum"]))
            bands = household_income_bands(store, year, line, **scope).set_index("band")
            assert list(bands.index) == list(expected.index)
            assert list(bands["households"]) == list(expected["size"])
            assert list(bands["persons"]) == list(expected["sum"])
            # each midpoint lies inside its band: a histogram of bin size w draws the same bars
            assert ((bands["income"] // width) == bands.index).all()
            assert bands["members"].sum() == incomes["members"].sum()


@pytest.mark.parametrize("fixture", ["hand_store", "demo_store"])
def test_cadres_over_quota_in_sql_equal_the_quota_table(request, fixture):
    store = request.getfixturevalue(fixture)
    quota = cadre_quota(store)
    expected = quota[quota["over_quota"]].reset_index(drop=True)
    over = metrics.cadres_over_quota(store)
    assert len(over) > 0
    pd.testing.assert_frame_equal(over[list(expected.columns)], expected, check_dtype=False)
    # a viewer restricted to some townships: the small table built at import
    # (cadre_over_quota_villages) answers as the households of those townships do
    found = 0
    for code in store.query("townships")["township_code"]:
        scoped = store.scoped((code,))
        quota = cadre_quota(scoped)
        expected = quota[quota["over_quota"]].reset_index(drop=True)
        over = metrics.cadres_over_quota(scoped)
        found += len(over)
        pd.testing.assert_frame_equal(over[list(expected.columns)].reset_index(drop=True), expected,
                                      check_dtype=False)
    assert found > 0


def test_unknown_guarantees_show_as_no_data_never_as_met_or_unmet(tmp_path):
    """两不愁三保障 may be null (unknown, contract): the household list says 无数据 when no
    guarantee is known to be unmet, the household file says 无数据 for the unknown one."""

    tables = hand_tables()
    hy = tables["household_years"]
    hy["medical_secure"] = hy["medical_secure"].astype(object)
    unknown = (hy["household_id"] == "H2") & (hy["year"] == 2015)  # exited: others met
    hy.loc[unknown, "medical_secure"] = None
    write_dataset(tables, tmp_path / "u.duckdb", source="hand")
    store = Store(tmp_path / "u.duckdb")
    listed = household_list(store, 2015, (V1,), unmasked=True).set_index("household_id")
    assert listed.loc["H2", "all_secure"] == "无数据"
    assert listed.loc["H1", "all_secure"] == "是"    # exited in 2015: every guarantee met
    assert listed.loc["H3", "all_secure"] == "否"    # poor: none met
    years = household_file(store, "H2").years.set_index("year")
    assert years.loc[2015, "medical_secure"] == "无数据"
    assert years.loc[2015, "housing_secure"] == "是" and years.loc[2014, "housing_secure"] == "否"
