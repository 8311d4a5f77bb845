"""帮扶措施 — 一户一策 measures by township and year against the plan's counts, the 精准
gap (poor households without a measure), 双联 (8741) coverage, 驻村帮扶 (两个全覆盖) and
低保兜底. Definitions: analytics/assistance.py and analytics/pairing.py."""

from __future__ import annotations

import streamlit as st

from analytics import assistance, pairing, plan_charts
from analytics.config import load_config
from analytics.contract import MEASURES, RANK_QUOTA
from analytics.counties import with_county
from ui import data
from ui.charts import figure
from ui.exports import export_buttons
from ui.format import floored, fmt_int, fmt_pct, fmt_share
from ui.frame import page_frame
from ui.plan_tables import (CADRE_FORMATS, DIBAO_FORMATS, GAP_FORMATS, MEASURE_FORMATS,
                            OVER_QUOTA_FORMATS, SUPPORT_COUNT_FORMATS, SUPPORT_GAP_FORMATS,
                            cadre_config, config, named, support_count_config)
from ui.tables import data_table, decimals
from ui.tiles import tile

filters = page_frame("帮扶措施", "assistance")
year = filters.year
scope = filters.scope_label
names = filters.row_names  # a chosen village's row is named after the village
towns = data.township_labels()
where = dict(townships=filters.townships, villages=filters.villages)
viewer_scoped = bool(data.current_viewer().townships)  # a township analyst never sees the county
top = filters.whole  # 全县, or 全省 (several counties, none chosen)
who = "县" if top == "全县" else "各县"  # whose plan: the county's, or its counties' summed

counts = data.household_counts(**where)
now = counts[(counts["scope_code"] == "total") & (counts["year"] == year)]
if now.empty:
    st.info(f"{scope} {year} 年没有建档立卡户数据。请换一个年份或范围。")
    st.stop()
measures = data.measure_counts(**where)
coverage = assistance.measure_coverage(counts)
plan = assistance.measure_plan_progress(measures, data.scope_measure_plan())
cadres = pairing.cadre_coverage(counts)
dibao = assistance.dibao_shares(counts)
support = data.village_support_status(**where)
support_counts = pairing.village_support_counts(support)


def total(frame, column):
    rows = frame[(frame["scope_code"] == "total") & (frame["year"] == year)]
    return rows[column].iloc[0] if len(rows) else None


c = st.columns(5)
gap = total(coverage, "without_measure")
tile(c[0], "未脱贫户措施覆盖率", fmt_share(total(coverage, "coverage_pct")),
     f"{fmt_int(gap)} 户无措施" if gap else "每户都有措施", delta_color="off", delta_arrow="off",
     help="建档立卡以来至少有一项一户一策帮扶措施的未脱贫户 ÷ 未脱贫户", border=True)
planned = plan[plan["year"] == year]
is_county = not filters.townships and not filters.villages and not viewer_scoped
if len(planned) and is_county:
    first = planned.iloc[0]
    tile(c[1], f"{first['measure']}（计划 {fmt_int(first['planned'])} 户）",
         f"{fmt_int(first['households'])} 户", f"完成 {fmt_pct(first['done_pct'], 1)}",
         delta_color="off", delta_arrow="off",
         help="县工作会议确定的当年全县措施户数（配置 measure_plan）" + ("；全省为各县计划之和" if who == "各县" else ""),
         border=True)
elif len(planned):  # the plan's count is the county's: a township's share of it is not given
    first = planned.iloc[0]
    tile(c[1], f"{first['measure']}（{scope}）", f"{fmt_int(first['households'])} 户",
         f"{top}计划 {fmt_int(first['planned'])} 户", delta_color="off", delta_arrow="off",
         help=f"计划户数是{top}任务，未分解到乡镇，这里不计完成率", border=True)
else:
    tile(c[1], "当年计划措施户数", "—", "计划未规定", delta_color="off", delta_arrow="off",
         help=("县工作会议只规定了部分年份的措施户数（配置 measure_plan）" if len(plan) else
              "所选各县中有的县没有措施户数计划（配置只含 plan_county 一个县的计划），不汇总"), border=True)
tile(c[2], "未脱贫户结对覆盖率（8741）", fmt_share(total(cadres, "poor_coverage_pct")),
     f"全部户 {fmt_share(total(cadres, 'coverage_pct'))}", delta_color="off", delta_arrow="off",
     help="有帮扶责任人的未脱贫户 ÷ 未脱贫户（全部户：全部建档立卡户）；其余由乡镇驻村干部兜底联系",
     border=True)
met_villages = support_counts[(support_counts["scope_code"] == "total") & (support_counts["year"] == year)]
tile(c[3], "驻村帮扶达标的贫困村（个）",
     f"{fmt_int(met_villages['met'].iloc[0])}/{fmt_int(met_villages['poor_villages'].iloc[0])}"
     if len(met_villages) else "—",
     "两个全覆盖" if len(met_villages) else "无驻村帮扶记录", delta_color="off", delta_arrow="off",
     help=f"有帮扶单位、有驻村工作队、每月驻村不少于{pairing.days_minimum():g}天", border=True)
tile(c[4], "未脱贫户低保占比", fmt_pct(total(dibao, "poor_dibao_pct"), 1),
     f"{fmt_int(total(dibao, 'poor_dibao_households'))} / {fmt_int(total(dibao, 'poor_households'))} 户",
     delta_color="off", delta_arrow="off",
     help=f"纳入低保（一类或二类）的未脱贫户 ÷ 未脱贫户。全部建档立卡户中一类低保 "
          f"{fmt_int(total(dibao, 'dibao1_households'))} 户、二类 {fmt_int(total(dibao, 'dibao2_households'))} 户",
     border=True)

st.subheader("一户一策帮扶措施")
shown = measures[measures["scope_code"] == "total"]
if len(plan) and is_county and year < plan["year"].min():  # before the plan was made
    left = st
    st.caption(f"{year}年{who}尚未规定措施户数计划（计划从 {int(plan['year'].min())} 年开始）。")
elif len(plan) and is_county:
    left, right = st.columns([3, 1])
    progress = plan.assign(label=plan["year"].astype(str) + "年" + plan["measure"])
    right.plotly_chart(figure(plan_charts.build_plan_progress, progress,
                              f"{top}计划与实际（户）"), key="measure_plan")
else:
    left = st
left.plotly_chart(figure(plan_charts.build_measures_by_year, shown), key="measures_by_year")
shown_as = st.segmented_control("各乡镇措施按", ["户数", "金额"], default="户数", key="measure_value")
value = "amount_yuan" if shown_as == "金额" else "households"
table = named(assistance.measure_table(measures, coverage, year, value), names)
table["coverage_pct"] = floored(table["coverage_pct"])  # shares are cut, never rounded up to 100
labels = assistance.measure_table_labels(value)
st.markdown(f"**{year}年{'所选村' if filters.villages else '各乡镇'}帮扶措施（{'元' if value == 'amount_yuan' else '户'}）**")
columns = ["name", *[k for k in labels if k in table.columns and k != "name"]]
formats = {**MEASURE_FORMATS, **({m: "localized" for m in MEASURES} if value == "amount_yuan" else {})}
data_table(table, hide_index=True, column_order=columns, column_config=config(labels, formats),
           key="measure_table", placeholder="—")
st.caption("措施户数：当年实施该措施的建档立卡户（含当年已脱贫的户）；未脱贫户与覆盖率按年底状态。"
           + ("所选村的数字按所属乡镇分行，行名为村名（乡镇名）。" if filters.villages else ""))
e1, e2, _ = st.columns([1, 1, 4])
export_buttons((e1, e2), table[columns], labels, scope=scope,
               what="帮扶措施金额" if value == "amount_yuan" else "帮扶措施", year=year,
               decimals=decimals(formats))

st.markdown(f"**精准缺口：{year}年底尚无帮扶措施的未脱贫户（{fmt_int(gap or 0)} 户）**")
whole = (gap or 0) <= load_config().pages["max_list_rows"]
gaps = data.measure_gap_list(year, limit=None if whole else assistance.GAP_LIST_LIMIT, **where)
if gaps.empty:
    st.success("所选范围内每个未脱贫户都有帮扶措施。")
else:
    if gap and gap > len(gaps):
        st.caption(f"共 {fmt_int(gap)} 户：下表和导出文件只含按村排列的前 {fmt_int(len(gaps))} 户；"
                   "选择乡镇或村可查看、导出其余各户。")
    gaps, gap_labels = with_county(gaps, "village_code", assistance.GAP_LIST_LABELS,
                                   shown=filters.counties_shown)
    data_table(gaps, hide_index=True, column_order=list(gap_labels),
               column_config=config(gap_labels, GAP_FORMATS), key="measure_gaps",
               placeholder="—")
    g1, g2, _ = st.columns([1, 1, 4])
    export_buttons((g1, g2), gaps, gap_labels, scope=scope,
                   what="无措施未脱贫户" + ("" if len(gaps) == gap else f"（前{len(gaps)}户）"),
                   year=year, decimals=decimals(GAP_FORMATS))

st.subheader("双联结对（8741）")
st.caption(f"{'、'.join(RANK_QUOTA)}分别结对帮扶 {'、'.join(map(str, RANK_QUOTA.values()))} 户"
           "（8741）；剩余贫困户由乡镇驻村干部兜底联系。")
pairs = named(cadres[cadres["year"] == year], names)
pairs[["coverage_pct", "poor_coverage_pct"]] = floored(pairs[["coverage_pct", "poor_coverage_pct"]])
data_table(pairs, hide_index=True, column_order=list(pairing.CADRE_LABELS), column_config=cadre_config(),
           key="cadre_table", placeholder="—")
p1, p2, _ = st.columns([1, 1, 4])
export_buttons((p1, p2), pairs, pairing.CADRE_LABELS, scope=scope, what="结对覆盖", year=year,
               decimals=decimals(CADRE_FORMATS))
over = pairing.cadres_over_quota_in(data.cadres_over_quota(**where), year)
if over.empty:
    st.caption(f"{year}年没有帮扶责任人超过 8741 定额。")
else:
    st.markdown(f"**{year}年超过 8741 定额的帮扶责任人（{fmt_int(len(over))} 人）**")
    st.caption("所选范围内有结对户的帮扶责任人；结对户数按"
               + ("您的账户可查看的乡镇计（其他乡镇的结对户不在其中）。" if viewer_scoped
                  else f"{top}计。"))
    data_table(over, hide_index=True, column_order=list(pairing.OVER_QUOTA_LABELS),
               column_config=config(pairing.OVER_QUOTA_LABELS, OVER_QUOTA_FORMATS), key="over_quota",
               placeholder="—")
    q1, q2, _ = st.columns([1, 1, 4])
    export_buttons((q1, q2), over[list(pairing.OVER_QUOTA_LABELS)], pairing.OVER_QUOTA_LABELS, scope=scope,
                   what="超定额帮扶责任人", year=year, decimals=decimals(OVER_QUOTA_FORMATS))

st.subheader("驻村帮扶（两个全覆盖）")
first_support = int(support["year"].min()) if len(support) else None
if support.empty:
    st.info("数据中没有驻村帮扶记录（可选表 village_support）。导入后此处显示每个贫困村的帮扶单位与驻村工作队。")
elif year < first_support:
    st.info(f"{year}年没有驻村帮扶记录（记录从 {first_support} 年开始）。")
else:
    st.caption(f"每个贫困村一个帮扶单位、一支驻村工作队，工作队每月到村不少于{pairing.days_minimum():g}天。")
    teams = named(support_counts[support_counts["year"] == year], names)
    teams["met_pct"] = floored(teams["met_pct"])
    labels = pairing.support_count_labels()
    data_table(teams, hide_index=True, column_order=list(labels), column_config=support_count_config(),
               key="support_table", placeholder="—")
    u1, u2, _ = st.columns([1, 1, 4])
    export_buttons((u1, u2), teams[list(labels)], labels, scope=scope, what="驻村帮扶", year=year,
                   decimals=decimals(SUPPORT_COUNT_FORMATS))
    missing = support[(support["year"] == year) & ~support["met"]]
    missing = named(missing, towns, column="township_code")
    if missing.empty:
        st.success(f"{year}年所选范围内每个贫困村都有帮扶单位和驻村工作队，驻村天数达标。")
    else:
        st.markdown(f"**{year}年驻村帮扶未达标的贫困村（{fmt_int(len(missing))} 个）**")
        missing, missing_labels = with_county(missing, "township_code", pairing.SUPPORT_GAP_LABELS,
                                              shown=filters.counties_shown)
        data_table(missing, hide_index=True, column_order=list(missing_labels),
                   column_config=config(missing_labels, SUPPORT_GAP_FORMATS),
                   key="support_gaps", placeholder="—")
        s1, s2, _ = st.columns([1, 1, 4])
        export_buttons((s1, s2), missing, missing_labels, scope=scope,
                       what="驻村帮扶未达标村", year=year, decimals=decimals(SUPPORT_GAP_FORMATS))

st.subheader("低保兜底")
safety = named(dibao[dibao["year"] == year], names)
data_table(safety, hide_index=True, column_order=list(assistance.DIBAO_LABELS),
           column_config=config(assistance.DIBAO_LABELS, DIBAO_FORMATS), key="dibao_table", placeholder="—")
b1, b2, _ = st.columns([1, 1, 4])
export_buttons((b1, b2), safety[list(assistance.DIBAO_LABELS)], assistance.DIBAO_LABELS, scope=scope,
               what="低保兜底", year=year, decimals=decimals(DIBAO_FORMATS))
trend = dibao[dibao["scope_code"] == "total"]
st.plotly_chart(figure(plan_charts.build_share_trend, trend, {"poor_dibao_pct": "未脱贫户低保占比"},
                       f"{scope}未脱贫户低保占比", None), key="dibao_trend")
