"""Headline figures and the analytics the pages need, for every scope and year.

Each family is one query over the store (never one per village or per year); the
formulas of the headline figures are in ``queries/build_figures.sql`` and restated
in ``HEADLINE_FORMULAS``; the small formulas applied in Python are documented on
each function. Rates are percentages (0–100) unless the name says otherwise;
incomes are yuan per person per year.
"""

from __future__ import annotations

import math
import numpy as np
import pandas as pd

from analytics.config import Config, load_config
from analytics.contract import RANK_QUOTA
from analytics.plans import yearly_plan
from analytics.store import Store

#: The scope levels, top down: the province is all that is loaded (one county's data:
#: the county itself), then each county, township and village (analytics/counties.py).
SCOPE_LEVELS = ("province", "county", "township", "village")
#: The province's name in the figures (the rollup leaves it null: it is no place of the data).
PROVINCE_NAME = "全省"

HEADLINE_FORMULAS = {
    "registered_population": "Σ village_years.registered_population over villages in S, year t",
    "poor_persons": "Σ members(h,t) over h in S with status(h,t) = 未脱贫",
    "poverty_incidence_pct": "100 × poor_persons / registered_population; null when 0",
    "exited_persons": "Σ members(h,t) over h with status(h,t−1) = 未脱贫 and status(h,t) = 已脱贫",
    "relapsed_persons": "Σ members(h,t) over h with status(h,t−1) = 已脱贫 and status(h,t) = 未脱贫",
    "exited_stock_start": "Σ members(h,t−1) over h with status(h,t−1) = 已脱贫",
    "relapse_rate_pct": "100 × relapsed_persons / exited_stock_start; null when 0",
    "relapse_cap_pct": "the county plan's cap (config), 5.0",
    "rural_income_per_capita": "Σ pop·income / Σ pop over villages with a non-null income",
    "registered_income_per_capita": "Σ members·net_income / Σ members over registered households",
    "poverty_line": "national rural line of year t (config)",
    "fgt0": "(1/N) Σ members·[y < z], y bottom-coded at 0",
    "fgt1": "(1/N) Σ members·((z−y)/z)·[y < z]",
    "fgt2": "(1/N) Σ members·((z−y)/z)²·[y < z]",
    "watts": "(1/N⁺) Σ_{0<y<z} members·ln(z/y), N⁺ = members with y > 0",
    "watts_excluded_persons": "members of households with y ≤ 0 (left out of Watts)",
    "gini": "person-weighted Gini of y bottom-coded at 0, no small-sample correction",
}
HEADLINE_KEYS = tuple(HEADLINE_FORMULAS)


class UnknownScope(LookupError):
    """The township, village or year asked for is not in the database."""


def _none_if_nan(value):
    if value is None:
        return None
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _figure_record(row: pd.Series, config: Config) -> dict:
    record = {
        "scope": row["scope_level"],
        "code": None if row["scope_level"] == "province" else row["scope_code"],
        "name": (PROVINCE_NAME if row["scope_level"] == "province"
                 else _none_if_nan(row["scope_name"])),
        "year": int(row["year"]),
    }
    for key in HEADLINE_KEYS:
        if key == "relapse_cap_pct":
            record[key] = float(config.targets["relapse_cap_pct"])
        else:
            record[key] = _none_if_nan(row[key])
    return record


def counties(store: Store) -> pd.DataFrame:
    """The counties loaded (``county_code``, ``name``) that the viewer may see, in code order."""
    return store.query("counties")


def top_scope(store: Store) -> tuple[str, str]:
    """(level, code) of everything the store shows: the county when it holds one (one
    county loaded, or a viewer restricted to one), else the province, all that is loaded."""
    codes = counties(store)["county_code"].tolist()
    return ("county", codes[0]) if len(codes) == 1 else ("province", "province")


def headline_figures(
    store: Store, year: int, township: str | None = None, village: str | None = None,
    county: str | None = None,
) -> dict:
    """The contract's headline figures for one scope and year: a village, a township, a
    county, or (none given) all that is loaded — the county when one is loaded, else the
    province. Raises UnknownScope for a scope or year not in the database, ValueError
    when more than one scope is given."""
    if sum(bool(x) for x in (county, township, village)) > 1:
        raise ValueError("give one of a county, a township or a village")
    level, code = (
        ("village", village) if village else ("township", township) if township
        else ("county", county) if county else top_scope(store)
    )
    frame = store.query("figures_for_scope", scope_level=level, scope_code=code)
    if frame.empty:
        raise UnknownScope(f"unknown {level} {code}")
    row = frame[frame["year"] == year]
    if row.empty:
        years = ", ".join(map(str, frame["year"]))
        raise UnknownScope(f"no data for {year} (years: {years})")
    return _figure_record(row.iloc[0], load_config())


def all_headline_figures(store: Store, county: str | None = None, township: str | None = None,
                         village: str | None = None) -> pd.DataFrame:
    """The headline figures of every scope, every year: the province (only when more than
    one county is loaded: with one, it is that county; named ``PROVINCE_NAME``), the
    counties, the townships, the villages, in that order. ``county``, ``township`` or
    ``village`` narrows them to that scope and the scopes under it (a county's row, its
    townships' and villages'), as ``headline_figures`` narrows one year's; UnknownScope
    when it holds no row.

    One row per scope and year with the keys of ``headline_figures`` as columns.
    """
    if sum(bool(x) for x in (county, township, village)) > 1:
        raise ValueError("give one of a county, a township or a village")
    config = load_config()
    frame = store.query("figures")
    if len(counties(store)) <= 1:
        frame = frame[frame["scope_level"] != "province"]
    if county:
        frame = frame[frame["county_code"] == county]
    if township:
        frame = frame[frame["township_code"] == township]
    if village:
        frame = frame[(frame["scope_level"] == "village") & (frame["scope_code"] == village)]
    if frame.empty and (county or township or village):
        raise UnknownScope(f"unknown scope {county or township or village}")
    order = frame["scope_level"].map({level: i for i, level in enumerate(SCOPE_LEVELS)})
    frame = frame.assign(_order=order).sort_values(["_order", "scope_code", "year"])
    province = frame["scope_level"] == "province"
    out = pd.DataFrame({
        "scope": frame["scope_level"],
        "code": frame["scope_code"].where(~province),
        "name": frame["scope_name"].where(~province, PROVINCE_NAME),
        "year": frame["year"].astype("int64"),
    })
    for key in HEADLINE_KEYS:
        out[key] = float(config.targets["relapse_cap_pct"]) if key == "relapse_cap_pct" else frame[key]
    return out.reset_index(drop=True)


def figures_by_level(store: Store, level: str) -> pd.DataFrame:
    """The figures table of every scope of one level, every year, with the exit gap.

    Adds ``persons_to_threshold`` (see ``persons_to_exit_threshold``), the relapse
    cap and ``over_relapse_cap`` (rate > cap, unrounded).
    """
    if level not in SCOPE_LEVELS:
        raise ValueError(level)
    config = load_config()
    frame = store.query("figures_by_level", scope_level=level)
    frame["persons_to_threshold"] = persons_to_exit_threshold(
        frame["poor_persons"], frame["registered_population"], config.targets["exit_threshold_pct"]
    )
    frame["relapse_cap_pct"] = float(config.targets["relapse_cap_pct"])
    frame["over_relapse_cap"] = frame["relapse_rate_pct"] > frame["relapse_cap_pct"]
    return frame


ADDITIVE_COLUMNS = (
    "registered_population", "poor_persons", "exited_persons", "relapsed_persons",
    "exited_stock_start", "watts_excluded_persons", "enrolled_persons",
    "registered_households", "poor_households", "rural_income_weighted_sum",
    "rural_income_population", "income_weighted_sum", "wage_weighted_sum",
    "income_with_wage_sum", "fgt0_persons", "fgt1_sum", "fgt2_sum", "watts_sum", "watts_persons",
)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator / denominator.where(denominator != 0)


def combine_scopes(rows: pd.DataFrame, label: str) -> pd.DataFrame:
    """Several scopes' figure rows combined into one scope per year.

    Persons and the additive parts are summed; the ratios are recomputed from them
    with the formulas of build_figures.sql (incidence = 100·poor/population, relapse
    = 100·relapsed/stock, incomes = Σ weighted / Σ weights, FGT_α = Σ parts / N,
    Watts = Σ parts / N⁺). The Gini is not decomposable and is left null.
    """
    parts = rows.groupby("year", as_index=False)[list(ADDITIVE_COLUMNS)].sum(min_count=1)
    parts["scope_level"] = "selection"
    parts["scope_code"] = label
    parts["scope_name"] = label
    parts["township_code"] = None
    parts["poverty_incidence_pct"] = 100.0 * _ratio(parts["poor_persons"], parts["registered_population"])
    parts["relapse_rate_pct"] = 100.0 * _ratio(parts["relapsed_persons"], parts["exited_stock_start"])
    parts["rural_income_per_capita"] = _ratio(parts["rural_income_weighted_sum"],
                                              parts["rural_income_population"])
    parts["registered_income_per_capita"] = _ratio(parts["income_weighted_sum"],
                                                   parts["enrolled_persons"])
    parts["wage_share_pct"] = 100.0 * _ratio(parts["wage_weighted_sum"], parts["income_with_wage_sum"])
    parts["fgt0"] = _ratio(parts["fgt0_persons"].fillna(0), parts["enrolled_persons"])
    parts["fgt1"] = _ratio(parts["fgt1_sum"].fillna(0), parts["enrolled_persons"])
    parts["fgt2"] = _ratio(parts["fgt2_sum"].fillna(0), parts["enrolled_persons"])
    parts["watts"] = _ratio(parts["watts_sum"].fillna(0), parts["watts_persons"])
    parts["gini"] = float("nan")
    lines = rows.groupby("year")["poverty_line"].first()
    parts["poverty_line"] = parts["year"].map(lines)
    return parts


def _scope_of(store: Store, townships=(), villages=()) -> tuple[str, list[str]]:
    """(level, codes) of a selection: the villages, else the townships, else everything
    the store shows (``top_scope``: a county, or the province)."""
    if villages:
        return "village", list(villages)
    if townships:
        return "township", list(townships)
    level, code = top_scope(store)
    return level, [code]


def selection_figures(store: Store, townships=(), villages=()) -> pd.DataFrame:
    """The figures, every year, of what the filters select.

    Villages take precedence over townships; nothing selected is everything the store
    shows (its county, or the province: ``top_scope``); one scope is read as is; several
    are combined (``combine_scopes``). Adds the same derived columns as ``figures_by_level``.
    """
    config = load_config()
    level, codes = _scope_of(store, townships, villages)
    frame = store.query("figures_by_level", scope_level=level)
    frame = frame[frame["scope_code"].isin(codes)]
    if len(codes) > 1:
        frame = combine_scopes(frame, f"{len(codes)}个{'村' if level == 'village' else '乡镇'}")
    frame = frame.reset_index(drop=True)
    frame["persons_to_threshold"] = persons_to_exit_threshold(
        frame["poor_persons"], frame["registered_population"], config.targets["exit_threshold_pct"])
    frame["relapse_cap_pct"] = float(config.targets["relapse_cap_pct"])
    frame["over_relapse_cap"] = frame["relapse_rate_pct"] > frame["relapse_cap_pct"]
    return frame


def persons_to_exit_threshold(poor_persons, registered_population, threshold_pct: float = 3.0):
    """Persons who must still exit for incidence to fall strictly below the threshold.

    allowed = ⌈threshold/100 × population⌉ − 1 (the most poor persons with
    100·poor/population < threshold); to_exit = max(0, poor − allowed).
    Zero population gives 0. Works on scalars and on pandas Series.
    """
    poor = pd.Series(poor_persons, dtype="float64")
    pop = pd.Series(registered_population, dtype="float64")
    # threshold × pop / 100 computed exactly in integers where possible: a population of
    # 1000 at 3 % allows 29 poor persons (29 / 1000 = 2.9 % < 3 %, 30 / 1000 is not below).
    allowed = np.ceil(np.round(pop * threshold_pct / 100.0, 9)) - 1
    to_exit = np.maximum(poor - allowed.clip(lower=0), 0)
    to_exit = to_exit.where(pop > 0, 0).astype("int64")
    if np.isscalar(poor_persons):
        return int(to_exit.iloc[0])
    to_exit.index = getattr(poor_persons, "index", to_exit.index)
    return to_exit


def _as_series(value, like: pd.Series | None = None) -> pd.Series:
    if np.isscalar(value) or value is None:
        index = like.index if like is not None else None
        return pd.Series(value, dtype="float64", index=index if index is not None else [0])
    return pd.Series(value, dtype="float64")


def target_progress_pct(value, baseline, target) -> pd.Series:
    """Progress toward a target: 100 × (value − baseline) / (target − baseline).

    The baseline is the 2014 value. Null when target = baseline or a value is null.
    """
    value = _as_series(value)
    baseline = _as_series(baseline, value)
    span = target - baseline
    return (100.0 * (value - baseline) / span).where(span != 0)


def required_annual_growth_pct(value, target, years_left):
    """Annual growth still required: 100 × ((target / value)^(1 / years_left) − 1).

    0 when the target is already met; null when years_left ≤ 0 and the target is
    not met, or when value ≤ 0.
    """
    value = _as_series(value)
    years = _as_series(years_left, value)
    met = value >= target
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = 100.0 * (np.power(target / value, 1.0 / years) - 1.0)
    growth = growth.where((years > 0) & (value > 0))
    return growth.mask(met, 0.0)


def township_exit_years(township_figures: pd.DataFrame, threshold_pct: float = 3.0) -> pd.Series:
    """Each township's exit year: the first year its incidence is strictly below the threshold.

    (The contract has no township exit column; 摘帽 requires incidence < 3 %.)
    Null for a township never below it. Index: township code.
    """
    below = township_figures[township_figures["poverty_incidence_pct"] < threshold_pct]
    first = below.groupby("scope_code")["year"].min()
    codes = township_figures["scope_code"].drop_duplicates()
    return first.reindex(codes.values).astype("Int64")


def exits_against_plan(store: Store) -> pd.DataFrame:
    """Exits by year against the county plan: persons, poor villages and townships.

    exited_persons(t) from the figures; villages exited = poor villages with
    exit_year = t; townships exited = townships whose first year below the 3 %
    threshold is t. planned_* come from the plan of the counties shown
    (``plans.yearly_plan``: config's, once per county that has it; none for a scope of
    counties without it — a province is never compared with one county's plan) and, for
    villages and townships, also from their planned_exit_year columns.
    """
    config = load_config()
    plan = yearly_plan(counties(store)["county_code"])
    level, code = top_scope(store)
    county = store.query("figures_for_scope", scope_level=level, scope_code=code)
    towns = store.query("figures_by_level", scope_level="township")
    exit_years = township_exit_years(towns, config.targets["exit_threshold_pct"])
    townships = store.query("townships")
    villages = store.query("village_exits")
    by_year = villages.groupby("year")[["planned_villages", "exited_villages"]].sum()
    frame = county[["year", "exited_persons"]].set_index("year")
    frame = frame.join(by_year)
    frame["exited_townships"] = exit_years.value_counts().reindex(frame.index, fill_value=0)
    frame["planned_townships_data"] = (
        townships["planned_exit_year"].value_counts().reindex(frame.index, fill_value=0)
    )
    frame["planned_persons"] = [plan.get(y, {}).get("persons") for y in frame.index]
    frame["planned_villages_plan"] = [plan.get(y, {}).get("villages") for y in frame.index]
    frame["planned_townships"] = [plan.get(y, {}).get("townships") for y in frame.index]
    for column in ("planned_persons", "planned_villages_plan", "planned_townships"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["has_plan"] = frame["planned_persons"].notna()
    frame["persons_vs_plan_pct"] = 100.0 * frame["exited_persons"] / frame["planned_persons"]
    return frame.reset_index()


def relapse_by_cause(store: Store, townships=()) -> pd.DataFrame:
    """Relapse rate by cause and year: 100 × relapsed persons of cause c / exited_stock_start.

    For everything the store shows (``top_scope``), or summed over ``townships``. The
    causes' rates add up to the relapse_rate_pct of the same scope.
    """
    causes = store.query("relapse_by_cause")
    level, codes = _scope_of(store, townships)
    stock = figures_by_level(store, level)
    causes = causes[(causes["scope_level"] == level) & causes["scope_code"].isin(codes)]
    stock = stock[stock["scope_code"].isin(codes)]
    causes = causes.groupby(["year", "relapse_cause"], as_index=False)[
        ["relapsed_persons", "relapsed_households"]].sum()
    stock = stock.groupby("year", as_index=False)["exited_stock_start"].sum()
    frame = causes.merge(stock, on="year", how="left")
    frame["relapse_rate_pct"] = 100.0 * frame["relapsed_persons"] / frame["exited_stock_start"].where(
        frame["exited_stock_start"] > 0)
    return frame


def cohort_relapse(store: Store, townships=()) -> pd.DataFrame:
    """How each exit-year cohort has fared: 100 × persons poor again / cohort persons.

    A household's cohort is the year of its first exit; for each later year t, the
    cohort's persons on the register in t and those of them with status 未脱贫; for
    everything the store shows (``top_scope``), or summed over ``townships``.
    """
    frame = store.query("cohort_status")
    level, codes = _scope_of(store, townships)
    frame = frame[(frame["scope_level"] == level) & frame["scope_code"].isin(codes)]
    frame = frame.groupby(["cohort_year", "year"], as_index=False)[
        ["cohort_persons", "poor_again_persons"]].sum()
    frame["poor_again_pct"] = 100.0 * frame["poor_again_persons"] / frame["cohort_persons"].where(
        frame["cohort_persons"] > 0)
    return frame


def relapse_matrix(township_figures: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """Relapse rate (%) with townships as rows and years as columns (null before any exit).

    ``township_figures``: scope_code, year, relapse_rate_pct; ``names``: township name by
    code. Rows are keyed by code (two counties' 城关镇 stay two rows) and labelled
    ``counties.unique_labels``, in code order; the index is named 乡镇.
    """
    from analytics.counties import unique_labels

    matrix = township_figures.pivot_table(index="scope_code", columns="year", values="relapse_rate_pct",
                                          aggfunc="first", dropna=False)
    codes = [str(c) for c in matrix.index]
    labels = unique_labels(codes, [names.get(c, c) for c in codes])
    matrix.index = [labels[c] for c in codes]
    matrix.columns = [str(c) for c in matrix.columns]
    matrix.index.name = "乡镇"
    return matrix.dropna(axis=1, how="all")


def income_progress(figures: pd.DataFrame, targets: dict | None = None) -> pd.DataFrame:
    """Incomes against the targets, for the rows of a figures frame (one or more scopes):
    ``targets`` (``plans.scope_targets``: the province's at province scope), else
    config's, a county's.

    For the rural and the registered per-capita income: progress % toward the
    target-year target from the scope's baseline-year value (``target_progress_pct``)
    and the annual growth still required to reach it by the target year
    (``required_annual_growth_pct``); the wage share's target beside it.
    """
    t = targets or load_config().targets
    frame = figures.copy()
    base = frame[frame["year"] == t["baseline_year"]].set_index("scope_code")
    years_left = t["target_year"] - frame["year"]
    for column, key in (
        ("rural_income_per_capita", "rural_income_yuan"),
        ("registered_income_per_capita", "registered_income_yuan"),
    ):
        baseline = frame["scope_code"].map(base[column])
        frame[f"{column}_target"] = float(t[key])
        frame[f"{column}_progress_pct"] = target_progress_pct(frame[column], baseline, float(t[key]))
        frame[f"{column}_growth_needed_pct"] = required_annual_growth_pct(
            frame[column], float(t[key]), years_left)
    frame["wage_share_target_pct"] = float(t["wage_share_pct"])
    return frame


def cadres_over_quota(store: Store, townships=(), villages=()) -> pd.DataFrame:
    """The rows of ``cadre_quota`` with over_quota (households > quota), counted and
    filtered in SQL: a few rows, where cadre_quota has one per cadre and year. With
    ``townships`` or ``villages``: only the cadres with a household there (their load
    still counted over the whole county)."""
    frame = store.query("cadres_over_quota", ranks=list(RANK_QUOTA),
                        quotas=[int(q) for q in RANK_QUOTA.values()],
                        townships=list(townships or []), villages=list(villages or []))
    frame["over_quota"] = True
    return frame
