"""One county replica: every number of its tables (strings are built once, for all
replicas, in analytics.demo.tables)."""

from __future__ import annotations

import math

import numpy as np

from analytics import contract as C
from analytics.demo.arrays import pick_top, rank_in_group
from analytics.demo.calibration import (FIRST_YEAR, GAP_IN_VILLAGE, GAP_SHARE, GAP_TOWNSHIPS,
                                          HOUSING_2015, MEASURE_AMOUNT, POWER_MISSES,
                                          SHOP_MISSES, WATER_UNKNOWN_BIT,
                                          WATER_UNRECORDED)
from analytics.demo.geography import Geography, village_positions
from analytics.demo.plan import poor_village_plan, township_plan
from analytics.demo.people import BIRTH_SPAN, id_check_index, yyyymmdd
from analytics.demo.guarantees import guarantee_gaps
from analytics.demo.incomes import household_incomes
from analytics.demo.panel import status_panel
from analytics.demo.planted import (contradicting_exit_claims, plant_relapses_without_cause, plant_size_jumps,
                                      planted_count)
from analytics.demo.register import household_register, village_population
from analytics.demo.pools import CAUSE, COUNTY_UNITS, MEASURE, draw_names
from analytics.demo.scale import Replica, county_code
from analytics.demo.support import village_support_arrays
from analytics.demo.villages import village_ledger


def replica_arrays(k: int, f: float, seed: int, geo: Geography, cfg, report) -> dict:
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(k)]))
    V = len(geo.v_code)
    vt = geo.v_town
    suffix_idx = {s: i for i, s in enumerate(geo.t_suffix)}

    county = Replica.of(k, f, seed, geo, cfg)
    townships = township_plan(county, cfg)
    villages = poor_village_plan(rng, county, cfg, townships)
    v_planned, is_poor_v, v_exit = villages.planned_exit_year, villages.is_poor, villages.exit_year

    population = village_population(rng, county, townships, villages)
    register = household_register(rng, county, townships, villages, population)
    used = np.zeros(register.count, dtype=bool)          # households carrying a planted problem
    plant_size_jumps(rng, f, register, used)
    claims = contradicting_exit_claims(rng, f, register, villages, population, used)
    hv, reg, H, seq, ht, reg_j = (register.village, register.registered_year, register.count, register.sequence,
                                  register.township, register.first_year)
    cause, dibao, M = register.cause, register.dibao, register.members

    report(0.25)
    panel = status_panel(rng, county, townships, villages, population, register, claims)
    plant_relapses_without_cause(rng, f, panel, used)
    S, RCAUSE = panel.status, panel.relapse_cause

    report(0.5)
    incomes = household_incomes(rng, county, register, panel, used)
    SEC_FALSE = guarantee_gaps(rng, panel, incomes)
    Y, WAGE, first_exit_j, c1b = incomes.net, incomes.wage, incomes.first_exit, incomes.wrong_exit_security
    has_exit = incomes.has_exit

    report(0.75)
    ledger = village_ledger(rng, villages, population, register, panel, claims.villages)
    reg_pop, vhh, rinc, rinc_null, infra, shops, fund, coll = (
        ledger.registered_population, ledger.households, ledger.rural_income, ledger.rural_income_null,
        ledger.infrastructure, ledger.online_shops, ledger.mutual_fund, ledger.collective_income)

    # ---- measures ---------------------------------------------------------------
    mw_reg = np.ones((H, len(C.MEASURES)))
    base_w = {"产业扶持": 5, "转移就业": 2, "易地搬迁": 0.4, "教育资助": 1, "健康扶贫": 1,
              "危房改造": 1.5, "低保兜底": 0.2, "小额信贷": 2.5, "光伏扶贫": 0.5,
              "电商扶贫": 0.3, "其他": 0.3}
    for m, wv in base_w.items():
        mw_reg[:, MEASURE[m]] = wv
    mw_reg[cause == CAUSE["因学"], MEASURE["教育资助"]] = 6
    mw_reg[cause == CAUSE["因病"], MEASURE["健康扶贫"]] = 6
    mw_reg[dibao >= 0, MEASURE["低保兜底"]] = 5
    exit_w = {"产业扶持": 4, "转移就业": 4, "光伏扶贫": 1.5, "电商扶贫": 1.2, "小额信贷": 1,
              "其他": 0.5}
    mw_exit = np.full((H, len(C.MEASURES)), 0.2)
    for m, wv in exit_w.items():
        mw_exit[:, MEASURE[m]] = wv
    meas_h, meas_y, meas_m = [], [], []
    for weights, nk_p, years, mask in (
        (mw_reg, [0.35, 0.45, 0.20], reg, np.ones(H, dtype=bool)),
        (mw_exit, [0.6, 0.4], first_exit_j + FIRST_YEAR, has_exit),
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
    amt[rng.random(len(amt)) < 0.02] = np.nan

    # ---- misses against the plan's targets (their own stream) ------------------
    miss_rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(k), 3]))
    w_id = MEASURE["危房改造"]
    # 精准 gap: the households of a few villages of GAP_TOWNSHIPS lose every measure
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
    # 危房改造 in 2015: households poor at the start of 2015 (or registered in it), most
    # with an unsafe house, up to HOUSING_2015 × f in all
    j15 = 2015 - FIRST_YEAR
    has15 = np.zeros(H, dtype=bool)
    has15[meas_h[(meas_y == 2015) & (meas_m == w_id)]] = True
    has15 &= ~gap
    n_add = max(int(math.floor(HOUSING_2015 * f + 0.5)) - int(has15.sum()), 0)
    poor15 = (S[:, j15] >= 0) & ((S[:, j15 - 1] == 0) | (reg_j == j15))
    housing_bit = np.uint8(1 << C.SECURITY_COLUMNS.index("housing_secure"))
    unsafe = ((SEC_FALSE[:, j15 - 1] | SEC_FALSE[:, j15]) & housing_bit) != 0
    add = np.sort(pick_top(miss_rng, poor15 & ~has15 & ~gap, n_add,
                            np.where(unsafe, 20.0, 1.0)))
    add_amt = np.round(miss_rng.uniform(*MEASURE_AMOUNT["危房改造"], len(add)), -1)
    add_amt[miss_rng.random(len(add)) < 0.02] = np.nan
    meas_h = np.concatenate([meas_h, add])
    meas_y = np.concatenate([meas_y, np.full(len(add), 2015, dtype=meas_y.dtype)])
    meas_m = np.concatenate([meas_m, np.full(len(add), w_id, dtype=meas_m.dtype)])
    amt = np.concatenate([amt, add_amt])
    keep = ~gap[meas_h]
    o = np.lexsort((meas_m[keep], meas_y[keep], meas_h[keep]))
    meas_h, meas_y, meas_m, amt = (a[keep][o] for a in (meas_h, meas_y, meas_m, amt))
    # 网店: every village planned to exit in 2015 has one from 2015 on, but SHOP_MISSES
    # (their first shop opens in 2016)
    v15 = v_planned == 2015
    shops[v15, j15:] = np.maximum(shops[v15, j15:], 1 + miss_rng.poisson(0.5, (V, 1))[v15])
    shops[pick_top(miss_rng, v15, SHOP_MISSES), j15] = 0
    # 动力电: POWER_MISSES poor villages planned for 2017 connected only in 2018
    j17 = 2017 - FIRST_YEAR
    late_power = pick_top(miss_rng, is_poor_v & (v_planned == 2017), POWER_MISSES)
    infra[C.INFRASTRUCTURE_COLUMNS.index("power_grid")][late_power, : j17 + 1] = False
    # 饮水安全 not recorded in one township-year (bit 5: unknown); a planted 错退 row
    # there keeps the flags it was planted with
    water = C.SECURITY_COLUMNS.index("water_secure")
    if WATER_UNRECORDED[0] in suffix_idx:
        jw = WATER_UNRECORDED[1] - FIRST_YEAR
        rows = (ht == suffix_idx[WATER_UNRECORDED[0]]) & (S[:, jw] >= 0)
        rows[c1b[first_exit_j[c1b] == jw]] = False
        SEC_FALSE[rows, jw] = (SEC_FALSE[rows, jw] & np.uint8(~(1 << water) & 0xFF)) \
            | np.uint8(1 << WATER_UNKNOWN_BIT)

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
