"""The command line of the data contract: exit codes, JSON keys, the export/import round trip."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analytics.config import ROOT
from analytics.metrics import HEADLINE_KEYS


def cli(*args, db=None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "analytics", *args]
    if db is not None:
        command += ["--db", str(db)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_metrics_json_for_the_county(hand_db):
    result = cli("metrics", "--year", "2016", "--json", db=hand_db)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert set(HEADLINE_KEYS) | {"scope", "year", "watts_excluded_persons"} <= set(record)
    assert record["scope"] == "county" and record["year"] == 2016
    assert record["relapse_rate_pct"] == pytest.approx(100 * 5 / 7)


def test_metrics_for_a_township_and_a_village(hand_db):
    town = json.loads(cli("metrics", "--year", "2015", "--township", "621121102", "--json",
                          db=hand_db).stdout)
    assert town["scope"] == "township" and town["poverty_incidence_pct"] == pytest.approx(10.0)
    village = json.loads(cli("metrics", "--year", "2014", "--village", "621121101001", "--json",
                             db=hand_db).stdout)
    assert village["poor_persons"] == 9


@pytest.mark.parametrize("args", [
    ("--year", "2031"),
    ("--year", "2016", "--township", "999999999"),
    ("--year", "2016", "--village", "621121101999"),
])
def test_unknown_scope_or_year_exits_2(hand_db, args):
    result = cli("metrics", *args, "--json", db=hand_db)
    assert result.returncode == 2
    assert result.stdout == ""


def test_metrics_all_is_one_object_per_line(hand_db):
    result = cli("metrics", "--all", "--json", db=hand_db)
    assert result.returncode == 0
    lines = [json.loads(line) for line in result.stdout.splitlines() if line]
    assert len(lines) == (1 + 2 + 3) * 4
    assert {line["scope"] for line in lines} == {"county", "township", "village"}


def test_metrics_all_json_imports_neither_pandas_nor_numpy(hand_db):
    """The province-scale path stays lean: DuckDB writes the JSON (bench/run.py measures it)."""
    probe = ("import runpy, sys; sys.argv = ['analytics', 'metrics', '--all', '--json', '--db', "
             f"{str(hand_db)!r}]\n"
             "try:\n    runpy.run_module('analytics', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in ('pandas', 'numpy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "LOADED []"
    assert len([line for line in result.stdout.splitlines() if line.startswith("{")]) == 24


def test_check_exit_codes(hand_db, tmp_path):
    found = cli("check", db=hand_db)
    assert found.returncode == 1 and "relapse_cause" in found.stdout
    from analytics.store import write_dataset
    from tests.test_quality import clean_tables

    clean = tmp_path / "clean.duckdb"
    write_dataset(clean_tables(), clean, source="clean")
    result = cli("check", db=clean)
    assert result.returncode == 0, result.stdout
    assert "clean" in result.stdout


def test_missing_database_is_a_clear_error(tmp_path):
    result = cli("metrics", "--year", "2016", db=tmp_path / "none.duckdb")
    assert result.returncode == 2 and "build-demo" in result.stderr


def test_build_demo_then_export_import_round_trip(tmp_path):
    db = tmp_path / "demo.duckdb"
    built = cli("build-demo", "--scale", "0.02", "--seed", "3", db=db)
    assert built.returncode == 0, built.stderr
    assert "household-years" in built.stderr  # progress is visible
    exported = tmp_path / "export"
    assert cli("export", str(exported), db=db).returncode == 0
    again = tmp_path / "again.duckdb"
    loaded = cli("import", str(exported), db=again)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    first = [json.loads(x) for x in cli("metrics", "--all", "--json", db=db).stdout.splitlines()]
    second = [json.loads(x) for x in cli("metrics", "--all", "--json", db=again).stdout.splitlines()]
    assert len(first) == len(second)
    for a, b in zip(first, second):
        # the same data: figures equal up to the order of floating-point sums
        assert a.keys() == b.keys()
        for key in a:
            if isinstance(a[key], float):
                assert a[key] == pytest.approx(b[key], rel=1e-12), key
            else:
                assert a[key] == b[key], key
    re_exported = tmp_path / "export2"
    assert cli("export", str(re_exported), db=again).returncode == 0
    for table in exported.iterdir():
        assert (re_exported / table.name).read_bytes() == table.read_bytes(), table.name


def test_rejected_import_changes_nothing(tmp_path):
    db = tmp_path / "demo.duckdb"
    assert cli("build-demo", "--scale", "0.02", db=db).returncode == 0
    before = db.read_bytes()
    exported = tmp_path / "export"
    cli("export", str(exported), db=db)
    households = exported / "households.csv"
    lines = households.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[1], "12345", 1)  # a bad village code
    households.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("import", str(exported), db=db)
    assert result.returncode == 1
    assert "households" in result.stdout and "line 2" in result.stdout
    assert db.read_bytes() == before


def test_metrics_all_keeps_full_precision(hand_db):
    """Every number of --all equals the store's to the last bit (thresholds compare unrounded)."""
    from analytics.metrics import headline_figures
    from analytics.store import Store

    lines = [json.loads(line) for line in cli("metrics", "--all", "--json", db=hand_db).stdout.splitlines()]
    store = Store(hand_db)
    for line in lines:
        scope = {"township": line["code"]} if line["scope"] == "township" else \
            {"village": line["code"]} if line["scope"] == "village" else {}
        expected = headline_figures(store, line["year"], **scope)
        assert {k: line[k] for k in HEADLINE_KEYS} == {k: expected[k] for k in HEADLINE_KEYS}
    assert [line["scope"] for line in lines[:4]] == ["county"] * 4
