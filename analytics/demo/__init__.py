"""The Tongwei demo dataset: a synthetic but calibrated 建档立卡 panel, 2014–2020.

``demo_tables(scale, seed)`` returns one DataFrame per contract table (see
``analytics.contract.TABLES``), columns in contract order.  The geography is real
(the county's 18 townships and 332 administrative villages, official codes); every
household, person, income and measure is invented.  ``docs/demo-data.md`` describes
the model, what it is calibrated to and the planted data-quality problems, whose
exact counts ``planted_problems(scale, seed)`` returns.

Scale: 1 = the county.  Below 1 the households of every village are thinned (all
townships and villages kept, at least one household in every poor village).  Above 1
the county is replicated ``ceil(scale)`` times (a "province"): replica 0 is Tongwei,
replica k ≥ 1 gets the county code ``900000 + k`` and its own random stream; a
fractional part thins the last replica.

Each township follows a path that fits its place in the county plan: the plan's groups
(due 2016, due 2017, and the townships it does not name, due with the county in 2017) and
a few departures, each with its reason (``GROUP_PATHS``, ``TOWNSHIP_STORY``;
docs/demo-data.md, "The township story").

Everything is vectorised numpy/pyarrow: the only Python loops run over replicas,
years, townships of the plan or the handful of planted problems — never over
households — so ``scale=100`` (≈2.7 million households, ≈19 million household-years)
fits in a few minutes and a few GB.

Modules, in the order a replica is built (``replica.replica_arrays`` calls the stages in
the order they draw from the replica's random stream, and passes their dataclasses on):

- ``calibration``: every calibration constant, grouped by the docs/demo-data.md section
  it comes from;
- ``scale``: the county replicas of a scale and ``Replica``, one replica's setting;
- ``geography``: the reference townships and villages, village positions on the map;
- ``plan``: ``township_plan`` (due years, paths) and ``poor_village_plan`` (贫困村);
- ``register``: ``village_population`` and ``household_register`` (建档立卡户);
- ``panel``: ``status_panel``, poor / exited / relapsed by year;
- ``incomes``: ``household_incomes``, net and wage income by year;
- ``guarantees``: ``guarantee_gaps``, the false 两不愁三保障 flags by year;
- ``villages``: ``village_ledger``, the village-years' figures;
- ``measures``: ``household_measures`` (一户一策);
- ``misses``: ``measures_after_target_misses``, the plan's targets missed a little;
- ``people``: ``household_heads``, names, birth dates and ID numbers;
- ``support``: ``cadres`` ("8741") and ``village_support`` (驻村帮扶);
- ``planted``: the planted data-quality problems, their counts and planting;
- ``pools`` (names, units, category indices) and ``arrays`` (vectorised helpers);
- ``replica``: one replica's numbers; ``tables``: ``demo_tables``, the contract's tables
  for all replicas.
"""

from analytics.demo.calibration import (
    BUNCHING_SHARE,
    BUNCHING_TOWNSHIP_SUFFIX,
    DEMO_AS_OF,
    EDGE_NEGATIVE_INCOME_ROWS,
    EDGE_ON_LINE_ROWS,
    FIRST_YEAR,
    GAP_IN_VILLAGE,
    GAP_SHARE,
    GAP_TOWNSHIPS,
    GROUP_PATHS,
    HOUSING_2015,
    LATE_VILLAGES,
    NY,
    PATH_AT_DUE,
    PATH_WOBBLE,
    PLANTED_PER_COUNTY,
    POWER_MISSES,
    SHOCK_TOWNSHIPS,
    SHOP_MISSES,
    SUPPORT_DAYS_MIN,
    SUPPORT_DAYS_UNRECORDED,
    SUPPORT_FIRST_YEAR,
    SUPPORT_NO_TEAM,
    SUPPORT_NO_UNIT,
    SUPPORT_ROTATION_YEAR,
    SUPPORT_SHORT_P,
    SUPPORT_SHORT_TOWNSHIPS,
    TOWNSHIP_STORY,
    WATER_UNKNOWN_BIT,
    WATER_UNRECORDED,
    YEARS,
)
from analytics.demo.geography import GEO_DIR
from analytics.demo.planted import planted_problems
from analytics.demo.scale import REAL_COUNTY, replica_count
from analytics.demo.tables import demo_as_of, demo_tables

__all__ = [
    "BUNCHING_SHARE", "BUNCHING_TOWNSHIP_SUFFIX", "DEMO_AS_OF", "EDGE_NEGATIVE_INCOME_ROWS",
    "EDGE_ON_LINE_ROWS", "FIRST_YEAR", "GAP_IN_VILLAGE", "GAP_SHARE", "GAP_TOWNSHIPS", "GEO_DIR",
    "GROUP_PATHS", "HOUSING_2015", "LATE_VILLAGES", "NY", "PATH_AT_DUE", "PATH_WOBBLE",
    "PLANTED_PER_COUNTY", "POWER_MISSES", "REAL_COUNTY", "SHOCK_TOWNSHIPS", "SHOP_MISSES",
    "SUPPORT_DAYS_MIN", "SUPPORT_DAYS_UNRECORDED", "SUPPORT_FIRST_YEAR", "SUPPORT_NO_TEAM",
    "SUPPORT_NO_UNIT", "SUPPORT_ROTATION_YEAR", "SUPPORT_SHORT_P", "SUPPORT_SHORT_TOWNSHIPS",
    "TOWNSHIP_STORY", "WATER_UNKNOWN_BIT", "WATER_UNRECORDED", "YEARS", "demo_as_of", "demo_tables",
    "planted_problems", "replica_count",
]
