"""Every import rule is described in Chinese, and the upload page's table shows no None."""

import re

from analytics.ingest import RULES, Problem
from ui.tables import problem_rows


def test_every_rule_is_described_in_chinese():
    for rule, text in RULES.items():
        assert re.fullmatch(r"[a-z_0-9]+", rule), rule
        assert re.search(r"[\u4e00-\u9fff]", text), rule


def test_problem_rows_are_chinese_and_blank_where_unknown():
    rows = problem_rows([Problem("households", None, None, "missing_table", "缺少", "households"),
                         Problem("households", 12, "head_id_number", "id_checksum", "校验位不符",
                                 "households.csv", 5)])
    assert rows[0]["行"] == "" and rows[0]["列"] == "" and rows[0]["列名"] == ""
    assert rows[1]["行"] == "12" and rows[1]["列"] == "5"
    assert rows[1]["列名"] == "head_id_number（户主身份证号）"
    assert rows[1]["问题"] == "校验位不符" and rows[1]["应满足"] == RULES["id_checksum"]
    assert list(rows[1])[:5] == ["文件", "行", "列", "列名", "问题"]
    assert "None" not in repr(rows)


def test_refusals_of_load_dataset_are_described_in_chinese_on_the_upload_page(hand_db, tmp_path,
                                                                              monkeypatch):
    """The problems load_dataset adds itself (another import holds the database; the audit
    row cannot be written) are listed like the importer's: a Chinese 问题, not a rule id."""
    import shutil
    from pathlib import Path

    from analytics.loading import load_dataset
    from analytics.store import DatasetBuilder

    dataset = Path(__file__).resolve().parent / "bad_inputs" / "utf8"
    db = tmp_path / "app.duckdb"
    shutil.copyfile(hand_db, db)
    writer = DatasetBuilder(db)  # another import, still building
    try:
        busy = load_dataset(dataset, db)
    finally:
        writer.abandon()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("TONGWEI_AUDIT", str(blocker / "audit.duckdb"))  # cannot be created
    unaudited = load_dataset(dataset, db)
    problems = busy.problems + unaudited.problems
    assert not busy.ok and not unaudited.ok and len(problems) == 2
    for row in problem_rows(problems):
        assert re.search(r"[\u4e00-\u9fff]", row["问题"]), row
        assert re.search(r"[\u4e00-\u9fff]", row["应满足"]), row
    assert "None" not in repr(problem_rows(problems))
