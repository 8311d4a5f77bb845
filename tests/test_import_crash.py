"""An importer killed with SIGKILL in the middle of a load leaves the previous database
intact and usable, and the next import works.

A demo database (scale 0.3) is exported to CSV; the export is changed a little (every
village's registered population doubled, so the new data shows in the figures) and
imported with ``python -m analytics import`` in a subprocess. When its progress on
stderr reaches a point of the import (validating household_years in the staging tables,
writing the checked tables into the new file, 计算 household_facts) the process
gets SIGKILL: no Python cleanup runs. Its writer lock (``.<db>.lock``, an flock) is
released by the kernel, so the next import is not blocked; the lock file itself stays
and is not counted as a leftover.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analytics.config import ROOT

# Progress lines of the import (analytics/ingest, store.DatasetBuilder.finish): all come
# after the new file was created beside the database and before it is swapped in.
KILL_POINTS = ["校验 household_years", "写入数据", "计算 household_facts"]


def cli(*args, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *map(str, args), "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(db: Path) -> list[str]:
    """Files next to the database other than the database itself and its writer lock
    (``.<name>.lock``, kept after use)."""
    return sorted(p.name for p in db.parent.iterdir()
                  if p.name != db.name and not p.name.endswith(".lock"))


def county_2017(db: Path) -> dict:
    result = cli("metrics", "--year", "2017", "--json", db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """(the demo database, the changed export of it, the old county figures of 2017)."""
    root = tmp_path_factory.mktemp("crash")
    db = root / "base.duckdb"
    built = cli("build-demo", "--scale", "0.3", "--seed", "21", db=db)
    assert built.returncode == 0, built.stderr
    export = root / "export"
    assert cli("export", export, db=db).returncode == 0
    path = export / "village_years.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    j = rows[0].index("registered_population")
    for row in rows[1:]:
        row[j] = str(int(row[j]) * 2)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return db, export, county_2017(db)


def start_import(export: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "analytics", "import", str(export), "--db", str(db)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)


def kill_at(process: subprocess.Popen, point: str, db: Path) -> tuple[list[str], list[str]]:
    """Read the importer's progress until ``point``, SIGKILL it; return (the stderr lines
    seen, the files beside the database at the moment of the kill)."""
    seen: list[str] = []
    at_kill: list[str] | None = None
    deadline = time.monotonic() + 120
    try:
        for line in process.stderr:
            seen.append(line.rstrip())
            if point in line:
                os.kill(process.pid, signal.SIGKILL)
                at_kill = leftovers(db)
                break
            if time.monotonic() > deadline:
                break
    finally:
        if at_kill is None and process.poll() is None:
            process.kill()  # never reached the point: do not leave it running
        process.wait(timeout=60)
        process.stderr.close()
    assert at_kill is not None, f"the import never reached {point!r}:\n" + "\n".join(seen)
    assert process.returncode == -signal.SIGKILL, (
        f"the importer was not killed mid-run (exit {process.returncode}):\n" + "\n".join(seen))
    return seen, at_kill


@pytest.fixture
def killed(prepared, tmp_path, request):
    """A private copy of the database, and an import into it killed at ``request.param``."""
    base, export, old = prepared
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "app.duckdb"
    shutil.copyfile(base, db)
    before = digest(db)
    seen, at_kill = kill_at(start_import(export, db), request.param, db)
    return db, export, old, before, seen, at_kill


# The kills the next import follows (each kill is a partial import of the scale-0.3 demo:
# one kill serves every check of its point).
NEXT_IMPORT = KILL_POINTS[:2]


@pytest.mark.parametrize("killed", KILL_POINTS, indirect=True)
def test_sigkill_leaves_the_old_database_intact_and_the_next_import_works(killed, request):
    db, export, old, before, seen, at_kill = killed
    # the kill really came in the middle of writing the new file
    assert any(name.endswith(".tmp") for name in at_kill), at_kill
    assert digest(db) == before, "the killed import changed the database"
    assert county_2017(db) == old
    if request.node.callspec.params["killed"] not in NEXT_IMPORT:
        return
    # the next import works and shows the new data
    loaded = cli("import", export, db=db)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    new = county_2017(db)
    assert new["registered_population"] == 2 * old["registered_population"]
    assert new["poor_persons"] == old["poor_persons"]
    assert new["poverty_incidence_pct"] == pytest.approx(old["poverty_incidence_pct"] / 2)
    # its own temporary file is gone, and so are the stray ones of the killed import
    assert leftovers(db) == []
