"""一户一策 measures of one replica (docs/demo-data.md, "How it is built", step 10): the
measures every household gets in its registration year and in its first exit year, with
their amounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics import contract as C
from analytics.demo.calibration import (CAUSE_MEASURE_WEIGHT, DIBAO_MEASURE_WEIGHT, FIRST_YEAR, MEASURE_AMOUNT,
                                          MEASURE_AMOUNT_NULL_P, MEASURE_WEIGHT_AT_EXIT, MEASURE_WEIGHT_AT_EXIT_OTHER,
                                          MEASURE_WEIGHT_AT_REGISTRATION, MEASURES_AT_EXIT,
                                          MEASURES_AT_REGISTRATION)
from analytics.demo.incomes import HouseholdIncomes
from analytics.demo.pools import CAUSE, MEASURE
from analytics.demo.register import HouseholdRegister


@dataclass(frozen=True)
class HouseholdMeasures:
    """The measures (one row each), in (household, year, measure) order."""
    household: np.ndarray  # (n,) int, household index
    year: np.ndarray       # (n,) int
    measure: np.ndarray    # (n,) int, index into contract.MEASURES
    amount: np.ndarray     # (n,) float, yuan; NaN = not recorded


def household_measures(rng, register: HouseholdRegister, incomes: HouseholdIncomes) -> HouseholdMeasures:
    """1–3 measures in a household's registration year, weighted by its cause (因病 →
    健康扶贫, 因学 → 教育资助, 低保 → 低保兜底 …), and 1–2 in its first exit year
    (产业扶持, 转移就业 …); amounts drawn in each measure's range (MEASURE_AMOUNT)."""
    H = register.count
    cause = register.cause
    mw_reg = np.ones((H, len(C.MEASURES)))
    for m, wv in MEASURE_WEIGHT_AT_REGISTRATION.items():
        mw_reg[:, MEASURE[m]] = wv
    for (c, m), wv in CAUSE_MEASURE_WEIGHT.items():
        mw_reg[cause == CAUSE[c], MEASURE[m]] = wv
    mw_reg[register.dibao >= 0, MEASURE["低保兜底"]] = DIBAO_MEASURE_WEIGHT
    mw_exit = np.full((H, len(C.MEASURES)), MEASURE_WEIGHT_AT_EXIT_OTHER)
    for m, wv in MEASURE_WEIGHT_AT_EXIT.items():
        mw_exit[:, MEASURE[m]] = wv
    meas_h, meas_y, meas_m = [], [], []
    for weights, nk_p, years, mask in (
        (mw_reg, list(MEASURES_AT_REGISTRATION), register.registered_year, np.ones(H, dtype=bool)),
        (mw_exit, list(MEASURES_AT_EXIT), incomes.first_exit + FIRST_YEAR, incomes.has_exit),
    ):
        keys = np.log(weights) + rng.gumbel(size=weights.shape)
        top = np.argsort(-keys, axis=1, kind="stable")[:, : len(nk_p)]
        nk = rng.choice(np.arange(1, len(nk_p) + 1), size=H, p=nk_p)
        take = (np.arange(len(nk_p))[None, :] < nk[:, None]) & mask[:, None]
        hh, col = np.nonzero(take)
        meas_h.append(hh)
        meas_y.append(years[hh])
        meas_m.append(top[hh, col])
    meas_h = np.concatenate(meas_h)
    meas_y = np.concatenate(meas_y)
    meas_m = np.concatenate(meas_m)
    o = np.lexsort((meas_m, meas_y, meas_h))
    meas_h, meas_y, meas_m = meas_h[o], meas_y[o], meas_m[o]
    lo = np.array([MEASURE_AMOUNT[m][0] for m in C.MEASURES], dtype=float)
    hi = np.array([MEASURE_AMOUNT[m][1] for m in C.MEASURES], dtype=float)
    amt = np.round(rng.uniform(lo[meas_m], hi[meas_m]), -1)
    amt[meas_m == MEASURE["小额信贷"]] = np.round(amt[meas_m == MEASURE["小额信贷"]], -4)
    amt[rng.random(len(amt)) < MEASURE_AMOUNT_NULL_P] = np.nan
    return HouseholdMeasures(household=meas_h, year=meas_y, measure=meas_m, amount=amt)
