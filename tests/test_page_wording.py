"""What the pages' tiles and texts say (AppTest on the small demo): a tile's delta is the
change on the year before, never a gap to a target or cap (said in words instead); the
baseline year says 基线; a scope already under the exit line says so, not 还需脱贫 0 人;
counts of a thousand and more carry separators."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from analytics import metrics
from analytics.config import ROOT, load_config
from tests.test_pages import run_page

MAYING = "621121101"


@pytest.fixture(autouse=True)
def _database(demo_db, monkeypatch):
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))


def run(page: str | None, year: int, **url) -> AppTest:
    """``page`` at ``year``: the battle map opened directly (/battle_map?year=…), any other
    page through app.py and the sidebar's year, as a user does."""
    if page == "pages/battle_map.py":
        at = AppTest.from_file(str(ROOT / page), default_timeout=90)
        at.query_params["year"] = str(year)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return run_page(page, year=year, **url)


def tiles(at: AppTest) -> dict[str, tuple[str, str, str, str]]:
    """label → (value, delta, delta description, help) of every st.metric."""
    return {m.label: (m.value, m.proto.delta, m.proto.delta_description, m.help) for m in at.metric}


PAGES = [None, "pages/income.py", "pages/relapse.py"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("year", [2015, 2016, 2018])
def test_a_signed_delta_is_the_change_on_the_year_before(demo_store, page, year):
    series = metrics.selection_figures(demo_store).set_index("year")
    at = run(page, year)
    for label, (value, delta, description, _) in tiles(at).items():
        if re.match(r"[+-]\d", delta or ""):
            assert description == "较上年", (label, delta, description)
        assert not re.search(r"上限|目标", delta or "") or not re.match(r"[+-]", delta or ""), (label, delta)
    relapse = next((v for k, v in tiles(at).items() if "返贫率" in k), None)
    if relapse is None:  # 收入: no relapse tile
        return
    now, before = series.loc[year, "relapse_rate_pct"], series.loc[year - 1, "relapse_rate_pct"]
    if now != now:  # no exited stock yet: no rate, no gap
        assert "不计返贫率" in relapse[3], relapse
        return
    if before == before:
        diff = now - before
        assert relapse[1] == f"{'-' if diff < 0 else '+'}{abs(diff):.2f} 个百分点", relapse
    cap = load_config().targets["relapse_cap_pct"]
    gap = now - cap
    words = f"{'低于' if gap < 0 else '高于'}{cap:g}%上限 {abs(gap):.2f} 个百分点"
    assert words in relapse[3], relapse  # the gap to the cap in words, in the tile's help


@pytest.mark.parametrize("page", PAGES)
def test_the_baseline_year_says_baseline(page):
    at = run(page, 2014)
    shown = tiles(at)
    assert any(delta == "基线" or value == "基线" for value, delta, _, _ in shown.values()), shown
    for label, (value, delta, _, _) in shown.items():
        assert not re.match(r"[+-]\d", delta or ""), (label, delta)  # nothing to compare with


def test_the_overview_table_says_baseline_in_2014():
    at = run(None, 2014)
    league = next(d.value for d in at.dataframe if "verdict_text" in d.value.columns)
    assert set(league["verdict_text"]) == {"基线"}


def test_the_battle_map_counts_baseline_in_2014():
    at = run("pages/battle_map.py", 2014)
    html = " ".join(m.value for m in at.markdown)
    assert "18<small>基线</small>" in html


def test_under_the_exit_line_says_so(demo_store):
    threshold = load_config().targets["exit_threshold_pct"]
    county = metrics.selection_figures(demo_store).set_index("year")
    year = next(y for y in range(2015, 2018) if county.loc[y, "poverty_incidence_pct"] < threshold)
    at = run("pages/battle_map.py", year)
    html = " ".join(m.value for m in at.markdown)
    assert "已低于退出线" in html and "还需脱贫</div><div class=\"bm-value\">0" not in html
    town = metrics.selection_figures(demo_store, townships=(MAYING,)).set_index("year")
    year = next(y for y in range(2015, 2021) if town.loc[y, "poverty_incidence_pct"] < threshold)
    at = run(None, year, township="马营镇")
    shown = tiles(at)
    text = " ".join(f"{d} {h}" for _, d, _, h in shown.values())
    assert "已低于" in text and not re.search(r"还(需脱贫|差) 0 人", text), text
    league = next(d.value for d in at.dataframe if "verdict_text" in d.value.columns)
    assert list(league["to_line_text"]) == ["已低于退出线"]


LONG_NUMBER = re.compile(r"(?<![\d,.\-/:])\d{4,}(?![\d,.\-/:])(?!\s*年)")


@pytest.mark.parametrize("page, year", [(None, 2015), (None, 2017), ("pages/income.py", 2016),
                                        ("pages/relapse.py", 2016), ("pages/battle_map.py", 2016)])
def test_counts_on_screen_carry_separators(page, year):
    at = run(page, year)
    texts = [m.value for m in at.metric] + [m.proto.delta for m in at.metric] + [m.help or "" for m in at.metric]
    texts += [c.value for c in at.caption] + [m.value for m in at.markdown if "<style" not in m.value]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        texts += [a.get("text", "") for a in spec["layout"].get("annotations", [])]
        texts += [t.get("name", "") for t in spec["data"]]
        texts.append(str(spec["layout"].get("title", {}).get("text", "")))
    for text in texts:
        cleaned = re.sub(r"\d{4}-\d{2}-\d{2}", "", text)  # dates (数据截至)
        cleaned = re.sub(r"(19|20)\d{2}(?=[–—-]|年)", "", cleaned)  # years, ranges of years
        assert not LONG_NUMBER.search(cleaned), text
