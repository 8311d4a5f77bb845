"""Personal data at rest (issue 15, point 5): the database, the audit file and exported
files are owner-only; the command line's export is audited before it writes, and with
``--masked`` masks every personal column as the pages do."""

from __future__ import annotations

import stat
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from analytics import audit
from analytics.config import ROOT
from analytics.contract import TABLES, mask_id_number, mask_name
from analytics.demo import demo_tables
from analytics.store import _masked_sql, write_dataset


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("column", "value", "expected"), [
    (("households", "head_name"), "张三", mask_name("张三")),
    (("households", "head_name"), "欧阳娜娜", mask_name("欧阳娜娜")),
    (("households", "head_name"), "李", mask_name("李")),
    (("households", "head_name"), "", ""),
    (("households", "head_id_number"), "621121198001011234", mask_id_number("621121198001011234")),
    (("households", "head_id_number"), "1234567", mask_id_number("1234567")),
    (("households", "poverty_cause"), "因病", "＊"),
    (("households", "poverty_cause"), None, None),
])
def test_the_sql_mask_is_the_pages_mask(column, value, expected):
    table, name = column
    spec = next(c for c in TABLES[table].columns if c.name == name)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t ({name} VARCHAR)")
    con.execute("INSERT INTO t VALUES (?)", [value])
    assert con.execute(f"SELECT {_masked_sql(spec)} FROM t").fetchone()[0] == expected


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("privacy") / "small.duckdb"
    write_dataset(demo_tables(scale=0.02, seed=3), db, source="privacy test")
    return db


def cli(*args, env):
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_files_with_personal_data_are_owner_only(small_db, tmp_path, monkeypatch):
    import os
    env = dict(os.environ, TONGWEI_AUDIT=str(tmp_path / "audit.duckdb"))
    assert mode(small_db) == 0o600
    out = cli("export", str(tmp_path / "out"), "--db", str(small_db), env=env)
    assert out.returncode == 0, out.stderr
    files = sorted((tmp_path / "out").iterdir())
    assert files and all(mode(f) == 0o600 for f in files), {f.name: oct(mode(f)) for f in files}
    assert mode(tmp_path / "audit.duckdb") == 0o600
    again = tmp_path / "again.duckdb"
    assert cli("import", str(tmp_path / "out"), "--db", str(again), env=env).returncode == 0
    assert mode(again) == 0o600


def test_the_command_line_export_masks_on_request_and_says_so_in_the_audit(small_db, tmp_path,
                                                                           monkeypatch):
    import os
    monkeypatch.setenv("TONGWEI_AUDIT", str(tmp_path / "audit.duckdb"))
    env = dict(os.environ)
    assert cli("export", str(tmp_path / "plain"), "--db", str(small_db), env=env).returncode == 0
    out = cli("export", str(tmp_path / "masked"), "--masked", "--db", str(small_db), env=env)
    assert out.returncode == 0 and "已脱敏" in out.stdout
    plain = pd.read_csv(tmp_path / "plain" / "households.csv", dtype=str)
    masked = pd.read_csv(tmp_path / "masked" / "households.csv", dtype=str)
    assert list(masked["head_name"]) == [mask_name(n) for n in plain["head_name"]]
    assert list(masked["head_id_number"]) == [mask_id_number(n) for n in plain["head_id_number"]]
    assert set(masked["poverty_cause"].dropna()) == {"＊"}
    assert list(masked["household_id"]) == list(plain["household_id"])  # not personal: kept
    log = audit.recent()
    exports = log[log["action"] == "export"]
    assert sorted(d.rsplit(", ", 1)[1] for d in exports["detail"]) == ["masked)", "unmasked)"]


def test_an_export_that_cannot_be_audited_writes_nothing(small_db, tmp_path, monkeypatch):
    """The command's own ``main`` in this process (tests/cli_runner.py), so that the audit
    gives up after 0.3 s, not its 10 s of retries for another process holding the file."""
    from analytics.store import audit_file
    from tests.cli_runner import cli_in_process

    blocker = tmp_path / "audit.duckdb"
    blocker.mkdir()  # a directory where the audit file should be: it cannot be written
    monkeypatch.setenv("TONGWEI_AUDIT", str(blocker))
    monkeypatch.setattr(audit_file, "AUDIT_WAIT_S", 0.3)
    out = cli_in_process("export", str(tmp_path / "out"), "--db", str(small_db))
    assert out.returncode != 0
    assert "Traceback" not in out.stderr, out.stderr
    assert "审计记录无法写入" in out.stderr, out.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("shift", ["left", "right"])
def test_import_messages_never_print_a_personal_value_of_a_shifted_file(small_db, tmp_path, shift):
    """Every households row shifted by one column (a field lost, or one too many, as a
    spreadsheet edit does): names, ID numbers and causes land in other columns, every
    row is a problem, and no message shows any of them (issue 15.5, issue 8)."""
    from analytics.ingest import ImportRejected, import_dataset
    from analytics.store import export_dataset

    folder = tmp_path / "files"
    export_dataset(small_db, folder)
    path = folder / "households.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines[1:]]
    names = {r[2] for r in rows if r[2]}
    ids = {r[3] for r in rows if r[3]}
    causes = {r[5] for r in rows if r[5]}
    shifted = [r[:1] + r[2:] + [""] if shift == "left" else r[:1] + ["x"] + r[1:-1] for r in rows]
    path.write_text("\n".join([lines[0]] + [",".join(r) for r in shifted]) + "\n", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    with pytest.raises(ImportRejected) as rejected:
        import_dataset(folder, db)
    problems = rejected.value.problems
    assert problems and not db.exists()
    text = "\n".join(f"{p.column} {p.message}" for p in problems)
    leaked = [v for v in names | ids if v in text]
    leaked += [c for c in causes if f"「{c}」" in text]  # the enum message lists the choices itself
    assert not leaked, leaked[:5]
