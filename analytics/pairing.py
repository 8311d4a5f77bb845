"""双联 and 驻村帮扶 — who helps the poor: the "8741" pairing of cadres with households
and the two full coverages (两个全覆盖) of poor villages, one 帮扶单位 and one
驻村工作队 each, with the team in the village at least the plan's days a month.

Cadres (帮扶责任人) come from households.cadre_id and the optional cadres table; the
village teams from the optional table village_support (docs/contract-extensions.md).
"""

from __future__ import annotations

import pandas as pd

from analytics.config import load_config
from analytics.households import lists_of
from analytics.store import Store


def cadre_coverage(counts: pd.DataFrame) -> pd.DataFrame:
    """8741 coverage by scope and year (rows of ``households.household_counts``):
    households, households_with_cadre, coverage_pct = 100 × with cadre / households
    (建档立卡户, poor or exited); poor_households, poor_households_with_cadre,
    poor_coverage_pct = 100 × poor with cadre / poor households (null when none)."""
    frame = counts[["scope_code", "year", "households", "households_with_cadre",
                    "poor_households", "poor_households_with_cadre"]].copy()
    frame["coverage_pct"] = (100.0 * frame["households_with_cadre"]
                             / frame["households"].where(frame["households"] > 0))
    frame["poor_coverage_pct"] = (100.0 * frame["poor_households_with_cadre"]
                                  / frame["poor_households"].where(frame["poor_households"] > 0))
    return frame


def days_minimum() -> float:
    """The plan's days a month a 驻村工作队 spends in its village, at least (config)."""
    return float(load_config().pairing["days_in_village_min"])


def village_support_status(store: Store, townships=(), villages=()) -> pd.DataFrame:
    """Every poor village in every year from the dataset's first year with a 驻村帮扶
    record (the same year whatever the selection): its
    township, name, unit (帮扶单位, or null), has_unit, has_team, days (the team's days in
    the village a month, or null) and the checks: enough_days = days ≥ the minimum,
    met = has_unit and has_team and enough_days, and ``missing``: what is missing, in
    words (无帮扶单位、无驻村工作队、驻村天数不足 / 未记录驻村天数). Empty when the dataset
    holds no 驻村帮扶 record at all."""
    frame = store.query("village_support_values", **lists_of(townships, villages))
    first = frame["first_support_year"].dropna()
    if first.empty:
        return frame.iloc[0:0].drop(columns=["has_row", "first_support_year"])
    frame = frame[frame["year"] >= int(first.iloc[0])].copy()
    minimum = days_minimum()
    frame["has_unit"] = frame["unit"].notna() & frame["unit"].astype("string").str.strip().ne("")
    frame["has_team"] = frame["has_team"].astype(bool)
    days = frame["days_in_village_per_month"]
    frame["enough_days"] = frame["has_team"] & days.ge(minimum).fillna(False).astype(bool)
    frame["met"] = frame["has_unit"] & frame["has_team"] & frame["enough_days"]
    words = []
    for unit, team, day in zip(frame["has_unit"], frame["has_team"], days):
        missing = [] if unit else ["无帮扶单位"]
        if not team:
            missing.append("无驻村工作队")
        elif day != day or day is None:
            missing.append("未记录驻村天数")
        elif day < minimum:
            missing.append("驻村天数不足")
        words.append("、".join(missing))
    frame["missing"] = words
    return frame.drop(columns=["has_row", "first_support_year"]).reset_index(drop=True)


def village_support_counts(status: pd.DataFrame) -> pd.DataFrame:
    """两个全覆盖 by township and year and for the selection ('total'), from
    ``village_support_status``: poor_villages, with_unit, with_team, enough_days, met
    (all three) and met_pct = 100 × met / poor villages."""
    if status.empty:
        return pd.DataFrame(columns=["scope_code", "year", "poor_villages", "with_unit",
                                     "with_team", "enough_days", "met", "met_pct"])
    parts = []
    for scope, group in (("township", status), ("total", status.assign(township_code="total"))):
        parts.append(group.groupby(["township_code", "year"], as_index=False).agg(
            poor_villages=("village_code", "size"), with_unit=("has_unit", "sum"),
            with_team=("has_team", "sum"), enough_days=("enough_days", "sum"), met=("met", "sum")))
    frame = pd.concat(parts[::-1], ignore_index=True).rename(columns={"township_code": "scope_code"})
    frame["met_pct"] = 100.0 * frame["met"] / frame["poor_villages"]
    return frame


def cadres_over_quota_in(over: pd.DataFrame, year: int, unmasked: bool = False) -> pd.DataFrame:
    """The cadres over the 8741 quota in ``year`` (rows of ``metrics.cadres_over_quota``),
    most households first; names masked unless ``unmasked``."""
    from analytics.households import mask_frame
    rows = over[over["year"] == year].sort_values(["households", "cadre_id"], ascending=[False, True])
    rows = rows.reset_index(drop=True)
    return rows if unmasked else mask_frame(rows)


CADRE_LABELS = {
    "name": "乡镇", "households": "建档立卡户（户）", "households_with_cadre": "有帮扶责任人（户）",
    "coverage_pct": "结对覆盖率（%）", "poor_households": "未脱贫户（户）",
    "poor_households_with_cadre": "未脱贫户有帮扶责任人（户）", "poor_coverage_pct": "未脱贫户结对覆盖率（%）",
}
OVER_QUOTA_LABELS = {"cadre_name": "帮扶责任人", "rank": "级别", "unit": "帮扶单位",
                     "households": "结对户数（户）", "quota": "8741 定额（户）"}


def support_count_labels() -> dict[str, str]:
    """Column titles of ``village_support_counts``, the day minimum from config."""
    return {"name": "乡镇", "poor_villages": "贫困村（个）", "with_unit": "有帮扶单位（个）",
            "with_team": "有驻村工作队（个）",
            "enough_days": f"每月驻村不少于{days_minimum():g}天（个）",
            "met": "全部达标（个）", "met_pct": "达标率（%）"}


SUPPORT_GAP_LABELS = {"name": "乡镇", "village_name": "村", "unit": "帮扶单位",
                      "days_in_village_per_month": "每月驻村天数（天）", "missing": "未达标项"}
