"""A database written by another version of the store is refused with a clear message,
never read half-way: the app's own demo is rebuilt, anything else must be imported again."""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from analytics.config import ROOT
from analytics.store import SCHEMA_VERSION, OutdatedDatabase, Store, write_dataset
from tests.hand_dataset import hand_tables
from tests.test_cli import cli
from ui.frame import FIRST_RUN_SOURCE


def outdated_copy(path, source: str) -> None:
    """A database as an older version wrote it: other schema version (and no risk table)."""
    write_dataset(hand_tables(), path, source=source)
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE household_risk_factors")
    con.execute("UPDATE dataset_meta SET value = '1' WHERE key = 'schema_version'")
    con.execute("UPDATE dataset_meta SET value = ? WHERE key = 'source'", [source])
    con.close()


def test_the_store_refuses_another_schema_version(tmp_path):
    path = tmp_path / "old.duckdb"
    outdated_copy(path, "import /data/2016")
    with pytest.raises(OutdatedDatabase) as refused:
        Store(path).query("townships")
    assert refused.value.found == "1" and refused.value.source == "import /data/2016"
    assert f"本版本读取版本 {SCHEMA_VERSION}" in str(refused.value)
    # what to do, for this file: the data last imported, with --db
    assert f"python -m analytics import /data/2016 --db {path}" in str(refused.value)


def test_a_file_of_a_newer_version_is_not_called_old(tmp_path):
    """Newcomer finding (stop 28): a file written by a later version was called 由旧版本生成."""
    path = tmp_path / "newer.duckdb"
    outdated_copy(path, "demo scale=1 seed=2015")
    con = duckdb.connect(str(path))
    con.execute("UPDATE dataset_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    con.close()
    with pytest.raises(OutdatedDatabase) as refused:
        Store(path).query("townships")
    assert refused.value.newer and "由较新版本的程序生成" in str(refused.value)
    assert "旧版本" not in str(refused.value)
    assert f"python -m analytics build-demo --db {path}" in str(refused.value)
    old = tmp_path / "old.duckdb"
    outdated_copy(old, "import /data/2016")
    with pytest.raises(OutdatedDatabase) as refused:
        Store(old).query("townships")
    assert not refused.value.newer and "由旧版本生成" in str(refused.value)


def test_the_command_line_says_what_to_do(tmp_path):
    path = tmp_path / "old.duckdb"
    outdated_copy(path, "import /data/2016")
    result = cli("metrics", "--year", "2016", "--json", db=path)
    assert result.returncode == 2 and result.stdout == ""
    assert "数据库版本 1" in result.stderr and f"python -m analytics import /data/2016 --db {path}" in result.stderr


def test_an_outdated_database_is_not_exported_half_way(tmp_path):
    path = tmp_path / "old.duckdb"
    outdated_copy(path, "import /data/2016")
    duckdb.connect(str(path)).execute("DROP TABLE village_support").close()  # as before schema 3
    result = cli("export", str(tmp_path / "out"), db=path)
    assert result.returncode == 2 and "数据库版本 1" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def open_app(path, monkeypatch) -> AppTest:
    monkeypatch.setenv("TONGWEI_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    return at


def test_an_outdated_import_is_explained_and_left_untouched(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    outdated_copy(path, "import /data/2016")
    before = path.read_bytes()
    at = open_app(path, monkeypatch)
    assert not at.exception
    assert any("数据库由旧版本生成" in e.value for e in at.error)
    assert at.title and f"--db {path}" in " ".join(m.value for m in at.markdown)
    assert not at.metric  # nothing read from it
    assert path.read_bytes() == before


def test_the_apps_own_demo_is_rebuilt_when_outdated(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    outdated_copy(path, FIRST_RUN_SOURCE)
    at = open_app(path, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.metric) >= 6
    meta = Store(path).meta()
    assert meta["schema_version"] == str(SCHEMA_VERSION) and meta["source"] == FIRST_RUN_SOURCE


def test_the_first_run_builds_the_demo(tmp_path, monkeypatch):
    path = tmp_path / "none" / "tongwei.duckdb"
    at = open_app(path, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.metric) >= 6
    assert Store(path).meta()["source"] == FIRST_RUN_SOURCE
