"""Data-quality findings: what a county auditor would check before trusting a figure.

Each check is one query over the store returning the rows behind the finding; the
thresholds live in ``data/config.toml`` under ``[checks]``. Personal data in the
rows (names, ID numbers) is masked before it leaves this module unless asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.config import load_config
from analytics.contract import mask_id_number, mask_name
from analytics.metrics import cadres_over_quota
from analytics.store import Store

NAME_COLUMNS = ("head_name", "cadre_name")
ID_COLUMNS = ("head_id_number", "other_id_number")


@dataclass(frozen=True)
class Finding:
    """One check's result. ``count`` counts distinct ``key`` values (households, townships,
    cadres) where one case spans several rows, else rows."""

    rule: str
    title: str
    explanation: str
    rows: pd.DataFrame
    key: str | None = None

    @property
    def count(self) -> int:
        if self.key and self.key in self.rows:
            return int(self.rows[self.key].nunique())
        return len(self.rows)


def mask_personal(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with names as 张* and ID numbers as 6211**********123X."""
    frame = frame.copy()
    for column in NAME_COLUMNS:
        if column in frame:
            frame[column] = frame[column].map(mask_name)
    for column in ID_COLUMNS:
        if column in frame:
            frame[column] = frame[column].map(mask_id_number)
    return frame


def quality_findings(store: Store, *, unmasked: bool = False) -> list[Finding]:
    """Every data-quality check, in a fixed order, each with the rows it found."""
    config = load_config()
    checks = config.checks
    findings = [
        Finding("wrong_exit", "错退嫌疑",
                "当年标为脱贫，但人均纯收入低于贫困线，或两不愁三保障、饮水安全有一项未达标。",
                store.query("check_wrong_exits")),
        Finding("duplicate_id", "身份证号重复", "同一身份证号出现在多户。",
                store.query("check_duplicate_ids")),
        Finding("id_ending_000", "身份证号疑被 Excel 截断",
                "身份证号以 000 结尾：Excel 把 18 位号码当作数字时只保留 15 位，末三位变成 000。"
                "这些号码的校验位碰巧相符，导入时无法确认，请与户籍核对。",
                store.query("check_ids_ending_000")),
        Finding("duplicate_person", "疑似重复识别",
                "同一乡镇内户主姓名和出生日期相同、身份证号不同的两户。",
                store.query("check_duplicate_persons")),
        Finding("poor_above_population", "贫困人口超过户籍人口",
                "某村某年的贫困人口多于该村农村户籍人口。",
                store.query("check_poor_above_population")),
        Finding("household_size_jump", "家庭人口突变",
                f"一年内家庭人口变化不少于 {int(checks['household_size_jump'])} 人。",
                store.query("check_household_size_jumps",
                            min_jump=int(checks["household_size_jump"])), key="household_id"),
        Finding("relapse_cause", "返贫原因与状态矛盾",
                "有返贫原因却不是返贫（上年未脱贫或本年已脱贫），或返贫却未填原因。",
                store.query("check_relapse_causes")),
        Finding("exit_income_jump", "脱贫当年收入异常跳升",
                f"脱贫当年人均纯收入达到上年的 {checks['exit_income_jump_multiple']:g} 倍以上。",
                store.query("check_exit_income_jumps",
                            multiple=float(checks["exit_income_jump_multiple"]))),
        Finding("income_bunching", "收入在贫困线上方扎堆",
                f"贫困线上方 {checks['bunching_band_pct']:g}% 区间内的户数显著多于其上一区间"
                f"（z > {checks['bunching_z']:g}）。",
                store.query("check_income_bunching",
                            band=float(checks["bunching_band_pct"]),
                            min_households=int(checks["bunching_min_households"]),
                            z=float(checks["bunching_z"])), key="township_code"),
        Finding("village_exit_claim", "村退出与发生率矛盾",
                f"村宣布退出当年贫困发生率仍不低于 {config.targets['exit_threshold_pct']:g}%。",
                store.query("check_village_exit_claims",
                            threshold=float(config.targets["exit_threshold_pct"]))),
        Finding("cadre_over_quota", "帮扶干部超过8741定额",
                "帮扶干部结对户数超过其级别定额（正县级8户、副县级7户、科级4户、一般干部1户）。",
                cadres_over_quota(store), key="cadre_id"),
    ]
    if unmasked:
        return findings
    return [Finding(f.rule, f.title, f.explanation, mask_personal(f.rows), f.key) for f in findings]
