"""The 数据 page's 操作记录 speaks Chinese: every value the code writes to the audit trail
(actions, roles, the actors and details it writes itself) has its label in
``ui.format.AUDIT_LABELS``; details made of settings, sources and counts are put into words."""

from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from analytics import audit
from analytics.access import ROLES
from analytics.loading import load_uploaded_files
from ui.format import AUDIT_LABELS, audit_detail, audit_label

ROOT = Path(__file__).resolve().parents[1]
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def record_exports(n: int) -> None:
    """``n`` export rows in the audit trail, ``/srv/out0`` the oldest. The first and the
    last are written by ``audit.record`` (which creates the file); the ones between in one
    connection with the same insert, a microsecond apart, between the two in time
    (``audit.record`` opens, writes and closes the file for each row: ~100 ms apiece)."""
    import duckdb

    from analytics.store.schema import read_query

    audit.record("wang", "cli", "export", "/srv/out0 (csv)", 0)
    if n > 2:
        start = datetime.now(timezone.utc).replace(tzinfo=None)
        with duckdb.connect(str(audit.audit_path())) as con:
            con.executemany(read_query("audit_insert"), [
                [start + timedelta(microseconds=k), "wang", "cli", "export", f"/srv/out{k} (csv)", k,
                 ""]  # as audit.record writes it: unrestricted scope
                for k in range(1, n - 1)])
    if n > 1:
        audit.record("wang", "cli", "export", f"/srv/out{n - 1} (csv)", n - 1)
    assert audit.total() == n


def _literal_record_arguments() -> dict[str, set[str]]:
    """The constant actor, role, action and detail of every ``audit.record(...)`` call in
    the code (analytics/, ui/, pages/, app.py), by column."""
    found: dict[str, set[str]] = {"actor": set(), "role": set(), "action": set(), "detail": set()}
    files = [ROOT / "app.py"] + [f for d in ("analytics", "ui", "pages") for f in (ROOT / d).rglob("*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record" and getattr(node.func.value, "id", "") == "audit"):
                for column, arg in zip(("actor", "role", "action", "detail"), node.args):
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found[column].add(arg.value)
    return found


def test_the_scan_finds_the_calls():
    found = _literal_record_arguments()
    assert {"cli", "?"} <= found["role"] and {"sign_in", "build_demo", "export"} <= found["action"]


def test_every_action_has_a_chinese_label():
    assert set(audit.ACTIONS) == set(AUDIT_LABELS["action"])
    for action in audit.ACTIONS:
        assert not LATIN_WORD.search(audit_label("action", action)), action


def test_every_role_and_every_actor_and_detail_the_code_writes_has_a_chinese_label():
    found = _literal_record_arguments()
    roles = set(ROLES) | found["role"]
    actors = found["actor"] | {"upload", "unknown"}  # load_uploaded_files' default, the CLI's fallback
    assert load_uploaded_files.__kwdefaults__["actor"] in actors
    for column, values in (("role", roles), ("actor", actors), ("action", found["action"]),
                           ("detail", found["detail"])):
        for value in values:
            label = audit_label(column, value)
            assert label != value and not LATIN_WORD.search(label), (column, value, label)


@pytest.mark.parametrize(("detail", "shown"), [
    ("password", "密码"),
    ("oidc: no role", "统一身份认证：未分配角色"),
    ("password: locked", "密码：账户已锁定"),
    ("bad screen token", "大屏令牌无效"),
    ("password from 10.0.0.7", "密码（来自 10.0.0.7）"),            # a failed sign-in's client
    ("password: locked from 10.0.0.7", "密码：账户已锁定（来自 10.0.0.7）"),
    ("oidc: no role from ?", "统一身份认证：未分配角色（地址未知）"),
    ("upload: rows from 2019.csv", "上传的 rows from 2019.csv"),    # a file's name stays as it is
    ("scale=1 seed=2015", "演示数据（规模 1，随机种子 2015）"),
    ("demo scale=1 seed=2015", "演示数据"),
    ("upload: households.csv, villages.csv", "上传的 households.csv 等 2 个文件"),
    ("upload: a.xlsx: 12 problems", "上传的 a.xlsx：12 个问题"),
    ("/srv/data/2017: 1200 problems", "/srv/data/2017：1,200 个问题"),
    ("/srv/out (csv)", "/srv/out（CSV 格式）"),
    ("马营镇_各村情况_2017.xlsx", "马营镇_各村情况_2017.xlsx"),
    (None, "—"),
    ("", "—"),
])
def test_details_in_words(detail, shown):
    assert audit_detail(detail) == shown


def test_a_person_s_name_is_shown_as_stored():
    assert audit_label("actor", "张三") == "张三"
    assert audit_label("actor", None) == "—"


def test_the_data_page_shows_the_audit_trail_in_chinese(monkeypatch, demo_db):
    """The 操作记录 table as drawn: rows the command line and an upload wrote show no
    English word in any column."""
    from tests.test_pages import run_page

    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    audit.record("upload", "county", "import_rejected", "upload: households.csv: 3 problems")
    audit.record("wang", "cli", "export", "/srv/out (csv)", 100)
    audit.record("wang", "cli", "build_demo", "scale=1 seed=2015", 100)
    audit.record("first-run", "county", "build_demo", "scale=1 seed=2015", 100)
    at = run_page("pages/data.py")
    log = next(d for d in at.dataframe if "action" in d.value.columns).value
    assert not LATIN_WORD.search("".join(log["role"]) + "".join(log["action"])), log[["role", "action"]]
    assert set(log["actor"]) >= {"网页上传", "首次运行", "wang"} and "命令行" in set(log["role"])
    assert {"上传的 households.csv：3 个问题", "/srv/out（CSV 格式）", "演示数据（规模 1，随机种子 2015）"} \
        <= set(log["detail"]), log["detail"]


def test_the_audit_trail_prints_its_latest_rows_only(monkeypatch, demo_db, tmp_path):
    """On paper the 操作记录 holds the latest ``[pages] print_audit_rows`` rows and says
    where the others are; on screen the grid holds them all (up to audit.recent's 200)."""
    from analytics.config import load_config
    from tests.test_pages import run_page

    most = int(load_config().pages["print_audit_rows"])
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    monkeypatch.setenv("TONGWEI_AUDIT", str(tmp_path / "audit.duckdb"))
    record_exports(most + 5)
    at = run_page("pages/data.py")
    log = next(d for d in at.dataframe if "action" in d.value.columns).value
    assert len(log) == most + 5
    printed = next(h.proto.body for h in at.get("html") if "/srv/out" in h.proto.body)
    assert printed.count("<tr>") == most + 1  # the header and the latest rows
    assert f"共 {most + 5:,} 行，此处打印前 {most:,} 行；全部记录请在屏幕上查看。" in printed
    assert f"/srv/out{most + 4}" in printed and "/srv/out0（" not in printed


def test_a_trail_longer_than_the_list_says_how_long_it_is(monkeypatch, demo_db, tmp_path):
    """The 数据 page lists the latest 200 rows (audit.recent); when the trail holds more, the
    page and the printed note say how many there are, never that the list is all of it."""
    from tests.test_pages import run_page

    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    monkeypatch.setenv("TONGWEI_AUDIT", str(tmp_path / "audit.duckdb"))
    record_exports(205)
    at = run_page("pages/data.py")
    assert "共 205 条记录，这里列出最近 200 条。" in [c.value for c in at.caption]
    printed = next(h.proto.body for h in at.get("html") if "/srv/out" in h.proto.body)
    assert "全部 205 条记录" in printed and "全部记录请在屏幕上查看" not in printed
