"""The plan's targets the demo misses a little (docs/demo-data.md, "Misses against the
plan's targets"): the 精准 gap (households with no measure), 危房改造 in 2015 short of the
plan, villages late with a 网店 or 动力电, and 饮水安全 not recorded in one township-year.
Drawn on the replica's stream 3 (SeedSequence([seed, k, 3])) after everything else, so
no other figure moves."""

from __future__ import annotations

import math

import numpy as np

from analytics import contract as C
from analytics.demo.arrays import pick_top
from analytics.demo.calibration import (FIRST_YEAR, GAP_IN_VILLAGE, GAP_SHARE, GAP_TOWNSHIPS, HOUSING_2015,
                                          HOUSING_UNSAFE_WEIGHT, MEASURE_AMOUNT, MEASURE_AMOUNT_NULL_P, POWER_MISSES,
                                          SHOP_EXTRA_MEAN, SHOP_MISSES, WATER_UNKNOWN_BIT, WATER_UNRECORDED)
from analytics.demo.incomes import HouseholdIncomes
from analytics.demo.measures import HouseholdMeasures
from analytics.demo.panel import StatusPanel
from analytics.demo.plan import PoorVillagePlan
from analytics.demo.pools import MEASURE
from analytics.demo.register import HouseholdRegister
from analytics.demo.scale import Replica
from analytics.demo.villages import VillageLedger

J15 = 2015 - FIRST_YEAR   # year index of 2015
J17 = 2017 - FIRST_YEAR


def measures_after_target_misses(county: Replica, register: HouseholdRegister, panel: StatusPanel,
                                 villages: PoorVillagePlan, ledger: VillageLedger, incomes: HouseholdIncomes,
                                 guarantee_gaps: np.ndarray, measures: HouseholdMeasures) -> HouseholdMeasures:
    """The measures with the 精准 gap taken out and the 2015 危房改造 added. Changes in
    place: ``ledger.online_shops`` (SHOP_MISSES), ``ledger.infrastructure`` (POWER_MISSES)
    and ``guarantee_gaps`` (WATER_UNRECORDED)."""
    miss_rng = county.stream(3)
    gap = _precision_gap(miss_rng, county, register)
    measures = _housing_2015(miss_rng, county, register, panel, guarantee_gaps, measures, gap)
    _late_shops(miss_rng, villages, ledger.online_shops)
    _late_power(miss_rng, villages, ledger.infrastructure)
    _unrecorded_water(county, register, panel, incomes, guarantee_gaps)
    return measures


def _precision_gap(miss_rng, county: Replica, register: HouseholdRegister) -> np.ndarray:
    """(H,) bool: the households of a few villages of GAP_TOWNSHIPS that lose every measure,
    GAP_SHARE of the households split between the townships."""
    hv, H, V = register.village, register.count, county.villages
    vt, suffix_idx = county.township_of_village, county.township_index
    gap = np.zeros(H, dtype=bool)
    hh_v = np.bincount(hv, minlength=V)
    gap_towns = [suffix_idx[sfx] for sfx in GAP_TOWNSHIPS if sfx in suffix_idx]
    n_gap = int(math.floor(GAP_SHARE * H + 0.5))
    for i, ti in enumerate(gap_towns):
        n_t = n_gap // len(gap_towns) + (1 if i < n_gap % len(gap_towns) else 0)
        cand_v = np.flatnonzero((vt == ti) & (hh_v > 0))
        order = cand_v[np.argsort(-(miss_rng.gumbel(size=len(cand_v))
                                    + np.log(hh_v[cand_v])), kind="stable")]
        nv = int(np.searchsorted(np.cumsum(hh_v[order]), n_t / GAP_IN_VILLAGE)) + 1
        gap[pick_top(miss_rng, np.isin(hv, order[:nv]) & ~gap, n_t)] = True
    return gap


def _housing_2015(miss_rng, county: Replica, register: HouseholdRegister, panel: StatusPanel,
                  guarantee_gaps: np.ndarray, measures: HouseholdMeasures, gap: np.ndarray) -> HouseholdMeasures:
    """The measures with 危房改造 in 2015 added — households poor at the start of 2015 (or
    registered in it), most with an unsafe house, up to HOUSING_2015 × fraction in all —
    and the ``gap`` households' measures taken out."""
    H, S, SEC_FALSE = register.count, panel.status, guarantee_gaps
    meas_h, meas_y, meas_m, amt = measures.household, measures.year, measures.measure, measures.amount
    w_id = MEASURE["危房改造"]
    has15 = np.zeros(H, dtype=bool)
    has15[meas_h[(meas_y == 2015) & (meas_m == w_id)]] = True
    has15 &= ~gap
    n_add = max(int(math.floor(HOUSING_2015 * county.fraction + 0.5)) - int(has15.sum()), 0)
    poor15 = (S[:, J15] >= 0) & ((S[:, J15 - 1] == 0) | (register.first_year == J15))
    housing_bit = np.uint8(1 << C.SECURITY_COLUMNS.index("housing_secure"))
    unsafe = ((SEC_FALSE[:, J15 - 1] | SEC_FALSE[:, J15]) & housing_bit) != 0
    add = np.sort(pick_top(miss_rng, poor15 & ~has15 & ~gap, n_add,
                           np.where(unsafe, HOUSING_UNSAFE_WEIGHT, 1.0)))
    add_amt = np.round(miss_rng.uniform(*MEASURE_AMOUNT["危房改造"], len(add)), -1)
    add_amt[miss_rng.random(len(add)) < MEASURE_AMOUNT_NULL_P] = np.nan
    meas_h = np.concatenate([meas_h, add])
    meas_y = np.concatenate([meas_y, np.full(len(add), 2015, dtype=meas_y.dtype)])
    meas_m = np.concatenate([meas_m, np.full(len(add), w_id, dtype=meas_m.dtype)])
    amt = np.concatenate([amt, add_amt])
    keep = ~gap[meas_h]
    o = np.lexsort((meas_m[keep], meas_y[keep], meas_h[keep]))
    meas_h, meas_y, meas_m, amt = (a[keep][o] for a in (meas_h, meas_y, meas_m, amt))
    return HouseholdMeasures(household=meas_h, year=meas_y, measure=meas_m, amount=amt)


def _late_shops(miss_rng, villages: PoorVillagePlan, shops: np.ndarray) -> None:
    """网店, in place: every village planned to exit in 2015 has one from 2015 on, but
    SHOP_MISSES of them (their first shop opens in 2016)."""
    v15 = villages.planned_exit_year == 2015
    shops[v15, J15:] = np.maximum(shops[v15, J15:],
                                  1 + miss_rng.poisson(SHOP_EXTRA_MEAN, (len(v15), 1))[v15])
    shops[pick_top(miss_rng, v15, SHOP_MISSES), J15] = 0


def _late_power(miss_rng, villages: PoorVillagePlan, infrastructure: list) -> None:
    """动力电, in place: POWER_MISSES poor villages planned for 2017 connected only in 2018."""
    late_power = pick_top(miss_rng, villages.is_poor & (villages.planned_exit_year == 2017), POWER_MISSES)
    infrastructure[C.INFRASTRUCTURE_COLUMNS.index("power_grid")][late_power, : J17 + 1] = False


def _unrecorded_water(county: Replica, register: HouseholdRegister, panel: StatusPanel,
                      incomes: HouseholdIncomes, guarantee_gaps: np.ndarray) -> None:
    """饮水安全 not recorded in one township-year (WATER_UNRECORDED; bit WATER_UNKNOWN_BIT
    set, the water bit cleared), in place; a planted 错退 row there keeps the flags it was
    planted with."""
    suffix_idx, S, SEC_FALSE = county.township_index, panel.status, guarantee_gaps
    c1b, first_exit_j = incomes.wrong_exit_security, incomes.first_exit
    water = C.SECURITY_COLUMNS.index("water_secure")
    if WATER_UNRECORDED[0] in suffix_idx:
        jw = WATER_UNRECORDED[1] - FIRST_YEAR
        rows = (register.township == suffix_idx[WATER_UNRECORDED[0]]) & (S[:, jw] >= 0)
        rows[c1b[first_exit_j[c1b] == jw]] = False
        SEC_FALSE[rows, jw] = (SEC_FALSE[rows, jw] & np.uint8(~(1 << water) & 0xFF)) \
            | np.uint8(1 << WATER_UNKNOWN_BIT)
