"""A damaged database file (issue 15, point 6): every page says in Chinese what happened
and what to do, the command line exits with the same words, and an import replaces it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from analytics.config import ROOT


def _random(path, demo_db):
    path.write_bytes(os.urandom(100_000))


def _text(path, demo_db):
    path.write_text("这不是数据库", encoding="utf-8")


def _cut_short(path, demo_db):
    shutil.copyfile(demo_db, path)
    with open(path, "r+b") as f:
        f.truncate(1_000_000)  # cut inside the blocks every query reads


DAMAGES = [(_random, "不是有效的 DuckDB 数据库文件"), (_text, "不是有效的 DuckDB 数据库文件"),
           (_cut_short, "文件不完整")]


@pytest.mark.parametrize(("damage", "reason"), DAMAGES, ids=["random", "text", "cut short"])
def test_the_command_line_says_what_happened_and_what_to_do(tmp_path, demo_db, damage, reason):
    db = tmp_path / "damaged.duckdb"
    damage(db, demo_db)
    out = subprocess.run([sys.executable, "-m", "analytics", "metrics", "--year", "2017", "--db",
                          str(db)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 2
    assert reason in out.stderr and "从备份恢复" in out.stderr and "重新导入" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(("damage", "reason"), DAMAGES, ids=["random", "text", "cut short"])
@pytest.mark.parametrize("page", [None, "pages/relapse.py", "pages/data.py"])
def test_every_page_says_what_happened_and_what_to_do(tmp_path, demo_db, monkeypatch, damage,
                                                      reason, page):
    db = tmp_path / "damaged.duckdb"
    damage(db, demo_db)
    before = db.read_bytes()
    monkeypatch.setenv("TONGWEI_DB", str(db))
    monkeypatch.setenv("TONGWEI_USERS", str(tmp_path / "none.toml"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("数据库无法读取" in e.value and reason in e.value for e in at.error)
    assert "从备份恢复" in " ".join(m.value for m in at.markdown)
    assert not at.metric
    assert db.read_bytes() == before  # never rebuilt over: it may be the county's only copy


def test_an_import_replaces_a_damaged_file(tmp_path, demo_db):
    from analytics.store import Store, export_dataset

    db = tmp_path / "damaged.duckdb"
    _random(db, demo_db)
    export_dataset(demo_db, tmp_path / "files")
    out = subprocess.run([sys.executable, "-m", "analytics", "import", str(tmp_path / "files"),
                          "--db", str(db)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert Store(db).meta()["row_counts"] == Store(demo_db).meta()["row_counts"]
