"""The command line of the data contract: exit codes, JSON keys, the export/import round
trip, and an import refused (rejected data, another writer, no audit) changing nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analytics.config import ROOT
from analytics.metrics import HEADLINE_KEYS

VALID_DATASET = ROOT / "tests" / "bad_inputs" / "utf8"  # the hand dataset, 5 households


def cli(*args, db=None, env=None) -> subprocess.CompletedProcess:
    """``python -m analytics ARGS [--db DB]``; ``env``: variables set for the child."""
    command = [sys.executable, "-m", "analytics", *map(str, args)]
    if db is not None:
        command += ["--db", str(db)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def folder_listing(folder: Path) -> list[str]:
    """The names in ``folder``, but writer locks (``.<db>.lock``, kept after use)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def source_of(db: Path) -> str:
    """The source recorded in a database's dataset_meta (the path an import was given)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT value FROM dataset_meta WHERE key = 'source'").fetchone()[0]


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
    fields = lines[1].split(",")
    assert lines[0].split(",")[1] == "village_code"
    fields[1] = "12345"  # a bad village code (a 5-digit code) on line 2
    lines[1] = ",".join(fields)
    households.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("import", str(exported), db=db)
    assert result.returncode == 1
    assert result.stdout.startswith("导入被拒绝：1 个表共 1 个问题。现有数据未改动。"), result.stdout
    assert "households.csv 第 2 行，第 2 列 village_code（" in result.stdout
    assert "「12345」" in result.stdout and "[code_format]" in result.stdout
    assert "导入被拒绝" in result.stderr and "未改动" in result.stderr
    assert db.read_bytes() == before


def test_dry_run_fails_on_problems_in_the_data_and_changes_nothing(hand_db, tmp_path):
    """``import --dry-run`` exits as ``import`` would (data-contract: 0 loaded, 1 rejected):
    1 with every problem listed when a cell breaks a rule (its headers are all there),
    0 for a valid dataset; the database is untouched either way, and nothing audited."""
    before = hand_db.read_bytes()
    good = cli("import", "--dry-run", VALID_DATASET, db=hand_db)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "试导入通过" in good.stdout
    bad = tmp_path / "bad"
    shutil.copytree(VALID_DATASET, bad)
    households = bad / "households.csv"
    lines = households.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(",")
    fields[1] = "12345"  # a bad village code on line 2
    lines[1] = ",".join(fields)
    households.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("import", "--dry-run", bad, db=hand_db)
    assert result.returncode == 1, result.stdout
    assert "households.csv 第 2 行，第 2 列 village_code（" in result.stdout and "[code_format]" in result.stdout
    assert "导入会被拒绝" in result.stderr and "未改动" in result.stderr
    assert hand_db.read_bytes() == before


def test_db_before_the_command_writes_that_database_and_not_the_default(hand_db, tmp_path):
    """``python -m analytics --db OTHER import X`` writes OTHER; the default database
    ($TONGWEI_DB, here a file of this test) is left as it was."""
    default_folder, other_folder = tmp_path / "default", tmp_path / "other"
    default_folder.mkdir()
    other_folder.mkdir()
    default = default_folder / "tongwei.duckdb"
    other = other_folder / "other.duckdb"
    shutil.copyfile(hand_db, default)
    default_bytes, default_listing = default.read_bytes(), folder_listing(default_folder)
    assert source_of(default) == "hand"

    result = cli("--db", other, "import", VALID_DATASET, env={"TONGWEI_DB": str(default)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert source_of(other) == str(VALID_DATASET.resolve())
    assert default.read_bytes() == default_bytes
    assert folder_listing(default_folder) == default_listing
    assert not (default_folder / f".{default.name}.lock").exists()  # not even locked
    # without --db the default database is the one written (so TONGWEI_DB did apply)
    result = cli("import", VALID_DATASET, env={"TONGWEI_DB": str(default)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert source_of(default) == str(VALID_DATASET.resolve())


def test_import_while_another_writer_holds_the_database_changes_nothing(hand_db, tmp_path):
    from analytics.store import DatasetBuilder

    db = tmp_path / "app.duckdb"
    shutil.copyfile(hand_db, db)
    before, listing = db.read_bytes(), folder_listing(tmp_path)
    writer = DatasetBuilder(db)  # another import, still building: it holds the writer lock
    try:
        result = cli("import", VALID_DATASET, db=db)
    finally:
        writer.abandon()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "导入" in result.stderr and "未改动" in result.stderr
    assert "另一个导入正在写入" in result.stdout + result.stderr
    assert "[import_in_progress]" in result.stdout
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before
    assert folder_listing(tmp_path) == listing
    # once the other writer is gone, the same import goes through
    result = cli("import", VALID_DATASET, db=db)
    assert result.returncode == 0, result.stdout + result.stderr
    assert db.read_bytes() != before


def test_import_that_cannot_be_audited_changes_nothing(hand_db, tmp_path):
    db = tmp_path / "db" / "app.duckdb"
    db.parent.mkdir()
    shutil.copyfile(hand_db, db)
    before, listing = db.read_bytes(), folder_listing(db.parent)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file where the audit's folder should be", encoding="utf-8")
    audit = blocker / "audit.duckdb"  # its parent is a file: it can never be created
    result = cli("import", VALID_DATASET, db=db, env={"TONGWEI_AUDIT": str(audit)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "审计" in result.stdout + result.stderr
    assert "[audit_unavailable]" in result.stdout
    assert "导入被拒绝" in result.stderr and "未改动" in result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before
    assert folder_listing(db.parent) == listing
    assert blocker.is_file()
    # the same import, audited, goes through
    result = cli("import", VALID_DATASET, db=db)
    assert result.returncode == 0, result.stdout + result.stderr
    assert db.read_bytes() != before


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


@pytest.mark.parametrize(("args", "constraints", "chunk"), [
    (("--scale", "10"), True, None),            # a few counties: built whole, with key indexes
    (("--scale", "100"), False, 20),            # a province: no indexes, 20 counties at a time
    (("--scale", "100", "--chunk", "5"), False, 5),
    (("--scale", "2", "--no-constraints"), False, None),
])
def test_build_demo_of_a_province_needs_no_extra_flags(tmp_path, monkeypatch, args, constraints, chunk):
    """`build-demo --scale 100` as the README gives it failed with DuckDB's "failed to pin
    block" (key indexes cannot spill); beyond LARGE_DEMO_SCALE it now builds without them,
    in chunks. What is asked of the writer is checked here (the build itself is
    bench/run.py's; a chunked build equals a whole one: tests/test_store.py)."""
    from analytics import demo, store
    from tests.cli_runner import cli_in_process

    asked = {}

    def fake_write(chunks, db, **kwargs):
        asked.update(kwargs, chunks=chunks)
        Path(db).write_bytes(b"")
        return {}

    monkeypatch.setattr(store, "write_dataset_chunks", fake_write)
    sizes = []
    monkeypatch.setattr(demo, "demo_tables", lambda **kw: sizes.append(kw["replicas"]) or {})
    result = cli_in_process("build-demo", *args, "--db", tmp_path / "x.duckdb")
    assert result.returncode == 0, result.stderr
    assert asked["constraints"] is constraints
    list(asked["chunks"])
    total = demo.replica_count(float(args[1]))
    steps = [s.stop - s.start for s in sizes]
    assert steps[0] == (chunk or total) and sum(min(s, total - r.start) for s, r in zip(steps, sizes)) == total
