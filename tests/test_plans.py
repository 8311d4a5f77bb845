"""Whose plan and whose targets (analytics/plans.py): the work plan in config is one
county's (``targets.plan_county``; the demo's replicas are that county again); a scope's
counts are the plan's once per county, only when every county of it has the plan; the
province is judged against its own targets."""

from __future__ import annotations

import pytest

from analytics import plans
from analytics.config import load_config

T = load_config().targets
PLAN = load_config().plan
FIRST = min(PLAN)


@pytest.mark.parametrize(("code", "has"), [
    (T["plan_county"], True),   # the county whose plan config holds
    ("900001", True),           # a demo replica is that county again (docs/demo-data.md)
    ("900250", True),
    ("620102", False),          # another county of the province: no plan in config
    ("900000", False),          # not a replica code
])
def test_which_counties_have_the_plan(code, has):
    assert plans.has_plan(code) is has


@pytest.mark.parametrize(("counties", "times"), [
    ([], 0),
    ([T["plan_county"]], 1),
    ([T["plan_county"], "900001", "900002"], 3),
    ([T["plan_county"], T["plan_county"]], 1),       # a county counts once
    ([T["plan_county"], "620102"], 0),               # one county without a plan: none for the scope
])
def test_a_scope_has_the_plan_once_per_county_or_not_at_all(counties, times):
    assert plans.plan_multiple(counties) == times
    expected = {y: {k: v * times for k, v in c.items()} for y, c in PLAN.items()} if times else {}
    assert plans.yearly_plan(counties) == expected
    if times:
        assert plans.yearly_plan(counties)[FIRST]["persons"] == times * PLAN[FIRST]["persons"]


@pytest.mark.parametrize(("province", "owner", "keys"), [
    (False, "县", {"incidence_pct": "incidence_pct", "rural_income_yuan": "rural_income_yuan",
                   "registered_income_yuan": "registered_income_yuan"}),
    (True, "省", {"incidence_pct": "province_incidence_pct",
                  "rural_income_yuan": "province_rural_income_yuan",
                  "registered_income_yuan": "province_registered_income_yuan"}),
])
def test_the_province_is_judged_against_its_own_targets(province, owner, keys):
    targets = plans.scope_targets(province)
    assert targets["owner"] == owner
    for key, source in keys.items():
        assert targets[key] == T[source]
    for key in ("target_year", "relapse_cap_pct", "exit_threshold_pct"):  # the same everywhere
        assert targets[key] == T[key]
