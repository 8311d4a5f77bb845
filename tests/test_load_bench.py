"""The pure parts of bench/load.py (issue 18, point 4), on hand-made protobuf messages: the
pages learned from the navigation message, how a page is asked for, what a response is
judged to be, the payload check, the failure counts and the goal."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from streamlit.proto.AppPage_pb2 import AppPage
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Navigation_pb2 import Navigation

from analytics.access import PAGES

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "load.py"


def _load_module():
    spec = importlib.util.spec_from_file_location("bench_load", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


load = _load_module()


def navigation(current: str = "", extra: tuple[str, ...] = (), without: str | None = None):
    """The navigation message Streamlit 1.67 sends for the app's pages directory: the main
    page as 'app' at '' and each page file under its stem, hashes made up here."""
    nav = Navigation(page_script_hash=f"hash-{current or 'app'}")
    for page in PAGES:
        if page.url_path == without:
            continue
        name = (page.url_path or "app").replace("_", " ")
        nav.app_pages.append(AppPage(page_script_hash=f"hash-{page.url_path or 'app'}",
                                     page_name=name, url_pathname=page.url_path,
                                     is_default=page.url_path == ""))
    for path in extra:
        nav.app_pages.append(AppPage(page_script_hash=f"hash-{path}", page_name=path,
                                     url_pathname=path))
    return nav


@pytest.fixture
def pages():
    return load.page_ids(navigation())


# ---------------------------------------------------------------- pages from the navigation


def test_page_ids_come_from_the_navigation_message(pages):
    assert set(pages) == {p.url_path for p in PAGES}
    assert pages[""].script_hash == "hash-app" and pages[""].key == "overview"
    assert pages["townships"].script_hash == "hash-townships"
    assert pages["townships"].heading == "乡镇"
    assert pages["battle_map"].name == "battle map"
    assert pages["battle_map"].heading == "脱贫攻坚挂图作战"  # after the scope name (全省, 通渭县…)


def test_a_page_missing_from_the_navigation_is_refused():
    with pytest.raises(ValueError, match="relapse"):
        load.page_ids(navigation(without="relapse"))


def test_the_first_message_of_a_session_is_not_a_navigation():
    """new_session lists only the main script: learning from it must fail loudly."""
    only_main = Navigation()
    only_main.app_pages.append(AppPage(page_script_hash="abc", page_name="app", url_pathname=""))
    with pytest.raises(ValueError, match="lacks"):
        load.page_ids(only_main)


def test_pages_the_app_does_not_register_are_ignored():
    assert "secret" not in load.page_ids(navigation(extra=("secret",)))


def test_analysts_open_the_pages_both_analyst_roles_may_open(pages):
    chosen = [p.key for p in load.analyst_pages(pages)]
    assert "battle_map" not in chosen and "data" not in chosen
    assert {"overview", "townships", "relapse", "income"} <= set(chosen)
    assert [p.key for p in load.analyst_pages(pages, ["overview", "income"])] == ["overview", "income"]
    with pytest.raises(ValueError, match="nosuch"):
        load.analyst_pages(pages, ["nosuch"])


def test_a_page_is_asked_for_by_path_first_then_by_hash(pages):
    first = BackMsg.FromString(load.rerun_request(pages["townships"], "year=2019"))
    assert first.rerun_script.page_name == "townships"
    assert first.rerun_script.page_script_hash == ""
    assert first.rerun_script.query_string == "year=2019"
    later = BackMsg.FromString(load.rerun_request(pages["townships"], "year=2019", known=True))
    assert later.rerun_script.page_script_hash == "hash-townships"
    assert later.rerun_script.page_name == ""


# ---------------------------------------------------------------- reading a response


def forward(**fields) -> bytes:
    msg = ForwardMsg()
    for name, value in fields.items():
        if name == "navigation":
            msg.navigation.CopyFrom(value)
        elif name == "new_session":
            msg.new_session.page_script_hash = value
        elif name == "script_finished":
            msg.script_finished = value
        elif name == "page_not_found":
            msg.page_not_found.page_name = value
    return msg.SerializeToString()


def element(kind: str, **fields) -> bytes:
    msg = ForwardMsg()
    new = msg.delta.new_element
    if kind == "title":
        new.heading.tag, new.heading.body = "h1", fields["body"]
    elif kind == "h3":
        new.heading.tag, new.heading.body = "h3", fields["body"]
    elif kind == "markdown":
        new.markdown.body = fields["body"]
    elif kind == "exception":
        new.exception.type = "ValueError"
    elif kind == "text_input":
        new.text_input.id, new.text_input.form_id = fields["id"], "sign_in"
    elif kind == "submit":
        new.button.id, new.button.form_id, new.button.is_form_submitter = fields["id"], "sign_in", True
    return msg.SerializeToString()


def response(*messages: bytes) -> "load.Run":
    run = load.Run(0.0)
    for i, raw in enumerate(messages):
        ended = load.read_message(run, raw)
        assert ended == (i == len(messages) - 1), f"message {i} ended the request: {ended}"
    return run


def page_run(current: str, *deltas: bytes) -> "load.Run":
    return response(forward(new_session="main"), forward(navigation=navigation(current)),
                    *deltas, forward(script_finished=ForwardMsg.FINISHED_SUCCESSFULLY))


def test_a_response_that_draws_the_page_asked_for_passes(pages):
    run = page_run("townships", element("title", body="乡镇"), element("h3", body="入户查看"))
    assert run.page_hash == "hash-townships" and run.headings == ["乡镇"]
    assert load.failure_of(run, pages["townships"]) == ""
    assert run.sent_bytes > 0 and len(run.digest) == 64


def test_the_overview_drawn_for_another_page_is_a_wrong_page(pages):
    run = page_run("", element("title", body="总览"), element("h3", body="乡镇作战图与排名（2019年）"))
    assert load.failure_of(run, pages["townships"]) == "wrong_page"
    assert load.failure_of(run, pages[""]) == ""


def test_the_right_hash_without_the_heading_is_a_wrong_page(pages):
    run = page_run("townships", element("title", body="总览"))
    assert load.failure_of(run, pages["townships"]) == "wrong_page"


def test_the_heading_without_the_right_hash_is_a_wrong_page(pages):
    run = page_run("", element("title", body="乡镇"))
    assert load.failure_of(run, pages["townships"]) == "wrong_page"


def test_a_heading_is_matched_whole_not_inside_another():
    townships = load.page_ids(navigation())["townships"]
    assert load.has_heading(townships, ["乡镇"])
    assert not load.has_heading(townships, ["乡镇作战图与排名（2019年）"])
    assert not load.has_heading(townships, ["各乡镇"])


def test_page_not_found_is_a_wrong_page(pages):
    run = response(forward(new_session="main"), forward(page_not_found="nosuch"),
                   forward(navigation=navigation("")), element("title", body="总览"),
                   forward(script_finished=ForwardMsg.FINISHED_SUCCESSFULLY))
    assert load.failure_of(run, pages[""]) == "wrong_page"


def test_the_screen_is_known_by_its_title(pages):
    title = '<div class="bm-head"><span class="bm-title">通渭县脱贫攻坚挂图作战 · 2019年</span></div>'
    run = page_run("battle_map", element("markdown", body=title))
    assert load.failure_of(run, pages["battle_map"]) == ""
    plain = page_run("battle_map", element("markdown", body="通渭县脱贫攻坚挂图作战 · 2019年"))
    assert load.failure_of(plain, pages["battle_map"]) == "wrong_page"
    # a province's screen (全省…) and a county's are the screen too; another title is not
    for scope, failure in (("全省", ""), ("通渭县·3", ""), ("全省脱贫攻坚挂图作战表", "wrong_page")):
        words = f"{scope}脱贫攻坚挂图作战 · 2019年" if failure == "" else f"{scope} · 2019年"
        body = f'<div class="bm-head"><span class="bm-title">{words}</span></div>'
        run = page_run("battle_map", element("markdown", body=body))
        assert load.failure_of(run, pages["battle_map"]) == failure, words


def test_an_exception_element_is_a_page_exception(pages):
    run = page_run("income", element("title", body="收入"), element("exception"))
    assert load.failure_of(run, pages["income"]) == "page_exception"


def test_the_sign_in_form_instead_of_the_page(pages):
    form = page_run("income", element("title", body="精准扶贫监测"),
                    element("text_input", id="w-signin_name"),
                    element("text_input", id="w-signin_password"), element("submit", id="w-submit"))
    assert form.form == {"name": "w-signin_name", "password": "w-signin_password", "submit": "w-submit"}
    assert load.failure_of(form, pages["income"]) == "sign_in_refused"
    assert load.failure_of(form, pages["income"], form_expected=True) == ""
    half = page_run("income", element("text_input", id="w-signin_name"))
    assert load.failure_of(half, pages["income"], form_expected=True) == "wrong_page"


def test_a_sign_in_keeps_only_the_run_after_st_rerun(pages):
    """The submit run draws the form again, stops for st.rerun, and the page follows."""
    run = response(forward(new_session="main"), forward(navigation=navigation("income")),
                   element("title", body="精准扶贫监测"), element("text_input", id="w-signin_name"),
                   forward(script_finished=ForwardMsg.FINISHED_EARLY_FOR_RERUN),
                   forward(new_session="main"), forward(navigation=navigation("income")),
                   element("title", body="收入"),
                   forward(script_finished=ForwardMsg.FINISHED_SUCCESSFULLY))
    assert run.form == {} and run.headings == ["收入"]
    assert load.failure_of(run, pages["income"]) == ""


def test_the_digest_is_the_content_not_the_session(pages):
    one = page_run("income", element("title", body="收入"))
    other_session = response(forward(new_session="other"), forward(navigation=navigation("income")),
                             element("title", body="收入"),
                             forward(script_finished=ForwardMsg.FINISHED_SUCCESSFULLY))
    other_page = page_run("relapse", element("title", body="返贫监测"))
    assert one.digest == other_session.digest != other_page.digest


def test_a_transport_failure_wins(pages):
    run = load.Run(30.0, failure="timeout")
    assert load.failure_of(run, pages["income"]) == "timeout"


# ---------------------------------------------------------------- payloads, failures, goals


def sample(page: str, digest: str, size: int, failure: str = "", kind: str = "analyst",
           what: str = "render", seconds: float = 0.5) -> "load.Sample":
    return load.Sample(kind, what, page, seconds, failure, size, digest=digest)


def test_different_pages_with_different_contents_pass():
    samples = [sample("", "a", 100), sample("", "b", 120), sample("income", "c", 80)]
    assert load.payload_problems(samples) == []


def test_two_pages_with_the_same_content_fail():
    samples = [sample("", "a", 100), sample("income", "a", 100), sample("income", "c", 80)]
    problems = load.payload_problems(samples)
    assert len(problems) == 1 and "['income', 'overview']" in problems[0]


def test_pages_that_always_send_the_same_bytes_fail():
    """Issue 18: 'all six pages returned the same 892,794 bytes'."""
    samples = [sample(page, page + "x", 892_794) for page in ("", "townships", "relapse")]
    problems = load.payload_problems(samples)
    assert problems == ["pages ['overview', 'relapse', 'townships'] always sent the same [892794] bytes"]


def test_the_sign_in_form_and_failed_requests_are_not_compared():
    samples = [sample("", "form", 50, what="form"), sample("income", "form", 50, what="form"),
               sample("", "a", 100), sample("income", "a", 100, failure="wrong_page")]
    assert load.payload_problems(samples) == []


def test_failures_are_counted_by_kind_and_session():
    samples = [sample("", "a", 1), sample("", "", 0, "timeout"), sample("", "", 0, "timeout"),
               sample("battle_map", "", 0, "closed", kind="screen"),
               sample("", "", 0, "connection", what="connect")]
    counts = load.failure_counts(samples)
    assert counts["total"] == 4
    assert counts["by_kind"]["timeout"] == 2 and counts["by_kind"]["closed"] == 1
    assert counts["by_kind"]["connection"] == 1 and counts["by_kind"]["wrong_page"] == 0
    assert set(counts["by_kind"]) == set(load.FAILURE_KINDS)
    assert counts["screen"] == {"closed": 1}
    assert counts["analyst"] == {"connection": 1, "timeout": 2}


@pytest.mark.parametrize("values, share, expected", [
    ([3.0], 0.95, 3.0),
    ([float(i) for i in range(1, 21)], 0.95, 19.0),  # 20 values: the 19th
    ([float(i) for i in range(1, 20)], 0.95, 19.0),  # 19 values: the largest
    ([float(i) for i in range(100, 0, -1)], 0.95, 95.0),  # order does not matter
    ([1.0, 2.0, 3.0, 4.0], 0.5, 2.0),
])
def test_percentile_is_the_nearest_rank(values, share, expected):
    assert load.percentile(values, share) == expected


def test_latency_counts_failed_requests_at_their_time():
    samples = [sample("", "a", 1, seconds=0.2)] * 19 + [sample("", "", 0, "timeout", seconds=30.0)]
    figures = load.latency(samples)
    assert figures == {"requests": 20, "p50_s": 0.2, "p95_s": 0.2, "max_s": 30.0, "errors": 1}


def report(p95=1.0, max_s=3.0, errors=0, rss=1500.0, problems=(), mode="open"):
    result = {"mode": mode, "rerun": {"all": {"p95_s": p95, "max_s": max_s}},
              "failures": {"total": errors, "by_kind": {"timeout": errors}},
              "payload_problems": list(problems)}
    if rss is not None:
        result["server_rss_mb"] = {"peak": rss}
    if mode == "accounts":
        result["sign_in"] = {"all": {"p95_s": 2.0}}
        result["audit"] = {"audit_rows_missing": 0}
    result["goals"] = load.goals(result)
    return result


def met(result) -> dict:
    return {g["goal"]: g["met"] for g in result["goals"]}


def test_every_goal_met_exits_zero():
    result = report()
    assert all(met(result).values()) and len(result["goals"]) == 5
    assert load.summary(result)[0] == 0


@pytest.mark.parametrize("change, goal", [
    ({"p95": 2.0}, "rerun p95 < 2 s"),          # the goal is strict: 2.0 s is not under 2 s
    ({"max_s": 5.1}, "rerun max < 5 s"),
    ({"errors": 1}, "0 errors"),
    ({"rss": 2000.0}, "server RSS < 2 GB (peak, MB)"),
    ({"rss": None}, "server RSS < 2 GB (peak, MB)"),  # not measured is not met
    ({"problems": ["pages ['a', 'b'] sent the same content"]}, "different pages send different content"),
])
def test_each_goal_missed_is_not_met_and_exits_one(change, goal):
    result = report(**change)
    judged = met(result)
    assert judged[goal] is False
    assert all(v for k, v in judged.items() if k != goal)
    code, lines = load.summary(result)
    assert code == 1 and any("NOT MET" in line and goal in line for line in lines)


def test_no_reruns_is_not_met():
    result = report()
    result["rerun"] = {}
    assert met({"goals": load.goals(result)})["rerun p95 < 2 s"] is False


def test_accounts_add_issue_15s_goals():
    result = report(mode="accounts")
    assert set(met(result)) >= {"sign-in p95 < 3 s (issue 15)", "0 audit rows missing (issue 15)"}
    assert load.summary(result)[0] == 0


def test_failures_are_said_in_the_summary():
    result = report(errors=3)
    code, lines = load.summary(result)
    assert code == 1 and "FAILED: 3 requests failed (timeout 3)" in lines


# ---------------------------------------------------------------- accounts in a province


def test_analysts_of_a_province_are_spread_over_its_counties_and_stay_in_them(tmp_path, pages):
    import random
    from urllib.parse import unquote

    from analytics import accounts

    towns = [(f"{county}{t:03d}", f"乡{county[-1]}{t}") for county in ("620001", "620002", "620003")
             for t in range(1, 19)]
    _, analysts = load.created_accounts(tmp_path, 0, 6, towns)
    users = accounts.load_accounts(tmp_path / "users.toml")["users"]
    county_accounts = [a for a in analysts if a.role == "county"]
    scopes = {tuple(users[a.name]["counties"]) for a in county_accounts}
    assert scopes == {("620001",), ("620002",), ("620003",)}  # one county each, all three
    rng = random.Random(1)
    for account in county_accounts:
        own = {name for code, name in towns if code.startswith(users[account.name]["counties"][0])}
        assert set(account.towns) == own
        for _ in range(50):
            _, query = load.analyst_click(rng, list(pages.values()), [n for _, n in towns], [2016],
                                          account)
            if "township=" in query:
                assert unquote(query.split("township=")[1]) in own
