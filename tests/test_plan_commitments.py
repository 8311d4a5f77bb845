"""The plan's countable commitments beyond incidence and income (issue 16), computed by
hand on tests/hand_dataset.py and on small hand-made frames.

Hand dataset, 2014–2017 (members in brackets): T1 = 马营 with V1 (H1 [4], H2 [2], H3 [3])
and V2 (H5 [1]); T2 = 鸡川 with V3 (H4 [5], registered 2015). H1 exits 2015, relapses
2016, exits 2017; H2 exits 2015; H3 poor, 低保一类, leaves the register after 2015; H4
exits 2016; H5 exits 2015, relapses 2016. Every guarantee is met exactly when exited. H1
has a measure in 2015, H4 in 2016. H4 has no cadre.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import assistance, guarantees, households, pairing, register_changes, village_targets
from analytics.metrics import figures_by_level
from tests.hand_dataset import T1, T2, V1, V3


@pytest.fixture(scope="module")
def counts(hand_store):
    return households.household_counts(hand_store).set_index(["scope_code", "year"])


def _at(frame, scope, year, column):
    return frame.set_index(["scope_code", "year"]).loc[(scope, year), column]


@pytest.mark.parametrize("scope, year, column, expected", [
    ("total", 2015, "households", 5),      # H1..H5
    ("total", 2016, "households", 4),      # H3 gone
    ("total", 2016, "poor_persons", 5),    # H1 4 + H5 1
    (T1, 2015, "poor_persons", 3),         # H3
    (T2, 2015, "new_households", 1),       # H4
    (T2, 2015, "new_persons", 5),
    (T1, 2016, "removed_households", 1),   # H3, counted in the year it is missing from
    (T1, 2016, "removed_persons", 3),
    (T1, 2016, "removed_poor_persons", 3),
    ("total", 2014, "dibao1_persons", 3),  # H3
    ("total", 2014, "dibao2_households", 1),  # H2
    ("total", 2015, "medical_met", 7),     # H1 4 + H2 2 + H5 1 exited
    ("total", 2015, "medical_unmet", 8),   # H3 3 + H4 5
])
def test_household_counts_by_hand(counts, scope, year, column, expected):
    assert counts.loc[(scope, year), column] == expected


@pytest.mark.parametrize("scope, year, expected", [
    # change = exits + relapses + new + re-entered + removed + size
    ("total", 2015, dict(change=-2, delta_exits=-7, delta_new=5)),        # 10 → 8
    ("total", 2016, dict(change=-3, delta_exits=-5, delta_relapses=5, delta_removed=-3)),
    (T1, 2016, dict(change=2, delta_relapses=5, delta_removed=-3)),      # 3 → 5
    (T2, 2016, dict(change=-5, delta_exits=-5)),                         # H4 exits
    ("total", 2017, dict(change=-4, delta_exits=-4)),                    # H1 exits again
])
def test_poor_change_decomposition_by_hand(counts, scope, year, expected):
    frame = register_changes.poor_change_decomposition(counts.reset_index())
    row = frame.set_index(["scope_code", "year"]).loc[(scope, year)]
    for term in register_changes.DECOMPOSITION_TERMS:
        assert row[term] == expected.get(term, 0), term
    assert row["change"] == expected["change"]
    assert 2014 not in set(frame["year"])  # the baseline register is not a change


def test_decomposition_terms_add_up_to_the_change_on_the_demo(demo_store):
    counts = households.household_counts(demo_store)
    frame = register_changes.poor_change_decomposition(counts)
    terms = frame[list(register_changes.DECOMPOSITION_TERMS)].sum(axis=1)
    assert (terms == frame["change"]).all()
    # removals and new registrations happen in the demo: the identity is not trivial
    assert (frame["delta_removed"] < 0).any() and (frame["delta_new"] > 0).any()


def test_household_counts_agree_with_the_headline_figures(demo_store):
    counts = households.household_counts(demo_store)
    total = counts[counts["scope_code"] == "total"].set_index("year")
    county = figures_by_level(demo_store, "county").set_index("year")
    assert (total["poor_persons"] == county.loc[total.index, "poor_persons"]).all()
    exits = register_changes.poor_change_decomposition(counts)
    exits = exits[exits["scope_code"] == "total"].set_index("year")
    assert (-exits["delta_exits"] == county.loc[exits.index, "exited_persons"]).all()
    assert (exits["delta_relapses"] == county.loc[exits.index, "relapsed_persons"]).all()


def test_guarantee_shares_count_unknown_apart():
    counts = pd.DataFrame({"scope_code": ["total"], "year": [2016], "persons": [10],
                           "households_any_unmet": [1],
                           **{f"{g}_{s}": [v] for g in guarantees.GUARANTEES
                              for s, v in (("met", 6), ("unmet", 1), ("unknown", 3))}})
    shares = guarantees.guarantee_shares(counts).set_index("guarantee")
    assert shares.loc["water", "met_pct"] == pytest.approx(600 / 7)    # of the 7 recorded
    assert shares.loc["water", "unmet_pct"] == pytest.approx(100 / 7)
    assert shares.loc["water", "unknown_pct"] == pytest.approx(30.0)   # 3 of 10 not recorded


def test_a_guarantee_nobody_recorded_has_no_share():
    counts = pd.DataFrame({"scope_code": ["total"], "year": [2018], "persons": [10],
                           "households_any_unmet": [0],
                           **{f"{g}_{s}": [v] for g in guarantees.GUARANTEES
                              for s, v in (("met", 0), ("unmet", 0), ("unknown", 10))}})
    shares = guarantees.guarantee_shares(counts).set_index("guarantee")
    assert pd.isna(shares.loc["water", "met_pct"])                      # unknown, not 0 %
    assert shares.loc["water", "unknown_pct"] == pytest.approx(100.0)


def test_guarantee_gap_list_by_hand(hand_store):
    listed = guarantees.guarantee_gap_list(hand_store, 2016)
    assert list(listed["household_id"]) == ["H1", "H5"]              # the two relapsed
    assert listed["head_name"].tolist() == ["张*", "孙*"]              # masked
    assert listed["unmet"].iloc[0].startswith("不愁吃穿、义务教育有保障")
    assert guarantees.guarantee_gap_list(hand_store, 2016, (T2,)).empty


@pytest.mark.parametrize("scope, year, poor, with_measure, pct", [
    ("total", 2016, 2, 1, 50.0),   # H1 (measure 2015) and H5 (none) poor
    ("total", 2015, 2, 0, 0.0),    # H3 and H4 poor, neither has one yet
    (T2, 2016, 0, 0, None),        # no poor household: no share
])
def test_measure_coverage_by_hand(counts, scope, year, poor, with_measure, pct):
    frame = assistance.measure_coverage(counts.reset_index())
    assert _at(frame, scope, year, "poor_households") == poor
    assert _at(frame, scope, year, "poor_households_with_measure") == with_measure
    value = _at(frame, scope, year, "coverage_pct")
    assert (pd.isna(value) if pct is None else value == pytest.approx(pct))


def test_measure_gap_list_and_counts_by_hand(hand_store):
    assert list(assistance.measure_gap_list(hand_store, 2016)["household_id"]) == ["H5"]
    assert list(assistance.measure_gap_list(hand_store, 2017)["household_id"]) == ["H5"]
    measures = assistance.measure_counts(hand_store)
    row = measures[(measures["scope_code"] == T2) & (measures["year"] == 2016)].iloc[0]
    assert (row["measure"], row["households"], row["amount_yuan"]) == ("教育资助", 1, 2000.0)
    progress = assistance.measure_plan_progress(measures, assistance.scope_measure_plan(hand_store)).set_index(["year", "measure"])
    assert progress.loc[(2015, "危房改造"), "planned"] == 3000      # config [measure_plan]
    assert progress.loc[(2015, "危房改造"), "households"] == 0


@pytest.mark.parametrize("scope, year, one, two, share", [
    ("total", 2014, 1, 1, 50.0),   # H3 一类, H2 二类 of 4 poor
    (T1, 2015, 1, 0, 100.0),       # H3, the only poor household of 马营
    ("total", 2016, 0, 0, 0.0),
])
def test_dibao_by_hand(counts, scope, year, one, two, share):
    frame = assistance.dibao_shares(counts.reset_index())
    assert _at(frame, scope, year, "dibao1_households") == one
    assert _at(frame, scope, year, "dibao2_households") == two
    assert _at(frame, scope, year, "poor_dibao_pct") == pytest.approx(share)


@pytest.mark.parametrize("scope, year, column, expected", [
    ("total", 2015, "coverage_pct", 80.0),        # H4 has no cadre
    ("total", 2015, "poor_coverage_pct", 50.0),   # H3 (cadre) and H4 (none) poor
    (T2, 2016, "poor_coverage_pct", None),
])
def test_cadre_coverage_by_hand(counts, scope, year, column, expected):
    value = _at(pairing.cadre_coverage(counts.reset_index()), scope, year, column)
    assert (pd.isna(value) if expected is None else value == pytest.approx(expected))


@pytest.mark.parametrize("year, item, villages, met, verdict", [
    # hand village_years: road/water/power always; clinic from 2016, broadband in 2017,
    # kindergarten never; online shops = year index; funds 1000 × index
    (2014, "cement_road", 3, 3, None),             # before the deadline: counts only
    (2015, "cement_road", 3, 3, "met"),
    (2017, "clinic", 2, 2, "met"),                 # poor villages V1, V3
    (2017, "kindergarten", 2, 0, "missed"),
    (2015, "online_shops", 1, 1, "met"),           # V1 planned 2015: 1 shop in 2015
    (2016, "mutual_fund_yuan", 2, 0, "missed"),    # 2,000 yuan < 500,000
])
def test_village_targets_by_hand(hand_store, year, item, villages, met, verdict):
    status = village_targets.village_target_status(hand_store)
    counts = village_targets.target_counts(status)
    row = counts[(counts["scope_code"] == "total") & (counts["year"] == year)
                 & (counts["item"] == item)].iloc[0]
    assert (row["villages"], row["met"]) == (villages, met)
    assert (pd.isna(row["verdict"]) if verdict is None else row["verdict"] == verdict)


def test_a_target_met_after_its_deadline_is_met_late():
    status = pd.DataFrame({"village_code": ["A", "A"], "township_code": [T1, T1],
                           "village_name": ["甲村"] * 2, "year": [2017, 2018],
                           "item": ["clinic"] * 2, "value": [False, True],
                           "state": ["unmet", "met"]})
    counts = village_targets.target_counts(status).set_index(["scope_code", "year"])
    assert counts.loc[("total", 2017), "verdict"] == "missed"
    assert counts.loc[("total", 2018), "verdict"] == "missed_late"


def test_an_unknown_value_is_not_met_and_says_so():
    status = pd.DataFrame({"village_code": ["A", "B"], "township_code": [T1, T1],
                           "village_name": ["甲村", "乙村"], "year": [2017, 2017],
                           "item": ["broadband", "broadband"], "value": [True, None],
                           "state": ["met", "unknown"]})
    counts = village_targets.target_counts(status).set_index(["scope_code", "year"])
    assert counts.loc[("total", 2017), ["met", "unknown", "verdict"]].tolist() == [1, 1, "missed"]
    listed = village_targets.villages_not_met(status, 2017)
    assert listed["missing"].tolist() == ["宽带（未记录）"]


def test_villages_not_met_by_hand(hand_store):
    status = village_targets.village_target_status(hand_store)
    listed = village_targets.villages_not_met(status, 2017).set_index("village_code")
    assert list(listed.index) == [V1, V3]
    assert listed.loc[V1, "missing"] == "幼儿园、互助资金"


@pytest.fixture(scope="module")
def support_store(tmp_path_factory):
    """The hand dataset with 驻村帮扶 rows for its poor villages V1 and V3 from 2015:
    V1 fully covered (unit, team, 22 days) except in 2016 (14 days); V3 without a team in
    2015 and without a unit in 2017; no row for V3 in 2016."""
    from analytics.store import Store, write_dataset
    from tests.hand_dataset import frame, hand_tables
    tables = hand_tables()
    tables["village_support"] = frame("village_support", [
        (V1, 2015, "县委", "甲队长", 22.0), (V1, 2016, "县委", "甲队长", 14.0),
        (V1, 2017, "县委", "甲队长", 20.0),
        (V3, 2015, "县教育局", None, None), (V3, 2017, None, "乙队长", 25.0),
    ])
    path = tmp_path_factory.mktemp("support") / "support.duckdb"
    write_dataset(tables, path, source="hand")
    return Store(path)


@pytest.mark.parametrize("village, year, met, missing", [
    (V1, 2015, True, ""),
    (V1, 2016, False, "驻村天数不足"),           # 14 < 20 days
    (V1, 2017, True, ""),                        # exactly 20 days is enough
    (V3, 2015, False, "无驻村工作队"),
    (V3, 2016, False, "无帮扶单位、无驻村工作队"),  # no row at all
    (V3, 2017, False, "无帮扶单位"),
])
def test_village_support_status_by_hand(support_store, village, year, met, missing):
    status = pairing.village_support_status(support_store).set_index(["village_code", "year"])
    assert 2014 not in status.index.get_level_values("year")  # before the first record
    row = status.loc[(village, year)]
    assert (bool(row["met"]), row["missing"]) == (met, missing)
    assert "team_leader" not in status.columns                # a name is never read


def test_village_support_counts_by_hand(support_store):
    counts = pairing.village_support_counts(pairing.village_support_status(support_store))
    row = counts[(counts["scope_code"] == "total") & (counts["year"] == 2015)].iloc[0]
    assert (row["poor_villages"], row["with_unit"], row["with_team"], row["met"]) == (2, 2, 1, 1)
    assert row["met_pct"] == pytest.approx(50.0)
    # a township's selection starts in the dataset's first year, not its own
    t2 = pairing.village_support_status(support_store, (T2,))
    assert sorted(t2["year"].unique()) == [2015, 2016, 2017]


def test_the_change_sentence_signs_each_term():
    row = pd.Series({"change": -3, "delta_exits": -5, "delta_relapses": 5, "delta_new": 0,
                     "delta_reentered": 0, "delta_removed": -3, "delta_size": 0})
    assert register_changes.change_sentence(row, "全县", 2016) == (
        "2016年全县贫困人口减少 3 人：脱贫退出 -5 人，返贫 +5 人，自然减少的贫困人口 -3 人。")


def test_cadres_over_quota_follow_the_selection(hand_store):
    from analytics.metrics import cadres_over_quota
    everyone = cadres_over_quota(hand_store)
    assert ("C2", 2014) in set(zip(everyone["cadre_id"], everyone["year"]))   # H2 and H3: 2 > 1
    assert cadres_over_quota(hand_store, (T1,)).equals(everyone)               # both in 马营
    assert cadres_over_quota(hand_store, (T2,)).empty                         # none paired in 鸡川
