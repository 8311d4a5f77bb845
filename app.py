"""总览 — the county leaders' overview: where we are against every target."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from analytics import charts
from analytics.config import load_config
from analytics.counties import COUNTY_COLUMN, COUNTY_TITLE, unique_labels, with_county
from analytics.scores import county_league, township_league
from ui import data
from ui.charts import figure
from analytics.verdicts import number
from ui.format import fmt_band, fmt_int, fmt_pct, fmt_yuan, judged_target, target_words
from ui.frame import page_frame
from ui.tables import data_table
from ui.tiles import change, gap_words, tile
from ui.township_map import OVERVIEW_MAP_VIEW, map_level, township_map

filters = page_frame("总览", "overview")
config = load_config()
t = filters.targets  # the county's targets, or the province's (several counties, none chosen)
owner = t["owner"]
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
threshold = t["exit_threshold_pct"]
target_year = int(t["target_year"])
due_with = "全县" if filters.whole == "全县" else "所在县"  # a township the plan does not name is due with its county


judgements: list[str] = []  # the whole sentences, under the tiles
gaps: list[str] = []        # how far from a target or cap, in words (a delta is the change on the year)
baseline_year = int(t["baseline_year"])
cap = float(t["relapse_cap_pct"])


def judged(column: str, key: str, comparison: str, unit: str, decimals: int, name: str) -> tuple[dict, str]:
    """(the tile's change on the year before, its target in words): a target of
    ``target_year`` is judged in its own year; before it, the gap is said in words."""
    judgement, _ = judged_target(series, row, column, float(t[key]), comparison, target_year, year,
                                 unit, decimals)
    if judgement.state != "pending":
        words = f"{name} {judgement.text}"
        judgements.append(words)
    else:
        words = f"{name}{gap_words(row[column], t[key], unit, f'{target_year}年目标', decimals)}"
        gaps.append(words)
    return change(series, year, column, unit, baseline_year=baseline_year,
                  lower_is_better=comparison == "<", digits=decimals), words


below_line = row["poverty_incidence_pct"] < threshold  # False when missing
line_words = (f"已低于{number(threshold)}%退出线" if below_line else
              f"距{number(threshold)}%退出线还需脱贫 {fmt_int(row['persons_to_threshold'])} 人")
st.caption(f"范围：{filters.scope_label} · {year} 年 · 数字为年末状态" +
           (" · 基线年：各项变化从下一年起算" if year <= baseline_year else " · 箭头为较上年的变化"))
c = list(st.columns(3)) + list(st.columns(3))  # two rows: nothing cut at 1366 px
delta, words = judged("poverty_incidence_pct", "incidence_pct", "<", "%", 2, "贫困发生率")
tile(c[0], "贫困发生率", fmt_pct(row["poverty_incidence_pct"]), **delta,
    help=f"贫困发生率 = 未脱贫建档立卡人口 ÷ 农村户籍人口（数据约定）。目标：{target_year}年{filters.whole}低于"
         f"{number(t['incidence_pct'])}%（{owner}目标），在{target_year}年的数据上评判；退出线{number(threshold)}%。"
         f"{words}；{line_words}。",
    border=True)
if year <= baseline_year:
    tile(c[1], "当年脱贫人数", fmt_int(row["exited_persons"]), "基线", delta_description="基线年：脱贫从下一年起算",
         delta_color="off", delta_arrow="off", border=True)
elif is_county and plan_row is not None and plan_row["has_plan"]:
    tile(c[1], "当年脱贫人数", fmt_int(row["exited_persons"]),
                f"计划 {fmt_int(plan_row['planned_persons'])} 人，完成 "
                f"{fmt_pct(plan_row['persons_vs_plan_pct'])}", delta_color="off", delta_arrow="off", border=True)
else:
    tile(c[1], "当年脱贫人数", fmt_int(row["exited_persons"]),
         f"{year}年无年度脱贫计划" if is_county else "县计划按年下达，不分乡镇",
         delta_color="off", delta_arrow="off", border=True)
if is_county and plan_row is not None and plan_row["has_plan"] and year > baseline_year:
    tile(c[2], "当年退出贫困村", fmt_int(plan_row["exited_villages"]),
                f"计划 {fmt_int(plan_row['planned_villages_plan'])} 个", delta_color="off", delta_arrow="off",
                border=True)
else:
    tile(c[2], "剩余贫困人口", fmt_int(row["poor_persons"]), line_words, delta_color="off",
         delta_arrow="off", border=True)
delta, words = judged("rural_income_per_capita", "rural_income_yuan", ">=", "元", 0, "农村人均可支配收入")
tile(c[3], "农村人均可支配收入", fmt_yuan(row["rural_income_per_capita"]), **delta,
    help=f"{target_words(t, 'rural_income_yuan', '元')}"
         f"（{target_year}年，在{target_year}年的数据上评判）。{words}。",
    border=True)
delta, words = judged("registered_income_per_capita", "registered_income_yuan", ">=", "元", 0, "建档立卡户人均纯收入")
tile(c[4], "建档立卡户人均纯收入", fmt_yuan(row["registered_income_per_capita"]), **delta,
    help=f"{target_words(t, 'registered_income_yuan', '元')}"
         f"（{target_year}年，在{target_year}年的数据上评判）。{words}。",
    border=True)
relapse_words = gap_words(row["relapse_rate_pct"], cap, "%", f"{number(cap)}%上限")
if relapse_words:
    gaps.append(f"返贫率{relapse_words}")
tile(c[5], f"返贫率 · 上限{number(cap)}%", fmt_pct(row["relapse_rate_pct"]),
    **change(series, year, "relapse_rate_pct", "%", baseline_year=baseline_year, lower_is_better=True),
    help=f"每年控制在{number(cap)}%以内" + (f"，{year}年{relapse_words}" if relapse_words else
                                         "；尚无已脱贫人口，不计返贫率") +
         f"。返贫 {fmt_int(row['relapsed_persons'])} 人 / 年初已脱贫 {fmt_int(row['exited_stock_start'])} 人",
    border=True)

if gaps:
    st.caption(f"{year}年：" + "；".join(gaps) + "。")
if judgements:
    st.caption(f"{target_year}年目标按{target_year}年的数据评判：" + "；".join(judgements) + "。")
left, right = st.columns(2)
left.plotly_chart(figure(charts.build_trend,
    series, "poverty_incidence_pct", "贫困发生率", "贫困发生率（%）",
    targets=[(t["incidence_pct"], f"{t['target_year']}年{owner}目标 {number(t['incidence_pct'])}%"),
             (t["exit_threshold_pct"], f"退出线 {number(t['exit_threshold_pct'])}%")]
    + ([(t["province_incidence_pct"], f"省目标 {number(t['province_incidence_pct'])}%")] if owner == "县" else []),
    series_name="贫困发生率"),
    key="trend_incidence")
if is_county:
    right.plotly_chart(figure(charts.build_exits_vs_plan, exits), key="exits_plan")
else:
    right.plotly_chart(figure(charts.build_trend, series, "exited_persons", "当年脱贫人数", "人",
                              series_name="当年脱贫人数"),
                       key="exits_trend")
left, right = st.columns(2)
left.plotly_chart(figure(charts.build_trend,
    series, "rural_income_per_capita", "人均收入", "元/人·年",
    series_name="农村居民人均可支配收入",
    extra=[("registered_income_per_capita", "建档立卡户人均纯收入", charts.ACTUAL_OTHER)],
    targets=[(t["rural_income_yuan"], f"农村收入{owner}目标 {number(t['rural_income_yuan'])}元"),
             (t["registered_income_yuan"], f"建档立卡户{owner}目标 {number(t['registered_income_yuan'])}元")]),
    key="trend_income")
right.plotly_chart(figure(charts.build_trend,
    series, "relapse_rate_pct", "返贫率", "返贫率（%）",
    targets=[(cap, f"上限 {number(cap)}%")], series_name="返贫率",
    empty_note="尚无已脱贫人口，不计返贫率"), key="trend_relapse")

by_county = filters.counties_shown and not filters.townships  # 全省: a league of counties
st.subheader(f"{'各县作战图与排名' if map_level() == 'county' else '乡镇作战图与排名'}（{year}年）")
map_col, table_col = st.columns([5, 6])
with map_col:
    township_map(year, height=560, view=OVERVIEW_MAP_VIEW)
if by_county:
    league = county_league(data.figures_by_level("county"), data.counties(), year)
    county_labels = unique_labels(league["county_code"], league["name"])
    league["name"] = league["county_code"].map(county_labels)
    league["view"] = [f"./?county={quote(label)}&year={year}" for label in league["name"]]
else:
    league = township_league(data.figures_by_level("township"), data.townships(), year)
    if filters.townships:
        league = league[league["township_code"].isin(filters.townships)]
    town_labels = data.township_labels()
    league["name"] = league["township_code"].map(town_labels)
    county_param = f"&county={quote(filters.labels[filters.county])}" if filters.county else ""
    league["view"] = [f"townships?township={quote(town_labels.get(code, code))}&year={year}{county_param}"
                      for code in league["township_code"]]
    league, _ = with_county(league, "township_code", shown=filters.counties_shown)
league["light"] = league["light"].map({"green": "🟢", "amber": "🟡", "red": "🔴", "none": "⚪"})
league["relapse_text"] = [fmt_pct(v) for v in league["relapse_rate_pct"]]  # "—" before any exit
league["to_line_text"] = ["已低于退出线" if p < threshold else fmt_int(n)  # not "还需脱贫 0 人"
                          for p, n in zip(league["poverty_incidence_pct"], league["persons_to_threshold"])]
scored = league["score"].notna().any()
points = config.scores
data_table(
    league, where=table_col,
    hide_index=True,
    height=min(600, 35 * (len(league) + 1) + 3),  # ten counties: no empty rows below them
    column_order=(["rank"] if scored else []) + ["light"]
    # the link beside the name: in view at 1366 px, where the table scrolls sideways
    + ([COUNTY_COLUMN] if COUNTY_COLUMN in league else []) + ["name", "view", "verdict_text"]
    + (["grade", "score"] if scored else []) + ["poverty_incidence_pct", "to_line_text",
                                               "relapse_text", "registered_income_per_capita"],
    column_config={
        "rank": st.column_config.NumberColumn("排名"),
        "light": st.column_config.TextColumn("状态"),
        COUNTY_COLUMN: st.column_config.TextColumn(COUNTY_TITLE),
        "name": st.column_config.TextColumn("县" if by_county else "乡镇"),
        "verdict_text": st.column_config.TextColumn(
            "摘帽判断", help="每个乡镇一年一个判断，与地图、作战图和简报一致：计划年之前看趋势预测，"
                         "计划年及以后看结果（术语见 docs/glossary.md）"),
        "grade": st.column_config.TextColumn("等次"),
        "score": st.column_config.NumberColumn("得分", format="%.1f"),
        "poverty_incidence_pct": st.column_config.NumberColumn("贫困发生率（%）", format="%.2f"),
        "to_line_text": st.column_config.TextColumn(f"距{number(threshold)}%还需脱贫（人）"),
        "relapse_text": st.column_config.TextColumn("返贫率"),
        "registered_income_per_capita": st.column_config.NumberColumn("建档立卡户人均纯收入（元）",
                                                                       format="%.0f"),
        "view": st.column_config.LinkColumn("查看", display_text="进入本县 ›" if by_county else "进入乡镇 ›"),
    },
    key="league", placeholder="—"
)
if by_county:
    table_col.caption("各县按与乡镇相同的规则以县级指标评分排名（县按全县整体摘帽年份评判）；"
                      "在左侧选择县或点“进入本县”，查看该县各乡镇的排名。")
grades = "，".join(f"≥{v:g} {k}" for k, v in config.grades.items() if v > 0) + f"，其余 {list(config.grades)[-1]}"
if scored:
    st.caption(f"得分 = 减贫进度 {points['incidence_points']:g}（按期推进或达标得满分，落后或逾期达标得一半，"
               f"未达标不得分）+ 返贫控制 {points['relapse_points']:g} + 收入进度 {points['income_points']:g}；"
               f"{grades}；同分并列。🟢 按期推进或达标，🟡 落后或逾期达标，🔴 未达标或返贫率超过"
               f"{t['relapse_cap_pct']:g}%上限。")
elif year <= int(t["baseline_year"]):
    st.caption(f"{year}年为基线年：⚪ 尚无判断，不评分。得分与排名在攻坚期（{int(t['baseline_year']) + 1}–"
               f"{target_year}年）计算。")
else:
    st.caption(f"得分与排名只在攻坚期（{int(t['baseline_year']) + 1}–{target_year}年）计算；"
               f"{year}年只看摘帽判断。🟢 按期达标，🟡 逾期达标，🔴 未达标或返贫率超过"
               f"{t['relapse_cap_pct']:g}%上限。")

outlook = data.township_outlook(year)
if filters.townships:
    outlook = outlook[outlook["township_code"].isin(filters.townships)]
outlook = outlook.assign(name=outlook["township_code"].map(data.township_labels()).fillna(outlook["name"]))
outlook, _ = with_county(outlook, "township_code", shown=filters.counties_shown)
forecasting = outlook["projected_incidence_pct"].notna().any()
baseline = (outlook["verdict"] == "baseline").all()
if baseline:
    st.subheader("能否按期完成？")
    st.info(f"{year}年是基线年：各乡镇从这一年出发，还没有可作判断的趋势。请选择以后的年份。")
elif forecasting:
    st.subheader(f"能否按期完成？（以{year}年末数据预测）")
    outlook = outlook.assign(forecast=[
        fmt_band(c, lo, hi) for c, lo, hi in zip(outlook["projected_incidence_pct"],
                                                 outlook["projected_low_pct"], outlook["projected_high_pct"])])
else:
    st.subheader(f"摘帽结果（截至{year}年）")
if not baseline:
    data_table(
        outlook.sort_values(["on_track", "incidence_pct"], ascending=[True, False]),
        hide_index=True, key="outlook",
        column_order=([COUNTY_COLUMN] if COUNTY_COLUMN in outlook else [])
        + ["name", "planned_exit_year", "incidence_pct", "verdict_text"]
        + (["forecast", "projected_income"] if forecasting else []),
        column_config={
            COUNTY_COLUMN: COUNTY_TITLE, "name": "乡镇",
            "planned_exit_year": st.column_config.NumberColumn("计划摘帽", format="%d"),
            "incidence_pct": st.column_config.NumberColumn(f"{year}年发生率（%）", format="%.2f"),
            "verdict_text": "摘帽判断",
            "forecast": "计划年预测（90%区间）",
            "projected_income": st.column_config.NumberColumn(
                f"{target_year}年建档立卡户收入预测（元）", format="%.0f"),
        }, placeholder="—")
if forecasting:
    st.caption(f"计划摘帽年份之前：按截至{year}年的发生率对数线性趋势外推到计划年份（90%预测区间），"
               f"预测低于{threshold:g}%为按期推进。脱贫多集中在计划年份完成，趋势外推偏保守，提示关注而非结论。"
               f"计划年份及以后只看结果，不再预测。计划未列明的乡镇随{due_with}在{int(t['unnamed_due_year'])}年摘帽。")
elif not baseline:
    st.caption(f"各乡镇的计划摘帽年份都已过去：这里是结果，不是预测。计划未列明的乡镇随{due_with}在"
               f"{int(t['unnamed_due_year'])}年摘帽。")
