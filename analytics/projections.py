"""Will the plan be met? Per township, incidence and income projected from the trend so far.

Incidence: a log-linear trend fitted by least squares to the township's incidence in
the years up to and including t (incidence > 0 only): ln I = a + b·year. The projection
to year T is exp(a + b·T) with a 90 % prediction band
exp(ŷ ± 1.645 · s · √(1 + 1/n + (T − x̄)² / Sxx)), s the residual standard error but
never below ``default_log_se`` (0.25): three or four points on a line say little about
the next year, and exits come in steps (with fewer than three points s is 0.25). The township
verdicts built on it (on track or behind before the due year, then met or missed) live
in analytics.verdicts. (Exits come in steps, in the planned year, so a trend fitted
before that year is pessimistic: "behind" is a prompt to look.) Income: a linear trend of the registered households' per-capita income,
projected to the target year (2017) against 3700 yuan; after the target year, the
latest value is compared.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.config import load_config



def projection_band() -> tuple[float, float]:
    """(z of the prediction band, default log s.e.) from config ``[projection]``."""
    projection = load_config().projection
    return float(projection["band_z"]), float(projection["default_log_se"])


def log_linear_projection(years, values, target_year: int) -> tuple[float, float, float]:
    """(central, low, high) of a log-linear trend of positive ``values`` at ``target_year``.

    NaN when there is no positive value; with one value, the value itself ± the default band.
    """
    z, default_se = projection_band()
    years = np.asarray(years, dtype="float64")
    values = np.asarray(values, dtype="float64")
    keep = values > 0
    x, y = years[keep], np.log(values[keep])
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    if n == 1:
        centre, spread = y[0], z * default_se * math.sqrt(1 + (target_year - x[0]) ** 2)
        return (math.exp(centre), math.exp(centre - spread), math.exp(centre + spread))
    slope, intercept = np.polyfit(x, y, 1)
    fitted = intercept + slope * x
    # a trend of a few years is never taken as more certain than the configured s.e.
    s = max(math.sqrt(((y - fitted) ** 2).sum() / (n - 2)), default_se) if n > 2 else default_se
    sxx = ((x - x.mean()) ** 2).sum()
    centre = intercept + slope * target_year
    spread = z * s * math.sqrt(1 + 1 / n + (target_year - x.mean()) ** 2 / sxx)
    return (math.exp(centre), math.exp(centre - spread), math.exp(centre + spread))


def linear_projection(years, values, target_year: int) -> float:
    """The least-squares line through (years, values) evaluated at ``target_year``."""
    years = np.asarray(years, dtype="float64")
    values = np.asarray(values, dtype="float64")
    keep = ~np.isnan(values)
    if keep.sum() == 0:
        return math.nan
    if keep.sum() == 1:
        return float(values[keep][0])
    slope, intercept = np.polyfit(years[keep], values[keep], 1)
    return float(intercept + slope * target_year)


def township_projections(figures: pd.DataFrame, townships: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per township, as seen at the end of ``year``: its verdict (analytics.verdicts:
    before its due year, the incidence projected to it with a 90 % band; from the due
    year on, the result, never a forecast) and the registered income projected to the
    target year against its target (from the target year on, the latest value).

    Columns: township_code, name, planned_exit_year (the due year), incidence_pct,
    verdict, verdict_text, on_track (the verdict is on track or met), projected_incidence_pct,
    projected_low_pct, projected_high_pct, projected_income, income_target, income_on_track.
    """
    from analytics.verdicts import scope_verdicts

    t = load_config().targets
    names = townships.set_index("township_code")["name"]
    verdicts = scope_verdicts(figures, townships.set_index("township_code")["planned_exit_year"], year)
    rows = []
    # each township's history, split once (one filter per township was O(townships × rows):
    # 2.4 s for 1,800 townships at scale 100)
    histories = {code: history for code, history in figures[figures["year"] <= year]
                 .sort_values(["scope_code", "year"]).groupby("scope_code", sort=False)}
    empty = figures.iloc[0:0]
    for v in verdicts.itertuples():
        history = histories.get(v.scope_code, empty)
        income_year = max(int(t["target_year"]), year)
        income = linear_projection(history["year"], history["registered_income_per_capita"],
                                   income_year) if year < t["target_year"] else \
            history["registered_income_per_capita"].iloc[-1]
        rows.append({
            "township_code": v.scope_code, "name": names.get(v.scope_code, v.scope_code),
            "planned_exit_year": v.due_year, "incidence_pct": v.poverty_incidence_pct,
            "verdict": v.verdict, "verdict_text": v.verdict_text,
            "on_track": v.verdict in ("on_track", "met"),
            "projected_incidence_pct": v.projected_pct,
            "projected_low_pct": v.projected_low_pct, "projected_high_pct": v.projected_high_pct,
            "projected_income": income, "income_target": float(t["registered_income_yuan"]),
            "income_on_track": bool(pd.notna(income) and income >= t["registered_income_yuan"]),
        })
    return pd.DataFrame(rows)


def township_outlook(store, year: int) -> pd.DataFrame:
    """``township_projections`` for every township the store lets the viewer see."""
    from analytics.metrics import figures_by_level

    return township_projections(figures_by_level(store, "township"), store.query("townships"), year)
