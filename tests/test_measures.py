"""Poverty measures against the published values in ../shared/reference/poverty_measures.md,
in both implementations: numpy (analytics.measures) and SQL (the figures rollup)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import measures
from analytics.contract import TABLES, id_check_digit
from analytics.metrics import headline_figures
from analytics.store import Store, write_dataset

HANDBOOK = {  # Haughton & Khandker (2009), ch. 4, z = 125
    "A": ([100, 100, 150, 150], 0.5, 0.1, 0.02, 0.1115717757),
    "B": ([124, 124, 150, 150], 0.5, 0.004, 0.000032, 0.0040160858),
    "C": ([100, 110, 150, 160], 0.5, 0.08, 0.0136, 0.0877442307),
}
GINI = [
    ([10, 15, 20, 25, 40, 20, 30, 35, 45, 90], 0.3272727273),
    ([541, 1463, 2445, 3438, 4437, 5401, 6392, 8304, 11904, 22261], 0.4620911303),
]


@pytest.mark.parametrize("country", sorted(HANDBOOK))
def test_fgt_and_watts_numpy(country):
    y, p0, p1, p2, w = HANDBOOK[country]
    assert measures.fgt(y, 125, 0) == pytest.approx(p0, abs=1e-10)
    assert measures.fgt(y, 125, 1) == pytest.approx(p1, abs=1e-10)
    assert measures.fgt(y, 125, 2) == pytest.approx(p2, abs=1e-10)
    assert measures.watts(y, 125)[0] == pytest.approx(w, abs=1e-9)


@pytest.mark.parametrize("y, expected", GINI)
def test_gini_numpy(y, expected):
    assert measures.gini(y) == pytest.approx(expected, abs=1e-10)
    assert measures.gini(list(reversed(y))) == pytest.approx(expected, abs=1e-10)
    assert measures.gini(np.array(y) * 7.5) == pytest.approx(expected, abs=1e-10)


def test_weighted_gini_equals_expanded():
    y, w = [100, 300, 50, 900], [3, 1, 4, 2]
    assert measures.gini(y, w) == pytest.approx(measures.gini(np.repeat(y, w)), abs=1e-12)


def test_empty_inputs_give_none():
    assert measures.fgt([], 100, 0) is None
    assert measures.gini([0, 0]) is None
    assert measures.watts([-5, 0], 100) == (None, 2.0)


def single_village_dataset(incomes, members=None):
    """One village, one household per income, year 2014."""
    members = members or [1] * len(incomes)
    n = len(incomes)
    tables = {
        "townships": pd.DataFrame([("621121101", "马营镇", None, "镇", None, None, None)],
                                  columns=TABLES["townships"].column_names),
        "villages": pd.DataFrame([("621121101001", "621121101", "一村", True, 2015, None, None, None)],
                                 columns=TABLES["villages"].column_names),
        "village_years": pd.DataFrame(
            [("621121101001", 2014, sum(members), n, None) + (None,) * 9],
            columns=TABLES["village_years"].column_names),
    }
    ids = []
    for i in range(n):
        first17 = f"62112119800101{i:03d}"
        ids.append(first17 + id_check_digit(first17))
    tables["households"] = pd.DataFrame(
        [(f"H{i}", "621121101001", "某某", ids[i], 2014, "其他", None) for i in range(n)],
        columns=TABLES["households"].column_names)
    tables["household_years"] = pd.DataFrame(
        [(f"H{i}", 2014, members[i], float(incomes[i]), None, "未脱贫", None, None) + (True,) * 5
         for i in range(n)],
        columns=TABLES["household_years"].column_names)
    return tables


@pytest.mark.parametrize("country", sorted(HANDBOOK))
def test_fgt_and_watts_sql(tmp_path, country):
    y, p0, p1, p2, w = HANDBOOK[country]
    path = tmp_path / "ref.duckdb"
    write_dataset(single_village_dataset(y), path, source="reference", poverty_lines={2014: 125})
    record = headline_figures(Store(path), 2014)
    assert record["fgt0"] == pytest.approx(p0, abs=1e-10)
    assert record["fgt1"] == pytest.approx(p1, abs=1e-10)
    assert record["fgt2"] == pytest.approx(p2, abs=1e-10)
    assert record["watts"] == pytest.approx(w, abs=1e-9)


@pytest.mark.parametrize("y, expected", GINI)
def test_gini_sql(tmp_path, y, expected):
    path = tmp_path / "gini.duckdb"
    write_dataset(single_village_dataset(y), path, source="reference")
    assert headline_figures(Store(path), 2014)["gini"] == pytest.approx(expected, abs=1e-10)


def test_weighted_gini_sql_equals_expanded(tmp_path):
    y, w = [100, 300, 50, 900, 300], [3, 1, 4, 2, 5]
    path = tmp_path / "w.duckdb"
    write_dataset(single_village_dataset(y, w), path, source="reference")
    expected = measures.gini(np.repeat(y, w))
    assert headline_figures(Store(path), 2014)["gini"] == pytest.approx(expected, abs=1e-12)


def test_sql_matches_numpy_on_demo_villages(demo_store):
    """FGT decomposes over villages, and every village's SQL figures equal numpy's."""
    facts = demo_store.query("figures_by_level", scope_level="village")
    county = headline_figures(demo_store, 2017)
    year = facts[facts["year"] == 2017]
    weights = year["enrolled_persons"] / year["enrolled_persons"].sum()
    for key in ("fgt0", "fgt1", "fgt2"):
        assert (weights * year[key].fillna(0)).sum() == pytest.approx(county[key], rel=1e-9)
