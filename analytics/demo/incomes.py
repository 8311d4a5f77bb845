"""Household incomes of one replica (docs/demo-data.md, "How it is built", step 6, and
"Deliberate edge cases"): net income per person of every household-year — poor rows
below the line, exited rows above it and growing — with the planted income problems
(1, 2, 3) and edge cases, and the wage income within it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analytics.demo.arrays import pick_top
from analytics.demo.calibration import (BUNCHING_TOWNSHIP_SUFFIX, EDGE_NEGATIVE_INCOME, EDGE_NEGATIVE_INCOME_ROWS,
                                          EDGE_ON_LINE_ROWS, EXIT_INCOME_EXCESS, EXIT_INCOME_FLOOR,
                                          EXIT_INCOME_GROWTH, EXIT_INCOME_NOISE, INCOME_YEAR_ON_YEAR_CAP, NY,
                                          POOR_INCOME_BETA, POOR_INCOME_NOISE, POOR_INCOME_RATIO, POOR_INCOME_SPAN,
                                          RELAPSE_INCOME_FACTOR, WAGE_NULL_P, WAGE_SHARE_HOUSEHOLD_SIGMA,
                                          WAGE_SHARE_MEAN, WAGE_SHARE_RANGE, WAGE_SHARE_WEAK_LABOUR,
                                          WAGE_SHARE_YEAR_SIGMA)
from analytics.demo.panel import StatusPanel
from analytics.demo.planted import (plant_income_bunching, plant_income_jumps, plant_wrong_exit_incomes,
                                      wrong_exit_security)
from analytics.demo.register import HouseholdRegister
from analytics.demo.scale import Replica


@dataclass(frozen=True)
class HouseholdIncomes:
    """Incomes of the H households by year, and the exits they were planted around."""
    net: np.ndarray                  # (H, NY) float, net income per person, yuan (2 decimals; a value
                                     #   even where the household has no row, never read)
    wage: np.ndarray                 # (H, NY) float, wage income per person, yuan; NaN = not recorded
    first_exit: np.ndarray           # (H,) int, year index of the household's first exit; -1 = none
    wrong_exit_security: np.ndarray  # (n,) int, planted problem 1b: households whose first exit year
                                     #   has a *_secure flag false …
    wrong_exit_flags: np.ndarray     # (n,) uint8, … this bit mask of contract.SECURITY_COLUMNS

    @property
    def has_exit(self) -> np.ndarray:
        """(H,) bool: the household exits at least once."""
        return self.first_exit > 0


def household_incomes(rng, county: Replica, register: HouseholdRegister, panel: StatusPanel,
                      carries_problem: np.ndarray) -> HouseholdIncomes:
    """Net and wage income per person of every household-year (poverty line ``z`` of the
    year: poor rows z × b, exited rows z × (1.06 + e × 1.15^years since exit)), with the
    planted income problems (2: bunching, 1a / 1b: 错退, 3: jumps), the edge cases and
    a natural year-on-year cap of INCOME_YEAR_ON_YEAR_CAP."""
    f = county.fraction
    line = county.poverty_line
    S = panel.status
    present = S >= 0
    exit_ev = panel.exit_events
    Y = _natural_incomes(rng, panel, exit_ev, line)
    exempt = np.zeros(Y.shape, dtype=bool)   # rows the cap leaves alone
    in_bunch = register.township == county.township_index.get(BUNCHING_TOWNSHIP_SUFFIX, -1)
    plant_income_bunching(rng, Y, exempt, exit_ev & in_bunch[:, None], line)
    first_exit_j = np.where(exit_ev.any(axis=1), np.argmax(exit_ev, axis=1), -1)
    has_exit = first_exit_j > 0
    plant_wrong_exit_incomes(rng, f, Y, exempt, first_exit_j, has_exit & ~in_bunch, carries_problem, line)
    c1b, flags1b = wrong_exit_security(rng, f, has_exit & ~in_bunch, carries_problem)
    _edge_case_incomes(rng, f, Y, exempt, S, carries_problem, line)
    # natural year-on-year cap: never ×2.9 or more (only planted 3 exceeds ×3)
    for j in range(1, NY):
        prev = Y[:, j - 1]
        ok = present[:, j] & present[:, j - 1] & (prev > 0) & ~exempt[:, j]
        Y[ok, j] = np.minimum(Y[ok, j], INCOME_YEAR_ON_YEAR_CAP * prev[ok])
    plant_income_jumps(rng, f, Y, first_exit_j, has_exit & ~in_bunch, carries_problem)
    # rounding keeps poor rows strictly below the line (b ≤ 0.985) and exits ≥ 1.06 × line
    Y = np.round(Y, 2)
    return HouseholdIncomes(net=Y, wage=_wage_incomes(rng, Y, register.weak_labour), first_exit=first_exit_j,
                            wrong_exit_security=c1b, wrong_exit_flags=flags1b)


def _natural_incomes(rng, panel: StatusPanel, exit_ev: np.ndarray, line: np.ndarray) -> np.ndarray:
    """(H, NY) float: a poor row's income is z × b (b a household's persistent ratio with
    yearly noise, lower in a relapse year), an exited row's z × (1.06 + e × 1.15^years
    since exit)."""
    S, REL = panel.status, panel.relapsed
    H = len(S)
    b = POOR_INCOME_RATIO[0] + POOR_INCOME_SPAN * rng.beta(*POOR_INCOME_BETA, H)
    median, sigma, lo, hi = EXIT_INCOME_EXCESS
    e = np.clip(np.exp(rng.normal(np.log(median), sigma, H)), lo, hi)
    Y = np.zeros((H, NY))
    since = np.zeros(H)
    for j in range(NY):
        since = np.where(exit_ev[:, j], 0.0, since + 1.0)
        bt = np.clip(b * np.exp(rng.normal(0.0, POOR_INCOME_NOISE, H)), *POOR_INCOME_RATIO)
        bt = np.where(REL[:, j], np.clip(bt * rng.uniform(*RELAPSE_INCOME_FACTOR, H), *POOR_INCOME_RATIO), bt)
        rt = EXIT_INCOME_FLOOR + e * EXIT_INCOME_GROWTH ** since * np.exp(rng.normal(0.0, EXIT_INCOME_NOISE, H))
        Y[:, j] = np.where(S[:, j] == 1, rt, bt) * line[j]
    return Y


def _edge_case_incomes(rng, f: float, Y: np.ndarray, exempt: np.ndarray, S: np.ndarray,
                       carries_problem: np.ndarray, line: np.ndarray) -> None:
    """The contract's edge cases, in place: negative incomes (a poor row whose next row is
    poor or none) and incomes exactly on the line."""
    nxt_poor = np.zeros(S.shape, dtype=bool)
    nxt_poor[:, :-1] = S[:, 1:] == 0
    nxt_poor[:, -1] = True
    poor_cells = (S == 0) & ~exempt & ~carries_problem[:, None]
    nh, nj = np.nonzero(poor_cells & nxt_poor)
    pick = pick_top(rng, np.ones(len(nh), dtype=bool),
                    max(1, int(math.floor(EDGE_NEGATIVE_INCOME_ROWS * f + 0.5))))
    Y[nh[pick], nj[pick]] = -rng.uniform(*EDGE_NEGATIVE_INCOME, len(pick))
    exempt[nh[pick], nj[pick]] = True
    poor_cells &= ~exempt
    oh, oj = np.nonzero(poor_cells)
    pick = pick_top(rng, np.ones(len(oh), dtype=bool),
                    max(1, int(math.floor(EDGE_ON_LINE_ROWS * f + 0.5))))
    Y[oh[pick], oj[pick]] = line[oj[pick]]
    exempt[oh[pick], oj[pick]] = True


def _wage_incomes(rng, Y: np.ndarray, weak_labour: np.ndarray) -> np.ndarray:
    """(H, NY) float: a share of the net income rising ≈30 % (2014) → ≈50 % (2020), lower
    for 缺劳力 / 因残 households; WAGE_NULL_P of the rows null (NaN)."""
    H = len(Y)
    hoff = rng.normal(0.0, WAGE_SHARE_HOUSEHOLD_SIGMA, H) - WAGE_SHARE_WEAK_LABOUR * weak_labour
    W_share = np.clip(WAGE_SHARE_MEAN[None, :] + hoff[:, None] + rng.normal(0.0, WAGE_SHARE_YEAR_SIGMA, (H, NY)),
                      *WAGE_SHARE_RANGE)
    WAGE = np.round(W_share * np.maximum(Y, 0.0), 2)
    WAGE[rng.random((H, NY)) < WAGE_NULL_P] = np.nan
    return WAGE
