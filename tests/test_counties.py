"""Counties in the hierarchy (issue 18, point 1): province (all that is loaded) → county →
township → village. A county is the first six digits of its townships' codes, named from
data/geo/counties.csv; its figures are the contract's formulas over its households."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analytics import metrics
from analytics.counties import county_name, county_of
from analytics.store import Store
from tests.test_baseline_pandas import _baseline, exported_demo

YEAR = 2016


@pytest.mark.parametrize(("code", "name"), [
    ("621121", "通渭县"),          # the reference table
    ("900001", "通渭县·1"),        # demo replica 1 (docs/demo-data.md)
    ("900123", "通渭县·123"),
    ("620102", "县（620102）"),     # a real code the reference does not name
    ("900000", "县（900000）"),     # replica 0 is Tongwei's own code, never 900000
])
def test_county_names(code, name):
    assert county_name(code) == name


@pytest.mark.parametrize(("code", "county"), [
    ("621121100", "621121"), ("621121100201", "621121"), ("900012345", "900012")])
def test_a_township_or_village_code_names_its_county(code, county):
    assert county_of(code) == county


@pytest.fixture(scope="module")
def two_counties(tmp_path_factory):
    """Tongwei and a thinned replica (scale 1.05: 5 % of a second county's households)."""
    db, parquet = exported_demo(tmp_path_factory.mktemp("counties"), 1.05)
    store = Store(db)
    yield db, parquet, store
    store.close()


def test_every_figure_of_every_level_equals_the_pandas_baseline(two_counties):
    """The province, both counties, their townships and villages, every year, against
    the independent pandas computation (Gini included: it is not additive)."""
    _, parquet, store = two_counties
    ours = metrics.all_headline_figures(store)
    theirs = _baseline().pandas_figures(parquet)
    assert list(ours["scope"].drop_duplicates()) == ["province", "county", "township", "village"]
    assert set(ours.loc[ours["scope"] == "county", "code"]) == {"621121", "900001"}
    problems = _baseline().compare_figures(ours, theirs)
    assert not problems, problems[:10]


def test_counties_add_up_to_the_province_and_their_ginis_differ(two_counties):
    _, _, store = two_counties
    counties = metrics.figures_by_level(store, "county")
    province = metrics.figures_by_level(store, "province")
    for key in ("poor_persons", "registered_population", "exited_persons", "relapsed_persons"):
        summed = counties.groupby("year")[key].sum()
        assert (summed == province.set_index("year")[key]).all(), key
    ginis = counties[counties["year"] == YEAR].set_index("scope_code")["gini"]
    province_gini = province.loc[province["year"] == YEAR, "gini"].item()
    assert ginis["621121"] != pytest.approx(ginis["900001"], abs=1e-6)
    assert province_gini not in set(ginis)  # computed over both, not copied from one
    assert metrics.top_scope(store) == ("province", "province")


def test_a_county_viewer_sees_its_county_and_nothing_else(two_counties):
    _, _, store = two_counties
    scoped = store.scoped(("900001",))
    figures = scoped.query("figures")
    assert set(figures["scope_level"]) == {"county", "township", "village"}
    assert set(figures.loc[figures["scope_level"] == "county", "scope_code"]) == {"900001"}
    assert figures["township_code"].dropna().str.startswith("900001").all()
    assert list(scoped.query("counties")["county_code"]) == ["900001"]
    # a township analyst: their township's rows and county name, no county figures
    town = store.query("townships")["township_code"].iloc[0]
    township_view = store.scoped((town,)).query("figures")
    assert set(township_view["scope_level"]) == {"township", "village"}
    assert list(store.scoped((town,)).query("counties")["county_code"]) == [town[:6]]


def _metrics(db, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", "metrics", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120)


def test_metrics_county_and_the_province(two_counties):
    db, _, store = two_counties
    county = json.loads(_metrics(db, "--year", str(YEAR), "--county", "900001", "--json").stdout)
    assert (county["scope"], county["code"], county["name"]) == ("county", "900001", "通渭县·1")
    expected = metrics.figures_by_level(store, "county").query("scope_code == '900001'")
    assert county["poor_persons"] == expected.loc[expected["year"] == YEAR, "poor_persons"].item()
    top = json.loads(_metrics(db, "--year", str(YEAR), "--json").stdout)
    assert (top["scope"], top["code"]) == ("province", None)
    lines = _metrics(db, "--all", "--json").stdout.splitlines()
    assert json.loads(lines[0])["scope"] == "province"
    assert [json.loads(line)["scope"] for line in lines].count("county") == 2 * 7
    unknown = _metrics(db, "--year", str(YEAR), "--county", "123456")
    assert unknown.returncode == 2 and "123456" in unknown.stderr


def test_with_one_county_the_top_scope_is_that_county(demo_db):
    store = Store(demo_db)
    try:
        assert metrics.top_scope(store) == ("county", "621121")
        record = metrics.headline_figures(store, YEAR)
        assert (record["scope"], record["code"], record["name"]) == ("county", "621121", "通渭县")
        assert "province" not in set(metrics.all_headline_figures(store)["scope"])
    finally:
        store.close()


# --- the pages: the county filter, and a county account --------------------------------

def _open(db, monkeypatch, tmp_path, page=None, viewer=None, **url):
    from streamlit.testing.v1 import AppTest

    from analytics.config import ROOT

    monkeypatch.setenv("TONGWEI_DB", str(db))
    monkeypatch.setenv("TONGWEI_USERS", str(tmp_path / "users.toml"))
    monkeypatch.setenv("TONGWEI_AUDIT", str(tmp_path / "audit.duckdb"))
    if viewer is not None:  # accounts exist: the session's viewer is who is signed in
        from analytics import accounts

        accounts.add_user(viewer.name, "a password 1", viewer.role, list(viewer.townships),
                          counties=list(viewer.counties))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if page:
        at.switch_page(page)
    for key, value in url.items():
        at.query_params[key] = value
    if viewer is not None:
        at.session_state["viewer"] = viewer
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tile(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def _incidence(store, level: str, code: str) -> str:
    from ui.format import fmt_pct

    frame = metrics.figures_by_level(store, level)
    row = frame[(frame["scope_code"] == code) & (frame["year"] == frame["year"].max())]
    return fmt_pct(row["poverty_incidence_pct"].item())


def test_the_province_view_asks_for_a_county_before_a_township(two_counties, monkeypatch, tmp_path):
    db, _, store = two_counties
    at = _open(db, monkeypatch, tmp_path)
    county = at.selectbox(key="county")
    assert county.options == ["通渭县", "通渭县·1"] and county.value is None
    assert at.multiselect(key="township").disabled
    assert "全省" in at.selectbox(key="county").placeholder
    assert _tile(at, "贫困发生率") == _incidence(store, "province", "province")

    county.set_value("900001").run()
    assert not at.exception
    towns = at.multiselect(key="township")
    assert not towns.disabled and towns.options and all("·1" in o for o in towns.options)
    assert _tile(at, "贫困发生率") == _incidence(store, "county", "900001")
    assert at.query_params["county"] in ("通渭县·1", ["通渭县·1"])  # the address carries it


def test_a_link_with_a_county_opens_it(two_counties, monkeypatch, tmp_path):
    db, _, store = two_counties
    at = _open(db, monkeypatch, tmp_path, "pages/income.py", county="通渭县·1")
    assert at.selectbox(key="county").value == "900001"
    at = _open(db, monkeypatch, tmp_path, county="通渭县·1")
    assert _tile(at, "贫困发生率") == _incidence(store, "county", "900001")
    bad = _open(db, monkeypatch, tmp_path, county="不存在的县")  # an unknown name: the province
    assert bad.selectbox(key="county").value is None


def test_a_county_account_sees_its_county_only(two_counties, monkeypatch, tmp_path):
    from analytics.access import Viewer

    db, _, store = two_counties
    li = Viewer("li", "county", counties=("900001",))
    at = _open(db, monkeypatch, tmp_path, viewer=li)
    assert not [s for s in at.selectbox if s.key == "county"]  # one county: nothing to choose
    assert _tile(at, "贫困发生率") == _incidence(store, "county", "900001")
    assert all("·1" in o for o in at.multiselect(key="township").options)
    data = _open(db, monkeypatch, tmp_path, "pages/data.py", viewer=li)
    assert not data.get("file_uploader") and not [b for b in data.get("download_button")]
    assert any("只能查看本县数据" in c.value for c in data.caption)
    # a province account on the same page may load data
    province = _open(db, monkeypatch, tmp_path, "pages/data.py", viewer=Viewer("sun", "province"))
    assert province.get("file_uploader")


@pytest.mark.parametrize("allowed", [(), ("900001",)])
def test_a_township_briefing_ranks_it_within_its_county(two_counties, allowed):
    """The briefing's 全县第 n/N 名 counts the townships of its own county, for the province
    and for that county's account alike; another county's account cannot open it."""
    from analytics.briefing import township_briefing

    _, _, store = two_counties
    towns = store.query("townships")
    mine = towns[towns["township_code"].str.startswith("900001")]
    viewer_store = store.scoped(allowed) if allowed else store
    brief = township_briefing(viewer_store, mine["township_code"].iloc[0], YEAR)
    assert brief.league_size == len(mine) < len(towns)
    with pytest.raises(metrics.UnknownScope):
        township_briefing(store.scoped(("621121",)), mine["township_code"].iloc[0], YEAR)


@pytest.mark.parametrize(("role", "townships", "counties"), [
    ("township", ("900001",), ()),            # a county code as a township: the whole county
    ("township", ("62112110",), ()),          # 8 digits
    ("county", (), ("900001", "900002")),     # one county per account
    ("county", (), ("90000",)),
    ("province", (), ("900001",)),            # a province account names no county
])
def test_accounts_name_whole_codes(role, townships, counties):
    from analytics.access import Viewer

    with pytest.raises(ValueError):
        Viewer("x", role, townships, counties=counties)


def test_add_user_refuses_a_county_code_for_a_township(tmp_path):
    from analytics import accounts

    path = tmp_path / "users.toml"
    with pytest.raises(ValueError):
        accounts.add_user("x", None, "township", ["900001"], path=path)
    assert not path.exists()  # nothing written
    accounts.add_user("y", None, "county", counties=["900001"], path=path)
    assert accounts.viewer_of("y", accounts.load_accounts(path)["users"]["y"]).allowed == ("900001",)


def test_the_battle_map_of_an_account_without_data_says_so(two_counties, monkeypatch, tmp_path):
    from analytics.access import Viewer

    db, _, _ = two_counties
    at = _open(db, monkeypatch, tmp_path, "pages/battle_map.py",
               viewer=Viewer("ghost", "county", counties=("900009",)))
    assert any("没有可显示的数据" in i.value for i in at.info)


# --- the map draws the level in view (issue 18: "counties first, then townships") -------

def _deck(at, key: str | None = None) -> dict:
    import json as _json

    charts = at.get("deck_gl_json_chart")
    assert charts, "the page draws its map"
    return _json.loads(charts[0].proto.json)


def _layer(spec: dict, layer_id: str) -> dict | None:
    return next((layer for layer in spec["layers"] if layer["id"] == layer_id), None)


def _codes(spec: dict, layer_id: str, key: str) -> set[str]:
    layer = _layer(spec, layer_id)
    return {f["properties"][key] for f in layer["data"]["features"]} if layer else set()


@pytest.mark.parametrize(("page", "url", "level", "codes"), [
    # province: the counties, coloured, named; no township, no village dots
    (None, {}, "counties", {"621121", "900001"}),
    ("pages/townships.py", {}, "counties", {"621121", "900001"}),
    # a county chosen (by the address, as the filter writes it): its townships only
    (None, {"county": "通渭县·1"}, "townships", "900001"),
    (None, {"county": "900001"}, "townships", "900001"),
    (None, {"county": "通渭县"}, "townships", "621121"),
    ("pages/townships.py", {"county": "通渭县·1"}, "townships", "900001"),
])
def test_the_map_draws_the_level_in_view(two_counties, monkeypatch, tmp_path, page, url, level, codes):
    db, _, store = two_counties
    at = _open(db, monkeypatch, tmp_path, page, **url)
    spec = _deck(at)
    other = "townships" if level == "counties" else "counties"
    assert _layer(spec, level) and not _layer(spec, other)
    if level == "counties":
        assert _codes(spec, "counties", "county_code") == codes
        assert not _layer(spec, "villages")
        names = {row["name"] for row in _layer(spec, "labels")["data"]}
        assert names == {"通渭县", "通渭县·1"}
        legend = " ".join(m.value for m in at.markdown)
        assert "县摘帽进度" in legend and "全省地图不画村点" in legend and "纯属虚构" in legend
    else:
        drawn = _codes(spec, "townships", "township_code")
        towns = store.query("townships")["township_code"]
        assert drawn == set(towns[towns.str.startswith(codes)]) and len(drawn) == 18
        # centred on that county (a replica sits one grid step east of Tongwei)
        from analytics.demo.tables import GRID_STEP_LON
        from ui.township_map import OVERVIEW_MAP_VIEW, PAGE_MAP_VIEW

        reference = PAGE_MAP_VIEW if page else OVERVIEW_MAP_VIEW
        shift = GRID_STEP_LON if codes == "900001" else 0.0
        view = spec["initialViewState"]
        assert view["longitude"] == pytest.approx(reference["longitude"] + shift, abs=0.01)
        assert view["latitude"] == pytest.approx(reference["latitude"], abs=0.01)
        assert view["zoom"] == pytest.approx(reference["zoom"], abs=0.05)


def test_the_province_map_colours_counties_by_their_figures(two_counties):
    from analytics.status import county_map_values

    _, _, store = two_counties
    values = county_map_values(store, YEAR).set_index("county_code")
    figures = metrics.figures_by_level(store, "county")
    now = figures[figures["year"] == YEAR].set_index("scope_code")
    assert list(values.index) == ["621121", "900001"]
    assert (values["poverty_incidence_pct"] == now["poverty_incidence_pct"]).all()
    assert (values["name"] == ["通渭县", "通渭县·1"]).all()
    assert values["verdict"].isin(["on_track", "behind", "met", "missed", "missed_late"]).all()


def test_clicking_a_county_chooses_it(monkeypatch):
    import streamlit as st

    from ui import township_map

    state = {"county_map": {"selection": {"objects": {"counties": [
        {"properties": {"county_code": "900001"}}]}}}, "township": ["621121100"]}
    monkeypatch.setattr(st, "session_state", state)
    township_map._select_county()
    assert state["county"] == "900001" and state["township"] == []
    empty = {"county_map": {"selection": {"objects": {}}}}
    monkeypatch.setattr(st, "session_state", empty)
    township_map._select_county()
    assert "county" not in empty  # a click on nothing chooses nothing


@pytest.mark.parametrize(("url", "level", "county", "title"), [
    ({}, "counties", None, "全省脱贫攻坚挂图作战"),
    ({"county": "900001"}, "townships", "900001", "通渭县·1脱贫攻坚挂图作战"),
    ({"county": "通渭县·1"}, "townships", "900001", "通渭县·1脱贫攻坚挂图作战"),
    ({"county": "621121"}, "townships", "621121", "通渭县脱贫攻坚挂图作战"),
    ({"county": "123456"}, "counties", None, "全省脱贫攻坚挂图作战"),  # unknown: the province
    ({"county": "900001", "kiosk": "0"}, "townships", "900001", "通渭县·1脱贫攻坚挂图作战"),
])
def test_the_battle_map_honours_its_county(two_counties, monkeypatch, tmp_path, url, level, county, title):
    from ui.format import fmt_pct

    db, _, store = two_counties
    at = _open(db, monkeypatch, tmp_path, "pages/battle_map.py", **url)
    spec = _deck(at)
    assert _layer(spec, level)
    text = " ".join(m.value for m in at.markdown)
    assert title in text
    figures = (metrics.figures_by_level(store, "county").query(f"scope_code == '{county}'") if county
               else metrics.figures_by_level(store, "province"))
    from analytics.verdicts import default_year

    year = default_year(int(figures["year"].min()), int(figures["year"].max()))
    incidence = fmt_pct(figures.loc[figures["year"] == year, "poverty_incidence_pct"].item())
    assert f'<div class="bm-value">{incidence}</div>' in text  # the tiles are the scope's
    if county:
        assert {c[:6] for c in _codes(spec, "townships", "township_code")} == {county}
        assert "各县作战图" not in text
        assert "共 18 个乡镇" in text
    else:
        assert _codes(spec, "counties", "county_code") == {"621121", "900001"}
        assert "各县作战图" in text and "共 36 个乡镇" in text
