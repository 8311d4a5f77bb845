"""驻村帮扶 (docs/demo-data.md, "How it is built", step 11): the units, teams and days of
every poor village from 2015, on a random stream of their own."""

from __future__ import annotations

import numpy as np

from analytics.demo.arrays import pick_top
from analytics.demo.calibration import (SUPPORT_DAYS_MIN, SUPPORT_DAYS_UNRECORDED, SUPPORT_FIRST_YEAR,
                                          SUPPORT_NO_TEAM, SUPPORT_NO_UNIT, SUPPORT_ROTATION_YEAR,
                                          SUPPORT_SHORT_P, SUPPORT_SHORT_TOWNSHIPS, YEARS)
from analytics.demo.geography import Geography
from analytics.demo.pools import COUNTY_UNITS, UPPER_UNITS, draw_names


def village_support_arrays(seed: int, k: int, geo: Geography, is_poor_v: np.ndarray) -> dict:
    """驻村帮扶 of one replica: a row per poor village and year from SUPPORT_FIRST_YEAR,
    with its unit (index into the unit pool, -1 = none), whether it has a team, the
    leader's name indices, and the days (NaN = none or not recorded). Its own stream."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(k), 2]))
    years = np.array([y for y in YEARS if y >= SUPPORT_FIRST_YEAR])
    poor = np.flatnonzero(is_poor_v)
    P, NYS = len(poor), len(years)
    sv = np.repeat(poor, NYS)
    sy = np.tile(years, P)
    n_units = len(UPPER_UNITS) + len(COUNTY_UNITS)
    unit = np.repeat(rng.integers(0, n_units, P), NYS)
    team = np.ones(P * NYS, dtype=bool)
    # the leader: one per village, most replaced in the rotation year
    female = rng.random(2 * P) < 0.2
    ls, lg1, lg2 = draw_names(rng, 2 * P, female)
    rotated = rng.random(P) < 0.7
    which = np.where((sy >= SUPPORT_ROTATION_YEAR) & np.repeat(rotated, NYS),
                     np.repeat(np.arange(P), NYS) + P, np.repeat(np.arange(P), NYS))
    days = np.clip(np.round(rng.normal(22.5, 1.8, P * NYS) * 2) / 2, SUPPORT_DAYS_MIN, 28.0)
    # the planted misses: no unit, no team, days not recorded (distinct village-years)
    free = np.ones(P * NYS, dtype=bool)
    for misses, what in ((SUPPORT_NO_UNIT, "unit"), (SUPPORT_NO_TEAM, "team"),
                         (SUPPORT_DAYS_UNRECORDED, "days")):
        for y, n in misses.items():
            pick = pick_top(rng, free & (sy == y), n)
            free[pick] = False
            if what == "unit":
                unit[pick] = -1
            elif what == "team":
                team[pick] = False
                days[pick] = np.nan
            else:
                days[pick] = np.nan
    # the teams behind on days, in the remote townships only
    short_t = np.array([geo.t_suffix[t] in SUPPORT_SHORT_TOWNSHIPS for t in geo.v_town[sv]])
    p_short = np.array([SUPPORT_SHORT_P.get(int(y), 0.0) for y in years])[
        np.searchsorted(years, sy)]
    short = short_t & free & (rng.random(P * NYS) < p_short)
    days[short] = rng.integers(28, 40, int(short.sum())) / 2.0      # 14–19.5
    return dict(sv=sv, sy=sy, s_unit=unit, s_team=team, s_s=ls[which], s_g1=lg1[which],
                s_g2=lg2[which], s_days=days)
