"""返贫监测 — relapse against the cap, by township, cause and exit cohort; the 监测对象
(防返贫监测, rule in analytics/early_warning.py) by township and their visit list."""

from __future__ import annotations

import streamlit as st

from analytics import charts
from analytics.config import load_config
from analytics.counties import with_county
from analytics.early_warning import monitoring_labels, visit_list_relapse_note
from analytics.metrics import relapse_matrix
from ui import data
from ui.charts import figure
from analytics.verdicts import number
from ui.format import fmt_int, fmt_pct
from ui.exports import export_buttons
from ui.frame import page_frame
from ui.tiles import change, gap_words, tile
from ui.tables import (RISK_COUNT_LABELS, data_table, VISIT_LIST_FORMATS, VISIT_LIST_LABELS, decimals, risk_count_column_config,
                       visit_list_column_config, visit_list_shown)

filters = page_frame("返贫监测", "relapse")
year = filters.year
t = load_config().targets
cap = float(t["relapse_cap_pct"])

towns = data.figures_by_level("township")
names = data.townships().set_index("township_code")["name"]
if filters.townships:
    towns = towns[towns["scope_code"].isin(filters.townships)]
now = towns[towns["year"] == year].assign(name=lambda f: f["scope_code"].map(names))
selection = data.selection_figures(townships=filters.townships, villages=filters.villages)
row = selection[selection["year"] == year]

c = st.columns(4)
rate = row["relapse_rate_pct"].iloc[0] if not row.empty else None
cap_words = gap_words(rate, cap, "%", f"{number(cap)}%上限")
tile(c[0], f"{filters.scope_label}返贫率", fmt_pct(rate),
     **change(selection, year, "relapse_rate_pct", "%", baseline_year=int(t["baseline_year"]), lower_is_better=True),
     help=f"每年控制在{number(cap)}%以内；" + (f"{year}年{cap_words}" if cap_words else "尚无已脱贫人口，不计返贫率"),
     border=True)
tile(c[1], "返贫人口", fmt_int(row["relapsed_persons"].iloc[0] if not row.empty else None),
            f"年初已脱贫 {fmt_int(row['exited_stock_start'].iloc[0] if not row.empty else None)} 人",
            delta_color="off", delta_arrow="off", border=True)
over = int((now["relapse_rate_pct"] > cap).sum())
tile(c[2], "超过上限的乡镇", f"{over} 个", f"共 {len(now)} 个乡镇", delta_color="off", delta_arrow="off", border=True)

if filters.counties_shown and not filters.townships:  # 全省: one bar per county, not hundreds
    county_names = data.counties().set_index("county_code")["name"]
    bars = data.figures_by_level("county")
    bars, bar_level = bars[bars["year"] == year].assign(name=lambda f: f["scope_code"].map(county_names)), "县"
else:
    bars, bar_level = now, "乡镇"
if now["relapse_rate_pct"].notna().any():
    st.plotly_chart(figure(charts.build_relapse_by_township,
        bars, cap, f"{year}年各{bar_level}返贫率（上限{number(cap)}%）", x_title=bar_level),
        key="relapse_townships")
else:
    st.info(f"{year} 年还没有已脱贫人口，返贫率无从计算。")

st.subheader("各乡镇历年返贫率（%，超过上限标红）")
matrix = relapse_matrix(towns, names)
data_table(matrix.style.format("{:.2f}", na_rep="—").map(
    lambda v: "background-color: #f5b7b1; font-weight: bold" if v == v and v is not None and v > cap else ""),
    key="relapse_matrix", placeholder="—")

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

st.subheader(f"{year}年防返贫监测对象与走访名单")
texts = monitoring_labels(year)  # every threshold below comes from the configuration
st.caption(f"{texts['monitored']}{texts['line']}。{texts['levels']}。")
counts = data.risk_level_counts(year, townships=filters.townships, villages=filters.villages)
visits = data.visit_list_top(year, townships=filters.townships, villages=filters.villages,
                             events_shown=data.current_viewer().may_see_personal)
monitored = int(counts["monitored"].sum())
tile(c[3], "监测对象", f"{fmt_int(monitored)} 户", f"{fmt_int(counts['persons'].sum())} 人",
            help=texts["monitored"], delta_color="off", delta_arrow="off", border=True)
tiles = [("高风险", "high"), ("中风险", "medium")]
if counts["low"].sum() > 0:
    tiles.append(("低风险", "low"))
tiles += [("收入骤降", "income_drop"), ("因病因灾", "illness_or_disaster")]
for column, (label, key) in zip(st.columns(len(tiles)), tiles):
    tile(column, label, f"{fmt_int(counts[key].sum())} 户", help=texts[key], border=True)
if counts.empty:
    st.info("所选范围内没有监测对象。")
else:
    labels = data.township_labels()
    table, titles = with_county(counts.assign(name=lambda f: f["township_code"].map(labels)),
                                "township_code", RISK_COUNT_LABELS, shown=filters.counties_shown)
    shown = [k for k in titles if k != "low" or counts["low"].sum() > 0]
    data_table(table, hide_index=True, key="risk_counts", column_order=shown,
                 column_config=risk_count_column_config(year), placeholder="—")

st.markdown(f"**{year}年每月走访名单**")
st.caption(f"{texts['visit_list']}。{texts['score']}。")
relapse_note = visit_list_relapse_note(year, *data.relapsed_households_listed(
    year, townships=filters.townships, villages=filters.villages))
if relapse_note:  # why the list has fewer 返贫 rows than the year's relapsed households
    st.caption(relapse_note)
if monitored > len(visits):
    st.caption(f"名单共 {fmt_int(monitored)} 户，下表列出按村排列的前 {fmt_int(len(visits))} 户；"
               "选择乡镇或村可查看其余各户。")
if visits.empty:
    st.info("所选范围内没有监测对象。")
else:
    visits, visit_labels = with_county(visit_list_shown(visits), "village_code", VISIT_LIST_LABELS,
                                       shown=filters.counties_shown)
    data_table(visits, hide_index=True, column_order=list(visit_labels),
                 column_config=visit_list_column_config(year), key="visit_list", placeholder="—")
    v1, v2, _ = st.columns([1, 1, 4])
    export_buttons((v1, v2), visits, visit_labels, scope=filters.scope_label, what="走访名单",
                   year=year, decimals=decimals(VISIT_LIST_FORMATS))
