"""Village infrastructure and funds against the plan's targets: which villages must have
each item by which year (``[village_targets]`` in the configuration), how many meet it
each year, and which do not.

An item applies to every village ("all", 建制村), to the poor villages ("poor") or to
the poor villages planned to exit in a given year. A yes/no item (通水泥路, 安全饮水,
动力电, 标准化卫生室, 幼儿园, 宽带) is met when it is yes; a count or an amount (网店,
互助资金) when it reaches ``at_least``. A null value is unknown: neither met nor
counted as not met, but it keeps the target from being judged met.

Verdict of a scope in year t (words from analytics.verdicts): before the deadline none
(the counts only); from the deadline on, 按期达标 when every village due met it in the
deadline year, 逾期达标 when every one meets it now but not all did then, 未达标 when
one does not (or is unknown).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.config import load_config
from analytics.contract import COLUMN_LABELS
from analytics.households import lists_of
from analytics.store import Store

ITEM_LABELS = {**{k: COLUMN_LABELS[k] for k in ("cement_road", "safe_water", "power_grid",
                                                   "clinic", "kindergarten", "broadband")},
               "online_shops": "网店", "mutual_fund_yuan": "互助资金"}


@dataclass(frozen=True)
class VillageTarget:
    item: str             # the village_years column
    villages: str | int   # "all", "poor" or a planned exit year
    by: int               # the year by whose end it must be met
    at_least: float | None = None  # counts and amounts; None for a yes/no item

    @property
    def label(self) -> str:
        return ITEM_LABELS[self.item]

    @property
    def villages_label(self) -> str:
        if self.villages == "all":
            return "全部建制村"
        if self.villages == "poor":
            return "全部贫困村"
        return f"{self.villages}年计划退出的贫困村"

    @property
    def requirement(self) -> str:
        """The target in words, e.g. 全部贫困村互助资金不少于 500,000 元（2015 年底）."""
        if self.at_least is None:
            what = f"{self.villages_label}{self.label}全覆盖"
        elif self.item == "mutual_fund_yuan":
            what = f"{self.villages_label}{self.label}不少于 {self.at_least:,.0f} 元"
        else:
            what = f"{self.villages_label}每村{self.label}不少于 {self.at_least:g} 家"
        return f"{what}（{self.by} 年底）"


def village_targets() -> list[VillageTarget]:
    """The targets of ``[village_targets]``, in the configuration's order."""
    return [VillageTarget(item, spec["villages"], int(spec["by"]),
                          None if spec.get("at_least") is None else float(spec["at_least"]))
            for item, spec in load_config().village_targets.items()]


def _applies(values: pd.DataFrame, target: VillageTarget) -> pd.Series:
    poor = values["is_poor_village"].astype(bool)
    if target.villages == "all":
        return pd.Series(True, index=values.index)
    if target.villages == "poor":
        return poor
    return poor & values["planned_exit_year"].eq(int(target.villages)).fillna(False).astype(bool)


def village_target_status(store: Store, townships=(), villages=(), year: int | None = None) -> pd.DataFrame:
    """One row per village, year (only ``year`` when given) and target that applies to the
    village: village_code, township_code, village_name, year, item, value (as recorded;
    null = unknown) and state: 'met', 'unmet' or 'unknown'."""
    values = store.query("village_target_values", **lists_of(townships, villages))
    if year is not None:
        values = values[values["year"] == year]
    parts = []
    for target in village_targets():
        rows = values[_applies(values, target)]
        value = rows[target.item]
        if target.at_least is None:
            met = value.astype("boolean")
        else:
            met = value.astype("Float64").ge(target.at_least)
        state = met.map({True: "met", False: "unmet"}).astype("object").where(met.notna(), "unknown")
        parts.append(pd.DataFrame({
            "village_code": rows["village_code"], "township_code": rows["township_code"],
            "village_name": rows["village_name"], "year": rows["year"], "item": target.item,
            "value": value.astype("object"), "state": state.astype(str)}))
    if not parts:
        return pd.DataFrame(columns=["village_code", "township_code", "village_name", "year",
                                     "item", "value", "state"])
    return pd.concat(parts, ignore_index=True)


def target_counts(status: pd.DataFrame) -> pd.DataFrame:
    """Counts and verdicts by scope (township code, and 'total' for the selection), year
    and target, from ``village_target_status``: villages (due), met, unmet, unknown,
    met_pct = 100 × met / villages, by (the deadline year) and verdict: None before the
    deadline, else 'met', 'missed_late' or 'missed' (analytics.verdicts.VERDICTS)."""
    columns = ["scope_code", "year", "item", "villages", "met", "unmet", "unknown", "met_pct",
               "by", "verdict"]
    if status.empty:
        return pd.DataFrame(columns=columns)
    states = status[["township_code", "year", "item", "state"]]
    both = pd.concat([states, states.assign(township_code="total")], ignore_index=True)
    counts = (both.groupby(["township_code", "year", "item", "state"], sort=False).size()
              .unstack("state", fill_value=0)
              .reindex(columns=["met", "unmet", "unknown"], fill_value=0)
              .reset_index().rename(columns={"township_code": "scope_code"}))
    counts.columns.name = None
    counts["villages"] = counts["met"] + counts["unmet"] + counts["unknown"]
    counts["met_pct"] = 100.0 * counts["met"] / counts["villages"]
    deadlines = {t.item: t.by for t in village_targets()}
    counts["by"] = counts["item"].map(deadlines)
    # met on time: every village due met it in the deadline year itself
    at_deadline = counts[counts["year"] == counts["by"]]
    on_time = at_deadline.assign(on_time=at_deadline["met"] == at_deadline["villages"])[
        ["scope_code", "item", "on_time"]]
    counts = counts.merge(on_time, on=["scope_code", "item"], how="left")
    met_on_time = counts["on_time"].fillna(False).astype(bool)
    all_met = counts["met"] == counts["villages"]
    due = counts["year"] >= counts["by"]
    verdict = pd.Series(None, index=counts.index, dtype="object")
    verdict[due & all_met & met_on_time] = "met"
    verdict[due & all_met & ~met_on_time] = "missed_late"
    verdict[due & ~all_met] = "missed"
    counts["verdict"] = verdict
    order = {t.item: i for i, t in enumerate(village_targets())}
    counts = (counts.assign(order=counts["item"].map(order))
              .sort_values(["scope_code", "year", "order"], kind="stable"))
    return counts[columns].reset_index(drop=True)


def village_target_counts(store: Store, townships=(), villages=()) -> pd.DataFrame:
    """``target_counts`` of the selection's villages (``village_target_status``), in one
    call (the pages cache it)."""
    return target_counts(village_target_status(store, townships, villages))


def villages_not_met_in(store: Store, year: int, townships=(), villages=()) -> pd.DataFrame:
    """``villages_not_met`` of the selection in ``year`` (one year's status only)."""
    return villages_not_met(village_target_status(store, townships, villages, year), year)


def villages_not_met(status: pd.DataFrame, year: int) -> pd.DataFrame:
    """The villages due a target that do not meet it (or are unknown) in ``year``: one
    row per village with township_code, village_code, village_name and ``missing``: the
    items not met, joined with 、 (an unknown one followed by （未记录）)."""
    rows = status[(status["year"] == year) & (status["state"] != "met")]
    words = rows["item"].map(ITEM_LABELS) + rows["state"].map({"unmet": "", "unknown": "（未记录）"})
    listed = (rows.assign(missing=words)
              .groupby(["township_code", "village_code", "village_name"], as_index=False, sort=False)
              .agg(missing=("missing", "、".join), items=("missing", "size")))
    return listed.sort_values(["township_code", "village_code"]).reset_index(drop=True)


def verdict_words(verdict, by: int) -> str:
    """A target's verdict in words (analytics.verdicts.VERDICTS), or 期限未到 before the
    deadline ``by``."""
    from analytics.verdicts import VERDICTS
    return VERDICTS[verdict] if isinstance(verdict, str) else f"期限未到（{by}年底）"


def target_table(counts: pd.DataFrame, year: int) -> pd.DataFrame:
    """The selection's row of each target in ``year`` ('total' rows of ``target_counts``),
    with ``requirement`` (the target in words) and ``verdict_text``."""
    rows = counts[(counts["scope_code"] == "total") & (counts["year"] == year)].copy()
    targets = {t.item: t for t in village_targets()}
    rows["requirement"] = rows["item"].map(lambda item: targets[item].requirement)
    rows["verdict_text"] = [verdict_words(v, b) for v, b in zip(rows["verdict"], rows["by"])]
    return rows.reset_index(drop=True)


def township_target_table(counts: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per township in ``year``, and the selection's 'total': for each target, the
    share of its due villages meeting it (%, column = the item; null where no village of
    the township is due)."""
    rows = counts[counts["year"] == year]
    wide = rows.pivot_table(index="scope_code", columns="item", values="met_pct", aggfunc="first")
    order = [t.item for t in village_targets() if t.item in wide.columns]
    return wide[order].reset_index()


#: The verdict beside the target it judges: at 1366 px the counts may need scrolling, it not.
TARGET_TABLE_LABELS = {"requirement": "目标", "verdict_text": "判定", "villages": "应达标村（个）",
                       "met": "已达标（个）", "unmet": "未达标（个）", "unknown": "未记录（个）",
                       "met_pct": "达标率（%）"}
#: How a rate treats an unrecorded village, said once for the page and the briefing.
UNKNOWN_NOTE = ("达标率 = 达标村 ÷ 应达标村；未记录的村单列，不算未达标，"
                "但有村未记录时该项不判为达标")
NOT_MET_LABELS = {"name": "乡镇", "village_name": "村", "missing": "未达标项"}


def township_target_labels() -> dict[str, str]:
    """Column titles of ``township_target_table``."""
    return {"name": "乡镇", **{t.item: f"{t.label}达标率（%）" for t in village_targets()}}
