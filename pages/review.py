"""回头看 — the register's own changes: new registrations (新识别) and removals (自然减少)
by year and township, and where the change in poor persons came from (exits, relapses,
new registrations, removals, household size). Definitions: analytics/register_changes.py."""

from __future__ import annotations

import streamlit as st

from analytics import plan_charts, register_changes
from ui import data
from ui.charts import figure
from ui.exports import export_buttons
from ui.format import fmt_int
from ui.frame import page_frame
from ui.plan_tables import CHANGE_FORMATS, config, named, ordered
from ui.tables import data_table, decimals
from ui.tiles import tile

filters = page_frame("回头看", "review")
year = filters.year
scope = filters.scope_label
names = filters.row_names  # a chosen village's row is named after the village

counts = data.household_counts(townships=filters.townships, villages=filters.villages)
changes = register_changes.change_table(counts)
total = changes[changes["scope_code"] == "total"]
row = total[total["year"] == year]
if row.empty:
    first = int(counts["year"].min()) if len(counts) else year
    st.info(f"{year} 年是建档立卡的基线年（{first} 年），没有上一年可比；请选择以后的年份。"
            if year <= first else f"{scope} {year} 年没有建档立卡户数据。")
    st.stop()
row = row.iloc[0]

c = st.columns(4)
tile(c[0], "新识别", f"{fmt_int(row['new_households'])} 户", f"{fmt_int(row['new_persons'])} 人",
     delta_color="off", delta_arrow="off", help="当年识别纳入建档立卡的户（识别年份为当年）", border=True)
tile(c[1], "自然减少", f"{fmt_int(row['removed_households'])} 户",
     f"{fmt_int(row['removed_persons'])} 人，其中贫困 {fmt_int(row['removed_poor_persons'])} 人",
     delta_color="off", delta_arrow="off",
     help="上年在册、当年不再在册的户（死亡、迁出、识别不准等），人数按上年计；"
          "贫困人口的变化只计其中上年未脱贫的人（图中“自然减少的贫困人口”）", border=True)
tile(c[2], "贫困人口变化", f"{int(row['change']):+,} 人", f"上年底 {fmt_int(row['poor_persons_before'])} 人",
     delta_color="off", delta_arrow="off", help="当年底未脱贫人口 − 上年底未脱贫人口", border=True)
exits = -int(row["delta_exits"])
removed = -int(row["delta_removed"])
share = (f"{100 * exits / (exits + removed):.1f}%" if exits + removed else "—")
tile(c[3], "减少中脱贫退出占比", share, f"自然减少的贫困人口 {fmt_int(removed)} 人", delta_color="off", delta_arrow="off",
     help="脱贫退出人数 ÷（脱贫退出 + 自然减少的贫困人口）：贫困人口是因脱贫而减少，还是因移出名单而减少",
     border=True)
st.markdown(register_changes.change_sentence(row, scope, year))

st.plotly_chart(figure(plan_charts.build_poor_change_waterfall, row, register_changes.DECOMPOSITION_TERMS,
                       year), key="poor_change")
st.markdown(f"**{scope}历年新识别与自然减少**")
shown = ["year", "new_households", "new_persons", "removed_households", "removed_persons"]
data_table(total, hide_index=True, column_order=shown,
           column_config=config(register_changes.CHANGE_LABELS, CHANGE_FORMATS), key="register_history",
           placeholder="—")
h1, h2, _ = st.columns([1, 1, 4])
export_buttons((h1, h2), total[shown], ordered(register_changes.CHANGE_LABELS, shown), scope=scope,
               what="历年新识别与自然减少", year=None, decimals=decimals(CHANGE_FORMATS))

st.subheader(f"{year}年{'所选村' if filters.villages else '各乡镇'}贫困人口变化的来源（人）")
towns = named(changes[changes["year"] == year], names)
columns = ["name", "poor_persons_before", *register_changes.DECOMPOSITION_TERMS, "poor_persons", "change",
           "new_households", "removed_households"]
data_table(towns, hide_index=True, column_order=columns,
           column_config=config(register_changes.CHANGE_LABELS, CHANGE_FORMATS), key="change_table",
           placeholder="—")
e1, e2, _ = st.columns([1, 1, 4])
export_buttons((e1, e2), towns[columns], ordered(register_changes.CHANGE_LABELS, columns), scope=scope, what="回头看",
               year=year, decimals=decimals(CHANGE_FORMATS))
st.caption("各项相加等于贫困人口变化：脱贫退出按当年人口计（与头条数字一致），"
           "仍在册户的家庭人口增减单列为“家庭人口变化”。")
