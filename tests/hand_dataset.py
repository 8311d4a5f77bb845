"""A dataset small enough to compute every figure by hand (see test_figures.py).

Two townships, three villages, five households, 2014–2017, covering the contract's
edges: a village with zero population, a household exactly on the line, a negative
income, a household leaving the register, a relapse and re-exit, a relapse without
a cause, and a late registration.
"""

from __future__ import annotations

import pandas as pd

from analytics.contract import TABLES, id_check_digit

T1, T2 = "621121101", "621121102"
V1, V2, V3 = T1 + "001", T1 + "002", T2 + "001"


def person_id(birth: str, seq: str) -> str:
    first17 = "621121" + birth + seq
    return first17 + id_check_digit(first17)


def frame(name: str, rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=TABLES[name].column_names)


def hand_tables() -> dict[str, pd.DataFrame]:
    townships = frame("townships", [
        (T1, "马营镇", "马营", "镇", 2017, 35.3, 105.0),
        (T2, "鸡川镇", "鸡川", "镇", None, 35.15, 105.46),
    ])
    villages = frame("villages", [
        (V1, T1, "一村", True, 2015, 2015, 35.31, 105.01),
        (V2, T1, "二村", False, None, None, 35.32, 105.02),
        (V3, T2, "三村", True, 2016, None, 35.16, 105.47),
    ])
    vy = []
    income = {V1: [4000, 4400, 4800, 5200], V2: [5000, 5500, None, 6000], V3: [3000, 3100, 3200, 3300]}
    population = {V1: [100] * 4, V2: [200] * 4, V3: [0, 50, 50, 50]}
    for v in (V1, V2, V3):
        for i, year in enumerate(range(2014, 2018)):
            vy.append((v, year, population[v][i], population[v][i] // 4, income[v][i],
                       True, True, True, i > 1, False, i > 2, i, 1000.0 * i, 500.0 * i))
    village_years = frame("village_years", vy)
    cadres = frame("cadres", [("C1", "王书记", "正县级", "县委"), ("C2", "李干事", "一般干部", "县教育局")])
    households = frame("households", [
        ("H1", V1, "张三", person_id("19700101", "123"), 2014, "因病", "C1"),
        ("H2", V1, "李四", person_id("19650505", "234"), 2014, "缺技术", "C2"),
        ("H3", V1, "王五", person_id("19401212", "345"), 2014, "缺劳力", "C2"),
        ("H4", V3, "赵六", person_id("19800229", "456"), 2015, "因学", None),
        ("H5", V2, "孙七", person_id("19751111", "567"), 2014, "因残", "C1"),
    ])
    P, E = "未脱贫", "已脱贫"
    rows = [
        # household, year, members, income, wage, status, relapse_cause, dibao, secure×5
        ("H1", 2014, 4, 2000, 500, P, None, None),
        ("H1", 2015, 4, 3000, 1000, E, None, None),
        ("H1", 2016, 4, 2500, 800, P, "因病", None),
        ("H1", 2017, 4, 3200, 1600, E, None, None),
        ("H2", 2014, 2, 2800, None, P, None, "二类"),
        ("H2", 2015, 2, 2900, 1400, E, None, None),
        ("H2", 2016, 2, 3100, 1500, E, None, None),
        ("H2", 2017, 2, 3300, 1700, E, None, None),
        ("H3", 2014, 3, -100, 0, P, None, "一类"),
        ("H3", 2015, 3, 1000, 0, P, None, "一类"),
        ("H4", 2015, 5, 1500, 300, P, None, None),
        ("H4", 2016, 5, 3000, 1500, E, None, None),
        ("H4", 2017, 5, 3400, 1700, E, None, None),
        ("H5", 2014, 1, 2000, 0, P, None, None),
        ("H5", 2015, 1, 3000, 1000, E, None, None),
        ("H5", 2016, 1, 2000, 0, P, None, None),
        ("H5", 2017, 1, 2100, 0, P, None, None),
    ]
    household_years = frame("household_years", [
        r + ((r[5] == E),) * 5 for r in rows
    ])
    measures = frame("household_measures", [
        ("H1", 2015, "产业扶持", 5000.0),
        ("H4", 2016, "教育资助", 2000.0),
    ])
    return {
        "townships": townships,
        "villages": villages,
        "village_years": village_years,
        "cadres": cadres,
        "households": households,
        "household_years": household_years,
        "household_measures": measures,
    }
