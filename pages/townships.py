"""乡镇 — villages of the chosen townships, poverty causes, and the drill-down to households."""

from __future__ import annotations

import streamlit as st

from analytics import charts
from analytics.briefing import briefing_county
from analytics.briefing_pdf import briefing_file_name, briefing_pdf
from analytics.config import load_config
from analytics.counties import unique_labels, with_county
from analytics.funnel import village_funnel
from analytics.households import most_behind_villages
from ui import data
from ui.charts import figure
from ui.exports import audited, export_buttons
from ui.frame import page_frame
from ui.township_map import map_level, township_map
from ui.tables import (HOUSEHOLD_FORMATS, data_table, HOUSEHOLD_LABELS, HOUSEHOLD_YEAR_LABELS, MEASURE_LABELS,
                       VILLAGE_FORMATS, decimals, household_column_config,
                       household_year_column_config, measure_column_config, village_column_config,
                       village_labels)

filters = page_frame("乡镇", "townships")
year = filters.year
threshold = load_config().targets["exit_threshold_pct"]

if map_level() == "county":
    st.info(f"请先在左侧选择县，或在地图上点击县，再选择乡镇。下表为{filters.scope_label}各村概况。")
    township_map(year, height=480)
elif not filters.townships:
    st.info(f"请在左侧选择一个或多个乡镇，或在地图上点击乡镇。下表为{filters.scope_label}各村概况。")
    township_map(year, height=480)
villages = data.village_table(year, townships=filters.townships, villages=filters.villages)
if villages.empty:
    st.info(f"{filters.scope_label} {year} 年没有村级数据。")
    st.stop()
listed = most_behind_villages(villages, load_config().pages["max_villages_listed"])

st.subheader(f"{filters.scope_label} · {year}年 各村情况（{len(villages):,} 个村）")
if len(listed) < len(villages):
    st.caption(f"村数多于 {len(listed):,} 个：下表、漏斗图和“选择村”只列距{threshold:g}%退出线最远的 "
               f"{len(listed):,} 个村；选择乡镇可看其全部村，导出文件含全部 {len(villages):,} 个村。")
listed, list_labels = with_county(listed, "village_code", village_labels(), shown=filters.counties_shown)
data_table(listed, hide_index=True, column_order=list(list_labels),
             column_config=village_column_config(), key="village_table", height=420, placeholder="—")
d1, d2, d3, _ = st.columns([1, 1, 2, 2])
export_buttons((d1, d2), *with_county(villages, "village_code", village_labels(), shown=filters.counties_shown),
               scope=filters.scope_label, what="各村情况", year=year,
               decimals=decimals(VILLAGE_FORMATS))
if len(filters.townships) == 1:
    code = filters.townships[0]
    scoped = data.scoped_store()  # read now: the PDF is built on click, on another thread
    pdf_name = briefing_file_name(villages["township_name"].iloc[0], year,
                                  briefing_county(scoped, code))
    d3.download_button("下载督查简报 PDF", audited(lambda: briefing_pdf(scoped, code, year), pdf_name, 1),
                       file_name=pdf_name,
                       mime="application/pdf", key="briefing_pdf", on_click="ignore", icon="📄",
                       help="一页A4：关键指标与目标、预警、最落后的村、监测对象户数、县级结对领导")

left, right = st.columns(2)
causes = data.poverty_cause_breakdown(year, townships=filters.townships, villages=filters.villages)
left.plotly_chart(figure(charts.build_causes, causes), key="causes")
if (villages["persons_to_threshold"] > 0).any():
    right.plotly_chart(figure(charts.build_village_gap, villages, threshold), key="village_gap")
else:
    right.success(f"{filters.scope_label}所有村的贫困发生率均已低于{threshold:g}%退出线。")

selection = data.selection_figures(townships=filters.townships, villages=filters.villages)
rate = selection.loc[selection["year"] == year, "poverty_incidence_pct"]
if len(villages) >= 5 and len(rate) and rate.iloc[0] == rate.iloc[0]:
    funnel = village_funnel(villages, float(rate.iloc[0]))
    st.plotly_chart(figure(charts.build_funnel, funnel[funnel["village_code"].isin(listed["village_code"])]
                           if len(listed) < len(villages) else funnel, float(rate.iloc[0]), year,
                           filters.scope_label), key="funnel")
    st.caption(f"控制限按{filters.scope_label}发生率计算，并按村间差异放大（过度离散系数 φ = "
               f"{funnel.attrs['phi']:.1f}），小村一两户的变化不会被误判；落在99.8%控制限以外的村"
               f"才标为显著偏高（{int((funnel['funnel'] == '显著偏高').sum())} 个）。")

st.subheader("入户查看")
village_names = unique_labels(listed["village_code"], listed["village_name"])
village = st.selectbox("选择村", list(village_names), index=None, key="drill_village",
                       bind="query-params", format_func=lambda c: village_names.get(c, c),
                       placeholder="选择一个村查看建档立卡户")
if village:
    households = data.household_list(year, (village,), townships=filters.townships)
    if households.empty:
        st.info(f"{village_names[village]} {year} 年没有建档立卡户。")
    else:
        st.caption(f"{village_names[village]} · {year}年 建档立卡户 {len(households)} 户（姓名、身份证号已脱敏）")
        households, household_labels = with_county(households, "village_code", HOUSEHOLD_LABELS,
                                                   shown=filters.counties_shown)
        data_table(households, hide_index=True, column_order=list(household_labels),
                     column_config=household_column_config(), key="household_table", placeholder="—")
        h1, h2, _ = st.columns([1, 1, 4])
        export_buttons((h1, h2), households, household_labels, scope=village_names[village],
                       what="建档立卡户", year=year, decimals=decimals(HOUSEHOLD_FORMATS))
        ids = list(households["household_id"])
        household = st.selectbox("一户一档", ids, index=None, key="household", bind="query-params",
                                 placeholder="选择户编号")
        if household:
            record = data.household_file(household, townships=filters.townships,
                                         unmasked=data.current_viewer().may_see_personal)
            if record is None:
                st.warning("没有这一户的档案。")
            else:
                head = record.head
                st.markdown(
                    f"**户主** {head['head_name']}　**身份证号** {head['head_id_number']}　"
                    f"**识别年份** {head['registered_year']}　**主要致贫原因** {head['poverty_cause']}  \n"
                    f"**所在** {head['township_name']} {head['village_name']}　"
                    f"**帮扶责任人** {head['cadre_name'] or '未落实'}"
                    f"{'（' + head['cadre_rank'] + '，' + head['cadre_unit'] + '）' if head['cadre_name'] else ''}")
                st.plotly_chart(charts.build_household_income(record.years), key="household_income")
                st.dataframe(record.years,
                             hide_index=True, key="household_years", column_order=list(HOUSEHOLD_YEAR_LABELS),
                             column_config=household_year_column_config(), placeholder="—")
                if not record.measures.empty:
                    st.dataframe(record.measures, hide_index=True, key="household_measures",
                                 column_order=list(MEASURE_LABELS), column_config=measure_column_config(), placeholder="—")
