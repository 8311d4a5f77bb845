"""The demo generator: contract validity, determinism, calibration, planted problems.

Fast on purpose: scale 0.05 (≈1,300 households) for most checks, scale 1 once
(module-scoped fixture), scale 2 once for the replica codes.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from analytics import contract as C
from analytics.config import load_config
from analytics.demo import (
    BUNCHING_TOWNSHIP_SUFFIX,
    SHOCK_TOWNSHIPS,
    demo_as_of,
    demo_tables,
    planted_problems,
)

SMALL = 0.05


@pytest.fixture(scope="module")
def small():
    return demo_tables(SMALL, seed=7)


@pytest.fixture(scope="module")
def county():
    return demo_tables(1.0, seed=2015)


# ---------------------------------------------------------------------------
# helpers: the rules of the contract and the data-quality checks, in pandas
# ---------------------------------------------------------------------------
def panel(d: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """household_years sorted, with the previous year's row alongside and the line."""
    hy = d["household_years"].sort_values(["household_id", "year"], kind="stable")
    hy = hy.reset_index(drop=True)
    prev = hy.groupby("household_id")[["year", "status", "members",
                                        "net_income_per_capita"]].shift(1)
    hy["prev_year"] = prev["year"]
    hy["prev_status"] = prev["status"]
    hy["prev_members"] = prev["members"]
    hy["prev_income"] = prev["net_income_per_capita"]
    hy["line"] = hy["year"].map(load_config().poverty_line)
    hy["township_code"] = hy["household_id"].str[:9]
    hy["village_code"] = hy["household_id"].str[:12]
    return hy


def exit_rows(hy: pd.DataFrame) -> pd.Series:
    return (hy["prev_status"] == C.POOR) & (hy["status"] == C.EXITED)


def relapse_rows(hy: pd.DataFrame) -> pd.Series:
    return (hy["prev_status"] == C.EXITED) & (hy["status"] == C.POOR)


def valid_id(s: str) -> bool:
    if len(s) != 18 or not s[:17].isdigit():
        return False
    if C.id_check_digit(s[:17]) != s[17]:
        return False
    try:
        datetime.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    return True


def village_incidence(d, hy) -> pd.DataFrame:
    poor = (hy[hy["status"] == C.POOR].groupby(["village_code", "year"])["members"].sum()
            .rename("poor"))
    vy = d["village_years"].set_index(["village_code", "year"])
    out = vy[["registered_population"]].join(poor).fillna({"poor": 0})
    out["incidence"] = out["poor"] / out["registered_population"].where(
        out["registered_population"] > 0)
    return out


def findings(d: dict[str, pd.DataFrame]) -> dict[str, object]:
    """The planted-problem checks, each written straight from its definition."""
    hy = panel(d)
    ex = exit_rows(hy)
    out: dict[str, object] = {}
    sec_false = ~hy[list(C.SECURITY_COLUMNS)].all(axis=1)
    exited = hy["status"] == C.EXITED
    out["wrong_exit_income"] = int((exited & (hy["net_income_per_capita"] < hy["line"])).sum())
    out["wrong_exit_security"] = int(
        (exited & (hy["net_income_per_capita"] >= hy["line"]) & sec_false).sum())
    out["wrong_exit"] = int((exited & ((hy["net_income_per_capita"] < hy["line"])
                                       | sec_false)).sum())
    band = (hy["net_income_per_capita"] >= hy["line"]) & (
        hy["net_income_per_capita"] <= 1.05 * hy["line"])
    out["bunching_share"] = (band[ex].groupby(hy.loc[ex, "township_code"]).mean())
    jump = (hy["prev_income"] > 0) & (hy["net_income_per_capita"] >= 3 * hy["prev_income"])
    out["income_jump"] = int((ex & jump).sum())
    out["income_jump_any_year"] = int(jump.sum())
    hh = d["households"]
    key = pd.DataFrame({
        "town": hh["village_code"].str[:9],
        "name": hh["head_name"],
        "birth": hh["head_id_number"].str[6:14],
    })
    sizes = key.groupby(["town", "name", "birth"]).size()
    out["duplicate_person_pairs"] = int((sizes == 2).sum())
    out["duplicate_person_larger_groups"] = int((sizes > 2).sum())
    vi = village_incidence(d, hy)
    out["population_overflow"] = int((vi["poor"] > vi["registered_population"]).sum())
    big = (hy["members"] - hy["prev_members"]).abs() >= 3
    out["size_jump"] = int(hy.loc[big, "household_id"].nunique())
    rel = relapse_rows(hy)
    out["relapse_without_cause"] = int((rel & hy["relapse_cause"].isna()).sum())
    load = hh["cadre_id"].value_counts()
    cad = d["cadres"].set_index("cadre_id")
    quota = cad["rank"].map(C.RANK_QUOTA)
    out["cadres_over_quota"] = int((load.reindex(cad.index, fill_value=0) > quota).sum())
    vil = d["villages"].dropna(subset=["exit_year"])
    at_exit = vi.reindex(list(zip(vil["village_code"], vil["exit_year"].astype(int))))
    out["exit_incidence"] = at_exit["incidence"]
    out["village_exit_contradiction"] = int((at_exit["incidence"] >= 0.03).sum())
    return out


def assert_contract_valid(d: dict[str, pd.DataFrame]) -> None:
    assert set(d) == set(C.TABLES)
    for name, table in C.TABLES.items():
        df = d[name]
        assert list(df.columns) == table.column_names, name
        for col in table.columns:
            s = df[col.name]
            if not col.nullable:
                assert s.notna().all(), (name, col.name)
            if col.kind in ("code", "text", "enum", "id_number"):
                assert s.dtype == "str", (name, col.name, s.dtype)
            elif col.kind == "int":
                assert str(s.dtype) == ("Int64" if col.nullable else "int64"), (name, col.name)
            elif col.kind == "real":
                assert s.dtype == np.float64, (name, col.name)
            elif col.kind == "bool":
                # a nullable column the demo always fills (the 两不愁三保障 flags) may be plain bool
                assert str(s.dtype) in (("boolean", "bool") if col.nullable else ("bool",)), \
                    (name, col.name)
            v = s.dropna()
            if col.kind == "code":
                assert v.str.fullmatch(rf"\d{{{col.digits}}}").all(), (name, col.name)
            if col.kind == "enum":
                assert v.isin(col.choices).all(), (name, col.name, set(v) - set(col.choices))
            if col.minimum is not None:
                assert (v >= col.minimum).all(), (name, col.name)
        assert not df.duplicated(list(table.primary_key)).any(), (name, "primary key")
        for u in table.unique:
            assert not df[u].duplicated().any(), (name, u)
        for fk in table.foreign_keys:
            ref = d[fk.table]
            vals = df[list(fk.columns)].dropna()
            ok = pd.MultiIndex.from_frame(vals).isin(pd.MultiIndex.from_frame(
                ref[list(fk.ref_columns)]))
            assert ok.all(), (name, fk)
    vil = d["villages"]
    assert (vil["village_code"].str[:9] == vil["township_code"]).all()
    assert vil.loc[~vil["is_poor_village"], "planned_exit_year"].isna().all()
    assert d["households"]["head_id_number"].map(valid_id).all()
    # household years: contiguous from registered_year, never before it
    hy = d["household_years"]
    g = hy.groupby("household_id")["year"].agg(["min", "max", "count"])
    reg = d["households"].set_index("household_id")["registered_year"]
    assert g.index.equals(reg.sort_index().index) or set(g.index) == set(reg.index)
    assert (g["min"] == reg.reindex(g.index)).all()
    assert (g["count"] == g["max"] - g["min"] + 1).all()
    assert hy["year"].between(2014, 2020).all()
    # relapse_cause only on relapse rows
    p = panel(d)
    has_cause = p["relapse_cause"].notna()
    assert (has_cause <= relapse_rows(p)).all()


# ---------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------
def test_as_of():
    assert demo_as_of() == datetime.date(2020, 12, 31)


def test_contract_valid_small(small):
    assert_contract_valid(small)


def test_contract_valid_county(county):
    assert_contract_valid(county)


def test_deterministic(small):
    again = demo_tables(SMALL, seed=7)
    for name in C.TABLES:
        pd.testing.assert_frame_equal(small[name], again[name], check_exact=True)
    other = demo_tables(SMALL, seed=8)
    assert not other["household_years"].equals(small["household_years"])


def test_progress_messages():
    seen: list[str] = []
    demo_tables(0.02, progress=seen.append)
    assert seen[0] == "townships"
    assert any(m.startswith("households ") and m.endswith("%") for m in seen)
    assert "household_years" in seen


def test_small_scale_keeps_geography(small):
    assert len(small["townships"]) == 18
    assert len(small["villages"]) == 332
    poor_v = small["villages"].loc[small["villages"]["is_poor_village"], "village_code"]
    assert poor_v.isin(small["households"]["village_code"]).all()
    assert 0.03 * 27_000 < len(small["households"]) < 0.07 * 27_000


def test_county_calibration(county):
    d = county
    assert len(d["townships"]) == 18
    assert len(d["villages"]) == 332
    assert d["villages"]["is_poor_village"].sum() == 115
    plan = d["villages"]["planned_exit_year"].value_counts().to_dict()
    assert plan == {2015: 45, 2016: 40, 2017: 30}
    hy = panel(d)
    pop = d["village_years"].groupby("year")["registered_population"].sum()
    poor = hy[hy["status"] == C.POOR].groupby("year")["members"].sum()
    assert 380_000 < pop[2014] < 420_000
    assert 100_000 <= poor[2014] <= 120_000
    inc = 100 * poor / pop
    assert 24 <= inc[2014] <= 30
    assert inc[2017] < 5.0            # the 2017 target (below 5 %) was met (整体脱贫)
    assert inc[2019] < 3.0            # county exit rule met
    assert inc[2020] < 0.5
    assert 24_000 <= len(d["households"]) <= 30_000
    m14 = hy.loc[hy["year"] == 2014, "members"]
    assert 3.9 <= m14.mean() <= 4.3
    # exits: shape of the plan, exceeded (≈115 %: most townships exit in their year)
    ex = hy[exit_rows(hy)].groupby("year")["members"].sum()
    cfg = load_config()
    for y in (2015, 2016, 2017):
        assert 1.0 * cfg.plan[y]["persons"] <= ex[y] <= 1.3 * cfg.plan[y]["persons"], y
    # new registrations and leavers
    reg = d["households"]["registered_year"].value_counts()
    assert set(reg.index) == {2014, 2015, 2016}
    newp = hy[hy["year"] == hy["household_id"].map(
        d["households"].set_index("household_id")["registered_year"])]
    newp = newp[newp["year"] > 2014]["members"].sum()
    assert 2_000 <= newp <= 6_000
    last = hy.groupby("household_id")["year"].max()
    assert 0.01 <= (last < 2020).mean() <= 0.02
    # rural income: 6197 in 2017 (the real figure), target 6811 missed
    vy = d["village_years"].dropna(subset=["rural_income_per_capita"])
    ri = ((vy["rural_income_per_capita"] * vy["registered_population"]).groupby(vy["year"]).sum()
          / vy.groupby("year")["registered_population"].sum())
    assert abs(ri[2017] / 6197 - 1) < 0.05
    assert 4500 < ri[2014] < 5100 and 7500 < ri[2020] < 8300
    # registered households' income 2017 ≈ 3900: the county's 3700 met (≈90 % of them have
    # exited), the province's 4000 missed
    w = hy["members"] * hy["net_income_per_capita"]
    reg_inc = w.groupby(hy["year"]).sum() / hy.groupby("year")["members"].sum()
    assert 3700 <= reg_inc[2017] < 4000
    # wage share ≈30 % → ≈50 %
    wage = hy["members"] * hy["wage_income_per_capita"].fillna(0)
    share = wage.groupby(hy["year"]).sum() / w.groupby(hy["year"]).sum()
    assert 0.25 <= share[2014] <= 0.35 and 0.45 <= share[2020] <= 0.55
    # relapse: 1–3 % a year for the county, designed shocks over the 5 % cap
    rel = hy[relapse_rows(hy)]
    stock = hy[hy["prev_status"] == C.EXITED]
    rate = 100 * rel.groupby("year")["members"].sum() / stock.groupby("year")["prev_members"].sum()
    assert ((rate[[2016, 2017, 2018, 2019]] >= 1) & (rate[[2016, 2017, 2018, 2019]] <= 3)).all()
    trate = (100 * rel.groupby(["township_code", "year"])["members"].sum()
             / stock.groupby(["township_code", "year"])["prev_members"].sum())
    for sfx, (year, _, _) in SHOCK_TOWNSHIPS.items():
        assert trate.get((f"621121{sfx}", year), 0) > 5.0, sfx
    assert (trate.dropna() <= 5.0).mean() > 0.9
    assert rel["relapse_cause"].value_counts().index[0] == "因病"
    # incomes against the line
    poor_rows = hy[hy["status"] == C.POOR]
    assert (poor_rows["net_income_per_capita"] <= poor_rows["line"]).all()
    assert (poor_rows["net_income_per_capita"] < 0).sum() >= 1
    assert (poor_rows["net_income_per_capita"] == poor_rows["line"]).sum() >= 1
    # dibao ≈15 %, causes, cadres
    dib = hy.groupby("household_id")["dibao_class"].agg(lambda s: s.notna().any())
    assert 0.12 <= dib.mean() <= 0.18
    causes = d["households"]["poverty_cause"].value_counts(normalize=True)
    assert causes.index[0] == "因病" and 0.17 <= causes["因病"] <= 0.23
    cov = d["households"]["cadre_id"].notna().mean()
    assert 0.85 <= cov < 1.0
    assert set(d["cadres"]["rank"]) == set(C.CADRE_RANKS)
    # villages: exits mostly on plan, some late
    vil = d["villages"][d["villages"]["is_poor_village"]]
    on_time = (vil["exit_year"] == vil["planned_exit_year"]).mean()
    assert 0.75 <= on_time <= 0.95
    assert vil["exit_year"].notna().all() and (vil["exit_year"] <= 2020).all()
    assert (vil["exit_year"] >= vil["planned_exit_year"]).all()


@pytest.mark.parametrize("which", ["small", "county"])
def test_planted_problems(which, request):
    d = request.getfixturevalue(which)
    scale = SMALL if which == "small" else 1.0
    want = planted_problems(scale)
    got = findings(d)
    for key in ("wrong_exit_income", "wrong_exit_security", "wrong_exit", "income_jump",
                "duplicate_person_pairs", "population_overflow", "size_jump",
                "relapse_without_cause", "cadres_over_quota", "village_exit_contradiction"):
        assert got[key] == want[key], (key, got[key], want[key])
        assert want[key] >= 1
    # the jump rule finds the same households whether or not it looks at exit years only
    assert got["income_jump_any_year"] == want["income_jump"]
    assert got["duplicate_person_larger_groups"] == 0
    share = got["bunching_share"]
    for code in want["income_bunching_townships"]:
        assert share[code] >= want["income_bunching_min_share"]
    others = share.drop(index=want["income_bunching_townships"])
    assert (others == 0).all()
    # the contradicting claims are well above the 3 % rule; honest ones are below 3 %
    inc = got["exit_incidence"]
    assert (inc[inc >= 0.03] >= 0.06).all()


def test_planted_counts_scale_with_size():
    one = planted_problems(1.0)
    documented = {   # docs/demo-data.md, "Planted data-quality problems"
        "wrong_exit_income": 40, "wrong_exit_security": 20, "wrong_exit": 60,
        "income_jump": 8, "duplicate_person_pairs": 5, "population_overflow": 1,
        "size_jump": 6, "relapse_without_cause": 5, "cadres_over_quota": 3,
        "village_exit_contradiction": 2,
    }
    assert {k: one[k] for k in documented} == documented
    assert one["income_bunching_min_share"] == 0.5
    small = planted_problems(SMALL)
    assert small["wrong_exit_income"] == 2 and small["village_exit_contradiction"] == 1
    assert one["income_bunching_townships"] == [f"621121{BUNCHING_TOWNSHIP_SUFFIX}"]
    three = planted_problems(2.5)
    assert three["population_overflow"] == 3
    assert three["wrong_exit_income"] == 40 + 40 + 20
    assert len(three["income_bunching_townships"]) == 3


def test_replicas():
    d = demo_tables(2.0, seed=3)
    t = d["townships"]
    assert len(t) == 36 and t["township_code"].is_unique
    assert set(t["township_code"].str[:6]) == {"621121", "900001"}
    assert (t.loc[t["township_code"].str.startswith("900001"), "name"].str.endswith("·1")).all()
    v = d["villages"]
    assert len(v) == 664 and v["village_code"].is_unique
    assert v["is_poor_village"].sum() == 230
    hh = d["households"]
    assert hh["head_id_number"].is_unique
    rep = hh["head_id_number"].str[:6]
    assert set(rep) == {"621121", "900001"}
    assert (rep == hh["village_code"].str[:6]).all()
    # each replica is drawn from its own stream
    a = hh[rep == "621121"]["registered_year"].value_counts().sort_index()
    b = hh[rep == "900001"]["registered_year"].value_counts().sort_index()
    assert not a.equals(b)
    # replica 0 of a province is the county itself
    alone = demo_tables(1.0, seed=3)["households"]
    pd.testing.assert_frame_equal(
        alone.reset_index(drop=True), hh[rep == "621121"].reset_index(drop=True))
    assert_contract_valid(d)
    lat_shift = (v.loc[v["village_code"].str.startswith("900001"), "lat"].mean()
                 - v.loc[v["village_code"].str.startswith("621121"), "lat"].mean())
    assert abs(lat_shift) < 0.1    # replica 1 sits one grid step east, same latitude


def test_fractional_last_replica():
    d = demo_tables(1.5, seed=3)
    hh = d["households"]
    n0 = (hh["village_code"].str[:6] == "621121").sum()
    n1 = (hh["village_code"].str[:6] == "900001").sum()
    assert 0.4 < n1 / n0 < 0.6


def test_bad_scale():
    with pytest.raises(ValueError):
        demo_tables(0)
    with pytest.raises(ValueError):
        demo_tables(-1)
