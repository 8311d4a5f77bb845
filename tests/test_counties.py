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


@pytest.mark.parametrize(("args", "scopes", "codes_start"), [
    (("--county", "900001"), {"county", "township", "village"}, "900001"),
    (("--county", "621121"), {"county", "township", "village"}, "621121"),
])
@pytest.mark.parametrize("as_json", [True, False])
def test_metrics_all_is_narrowed_by_a_scope(two_counties, args, scopes, codes_start, as_json):
    """`metrics --all --county C` prints the county, its townships and its villages (and
    `--township T` the township and its villages), as `--year` is narrowed by them."""
    db, _, store = two_counties
    towns = store.query("townships")
    town = towns.loc[towns["township_code"].str.startswith(codes_start), "township_code"].iloc[0]
    for scope_args, wanted in ((args, scopes), (("--township", town), {"township", "village"})):
        result = _metrics(db, "--all", *scope_args, *(["--json"] if as_json else []))
        assert result.returncode == 0, result.stderr
        if as_json:
            rows = [json.loads(line) for line in result.stdout.splitlines()]
            assert {r["scope"] for r in rows} == wanted
            assert all(r["code"].startswith(scope_args[1]) for r in rows)
        else:
            frame = metrics.all_headline_figures(store, **{scope_args[0][2:]: scope_args[1]})
            assert set(frame["scope"]) == wanted and frame["code"].str.startswith(scope_args[1]).all()
            assert len(result.stdout.splitlines()) == len(frame) + 1


def test_the_province_row_is_named_and_a_closed_pipe_ends_quietly(two_counties):
    db, _, store = two_counties
    assert json.loads(_metrics(db, "--all", "--json").stdout.splitlines()[0])["name"] == "全省"
    assert metrics.all_headline_figures(store)["name"].iloc[0] == "全省"
    assert json.loads(_metrics(db, "--year", str(YEAR), "--json").stdout)["name"] == "全省"
    for json_flag in (["--json"], []):
        piped = subprocess.run(
            f"{sys.executable} -m analytics metrics --db {db} --all {' '.join(json_flag)} | head -1",
            shell=True, capture_output=True, text=True, timeout=120)
        assert piped.stdout.count("\n") == 1
        assert "Traceback" not in piped.stderr and "Error" not in piped.stderr, piped.stderr


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
    # several counties loaded: the title and the file name name the county
    assert brief.county_name == "通渭县·1"
    assert brief.place == f"通渭县·1 {mine['name'].iloc[0]}"
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


def test_the_plan_is_each_countys_and_the_province_sums_them(two_counties):
    """Newcomer finding: at 全省 one county's plan was compared with every county's exits
    (完成 358.94%). Tongwei and its replica both have the plan: the province's is twice it;
    a county's is the plan once."""
    from analytics.config import load_config

    _, _, store = two_counties
    plan = load_config().plan
    year = min(y for y in plan if plan[y].get("persons"))
    for scoped, times in ((store, 2), (store.scoped(("900001",)), 1), (store.scoped(("621121",)), 1)):
        exits = metrics.exits_against_plan(scoped).set_index("year")
        assert exits.at[year, "planned_persons"] == times * plan[year]["persons"]
        assert exits.at[year, "planned_villages_plan"] == times * plan[year]["villages"]
        level, code = metrics.top_scope(scoped)
        figures = metrics.figures_by_level(scoped, level)
        done = figures[(figures["scope_code"] == code) & (figures["year"] == year)]["exited_persons"].item()
        assert exits.at[year, "persons_vs_plan_pct"] == pytest.approx(100.0 * done / (times * plan[year]["persons"]))


def test_the_province_page_says_province_targets(two_counties, monkeypatch, tmp_path):
    """At 全省 the overview judges the province against the province's targets (省目标),
    a chosen county against its own (县目标)."""
    from analytics.config import load_config

    db, _, _ = two_counties
    t = load_config().targets
    at = _open(db, monkeypatch, tmp_path)
    helps = " ".join(m.help or "" for m in at.metric)
    assert f"省目标{t['province_rural_income_yuan']:,.0f}元" in helps and "县目标" not in helps
    at.selectbox(key="county").set_value("900001").run()
    helps = " ".join(m.help or "" for m in at.metric)
    assert f"县目标{t['rural_income_yuan']:,.0f}元" in helps


def test_a_township_link_at_the_province_opens_its_county(two_counties, monkeypatch, tmp_path):
    """Newcomer finding: a township named by a link (or clicked on the map) with no county
    left the county empty and the township filter disabled."""
    db, _, store = two_counties
    town = store.query("townships")
    town = town[town["township_code"].str.startswith("900001")].iloc[0]
    at = _open(db, monkeypatch, tmp_path, township=town["name"])
    assert at.selectbox(key="county").value == "900001"
    towns = at.multiselect(key="township")
    assert not towns.disabled and towns.value == [town["township_code"]]
    # clearing the county clears its townships: the province again, not the county re-chosen
    at.selectbox(key="county").set_value(None).run()
    assert at.selectbox(key="county").value is None and not at.multiselect(key="township").value


def test_a_county_account_told_when_a_link_names_another_county(two_counties, monkeypatch, tmp_path):
    from analytics.access import Viewer

    db, _, _ = two_counties
    at = _open(db, monkeypatch, tmp_path, viewer=Viewer("li", "county", counties=("900001",)),
               county="通渭县")
    assert any("链接中的县不在您可查看的范围内" in i.value for i in at.info)
    assert "通渭县·1" in " ".join(c.value for c in at.caption)  # its own county, named


def test_a_link_to_what_the_viewer_cannot_see_says_so(two_counties, monkeypatch, tmp_path):
    from analytics.access import Viewer

    db, _, store = two_counties
    town = store.query("townships")
    other = town[town["township_code"].str.startswith("621121")].iloc[0]["township_code"]
    at = _open(db, monkeypatch, tmp_path, viewer=Viewer("li", "county", counties=("900001",)),
               township=other)
    notes = [i.value for i in at.info]
    assert any("1 个乡镇不在您可查看的范围内" in n for n in notes), notes
    assert other not in " ".join(notes)  # the address's words are not echoed back
    assert not at.multiselect(key="township").value


def _league(at):
    return next(d.value for d in at.dataframe if "verdict_text" in d.value.columns)


def test_the_province_ranks_its_counties_and_a_county_its_townships(two_counties, monkeypatch, tmp_path):
    """At 全省 the overview's league is of counties (the township score applied to the county
    figures); once a county is chosen, of its townships, without a 县 column (one county)."""
    from analytics.scores import county_league

    db, _, store = two_counties
    at = _open(db, monkeypatch, tmp_path, year=str(YEAR))
    league = _league(at)
    expected = county_league(metrics.figures_by_level(store, "county"), store.query("counties"), YEAR)
    assert list(league["name"]) == list(expected["name"]) and set(league["name"]) == {"通渭县", "通渭县·1"}
    assert list(league["score"]) == pytest.approx(list(expected["score"]), nan_ok=True)
    assert all(link.startswith("./?county=") for link in league["view"])
    at.selectbox(key="county").set_value("900001").run()
    league = _league(at)
    assert league["township_code"].str.startswith("900001").all() and "county_name" not in league


@pytest.mark.parametrize(("county", "has_county_column"), [(None, True), ("通渭县·1", False)])
def test_lists_name_the_county_while_several_are_visible(two_counties, monkeypatch, tmp_path, county,
                                                         has_county_column):
    db, _, _ = two_counties
    url = {"year": str(YEAR), **({"county": county} if county else {})}
    at = _open(db, monkeypatch, tmp_path, "pages/townships.py", **url)
    villages = next(d.value for d in at.dataframe if "village_code" in d.value.columns)
    assert ("county_name" in villages) == has_county_column
    if has_county_column:
        assert set(villages["county_name"]) <= {"通渭县", "通渭县·1"}
        assert (villages["county_name"] == villages["village_code"].str[:6].map(
            {"621121": "通渭县", "900001": "通渭县·1"})).all()


@pytest.mark.parametrize(("viewer", "actors"), [
    (("sun", "province", ()), {"sun", "zhang", "li", "?"}),
    (("li", "county", ("900001",)), {"li"}),
    (("zhang", "county", ("621121",)), {"zhang"}),
])
def test_the_data_page_shows_each_account_its_own_audit_rows(two_counties, monkeypatch, tmp_path,
                                                             viewer, actors):
    """操作记录: the province everything; a county account its own county's rows only
    (not the province's imports, not another county's, not failed sign-ins)."""
    from analytics import audit
    from analytics.access import Viewer

    db, _, _ = two_counties
    path = tmp_path / "audit.duckdb"
    audit.record("sun", "province", "import", "data", 10, path=path)
    audit.record("zhang", "county", "sign_in", "password", path=path, scope=("621121",))
    audit.record("li", "county", "export", "各村情况.csv", 5, path=path, scope=("900001",))
    audit.record("?", "?", "sign_in_failed", "wrong password", path=path)
    name, role, counties = viewer
    at = _open(db, monkeypatch, tmp_path, "pages/data.py", viewer=Viewer(name, role, counties=counties))
    log = next(d.value for d in at.dataframe if "actor" in d.value.columns)
    from ui.format import audit_label

    assert sorted(log["actor"]) == sorted(audit_label("actor", a) for a in actors)


@pytest.mark.parametrize(("labels", "given", "codes"), [
    # a link made at 全省 (城关镇（通渭县）) read within the county, where the label is 城关镇
    ({"621121100": "城关镇", "621121101": "马营镇"}, ["城关镇（通渭县）"], ["621121100"]),
    # a label with a code (two of one name in one county), and a bare code
    ({"621121100": "城关镇", "621121101": "马营镇"}, ["马营镇（621121101）", "621121100"],
     ["621121101", "621121100"]),
    # another county's township: nothing
    ({"621121100": "城关镇"}, ["城关镇（900001100）", "城关镇（通渭县·1）", "不存在"], []),
])
def test_an_address_label_is_read_in_any_scope(labels, given, codes):
    from ui.frame import _codes

    assert _codes(labels)(given) == codes


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
    # the panels by area: a row per county at 全省 (36 townships' rows cannot be read across
    # a room), per township of the county chosen (the campaign's result: 摘帽 plan and actual)
    import json as _json

    charts = [_json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    exit_years = next(c for c in charts if c["data"][0].get("name") == "计划摘帽年份")
    rows = {y for trace in exit_years["data"] for y in trace["y"]}
    towns = store.query("townships")["township_code"]
    assert rows == ({"621121", "900001"} if not county else set(towns[towns.str.startswith(county)]))
    assert ("各县摘帽" in text) == (not county)
    # a county the link names but the screen cannot show is said, never echoed
    assert ("链接中的县无法显示" in text) == (url.get("county") == "123456")
    assert "123456" not in text


@pytest.mark.parametrize(("flags", "warned"), [
    (["--role", "county", "--county", "900001"], []),                     # loaded: no warning
    (["--role", "county", "--county", "999999"], ["999999"]),             # newcomer: saved silently
    (["--role", "township", "--township", "900001100", "--township", "999999999"], ["999999999"]),
])
def test_add_user_warns_of_codes_the_database_does_not_hold(two_counties, tmp_path, monkeypatch,
                                                             flags, warned):
    from tests.cli_runner import cli_in_process

    db, _, _ = two_counties
    monkeypatch.setenv("TONGWEI_USERS", str(tmp_path / "users.toml"))
    done = cli_in_process("--db", db, "add-user", "someone", "--no-password", *flags)
    assert done.returncode == 0, done.stderr  # saved: an account may come before its data
    assert [line.split()[1] for line in done.stderr.splitlines() if line.startswith("warning:")] == warned


@pytest.mark.parametrize("as_json", [True, False])
def test_metrics_all_with_a_year_prints_that_year_only(two_counties, as_json):
    """`metrics --all --year Y` (alone or with a scope) prints year Y's rows only; the text
    table writes — for a value the row does not have (the province's code), never NaN."""
    db, _, store = two_counties
    every = metrics.all_headline_figures(store)
    for scope_args in ((), ("--county", "900001")):
        result = _metrics(db, "--all", "--year", str(YEAR), *scope_args, *(["--json"] if as_json else []))
        assert result.returncode == 0, result.stderr
        expected = every if not scope_args else metrics.all_headline_figures(store, county="900001")
        expected = expected[expected["year"] == YEAR]
        assert len(expected) and len(expected) < len(every)
        if as_json:
            rows = [json.loads(line) for line in result.stdout.splitlines()]
            assert {r["year"] for r in rows} == {YEAR} and len(rows) == len(expected)
        else:
            lines = result.stdout.splitlines()
            assert len(lines) == len(expected) + 1
            assert "NaN" not in result.stdout and "None" not in result.stdout
            if not scope_args:
                assert lines[1].split()[:3] == ["province", "—", "全省"]
