"""The status panel of one replica (docs/demo-data.md, "How it is built", steps 4 and 5):
every household's status by year — poor (未脱贫), exited (已脱贫) or no row — with its
relapses (返贫) and their causes.

Each year, relapses are drawn first (a township's path counts the relapsed among its
poor), then the villages announced that year exit their households (keeping up to
ANNOUNCED_VILLAGE_RETAINED of their population poor), then each township exits more
households until its incidence at year end is at its path."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.demo.arrays import cumsum_in_group
from analytics.demo.calibration import (ANNOUNCED_VILLAGE_RETAINED, EXIT_SCORE_CLAIM_PAST, EXIT_SCORE_EXITED_BEFORE,
                                          EXIT_SCORE_HARD, EXIT_SCORE_LAZY_OR_DRY, EXIT_SCORE_VILLAGE_LATER, NY,
                                          RELAPSE_BASE_RATE, RELAPSE_CAP, RELAPSE_CAUSE_P, RELAPSE_HARD_WEIGHT,
                                          RELAPSE_TOWNSHIP_SIGMA, SHOCK_MAIN_CAUSE_SHARE, SHOCK_TOWNSHIPS, YEARS)
from analytics.demo.plan import PoorVillagePlan, TownshipPlan
from analytics.demo.planted import LockedHouseholds
from analytics.demo.pools import CAUSE, RELAPSE
from analytics.demo.register import HouseholdRegister, VillagePopulation
from analytics.demo.scale import Replica

NO_ROW, POOR, EXITED = -1, 0, 1   # the values of StatusPanel.status


@dataclass(frozen=True)
class StatusPanel:
    """Every household's status by year: arrays of shape (H, NY)."""
    status: np.ndarray         # int8: NO_ROW (-1), POOR (0, 未脱贫) or EXITED (1, 已脱贫)
    relapsed: np.ndarray       # bool: 返贫 that year (exited the year before, poor again)
    relapse_cause: np.ndarray  # int8: index into contract.RELAPSE_CAUSES; -1 = none (planted problem 7 edits it)

    @property
    def exit_events(self) -> np.ndarray:
        """(H, NY) bool: exited that year (poor the year before)."""
        S = self.status
        exit_ev = np.zeros(S.shape, dtype=bool)
        exit_ev[:, 1:] = (S[:, 1:] == 1) & (S[:, :-1] == 0)
        return exit_ev


def status_panel(rng, county: Replica, townships: TownshipPlan, villages: PoorVillagePlan,
                 population: VillagePopulation, register: HouseholdRegister,
                 claims: LockedHouseholds) -> StatusPanel:
    """Simulate the years 2015–2020: relapses (RELAPSE_BASE_RATE, SHOCK_TOWNSHIPS), the
    exits of the announced villages, then each township's exits down to its path."""
    T = county.townships
    vt = county.township_of_village
    hv, ht, M = register.village, register.township, register.members
    H = register.count
    pop_vt = population.by_year
    S = np.full((H, NY), -1, dtype=np.int8)     # -1 absent, 0 未脱贫, 1 已脱贫
    REL = np.zeros((H, NY), dtype=bool)
    RCAUSE = np.full((H, NY), -1, dtype=np.int8)
    S[register.on_register[:, 0], 0] = 0
    ever_exited = np.zeros(H, dtype=bool)
    cause = register.cause
    hard = np.isin(cause, [CAUSE["因病"], CAUSE["因残"], CAUSE["缺劳力"]])
    lazy_or_dry = (cause == CAUSE["自身发展动力不足"]) | (cause == CAUSE["缺水"])
    v_exit_h = villages.exit_year[hv]
    # households of a poor village (before its announced exit year, they wait for it)
    in_poor_village = villages.planned_exit_year[hv] > 0
    # each township's path in persons: its population × the path's incidence
    pop_t = np.stack([np.bincount(vt, weights=pop_vt[:, j], minlength=T) for j in range(NY)], 1)
    poor0 = S[:, 0] == 0
    inc14_t = 100.0 * np.bincount(ht[poor0], weights=M[poor0, 0], minlength=T) / np.maximum(
        pop_t[:, 0], 1.0)
    shock = {county.township_index[s]: v for s, v in SHOCK_TOWNSHIPS.items() if s in county.township_index}
    rel_w = np.where(hard, RELAPSE_HARD_WEIGHT, 1.0)
    locked, lock_until = claims.locked, claims.locked_until
    for j in range(1, NY):
        t = YEARS[j]
        prev = S[:, j - 1]
        al = register.on_register[:, j]
        new_reg = al & (register.first_year == j)
        S[new_reg, j] = 0
        pool = al & (prev == 0)
        elig = pool & ~(locked & (lock_until >= t))
        rel = _relapses(rng, j, al & (prev == 1) & (v_exit_h != t), ht, M, rel_w, shock, T)
        forced = elig & (v_exit_h == t)
        exit_forced = forced & ~_retained_in_announced_villages(rng, j, forced, hv, M, pop_vt)
        # the rest of each township's exits: down to its path at year end
        path = np.where(t < townships.due_year, townships.path_share[:, j] * inc14_t, townships.path_pct[:, j])
        poor_end = pool | new_reg | rel
        need = (np.bincount(ht[poor_end], weights=M[poor_end, j], minlength=T)
                - path / 100.0 * pop_t[:, j]
                - np.bincount(ht[exit_forced], weights=M[exit_forced, j], minlength=T))
        cand = np.flatnonzero(elig & ~forced & (need[ht] > 0))
        chosen = np.zeros(H, dtype=bool)
        if len(cand):
            sc = rng.gumbel(size=len(cand))
            # a poor village's households mostly leave with their village (its exit year)
            sc -= EXIT_SCORE_VILLAGE_LATER * (in_poor_village[cand] & (v_exit_h[cand] > t))
            sc += (EXIT_SCORE_EXITED_BEFORE * ever_exited[cand] - EXIT_SCORE_HARD * hard[cand]
                   - EXIT_SCORE_LAZY_OR_DRY * lazy_or_dry[cand])
            sc += EXIT_SCORE_CLAIM_PAST * (locked[cand] & (lock_until[cand] < t))
            m = M[cand, j].astype(np.float64)
            cs = cumsum_in_group(ht[cand], -sc, m)
            chosen[cand[(cs - m) < need[ht[cand]]]] = True   # the crossing one included
        exits = exit_forced | chosen
        S[pool, j] = 0
        S[exits, j] = 1
        ever_exited |= exits
        S[al & (prev == 1), j] = 1
        S[rel, j] = 0
        REL[:, j] = rel
        if rel.any():
            ridx = np.flatnonzero(rel)
            RCAUSE[ridx, j] = _relapse_causes(rng, t, ht[ridx], shock)
    return StatusPanel(status=S, relapsed=REL, relapse_cause=RCAUSE)


def _relapses(rng, j: int, at_risk: np.ndarray, ht: np.ndarray, M: np.ndarray, weight: np.ndarray,
              shock: dict, T: int) -> np.ndarray:
    """(H,) bool: the households of ``at_risk`` (exited last year, not in their village's
    exit year) that relapse in year index ``j``: per township a persons budget of its
    exited persons at risk × a rate (the county's × a log-normal factor, capped; a shocked
    township-year its shock rate), households drawn by ``weight``."""
    t = YEARS[j]
    H = len(at_risk)
    rel = np.zeros(H, dtype=bool)
    ridx = np.flatnonzero(at_risk)
    if len(ridx) and t in RELAPSE_BASE_RATE:
        rate = RELAPSE_BASE_RATE[t] * np.exp(rng.normal(0.0, RELAPSE_TOWNSHIP_SIGMA, T))
        rate = np.minimum(rate, RELAPSE_CAP)
        for ti, (sy, sr, _) in shock.items():
            if sy == t:
                rate[ti] = sr
        # persons budget per township: rate × exited persons at risk
        m_r = M[ridx, j].astype(np.float64)
        budget_t = rate * np.bincount(ht[ridx], weights=M[ridx, j - 1], minlength=T)
        key = -(rng.gumbel(size=len(ridx)) + np.log(weight[ridx]))
        cs = cumsum_in_group(ht[ridx], key, m_r)
        shocked = np.zeros(T, dtype=bool)
        for ti, (sy, _, _) in shock.items():
            shocked[ti] = sy == t
        # shocked township-years reach their rate (the crossing household included)
        take = np.where(shocked[ht[ridx]], cs - m_r < budget_t[ht[ridx]],
                        cs - m_r * rng.random(len(ridx)) <= budget_t[ht[ridx]])
        rel[ridx[take]] = True
    return rel


def _retained_in_announced_villages(rng, j: int, forced: np.ndarray, hv: np.ndarray, M: np.ndarray,
                                    pop_vt: np.ndarray) -> np.ndarray:
    """(H,) bool: the households of the villages announced as exited in year index ``j``
    (``forced``) that stay poor, drawn at random up to ANNOUNCED_VILLAGE_RETAINED of the
    village's population, so that an honest claim meets the 3 % rule."""
    allowance = np.floor(ANNOUNCED_VILLAGE_RETAINED * pop_vt[:, j])
    fidx = np.flatnonzero(forced)
    retained = np.zeros(len(forced), dtype=bool)
    if len(fidx):
        cs = cumsum_in_group(hv[fidx], rng.random(len(fidx)), M[fidx, j])
        retained[fidx[cs <= allowance[hv[fidx]]]] = True
    return retained


def _relapse_causes(rng, year: int, ht_relapsed: np.ndarray, shock: dict) -> np.ndarray:
    """The relapse cause (index into contract.RELAPSE_CAUSES) of each household relapsing
    in ``year`` (their townships ``ht_relapsed``): RELAPSE_CAUSE_P, but a shocked
    township-year's mostly (SHOCK_MAIN_CAUSE_SHARE) its shock's cause."""
    rc = rng.choice(len(RELAPSE_CAUSE_P), size=len(ht_relapsed), p=RELAPSE_CAUSE_P)
    for ti, (sy, _, main) in shock.items():
        if sy == year:
            sel = ht_relapsed == ti
            other = rng.choice(len(RELAPSE_CAUSE_P), size=int(sel.sum()), p=RELAPSE_CAUSE_P)
            rc[sel] = np.where(rng.random(int(sel.sum())) < SHOCK_MAIN_CAUSE_SHARE, RELAPSE[main], other)
    return rc
