"""Township and village status for the map: exited, on track, behind plan, over the relapse cap.

Rules, in order (the first that holds wins), for a scope in year t:

1. 超返贫上限 over_cap — relapse rate above the cap (5 %), whatever else holds.
2. 已脱贫 exited — poverty incidence strictly below the 3 % exit threshold.
3. 按计划推进 on_track — incidence at or below the planned path: a straight line from
   the 2014 incidence down to the threshold in the planned exit year P (2020 when
   none), i.e. path(t) = I₂₀₁₄ − (I₂₀₁₄ − 3) × clamp((t − 2014)/(P − 2014), 0, 1).
4. 落后于计划 behind — otherwise.
5. 无数据 no_data — incidence null (no registered population).

On the map a township "on track" by rule 3 is shown as behind when its projection
(analytics.projections) says it will not be below 3 % in its planned exit year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.config import load_config

STATUS_LABELS = {
    "exited": "已脱贫（<3%）",
    "on_track": "按计划推进",
    "behind": "落后于计划",
    "over_cap": "返贫超上限",
    "no_data": "无数据",
}
STATUS_COLORS = {  # RGBA, readable on a dark screen
    "exited": [39, 174, 96, 220],
    "on_track": [52, 152, 219, 220],
    "behind": [243, 156, 18, 230],
    "over_cap": [231, 76, 60, 240],
    "no_data": [127, 140, 141, 160],
}


def planned_path_pct(baseline_pct, year: int, planned_exit_year, threshold_pct: float = 3.0,
                     baseline_year: int = 2014):
    """The planned incidence in ``year``: linear from the baseline to the threshold at P."""
    baseline = pd.Series(baseline_pct, dtype="float64")
    planned = pd.Series(planned_exit_year, dtype="float64", index=baseline.index)
    share = ((year - baseline_year) / (planned - baseline_year)).clip(0, 1)
    path = baseline - (baseline - threshold_pct) * share
    return path.where(baseline > threshold_pct, baseline)


def scope_status(figures: pd.DataFrame, year: int, planned_exit_year: pd.Series) -> pd.DataFrame:
    """Status of every scope in ``figures`` (one level, every year) in ``year``.

    ``planned_exit_year``: indexed by scope_code. Returns scope_code, status,
    status_label, planned_path_pct and the year's incidence and relapse rate.
    """
    t = load_config().targets
    threshold = float(t["exit_threshold_pct"])
    cap = float(t["relapse_cap_pct"])
    base = figures[figures["year"] == t["baseline_year"]].set_index("scope_code")
    now = figures[figures["year"] == year].set_index("scope_code")
    plan = planned_exit_year.reindex(now.index).astype("float64").fillna(t["final_exit_year"])
    path = planned_path_pct(base["poverty_incidence_pct"].reindex(now.index), year, plan,
                            threshold, int(t["baseline_year"]))
    incidence = now["poverty_incidence_pct"]
    relapse = now["relapse_rate_pct"]
    status = np.select(
        [relapse > cap, incidence.isna(), incidence < threshold, incidence <= path],
        ["over_cap", "no_data", "exited", "on_track"], default="behind")
    out = pd.DataFrame({
        "scope_code": now.index,
        "status": status,
        "poverty_incidence_pct": incidence.values,
        "relapse_rate_pct": relapse.values,
        "planned_path_pct": path.values,
    })
    out["status_label"] = out["status"].map(STATUS_LABELS)
    return out.reset_index(drop=True)


def township_map_values(store, year: int) -> pd.DataFrame:
    """Per township in ``year``: name, status, incidence, relapse, income progress % and
    the number of high-risk (防返贫预警 高) households.

    income_progress_pct is the registered households' income progress toward the
    county target (see metrics.target_progress_pct).
    """
    from analytics.metrics import figures_by_level, income_progress
    from analytics.early_warning import risk_level_counts
    from analytics.projections import township_outlook

    figures = figures_by_level(store, "township")
    towns = store.query("townships").set_index("township_code")
    status = scope_status(figures, year, towns["planned_exit_year"])
    progress = income_progress(figures)
    progress = progress[progress["year"] == year].set_index("scope_code")
    status["income_progress_pct"] = status["scope_code"].map(
        progress["registered_income_per_capita_progress_pct"])
    status["persons_to_threshold"] = status["scope_code"].map(
        figures[figures["year"] == year].set_index("scope_code")["persons_to_threshold"])
    outlook = township_outlook(store, year).set_index("township_code")
    projected = status["scope_code"].map(outlook["on_track"]).fillna(True).astype(bool)
    status.loc[(status["status"] == "on_track") & ~projected, "status"] = "behind"
    status["status_label"] = status["status"].map(STATUS_LABELS)
    status["projected_on_track"] = projected.values
    risk = risk_level_counts(store, year).set_index("township_code")
    status["high_risk_households"] = status["scope_code"].map(risk["high"]).fillna(0).astype(int)
    status["name"] = status["scope_code"].map(towns["name"])
    status["short_name"] = status["scope_code"].map(towns["short_name"]).fillna(status["name"])
    return status.rename(columns={"scope_code": "township_code"})


def village_map_points(store, year: int) -> pd.DataFrame:
    """Per village in ``year``: position, name and status (planned path to its exit year)."""
    from analytics.metrics import figures_by_level

    figures = figures_by_level(store, "village")
    villages = store.query("villages").set_index("village_code")
    plan = villages["planned_exit_year"].where(villages["is_poor_village"])
    status = scope_status(figures, year, plan)
    status = status.join(villages[["name", "lat", "lon", "township_code"]], on="scope_code")
    return status.rename(columns={"scope_code": "village_code"})


def status_counts(values: pd.DataFrame, threshold_pct: float | None = None) -> dict[str, int]:
    """How many scopes are in each status, and how many are at or above the threshold."""
    threshold = threshold_pct if threshold_pct is not None else float(
        load_config().targets["exit_threshold_pct"])
    counts = values["status"].value_counts().to_dict()
    counts["above_threshold"] = int((values["poverty_incidence_pct"] >= threshold).sum())
    return counts
