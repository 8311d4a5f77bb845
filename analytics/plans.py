"""Whose plan and whose targets: a county's from the work plan, a province's from config.

The work plan (data/config.toml: ``[plan.*]`` exits by year, ``[measure_plan]``, and the
county targets of ``[targets]``) is one county's: ``targets.plan_county`` (Tongwei,
621121; the demo's replica counties are Tongwei again, ``counties.replica_of``). When a
dataset holds several counties (a province's data, docs/contract-extensions.md
"Counties"):

- **counts** a plan gives (persons, villages, townships, measure households) belong to
  a county: a scope's count is the sum over its counties, and exists only when every
  one of them has the plan — a province is never compared with one county's plan;
- **targets** (incidence, incomes) of a county are its plan's (县目标); the province
  (several counties, none chosen) is judged against the province's own targets
  (``targets.province_*``, 省目标), the same for every county of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from analytics.config import load_config
from analytics.counties import replica_of

#: The targets the province has its own value for: target key → the province's key.
PROVINCE_KEYS = {"incidence_pct": "province_incidence_pct",
                 "rural_income_yuan": "province_rural_income_yuan",
                 "registered_income_yuan": "province_registered_income_yuan"}


def has_plan(county_code: str) -> bool:
    """True when the work plan in config is this county's (or the demo replica's original's)."""
    return replica_of(str(county_code)) == str(load_config().targets.get("plan_county", ""))


def plan_multiple(county_codes: Iterable[str]) -> int:
    """How many times the plan's counts apply to a scope of ``county_codes``: the number of
    counties when every one has the plan, else 0 (no plan for that scope)."""
    codes = list(dict.fromkeys(county_codes))
    return len(codes) if codes and all(has_plan(c) for c in codes) else 0


def yearly_plan(county_codes: Iterable[str]) -> dict[int, dict[str, int]]:
    """The plan's exits by year (persons, villages, townships) for a scope of
    ``county_codes``: config ``[plan.*]`` times ``plan_multiple``; {} without a plan."""
    times = plan_multiple(county_codes)
    return {year: {key: int(value) * times for key, value in counts.items()}
            for year, counts in load_config().plan.items()} if times else {}


def measure_plan(county_codes: Iterable[str]) -> dict[int, dict[str, int]]:
    """The plan's households per measure and year (``[measure_plan]``) for a scope of
    ``county_codes``, as ``yearly_plan``."""
    times = plan_multiple(county_codes)
    return {year: {measure: int(count) * times for measure, count in counts.items()}
            for year, counts in load_config().measure_plan.items()} if times else {}


def scope_targets(province: bool) -> dict:
    """``targets`` of config as a scope is judged: a county's (and its townships' and
    villages') as written, ``owner`` 县; the province's (``province``: several counties,
    none chosen) with incidence and incomes replaced by ``province_*``, ``owner`` 省."""
    targets = dict(load_config().targets)
    if province:
        targets.update({key: targets[other] for key, other in PROVINCE_KEYS.items()})
    targets["owner"] = "省" if province else "县"
    return targets
