"""Column labels (Chinese, with units) and column configs shared by the pages' tables."""

from __future__ import annotations

import streamlit as st

from analytics.households import INFRASTRUCTURE_LABELS

VILLAGE_LABELS = {
    "township_name": "乡镇", "village_code": "村代码", "village_name": "村",
    "is_poor_village": "贫困村", "planned_exit_year": "计划退出", "exit_year": "实际退出",
    "registered_population": "户籍人口（人）", "poor_persons": "贫困人口（人）",
    "poverty_incidence_pct": "贫困发生率（%）", "persons_to_threshold": "距3%还需脱贫（人）",
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


def _config(labels: dict[str, str], formats: dict[str, str], checks=()) -> dict:
    config = {}
    for column, label in labels.items():
        if column in checks:
            config[column] = st.column_config.CheckboxColumn(label)
        elif column in formats:
            config[column] = st.column_config.NumberColumn(label, format=formats[column])
        else:
            config[column] = st.column_config.TextColumn(label)
    return config


def village_column_config() -> dict:
    formats = {"registered_population": "%d", "poor_persons": "%d", "poverty_incidence_pct": "%.2f",
               "persons_to_threshold": "%d", "relapsed_persons": "%d", "relapse_rate_pct": "%.2f",
               "rural_income_per_capita": "%.0f", "registered_income_per_capita": "%.0f",
               "online_shops": "%d", "mutual_fund_yuan": "%.0f", "planned_exit_year": "%d",
               "exit_year": "%d"}
    return _config(VILLAGE_LABELS, formats, checks=("is_poor_village", *INFRASTRUCTURE_LABELS))


def household_column_config() -> dict:
    formats = {"members": "%d", "income": "%.0f", "poverty_line": "%.0f", "registered_year": "%d"}
    return _config(HOUSEHOLD_LABELS, formats, checks=("all_secure",))

RISK_LABELS_TABLE = {"low_income": "收入低于1.5倍线（户）", "income_drop": "收入骤降（户）",
                     "illness_or_disaster": "因病因灾返贫（户）"}

# What each import rule checks, in Chinese, for the upload page's problem list.
RULE_LABELS = {
    "unsupported_input": "输入格式不支持（应为CSV/Parquet文件夹或一个XLSX工作簿）",
    "file_unreadable": "文件无法读取", "file_too_large": "文件超过大小上限",
    "zip_bomb": "XLSX解压后过大（疑似压缩炸弹）", "encoding": "编码不是UTF-8或GBK",
    "duplicate_source": "同一张表有多个文件", "unknown_table": "不认识的表",
    "missing_table": "缺少必需的表", "empty_table": "表为空", "bad_header": "表头行有误（如合并的标题行）",
    "duplicate_column": "列名重复", "missing_column": "缺少列", "unknown_column": "多出不认识的列",
    "bad_row": "行的字段数与表头不符", "formula": "含公式单元格",
    "stored_as_number": "代码或身份证号被Excel存成了数字", "required": "必填项为空",
    "code_format": "代码位数不对", "int_format": "应为整数", "real_format": "应为数字",
    "bool_format": "应为是/否", "enum": "取值不在允许范围内", "minimum": "数值低于下限",
    "id_format": "身份证号格式不对", "id_birth_date": "身份证号出生日期无效",
    "id_checksum": "身份证号校验位不对", "duplicate_key": "主键重复",
    "duplicate_value": "身份证号重复", "foreign_key": "引用的记录不存在",
    "village_township": "村代码前9位与乡镇代码不符", "planned_exit_year": "非贫困村不应有计划退出年份",
    "year_before_registered": "年份早于识别年份", "year_gap": "年度记录不连续",
    "relapse_cause": "非返贫记录填了返贫原因",
}
