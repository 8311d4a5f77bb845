"""Every headline figure against values computed by hand from tests/hand_dataset.py.

The working for 2014 (z = 2800): households H1 (4 persons, 2000, poor), H2 (2, 2800,
poor, exactly on the line), H3 (3, −100, poor), H5 (1, 2000, poor); population
100 + 200 + 0 = 300.
"""

from __future__ import annotations

import math

import pytest

from analytics.metrics import HEADLINE_KEYS, UnknownScope, all_headline_figures, headline_figures
from tests.hand_dataset import T1, T2, V1, V3

LN14 = math.log(2800 / 2000)


@pytest.mark.parametrize("year, township, village, key, expected", [
    # 2014, county
    (2014, None, None, "registered_population", 300),
    (2014, None, None, "poor_persons", 10),
    (2014, None, None, "poverty_incidence_pct", 100 * 10 / 300),
    (2014, None, None, "exited_persons", 0),
    (2014, None, None, "relapse_rate_pct", None),  # no exited stock: null, not 0
    (2014, None, None, "rural_income_per_capita", (100 * 4000 + 200 * 5000) / 300),
    (2014, None, None, "registered_income_per_capita", (4 * 2000 + 2 * 2800 - 3 * 100 + 2000) / 10),
    (2014, None, None, "poverty_line", 2800),
    # on the line is not poor; negative income bottom-coded at 0 (gap 1)
    (2014, None, None, "fgt0", (4 + 3 + 1) / 10),
    (2014, None, None, "fgt1", (5 * 800 / 2800 + 3) / 10),
    (2014, None, None, "fgt2", (5 * (800 / 2800) ** 2 + 3) / 10),
    # Watts leaves out y ≤ 0: N⁺ = 4 + 2 + 1
    (2014, None, None, "watts", 5 * LN14 / 7),
    (2014, None, None, "watts_excluded_persons", 3),
    # persons: 0×3, 2000×5, 2800×2 → Σ|yi−yj| over ordered pairs 109600, 2·n²·μ = 312000
    (2014, None, None, "gini", 109600 / 312000),
    # 2015: late registration H4 in V3 (population 50 from 2015); exits H1, H2, H5
    (2015, None, None, "registered_population", 350),
    (2015, None, None, "poor_persons", 3 + 5),
    (2015, None, None, "exited_persons", 4 + 2 + 1),
    (2015, None, None, "exited_stock_start", 0),
    (2015, None, None, "registered_income_per_capita", (12000 + 5800 + 3000 + 7500 + 3000) / 15),
    # 2016: H3 left the register (neither exit nor relapse); H1 relapsed (因病), H5 relapsed
    (2016, None, None, "exited_stock_start", 7),
    (2016, None, None, "relapsed_persons", 5),
    (2016, None, None, "relapse_rate_pct", 100 * 5 / 7),
    (2016, None, None, "exited_persons", 5),
    (2016, None, None, "poor_persons", 5),
    # V2's 2016 income is null: left out of both sums
    (2016, None, None, "rural_income_per_capita", (100 * 4800 + 50 * 3200) / 150),
    # 2017: H1 re-exits; the stock is the 2016 exited (H2, H4)
    (2017, None, None, "exited_persons", 4),
    (2017, None, None, "exited_stock_start", 7),
    (2017, None, None, "relapse_rate_pct", 0.0),
    # townships and villages
    (2016, T1, None, "relapse_rate_pct", 100 * 5 / 7),
    (2016, T2, None, "relapse_rate_pct", None),
    (2014, T2, None, "poverty_incidence_pct", None),  # population 0
    (2015, T2, None, "poverty_incidence_pct", 10.0),
    (2017, T1, None, "exited_stock_start", 2),
    (2015, None, V3, "poor_persons", 5),
    (2014, None, V1, "poor_persons", 9),
    (2014, None, V1, "poverty_incidence_pct", 9.0),
    # V1 alone (H1, H2, H3): persons 0×3, 2000×4, 2800×2 → ordered pairs 94400, 2·9²·(13600/9)
    (2014, None, V1, "gini", 94400 / 244800),
])
def test_headline_figure(hand_store, year, township, village, key, expected):
    record = headline_figures(hand_store, year, township=township, village=village)
    if expected is None:
        assert record[key] is None
    else:
        assert record[key] == pytest.approx(expected, rel=1e-12)


def test_record_has_every_contract_key(hand_store):
    record = headline_figures(hand_store, 2016)
    assert set(HEADLINE_KEYS) <= set(record)
    assert record["scope"] == "county" and record["year"] == 2016
    assert record["relapse_cap_pct"] == 5.0


def test_unknown_scope_and_year(hand_store):
    with pytest.raises(UnknownScope):
        headline_figures(hand_store, 2016, township="621121999")
    with pytest.raises(UnknownScope):
        headline_figures(hand_store, 2031)


def test_all_figures_cover_every_scope_and_year(hand_store):
    frame = all_headline_figures(hand_store)
    assert len(frame) == (1 + 2 + 3) * 4
    assert list(frame["scope"].unique()) == ["county", "township", "village"]


def test_township_sums_equal_county(demo_store):
    """The rollup is additive: townships' persons add up to the county's, every year."""
    frame = all_headline_figures(demo_store)
    county = frame[frame["scope"] == "county"].set_index("year")
    towns = frame[frame["scope"] == "township"].groupby("year")
    for key in ("registered_population", "poor_persons", "exited_persons", "relapsed_persons",
                "exited_stock_start", "watts_excluded_persons"):
        assert (towns[key].sum() == county[key]).all(), key
