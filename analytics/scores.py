"""The township league table: a documented score, a grade and a traffic light.

Score (0–100) of a township in year t, from three parts:

- 减贫进度, 40 points: 40 × clamp(progress / schedule, 0, 1), where progress =
  (I₂₀₁₄ − I_t) / (I₂₀₁₄ − 3) is the share of the way from the 2014 incidence to
  the 3 % exit threshold, and schedule = clamp((t − 2014) / (P − 2014), 0, 1) the
  share of time elapsed toward the township's planned exit year P (2020 when it has
  none). On or ahead of schedule earns full marks; a township already below 3 % in
  2014 earns full marks. From its planned exit year on, a township not yet below 3 %
  earns at most 20 (the exit rule is binary: missing it is not "almost there").
- 返贫控制, 30 points: 30 when the relapse rate ≤ the cap (5 %), 0 at ≥ 2 × cap,
  linear between; 30 when there is no exited stock yet (rate null).
- 收入进度, 30 points: 30 × clamp(progress / schedule, 0, 1) for the registered
  households' per-capita income toward its target (3700 yuan in 2017), progress =
  (Y_t − Y₂₀₁₄) / (target − Y₂₀₁₄), schedule = clamp((t − 2014) / (2017 − 2014), 0, 1).
  In 2014 (schedule 0) all on-schedule parts earn full marks.

Grade by the county plan's thresholds: ≥ 90 好, 80–90 较好, 70–80 一般, < 70 较差.
Traffic light: green for 好/较好, amber for 一般, red for 较差 — red whenever the
township is over the relapse cap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.config import load_config

LIGHTS = {"好": "green", "较好": "green", "一般": "amber", "较差": "red"}


def _on_schedule(progress: pd.Series, schedule: pd.Series) -> pd.Series:
    ratio = np.where(schedule <= 0, 1.0, progress / schedule.where(schedule > 0, 1.0))
    return pd.Series(np.clip(ratio, 0.0, 1.0), index=progress.index).fillna(1.0)


def grade(score: float) -> str:
    """好/较好/一般/较差 from the thresholds in config (≥ 90, ≥ 80, ≥ 70, else)."""
    for name, threshold in load_config().grades.items():
        if score >= threshold:
            return name
    return list(load_config().grades)[-1]


def township_league(figures: pd.DataFrame, townships: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rank, score, grade and light of every township in ``year``.

    ``figures``: township rows of the figures table, every year;
    ``townships``: code, name and planned_exit_year.
    """
    config = load_config()
    t = config.targets
    base_year = int(t["baseline_year"])
    base = figures[figures["year"] == base_year].set_index("scope_code")
    now = figures[figures["year"] == year].set_index("scope_code").copy()
    plan = townships.set_index("township_code")["planned_exit_year"].reindex(now.index)
    plan = plan.fillna(t["final_exit_year"]).astype("float64")
    threshold = float(t["exit_threshold_pct"])

    i0 = base["poverty_incidence_pct"].reindex(now.index)
    progress = (i0 - now["poverty_incidence_pct"]) / (i0 - threshold)
    progress = progress.where(i0 > threshold, 1.0)
    schedule = ((year - base_year) / (plan - base_year)).clip(0, 1)
    incidence_points = 40 * _on_schedule(progress, schedule)
    missed = (year >= plan) & (now["poverty_incidence_pct"] >= threshold)
    incidence_points = incidence_points.where(~missed, incidence_points.clip(upper=20))

    cap = float(t["relapse_cap_pct"])
    rate = now["relapse_rate_pct"]
    relapse_points = (30 * (2 * cap - rate) / cap).clip(0, 30).where(rate > cap, 30.0).fillna(30.0)

    y0 = base["registered_income_per_capita"].reindex(now.index)
    target = float(t["registered_income_yuan"])
    income_progress = (now["registered_income_per_capita"] - y0) / (target - y0)
    income_schedule = pd.Series(
        min(max((year - base_year) / (t["target_year"] - base_year), 0), 1), index=now.index)
    income_points = 30 * _on_schedule(income_progress, income_schedule)

    league = pd.DataFrame({
        "township_code": now.index,
        "name": townships.set_index("township_code")["name"].reindex(now.index).values,
        "poverty_incidence_pct": now["poverty_incidence_pct"].values,
        "relapse_rate_pct": rate.values,
        "registered_income_per_capita": now["registered_income_per_capita"].values,
        "persons_to_threshold": now.get("persons_to_threshold", pd.Series(index=now.index)).values,
        "incidence_points": incidence_points.values,
        "relapse_points": relapse_points.values,
        "income_points": income_points.values,
    })
    league["score"] = league[["incidence_points", "relapse_points", "income_points"]].sum(axis=1)
    league["grade"] = league["score"].map(grade)
    league["light"] = league["grade"].map(LIGHTS)
    league.loc[league["relapse_rate_pct"] > cap, "light"] = "red"
    league = league.sort_values(["score", "poverty_incidence_pct"], ascending=[False, True])
    league.insert(0, "rank", np.arange(1, len(league) + 1))
    return league.reset_index(drop=True)
