"""AppTest of every page on the small demo database: it renders without an exception,
and the numbers it shows are the analytics' numbers."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from analytics import early_warning, households, metrics, quality
from analytics.scores import township_league
from analytics.status import township_map_values
from analytics.config import ROOT, load_config
from ui.format import fmt_int, fmt_pct, fmt_yuan

TIMEOUT = 60
YEAR = 2017
MAYING = "621121101"


@pytest.fixture(autouse=True)
def _database(demo_db, monkeypatch):
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))


def run_page(page: str | None = None, *, year: int | None = None, townships=(),
             **url) -> AppTest:
    """Open ``page`` (the home page by default) at its address with ``url`` query
    parameters, as a link or a typed address opens it (one run: the page is chosen
    before the first run, so the home page is not drawn first), then pick ``year`` and
    ``townships`` in the sidebar as a user would."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if page:
        at.switch_page(page)
    for key, value in url.items():
        at.query_params[key] = value
    at.run()
    if year is not None:
        at.selectbox(key="year").set_value(year).run()
    if townships:
        at.multiselect(key="township").set_value(list(townships)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return m.value
    raise AssertionError(f"no metric {label_start!r} in {[m.label for m in at.metric]}")


def test_overview_tiles_equal_the_figures(demo_store):
    at = run_page(year=str(YEAR))
    row = metrics.headline_figures(demo_store, YEAR)
    assert metric(at, "贫困发生率") == fmt_pct(row["poverty_incidence_pct"])
    assert metric(at, "当年脱贫人数") == fmt_int(row["exited_persons"])
    assert metric(at, "农村人均可支配收入") == fmt_yuan(row["rural_income_per_capita"])
    assert metric(at, "建档立卡户人均纯收入") == fmt_yuan(row["registered_income_per_capita"])
    assert metric(at, "返贫率") == fmt_pct(row["relapse_rate_pct"])
    assert len(at.get("plotly_chart")) == 4
    league = at.dataframe[0].value
    expected = township_league(metrics.figures_by_level(demo_store, "township"),
                               demo_store.query("townships"), YEAR)
    assert len(league) == 18 and list(league["rank"]) == list(expected["rank"])
    assert league["rank"].iloc[0] == 1 and league["rank"].is_monotonic_increasing  # ties share a rank
    assert list(league["verdict_text"]) == list(expected["verdict_text"])


def test_overview_follows_the_township_in_the_url(demo_store):
    at = run_page(year=str(YEAR), township="马营镇")
    assert at.multiselect(key="township").value == [MAYING]
    row = metrics.headline_figures(demo_store, YEAR, township=MAYING)
    assert metric(at, "贫困发生率") == fmt_pct(row["poverty_incidence_pct"])
    assert len(at.dataframe[0].value) == 1


def test_overview_chart_has_target_lines():
    at = run_page(year=str(YEAR))
    spec = json.dumps(json.loads(at.get("plotly_chart")[0].proto.spec), ensure_ascii=False)
    assert "2017年县目标 5%" in spec and "退出线 3%" in spec and "贫困发生率（%）" in spec


def test_townships_page_village_table_and_drilldown(demo_store):
    at = run_page("pages/townships.py", year=YEAR, townships=[MAYING])
    table = at.dataframe[0].value
    expected = households.village_table(demo_store, YEAR, townships=(MAYING,))
    assert list(table["village_code"]) == list(expected["village_code"])
    assert list(table["poor_persons"]) == list(expected["poor_persons"])
    village = expected.loc[expected["registered_households"].idxmax(), "village_code"]
    at.selectbox(key="drill_village").set_value(village).run()
    listing = at.dataframe[1].value
    raw = households.household_list(demo_store, YEAR, (village,), unmasked=True)
    assert len(listing) == len(raw)
    assert all(re.fullmatch(r"\d{4}\*{10}[\dX]{4}", v) for v in listing["head_id_number"])
    assert all(n.endswith("*") for n in listing["head_name"])
    assert not set(raw["head_name"]) & set(listing["head_name"])
    at.selectbox(key="household").set_value(raw["household_id"].iloc[0]).run()
    assert not at.exception
    file_text = " ".join(m.value for m in at.markdown)
    assert raw["head_id_number"].iloc[0] not in file_text


def test_relapse_page_numbers(demo_store):
    at = run_page("pages/relapse.py", year=2016)
    row = metrics.headline_figures(demo_store, 2016)
    assert metric(at, "通渭县返贫率") == fmt_pct(row["relapse_rate_pct"])
    assert metric(at, "返贫人口") == fmt_int(row["relapsed_persons"])
    risk = households.at_risk_households(demo_store, 2016)
    assert metric(at, "监测对象") == f"{fmt_int(len(risk))} 户"


def test_income_page_numbers(demo_store):
    at = run_page("pages/income.py", year=YEAR)
    row = metrics.headline_figures(demo_store, YEAR)
    assert metric(at, "农村居民人均可支配收入") == fmt_yuan(row["rural_income_per_capita"])
    assert metric(at, "建档立卡户人均纯收入") == fmt_yuan(row["registered_income_per_capita"])
    assert len(at.get("plotly_chart")) == 5


def test_data_page_lists_the_findings(demo_store):
    at = run_page("pages/data.py")
    summary = next(d.value for d in at.dataframe if "发现" in d.value.columns)
    findings = quality.quality_findings(demo_store)
    assert list(summary["发现"]) == [f.count for f in findings]


def test_battle_map_shows_aggregates_only(demo_store):
    at = run_page("pages/battle_map.py")
    html = " ".join(m.value for m in at.markdown)
    towns = township_map_values(demo_store, 2020)
    row = metrics.selection_figures(demo_store).set_index("year").loc[2020]
    assert f'<div class="bm-value">{fmt_pct(row["poverty_incidence_pct"])}</div>' in html
    assert at.get("deck_gl_json_chart"), "the map is drawn on the first panel"
    deck = json.dumps(json.loads(at.get("deck_gl_json_chart")[0].proto.json), ensure_ascii=False)
    assert all(name in deck for name in towns["name"])
    villages = tuple(demo_store.query("villages")["village_code"])
    people = households.household_list(demo_store, 2020, villages, unmasked=True)
    for text in (html, deck):
        assert not re.search(r"\d{17}[\dX]", text)
        assert not any(name in text for name in people["head_name"] if len(name) >= 2)
        assert "因病" not in text


def test_the_final_relapse_record_names_the_townships_ever_over_the_cap(demo_store):
    """The 2020 screen's 返贫率记录 counts the county's years within the cap; a newcomer
    read 5/5 as "no one over" while townships had been: it names how many were, as
    computed here from the township figures."""
    cap = float(load_config().targets["relapse_cap_pct"])
    towns = metrics.figures_by_level(demo_store, "township")
    over = towns[(towns["year"] <= 2020) & (towns["relapse_rate_pct"] > cap)]["scope_code"].nunique()
    assert over > 0, "the demo has townships over the cap"
    html = " ".join(m.value for m in run_page("pages/battle_map.py").markdown)
    record = html[html.index("返贫率记录"):]
    assert f"通渭县在{cap:g}%上限以内" in record and f"{over} 个乡镇曾超限" in record


@pytest.mark.parametrize(("url", "shown", "said"), [
    ({"year": "2017"}, 2017, False),
    ({"year": "2031"}, 2020, True),           # after the data: the latest year, said
    ({"year": "2013"}, 2020, True),           # before it
    ({"year": "abc"}, 2020, True),            # not a year
    ({}, 2020, False),                        # no year: the latest, nothing to say
    ({"year": "2031", "kiosk": "0"}, 2020, False),  # framed: the year filter says it itself
])
def test_the_screen_says_when_it_ignored_the_link_s_year(url, shown, said):
    """A shared link to the meeting-room screen with a year the data does not hold shows
    the latest year and says so in its header, as the other pages do (newcomer, stop 29);
    the address's own text is never echoed."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/battle_map.py")  # as run_page opens it (whose year= is the sidebar's)
    for key, value in url.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    html = " ".join(m.value for m in at.markdown)
    assert f"挂图作战 · {shown}年" in html
    assert ("链接中的年份数据中没有，显示2020年" in html) == said
    assert "abc" not in html and "2031" not in html


def test_unknown_values_in_the_url_are_ignored(demo_store):
    # (an unknown year is checked in the browser: AppTest itself cannot hold a
    # select-box value outside its options)
    at = run_page(township=["不存在的乡镇", "'; DROP TABLE townships; --"],
                  village="'; DROP TABLE households; --")
    assert any("通渭县 · 2020 年" in c.value for c in at.caption)


def test_a_year_without_relapse_data_says_so():
    at = run_page("pages/relapse.py", year=2014)
    assert any("还没有已脱贫人口" in i.value for i in at.info)


def test_a_village_without_households_says_so(demo_store):
    table = households.village_table(demo_store, 2014)
    empty = table[table["registered_households"] == 0]
    assert len(empty), "the fixture has villages without registered households"
    code, town = empty.iloc[0]["village_code"], empty.iloc[0]["township_code"]
    at = run_page("pages/townships.py", year=2014, townships=[town])
    at.selectbox(key="drill_village").set_value(code).run()
    assert any("没有建档立卡户" in i.value for i in at.info)


@pytest.mark.parametrize("page", [None, "pages/income.py", "pages/relapse.py"])
def test_every_tile_carries_the_data_date(demo_store, page):
    at = run_page(page, year=2017)
    dated = f"数据截至 {demo_store.meta()['as_of']}"
    assert at.metric and all(m.help.endswith(dated) for m in at.metric), [m.label for m in at.metric]


def test_the_demo_offers_no_export_of_personal_data():
    at = run_page("pages/data.py")
    assert not [b for b in at.get("download_button") if "全部数据" in b.proto.label]
    assert any("演示模式不提供" in c.value for c in at.caption)


def test_the_household_file_is_in_chinese(demo_store):
    at = run_page("pages/townships.py", year=2017, townships=[MAYING])
    village = at.selectbox(key="drill_village").options[0]
    at.selectbox(key="drill_village").select_index(0).run()
    at.selectbox(key="household").select_index(0).run()
    assert not at.exception, [e.value for e in at.exception]
    years = next(d for d in at.dataframe if "prev_status" in d.value.columns)
    config = json.loads(years.proto.columns)
    labels = {c: config[c]["label"] for c in config if "label" in config[c]}
    assert labels["year"] == "年份" and labels["food_clothing_secure"] == "吃穿不愁", labels
    assert all(not ("a" <= label[:1].lower() <= "z") for label in labels.values()), labels
    assert years.proto.placeholder == "—"  # an empty 上年状态, 返贫原因 or 低保 shows "—", never None
    assert village


def test_the_audit_table_speaks_chinese():
    from analytics import audit

    audit.record("张三", "county", "export", "马营镇_各村情况_2017.xlsx", 18)
    audit.record("李四", "township", "sign_in", "password")
    at = run_page("pages/data.py")
    log = next(d for d in at.dataframe if "action" in d.value.columns)
    config = json.loads(log.proto.columns)
    assert [config[c]["label"] for c in ("logged_at", "actor", "role", "action", "detail", "rows")] == \
        ["时间（UTC）", "用户", "角色", "操作", "内容", "行数"]
    rows = log.value.set_index("actor")
    assert tuple(rows.loc["张三", ["role", "action", "rows"]]) == ("县级用户", "导出", "18")
    assert tuple(rows.loc["李四", ["role", "action", "detail", "rows"]]) == ("乡镇分析员", "登录", "密码", "—")


@pytest.mark.parametrize("page", [None, "pages/townships.py", "pages/relapse.py", "pages/data.py"])
def test_no_table_shows_none_for_a_missing_value(page):
    at = run_page(page, year=None if page == "pages/data.py" else 2016,
                  townships=[MAYING] if page == "pages/townships.py" else ())
    assert at.dataframe and all(d.proto.placeholder == "—" for d in at.dataframe), \
        [d.proto.placeholder for d in at.dataframe]


def test_data_quality_findings_speak_chinese(demo_store):
    at = run_page("pages/data.py")
    tables = [d.value for d in at.dataframe
              if {"户编号", "干部编号", "村代码"} & set(map(str, d.value.columns))]
    assert tables, "the fixture has findings to show"
    names = set(demo_store.query("townships")["name"])
    for table in tables:
        columns = [str(c) for c in table.columns]
        assert not any(c.isascii() and c.replace("_", "").isalpha() for c in columns), columns
        if "乡镇" in columns:
            assert set(table["乡镇"]) <= names  # names, not codes


def test_the_visit_list_says_why_it_holds_fewer_relapsed_households(demo_store):
    """A newcomer counted fewer 返贫 rows on the visit list than households relapsed that
    year: the page says how many are listed and why the others are not."""
    year, (relapsed, listed) = next(
        (y, early_warning.relapsed_households_listed(demo_store, y)) for y in range(2016, 2021)
        if early_warning.relapsed_households_listed(demo_store, y)[0]
        > early_warning.relapsed_households_listed(demo_store, y)[1])
    captions = [c.value for c in run_page("pages/relapse.py", year=year).caption]
    note = next(c for c in captions if c.startswith(f"{year}年返贫 "))
    assert f"其中 {listed:,} 户是监测对象" in note and f"其余 {relapsed - listed:,} 户" in note


def test_the_visit_list_says_which_households_relapsed(demo_store):
    """A relapsed 监测对象's status at the year's end is 未脱贫; the list says 返贫 (a
    newcomer read 未脱贫 as never having exited)."""
    year = next(y for y in range(2016, 2021)
                if households.at_risk_households(demo_store, y)["is_relapse"].any())
    listed = households.at_risk_households(demo_store, year)
    at = run_page("pages/relapse.py", year=year, townships=(listed.loc[listed["is_relapse"], "township_code"].iloc[0],))
    grid = next(df.value for df in at.dataframe if "status" in df.value)
    assert "返贫" in set(grid["status"])
    relapsed = listed.set_index("household_id")["is_relapse"]
    shown = grid.set_index("household_id")["status"]
    assert ((shown == "返贫") == relapsed.reindex(shown.index)).all()
