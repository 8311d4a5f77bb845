"""The pools the demo draws from: surnames and given names, the 帮扶单位 (county, province
and city units), and the index of each contract category; drawing names (as indices into
the pools) and joining them into strings."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analytics import contract as C
from analytics.demo.arrays import large_str
from analytics.demo.calibration import SECOND_GIVEN_NAME_P

SURNAMES = list("王李张刘杨陈赵马何牛魏谢常郭蔺孙周吴胡朱高冯董石苟景汪姚任潘"
                "温岳安贾韩罗曹白袁付柴雒段侯邓文程蒲雷")
SURNAME_WEIGHTS = 1.0 / (np.arange(len(SURNAMES)) + 4.0)   # the common ones first (王 李 张 …)
MALE_GIVEN = list("建国明军平强伟勇志海文华生成福贵忠有宝林小永万德金玉兵学东全虎"
                  "祥喜进旺堂才荣兴刚俊杰峰斌鹏辉彦锋世天振仁义存来顺保根田录银满元")
FEMALE_GIVEN = list("秀英兰花梅芳霞桂珍凤琴莲娥玲翠香燕丽红娟")
GIVEN_POOL = MALE_GIVEN + FEMALE_GIVEN + [""]
EMPTY_GIVEN = len(GIVEN_POOL) - 1
COUNTY_UNITS = [
    "县委办公室", "县政府办公室", "县人大常委会办公室", "县政协办公室", "县纪委监委",
    "县委组织部", "县委宣传部", "县委统战部", "县发展和改革局", "县财政局", "县教育局",
    "县卫生健康局", "县农业农村局", "县扶贫开发办公室", "县人力资源和社会保障局",
    "县交通运输局", "县水务局", "县住房和城乡建设局", "县公安局", "县人民法院",
    "县人民检察院", "县自然资源局", "县林业和草原局", "县商务局", "县文体广电和旅游局",
    "县民政局", "县医疗保障局", "县市场监督管理局", "县应急管理局", "县统计局",
    "县审计局", "县税务局", "县人民医院", "县第一中学", "县供电公司", "县农村信用合作联社",
]
# 帮扶单位 of the village teams besides the county's units: province and city units
# (invented for the demo, in the style of the real ones)
UPPER_UNITS = [
    "省财政厅", "省农业农村厅", "省交通运输厅", "省水利厅", "省卫生健康委员会", "省教育厅",
    "省住房和城乡建设厅", "省地方金融监督管理局", "市委组织部", "市发展和改革委员会",
    "市财政局", "市农业农村局", "市交通运输局", "市人民医院", "市第一中学", "市供电公司",
]
# the index of each category in the contract's tuple (the arrays hold indices)
CAUSE = {c: i for i, c in enumerate(C.POVERTY_CAUSES)}
MEASURE = {m: i for i, m in enumerate(C.MEASURES)}
RELAPSE = {c: i for i, c in enumerate(C.RELAPSE_CAUSES)}


def draw_names(rng, n: int, female: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` names as three (n,) int16 arrays of indices: surname (into SURNAMES, weighted
    by SURNAME_WEIGHTS), first and second given character (into GIVEN_POOL, female or male
    by ``female``; the second one EMPTY_GIVEN unless SECOND_GIVEN_NAME_P)."""
    s = rng.choice(len(SURNAMES), size=n, p=SURNAME_WEIGHTS / SURNAME_WEIGHTS.sum())
    nm, nf = len(MALE_GIVEN), len(FEMALE_GIVEN)
    g1 = np.where(female, nm + rng.integers(0, nf, n), rng.integers(0, nm, n))
    g2 = np.where(female, nm + rng.integers(0, nf, n), rng.integers(0, nm, n))
    g2 = np.where(rng.random(n) < SECOND_GIVEN_NAME_P, g2, EMPTY_GIVEN)
    return s.astype(np.int16), g1.astype(np.int16), g2.astype(np.int16)


def name_strings(s: np.ndarray, g1: np.ndarray, g2: np.ndarray) -> pa.Array:
    """The names of ``draw_names``' indices as one pyarrow large_string array."""
    sur = pa.array(SURNAMES, type=pa.large_string()).take(pa.array(s.astype(np.int32)))
    gp = pa.array(GIVEN_POOL, type=pa.large_string())
    a = gp.take(pa.array(g1.astype(np.int32)))
    b = gp.take(pa.array(g2.astype(np.int32)))
    return pc.binary_join_element_wise(sur, a, b, large_str(""))

