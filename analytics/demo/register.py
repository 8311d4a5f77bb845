"""The household register of one replica (docs/demo-data.md, "How it is built", steps 2
and 3): each village's registered population and poverty incidence, and the registered
poor households (建档立卡户) with their village, registration year, cause, 低保 class,
years on the register and size by year."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analytics import contract as C
from analytics.demo.arrays import rank_in_group
from analytics.demo.calibration import (CAUSE_P, COUNTY_POOR_PERSONS_2014, COUNTY_POPULATION_2014, DIBAO_FIRST_CLASS,
                                          DIBAO_P, DIBAO_P_OTHER, FIRST_YEAR, HOUSEHOLD_SIZE_DRIFT,
                                          INCIDENCE_CONCENTRATION, LEAVE_P, MEAN_SIZE_OFFSET, MEMBERS_P,
                                          MISSING_TOWNSHIP_CAUSE_FACTOR, NEW_HOUSEHOLDS, NY,
                                          POOR_VILLAGE_INCIDENCE_MEAN, POOR_VILLAGE_POPULATION_FACTOR,
                                          POPULATION_DRIFT, VILLAGE_INCIDENCE_MEAN, VILLAGE_POPULATION_MEDIAN,
                                          VILLAGE_POPULATION_SIGMA, WEAK_LABOUR_SMALLER_P)
from analytics.demo.plan import PoorVillagePlan, TownshipPlan
from analytics.demo.pools import CAUSE
from analytics.demo.scale import Replica


@dataclass(frozen=True)
class VillagePopulation:
    """Registered rural population and poverty incidence of the V villages."""
    population_2014: np.ndarray  # (V,) float, persons in 2014, the whole county's (not thinned)
    incidence_2014: np.ndarray   # (V,) float, share of them registered poor in 2014 (0.03–0.75)
    households_2014: np.ndarray  # (V,) int64, poor households registered in 2014 (thinned)
    by_year: np.ndarray          # (V, NY) float, persons by year × the household fraction


@dataclass(frozen=True)
class HouseholdRegister:
    """The H registered poor households, in (village, registration year) order."""
    village: np.ndarray          # (H,) int, village index
    township: np.ndarray         # (H,) int, township index
    registered_year: np.ndarray  # (H,) int, 2014, or 2015 / 2016 after the 回头看 review
    sequence: np.ndarray         # (H,) int, 1-based number of the household within its village
    first_year: np.ndarray       # (H,) int, year index (0 = 2014) of its first row
    last_year: np.ndarray        # (H,) int, year index of its last row (it leaves after it)
    on_register: np.ndarray      # (H, NY) bool, it has a row that year
    whole_period: np.ndarray     # (H,) bool, a row in every year 2014–2020
    cause: np.ndarray            # (H,) int, index into contract.POVERTY_CAUSES
    weak_labour: np.ndarray      # (H,) bool, cause 缺劳力 or 因残
    dibao: np.ndarray            # (H,) int, index into contract.DIBAO_CLASSES; -1 = not on 低保
    members: np.ndarray          # (H, NY) int64, persons by year (planted problem 6 edits it)

    @property
    def count(self) -> int:
        """H, the number of households."""
        return len(self.village)


def village_population(rng, county: Replica, townships: TownshipPlan,
                       villages: PoorVillagePlan) -> VillagePopulation:
    """Each village's registered population (log-normal, normalised to the county's) and
    its 2014 incidence (Beta by planned exit year, × its township's factor, normalised to
    the county's registered poor persons); from them its 2014 households."""
    V = county.villages
    vt = county.township_of_village
    f = county.fraction
    is_poor_v, v_planned = villages.is_poor, villages.planned_exit_year
    pop = (np.exp(rng.normal(np.log(VILLAGE_POPULATION_MEDIAN), VILLAGE_POPULATION_SIGMA, V))
           * np.where(is_poor_v, POOR_VILLAGE_POPULATION_FACTOR, 1.0))
    pop *= COUNTY_POPULATION_2014[0] * math.exp(rng.normal(0.0, COUNTY_POPULATION_2014[1])) / pop.sum()
    inc_mean = np.select([v_planned == y for y in POOR_VILLAGE_INCIDENCE_MEAN],
                         list(POOR_VILLAGE_INCIDENCE_MEAN.values()), VILLAGE_INCIDENCE_MEAN)
    kappa = INCIDENCE_CONCENTRATION
    incid = np.clip(rng.beta(inc_mean * kappa, (1 - inc_mean) * kappa), 0.05, 0.70)
    incid = incid * townships.incidence_factor[vt]     # the county seat lower, the remote hills higher
    incid = np.clip(incid * COUNTY_POOR_PERSONS_2014[0] * math.exp(rng.normal(0.0, COUNTY_POOR_PERSONS_2014[1]))
                    / (pop * incid).sum(), 0.03, 0.75)
    mean_members = float((MEMBERS_P * np.arange(1, 9)).sum()) - MEAN_SIZE_OFFSET
    n_base = np.floor(pop * incid / mean_members * f + rng.random(V)).astype(np.int64)
    n_base = np.where(is_poor_v, np.maximum(n_base, 1), n_base)
    # yearly registered population (before the consistency clamp)
    growth = rng.normal(*POPULATION_DRIFT, (V, NY))
    growth[:, 0] = 0.0
    pop_vt = pop[:, None] * f * np.exp(np.cumsum(growth, axis=1))
    return VillagePopulation(population_2014=pop, incidence_2014=incid, households_2014=n_base, by_year=pop_vt)


def household_register(rng, county: Replica, townships: TownshipPlan, villages: PoorVillagePlan,
                       population: VillagePopulation) -> HouseholdRegister:
    """The registered households: the 2014 ones of every village, the ones registered after
    the 回头看 review (NEW_HOUSEHOLDS, in villages not exiting that year), their causes (more
    因病 and 缺水 in the townships that miss their year), 低保, sizes drifting ±1 a year, and
    the few that leave the register (death, merger, move) in a random year."""
    V = county.villages
    f = county.fraction
    pop, incid, n_base = population.population_2014, population.incidence_2014, population.households_2014
    n_new = {y: int(math.floor(n * f + rng.random())) for y, n in NEW_HOUSEHOLDS.items()}
    hv_parts = [np.repeat(np.arange(V), n_base)]
    reg_parts = [np.full(int(n_base.sum()), FIRST_YEAR)]
    for y, n in n_new.items():
        w = pop * incid * np.where(villages.exit_year == y, 0.0, 1.0)
        hv_parts.append(rng.choice(V, size=n, p=w / w.sum()))
        reg_parts.append(np.full(n, y))
    hv = np.concatenate(hv_parts)
    reg = np.concatenate(reg_parts)
    o = np.lexsort((reg, hv))
    hv, reg = hv[o], reg[o]
    H = len(hv)
    seq = rank_in_group(hv, np.arange(H)) + 1
    if H and seq.max() > 9999:
        raise ValueError("more than 9999 households in a village")
    ht = county.township_of_village[hv]
    reg_j = reg - FIRST_YEAR
    cause = rng.choice(len(C.POVERTY_CAUSES), size=H, p=CAUSE_P / CAUSE_P.sum())
    # townships that miss their year: more illness (因病) and no water (缺水)
    slow_h = townships.water_and_illness[ht]
    slow_p = CAUSE_P.copy()
    for name, factor in MISSING_TOWNSHIP_CAUSE_FACTOR.items():
        slow_p[CAUSE[name]] *= factor
    cause[slow_h] = rng.choice(len(C.POVERTY_CAUSES), size=int(slow_h.sum()),
                               p=slow_p / slow_p.sum())
    m0 = rng.choice(np.arange(1, 9), size=H, p=MEMBERS_P / MEMBERS_P.sum())
    weak = np.isin(cause, [CAUSE["缺劳力"], CAUSE["因残"]])
    m0 = np.where(weak & (rng.random(H) < WEAK_LABOUR_SMALLER_P), np.maximum(m0 - 1, 1), m0)
    p_dibao = np.select([cause == CAUSE[name] for name in DIBAO_P], list(DIBAO_P.values()), DIBAO_P_OTHER)
    dibao = np.where(rng.random(H) < p_dibao, np.where(rng.random(H) < DIBAO_FIRST_CLASS, 0, 1), -1)
    leaves = rng.random(H) < LEAVE_P
    last_j = np.where(leaves, reg_j + np.floor(rng.random(H) * (NY - 1 - reg_j)).astype(int),
                      NY - 1)
    last_j = np.minimum(np.maximum(last_j, reg_j), NY - 1)
    jj = np.arange(NY)[None, :]
    alive = (jj >= reg_j[:, None]) & (jj <= last_j[:, None])
    # members by year: ±1 drift
    drift = rng.choice([-1, 0, 1], size=(H, NY), p=list(HOUSEHOLD_SIZE_DRIFT))
    drift[:, 0] = 0
    M = np.clip(m0[:, None] + np.cumsum(drift, axis=1), 1, 9).astype(np.int64)
    return HouseholdRegister(
        village=hv, township=ht, registered_year=reg, sequence=seq, first_year=reg_j, last_year=last_j,
        on_register=alive, whole_period=(reg_j == 0) & (last_j == NY - 1), cause=cause, weak_labour=weak,
        dibao=dibao, members=M)
