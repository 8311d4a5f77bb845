"""The planted data-quality problems (docs/demo-data.md, "Planted data-quality problems"):
how many of each a replica carries, and the functions that plant them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from analytics import contract as C
from analytics.demo.arrays import pick_top
from analytics.demo.calibration import (BUNCHING_BAND, BUNCHING_SHARE, BUNCHING_TOWNSHIP_SUFFIX,
                                          CONTRADICTION_LOCKED_SHARE, CONTRADICTION_MIN_SHARE, CONTRADICTION_YEARS,
                                          FIRST_YEAR, INCOME_JUMP, NY, OVER_QUOTA, OVERFLOW_CANDIDATES, OVERFLOW_FACTOR,
                                          PLANTED_PER_COUNTY, SIZE_JUMP, WRONG_EXIT_INCOME)
from analytics.demo.scale import county_code, replica_list

if TYPE_CHECKING:   # the stages import this module
    from analytics.demo.panel import StatusPanel
    from analytics.demo.plan import PoorVillagePlan
    from analytics.demo.register import HouseholdRegister, VillagePopulation


def planted_count(name: str, f: float) -> int:
    """How many of problem ``name`` a replica with household fraction ``f`` carries: its
    PLANTED_PER_COUNTY × f, rounded, at least 1 (problems 5 and 9: fixed counts)."""
    base = PLANTED_PER_COUNTY[name]
    if name == "population_overflow":
        return 1
    if name == "village_exit_contradiction":
        return 2 if f >= 0.5 else 1
    return max(1, int(math.floor(base * f + 0.5)))


def planted_problems(scale: float = 1.0, seed: int = 2015) -> dict:
    """Exact counts of the planted data-quality problems of ``demo_tables(scale, seed)``.

    The counts depend on the scale only (every seed plants the same numbers).  Keys:
    ``wrong_exit_income``, ``wrong_exit_security``, ``wrong_exit`` (their sum),
    ``income_jump``, ``duplicate_person_pairs``, ``population_overflow``,
    ``size_jump``, ``relapse_without_cause``, ``cadres_over_quota``,
    ``village_exit_contradiction``; ``income_bunching_townships`` lists the township
    codes with bunched exit incomes and ``income_bunching_min_share`` the least share
    of their exit rows within [line, 1.05 × line] (every other township: 0).
    """
    del seed  # counts are fixed by design
    out = {name: 0 for name in PLANTED_PER_COUNTY}
    towns = []
    for k, f in replica_list(scale):
        for name in PLANTED_PER_COUNTY:
            out[name] += planted_count(name, f)
        towns.append(f"{county_code(k):06d}{BUNCHING_TOWNSHIP_SUFFIX}")
    out["wrong_exit"] = out["wrong_exit_income"] + out["wrong_exit_security"]
    out["income_bunching_townships"] = towns
    out["income_bunching_min_share"] = BUNCHING_SHARE
    return out



# ---------------------------------------------------------------------------
# Planting them, one function per problem, called by the stages at their place in the
# replica's random stream. ``carries_problem`` ((H,) bool) marks the households that
# already carry one: each gets at most one.
# ---------------------------------------------------------------------------
def plant_size_jumps(rng, fraction: float, register: HouseholdRegister, carries_problem: np.ndarray) -> None:
    """Problem 6: households whose size jumps by SIZE_JUMP for one year (3 → 11 → 3);
    changes ``register.members`` in place."""
    M = register.members
    n6 = planted_count("size_jump", fraction)
    cand6 = pick_top(rng, register.whole_period & ~carries_problem, n6)
    carries_problem[cand6] = True
    j6 = rng.integers(1, NY - 1, len(cand6))
    M[cand6, j6] = M[cand6, j6 - 1] + SIZE_JUMP


@dataclass(frozen=True)
class LockedHouseholds:
    """Problem 9: the households kept poor through their village's claimed exit year."""
    locked: np.ndarray        # (H,) bool
    locked_until: np.ndarray  # (H,) int64, the village's claimed exit year (0 = not locked)
    villages: list            # the villages whose exit claim contradicts their incidence


def contradicting_exit_claims(rng, fraction: float, register: HouseholdRegister, villages: PoorVillagePlan,
                              population: VillagePopulation, carries_problem: np.ndarray) -> LockedHouseholds:
    """Problem 9: villages whose exit claim (in CONTRADICTION_YEARS) contradicts their
    incidence: enough of their households to hold CONTRADICTION_LOCKED_SHARE of the
    village's population stay poor through the claimed year."""
    hv, M, full = register.village, register.members, register.whole_period
    H, V = register.count, len(villages.is_poor)
    pop_vt = population.by_year
    n9 = planted_count("village_exit_contradiction", fraction)
    locked = np.zeros(H, dtype=bool)
    lock_until = np.zeros(H, dtype=np.int64)
    planted9_v = []
    elig_persons = np.bincount(hv, weights=np.where(full, M[:, 0], 0), minlength=V)
    ratio9 = elig_persons / np.maximum(pop_vt[:, 0], 1.0)
    for y9 in list(CONTRADICTION_YEARS)[:n9]:
        ok = (villages.is_poor & (villages.planned_exit_year == y9) & (villages.exit_year == y9)
              & (elig_persons > 0))
        good = ok & (ratio9 >= CONTRADICTION_MIN_SHARE)
        pick = pick_top(rng, good if good.any() else ok, 1)
        if len(pick) == 0:
            continue
        v9 = int(pick[0])
        planted9_v.append(v9)
        hh = np.flatnonzero((hv == v9) & full & ~carries_problem)
        hh = hh[rng.permutation(len(hh))]
        need = CONTRADICTION_LOCKED_SHARE * pop_vt[v9, y9 - FIRST_YEAR]
        cs = np.cumsum(M[hh, y9 - FIRST_YEAR])
        take = hh[: int(np.searchsorted(cs, need) + 1)]
        locked[take] = True
        lock_until[take] = y9
        carries_problem[take] = True
    return LockedHouseholds(locked=locked, locked_until=lock_until, villages=planted9_v)


def plant_relapses_without_cause(rng, fraction: float, panel: StatusPanel, carries_problem: np.ndarray) -> None:
    """Problem 7: relapse rows (已脱贫 → 未脱贫) with no relapse_cause; changes
    ``panel.relapse_cause`` in place (a household's first relapse)."""
    n7 = planted_count("relapse_without_cause", fraction)
    rel_h = panel.relapsed.any(axis=1)
    cand7 = pick_top(rng, rel_h & ~carries_problem, n7)
    carries_problem[cand7] = True
    for h in cand7:  # a handful of households
        j7 = int(np.flatnonzero(panel.relapsed[h])[0])
        panel.relapse_cause[h, j7] = -1


def plant_income_bunching(rng, net: np.ndarray, exempt: np.ndarray, exit_cells: np.ndarray,
                          line: np.ndarray) -> None:
    """Problem 2: BUNCHING_SHARE of ``exit_cells`` ((H, NY) bool, the exit rows of the
    bunching township) moved to [line, (1 + BUNCHING_BAND) × line]; in place."""
    bh, bj = np.nonzero(exit_cells)
    sel = pick_top(rng, np.ones(len(bh), dtype=bool), math.ceil(BUNCHING_SHARE * len(bh)))
    bh, bj = bh[sel], bj[sel]
    net[bh, bj] = line[bj] * (1.0 + rng.uniform(0.0, BUNCHING_BAND, len(bh)))
    exempt[bh, bj] = True


def plant_wrong_exit_incomes(rng, fraction: float, net: np.ndarray, exempt: np.ndarray, first_exit: np.ndarray,
                             eligible: np.ndarray, carries_problem: np.ndarray, line: np.ndarray) -> None:
    """Problem 1a (错退): households of ``eligible`` whose first exit year's income is
    WRONG_EXIT_INCOME × the line, below it; in place."""
    n1a = planted_count("wrong_exit_income", fraction)
    c1a = pick_top(rng, eligible & ~carries_problem, n1a)
    carries_problem[c1a] = True
    j1a = first_exit[c1a]
    net[c1a, j1a] = line[j1a] * rng.uniform(*WRONG_EXIT_INCOME, len(c1a))
    exempt[c1a, j1a] = True


def wrong_exit_security(rng, fraction: float, eligible: np.ndarray,
                        carries_problem: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Problem 1b (错退): households of ``eligible`` whose first exit year has one
    *_secure flag false. Returns them and that flag as a bit mask (uint8, bit i =
    contract.SECURITY_COLUMNS[i]); analytics.demo.guarantees writes it."""
    n1b = planted_count("wrong_exit_security", fraction)
    c1b = pick_top(rng, eligible & ~carries_problem, n1b)
    carries_problem[c1b] = True
    return c1b, (1 << rng.integers(0, len(C.SECURITY_COLUMNS), len(c1b))).astype(np.uint8)


def plant_income_jumps(rng, fraction: float, net: np.ndarray, first_exit: np.ndarray, eligible: np.ndarray,
                       carries_problem: np.ndarray) -> None:
    """Problem 3: households of ``eligible`` (with a positive income the year before their
    first exit) whose first exit year's income is INCOME_JUMP × the year before's; in place."""
    H = len(net)
    n3 = planted_count("income_jump", fraction)
    has_exit = first_exit > 0
    prev_pos = np.zeros(H, dtype=bool)
    fe = np.maximum(first_exit, 1)
    prev_pos[has_exit] = net[has_exit, fe[has_exit] - 1] > 0
    c3 = pick_top(rng, eligible & prev_pos & ~carries_problem, n3)
    carries_problem[c3] = True
    j3 = first_exit[c3]
    net[c3, j3] = net[c3, j3 - 1] * rng.uniform(*INCOME_JUMP, len(c3))


def plant_population_overflow(rng, poor_persons: np.ndarray, registered_population: np.ndarray,
                              excluded: list) -> None:
    """Problem 5: one village (among the OVERFLOW_CANDIDATES with the highest 2014
    incidence, not in ``excluded``) with more poor persons than registered population in
    2014 (OVERFLOW_FACTOR × its poor persons); changes ``registered_population`` ((V, NY)
    int64) in place."""
    reg_pop, poor_p = registered_population, poor_persons
    V = len(reg_pop)
    cand5 = np.flatnonzero((poor_p[:, 0] >= 1) & ~np.isin(np.arange(V), excluded))
    if len(cand5):
        incid0 = poor_p[cand5, 0] / reg_pop[cand5, 0]
        top = cand5[np.argsort(-incid0, kind="stable")[:OVERFLOW_CANDIDATES]]
        v5 = int(top[rng.integers(0, len(top))])
        reg_pop[v5, 0] = int(math.floor(poor_p[v5, 0] * OVERFLOW_FACTOR))
        if reg_pop[v5, 0] >= poor_p[v5, 0]:
            reg_pop[v5, 0] = int(poor_p[v5, 0]) - 1


def plant_duplicate_heads(rng, fraction: float, township: np.ndarray, carries_problem: np.ndarray,
                          head_columns: tuple) -> None:
    """Problem 4: pairs of heads with the same name and birth date in one township: the
    second head of each pair takes the first's ``head_columns`` (sex, name indices and
    birth day, (H,) arrays), in place."""
    ht = township
    n4 = planted_count("duplicate_person_pairs", fraction)
    pair_a = pick_top(rng, ~carries_problem, n4)
    carries_problem[pair_a] = True
    for a in pair_a:   # a handful of pairs
        bidx = pick_top(rng, (ht == ht[a]) & ~carries_problem, 1)
        if len(bidx) == 0:
            continue
        bb = int(bidx[0])
        carries_problem[bb] = True
        for column in head_columns:
            column[bb] = column[a]


def plant_cadres_over_quota(rng, fraction: float, rank: np.ndarray, load: np.ndarray,
                            quota: np.ndarray) -> np.ndarray:
    """Problem 8: cadres (正县级, 副县级 or 科级) with OVER_QUOTA more households than their
    rank's "8741" quota; changes ``load`` in place and returns their indices."""
    n8 = planted_count("cadres_over_quota", fraction)
    over = pick_top(rng, rank <= 2, n8)
    load[over] = quota[rank[over]] + rng.integers(*OVER_QUOTA, len(over))
    return over
