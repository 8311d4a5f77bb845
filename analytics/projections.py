"""Will the plan be met? Per township, incidence and income projected from the trend so far.

Incidence: a log-linear trend fitted by least squares to the township's incidence in
the years up to and including t (incidence > 0 only): ln I = a + b·year. The projection
to year T is exp(a + b·T) with a 90 % prediction band
exp(ŷ ± 1.645 · s · √(1 + 1/n + (T − x̄)² / Sxx)), s the residual standard error
(with fewer than three points, s is taken as 0.25, a wide band). The township is
**on track** when the projected incidence in its planned exit year (2020 when none) is
below the 3 % threshold, **at risk** otherwise; a township already below 3 % is on
track; once the planned year is reached the outcome is known and the latest value
stands. (Exits come in steps, in the planned year, so a trend fitted before that year
is pessimistic: the flag is a prompt to look, not a verdict.) Income: a linear trend of the registered households' per-capita income,
projected to the target year (2017) against 3700 yuan; after the target year, the
latest value is compared.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.config import load_config



def _band() -> tuple[float, float]:
    """(z of the prediction band, default log s.e.) from config ``[projection]``."""
    projection = load_config().projection
    return float(projection["band_z"]), float(projection["default_log_se"])


def log_linear_projection(years, values, target_year: int) -> tuple[float, float, float]:
    """(central, low, high) of a log-linear trend of positive ``values`` at ``target_year``.

    NaN when there is no positive value; with one value, the value itself ± the default band.
    """
    z, default_se = _band()
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
    s = math.sqrt(((y - fitted) ** 2).sum() / (n - 2)) if n > 2 else default_se
    s = max(s, 1e-6)
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
    """Per township, as seen at the end of ``year``: projected incidence in its planned exit
    year with a 90 % band and the on-track flag; projected registered income in the target
    year against its target."""
    t = load_config().targets
    threshold = float(t["exit_threshold_pct"])
    plan = townships.set_index("township_code")["planned_exit_year"]
    names = townships.set_index("township_code")["name"]
    rows = []
    for code, history in figures[figures["year"] <= year].groupby("scope_code"):
        history = history.sort_values("year")
        planned = plan.get(code)
        planned = int(planned) if pd.notna(planned) else int(t["final_exit_year"])
        horizon = max(planned, year)
        latest = history["poverty_incidence_pct"].iloc[-1]
        centre, low, high = log_linear_projection(history["year"], history["poverty_incidence_pct"],
                                                  horizon)
        if (pd.notna(latest) and latest < threshold) or planned <= year:
            centre = low = high = latest  # exited already, or the planned year is past: known
        income_year = max(int(t["target_year"]), year)
        income = linear_projection(history["year"], history["registered_income_per_capita"],
                                   income_year) if year < t["target_year"] else \
            history["registered_income_per_capita"].iloc[-1]
        rows.append({
            "township_code": code, "name": names.get(code, code), "planned_exit_year": planned,
            "incidence_pct": latest, "projected_incidence_pct": centre,
            "projected_low_pct": low, "projected_high_pct": high,
            "on_track": bool(pd.notna(centre) and centre < threshold),
            "projected_income": income, "income_target": float(t["registered_income_yuan"]),
            "income_on_track": bool(pd.notna(income) and income >= t["registered_income_yuan"]),
        })
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["flag"] = np.where(frame["on_track"], "有望按期", "存在风险")
    return frame


def township_outlook(store, year: int) -> pd.DataFrame:
    """``township_projections`` for every township the store lets the viewer see."""
    from analytics.metrics import figures_by_level

    return township_projections(figures_by_level(store, "township"), store.query("townships"), year)
