"""综合贫困发生率 (comprehensive incidence), the figure a county auditor puts beside the
plain incidence: 100 × (registered poor + 错退 suspects + 漏评 estimate) / registered
population, where 错退 suspects are the persons of households counted as exited whose
income is below the line or that lack a 三保障 item, and the 漏评 estimate is the persons
of households registered in a later year (poor at t, not yet registered: known only in
hindsight, so the latest years understate it).
"""

from __future__ import annotations

import pandas as pd

from analytics.metrics import figures_by_level


def comprehensive_incidence(store, townships=()) -> pd.DataFrame:
    """Per year: plain and comprehensive incidence (%) with their parts, for the county
    or summed over ``townships``."""
    parts = store.query("comprehensive_incidence_parts")
    population = figures_by_level(store, "township")[["scope_code", "year", "registered_population"]]
    if townships:
        parts = parts[parts["township_code"].isin(townships)]
        population = population[population["scope_code"].isin(townships)]
    parts = parts.groupby("year", as_index=False)[
        ["poor_persons", "wrong_exit_persons", "late_enrolled_persons"]].sum()
    population = population.groupby("year", as_index=False)["registered_population"].sum()
    frame = parts.merge(population, on="year", how="left")
    denominator = frame["registered_population"].where(frame["registered_population"] > 0)
    frame["incidence_pct"] = 100.0 * frame["poor_persons"] / denominator
    frame["comprehensive_incidence_pct"] = 100.0 * (
        frame["poor_persons"] + frame["wrong_exit_persons"] + frame["late_enrolled_persons"]
    ) / denominator
    return frame
