"""Every screen gives the same verdict for every township and year of the demo: the league
table, the map's values and colours, the outlook, the briefing and the battle map's counts
all read analytics.verdicts.scope_verdicts (issue 13)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics import geo
from analytics.briefing import township_briefing
from analytics.config import ROOT
from analytics.maps import build_township_map
from analytics.metrics import figures_by_level
from analytics.projections import township_outlook
from analytics.scores import township_league
from analytics.status import township_map_values
from analytics.verdicts import VERDICT_COLORS, verdict_counts, verdict_groups

YEARS = range(2014, 2021)


@pytest.fixture(autouse=True)
def _database(demo_db, monkeypatch):
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))


@pytest.mark.parametrize("year", YEARS)
def test_league_map_outlook_and_briefing_agree(demo_store, year):
    towns = demo_store.query("townships")
    league = township_league(figures_by_level(demo_store, "township"), towns, year).set_index("township_code")
    values = township_map_values(demo_store, year).set_index("township_code")
    outlook = township_outlook(demo_store, year).set_index("township_code")
    polygons, _ = geo.township_polygons()
    deck = build_township_map(polygons, values.reset_index(), "status")
    fills = {f["properties"]["township_code"]: f["properties"]["fill"]
             for f in deck.layers[0].data["features"]}
    assert len(values) == len(towns) == len(league) == len(outlook)
    for code in towns["township_code"]:
        verdict = values.loc[code, "verdict"]
        assert league.loc[code, "verdict"] == verdict, code
        assert league.loc[code, "verdict_text"] == values.loc[code, "verdict_text"], code
        assert outlook.loc[code, "verdict"] == verdict, code
        assert fills[code] == VERDICT_COLORS[verdict], code
        briefing = township_briefing(demo_store, code, year)
        assert (briefing.verdict, briefing.verdict_text) == (verdict, values.loc[code, "verdict_text"])
        assert briefing.light == league.loc[code, "light"]
        # the score and rank are defined for every township in the campaign years, else for none
        scored = 2014 < year <= 2017
        assert league["score"].notna().all() == scored and league["score"].isna().all() != scored
        assert (briefing.league_rank is not None) == scored


def battle_map(year: int) -> str:
    # the page itself, as the screen opens it: /battle_map?year=2016 (AppTest's
    # switch_page clears the query parameters, as st.switch_page does)
    at = AppTest.from_file(str(ROOT / "pages" / "battle_map.py"), default_timeout=60)
    at.query_params["year"] = str(year)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("year", [2015, 2016, 2017, 2018, 2020])
def test_battle_map_counts_are_the_verdicts(demo_store, year):
    html = battle_map(year)
    assert f"{year}年" in html
    # a year that is over (every demo year, today) has no "this month" (newcomer, stop 28)
    assert "本月" not in html and f"防返贫监测 · {year}年末" in html
    counts = verdict_counts(township_map_values(demo_store, year))
    # the tile counts the verdicts in the legend's words; every township in one group
    groups = verdict_groups(counts)
    expected = "".join(f"{n}<small>{label}</small>" for label, n in groups)
    assert sum(n for _, n in groups) == 18
    assert dict(groups).get("逾期", 0) == counts["missed_late"]
    assert dict(groups).get("未达标", 0) == counts["missed"]
    if year <= 2017:
        assert "攻坚结果" not in html and f"乡镇摘帽进度</div><div class=\"bm-value\">{expected}" in html
    else:  # the campaign is over: the result, no countdown
        assert "攻坚结果" in html and "剩余" not in html
        assert f"乡镇摘帽结果</div><div class=\"bm-value\">{expected}" in html
