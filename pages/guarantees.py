"""保障与设施 — 两不愁三保障 by township and year (unknown shown as unknown), the
households with a guarantee not met, and village infrastructure and funds against the
plan's targets. Definitions: analytics/guarantees.py and analytics/village_targets.py."""

from __future__ import annotations

import streamlit as st

from analytics import guarantees, plan_charts, village_targets
from analytics.config import load_config
from analytics.counties import with_county
from ui import data
from ui.charts import figure
from ui.exports import export_buttons
from ui.format import floored, fmt_int, fmt_share
from ui.frame import page_frame
from ui.plan_tables import (GUARANTEE_FORMATS, GUARANTEE_GAP_FORMATS, TARGET_FORMATS,
                            TOWNSHIP_TARGET_FORMATS, config, named, ordered)
from ui.tables import data_table, decimals
from ui.tiles import tile

filters = page_frame("保障与设施", "guarantees")
year = filters.year
scope = filters.scope_label
names = filters.row_names  # a chosen village's row is named after the village
towns = data.township_labels()
where = dict(townships=filters.townships, villages=filters.villages)

st.subheader("两不愁三保障")
counts = data.household_counts(**where)
shares = guarantees.guarantee_shares(counts)
now = shares[(shares["scope_code"] == "total") & (shares["year"] == year)].set_index("guarantee")
if now.empty:
    st.info(f"{scope} {year} 年没有建档立卡户数据。")
else:
    for column, (key, label) in zip(st.columns(len(guarantees.GUARANTEES)), guarantees.GUARANTEE_LABELS.items()):
        unknown, unmet = now.loc[key, "unknown"], now.loc[key, "unmet"]
        nbsp = "\u00a0"  # a narrow tile breaks the words after ，only (ui/frame.py's style)
        words = ("全部未记录" if not now.loc[key, "recorded"] else
                 f"未达标{nbsp}{fmt_int(unmet)}{nbsp}人"
                 + (f"，未记录{nbsp}{fmt_int(unknown)}{nbsp}人" if unknown else ""))
        tile(column, label, fmt_share(now.loc[key, "met_pct"]), words,
             delta_color="off", delta_arrow="off",
             help=f"{year}年底{label}：{guarantees.UNKNOWN_NOTE}（未达标 {fmt_int(unmet)} 人，"
                  f"未记录 {fmt_int(unknown)} 人）。占比只舍不入：有人未达标时不显示 100%",
             border=True)
    trend = shares[shares["scope_code"] == "total"].pivot_table(
        index="year", columns="guarantee", values="met_pct", aggfunc="first").reset_index()
    series = {k: v for k, v in guarantees.GUARANTEE_LABELS.items() if k in trend.columns}
    st.plotly_chart(figure(plan_charts.build_share_trend, trend, series,
                           f"{scope}两不愁三保障达标人口占比", 100.0, "目标 100%"), key="guarantee_trend")
    table = named(guarantees.guarantee_table(shares, year), names)
    shares_shown = [c for c in table.columns if c.endswith("_pct")]
    table[shares_shown] = floored(table[shares_shown])
    labels = guarantees.guarantee_table_labels()
    unknown_columns = [c for c in table.columns if c.endswith("_unknown_pct") and table[c].fillna(0).gt(0).any()]
    shown = ["name", "persons", *[f"{g}_met_pct" for g in guarantees.GUARANTEES], *unknown_columns,
             "households_any_unmet"]
    st.markdown(f"**{year}年{'所选村' if filters.villages else '各乡镇'}达标人口占比（%）**")
    data_table(table, hide_index=True, column_order=shown,
               column_config=config(labels, GUARANTEE_FORMATS), key="guarantee_table", placeholder="—")
    if not unknown_columns:
        st.caption(f"各项均有记录（没有未记录的人口）。{guarantees.UNKNOWN_NOTE}。")
    else:
        st.caption(f"{guarantees.UNKNOWN_NOTE}；“未记录（%）”是未记录的人口占建档立卡人口的比例。")
    r1, r2, _ = st.columns([1, 1, 4])
    export_buttons((r1, r2), table[shown], labels, scope=scope, what="两不愁三保障", year=year,
                   decimals=decimals(GUARANTEE_FORMATS))
    total_gaps = int(counts.loc[(counts["scope_code"] == "total") & (counts["year"] == year),
                                "households_any_unmet"].sum())
    whole = total_gaps <= load_config().pages["max_list_rows"]
    gaps = data.guarantee_gap_list(year, limit=None if whole else guarantees.GAP_LIST_LIMIT, **where)
    st.markdown(f"**{year}年底有未达标项的建档立卡户（{fmt_int(total_gaps)} 户）**")
    if gaps.empty:
        st.success("所选范围内没有记录为未达标的户。")
    else:
        if total_gaps > len(gaps):
            st.caption(f"户数太多：下表和导出文件只含按村排列的前 {fmt_int(len(gaps))} 户；"
                       "选择乡镇或村可查看、导出其余各户。")
        gaps, gap_labels = with_county(gaps, "village_code", guarantees.GAP_LIST_LABELS,
                                       shown=filters.counties_shown)
        data_table(gaps, hide_index=True, column_order=list(gap_labels),
                   column_config=config(gap_labels, GUARANTEE_GAP_FORMATS),
                   key="guarantee_gaps", placeholder="—")
        g1, g2, _ = st.columns([1, 1, 4])
        export_buttons((g1, g2), gaps, gap_labels, scope=scope,
                       what="三保障未达标户" + ("" if len(gaps) == total_gaps else f"（前{len(gaps)}户）"),
                       year=year, decimals=decimals(GUARANTEE_GAP_FORMATS))

st.subheader("基础设施与村级资金")
target_counts = data.village_target_counts(**where)
targets = village_targets.target_table(target_counts, year)
targets["met_pct"] = floored(targets["met_pct"])
if targets.empty:
    st.info(f"{scope} {year} 年没有村级台账数据。")
    st.stop()
missed = targets[targets["verdict"] == "missed"]
st.caption(f"{year}年：{len(targets)} 项目标中 "
           f"{int(targets['verdict'].isin(['met', 'missed_late']).sum())} 项已达标，{len(missed)} 项到期未达标，"
           f"{int(targets['verdict'].isna().sum())} 项期限未到。{village_targets.UNKNOWN_NOTE}。")
target_columns = [c for c in village_targets.TARGET_TABLE_LABELS  # 未记录 only when a village is
                  if c != "unknown" or targets["unknown"].gt(0).any()]
data_table(targets, hide_index=True, column_order=target_columns,
           column_config=config(village_targets.TARGET_TABLE_LABELS, TARGET_FORMATS), key="target_table",
           placeholder="—")
t1, t2, _ = st.columns([1, 1, 4])
export_buttons((t1, t2), targets[target_columns], ordered(village_targets.TARGET_TABLE_LABELS, target_columns),
               scope=scope, what="基础设施目标", year=year, decimals=decimals(TARGET_FORMATS))
trend = target_counts[target_counts["scope_code"] == "total"].pivot_table(
    index="year", columns="item", values="met_pct", aggfunc="first").reset_index()
series = {t.item: t.label for t in village_targets.village_targets() if t.item in trend.columns}
deadlines = tuple(t.by for t in village_targets.village_targets() if t.item in series)
st.plotly_chart(figure(plan_charts.build_share_trend, trend, series, f"{scope}应达标村的达标率",
                       100.0, "目标 100%", deadlines=deadlines), key="target_trend")
st.markdown(f"**{year}年{'所选村' if filters.villages else '各乡镇'}达标率（%）**")
by_town = named(village_targets.township_target_table(target_counts, year), names)
labels = village_targets.township_target_labels()
town_columns = [c for c in labels if c in by_town.columns]
by_town[town_columns[1:]] = floored(by_town[town_columns[1:]])
data_table(by_town, hide_index=True, column_order=town_columns,
           column_config=config(labels, TOWNSHIP_TARGET_FORMATS), key="township_targets", placeholder="—")
w1, w2, _ = st.columns([1, 1, 4])
export_buttons((w1, w2), by_town[town_columns], labels, scope=scope, what="各乡镇基础设施达标率", year=year,
               decimals=decimals(TOWNSHIP_TARGET_FORMATS))
not_met = named(data.villages_not_met_in(year, **where), towns, column="township_code")
st.markdown(f"**{year}年有未达标项的村（{fmt_int(len(not_met))} 个）**")
if not_met.empty:
    st.success("所选范围内应达标的村全部达标。")
else:
    not_met, not_met_labels = with_county(not_met, "township_code", village_targets.NOT_MET_LABELS,
                                          shown=filters.counties_shown)
    data_table(not_met, hide_index=True, column_order=list(not_met_labels),
               column_config=config(not_met_labels, {}), key="villages_not_met",
               placeholder="—")
    v1, v2, _ = st.columns([1, 1, 4])
    export_buttons((v1, v2), not_met, not_met_labels, scope=scope, what="未达标村",
                   year=year)
