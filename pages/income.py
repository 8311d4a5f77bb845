"""收入 — incomes against the county and provincial targets, wage share, distribution, measures."""

from __future__ import annotations

import streamlit as st

from analytics import charts
from analytics.config import load_config
from ui import data
from ui.charts import figure
from analytics.verdicts import number
from ui.format import fmt_pct, fmt_yuan, judged_target, target_words
from ui.frame import page_frame
from ui.tiles import change, gap_words, tile

filters = page_frame("收入", "income")
year = filters.year
t = filters.targets  # the county's targets, or the province's (several counties, none chosen)

series = data.selection_figures(townships=filters.townships, villages=filters.villages)
progress = data.income_progress_of(series, t)
row = progress[progress["year"] == year]
if row.empty or row["enrolled_persons"].iloc[0] == 0:
    st.info(f"{filters.scope_label} {year} 年没有收入数据。")
    st.stop()
row = row.iloc[0]

target_year = int(t["target_year"])
at_target = progress[progress["year"] == target_year]
judged_year = year >= target_year and not at_target.empty  # from the target year on: its result


baseline_year = int(t["baseline_year"])
notes: list[str] = []  # each target, judged in its year or its gap in words (a delta is the change on the year)


def judged(column: str, target: float, year_of_target: int, decimals: int, name: str) -> tuple[dict, str]:
    """(the tile's change on the year before, the target in words): the gap before the
    target's year, the result of that year after."""
    unit = "%" if column.endswith("_pct") else "元"
    judgement, _ = judged_target(series, row, column, target, ">=", year_of_target, year, unit, decimals)
    words = (f"{name} {judgement.text}" if judgement.state != "pending" else
             f"{name}{gap_words(row[column], target, unit, f'{year_of_target}年目标', decimals)}")
    notes.append(words)
    return change(series, year, column, unit, baseline_year=baseline_year, digits=decimals), words


def progress_tile(prefix: str) -> tuple[str, str, dict]:
    """Progress toward the target-year target: this year's before it, the target year's
    from then on (a later year is never scored against it); the baseline year, from which
    progress counts, says 基线."""
    column = f"{prefix}_progress_pct"
    neutral = {"delta_color": "off", "delta_arrow": "off"}
    if year <= baseline_year:
        return ("目标进度", "基线", {"delta": f"进度从{baseline_year}年起算", **neutral})
    if judged_year:
        return (f"{target_year}年目标进度", fmt_pct(at_target.iloc[0][column], 1),
                {"delta": f"按{target_year}年数据评判", **neutral})
    return ("目标进度", fmt_pct(row[column], 1),
            {"delta": f"尚需年均增长 {fmt_pct(row[f'{prefix}_growth_needed_pct'], 1)}", **neutral})


rural_label, rural_value, rural_delta = progress_tile("rural_income_per_capita")
reg_label, reg_value, reg_delta = progress_tile("registered_income_per_capita")
rural, rural_words = judged("rural_income_per_capita", float(t["rural_income_yuan"]), target_year, 0, "农村居民人均可支配收入")
registered, registered_words = judged("registered_income_per_capita", float(t["registered_income_yuan"]), target_year, 0,
                                      "建档立卡户人均纯收入")
wage, wage_words = judged("wage_share_pct", float(t["wage_share_pct"]), int(t["wage_share_year"]), 1, "工资性收入占比")
tiles = [
    ("农村居民人均可支配收入", fmt_yuan(row["rural_income_per_capita"]), rural,
     f"{target_words(t, 'rural_income_yuan', sep=' ')}（{target_year}年）；"
     f"{rural_words}"),
    (f"农村收入{rural_label}", rural_value, rural_delta, None),
    ("建档立卡户人均纯收入", fmt_yuan(row["registered_income_per_capita"]), registered,
     f"{target_words(t, 'registered_income_yuan', sep=' ')}"
     f"（{target_year}年）；{registered_words}"),
    (f"建档立卡户收入{reg_label}", reg_value, reg_delta, None),
    ("工资性收入占比", fmt_pct(row["wage_share_pct"], 1), wage,
     f"目标 ≥{number(t['wage_share_pct'])}%（{t['wage_share_year']}年）；{wage_words}"),
]
method = (f"进度 = (当年值 − {t['baseline_year']}年值) / (目标 − {t['baseline_year']}年值)；"
          "所需增长 = (目标/当年值)^(1/剩余年数) − 1。目标在其年份的数据上评判。")
for column, (label, value, delta, note) in zip(list(st.columns(3)) + list(st.columns(3)), tiles):
    tile(column, label, value, border=True, help=f"{note}。{method}" if note else method, **delta)
st.caption(f"{year}年：" + "；".join(notes) + "。" +
           ("基线年：各项变化与进度从下一年起算。" if year <= baseline_year else "箭头为较上年的变化。"))

left, right = st.columns(2)
left.plotly_chart(figure(charts.build_trend,
    series, "rural_income_per_capita", "农村居民人均可支配收入", "元/人·年",
    targets=[(t["rural_income_yuan"], f"{t['owner']}目标 {number(t['rural_income_yuan'])}元")]
    + ([(t["province_rural_income_yuan"], f"省目标 {number(t['province_rural_income_yuan'])}元")]
       if t["owner"] == "县" else []),
    series_name="农村居民人均可支配收入"),
    key="rural_income")
right.plotly_chart(figure(charts.build_trend,
    series, "registered_income_per_capita", "建档立卡户人均纯收入", "元/人·年",
    targets=[(t["registered_income_yuan"], f"{t['owner']}目标 {number(t['registered_income_yuan'])}元")]
    + ([(t["province_registered_income_yuan"], f"省目标 {number(t['province_registered_income_yuan'])}元")]
       if t["owner"] == "县" else []),
    series_name="建档立卡户人均纯收入",
    extra=[("poverty_line", "国家贫困线", charts.TARGET)]), key="registered_income")
left, right = st.columns(2)
left.plotly_chart(figure(charts.build_trend,
    series, "wage_share_pct", "工资性收入占建档立卡户收入比重", "占比（%）",
    targets=[(t["wage_share_pct"], f"目标 {number(t['wage_share_pct'])}%")], series_name="工资性收入占比"),
    key="wage_share")
line = float(row["poverty_line"])
bands = data.household_income_bands(year, line, townships=filters.townships, villages=filters.villages)
right.plotly_chart(figure(charts.build_income_histogram, bands, line, year,
                          load_config().risk["income_line_multiple"]),
                   key="income_histogram")
st.plotly_chart(figure(charts.build_measures_over_time, series), key="measures")
st.caption("FGT0 = 收入低于贫困线的人口比例；FGT1 = 平均贫困距；FGT2 = 平方贫困距；"
           "Watts = 贫困人口 ln(贫困线/收入) 的人均值（收入≤0 的户不计入）；基尼系数按人口加权，"
           "多选乡镇或村时不计算。")
