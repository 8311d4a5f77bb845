"""What the township map and the battle map show of each county, township and village in
a year (the province's map draws counties, a county's its townships and villages).

The colour of a scope is its verdict (analytics.verdicts: baseline, on track, behind,
met, met late, missed), the one verdict every screen shows; over the relapse cap is a
separate flag, drawn as a magenta outline beside the colour, never instead of it.
"""

from __future__ import annotations

import pandas as pd

from analytics.verdicts import scope_verdicts


def _area_values(store, level: str, planned_exit_year: pd.Series, year: int,
                 high_risk: pd.Series) -> pd.DataFrame:
    """The verdict columns of ``scope_verdicts`` for every area of ``level`` (township or
    county) in ``year``, with income_progress_pct, persons_to_threshold and
    high_risk_households (``high_risk`` by scope_code): what the maps colour by."""
    from analytics.metrics import figures_by_level, income_progress

    figures = figures_by_level(store, level)
    values = scope_verdicts(figures, planned_exit_year, year)
    now = figures[figures["year"] == year].set_index("scope_code")
    progress = income_progress(figures)
    progress = progress[progress["year"] == year].set_index("scope_code")
    values["income_progress_pct"] = values["scope_code"].map(
        progress["registered_income_per_capita_progress_pct"])
    values["persons_to_threshold"] = values["scope_code"].map(now["persons_to_threshold"])
    values["high_risk_households"] = values["scope_code"].map(high_risk).fillna(0).astype(int)
    return values


def township_map_values(store, year: int) -> pd.DataFrame:
    """Per township in ``year``: the verdict columns of ``verdicts.scope_verdicts``
    (township_code instead of scope_code), name, short_name, persons_to_threshold,
    income_progress_pct (the registered households' income progress toward the county
    target, metrics.target_progress_pct) and high_risk_households (防返贫监测 高风险)."""
    from analytics.early_warning import risk_level_counts

    towns = store.query("townships").set_index("township_code")
    risk = risk_level_counts(store, year).set_index("township_code")
    values = _area_values(store, "township", towns["planned_exit_year"], year, risk["high"])
    values["name"] = values["scope_code"].map(towns["name"])
    values["short_name"] = values["scope_code"].map(towns["short_name"]).fillna(values["name"])
    return values.rename(columns={"scope_code": "township_code"})


def county_map_values(store, year: int) -> pd.DataFrame:
    """Per county in ``year``, the columns ``township_map_values`` gives a township, from
    the figures of level ``county`` (county_code instead of township_code; name and
    short_name its name, ``counties.county_name``): the verdict (a county is due in
    ``targets.unnamed_due_year``, the plan's 整体脱贫摘帽: it names no county year),
    persons_to_threshold, income_progress_pct and high_risk_households (Σ its townships')."""
    from analytics.counties import county_of
    from analytics.early_warning import risk_level_counts

    names = store.query("counties").set_index("county_code")["name"]
    risk = risk_level_counts(store, year)
    high = risk.groupby(risk["township_code"].map(county_of))["high"].sum()
    values = _area_values(store, "county", pd.Series(dtype="float64"), year, high)
    values["name"] = values["scope_code"].map(names)
    values["short_name"] = values["name"]
    return values.rename(columns={"scope_code": "county_code"})


def village_map_points(store, year: int) -> pd.DataFrame:
    """Per village in ``year``: the verdict columns (village_code instead of scope_code;
    a poor village is due in its planned exit year, any other when the county is), name,
    lat, lon and township_code."""
    from analytics.metrics import figures_by_level

    figures = figures_by_level(store, "village")
    villages = store.query("villages").set_index("village_code")
    plan = villages["planned_exit_year"].where(villages["is_poor_village"])
    values = scope_verdicts(figures, plan, year)
    values = values.join(villages[["name", "lat", "lon", "township_code"]], on="scope_code")
    return values.rename(columns={"scope_code": "village_code"})
