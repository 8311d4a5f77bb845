"""The league tables of townships and, at 全省, of counties: a documented score, a grade
and a traffic light (one formula, ``scope_league``, for both levels).

Score (0–100) of a township in year t, from three parts whose points come from config
``[scores]`` (40 / 30 / 30 as shipped):

- 减贫进度 (``incidence_points``): all of them when the township's verdict
  (analytics.verdicts) is on track or met, half when behind or met late, none when
  missed: the exit rule is binary, and the score never contradicts the verdict.
- 返贫控制 (``relapse_points``): all when the relapse rate ≤ the cap (5 %), none at
  ≥ 2 × cap, linear between; all when there is no exited stock yet (rate null).
- 收入进度 (``income_points``): points × clamp(progress / schedule, 0, 1) for the
  registered households' per-capita income toward its target (3700 yuan in 2017),
  progress = (Y_t − Y₂₀₁₄) / (target − Y₂₀₁₄), schedule = clamp((t − 2014) / (2017 −
  2014), 0, 1).

The score ranks townships during the campaign, from the year after the baseline to the
target year (2015–2017); outside it (the baseline, and once every township is due) score,
grade and rank are null and the verdict speaks alone.

Grade by the county plan's thresholds (config ``[grades]``). Townships with equal
scores (to the 0.1 shown) share a rank.

The traffic light and the verdict are the township's one verdict
(analytics.verdicts.scope_verdicts), the same as on the maps and in the briefing:
green on track or met, amber behind or met late, red missed or over the relapse cap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.config import load_config
from analytics.verdicts import scope_verdicts


def _on_schedule(progress: pd.Series, schedule: pd.Series) -> pd.Series:
    ratio = np.where(schedule <= 0, 1.0, progress / schedule.where(schedule > 0, 1.0))
    return pd.Series(np.clip(ratio, 0.0, 1.0), index=progress.index).fillna(1.0)


def grade(score: float) -> str:
    """好/较好/一般/较差 from the thresholds in config (≥ 90, ≥ 80, ≥ 70, else)."""
    for name, threshold in load_config().grades.items():
        if score >= threshold:
            return name
    return list(load_config().grades)[-1]


def scope_league(figures: pd.DataFrame, scopes: pd.DataFrame, year: int, *,
                 code_column: str = "township_code") -> pd.DataFrame:
    """Rank, score, grade, verdict and light of every scope of one level in ``year``: the
    one score formula (module docstring), applied to townships or to counties.

    ``figures``: that level's rows of the figures table, every year (scope_code);
    ``scopes``: ``code_column``, name and planned_exit_year (null, or the column absent:
    due with the county, ``targets.unnamed_due_year``). Columns: rank (Int64),
    ``code_column``, name, the year's figures, the three parts, score and grade (rank,
    parts, score and grade null outside the campaign years), and verdict, verdict_label,
    verdict_text, due_year, over_cap, light from ``verdicts.scope_verdicts``.
    """
    config = load_config()
    t = config.targets
    base_year = int(t["baseline_year"])
    base = figures[figures["year"] == base_year].set_index("scope_code")
    now = figures[figures["year"] == year].set_index("scope_code").copy()
    by_code = scopes.set_index(code_column)
    planned = (by_code["planned_exit_year"] if "planned_exit_year" in by_code
               else pd.Series(np.nan, index=by_code.index))
    points = config.scores

    cap = float(t["relapse_cap_pct"])
    rate = now["relapse_rate_pct"]
    full = points["relapse_points"]
    relapse_points = (full * (2 * cap - rate) / cap).clip(0, full).where(rate > cap, full).fillna(full)

    y0 = base["registered_income_per_capita"].reindex(now.index)
    target = float(t["registered_income_yuan"])
    income_progress = (now["registered_income_per_capita"] - y0) / (target - y0)
    income_schedule = pd.Series(
        min(max((year - base_year) / (t["target_year"] - base_year), 0), 1), index=now.index)
    income_points = points["income_points"] * _on_schedule(income_progress, income_schedule)
    verdicts = scope_verdicts(figures, planned, year).set_index("scope_code").reindex(now.index)
    share = verdicts["verdict"].map({"on_track": 1.0, "met": 1.0, "behind": 0.5, "missed_late": 0.5,
                                     "missed": 0.0}).fillna(1.0)
    incidence_points = points["incidence_points"] * share

    league = pd.DataFrame({
        code_column: now.index,
        "name": by_code["name"].reindex(now.index).values,
        "poverty_incidence_pct": now["poverty_incidence_pct"].values,
        "relapse_rate_pct": rate.values,
        "registered_income_per_capita": now["registered_income_per_capita"].values,
        "persons_to_threshold": now.get("persons_to_threshold", pd.Series(index=now.index)).values,
        "incidence_points": incidence_points.values,
        "relapse_points": relapse_points.values,
        "income_points": income_points.values,
    })
    league["score"] = league[["incidence_points", "relapse_points", "income_points"]].sum(axis=1)
    for column in ("verdict", "verdict_label", "verdict_text", "due_year", "over_cap", "light"):
        league[column] = league[code_column].map(verdicts[column]).to_numpy()
    if not base_year < year <= int(t["target_year"]):  # outside the campaign: no score
        league[["incidence_points", "relapse_points", "income_points", "score"]] = np.nan
    league["grade"] = league["score"].map(lambda v: None if pd.isna(v) else grade(v))
    league = league.sort_values(["score", "poverty_incidence_pct", code_column],
                                ascending=[False, True, True])
    rank = league["score"].round(1).rank(method="min", ascending=False)
    league.insert(0, "rank", rank.astype("Int64"))
    return league.reset_index(drop=True)


def township_league(figures: pd.DataFrame, townships: pd.DataFrame, year: int) -> pd.DataFrame:
    """The township league (``scope_league`` of the township figures): ``townships`` holds
    township_code, name and planned_exit_year. Ranks are within the townships given."""
    return scope_league(figures, townships, year, code_column="township_code")


def county_league(figures: pd.DataFrame, counties: pd.DataFrame, year: int) -> pd.DataFrame:
    """The county league at 全省 (``scope_league`` of the county figures, the same score
    rules): ``counties`` holds county_code and name (a county has no planned exit year in
    the data: it is due in ``targets.unnamed_due_year``, 整体脱贫摘帽)."""
    return scope_league(figures, counties, year, code_column="county_code")
