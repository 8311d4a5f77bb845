"""The store: all-or-nothing replacement, schema constraints, chunked builds."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analytics.demo import demo_tables, replica_count
from analytics.metrics import all_headline_figures
from analytics.store import Store, table_ddl, write_dataset, write_dataset_chunks
from analytics.contract import TABLES
from tests.hand_dataset import hand_tables


def test_a_failed_write_leaves_the_old_database_and_no_stray_file(tmp_path):
    db = tmp_path / "db.duckdb"
    write_dataset(hand_tables(), db, source="first")
    before = db.read_bytes()
    bad = hand_tables()
    bad["households"] = pd.concat([bad["households"], bad["households"].iloc[[0]]])  # duplicate key
    with pytest.raises(duckdb.ConstraintException):
        write_dataset(bad, db, source="second")
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".db.duckdb.lock", "db.duckdb"]
    assert Store(db).meta()["source"] == "first"


def test_schema_enforces_the_contract(tmp_path):
    con = duckdb.connect(str(tmp_path / "schema.duckdb"))
    for name in ("townships", "villages"):
        con.execute(table_ddl(TABLES[name]))
    con.execute("INSERT INTO townships VALUES ('621121101', '马营镇', NULL, '镇', NULL, NULL, NULL)")
    with pytest.raises(duckdb.ConstraintException):  # kind must be 镇 or 乡
        con.execute("INSERT INTO townships VALUES ('621121102', '某镇', NULL, '村', NULL, NULL, NULL)")
    with pytest.raises(duckdb.ConstraintException):  # 9 digits
        con.execute("INSERT INTO townships VALUES ('62112110', '某镇', NULL, '镇', NULL, NULL, NULL)")
    with pytest.raises(duckdb.ConstraintException):  # the township must exist
        con.execute("INSERT INTO villages VALUES ('621121999001', '621121999', '某村', false,"
                    " NULL, NULL, NULL, NULL)")


def test_a_chunked_build_equals_a_whole_build(tmp_path):
    # Two county replicas, one chunk each: Tongwei whole and the county 900001 at 5 % of
    # its households (the cost is the rows: two builds of 2.5 counties were ~11 s of CPU).
    scale = 1.05
    assert replica_count(scale) == 2
    whole, chunked = tmp_path / "whole.duckdb", tmp_path / "chunked.duckdb"
    tables = demo_tables(scale=scale, seed=9)
    write_dataset(tables, whole, source="whole")
    households = len(tables["households"])  # the same frames a second call would give
    del tables
    parts = (demo_tables(scale=scale, seed=9, replicas=slice(k, k + 1))
             for k in range(replica_count(scale)))
    counts = write_dataset_chunks(parts, chunked, source="chunked", constraints=False,
                                  memory_limit="2GB")
    assert counts["households"] == households
    a = all_headline_figures(Store(whole)).set_index(["scope", "code", "year"]).sort_index()
    b = all_headline_figures(Store(chunked)).set_index(["scope", "code", "year"]).sort_index()
    pd.testing.assert_frame_equal(a, b, rtol=1e-9, check_exact=False)
    assert Store(chunked).meta()["constraints"] == "validated before load"
