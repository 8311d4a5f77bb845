"""Column labels (Chinese, with units) and column configs shared by the pages' tables."""

from __future__ import annotations

import datetime
import html
import re

import numpy as np
import pandas as pd
import streamlit as st

from analytics.config import load_config
from analytics.counties import COUNTY_COLUMN, COUNTY_TITLE
from analytics.exports import export_frame
from analytics.early_warning import monitoring_labels
from analytics.households import INFRASTRUCTURE_LABELS


#: The most rows a table prints (a township table's 18 print whole; a longer list is cut
#: here, and the sheet says how many rows there are).
PRINT_ROWS_MAX = 200


def _print_columns(frame: pd.DataFrame, column_order, column_config) -> list[tuple[str, str, dict]]:
    """(column, title, its type config) of the columns a table shows, in order: those
    of ``column_order`` (else every column), not those configured None, not links (no use
    on paper)."""
    config = column_config or {}
    shown = []
    for column in column_order or list(frame.columns):
        if column not in frame.columns or (column in config and config[column] is None):
            continue
        spec = config.get(column)
        if isinstance(spec, str):
            spec = {"label": spec}
        spec = dict(spec or {})
        type_config = dict(spec.get("type_config") or {})
        if type_config.get("type") == "link":
            continue
        shown.append((column, spec.get("label") or str(column), type_config))
    return shown


def _print_cell(value, type_config: dict, placeholder: str) -> tuple[str, bool]:
    """(text, is_number) of one cell as the screen's table shows it: "%d"/"%.2f" and
    "localized" number formats, 是/否 for a checkbox, the placeholder for a missing value."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return placeholder, False
    kind, number_format = type_config.get("type"), type_config.get("format")
    if kind == "checkbox" or isinstance(value, (bool, np.bool_)):
        return ("是" if value else "否"), False
    if isinstance(value, (pd.Timestamp, datetime.date)):
        return value.strftime("%Y-%m-%d %H:%M:%S" if isinstance(value, datetime.datetime) else "%Y-%m-%d"), False
    if isinstance(value, (int, float, np.number)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value), False
        if number_format == "localized":
            return f"{number:,.{0 if number.is_integer() else 2}f}", True
        if number_format and number_format.startswith("%"):
            if abs(number) >= 10_000 and (m := re.fullmatch(r"%(?:\.(\d+)f|d)", number_format)):
                # on paper 337,000 (a year's four digits never reach here)
                return f"{number:,.{int(m.group(1) or 0)}f}", True
            try:
                return number_format % (int(round(number)) if number_format.endswith("d") else number), True
            except (TypeError, ValueError):
                pass
        return (f"{int(number)}" if number.is_integer() else f"{number:g}"), True
    return str(value), False


def print_table_html(frame, column_order=None, column_config=None, *, placeholder: str = "—",
                     max_rows: int = PRINT_ROWS_MAX, rest: str = "全部请导出。") -> str:
    """A table's rows as a plain HTML table for paper (``print-only``: hidden on screen).

    Streamlit's data grid is a canvas in a scroll box of fixed height: printed, it shows
    the rows that fit the box. This is the same data, with the same column titles and
    number formats, every row up to ``max_rows``; ``frame`` is what ``st.dataframe`` was
    given (a DataFrame, a list of row dicts, or a pandas Styler)."""
    if hasattr(frame, "data") and hasattr(frame, "to_html"):  # a Styler: its data, its index shown
        frame = frame.data.reset_index()
    frame = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(list(frame))
    columns = _print_columns(frame, column_order, column_config)
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title, _ in columns)
    rows = []
    for record in frame.head(max_rows).itertuples(index=False):
        values = dict(zip(frame.columns, record))
        cells = []
        for column, _, type_config in columns:
            text, number = _print_cell(values[column], type_config, placeholder)
            cells.append(f'<td class="num">{html.escape(text)}</td>' if number
                         else f"<td>{html.escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    more = (f'<div class="print-table-note">共 {len(frame):,} 行，此处打印前 {max_rows:,} 行；'
            f'{html.escape(rest)}</div>' if len(frame) > max_rows else "")
    return (f'<div class="print-only"><table class="print-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{more}</div>")


def data_table(frame, *, key: str, where=None, column_order=None, column_config=None,
               placeholder: str = "—", print_rows: int = PRINT_ROWS_MAX,
               print_rest: str = "全部请导出。", **dataframe_kwargs) -> None:
    """``st.dataframe`` of ``frame`` in ``where`` (a column or container; the page by
    default) that prints its rows: on paper the grid (a canvas cut to its box) gives way
    to ``print_table_html`` of the same data, the first ``print_rows`` rows, then a note
    ending in ``print_rest`` (where the others are) (ui/print_style.py)."""
    where = where if where is not None else st
    with where.container(key=f"printable_{key}"):
        st.dataframe(frame, key=key, column_order=column_order, column_config=column_config,
                     placeholder=placeholder, **dataframe_kwargs)
        st.html(print_table_html(frame, column_order, column_config, placeholder=placeholder,
                                 max_rows=print_rows, rest=print_rest))


def village_labels() -> dict[str, str]:
    """The village table's column titles, the exit line formatted from config."""
    threshold = load_config().targets["exit_threshold_pct"]
    return {**VILLAGE_LABELS, "persons_to_threshold": f"距{threshold:g}%还需脱贫（人）"}


VILLAGE_LABELS = {
    "township_name": "乡镇", "village_code": "村代码", "village_name": "村",
    "is_poor_village": "贫困村", "planned_exit_year": "计划退出", "exit_year": "实际退出",
    "registered_population": "户籍人口（人）", "poor_persons": "贫困人口（人）",
    "poverty_incidence_pct": "贫困发生率（%）", "persons_to_threshold": "距退出线还需脱贫（人）",
    "relapsed_persons": "返贫人口（人）", "relapse_rate_pct": "返贫率（%）",
    "rural_income_per_capita": "农村人均可支配收入（元）",
    "registered_income_per_capita": "建档立卡户人均纯收入（元）",
    **{k: v for k, v in INFRASTRUCTURE_LABELS.items()},
    "online_shops": "网店（个）", "mutual_fund_yuan": "互助资金（元）",
}

HOUSEHOLD_LABELS = {
    "household_id": "户编号", "village_name": "村", "head_name": "户主", "head_id_number": "身份证号",
    "members": "人口（人）", "status": "状态", "income": "人均纯收入（元）",
    "poverty_line": "贫困线（元）", "poverty_cause": "致贫原因", "all_secure": "三保障达标",
    "dibao_class": "低保", "registered_year": "识别年份", "cadre_name": "帮扶责任人",
}


def table_config(labels: dict[str, str], formats: dict[str, str], checks=(), pinned=()) -> dict:
    """Column titles and formats; the ``pinned`` columns (the row's name) stay in view when
    a wide table scrolls sideways. A list's county column (``counties.with_county``) is
    titled 县 and pinned with the row's name."""
    config = {COUNTY_COLUMN: st.column_config.TextColumn(COUNTY_TITLE, pinned=bool(pinned))}
    for column, label in labels.items():
        if column in checks:
            config[column] = st.column_config.CheckboxColumn(label)
        elif column in formats:
            config[column] = st.column_config.NumberColumn(label, format=formats[column])
        else:
            config[column] = st.column_config.TextColumn(label, pinned=column in pinned)
    return config


VILLAGE_FORMATS = {"registered_population": "%d", "poor_persons": "%d", "poverty_incidence_pct": "%.2f",
                   "persons_to_threshold": "%d", "relapsed_persons": "%d", "relapse_rate_pct": "%.2f",
                   "rural_income_per_capita": "%.0f", "registered_income_per_capita": "%.0f",
                   "online_shops": "%d", "mutual_fund_yuan": "%.0f", "planned_exit_year": "%d",
                   "exit_year": "%d"}
HOUSEHOLD_FORMATS = {"members": "%d", "income": "%.0f", "poverty_line": "%.0f", "registered_year": "%d"}
VISIT_LIST_FORMATS = {"members": "%d", "score": "%d", "income": "%.0f", "prev_income": "%.0f"}


def decimals(formats: dict[str, str]) -> dict[str, int]:
    """The digits each column is shown with ("%d" → 0, "%.2f" → 2): exports round to them."""
    return {column: int(m.group(1)) if (m := re.fullmatch(r"%\.(\d+)f", f)) else 0
            for column, f in formats.items()}


def village_column_config() -> dict:
    return table_config(village_labels(), VILLAGE_FORMATS, checks=("is_poor_village", *INFRASTRUCTURE_LABELS),
                   pinned=("township_name", "village_name"))


def household_column_config() -> dict:
    # 三保障 is 是 / 否 / 无数据 (text)
    return table_config(HOUSEHOLD_LABELS, HOUSEHOLD_FORMATS, pinned=("household_id", "head_name"))

# 防返贫监测: column titles (terms only); each column's definition, with the configured
# thresholds, is its help (analytics.early_warning.monitoring_labels).
RISK_COUNT_LABELS = {"name": "乡镇", "monitored": "监测对象（户）", "persons": "监测对象（人）",
                     "high": "高风险（户）", "medium": "中风险（户）", "low": "低风险（户）",
                     "high_persons": "高风险（人）", "income_drop": "收入骤降（户）",
                     "illness_or_disaster": "因病因灾（户）"}
VISIT_LIST_LABELS = {"township_name": "乡镇", "village_name": "村", "household_id": "户编号",
                     "head_name": "户主", "head_id_number": "身份证号", "members": "人口", "status": "状态",
                     "level": "风险", "score": "风险分", "reasons": "监测原因",
                     "income": "人均纯收入（元）", "prev_income": "上年人均纯收入（元）",
                     "cadre_name": "帮扶责任人", "cadre_rank": "级别"}


def visit_list_shown(visits: pd.DataFrame) -> pd.DataFrame:
    """The visit list as shown and exported: a relapsed household's 状态 reads 返贫 (its
    status at the year's end is 未脱贫, which alone hides why it is listed: the list holds
    exited and relapsed households, ``early_warning``)."""
    relapsed = visits["is_relapse"].fillna(False).astype(bool)
    return visits.assign(status=visits["status"].mask(relapsed, "返贫"))


def risk_count_column_config(year: int | None = None) -> dict:
    """The 返贫监测 township table's columns, each with its definition as help."""
    texts = monitoring_labels(year)
    config = {"name": st.column_config.TextColumn("乡镇"), COUNTY_COLUMN: st.column_config.TextColumn(COUNTY_TITLE)}
    for column, label in RISK_COUNT_LABELS.items():
        if column != "name":
            config[column] = st.column_config.NumberColumn(label, format="%d", help=texts[column])
    return config


def visit_list_column_config(year: int | None = None) -> dict:
    """The visit list's columns; 风险, 风险分, 监测原因 and the incomes carry their definitions."""
    texts = monitoring_labels(year)
    helps = {"level": texts["levels"], "score": texts["score"], "reasons": texts["reasons"],
             "income": texts["line"], "prev_income": texts["income_drop"]}
    formats = VISIT_LIST_FORMATS
    config = {COUNTY_COLUMN: st.column_config.TextColumn(COUNTY_TITLE, pinned=True)}
    for column, label in VISIT_LIST_LABELS.items():
        if column in formats:
            config[column] = st.column_config.NumberColumn(label, format=formats[column],
                                                           help=helps.get(column))
        else:
            config[column] = st.column_config.TextColumn(label, help=helps.get(column))
    return config


def problem_column_config() -> dict:
    """The problem table's columns: the message wide (it is what a reader needs), the
    place narrow, so the message fits at 1366 px."""
    return {"文件": st.column_config.TextColumn("文件", width="medium"),
            "行": st.column_config.TextColumn("行", width=70),
            "列": st.column_config.TextColumn("列", width=45),
            "列名": st.column_config.TextColumn("列名", width=130),
            "问题": st.column_config.TextColumn("问题", width="large"),
            "应满足": st.column_config.TextColumn("应满足", width="medium"),
            "规则": st.column_config.TextColumn("规则", width="small")}


def problem_rows(problems) -> list[dict]:
    """Import problems (or notices) as the rows of the upload page's table: where, what
    is wrong, then what the rule asks, in Chinese (the message first, so a narrow screen
    shows it); an empty place is blank, never None."""
    from analytics.ingest import RULES
    from analytics.ingest.report import column_title

    return [{"文件": p.source or p.table, "行": "" if p.line is None else f"{p.line:,}",
             "列": "" if p.column_index is None else str(p.column_index),
             "列名": column_title(p.table, p.column) if p.column else "",
             "问题": p.message, "应满足": RULES.get(p.rule, p.rule), "规则": p.rule}
            for p in problems]


# 一户一档: the household's years and measures
HOUSEHOLD_YEAR_LABELS = {
    "year": "年份", "members": "人口（人）", "income": "人均纯收入（元）", "wage_income": "人均工资性收入（元）",
    "poverty_line": "贫困线（元）", "status": "状态", "prev_status": "上年状态", "is_exit": "当年脱贫",
    "is_relapse": "当年返贫", "relapse_cause": "返贫原因", "dibao_class": "低保",
    "food_clothing_secure": "吃穿不愁", "education_secure": "义务教育", "medical_secure": "基本医疗",
    "housing_secure": "住房安全", "water_secure": "饮水安全",
}
HOUSEHOLD_YEAR_FORMATS = {"year": "%d", "members": "%d", "income": "%.0f", "wage_income": "%.0f",
                          "poverty_line": "%.0f"}
MEASURE_LABELS = {"year": "年份", "measure": "帮扶措施", "amount_yuan": "金额（元）"}


def household_year_column_config() -> dict:
    return table_config(HOUSEHOLD_YEAR_LABELS, HOUSEHOLD_YEAR_FORMATS, checks=("is_exit", "is_relapse"))


def measure_column_config() -> dict:
    return table_config(MEASURE_LABELS, {"year": "%d", "amount_yuan": "%.0f"})



# 数据质量检查: the findings' columns
FINDING_LABELS = {
    "township_name": "乡镇", "village_code": "村代码", "village_name": "村", "household_id": "户编号",
    "head_name": "户主", "head_id_number": "身份证号", "other_household_id": "另一户编号",
    "other_id_number": "另一身份证号", "year": "年份", "exit_year": "退出年份", "members": "人口（人）",
    "prev_members": "上年人口（人）", "income": "人均纯收入（元）", "prev_income": "上年人均纯收入（元）",
    "poverty_line": "贫困线（元）", "food_clothing_secure": "吃穿不愁", "education_secure": "义务教育",
    "medical_secure": "基本医疗", "housing_secure": "住房安全", "water_secure": "饮水安全",
    "poor_persons": "贫困人口（人）", "registered_population": "户籍人口（人）",
    "poverty_incidence_pct": "贫困发生率（%）", "prev_status": "上年状态", "status": "状态",
    "relapse_cause": "返贫原因", "problem": "问题", "just_above": "线上一档（户）", "next_band": "再上一档（户）",
    "z_stat": "z 值", "cadre_id": "干部编号", "cadre_name": "帮扶责任人", "rank": "级别", "unit": "单位",
    "households": "结对户数", "quota": "限额（户）", "over_quota": "超出（户）",
}


def finding_rows(rows: pd.DataFrame, township_names: dict[str, str]) -> pd.DataFrame:
    """A finding's rows as the 数据 page shows them: the township by name, Chinese column
    titles, yes/no as 是/否."""
    rows = rows.copy()
    if "township_code" in rows:
        rows.insert(0, "township_name", rows.pop("township_code").map(lambda c: township_names.get(c, c)))
    return export_frame(rows).rename(columns=FINDING_LABELS)  # yes/no as 是/否, as in files
