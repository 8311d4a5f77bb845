"""The village ledgers of one replica (docs/demo-data.md, "How it is built", step 8): each
village-year's registered population and households, rural income per person,
infrastructure, 网店, 互助资金 and collective income."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.demo.arrays import pick_top
from analytics.demo.calibration import (COLLECTIVE_EXIT_BOOST, COLLECTIVE_INCOME_GROWTH, COLLECTIVE_INCOME_OTHER,
                                          COLLECTIVE_INCOME_POOR, COLLECTIVE_NONPOOR_GAIN, COUNTY_RURAL_INCOME,
                                          INFRASTRUCTURE, INFRASTRUCTURE_BY_EXIT_P, INFRASTRUCTURE_NEVER_P,
                                          MAX_VILLAGE_INCIDENCE, MUTUAL_FUND_GROWTH, MUTUAL_FUND_LATE_START,
                                          MUTUAL_FUND_OTHER, MUTUAL_FUND_POOR, NY, ONLINE_SHOPS_GAMMA,
                                          ONLINE_SHOPS_GROWTH, ONLINE_SHOPS_POOR_FACTOR, PERSONS_PER_HOUSEHOLD,
                                          RURAL_INCOME_POOR_VILLAGE, RURAL_INCOME_RANGE, RURAL_INCOME_VILLAGE_SIGMA,
                                          RURAL_INCOME_YEAR_SIGMA, YEARS)
from analytics.demo.panel import StatusPanel
from analytics.demo.plan import PoorVillagePlan
from analytics.demo.planted import plant_population_overflow
from analytics.demo.register import HouseholdRegister, VillagePopulation


@dataclass(frozen=True)
class VillageLedger:
    """The village_years figures of the V villages: arrays of shape (V, NY)."""
    registered_population: np.ndarray  # int64, persons (never below poor persons ÷ 0.8 but problem 5)
    households: np.ndarray             # int64, all households (at least the registered poor ones)
    rural_income: np.ndarray           # float, yuan per person (rounded to the yuan)
    rural_income_null: np.ndarray      # bool, the edge case: one village's 2014 income not recorded
    infrastructure: list               # per contract.INFRASTRUCTURE_COLUMNS a (V, NY) bool array
    online_shops: np.ndarray           # int, 网店
    mutual_fund: np.ndarray            # float, 互助资金 yuan (rounded to the thousand)
    collective_income: np.ndarray      # float, 村集体经济收入 yuan (rounded to the yuan)


def village_ledger(rng, villages: PoorVillagePlan, population: VillagePopulation, register: HouseholdRegister,
                   panel: StatusPanel, excluded: list) -> VillageLedger:
    """The ledgers: the population at least the poor persons ÷ MAX_VILLAGE_INCIDENCE (but
    planted problem 5, not in the ``excluded`` villages), rural income rescaled to the
    county's series each year, and the infrastructure, 网店 and funds growing over time,
    the poor villages' by their exit year."""
    S, M, hv = panel.status, register.members, register.village
    is_poor_v, v_exit = villages.is_poor, villages.exit_year
    V = len(is_poor_v)
    present = S >= 0
    poor_p = np.zeros((V, NY))
    hh_cnt = np.zeros((V, NY))
    for j in range(NY):
        pj = S[:, j] == 0
        poor_p[:, j] = np.bincount(hv[pj], weights=M[pj, j], minlength=V)
        hh_cnt[:, j] = np.bincount(hv[present[:, j]], minlength=V)
    reg_pop = np.maximum(np.round(population.by_year), np.ceil(poor_p / MAX_VILLAGE_INCIDENCE)).astype(np.int64)
    plant_population_overflow(rng, poor_p, reg_pop, excluded)
    vhh = np.maximum(np.round(reg_pop / PERSONS_PER_HOUSEHOLD), hh_cnt).astype(np.int64)
    # rural income per capita: county series, villages ±20 %, poor villages lower
    vf = rng.normal(0.0, RURAL_INCOME_VILLAGE_SIGMA, V) - RURAL_INCOME_POOR_VILLAGE * is_poor_v
    fac = np.clip(1.0 + vf[:, None] + rng.normal(0.0, RURAL_INCOME_YEAR_SIGMA, (V, NY)), *RURAL_INCOME_RANGE)
    w = reg_pop.astype(float)
    wmean = (fac * w).sum(axis=0) / np.maximum(w.sum(axis=0), 1.0)
    rinc = np.round(fac / wmean[None, :] * COUNTY_RURAL_INCOME[None, :], 0)
    rinc_null = np.zeros((V, NY), dtype=bool)
    rinc_null[pick_top(rng, ~is_poor_v, 1), 0] = True      # edge case: one null income
    infra = _infrastructure(rng, villages)
    lam = rng.gamma(*ONLINE_SHOPS_GAMMA, V) * np.where(is_poor_v, ONLINE_SHOPS_POOR_FACTOR, 1.0)
    shops = rng.poisson(lam[:, None] * ONLINE_SHOPS_GROWTH ** np.arange(NY)[None, :])
    fund = _mutual_fund(rng, is_poor_v)
    yrs = np.array(YEARS)[None, :]
    coll0 = np.where(is_poor_v,
                     np.where(rng.random(V) < COLLECTIVE_INCOME_POOR[0], rng.uniform(*COLLECTIVE_INCOME_POOR[1], V),
                              0.0),
                     np.where(rng.random(V) < COLLECTIVE_INCOME_OTHER[0], rng.uniform(*COLLECTIVE_INCOME_OTHER[1], V),
                              0.0))
    coll = coll0[:, None] * COLLECTIVE_INCOME_GROWTH ** (yrs - 2014)
    vx = np.where(is_poor_v, v_exit, 2100)[:, None]
    boost = np.where(yrs >= vx,
                     rng.uniform(*COLLECTIVE_EXIT_BOOST[0], V)[:, None]
                     * COLLECTIVE_EXIT_BOOST[1] ** np.maximum(yrs - vx, 0), 0.0)
    nonpoor_growth = np.where(~is_poor_v[:, None] & (yrs >= 2017),
                              rng.uniform(*COLLECTIVE_NONPOOR_GAIN, V)[:, None] * (yrs - 2016), 0.0)
    coll = np.round(coll + boost + nonpoor_growth, 0)
    return VillageLedger(registered_population=reg_pop, households=vhh, rural_income=rinc,
                         rural_income_null=rinc_null, infrastructure=infra, online_shops=shops,
                         mutual_fund=fund, collective_income=coll)


def _infrastructure(rng, villages: PoorVillagePlan) -> list:
    """Per contract.INFRASTRUCTURE_COLUMNS a (V, NY) bool array: true from the year the
    village gets the item (INFRASTRUCTURE: the share already there in 2014 and the last
    year of the roll-out); a poor village mostly by its exit year."""
    is_poor_v, v_exit = villages.is_poor, villages.exit_year
    V = len(is_poor_v)
    infra = []
    for pn, pp, end in INFRASTRUCTURE:
        already = rng.random(V) < np.where(is_poor_v, pp, pn)
        yr = rng.integers(2015, end + 1, V)
        yr = np.where(is_poor_v & (rng.random(V) < INFRASTRUCTURE_BY_EXIT_P), np.minimum(yr, v_exit), yr)
        yr = np.where(already, 2014, yr)
        if end == 2020:
            yr = np.where(~is_poor_v & (rng.random(V) < INFRASTRUCTURE_NEVER_P), 9999, yr)
        infra.append(np.array(YEARS)[None, :] >= yr[:, None])
    return infra


def _mutual_fund(rng, is_poor_v: np.ndarray) -> np.ndarray:
    """(V, NY) float: 互助资金 in yuan, from the year a village's fund starts (2014, or 2015
    or 2016 for a poor village without one), growing by MUTUAL_FUND_GROWTH a year."""
    V = len(is_poor_v)
    fund0 = np.where(is_poor_v,
                     np.where(rng.random(V) < MUTUAL_FUND_POOR[0], rng.uniform(*MUTUAL_FUND_POOR[1], V), 0.0),
                     np.where(rng.random(V) < MUTUAL_FUND_OTHER[0], rng.uniform(*MUTUAL_FUND_OTHER[1], V), 0.0))
    fund_start = np.where(fund0 > 0, 2014, np.where(is_poor_v, rng.integers(2015, 2017, V), 9999))
    fund0 = np.where(fund0 > 0, fund0, MUTUAL_FUND_LATE_START)
    yrs = np.array(YEARS)[None, :]
    fund = np.where(yrs >= fund_start[:, None],
                    fund0[:, None] * np.where(is_poor_v, *MUTUAL_FUND_GROWTH)[:, None]
                    ** np.maximum(yrs - fund_start[:, None], 0), 0.0)
    return np.round(fund, -3)
