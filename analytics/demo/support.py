"""帮扶 of one replica: the "8741" cadres paired with the households (docs/demo-data.md,
"How it is built", step 9) and 驻村帮扶, the unit, team and days of every poor village
from 2015 (step 11, on a random stream of its own)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analytics import contract as C
from analytics.demo.arrays import pick_top
from analytics.demo.calibration import (CADRE_COVERAGE, CADRE_FEMALE_P, CADRE_FULL_QUOTA_P, CADRES_BY_RANK,
                                          SUPPORT_DAYS, SUPPORT_DAYS_MAX, SUPPORT_DAYS_MIN, SUPPORT_DAYS_UNRECORDED,
                                          SUPPORT_FIRST_YEAR, SUPPORT_LEADER_FEMALE_P, SUPPORT_NO_TEAM,
                                          SUPPORT_NO_UNIT, SUPPORT_ROTATED_P, SUPPORT_ROTATION_YEAR,
                                          SUPPORT_SHORT_HALF_DAYS, SUPPORT_SHORT_P, SUPPORT_SHORT_TOWNSHIPS,
                                          TOWNSHIP_GOVERNMENT_P, YEARS)
from analytics.demo.plan import PoorVillagePlan
from analytics.demo.planted import plant_cadres_over_quota
from analytics.demo.pools import COUNTY_UNITS, UPPER_UNITS, draw_names
from analytics.demo.register import HouseholdRegister
from analytics.demo.scale import Replica


@dataclass(frozen=True)
class Cadres:
    """The NC cadres of the "8741" pairing, and the cadre of each of the H households."""
    rank: np.ndarray          # (NC,) int, index into contract.CADRE_RANKS
    unit: np.ndarray          # (NC,) int, index into COUNTY_UNITS, or len(COUNTY_UNITS) + township
                              #   index for a township government
    township: np.ndarray      # (NC,) int, township index of the cadre's first household
    surname: np.ndarray       # (NC,) int16, index into pools.SURNAMES
    given1: np.ndarray        # (NC,) int16, index into pools.GIVEN_POOL
    given2: np.ndarray        # (NC,) int16, index into pools.GIVEN_POOL
    of_household: np.ndarray  # (H,) int64, the household's cadre; -1 = none


@dataclass(frozen=True)
class VillageSupport:
    """驻村帮扶: one row per poor village and year from SUPPORT_FIRST_YEAR."""
    village: np.ndarray         # (n,) int, village index
    year: np.ndarray            # (n,) int
    unit: np.ndarray            # (n,) int, index into UPPER_UNITS + COUNTY_UNITS; -1 = none
    has_team: np.ndarray        # (n,) bool
    leader_surname: np.ndarray  # (n,) int16, index into pools.SURNAMES
    leader_given1: np.ndarray   # (n,) int16, index into pools.GIVEN_POOL
    leader_given2: np.ndarray   # (n,) int16, index into pools.GIVEN_POOL
    days: np.ndarray            # (n,) float, days in the village a month; NaN = no team or not recorded


def cadres(rng, county: Replica, register: HouseholdRegister) -> Cadres:
    """The cadres: CADRES_BY_RANK (× fraction) at their rank's quota (CADRE_FULL_QUOTA_P,
    otherwise fewer; planted problem 8 over it), then enough 一般干部 with one household
    each to cover ≈93 % of the households; a cadre's households are consecutive in village
    order. Cadres left with no household are dropped."""
    H, hv, ht, f = register.count, register.village, register.township, county.fraction
    cover = rng.random(H) < rng.uniform(*CADRE_COVERAGE)
    n_cov = int(cover.sum())
    quota = np.array([C.RANK_QUOTA[r] for r in C.CADRE_RANKS])
    n_rank = [max(1, int(math.floor(b_ * f + 0.5))) for b_ in CADRES_BY_RANK]
    c_rank = np.concatenate([np.full(n, i) for i, n in enumerate(n_rank)])
    load = np.where(rng.random(len(c_rank)) < CADRE_FULL_QUOTA_P, quota[c_rank],
                    rng.integers(1, quota[c_rank] + 1))
    over = plant_cadres_over_quota(rng, f, c_rank, load, quota)
    n_general = max(n_cov - int(load.sum()), 0)
    c_rank = np.concatenate([c_rank, np.full(n_general, 3)])
    load = np.concatenate([load, np.ones(n_general, dtype=np.int64)])
    NC = len(c_rank)
    # planted over-quota cadres first, so truncation at tiny scales never drops them
    first = np.zeros(NC, dtype=bool)
    first[over] = True
    corder = np.concatenate([np.flatnonzero(first),
                             np.flatnonzero(~first)[rng.permutation(NC - len(over))]])
    slots = np.repeat(corder, load[corder])[:n_cov]
    cov_idx = np.flatnonzero(cover)
    cov_idx = cov_idx[np.lexsort((rng.random(n_cov), hv[cov_idx]))]
    cadre_of = np.full(H, -1, dtype=np.int64)
    cadre_of[cov_idx[: len(slots)]] = slots
    # cadres that ended up with no household are dropped; renumber the rest
    has_hh = np.bincount(slots, minlength=NC) > 0
    keep = np.flatnonzero(has_hh | first)
    renum = np.full(NC, -1, dtype=np.int64)
    renum[keep] = np.arange(len(keep))
    cadre_of = np.where(cadre_of >= 0, renum[np.maximum(cadre_of, 0)], -1)
    c_rank = c_rank[keep]
    NC = len(keep)
    # the township a cadre works in: that of its first household
    first_hh = np.full(NC, -1, dtype=np.int64)
    hidx = np.flatnonzero(cadre_of >= 0)
    first_hh[cadre_of[hidx[::-1]]] = hidx[::-1]
    c_town = np.where(first_hh >= 0, ht[np.maximum(first_hh, 0)], 0)
    town_gov = (c_rank == 3) & (rng.random(NC) < TOWNSHIP_GOVERNMENT_P)
    c_unit = np.where(town_gov, len(COUNTY_UNITS) + c_town,
                      rng.integers(0, len(COUNTY_UNITS), NC))
    c_female = rng.random(NC) < CADRE_FEMALE_P
    cs_i, cg1, cg2 = draw_names(rng, NC, c_female)
    return Cadres(rank=c_rank, unit=c_unit, township=c_town, surname=cs_i, given1=cg1, given2=cg2,
                  of_household=cadre_of)


def village_support(county: Replica, villages: PoorVillagePlan) -> VillageSupport:
    """驻村帮扶 of one replica: a row per poor village and year from SUPPORT_FIRST_YEAR, one
    unit per village for all years, a leader replaced in SUPPORT_ROTATION_YEAR in most
    villages, days around SUPPORT_DAYS, and the planted misses (SUPPORT_NO_UNIT,
    SUPPORT_NO_TEAM, SUPPORT_DAYS_UNRECORDED, the short days of SUPPORT_SHORT_TOWNSHIPS).
    Drawn on the replica's stream 2 (SeedSequence([seed, k, 2]))."""
    geo = county.geo
    rng = county.stream(2)
    years = np.array([y for y in YEARS if y >= SUPPORT_FIRST_YEAR])
    poor = np.flatnonzero(villages.is_poor)
    P, NYS = len(poor), len(years)
    sv = np.repeat(poor, NYS)
    sy = np.tile(years, P)
    n_units = len(UPPER_UNITS) + len(COUNTY_UNITS)
    unit = np.repeat(rng.integers(0, n_units, P), NYS)
    team = np.ones(P * NYS, dtype=bool)
    # the leader: one per village, most replaced in the rotation year
    female = rng.random(2 * P) < SUPPORT_LEADER_FEMALE_P
    ls, lg1, lg2 = draw_names(rng, 2 * P, female)
    rotated = rng.random(P) < SUPPORT_ROTATED_P
    which = np.where((sy >= SUPPORT_ROTATION_YEAR) & np.repeat(rotated, NYS),
                     np.repeat(np.arange(P), NYS) + P, np.repeat(np.arange(P), NYS))
    days = np.clip(np.round(rng.normal(*SUPPORT_DAYS, P * NYS) * 2) / 2, SUPPORT_DAYS_MIN, SUPPORT_DAYS_MAX)
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
    days[short] = rng.integers(*SUPPORT_SHORT_HALF_DAYS, int(short.sum())) / 2.0      # 14–19.5
    return VillageSupport(village=sv, year=sy, unit=unit, has_team=team, leader_surname=ls[which],
                          leader_given1=lg1[which], leader_given2=lg2[which], days=days)
