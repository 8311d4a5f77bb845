"""One county replica's numbers: ``replica_arrays`` calls the stages in the order they
draw from the replica's random stream (SeedSequence([seed, k])) — which is what keeps a
seed's demo the same byte for byte (tests/test_demo_pinned.py): a stage moved, or a draw
added inside one, changes every figure drawn after it. The strings are built once, for
all replicas, in analytics.demo.tables."""

from __future__ import annotations

from typing import Callable

import numpy as np

from analytics.demo.geography import Geography, village_positions
from analytics.demo.guarantees import guarantee_gaps
from analytics.demo.incomes import household_incomes
from analytics.demo.measures import household_measures
from analytics.demo.misses import measures_after_target_misses
from analytics.demo.panel import status_panel
from analytics.demo.people import household_heads
from analytics.demo.plan import poor_village_plan, township_plan
from analytics.demo.planted import contradicting_exit_claims, plant_relapses_without_cause, plant_size_jumps
from analytics.demo.register import household_register, village_population
from analytics.demo.scale import Replica
from analytics.demo.support import cadres, village_support
from analytics.demo.villages import village_ledger


def replica_arrays(k: int, f: float, seed: int, geo: Geography, cfg,
                   report: Callable[[float], None]) -> dict[str, np.ndarray]:
    """The numbers of county replica ``k`` with household fraction ``f`` (≤ 1): numpy
    arrays over its V villages, H households, NC cadres and the years 2014–2020 (NY), each
    under the name of what it holds (see the returned dict; indices index the pools of
    analytics.demo.pools and the categories of analytics.contract). ``report(share)``
    hears how far it is (0.25, 0.5, 0.75)."""
    county = Replica.of(k, f, seed, geo, cfg)
    rng = county.stream()                                       # SeedSequence([seed, k])
    townships = township_plan(county, cfg)                      # its own stream
    villages = poor_village_plan(rng, county, cfg, townships)
    population = village_population(rng, county, townships, villages)
    register = household_register(rng, county, townships, villages, population)
    carries_problem = np.zeros(register.count, dtype=bool)      # households with a planted problem
    plant_size_jumps(rng, f, register, carries_problem)
    claims = contradicting_exit_claims(rng, f, register, villages, population, carries_problem)
    report(0.25)
    panel = status_panel(rng, county, townships, villages, population, register, claims)
    plant_relapses_without_cause(rng, f, panel, carries_problem)
    report(0.5)
    incomes = household_incomes(rng, county, register, panel, carries_problem)
    gaps = guarantee_gaps(rng, panel, incomes)
    report(0.75)
    ledger = village_ledger(rng, villages, population, register, panel, claims.villages)
    measures = household_measures(rng, register, incomes)
    measures = measures_after_target_misses(county, register, panel, villages, ledger, incomes, gaps,
                                            measures)                                      # its own stream
    heads = household_heads(rng, county, register, carries_problem)
    pairing = cadres(rng, county, register)
    # villages placed at random inside their township's (schematic) map cell
    v_lat, v_lon = village_positions(rng, geo)
    support = village_support(county, villages)                 # its own stream

    vt = geo.v_town
    return dict(
        # villages (V,) and village-years (V, NY)
        planned_exit_year=villages.planned_exit_year, exit_year=villages.exit_year,
        is_poor_village=villages.is_poor, village_lat=v_lat,
        village_lon_offset=(v_lon - geo.t_lon[vt]) * np.cos(np.radians(geo.t_lat[vt])),
        registered_population=ledger.registered_population, village_households=ledger.households,
        rural_income=ledger.rural_income, rural_income_null=ledger.rural_income_null,
        infrastructure=ledger.infrastructure, online_shops=ledger.online_shops,
        mutual_fund=ledger.mutual_fund, collective_income=ledger.collective_income,
        # households (H,)
        household_village=register.village, household_sequence=register.sequence,
        registered_year=register.registered_year, poverty_cause=register.cause,
        household_cadre=pairing.of_household, dibao_class=register.dibao,
        head_surname=heads.surname, head_given1=heads.given1, head_given2=heads.given2,
        head_id_base=heads.id_base, head_id_check=heads.id_check,
        # household-years (H, NY)
        status=panel.status, members=register.members.astype(np.int8), net_income=incomes.net,
        wage_income=incomes.wage, relapse_cause=panel.relapse_cause, guarantee_gaps=gaps,
        # measures (one row each)
        measure_household=measures.household, measure_year=measures.year, measure=measures.measure,
        measure_amount=measures.amount,
        # cadres (NC,)
        cadre_rank=pairing.rank, cadre_unit=pairing.unit, cadre_surname=pairing.surname,
        cadre_given1=pairing.given1, cadre_given2=pairing.given2,
        # 驻村帮扶 (one row per poor village and year)
        support_village=support.village, support_year=support.year, support_unit=support.unit,
        support_has_team=support.has_team, leader_surname=support.leader_surname,
        leader_given1=support.leader_given1, leader_given2=support.leader_given2,
        support_days=support.days,
    )
