"""Every table says, in words, the verdict the map colours (analytics/verdicts.py): the
outlook / 摘帽结果 table and the league table of 总览 against the map's values, for every
township and year; the battle map's counts name every township, 基线 included."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from analytics.config import ROOT
from analytics.status import township_map_values
from analytics.verdicts import VERDICTS, verdict_counts, verdict_groups

YEARS = range(2014, 2021)
LABELS = [label for label in VERDICTS.values()]


@pytest.fixture(autouse=True)
def _database(demo_db, monkeypatch):
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))


def words(text: str) -> set[str]:
    """The verdict labels a cell says (a label inside another, 达标, is not counted)."""
    return {label for label in LABELS if re.search(f"(?<![按逾期未]){label}", text)}


def overview(year: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["year"] = str(year)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("year", YEARS)
def test_the_tables_say_the_maps_verdict(demo_store, year):
    values = township_map_values(demo_store, year).set_index("name")
    at = overview(year)
    tables = [d.value for d in at.dataframe if "verdict_text" in d.value.columns]
    assert tables, "the league table at least"
    seen = set()
    for table in tables:
        for name, text in zip(table["name"], table["verdict_text"]):
            label = values.loc[name, "verdict_label"]
            assert words(text) == {label}, (year, name, text, label)
            assert text.startswith(label), (year, name, text, label)
            seen.add(values.loc[name, "verdict"])
    if year == 2014:
        assert seen == {"baseline"}


@pytest.mark.parametrize("verdicts, expected", [
    ({"baseline": 18}, [("基线", 18)]),
    ({"met": 3, "missed_late": 2, "missed": 1}, [("按期", 3), ("逾期", 2), ("未达标", 1)]),
    ({"on_track": 4, "no_data": 1}, [("按期", 4), ("无数据", 1)]),
    ({}, [("按期", 0), ("落后", 0), ("逾期", 0), ("未达标", 0)]),
])
def test_verdict_groups_count_every_township(verdicts, expected):
    import pandas as pd

    codes = [code for code, n in verdicts.items() for _ in range(n)]
    frame = pd.DataFrame({"verdict": codes, "over_cap": False,
                          "poverty_incidence_pct": 10.0}, dtype=object)
    frame["over_cap"] = frame["over_cap"].astype(bool)
    frame["poverty_incidence_pct"] = frame["poverty_incidence_pct"].astype(float)
    assert verdict_groups(verdict_counts(frame)) == expected
