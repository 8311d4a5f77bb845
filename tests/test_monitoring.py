"""防返贫监测: the 监测对象 rule, case by case (computed by hand), in the SQL the screens
read and in the pandas reference; one number per term on every table, tile, list and
briefing; labels formatted from the configuration (docs/glossary.md, section 返贫监测)."""

from __future__ import annotations

import dataclasses
import re

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import config as config_module
from analytics import early_warning
from analytics.briefing import township_briefing
from analytics.config import ROOT
from analytics.early_warning import (
    EVENTS,
    RULES,
    monitoring_labels,
    risk_level_counts,
    rule_params,
    visit_list_top,
)
from analytics.households import RISK_LABELS, at_risk_households, at_risk_village_counts
from analytics.store import Store, _create_macros, write_dataset
from tests.hand_dataset import T1, hand_tables
from tests.reference import is_monitored, risk_flags, risk_level
from ui.format import fmt_int

# The configuration the hand-computed table assumes (pinned, so the table does not move
# when a county changes data/config.toml): 监测线 = 1.5 × line, 收入骤降 = down > 30 %.
PINNED_RISK = {"income_line_multiple": 1.5, "income_drop_pct": 30.0}
PINNED_WARNING = {"low_income_points": 2, "income_drop_points": 3, "illness_or_disaster_points": 3,
                  "dibao_points": 1, "dependants_points": 2, "dependants_members": 5,
                  "dependants_wage_share_pct": 20.0, "unstable_wage_points": 1,
                  "unstable_wage_share_points": 25.0, "high_level": 6, "medium_level": 4}


@pytest.fixture
def pinned(monkeypatch):
    base = config_module.load_config()
    pinned = dataclasses.replace(base, risk={**base.risk, **PINNED_RISK},
                                 early_warning={**base.early_warning, **PINNED_WARNING})
    monkeypatch.setattr("analytics.early_warning.load_config", lambda: pinned)
    monkeypatch.setattr("tests.reference.load_config", lambda: pinned)  # the reference too
    return pinned


# line 2952 → 监测线 1.5 × 2952 = 4428; 收入骤降: income < 0.7 × last year's
BASE = {"year": 2017, "township_code": T1, "village_code": T1 + "001", "cadre_id": None,
        "members": 3, "status": "已脱贫", "is_relapse": False, "income": 6000.0,
        "prev_income": 5800.0, "poverty_line": 2952.0, "relapse_cause": None,
        "dibao_class": None, "medical_secure": True, "wage_share_pct": 40.0,
        "prev_wage_share_pct": 38.0}
RELAPSE = {"status": "未脱贫", "is_relapse": True}

# case, changes to BASE, 监测对象?, level, score
CASES = [
    ("below 监测线 + 收入骤降", {"income": 3000.0, "prev_income": 5000.0}, True, "中", 5),
    ("below 监测线, no event", {"income": 3000.0, "prev_income": 2900.0}, False, None, 2),
    ("收入骤降 but above 监测线", {"income": 5000.0, "prev_income": 8000.0}, False, None, 3),
    ("relapsed 因病, below 监测线", {**RELAPSE, "relapse_cause": "因病", "income": 2500.0,
                                   "prev_income": 3000.0}, True, "中", 5),
    ("relapsed 因灾, below 监测线", {**RELAPSE, "relapse_cause": "因灾", "income": 2000.0,
                                   "prev_income": 2100.0}, True, "中", 5),
    ("relapsed 因学: not an event", {**RELAPSE, "relapse_cause": "因学", "income": 2000.0,
                                     "prev_income": 2100.0}, False, None, 2),
    ("relapse cause missing", {**RELAPSE, "income": 2000.0, "prev_income": 2100.0}, False, None, 2),
    ("基本医疗 not secured, below 监测线", {"income": 4000.0, "prev_income": 3900.0,
                                        "medical_secure": False}, True, "中", 5),
    ("基本医疗 unknown: no event", {"income": 4000.0, "prev_income": 3900.0,
                                 "medical_secure": None}, False, None, 2),
    ("income missing", {"income": None, "prev_income": 5000.0, "medical_secure": False},
     False, None, 3),
    ("no last year: no 收入骤降", {"income": 3000.0, "prev_income": None,
                                "prev_wage_share_pct": None}, False, None, 2),
    ("last year ≤ 0: no 收入骤降", {"income": 3000.0, "prev_income": -100.0}, False, None, 2),
    ("exactly on 监测线", {"income": 4428.0, "prev_income": 8000.0}, False, None, 3),
    ("down exactly 30 %", {"income": 3500.0, "prev_income": 5000.0}, False, None, 2),
    ("both events + 低保 → 高", {**RELAPSE, "relapse_cause": "因病", "income": 2000.0,
                               "prev_income": 3000.0, "dibao_class": "二类"}, True, "高", 9),
    ("收入骤降 + 人口多劳力少 → 高", {"income": 3000.0, "prev_income": 5000.0, "members": 6,
                                 "wage_share_pct": 10.0, "prev_wage_share_pct": 12.0},
     True, "高", 7),
]


def case_rows() -> pd.DataFrame:
    rows = [{**BASE, **changes, "household_id": f"H{i:02d}"}
            for i, (_, changes, *_expected) in enumerate(CASES)]
    return pd.DataFrame(rows)


def sql_scores(rows: pd.DataFrame) -> pd.DataFrame:
    """The macro risk_scored (what every screen reads) over ``rows`` as its table."""
    params = rule_params()
    order = ["line_multiple", "drop_pct", "dependants_members", "dependants_wage_share_pct",
             "unstable_wage_share_points", *(f"{r}_points" for r in RULES), "high_level",
             "medium_level"]
    with duckdb.connect() as con:
        con.register("case_rows", rows)
        con.execute("""CREATE TABLE household_risk_factors AS SELECT year::INTEGER AS year,
            township_code, village_code, household_id, cadre_id::VARCHAR AS cadre_id,
            members::INTEGER AS members, status, is_relapse::BOOLEAN AS is_relapse,
            income::DOUBLE AS income, prev_income::DOUBLE AS prev_income,
            poverty_line::DOUBLE AS poverty_line, relapse_cause::VARCHAR AS relapse_cause,
            dibao_class::VARCHAR AS dibao_class, medical_secure::BOOLEAN AS medical_secure,
            wage_share_pct::DOUBLE AS wage_share_pct,
            prev_wage_share_pct::DOUBLE AS prev_wage_share_pct FROM case_rows""")
        _create_macros(con)
        sql = f"SELECT * FROM risk_scored(?, {', '.join('?' * len(order))}) ORDER BY household_id"
        return con.execute(sql, [BASE["year"], *(params[n] for n in order)]).df()


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c[0] for c in CASES])
def test_the_rule_case_by_case(pinned, i):
    name, _, monitored, level, score = CASES[i]
    got = sql_scores(case_rows()).iloc[i]
    assert bool(got["monitored"]) is monitored, name
    assert (pd.isna(got["level"]) if level is None else got["level"] == level), got["level"]
    assert got["score"] == score
    # the pandas reference agrees, written independently
    rows = case_rows()
    flags = risk_flags(rows)
    assert bool(is_monitored(flags).iloc[i]) is monitored
    points = pd.Series({r: PINNED_WARNING[f"{r}_points"] for r in RULES})
    ref_score = (flags[list(RULES)] * points).sum(axis=1)
    assert ref_score.iloc[i] == score
    ref_level = risk_level(ref_score, is_monitored(flags)).iloc[i]
    assert (pd.isna(ref_level) if level is None else ref_level == level)


def test_the_hand_dataset(hand_store, tmp_path):
    """2016, line 2952, 监测线 4428: H1 relapsed 因病 at 2500; H5 relapsed at 2000 (fell
    from 3000, −33 %, 基本医疗 not secured); H2 (3100) and H4 (3000) exited below 监测线
    but with no risk event: not 监测对象."""
    listing = at_risk_households(hand_store, 2016, unmasked=True).set_index("household_id")
    assert list(listing.index) == ["H1", "H5"]
    assert listing.loc["H1", "illness_or_disaster"] and not listing.loc["H1", "income_drop"]
    assert listing.loc["H5", "income_drop"] and listing.loc["H5", "illness_or_disaster"]
    counts = at_risk_village_counts(hand_store, 2016)
    assert counts[["monitored", "persons", "income_drop", "illness_or_disaster"]].sum().to_list() \
        == [2, 5, 1, 2]
    assert at_risk_households(hand_store, 2017).empty
    # a sharp fall while exited: H2's income 2900 → 1000 in 2016 makes it a 监测对象
    tables = hand_tables()
    years = tables["household_years"]
    years.loc[(years["household_id"] == "H2") & (years["year"] == 2016), "net_income_per_capita"] = 1000
    path = tmp_path / "drop.duckdb"
    write_dataset(tables, path, source="drop")
    dropped = at_risk_households(Store(path), 2016, unmasked=True).set_index("household_id")
    # (wage 1500 on 1000: the wage share jumps from 48 % to 150 %, 务工收入不稳 too)
    assert dropped.loc["H2", "income_drop"] and dropped.loc["H2", "score"] == 2 + 3 + 1
    assert dropped.loc["H2", "reasons"] == "收入低于监测线、收入骤降、务工收入不稳"


@pytest.mark.parametrize("year", range(2015, 2021))
def test_one_number_per_term_on_every_view(demo_store, year):
    """Township counts, village counts and the list (the visit list = the 监测对象) say the
    same: 高 + 中 + 低 = 监测对象, 高 ≤ 监测对象, and each event's count is the number of
    listed households flagged (and labelled) with it."""
    counts = risk_level_counts(demo_store, year).set_index("township_code").sort_index()
    listing = visit_list_top(demo_store, year, limit=None, events_shown=True)
    assert (counts["high"] + counts["medium"] + counts["low"] == counts["monitored"]).all()
    assert (counts["high"] <= counts["monitored"]).all()
    assert len(listing) == counts["monitored"].sum()
    assert listing["level"].isin(["高", "中", "低"]).all()
    by_town = listing.groupby("township_code")
    pd.testing.assert_series_equal(by_town.size().sort_index(), counts["monitored"],
                                   check_names=False, check_dtype=False)
    for event in EVENTS:
        pd.testing.assert_series_equal(by_town[event].sum().sort_index(), counts[event],
                                       check_names=False, check_dtype=False)
        named = listing["reasons"].str.contains(early_warning.RULE_NAMES[event])
        assert named.sum() == listing[event].sum() == counts[event].sum()
    assert listing["low_income"].all()  # every 监测对象 is below 监测线
    assert (listing[list(EVENTS)].any(axis=1)).all()
    villages = at_risk_village_counts(demo_store, year)
    summed = villages.groupby("township_code")[list(counts.columns)].sum().sort_index()
    pd.testing.assert_frame_equal(summed, counts, check_dtype=False, check_names=False)
    pd.testing.assert_frame_equal(at_risk_households(demo_store, year, events_shown=True), listing)


def test_a_list_a_township_can_visit(demo_store):
    """监测对象 are a few per cent of the exited and relapsed households, not most of them."""
    for year in range(2016, 2021):
        candidates = demo_store.query("risk_factors", year=year, townships=[], villages=[])
        monitored = risk_level_counts(demo_store, year)["monitored"].sum()
        assert 0 < monitored <= 0.05 * len(candidates), (year, monitored, len(candidates))


def test_the_briefing_counts_the_same_monitored(demo_store):
    totals = {y: risk_level_counts(demo_store, y).set_index("township_code") for y in (2018, 2019)}
    year, counts = max(totals.items(), key=lambda kv: kv[1]["monitored"].max())
    town = counts["monitored"].idxmax()
    b = township_briefing(demo_store, town, year)
    assert b.at_risk_households == counts.loc[town, "monitored"] > 0
    assert b.at_risk_persons == counts.loc[town, "persons"]
    assert dict(b.at_risk_by_reason) == {RISK_LABELS[e]: counts.loc[town, e] for e in EVENTS}


def test_labels_come_from_the_configuration(monkeypatch):
    base = config_module.load_config()
    changed = dataclasses.replace(
        base, risk={**base.risk, "income_line_multiple": 2.0, "income_drop_pct": 25.0},
        early_warning={**base.early_warning, "income_drop_points": 4, "high_level": 7,
                       "medium_level": 5})
    monkeypatch.setattr("analytics.early_warning.load_config", lambda: changed)
    texts = monitoring_labels(2020)
    assert "2 倍" in texts["monitored"] and "下降超过 25%" in texts["monitored"]
    assert "2 倍" in texts["low_income"] and "25%" in texts["income_drop"]
    assert "监测线 = 当年贫困线 × 2（2020年 8,000 元/人）" == texts["line"]
    assert "收入骤降 4" in texts["score"] and "≥7" in texts["high"] and "≥5" in texts["medium"]
    assert not any("1.5" in t or "30%" in t or "≥6" in t for t in texts.values())


def test_no_threshold_is_typed_into_a_screen():
    for path in ("pages/relapse.py", "ui/tables.py", "analytics/households.py"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert not re.search(r"1\.5\s*倍|30\s*%|≥\s*[46]\b", text), path


def _metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def test_the_page_shows_one_number_per_term(demo_db, demo_store, monkeypatch, tmp_path):
    """As a county user, who may see the risk events on the list (in the open demo they
    read 风险事件: tests/test_early_warning.py)."""
    from analytics import accounts
    from analytics.access import Viewer

    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    monkeypatch.setenv("TONGWEI_USERS", str(tmp_path / "users.toml"))
    monkeypatch.setenv("TONGWEI_AUDIT", str(tmp_path / "audit.duckdb"))
    accounts.add_user("zhang", "correct horse 1", "county")
    year = 2018
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["viewer"] = Viewer("zhang", "county")
    at.run()
    at.switch_page("pages/relapse.py").run()
    at.selectbox(key="year").set_value(year).run()
    assert not at.exception, [e.value for e in at.exception]
    counts = risk_level_counts(demo_store, year)
    texts = monitoring_labels(year)
    tiles = {"监测对象": "monitored", "高风险": "high", "中风险": "medium",
             "收入骤降": "income_drop", "因病因灾": "illness_or_disaster"}
    for label, column in tiles.items():
        tile = _metric(at, label)
        assert tile.value == f"{fmt_int(counts[column].sum())} 户", label
        # the definition, then the data's date (every tile carries it)
        assert tile.help == f"{texts[column]}\n\n数据截至 {demo_store.meta()['as_of']}"
    table = next(d.value for d in at.dataframe if "illness_or_disaster" in d.value.columns
                 and "monitored" in d.value.columns)
    visits = next(d.value for d in at.dataframe if "reasons" in d.value.columns)
    assert len(visits) == table["monitored"].sum() == counts["monitored"].sum()
    assert table["income_drop"].sum() == visits["reasons"].str.contains("收入骤降").sum()
    assert table["high"].sum() == (visits["level"] == "高").sum() <= len(visits)
    shown = " ".join(c.value for c in at.caption)
    assert texts["monitored"] in shown and texts["score"] in shown
