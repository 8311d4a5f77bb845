"""一户一策 measures (五个一批 and the plan's other measures) and 低保兜底, by township
and year; the plan's counts for a measure; the 精准 gap (poor households without a
measure).

Measures come from the optional contract table household_measures (household, year,
measure, amount); their counts per village are built per import
(queries/build_village_year_measures.sql). The plan's counts are configuration
(``[measure_plan]``: the work plan's 今年 3000 户危房改造), a county's: a scope's is the
sum over its counties when each has it (``plans.measure_plan``).
"""

from __future__ import annotations

import pandas as pd

from analytics.contract import MEASURES
from analytics.households import lists_of, mask_frame
from analytics.plans import measure_plan
from analytics.store import Store

GAP_LIST_LIMIT = 1000


def measure_counts(store: Store, townships=(), villages=()) -> pd.DataFrame:
    """Households and amounts by measure, by scope (township code or 'total') and year:
    columns scope_code, year, measure, households (households with the measure that
    year), amount_yuan (Σ amounts, yuan; a missing amount adds nothing),
    amount_missing (rows without an amount), and planned (households the plan counts
    for the measure that year, ``scope_measure_plan``, on the 'total' rows only; null
    where the plan gives none)."""
    frame = store.query("measure_counts", **lists_of(townships, villages))
    frame["measure"] = pd.Categorical(frame["measure"], categories=list(MEASURES), ordered=True)
    frame = frame.sort_values(["scope_code", "year", "measure"], kind="stable")
    frame["measure"] = frame["measure"].astype(str)
    return frame.assign(planned=plan_counts(frame, scope_measure_plan(store))).reset_index(drop=True)


def scope_measure_plan(store: Store) -> dict[int, dict[str, int]]:
    """The plan's households per measure and year for the counties the store shows
    (``plans.measure_plan``: {} when one of them has no plan)."""
    return measure_plan(store.query("counties")["county_code"])


def plan_counts(frame: pd.DataFrame, plan: dict[int, dict[str, int]]) -> pd.Series:
    """The plan's count for each (year, measure) row of ``frame`` on its 'total' rows
    (households, float; NaN where the plan gives no count)."""
    return pd.Series([float(plan.get(int(y), {}).get(m)) if s == "total" and m in plan.get(int(y), {})
                      else float("nan")
                      for s, y, m in zip(frame["scope_code"], frame["year"], frame["measure"])],
                     index=frame.index, dtype="float64")


def measure_plan_progress(measures: pd.DataFrame, plan: dict[int, dict[str, int]]) -> pd.DataFrame:
    """Each count of ``plan`` (``scope_measure_plan``), against the households with the
    measure in the selection (the 'total' rows of ``measure_counts``): year, measure,
    planned, households (0 where none was recorded), done_pct = 100 × households / planned."""
    done = measures[measures["scope_code"] == "total"].set_index(["year", "measure"])["households"]
    rows = [(year, measure, float(count), int(done.get((year, measure), 0)))
            for year, counts in sorted(plan.items()) for measure, count in counts.items()]
    frame = pd.DataFrame(rows, columns=["year", "measure", "planned", "households"])
    frame["done_pct"] = 100.0 * frame["households"] / frame["planned"].where(frame["planned"] > 0)
    return frame


def measure_coverage(counts: pd.DataFrame) -> pd.DataFrame:
    """The share of poor households with a measure, by scope and year (rows of
    ``households.household_counts``): poor_households, poor_households_with_measure
    (a measure recorded in any year up to this one), without_measure and
    coverage_pct = 100 × with measure / poor households (null when there are none)."""
    frame = counts[["scope_code", "year", "poor_households", "poor_households_with_measure"]].copy()
    frame["without_measure"] = frame["poor_households"] - frame["poor_households_with_measure"]
    frame["coverage_pct"] = (100.0 * frame["poor_households_with_measure"]
                             / frame["poor_households"].where(frame["poor_households"] > 0))
    return frame


def measure_gap_list(store: Store, year: int, townships=(), villages=(), *,
                     limit: int | None = GAP_LIST_LIMIT, unmasked: bool = False) -> pd.DataFrame:
    """The 精准 gap: households 未脱贫 at the end of ``year`` with no measure recorded in
    any year up to it, by village, the first ``limit`` (None: all; the full count is
    ``measure_coverage``'s without_measure). Names and ID numbers masked unless
    ``unmasked``."""
    frame = store.query("measure_gap_list", year=int(year),
                        limit=None if limit is None else int(limit), **lists_of(townships, villages))
    return frame if unmasked else mask_frame(frame)


def dibao_shares(counts: pd.DataFrame) -> pd.DataFrame:
    """低保兜底 by scope and year (rows of ``households.household_counts``): 一类 and 二类
    households and persons among the registered households, poor households, those of
    them under 低保, and poor_dibao_pct = 100 × poor households under 低保 / poor
    households (null when there are none)."""
    frame = counts[["scope_code", "year", "dibao1_households", "dibao1_persons",
                    "dibao2_households", "dibao2_persons", "poor_households",
                    "poor_dibao_households"]].copy()
    frame["poor_dibao_pct"] = (100.0 * frame["poor_dibao_households"]
                               / frame["poor_households"].where(frame["poor_households"] > 0))
    return frame


def township_first(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (indexed by scope_code) with the townships first, in code order, and the
    selection's 'total' row last."""
    order = sorted(c for c in frame.index if c != "total") + (["total"] if "total" in frame.index else [])
    return frame.loc[order]


def measure_table(measures: pd.DataFrame, coverage: pd.DataFrame, year: int,
                  value: str = "households") -> pd.DataFrame:
    """One row per scope in ``year`` (townships, then 'total'): poor_households,
    poor_households_with_measure, coverage_pct (``measure_coverage``), then one column per
    measure recorded that year, in the contract's order, holding ``value``: households
    with the measure, or amount_yuan (Σ amounts, yuan), and amount_yuan (Σ amounts of
    the year's measures, yuan). Columns: scope_code first."""
    cov = coverage[coverage["year"] == year].set_index("scope_code")[
        ["poor_households", "poor_households_with_measure", "coverage_pct"]]
    rows = measures[measures["year"] == year]
    wide = rows.pivot_table(index="scope_code", columns="measure", values=value,
                            aggfunc="sum", fill_value=0)
    wide = wide[[m for m in MEASURES if m in wide.columns]]
    amount = rows.groupby("scope_code")["amount_yuan"].sum().rename("amount_yuan")
    table = cov.join(wide, how="outer").join(amount, how="left")
    table[list(wide.columns) + ["amount_yuan"]] = table[list(wide.columns) + ["amount_yuan"]].fillna(0)
    return township_first(table).reset_index(names="scope_code")


def measure_table_labels(value: str = "households") -> dict[str, str]:
    """Column titles of ``measure_table``: each measure in households or in yuan."""
    unit = "户" if value == "households" else "元"
    return {**MEASURE_TABLE_LABELS, **{m: f"{m}（{unit}）" for m in MEASURES}}


MEASURE_TABLE_LABELS = {
    "name": "乡镇", "poor_households": "未脱贫户（户）", "poor_households_with_measure": "有帮扶措施（户）",
    "coverage_pct": "措施覆盖率（%）", **{m: f"{m}（户）" for m in MEASURES},
    "amount_yuan": "当年措施金额（元）",
}
GAP_LIST_LABELS = {
    "township_name": "乡镇", "village_name": "村", "household_id": "户编号", "head_name": "户主", "head_id_number": "身份证号",
    "members": "人口（人）", "registered_year": "识别年份", "cadre_name": "帮扶责任人",
}
DIBAO_LABELS = {
    "name": "乡镇", "dibao1_households": "一类低保（户）", "dibao1_persons": "一类低保（人）",
    "dibao2_households": "二类低保（户）", "dibao2_persons": "二类低保（人）",
    "poor_households": "未脱贫户（户）", "poor_dibao_households": "其中低保户（户）",
    "poor_dibao_pct": "未脱贫户低保占比（%）",
}
