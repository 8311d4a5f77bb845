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
    assert rows[1]["问题"] == RULES["id_checksum"]
    assert "None" not in repr(rows)
