"""What two sessions or processes can touch at once during an import: the database file
(one writer at a time, the loser refused with a clear message and nothing lost) and the
audit file (every row recorded, however many write at once)."""

from __future__ import annotations

import threading

import duckdb
import pytest

from analytics import audit
from analytics.ingest import import_dataset
from analytics.loading import load_dataset, load_uploaded_files
from analytics.store import DatasetBuilder, ImportInProgress, Store
from tests.tiny_dataset import base, write_csv


def test_a_second_writer_is_refused_while_the_first_holds_the_database(tmp_path):
    db = tmp_path / "db.duckdb"
    folder = write_csv(base(), tmp_path / "d")
    import_dataset(folder, db)
    before = db.read_bytes()
    with DatasetBuilder(db):
        with pytest.raises(ImportInProgress) as refused:
            import_dataset(folder, db)
        assert "导入" in str(refused.value) and "未改动" in str(refused.value)
        result = load_dataset(folder, db)
        assert not result.ok and result.problems[0].rule == "import_in_progress"
        # an upload's refusal names the files uploaded, not the temporary folder they sit in
        uploaded = load_uploaded_files([(f.name, f.read_bytes()) for f in sorted(folder.iterdir())], db)
        assert uploaded.problems[0].rule == "import_in_progress"
        assert uploaded.problems[0].source == ", ".join(sorted(f.name for f in folder.iterdir()))
    assert db.read_bytes() == before
    import_dataset(folder, db)  # the lock is released afterwards


def test_imports_from_threads_never_interleave(tmp_path, monkeypatch):
    monkeypatch.setenv("TONGWEI_AUDIT", str(tmp_path / "audit.duckdb"))
    db = tmp_path / "db.duckdb"
    folders = [write_csv(base(), tmp_path / f"d{i}") for i in range(4)]
    start = threading.Barrier(len(folders))
    results = []

    def run(folder):
        start.wait()
        results.append(load_dataset(folder, db, source=folder.name))

    threads = [threading.Thread(target=run, args=(f,)) for f in folders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    loaded = [r for r in results if r.ok]
    refused = [r for r in results if not r.ok]
    assert loaded, "at least one import must win"
    assert all(r.problems[0].rule == "import_in_progress" for r in refused)
    # the database is whole and names one of the winners as its source
    assert Store(db).meta()["source"] in {f.name for f in folders}
    log = audit.recent(path=tmp_path / "audit.duckdb")
    assert (log["action"] == "import").sum() == len(loaded)


def test_audit_writes_from_many_threads_are_all_recorded(tmp_path):
    path = tmp_path / "audit.duckdb"
    errors = []

    def write(worker):
        try:
            for i in range(25):
                audit.record(f"user{worker}", "county", "export", f"x{i}", i, path=path)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 200
