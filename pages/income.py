"""收入 — incomes against the county and provincial targets, wage share, distribution, measures."""

from __future__ import annotations

import streamlit as st

from analytics import charts
from analytics.config import load_config
from ui import data
from ui.charts import figure
from ui.format import fmt_pct, fmt_yuan
from ui.frame import page_frame
from ui.tiles import tile

filters = page_frame("收入", "income")
year = filters.year
t = load_config().targets

series = data.selection_figures(townships=filters.townships, villages=filters.villages)
progress = data.income_progress_of(series)
row = progress[progress["year"] == year]
if row.empty or row["registered_persons"].iloc[0] == 0:
    st.info(f"{filters.scope_label} {year} 年没有收入数据。")
    st.stop()
row = row.iloc[0]

def growth_note(prefix: str) -> str:
    if row["year"] >= t["target_year"]:
        return f"{t['target_year']}年目标年已过"
    return f"尚需年均增长 {fmt_pct(row[f'{prefix}_growth_needed_pct'], 1)}"


tiles = [
    ("农村居民人均可支配收入", fmt_yuan(row["rural_income_per_capita"]),
     f"县目标 {t['rural_income_yuan']:g} · 省目标 {t['province_rural_income_yuan']:g}"),
    ("农村收入目标进度", fmt_pct(row["rural_income_per_capita_progress_pct"], 1),
     growth_note("rural_income_per_capita")),
    ("建档立卡户人均纯收入", fmt_yuan(row["registered_income_per_capita"]),
     f"县目标 {t['registered_income_yuan']:g} · 省目标 {t['province_registered_income_yuan']:g}"),
    ("建档立卡户收入目标进度", fmt_pct(row["registered_income_per_capita_progress_pct"], 1),
     growth_note("registered_income_per_capita")),
    ("工资性收入占比", fmt_pct(row["wage_share_pct"], 1),
     f"目标 ≥{t['wage_share_pct']:g}%（{t['wage_share_year']}年）"),
]
for column, (label, value, note) in zip(st.columns(len(tiles)), tiles):
    tile(column, label, value, note, delta_color="off", delta_arrow="off", border=True,
                  help="进度 = (当年值 − 2014年值) / (目标 − 2014年值)；"
                       "所需增长 = (目标/当年值)^(1/剩余年数) − 1")

left, right = st.columns(2)
left.plotly_chart(figure(charts.build_trend,
    series, "rural_income_per_capita", "农村居民人均可支配收入", "元/人·年",
    targets=[(t["rural_income_yuan"], f"县目标 {t['rural_income_yuan']:g}"),
             (t["province_rural_income_yuan"], f"省目标 {t['province_rural_income_yuan']:g}")]),
    key="rural_income")
right.plotly_chart(figure(charts.build_trend,
    series, "registered_income_per_capita", "建档立卡户人均纯收入", "元/人·年",
    targets=[(t["registered_income_yuan"], f"县目标 {t['registered_income_yuan']:g}"),
             (t["province_registered_income_yuan"], f"省目标 {t['province_registered_income_yuan']:g}")],
    extra=[("poverty_line", "国家贫困线", charts.TARGET)]), key="registered_income")
left, right = st.columns(2)
left.plotly_chart(figure(charts.build_trend,
    series, "wage_share_pct", "工资性收入占建档立卡户收入比重", "占比（%）",
    targets=[(t["wage_share_pct"], f"目标 {t['wage_share_pct']:g}%")]), key="wage_share")
line = float(row["poverty_line"])
bands = data.household_income_bands(year, line, townships=filters.townships, villages=filters.villages)
right.plotly_chart(figure(charts.build_income_histogram, bands, line, year,
                          load_config().risk["income_line_multiple"]),
                   key="income_histogram")
st.plotly_chart(figure(charts.build_measures_over_time, series), key="measures")
st.caption("FGT0 = 收入低于贫困线的人口比例；FGT1 = 平均贫困距；FGT2 = 平方贫困距；"
           "Watts = 贫困人口 ln(贫困线/收入) 的人均值（收入≤0 的户不计入）；基尼系数按人口加权，"
           "多选乡镇或村时不计算。")
