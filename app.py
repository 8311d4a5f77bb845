"""总览 — the county leaders' overview: where we are against every target."""

from __future__ import annotations

import streamlit as st

from analytics import charts
from analytics.config import load_config
from analytics.scores import township_league
from ui import data
from ui.charts import figure
from ui.format import delta_text, fmt_int, fmt_pct, fmt_yuan
from ui.frame import page_frame
from ui.township_map import township_map

filters = page_frame("总览", "overview")
config = load_config()
t = config.targets
year = filters.year

series = data.selection_figures(townships=filters.townships, villages=filters.villages)
row = series[series["year"] == year]
if row.empty or row["registered_population"].fillna(0).sum() == 0 and row["poor_persons"].sum() == 0:
    st.info(f"{filters.scope_label} {year} 年没有数据。请换一个年份或范围。")
    st.stop()
row = row.iloc[0]
exits = data.exits_against_plan()
plan_row = exits[exits["year"] == year].iloc[0] if (exits["year"] == year).any() else None
is_county = not filters.townships and not filters.villages

st.caption(f"范围：{filters.scope_label} · {year} 年 · 数字为年末状态")
c = st.columns(6)
c[0].metric(
    f"贫困发生率 · 目标<{t['incidence_pct']:g}%", fmt_pct(row["poverty_incidence_pct"]),
    delta_text(row["poverty_incidence_pct"], t["incidence_pct"], "pct", lower_is_better=True),
    delta_color="inverse" if row["poverty_incidence_pct"] is not None else "off",
    help=f"目标：{t['target_year']}年全县低于{t['incidence_pct']:g}%；退出线{t['exit_threshold_pct']:g}%。"
         f"距退出线还需脱贫 {fmt_int(row['persons_to_threshold'])} 人。",
    border=True)
if is_county and plan_row is not None and plan_row["has_plan"]:
    c[1].metric("当年脱贫人数", fmt_int(row["exited_persons"]),
                f"计划 {fmt_int(plan_row['planned_persons'])} 人，完成 "
                f"{fmt_pct(plan_row['persons_vs_plan_pct'])}", delta_color="off", delta_arrow="off", border=True)
    c[2].metric("当年退出贫困村", fmt_int(plan_row["exited_villages"]),
                f"计划 {fmt_int(plan_row['planned_villages_plan'])} 个", delta_color="off", delta_arrow="off",
                border=True)
else:
    c[1].metric("当年脱贫人数", fmt_int(row["exited_persons"]), "县计划按年下达，不分乡镇",
                delta_color="off", delta_arrow="off", border=True)
    c[2].metric("剩余贫困人口", fmt_int(row["poor_persons"]),
                f"距3%退出线还差 {fmt_int(row['persons_to_threshold'])} 人", delta_color="off", delta_arrow="off",
                border=True)
c[3].metric(
    f"农村人均可支配收入 · 目标{t['rural_income_yuan']:g}", fmt_yuan(row["rural_income_per_capita"]),
    delta_text(row["rural_income_per_capita"], t["rural_income_yuan"], "yuan"),
    help=f"县目标{t['rural_income_yuan']:g}元、省目标{t['province_rural_income_yuan']:g}元（{t['target_year']}年）",
    border=True)
c[4].metric(
    f"建档立卡户人均纯收入 · 目标{t['registered_income_yuan']:g}", fmt_yuan(row["registered_income_per_capita"]),
    delta_text(row["registered_income_per_capita"], t["registered_income_yuan"], "yuan"),
    help=f"县目标{t['registered_income_yuan']:g}元、省目标{t['province_registered_income_yuan']:g}元",
    border=True)
c[5].metric(
    f"返贫率 · 上限{t['relapse_cap_pct']:g}%", fmt_pct(row["relapse_rate_pct"]),
    delta_text(row["relapse_rate_pct"], t["relapse_cap_pct"], "pct", lower_is_better=True),
    delta_color="inverse" if row["relapse_rate_pct"] == row["relapse_rate_pct"] else "off",
    help=f"每年控制在{t['relapse_cap_pct']:g}%以内。返贫 {fmt_int(row['relapsed_persons'])} 人 / "
         f"年初已脱贫 {fmt_int(row['exited_stock_start'])} 人",
    border=True)

left, right = st.columns(2)
left.plotly_chart(figure(charts.build_trend,
    series, "poverty_incidence_pct", "贫困发生率", "贫困发生率（%）",
    targets=[(t["incidence_pct"], f"{t['target_year']}年目标 {t['incidence_pct']:g}%"),
             (t["exit_threshold_pct"], f"退出线 {t['exit_threshold_pct']:g}%"),
             (t["province_incidence_pct"], f"省目标 {t['province_incidence_pct']:g}%")]),
    key="trend_incidence")
if is_county:
    right.plotly_chart(figure(charts.build_exits_vs_plan, exits), key="exits_plan")
else:
    right.plotly_chart(figure(charts.build_trend, series, "exited_persons", "当年脱贫人数", "人"),
                       key="exits_trend")
left, right = st.columns(2)
left.plotly_chart(figure(charts.build_trend,
    series, "rural_income_per_capita", "人均收入", "元/人·年",
    series_name="农村居民人均可支配收入",
    extra=[("registered_income_per_capita", "建档立卡户人均纯收入", charts.PLAN)],
    targets=[(t["rural_income_yuan"], f"农村收入县目标 {t['rural_income_yuan']:g}"),
             (t["registered_income_yuan"], f"建档立卡户县目标 {t['registered_income_yuan']:g}")]),
    key="trend_income")
right.plotly_chart(figure(charts.build_trend,
    series, "relapse_rate_pct", "返贫率", "返贫率（%）",
    targets=[(t["relapse_cap_pct"], f"上限 {t['relapse_cap_pct']:g}%")]), key="trend_relapse")

st.subheader(f"乡镇作战图与排名（{year}年）")
map_col, table_col = st.columns([5, 6])
with map_col:
    township_map(year, height=560)
towns = data.figures_by_level("township")
league = township_league(towns, data.townships(), year)
if filters.townships:
    league = league[league["township_code"].isin(filters.townships)]
league["view"] = [f"townships?township={name}&year={year}" for name in league["name"]]
league["light"] = league["light"].map({"green": "🟢", "amber": "🟡", "red": "🔴"})
table_col.dataframe(
    league,
    hide_index=True,
    height=600,
    column_order=["rank", "light", "name", "grade", "score", "poverty_incidence_pct",
                  "persons_to_threshold", "relapse_rate_pct", "registered_income_per_capita", "view"],
    column_config={
        "rank": st.column_config.NumberColumn("排名"),
        "light": st.column_config.TextColumn("状态"),
        "name": st.column_config.TextColumn("乡镇"),
        "grade": st.column_config.TextColumn("等次"),
        "score": st.column_config.NumberColumn("得分", format="%.1f"),
        "poverty_incidence_pct": st.column_config.NumberColumn("贫困发生率（%）", format="%.2f"),
        "persons_to_threshold": st.column_config.NumberColumn("距3%还需脱贫（人）", format="%d"),
        "relapse_rate_pct": st.column_config.NumberColumn("返贫率（%）", format="%.2f"),
        "registered_income_per_capita": st.column_config.NumberColumn("建档立卡户人均纯收入（元）",
                                                                       format="%.0f"),
        "view": st.column_config.LinkColumn("查看", display_text="进入乡镇 ›"),
    },
    key="league",
)
st.caption("得分 = 减贫进度 40 + 返贫控制 30 + 收入进度 30；≥90 好，80–90 较好，70–80 一般，<70 较差。"
           "返贫率超过上限的乡镇标红。")

st.subheader(f"能否按期完成？（以{year}年末数据预测）")
outlook = data.township_outlook(year)
if filters.townships:
    outlook = outlook[outlook["township_code"].isin(filters.townships)]
st.dataframe(
    outlook.sort_values(["on_track", "projected_incidence_pct"], ascending=[True, False]),
    hide_index=True, key="outlook",
    column_order=["name", "planned_exit_year", "incidence_pct", "projected_incidence_pct",
                  "projected_low_pct", "projected_high_pct", "flag", "projected_income"],
    column_config={
        "name": "乡镇", "planned_exit_year": st.column_config.NumberColumn("计划摘帽", format="%d"),
        "incidence_pct": st.column_config.NumberColumn("当前发生率（%）", format="%.2f"),
        "projected_incidence_pct": st.column_config.NumberColumn("计划年预测（%）", format="%.2f"),
        "projected_low_pct": st.column_config.NumberColumn("90%区间下限", format="%.2f"),
        "projected_high_pct": st.column_config.NumberColumn("90%区间上限", format="%.2f"),
        "flag": "判断",
        "projected_income": st.column_config.NumberColumn(
            f"{t['target_year']}年建档立卡户收入预测（元）", format="%.0f"),
    })
st.caption("按各乡镇截至所选年份的发生率对数线性趋势外推到计划摘帽年份（90%预测区间）；"
           "预测低于3%为有望按期。脱贫多集中在计划年份完成，趋势外推偏保守，提示关注而非结论。")
