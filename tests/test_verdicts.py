"""The one verdict per township and year (analytics/verdicts.py), on hand-made townships,
and the county targets judged in their own year. Expected values computed by hand."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from analytics.projections import log_linear_projection
from analytics.verdicts import (
    VERDICTS,
    campaign_finished,
    days_left_in_year,
    scope_verdicts,
    target_judgement,
    verdict_counts,
)

NAN = math.nan
# incidence (%) by year 2014…2018 and the planned exit year (None: the plan names none)
TOWNS = {
    "due2016_met": ([30, 15, 2.5, 2.0, 1.0], 2016),
    "due2016_missed_reached2018": ([30, 20, 10, 5, 2], 2016),
    "due2017_behind": ([30, 29, 28, 27, 26], 2017),
    "due2017_on_track": ([30, 12, 6, 2.9, 2.0], 2017),
    "unnamed": ([30, 15, 6, 3.0, 2.5], None),   # due with the county: 2017; 3.0 is not below 3
    "already_below": ([2.0, 1.5, 1.0, 1.0, 1.0], 2017),
    "no_data_2016": ([30, 20, NAN, 2.0, 1.0], 2017),
}
RELAPSE = {"due2016_met": [NAN, 1.0, 6.0, 2.0, 2.0]}  # over the 5 % cap in 2016


def figures() -> pd.DataFrame:
    rows = []
    for code, (values, _) in TOWNS.items():
        for i, value in enumerate(values):
            rows.append({"scope_code": code, "year": 2014 + i, "poverty_incidence_pct": value,
                         "relapse_rate_pct": RELAPSE.get(code, [NAN, 1, 1, 1, 1])[i]})
    return pd.DataFrame(rows)


def planned() -> pd.Series:
    return pd.Series({code: plan for code, (_, plan) in TOWNS.items()}, dtype="Float64")


@pytest.mark.parametrize("code, year, verdict, due, reached, text", [
    # the baseline year: no verdict
    ("due2016_met", 2014, "baseline", 2016, None, "基线"),
    ("due2017_behind", 2014, "baseline", 2017, None, "基线"),
    # due in 2016, met; after 2016 it stays "met in 2016"
    ("due2016_met", 2016, "met", 2016, 2016, "按期达标：2016年摘帽目标达到"),
    ("due2016_met", 2018, "met", 2016, 2016, "按期达标：2016年摘帽目标达到"),
    # due in 2016, missed; still above in 2017; below 3 % in 2018
    ("due2016_missed_reached2018", 2016, "missed", 2016, None, "未达标：2016年摘帽目标未达到"),
    ("due2016_missed_reached2018", 2017, "missed", 2016, None, "未达标：2016年摘帽目标未达到 · 至2017年仍高于3%"),
    ("due2016_missed_reached2018", 2018, "missed_late", 2016, 2018,
     "逾期达标：2016年摘帽目标未达到 · 2018年降至3%以下"),
    # due in 2017: 30 → 29 projects to 30·(29/30)³ ≈ 27.1 % in 2017: behind
    ("due2017_behind", 2015, "behind", 2017, None, "落后于计划（2017年摘帽）"),
    # 30 → 12 projects to 30·0.4³ = 1.92 % in 2017: on track
    ("due2017_on_track", 2015, "on_track", 2017, None, "按期推进（2017年摘帽）"),
    ("due2017_on_track", 2017, "met", 2017, 2017, "按期达标：2017年摘帽目标达到"),
    # a township the plan does not name is due with the county (2017): 30, 15, 6 fit
    # ln I = 3.401 − 0.805·(t − 2014) + …, e^(2.634 − 0.805·2) ≈ 2.78 % in 2017; 3.0 is not < 3
    ("unnamed", 2016, "on_track", 2017, None, "按期推进（2017年摘帽）"),
    ("unnamed", 2017, "missed", 2017, None, "未达标：2017年摘帽目标未达到"),
    ("unnamed", 2018, "missed_late", 2017, 2018, "逾期达标：2017年摘帽目标未达到 · 2018年降至3%以下"),
    # below 3 % already before its year: on track
    ("already_below", 2015, "on_track", 2017, 2014, "按期推进（2017年摘帽）"),
    # no incidence that year
    ("no_data_2016", 2016, "no_data", 2017, None, "无数据"),
])
def test_verdict_rules(code, year, verdict, due, reached, text):
    got = scope_verdicts(figures(), planned(), year).set_index("scope_code").loc[code]
    assert got["verdict"] == verdict
    assert got["due_year"] == due
    assert (None if pd.isna(got["reached_year"]) else int(got["reached_year"])) == reached
    assert got["verdict_text"] == text
    assert got["verdict_label"] == VERDICTS[verdict]
    forecast = verdict in ("on_track", "behind")
    assert pd.notna(got["projected_pct"]) == forecast  # a forecast only before the due year


def test_over_cap_is_a_flag_beside_the_verdict():
    got = scope_verdicts(figures(), planned(), 2016).set_index("scope_code").loc["due2016_met"]
    assert got["verdict"] == "met" and bool(got["over_cap"])
    assert got["light"] == "red"  # the light shows the cap; the verdict is kept
    assert not scope_verdicts(figures(), planned(), 2017).set_index("scope_code").loc[
        "due2016_met", "over_cap"]


def test_projection_band_is_never_of_zero_width_and_equals_the_reference():
    frame = figures()
    got = scope_verdicts(frame, planned(), 2016).set_index("scope_code")
    for code in ("due2017_behind", "due2017_on_track", "unnamed"):
        history = frame[(frame["scope_code"] == code) & (frame["year"] <= 2016)]
        centre, low, high = log_linear_projection(history["year"], history["poverty_incidence_pct"], 2017)
        assert got.loc[code, "projected_pct"] == pytest.approx(centre, rel=1e-12)
        assert got.loc[code, "projected_low_pct"] == pytest.approx(low, rel=1e-12)
        assert got.loc[code, "projected_high_pct"] == pytest.approx(high, rel=1e-12)
        assert got.loc[code, "projected_high_pct"] > got.loc[code, "projected_low_pct"]


def test_verdict_counts():
    counts = verdict_counts(scope_verdicts(figures(), planned(), 2017))
    # 2017: met due2016_met, due2017_on_track, already_below, no_data_2016 (2.0 in 2017);
    # missed: due2016_missed (5 %), due2017_behind, unnamed (3.0)
    assert counts["met"] == 4 and counts["missed"] == 3 and counts["missed_late"] == 0
    assert counts["over_cap"] == 0
    assert counts["above_threshold"] == 3


SERIES = pd.DataFrame({"year": [2014, 2015, 2016, 2017, 2018, 2019],
                       "poverty_incidence_pct": [28.0, 20.0, 12.0, 9.09, 4.5, 2.0],
                       "registered_income_per_capita": [2000, 2600, 3200, 3750, 4100, 4500]})


@pytest.mark.parametrize("column, target, comparison, year, state, text", [
    ("poverty_incidence_pct", 5.0, "<", 2016, "pending", "2017年目标 <5%"),
    ("poverty_incidence_pct", 5.0, "<", 2017, "missed", "2017年目标：未达标（9.09%）"),
    ("poverty_incidence_pct", 5.0, "<", 2019, "missed",
     "2017年目标：未达标（9.09%） · 2018年降至5%以下"),
    ("poverty_incidence_pct", 4.0, "<", 2018, "missed", "2017年目标：未达标（9.09%） · 至2018年仍未达到"),
    ("registered_income_per_capita", 3700.0, ">=", 2020, "met", "2017年目标：达标（3,750元）"),
    ("registered_income_per_capita", 3800.0, ">=", 2019, "missed",
     "2017年目标：未达标（3,750元） · 2018年达到3,800元"),
])
def test_targets_are_judged_in_their_own_year(column, target, comparison, year, state, text):
    unit, decimals = ("%", 2) if comparison == "<" else ("元", 0)
    judgement = target_judgement(SERIES, column, target, comparison, 2017, year, unit, decimals)
    assert judgement.state == state
    assert judgement.text == text


@pytest.mark.parametrize("year, today, left", [
    (2020, date(2026, 12, 3), None),      # a finished data year: no countdown
    (2026, date(2026, 12, 3), 28),
    (2017, date(2017, 1, 1), 364),
])
def test_countdown_counts_to_the_end_of_the_data_year(year, today, left):
    assert days_left_in_year(year, today) == left


def test_campaign_finished_after_the_target_year():
    assert not campaign_finished(2017) and campaign_finished(2018)


def test_pages_open_on_the_campaign_year_when_config_names_one(tmp_path, monkeypatch):
    from analytics.config import CONFIG_PATH
    from analytics.verdicts import default_year

    assert default_year(2014, 2020) == 2020  # shipped: the last year with data
    text = CONFIG_PATH.read_text(encoding="utf-8").replace(
        "# campaign_year = 2017", "campaign_year = 2016")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("TONGWEI_CONFIG", str(path))
    assert default_year(2014, 2020) == 2016
    assert default_year(2017, 2020) == 2020  # a year outside the data is ignored
