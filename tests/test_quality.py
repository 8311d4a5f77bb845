"""Every data-quality check finds the problems planted in the demo data, and flags
nothing in a clean dataset."""

from __future__ import annotations

import pytest

from analytics.demo import planted_problems
from analytics.quality import quality_findings
from analytics.store import Store, write_dataset
from analytics.demo import demo_tables
from tests.hand_dataset import V1, hand_tables

SCALE, SEED = 1.0, 11  # the county: enough households for the bunching test


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    path = tmp_path_factory.mktemp("county") / "county.duckdb"
    write_dataset(demo_tables(scale=SCALE, seed=SEED), path, source="county")
    return {f.rule: f for f in quality_findings(Store(path))}


@pytest.fixture(scope="module")
def planted():
    return planted_problems(SCALE, SEED)


@pytest.mark.parametrize("rule, planted_key", [
    ("wrong_exit", "wrong_exit"),
    ("duplicate_person", "duplicate_person_pairs"),
    ("poor_above_population", "population_overflow"),
    ("household_size_jump", "size_jump"),
    ("relapse_cause", "relapse_without_cause"),
    ("exit_income_jump", "income_jump"),
    ("village_exit_claim", "village_exit_contradiction"),
    ("cadre_over_quota", "cadres_over_quota"),
])
def test_check_finds_exactly_the_planted_cases(findings, planted, rule, planted_key):
    assert findings[rule].count == planted[planted_key]


def test_bunching_found_in_the_planted_township_only(findings, planted):
    assert set(findings["income_bunching"].rows["township_code"]) == set(planted["income_bunching_townships"])


def test_no_duplicate_ids_after_a_valid_load(findings):
    assert findings["duplicate_id"].count == 0


def test_findings_are_masked(findings):
    rows = findings["duplicate_person"].rows
    assert rows["head_name"].str.endswith("*").all()
    assert rows["head_id_number"].str.contains(r"\*{10}").all()


def clean_tables():
    tables = hand_tables()
    years = tables["household_years"]
    years.loc[(years["household_id"] == "H5") & (years["year"] == 2016), "relapse_cause"] = "因病"
    tables["cadres"].loc[tables["cadres"]["cadre_id"] == "C2", "rank"] = "科级"
    tables["villages"].loc[tables["villages"]["village_code"] == V1, "exit_year"] = 2017
    return tables


def test_clean_dataset_has_no_findings(tmp_path):
    path = tmp_path / "clean.duckdb"
    write_dataset(clean_tables(), path, source="clean")
    found = {f.rule: f.count for f in quality_findings(Store(path))}
    assert found == {rule: 0 for rule in found}


def test_hand_dataset_flags_its_two_problems(hand_store):
    found = {f.rule: f.count for f in quality_findings(hand_store)}
    assert found["relapse_cause"] == 1  # H5 relapsed in 2016 without a cause
    assert found["cadre_over_quota"] == 1  # C2, 一般干部, pairs with two households
    assert found["village_exit_claim"] == 1  # V1 exits in 2015 at exactly 3 %: not below 3 %
    assert sum(found.values()) == 3
