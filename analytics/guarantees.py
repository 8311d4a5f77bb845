"""两不愁三保障 — food and clothing, compulsory education, basic medical care and safe
housing guaranteed, with safe drinking water (the national exit standard), by township
and year; and the households with a guarantee not met.

A guarantee is recorded per household and year (household_years.*_secure) as met
(true), not met (false) or unknown (null: not recorded, e.g. by the national roster
export). Unknown is never counted as met or as not met (data contract, 两不愁三保障).
"""

from __future__ import annotations

import pandas as pd

from analytics.contract import COLUMN_LABELS
from analytics.households import lists_of, mask_frame
from analytics.store import Store

#: The guarantees in the order of the standard, keyed by their count prefix in
#: village_year_households, with the contract column and the label.
GUARANTEES = {
    "food_clothing": "food_clothing_secure",
    "education": "education_secure",
    "medical": "medical_secure",
    "housing": "housing_secure",
    "water": "water_secure",
}
GUARANTEE_LABELS = {key: COLUMN_LABELS[column] for key, column in GUARANTEES.items()}
GAP_LIST_LIMIT = 1000
#: How a share treats the unrecorded, said once for the page, its tooltips and the briefing.
UNKNOWN_NOTE = "占比 = 达标人口 ÷ 有记录的人口；未记录的人口单列，既不算达标，也不算未达标"


def guarantee_shares(counts: pd.DataFrame) -> pd.DataFrame:
    """The share of registered persons with each guarantee met, by scope and year, over
    the persons for whom it is recorded. ``counts``: rows of ``households.household_counts``.
    Returns one row per (scope_code, year, guarantee) with persons, met, unmet, unknown
    (persons), recorded = met + unmet, and

    - met_pct = 100 × met / recorded and unmet_pct = 100 × unmet / recorded (null when
      nothing is recorded: unknown is never counted as met, nor as not met);
    - unknown_pct = 100 × unknown / persons (the share not recorded; null when persons is 0);

    plus households_any_unmet (households with any of the five recorded as not met)."""
    rows = []
    for key in GUARANTEES:
        part = counts[["scope_code", "year", "persons", "households_any_unmet"]].copy()
        part["guarantee"] = key
        for state in ("met", "unmet", "unknown"):
            part[state] = counts[f"{key}_{state}"]
        rows.append(part)
    frame = pd.concat(rows, ignore_index=True)
    frame["recorded"] = frame["met"] + frame["unmet"]
    recorded = frame["recorded"].where(frame["recorded"] > 0)
    frame["met_pct"] = 100.0 * frame["met"] / recorded
    frame["unmet_pct"] = 100.0 * frame["unmet"] / recorded
    frame["unknown_pct"] = 100.0 * frame["unknown"] / frame["persons"].where(frame["persons"] > 0)
    return frame.sort_values(["scope_code", "year"], kind="stable").reset_index(drop=True)


def guarantee_gap_list(store: Store, year: int, townships=(), villages=(), *,
                       limit: int | None = GAP_LIST_LIMIT, unmasked: bool = False) -> pd.DataFrame:
    """The households with at least one guarantee recorded as not met at the end of
    ``year``, by village, the first ``limit`` (None: all), each guarantee as recorded
    (True / False / None = unknown) and ``unmet``: the labels of those not met, joined
    with 、. Names and ID numbers masked unless ``unmasked``."""
    frame = store.query("guarantee_gap_list", year=int(year),
                        limit=None if limit is None else int(limit), **lists_of(townships, villages))
    columns = list(GUARANTEES.values())
    not_met = frame[columns].astype("boolean").eq(False).fillna(False)
    frame["unmet"] = ["、".join(COLUMN_LABELS[c] for c in columns if row[c])
                      for _, row in not_met.iterrows()]
    return frame if unmasked else mask_frame(frame)


def guarantee_table(shares: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per scope in ``year`` (townships, then 'total'): persons, households_any_unmet,
    and for each guarantee ``<key>_met_pct`` and ``<key>_unknown_pct`` (%)."""
    rows = shares[shares["year"] == year]
    wide = rows.pivot_table(index="scope_code", columns="guarantee",
                            values=["met_pct", "unknown_pct"], aggfunc="first", dropna=False)
    wide.columns = [f"{g}_{v}" for v, g in wide.columns]
    base = rows.drop_duplicates("scope_code").set_index("scope_code")[["persons", "households_any_unmet"]]
    table = base.join(wide)
    order = sorted(c for c in table.index if c != "total") + (["total"] if "total" in table.index else [])
    return table.loc[order].reset_index(names="scope_code")


def guarantee_table_labels() -> dict[str, str]:
    """Column titles of ``guarantee_table``."""
    return {"name": "乡镇", "persons": "建档立卡人口（人）",
            **{f"{g}_met_pct": f"{label}（%）" for g, label in GUARANTEE_LABELS.items()},
            **{f"{g}_unknown_pct": f"{label}未记录（%）" for g, label in GUARANTEE_LABELS.items()},
            "households_any_unmet": "有未达标项（户）"}


GAP_LIST_LABELS = {
    "township_name": "乡镇", "village_name": "村", "household_id": "户编号", "head_name": "户主", "head_id_number": "身份证号",
    "members": "人口（人）", "status": "状态", "unmet": "未达标项", "cadre_name": "帮扶责任人",
}
