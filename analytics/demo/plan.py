"""The county plan of one replica (docs/demo-data.md, "The township story" and "How it is
built", step 1): each township's due year and path, and the poor villages (贫困村) with
their planned and actual exit years."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.demo.arrays import pick_top
from analytics.demo.calibration import (DUE_TOWNSHIP_WEIGHT, FIRST_PLAN_YEAR_WEIGHT, GROUP_PATHS,
                                          LATE_VILLAGE_YEARS, LATE_VILLAGES, NY, PATH_AT_DUE, PATH_WOBBLE,
                                          TOWNSHIP_STORY, YEARS)
from analytics.demo.geography import Geography
from analytics.demo.scale import Replica


@dataclass(frozen=True)
class TownshipPlan:
    """Each township's place in the plan: arrays over the T townships."""
    due_year: np.ndarray           # (T,) int, its planned_exit_year, or the county's if the plan names none
    path_share: np.ndarray         # (T, NY) float, share of its 2014 incidence to reach by each year-end
                                   #   before its due year; NaN from the due year on
    path_pct: np.ndarray           # (T, NY) float, incidence (%) to reach from its due year on; NaN before
    incidence_factor: np.ndarray   # (T,) float, factor on its villages' 2014 incidence
    late_share: np.ndarray         # (T,) float, share of its poor villages announced late
    water_and_illness: np.ndarray  # (T,) bool, more 因病 and 缺水 households (the townships that miss)
    below_3pct_year: np.ndarray    # (T,) int, first year from its due year its path is below 3 %


@dataclass(frozen=True)
class PoorVillagePlan:
    """The poor villages (贫困村): arrays over the V villages."""
    planned_exit_year: np.ndarray  # (V,) int64, the plan's exit year; 0 = not a poor village
    is_poor: np.ndarray            # (V,) bool
    exit_year: np.ndarray          # (V,) int64, the year its exit is announced; 0 = not a poor village


def unnamed_due_year(cfg) -> int:
    """The due year of a township the plan does not name: the county's (整体脱贫摘帽)."""
    t = cfg.targets
    return int(t.get("unnamed_due_year", t.get("target_year", 2017)))


def township_paths(rng, geo: Geography, due: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every township's path (GROUP_PATHS with its TOWNSHIP_STORY overrides) as two
    (T, NY) arrays, NaN where the other one applies: ``share``, the share of its 2014
    incidence to reach by the end of each year before its due year, and ``pct``, the
    incidence (%) to reach from its due year on.  A due year outside GROUP_PATHS takes
    the nearest group's path, shifted."""
    T = len(due)
    share = np.full((T, NY), np.nan)
    pct = np.full((T, NY), np.nan)
    at_due = rng.uniform(*PATH_AT_DUE, T)
    wobble = rng.normal(0.0, PATH_WOBBLE, T)
    for t in range(T):   # 18 townships
        p = int(due[t])
        key = min(GROUP_PATHS, key=lambda g: (abs(g - p), g))
        group = {y + p - key: v for y, v in GROUP_PATHS[key].items()}
        story = TOWNSHIP_STORY.get(geo.t_suffix[t])
        own = story.path if story else {}
        for j in range(1, NY):
            y = YEARS[j]
            if y in own:
                v = own[y]
            elif group.get(y) is not None:
                v = group[y] + (wobble[t] if y < p else 0.0)
            elif y == p:
                v = at_due[t]
            else:   # before the shifted path starts: no progress yet; after it: hold
                v = 1.0 if y < p else pct[t, j - 1]
            if y < p:
                share[t, j] = min(v, 1.0)
            else:   # never up again after the due year
                pct[t, j] = v if y == p else min(v, pct[t, j - 1])
    return share, pct


def township_plan(county: Replica, cfg) -> TownshipPlan:
    """The townships' due years and paths (TOWNSHIP_STORY, GROUP_PATHS), drawn on the
    replica's path stream (SeedSequence([seed, k, 1])); the main stream is not touched."""
    geo = county.geo
    due_t = np.where(geo.t_plan > 0, geo.t_plan, unnamed_due_year(cfg))
    path_share, path_pct = township_paths(county.stream(1), geo, due_t)
    stories = [TOWNSHIP_STORY.get(sfx) for sfx in geo.t_suffix]
    # the year a township's path first goes below 3 % from its due year on
    below = np.where(np.isnan(path_pct), np.inf, path_pct) < 3.0
    return TownshipPlan(
        due_year=due_t,
        path_share=path_share,
        path_pct=path_pct,
        incidence_factor=np.array([s.incidence if s else 1.0 for s in stories]),
        late_share=np.array([s.late_villages if s else LATE_VILLAGES for s in stories]),
        water_and_illness=np.array([bool(s and s.water_and_illness) for s in stories]),
        below_3pct_year=np.where(below.any(axis=1), np.array(YEARS)[np.argmax(below, axis=1)], YEARS[-1]),
    )


def poor_village_plan(rng, county: Replica, cfg, townships: TownshipPlan) -> PoorVillagePlan:
    """The poor villages of the plan (config [plan]: how many per planned exit year) and
    the year each exit is announced: mostly on plan; late ones mostly in the townships that
    miss their year, announced when the township goes below 3 % (elsewhere 2018–2020)."""
    V = county.villages
    vt = county.township_of_village
    t_incid = townships.incidence_factor
    t_late = townships.late_share
    v_planned = np.zeros(V, dtype=np.int64)
    due_v = townships.due_year[vt]
    plan_years = sorted(y for y in cfg.plan if cfg.plan[y].get("villages"))
    order_years = [y for y in plan_years if y != plan_years[0]] + plan_years[:1]
    for y in order_years:
        n = int(cfg.plan[y]["villages"])
        if y == plan_years[0]:
            # the first year's villages spread over the county (the 45 villages of the
            # county leaders), more where a path falls early, fewer in the county seat
            j = YEARS.index(y)
            w = t_incid[vt] * (FIRST_PLAN_YEAR_WEIGHT[0] + FIRST_PLAN_YEAR_WEIGHT[1]
                               * (1.0 - np.nan_to_num(townships.path_share[vt, j], nan=1.0)))
        else:
            w = t_incid[vt] * np.where(due_v == y, DUE_TOWNSHIP_WEIGHT, 1.0)
        chosen = pick_top(rng, v_planned == 0, n, w)
        v_planned[chosen] = y
    is_poor_v = v_planned > 0
    late = is_poor_v & (rng.random(V) < t_late[vt])
    late_year = rng.choice(list(LATE_VILLAGE_YEARS), size=V, p=list(LATE_VILLAGE_YEARS.values()))
    late_year = np.where(t_late[vt] > LATE_VILLAGES, townships.below_3pct_year[vt], late_year)
    v_exit = np.where(is_poor_v, np.where(late, np.maximum(late_year, v_planned + 1),
                                          v_planned), 0)
    return PoorVillagePlan(planned_exit_year=v_planned, is_poor=is_poor_v, exit_year=v_exit)
