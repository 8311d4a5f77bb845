"""The planted data-quality problems: how many of each a replica carries
(docs/demo-data.md, "Planted data-quality problems")."""

from __future__ import annotations

import math

from analytics.demo.calibration import BUNCHING_SHARE, BUNCHING_TOWNSHIP_SUFFIX, PLANTED_PER_COUNTY
from analytics.demo.scale import county_code, replica_list


def planted_count(name: str, f: float) -> int:
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

