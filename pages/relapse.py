"""返贫监测 — relapse against the 5 % cap, by township, cause and exit cohort; households at risk."""

from __future__ import annotations

import streamlit as st

from analytics import charts
from analytics.config import load_config
from analytics.households import at_risk_counts
from analytics.metrics import relapse_matrix
from ui import data
from ui.charts import figure
from ui.format import fmt_int, fmt_pct
from ui.exports import export_buttons
from ui.frame import page_frame
from ui.tables import RISK_LABELS_TABLE

filters = page_frame("返贫监测", "relapse")
year = filters.year
cap = float(load_config().targets["relapse_cap_pct"])

towns = data.figures_by_level("township")
names = data.townships().set_index("township_code")["name"]
if filters.townships:
    towns = towns[towns["scope_code"].isin(filters.townships)]
now = towns[towns["year"] == year].assign(name=lambda f: f["scope_code"].map(names))
selection = data.selection_figures(townships=filters.townships, villages=filters.villages)
row = selection[selection["year"] == year]

c = st.columns(4)
rate = row["relapse_rate_pct"].iloc[0] if not row.empty else None
c[0].metric(f"{filters.scope_label}返贫率", fmt_pct(rate),
            f"上限 {cap:g}%，{'超限' if rate is not None and rate > cap else '未超限'}",
            delta_color="off", delta_arrow="off", border=True)
c[1].metric("返贫人口", fmt_int(row["relapsed_persons"].iloc[0] if not row.empty else None),
            f"年初已脱贫 {fmt_int(row['exited_stock_start'].iloc[0] if not row.empty else None)} 人",
            delta_color="off", delta_arrow="off", border=True)
over = int((now["relapse_rate_pct"] > cap).sum())
c[2].metric("超过上限的乡镇", f"{over} 个", f"共 {len(now)} 个乡镇", delta_color="off", delta_arrow="off", border=True)

if now["relapse_rate_pct"].notna().any():
    st.plotly_chart(figure(charts.build_relapse_by_township,
        now, cap, f"{year}年各乡镇返贫率（红色超过{cap:g}%上限）"), key="relapse_townships")
else:
    st.info(f"{year} 年还没有已脱贫人口，返贫率无从计算。")

st.subheader("各乡镇历年返贫率（%，超过上限标红）")
matrix = relapse_matrix(towns, names)
st.dataframe(matrix.style.format("{:.2f}", na_rep="—").map(
    lambda v: "background-color: #f5b7b1; font-weight: bold" if v == v and v is not None and v > cap else ""),
    key="relapse_matrix")

left, right = st.columns(2)
causes = data.relapse_by_cause(townships=filters.townships)
if causes.empty:
    left.info("所选范围内没有返贫。")
else:
    left.plotly_chart(figure(charts.build_relapse_by_cause, causes, cap), key="relapse_causes")
cohorts = data.cohort_relapse(townships=filters.townships)
if cohorts.empty:
    right.info("所选范围内还没有脱贫批次。")
else:
    right.plotly_chart(figure(charts.build_cohorts, cohorts), key="cohorts")

st.subheader(f"{year}年防返贫监测对象")
st.caption("监测标准：人均纯收入低于贫困线1.5倍，或收入比上年下降超过30%，或因病、因灾返贫。")
at_risk = data.at_risk_village_counts(year, townships=filters.townships, villages=filters.villages)
c[3].metric("监测对象", f"{fmt_int(at_risk['households'].sum())} 户", f"{fmt_int(at_risk['persons'].sum())} 人",
            delta_color="off", delta_arrow="off", border=True)
if at_risk.empty:
    st.info("所选范围内没有监测对象。")
else:
    counts = at_risk_counts(at_risk).assign(name=lambda f: f["township_code"].map(names))
    st.dataframe(counts, hide_index=True, key="risk_counts",
                 column_order=["name", "households", "persons", *RISK_LABELS_TABLE],
                 column_config={"name": "乡镇", "households": "户数", "persons": "人数",
                                **RISK_LABELS_TABLE})
    vills = dict(zip(at_risk["village_code"], at_risk["village_name"]))
    village = st.selectbox("按村查看监测户（已脱敏）", list(vills), index=None, key="risk_village",
                           bind="query-params", format_func=lambda v: vills.get(v, v),
                           placeholder="选择村")
    if village:
        listing = data.at_risk_households(year, townships=filters.townships, villages=(village,))
        labels = {"household_id": "户编号", "head_name": "户主", "head_id_number": "身份证号",
                  "members": "人口", "status": "状态", "income": "人均纯收入（元）",
                  "prev_income": "上年人均纯收入（元）", "reasons": "监测原因",
                  "cadre_name": "帮扶责任人"}
        st.dataframe(listing, hide_index=True, column_order=list(labels),
                     column_config=labels, key="risk_list")
        e1, e2, _ = st.columns([1, 1, 4])
        export_buttons((e1, e2), listing, labels, f"at_risk_{village}_{year}", "监测户")

st.subheader(f"{year}年防返贫预警：每月走访名单")
st.caption("风险分 = 各规则分值之和：收入低于1.5倍贫困线 2、收入骤降超过30% 3、因病因灾 3、低保户 1、"
           "人口多劳力少 2、务工收入不稳 1；≥6 高风险，≥4 中风险。名单为高、中风险户，按村排列。")
counts = data.risk_level_counts(year, townships=filters.townships, villages=filters.villages)
visits = data.visit_list_top(year, townships=filters.townships, villages=filters.villages)
listed = int(counts["high"].sum() + counts["medium"].sum())
w = st.columns(3)
w[0].metric("监测户（已脱贫及当年返贫）", f"{fmt_int(counts['monitored'].sum())} 户", border=True)
w[1].metric("高风险", f"{fmt_int(counts['high'].sum())} 户", border=True)
w[2].metric("中风险", f"{fmt_int(counts['medium'].sum())} 户", border=True)
counts = counts.assign(name=lambda f: f["township_code"].map(names))
if not counts.empty:
    st.dataframe(counts, hide_index=True, key="warning_counts",
                 column_order=["name", "monitored", "high", "medium", "high_persons"],
                 column_config={"name": "乡镇", "monitored": "监测户", "high": "高风险（户）",
                                "medium": "中风险（户）", "high_persons": "高风险（人）"})
if listed > len(visits):
    st.caption(f"名单共 {fmt_int(listed)} 户，下表列出按村排列的前 {fmt_int(len(visits))} 户；"
               "选择乡镇或村可查看其余各户。")
if visits.empty:
    st.info("所选范围内没有高、中风险户。")
else:
    labels = {"village_name": "村", "household_id": "户编号", "head_name": "户主", "members": "人口",
              "level": "风险", "score": "风险分", "reasons": "预警原因", "income": "人均纯收入（元）",
              "cadre_name": "帮扶责任人", "cadre_rank": "级别"}
    st.dataframe(visits, hide_index=True, column_order=list(labels), column_config=labels,
                 key="visit_list")
    v1, v2, _ = st.columns([1, 1, 4])
    export_buttons((v1, v2), visits, labels, f"visit_list_{year}", "走访名单")
