"""One county replica: every number of its tables (strings are built once, for all
replicas, in analytics.demo.tables)."""

from __future__ import annotations

import math

import numpy as np

from analytics import contract as C
from analytics.demo.arrays import pick_top, rank_in_group
from analytics.demo.geography import Geography, village_positions
from analytics.demo.plan import poor_village_plan, township_plan
from analytics.demo.people import BIRTH_SPAN, id_check_index, yyyymmdd
from analytics.demo.guarantees import guarantee_gaps
from analytics.demo.incomes import household_incomes
from analytics.demo.measures import household_measures
from analytics.demo.misses import measures_after_target_misses
from analytics.demo.panel import status_panel
from analytics.demo.planted import (contradicting_exit_claims, plant_relapses_without_cause, plant_size_jumps,
                                      planted_count)
from analytics.demo.register import household_register, village_population
from analytics.demo.pools import COUNTY_UNITS, draw_names
from analytics.demo.scale import Replica, county_code
from analytics.demo.support import village_support_arrays
from analytics.demo.villages import village_ledger


def replica_arrays(k: int, f: float, seed: int, geo: Geography, cfg, report) -> dict:
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(k)]))
    vt = geo.v_town

    county = Replica.of(k, f, seed, geo, cfg)
    townships = township_plan(county, cfg)
    villages = poor_village_plan(rng, county, cfg, townships)
    v_planned, is_poor_v, v_exit = villages.planned_exit_year, villages.is_poor, villages.exit_year

    population = village_population(rng, county, townships, villages)
    register = household_register(rng, county, townships, villages, population)
    used = np.zeros(register.count, dtype=bool)          # households carrying a planted problem
    plant_size_jumps(rng, f, register, used)
    claims = contradicting_exit_claims(rng, f, register, villages, population, used)
    hv, reg, H, seq, ht = (register.village, register.registered_year, register.count, register.sequence,
                           register.township)
    cause, dibao, M = register.cause, register.dibao, register.members

    report(0.25)
    panel = status_panel(rng, county, townships, villages, population, register, claims)
    plant_relapses_without_cause(rng, f, panel, used)
    S, RCAUSE = panel.status, panel.relapse_cause

    report(0.5)
    incomes = household_incomes(rng, county, register, panel, used)
    SEC_FALSE = guarantee_gaps(rng, panel, incomes)
    Y, WAGE = incomes.net, incomes.wage

    report(0.75)
    ledger = village_ledger(rng, villages, population, register, panel, claims.villages)
    reg_pop, vhh, rinc, rinc_null, infra, shops, fund, coll = (
        ledger.registered_population, ledger.households, ledger.rural_income, ledger.rural_income_null,
        ledger.infrastructure, ledger.online_shops, ledger.mutual_fund, ledger.collective_income)

    measures = household_measures(rng, register, incomes)
    measures = measures_after_target_misses(county, register, panel, villages, ledger, incomes, SEC_FALSE, measures)
    meas_h, meas_y, meas_m, amt = measures.household, measures.year, measures.measure, measures.amount

    # ---- heads: names, birth dates, ID numbers ----------------------------------
    female = rng.random(H) < 0.08
    s_i, g1_i, g2_i = draw_names(rng, H, female)
    by = np.floor(63.0 * rng.beta(2.2, 2.0, H)).astype(np.int64)     # years after 1935
    day = np.clip(np.floor((by + rng.random(H)) * 365.25), 0, BIRTH_SPAN - 1).astype(np.int64)
    name_code = female * 1_000_000 + s_i.astype(np.int64) * 10_000 + g1_i * 100 + g2_i
    for _ in range(50):   # make (township, name, birth date) unique before planting pairs
        key = (ht.astype(np.int64) * 10_000_000 + name_code) * 30_000 + day
        _, first = np.unique(key, return_index=True)
        dup = np.ones(H, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        day[dup] = (day[dup] + 1) % BIRTH_SPAN
    n4 = planted_count("duplicate_person_pairs", f)
    pair_a = pick_top(rng, ~used, n4)
    used[pair_a] = True
    for a in pair_a:   # a handful of pairs
        bidx = pick_top(rng, (ht == ht[a]) & ~used, 1)
        if len(bidx) == 0:
            continue
        bb = int(bidx[0])
        used[bb] = True
        female[bb], s_i[bb], g1_i[bb], g2_i[bb], day[bb] = (
            female[a], s_i[a], g1_i[a], g2_i[a], day[a])
    # injective ID: region + birth date + sequence unique within (birth date, sex)
    sexbit = np.where(female, 0, 1)
    grp = day * 2 + sexbit
    rank = rank_in_group(grp, rng.random(H))
    if H and rank.max() >= 500:
        raise ValueError("too many heads share a birth date")
    offset = ((day * 7919 + k * 13) % 500) * 2 + sexbit
    idseq = (offset + 2 * rank) % 1000
    base17 = county_code(k) * 10**11 + yyyymmdd(day) * 1000 + idseq
    check = id_check_index(base17)

    # ---- cadres -------------------------------------------------------------------
    cover = rng.random(H) < rng.uniform(0.90, 0.96)
    n_cov = int(cover.sum())
    quota = np.array([C.RANK_QUOTA[r] for r in C.CADRE_RANKS])
    n_rank = [max(1, int(math.floor(b_ * f + 0.5))) for b_ in (30, 90, 4950)]
    c_rank = np.concatenate([np.full(n, i) for i, n in enumerate(n_rank)])
    load = np.where(rng.random(len(c_rank)) < 0.7, quota[c_rank],
                    rng.integers(1, quota[c_rank] + 1))
    n8 = planted_count("cadres_over_quota", f)
    over = pick_top(rng, c_rank <= 2, n8)
    load[over] = quota[c_rank[over]] + rng.integers(1, 4, len(over))
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
    town_gov = (c_rank == 3) & (rng.random(NC) < 0.5)
    c_unit = np.where(town_gov, len(COUNTY_UNITS) + c_town,
                      rng.integers(0, len(COUNTY_UNITS), NC))
    c_female = rng.random(NC) < 0.25
    cs_i, cg1, cg2 = draw_names(rng, NC, c_female)

    # villages placed at random inside their township's (schematic) map cell
    v_lat, v_lon = village_positions(rng, geo)

    support = village_support_arrays(seed, k, geo, is_poor_v)

    return dict(
        # geography (per village / township)
        v_planned=v_planned, v_exit=v_exit, is_poor_v=is_poor_v,
        v_lat=v_lat,
        v_lon_off=(v_lon - geo.t_lon[vt]) * np.cos(np.radians(geo.t_lat[vt])),
        reg_pop=reg_pop, vhh=vhh, rinc=rinc, rinc_null=rinc_null, infra=infra,
        shops=shops, fund=fund, coll=coll,
        # households
        hv=hv, seq=seq, reg=reg, cause=cause, cadre_of=cadre_of,
        s_i=s_i, g1_i=g1_i, g2_i=g2_i, base17=base17, check=check,
        # panel
        S=S, M=M.astype(np.int8), Y=Y, WAGE=WAGE, RCAUSE=RCAUSE, SEC_FALSE=SEC_FALSE, dibao=dibao,
        # measures
        meas_h=meas_h, meas_y=meas_y, meas_m=meas_m, amt=amt,
        # cadres
        c_rank=c_rank, c_unit=c_unit, cs_i=cs_i, cg1=cg1, cg2=cg2, c_town=c_town,
        # 驻村帮扶
        **support,
    )
