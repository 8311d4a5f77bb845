"""回头看 — the register's own changes: new registrations (新识别), removals (自然减少)
and a decomposition of the change in poor persons, so a leader sees whether incidence
fell through exits or through households leaving the register.

Rows come from ``households.household_counts`` (one per scope_code and year; scope_code
a township code or 'total'). Definitions (queries/build_village_year_households.sql):

- 新识别 (new): households whose ``registered_year`` is the year, and their members.
- 自然减少 (removed): households with a row in year t−1 and none in year t (t within the
  panel), counted in year t with their members of t−1.
- The change in poor persons P(t) − P(t−1), P = Σ members of households 未脱贫, is
  exactly the sum of six terms (an identity, tested):
  exits (−Σ members(t) of households exited in t: the headline ``exited_persons``),
  relapses (+``relapsed_persons``), new (+members of poor households registered in t),
  re-entered (+members of poor households back after a gap), removed (−members(t−1) of
  households poor in t−1 and gone in t) and household size (Σ members(t) − members(t−1)
  over households poor in t−1 and still registered in t, exits included, since exits
  are counted at this year's size).
"""

from __future__ import annotations

import pandas as pd

#: The terms of the change in poor persons, in the order of a waterfall, with labels.
DECOMPOSITION_TERMS = {
    "delta_exits": "脱贫退出",
    "delta_relapses": "返贫",
    "delta_new": "新识别",
    "delta_reentered": "重新纳入",
    # the poor among the removed: 自然减少 alone names all removed households and persons
    "delta_removed": "自然减少的贫困人口",
    "delta_size": "家庭人口变化",
}


def register_changes(counts: pd.DataFrame) -> pd.DataFrame:
    """新识别 and 自然减少 by scope and year: one row per (scope_code, year) with
    new_households, new_persons, removed_households, removed_persons,
    removed_poor_persons (households and persons). The first panel year is left out: it
    is the baseline register, not a change."""
    first = counts["year"].min()
    columns = ["scope_code", "year", "new_households", "new_persons", "removed_households",
               "removed_persons", "removed_poor_persons"]
    return counts.loc[counts["year"] > first, columns].reset_index(drop=True)


def poor_change_decomposition(counts: pd.DataFrame) -> pd.DataFrame:
    """The change in poor persons on the year before, and its six terms, by scope and
    year (the first panel year left out): columns scope_code, year, poor_persons_before,
    poor_persons, change (= poor_persons − poor_persons_before, persons) and the
    ``DECOMPOSITION_TERMS`` (persons, signed), whose sum equals ``change``."""
    frame = counts.sort_values(["scope_code", "year"]).copy()
    before = frame.groupby("scope_code")["poor_persons"].shift(1)
    previous_year = frame.groupby("scope_code")["year"].shift(1)
    frame["poor_persons_before"] = before.where(previous_year == frame["year"] - 1)
    frame = frame[frame["year"] > counts["year"].min()]
    # a township with no registered household in t−1 had no poor persons then
    frame["poor_persons_before"] = frame["poor_persons_before"].fillna(0).astype("int64")
    frame["change"] = frame["poor_persons"] - frame["poor_persons_before"]
    return frame[["scope_code", "year", "poor_persons_before", "poor_persons", "change",
                  *DECOMPOSITION_TERMS]].reset_index(drop=True)


CHANGE_LABELS = {
    "name": "乡镇", "year": "年份", "new_households": "新识别（户）", "new_persons": "新识别（人）",
    "removed_households": "自然减少（户）", "removed_persons": "自然减少（人）",
    "poor_persons_before": "上年底贫困人口（人）", "poor_persons": "年底贫困人口（人）",
    "change": "贫困人口变化（人）", **{t: f"{label}（人）" for t, label in DECOMPOSITION_TERMS.items()},
}


def change_table(counts: pd.DataFrame) -> pd.DataFrame:
    """新识别, 自然减少 and the decomposition side by side, one row per (scope_code, year)
    after the first panel year: the columns of ``register_changes`` and of
    ``poor_change_decomposition``."""
    return register_changes(counts).merge(poor_change_decomposition(counts), on=["scope_code", "year"])


def change_sentence(row: pd.Series, scope: str, year: int) -> str:
    """The decomposition in one sentence for a leader: how much the poor persons fell (or
    rose) and each term signed, e.g. 2016年全县贫困人口减少 33,957 人：脱贫退出 -35,513 人，
    返贫 +491 人，新识别 +1,237 人，自然减少的贫困人口 -220 人，家庭人口变化 +48 人。"""
    change = int(row["change"])
    head = (f"{year}年{scope}贫困人口减少 {-change:,} 人" if change < 0 else
            f"{year}年{scope}贫困人口增加 {change:,} 人" if change > 0 else
            f"{year}年{scope}贫困人口没有变化")
    parts = [f"{label} {int(row[term]):+,} 人" for term, label in DECOMPOSITION_TERMS.items()
             if int(row[term])]
    return head + ("：" + "，".join(parts) if parts else "") + "。"
