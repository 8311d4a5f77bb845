"""Township names repeat across counties (issue 18, point 1): every county may have its
城关镇. Charts and tables are keyed by code and labelled uniquely
(``analytics.counties.unique_labels``); lists name the county when several are visible;
the audit trail shows an account only its own scope's rows."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analytics import audit, charts
from analytics.counties import unique_labels, with_county
from analytics.metrics import relapse_matrix

# Two counties, each with a 城关镇, and a 新庄镇 in only one (hand-made).
A, B, C = "621121100", "621122100", "621121101"
TOWNS = pd.DataFrame({"township_code": [A, B, C], "name": ["城关镇", "城关镇", "新庄镇"]})


@pytest.mark.parametrize(("codes", "names", "expected"), [
    ([A, C], ["城关镇", "新庄镇"], {A: "城关镇", C: "新庄镇"}),                   # unique: the name
    ([A, B], ["城关镇", "城关镇"], {A: "城关镇（通渭县）", B: "城关镇（县（621122））"}),  # two counties
    ([A, C], ["城关镇", "城关镇"], {A: "城关镇（621121100）", C: "城关镇（621121101）"}),  # one county
    (["900001100", "900002100"], ["城关镇", "城关镇"],
     {"900001100": "城关镇（通渭县·1）", "900002100": "城关镇（通渭县·2）"}),
    (["900001", "900002"], ["某县", "某县"], {"900001": "某县（900001）", "900002": "某县（900002）"}),
])
def test_unique_labels(codes, names, expected):
    assert unique_labels(codes, names) == expected


def _towns(**values) -> pd.DataFrame:
    return TOWNS.assign(**values)


def _categories(fig, axis: str) -> list[str]:
    """The ticks a reader sees on ``axis`` (labels), one per distinct key."""
    layout = getattr(fig.layout, f"{axis}axis")
    return list(layout.ticktext)


@pytest.mark.parametrize(("build", "frame", "axis"), [
    (lambda f: charts.build_relapse_by_township(f, 5.0, "返贫率"),
     _towns(relapse_rate_pct=[7.0, 1.0, 3.0]), "x"),
    (lambda f: charts.build_income_progress_by_township(f, 2016),
     _towns(income_progress_pct=[120.0, 30.0, 60.0]), "y"),
    (lambda f: charts.build_exit_years_by_township(f, 3.0),
     _towns(due_year=[2016, 2017, 2016], reached_year=[2016, None, 2017]), "y"),
    (lambda f: charts.build_relapse_by_township(f.rename(columns={"township_code": "scope_code"}), 5.0, "t"),
     _towns(relapse_rate_pct=[7.0, 1.0, 3.0]), "x"),
])
def test_charts_keep_two_counties_townships_apart(build, frame, axis):
    fig = build(frame)
    keys = [k for trace in fig.data if getattr(trace, axis) is not None
            for k in getattr(trace, axis) if k is not None]
    assert {A, B} <= set(keys)  # two bars or marks, one per code
    assert sorted(_categories(fig, axis)) == sorted(["城关镇（通渭县）", "城关镇（县（621122））", "新庄镇"])
    assert getattr(fig.layout, f"{axis}axis").type == "category"  # codes are not numbers


def test_the_village_gap_keeps_two_villages_of_one_name_apart():
    villages = pd.DataFrame({"village_code": [A + "001", B + "001"], "village_name": ["新庄村", "新庄村"],
                             "persons_to_threshold": [5, 9]})
    fig = charts.build_village_gap(villages, 3.0)
    assert list(fig.data[0].y) == [A + "001", B + "001"]
    assert list(fig.layout.yaxis.ticktext) == ["新庄村（通渭县）", "新庄村（县（621122））"]


def test_the_relapse_matrix_has_a_row_per_township():
    figures = pd.DataFrame({"scope_code": [A, B, C, A, B, C], "year": [2015] * 3 + [2016] * 3,
                            "relapse_rate_pct": [1.0, 9.0, 2.0, 3.0, 4.0, 5.0]})
    matrix = relapse_matrix(figures, TOWNS.set_index("township_code")["name"])
    assert list(matrix.index) == ["城关镇（通渭县）", "新庄镇", "城关镇（县（621122））"]
    assert matrix.loc["城关镇（县（621122））", "2015"] == 9.0  # not merged with the other


@pytest.mark.parametrize(("shown", "columns", "counties"), [
    (True, ["county_name", "village_code", "x"], ["通渭县", "县（621122）"]),
    (False, ["village_code", "x"], None),
])
def test_lists_name_the_county_only_when_several_are_visible(shown, columns, counties):
    frame = pd.DataFrame({"village_code": [A + "001", B + "001"], "x": [1, 2]})
    out, labels = with_county(frame, "village_code", {"village_code": "村代码", "x": "x"}, shown=shown)
    assert list(out.columns) == columns and list(labels) == [c for c in columns]
    if counties:
        assert list(out["county_name"]) == counties and labels["county_name"] == "县"
    assert list(frame.columns) == ["village_code", "x"]  # the input is left as it was


def test_the_county_league_is_the_township_score_applied_to_counties():
    """One formula: the county league of county figures equals the township league of the
    same figures called townships (no planned exit year: due with the county)."""
    from analytics.scores import county_league, township_league

    rows = []
    for code, incidence, income in (("621121", [20.0, 8.0, 2.5], [2000, 2800, 3500]),
                                    ("621122", [20.0, 15.0, 12.0], [2000, 2200, 2300])):
        for year, p, y in zip((2014, 2015, 2016), incidence, income):
            rows.append({"scope_code": code, "year": year, "poverty_incidence_pct": p,
                         "relapse_rate_pct": 1.0, "registered_income_per_capita": float(y),
                         "persons_to_threshold": 0})
    figures = pd.DataFrame(rows)
    counties = pd.DataFrame({"county_code": ["621121", "621122"], "name": ["通渭县", "陇西县"]})
    by_county = county_league(figures, counties, 2016)
    as_towns = township_league(figures, counties.rename(columns={"county_code": "township_code"})
                               .assign(planned_exit_year=None), 2016)
    assert list(by_county["county_code"]) == ["621121", "621122"]
    assert list(by_county["rank"]) == [1, 2]
    assert list(by_county["score"]) == list(as_towns["score"])


@pytest.mark.parametrize(("township", "county", "expected"), [
    ("平襄镇", None, "督查简报_平襄镇_2016.pdf"),
    ("平襄镇·3", "通渭县·3", "督查简报_通渭县·3_平襄镇·3_2016.pdf"),
])
def test_the_briefing_file_names_the_county_of_a_province(township, county, expected):
    from analytics.briefing_pdf import briefing_file_name

    assert briefing_file_name(township, 2016, county) == expected


# --- the audit trail: each account its own scope's rows -------------------------------

ROWS = [  # (actor, role, scope)
    ("admin", "province", ()),
    ("tongwei", "county", ("621121",)),
    ("longxi", "county", ("621122",)),
    ("analyst", "township", (A,)),
    ("analyst2", "township", (C, A)),
    ("other-town", "township", (B,)),
]


@pytest.fixture
def audit_file(tmp_path):
    path = tmp_path / "audit.duckdb"
    for actor, role, scope in ROWS:
        audit.record(actor, role, "sign_in", "password", path=path, scope=scope)
    audit.record("?", "?", "sign_in_failed", "wrong password", path=path)
    return path


@pytest.mark.parametrize(("allowed", "actors"), [
    ((), {"admin", "tongwei", "longxi", "analyst", "analyst2", "other-town", "?"}),  # province
    (("621121",), {"tongwei", "analyst", "analyst2"}),   # a county: its own and its townships'
    (("621122",), {"longxi", "other-town"}),
    ((A,), {"analyst"}),                                  # a township: its own township's
    ((A, C), {"analyst", "analyst2"}),
    ((B,), {"other-town"}),
])
def test_each_account_sees_its_scope_of_the_audit(audit_file, allowed, actors):
    log = audit.recent(path=audit_file, allowed=allowed)
    assert set(log["actor"]) == actors
    assert audit.total(path=audit_file, allowed=allowed) == len(actors)
    assert list(log.columns) == ["logged_at", "actor", "role", "action", "detail", "rows"]


def test_an_audit_file_from_before_scopes_is_read_and_then_migrated(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE audit_log (logged_at TIMESTAMP NOT NULL, actor VARCHAR NOT NULL, "
                "role VARCHAR, action VARCHAR NOT NULL, detail VARCHAR, rows BIGINT)")
    con.execute("INSERT INTO audit_log VALUES (now()::TIMESTAMP, 'old', 'cli', 'import', 'x', 3)")
    con.close()
    assert list(audit.recent(path=path)["actor"]) == ["old"]
    assert audit.recent(path=path, allowed=("621121",)).empty
    assert audit.total(path=path, allowed=("621121",)) == 0
    audit.record("tongwei", "county", "sign_in", path=path, scope=("621121",))  # migrates
    assert list(audit.recent(path=path, allowed=("621121",))["actor"]) == ["tongwei"]
    assert set(audit.recent(path=path)["actor"]) == {"old", "tongwei"}
