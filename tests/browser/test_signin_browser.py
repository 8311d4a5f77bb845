"""Password sign-in in a real browser (issue 15, point 2): it survives a reload and an
opened link through a signed cookie, 退出登录 ends it for good (a reload, the old cookie
put back), a forged cookie signs no one in, and guessing is throttled."""

from __future__ import annotations

import time

import pytest

from analytics import accounts, audit
from analytics.config import load_config
from tests.browser.server import running_server, wait_until_rendered

PASSWORD = "correct horse 1"


@pytest.fixture(scope="module")
def app(demo_db, artifacts, tmp_path_factory):
    folder = tmp_path_factory.mktemp("signin")
    users = folder / "users.toml"
    accounts.add_user("zhang", PASSWORD, "county", path=users)
    env = {"TONGWEI_USERS": str(users), "TONGWEI_AUDIT": str(folder / "audit.duckdb"),
           "TONGWEI_SESSION_SECRET_FILE": str(folder / "session_secret")}
    with running_server(demo_db, artifacts / "signin_server.log", env) as (url, _):
        yield {"url": url, "audit": folder / "audit.duckdb"}


def _sign_in(page, name: str, password: str) -> None:
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _signed_in(page) -> None:
    wait_until_rendered(page, "总览")
    page.get_by_role("button", name="退出登录").wait_for(timeout=60000)


def _wait_for_failures(path, n: int, timeout_s: float = 60) -> None:
    """Until the audit holds ``n`` failed sign-ins of the unknown name (recorded as ?)."""
    deadline = time.monotonic() + timeout_s
    while True:
        log = audit.recent(path=path)
        if ((log["action"] == "sign_in_failed") & (log["actor"] == "?")).sum() >= n:
            return
        assert time.monotonic() < deadline, f"fewer than {n} failed sign-ins recorded"
        time.sleep(0.1)  # polling the file, not waiting a fixed time


def _signed_in_page(context, app):
    """A new tab of ``context`` with zhang signed in through the form, on 总览."""
    page = context.new_page()
    page.goto(app["url"])
    _form(page)
    _sign_in(page, "zhang", PASSWORD)
    _signed_in(page)
    return page


def _form(page) -> None:
    page.get_by_label("用户名").wait_for(timeout=60000)


def test_a_sign_in_survives_a_reload_and_a_link_until_sign_out(browser, app):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page = _signed_in_page(context, app)
        page.wait_for_function("document.cookie.includes('tongwei_session=')", timeout=30000)
        cookie = next(c for c in context.cookies() if c["name"] == "tongwei_session")
        assert cookie["sameSite"] == "Strict" and cookie["expires"] > 0

        page.reload()
        _signed_in(page)                                   # a reload
        other = context.new_page()
        other.goto(f"{app['url']}/income?year=2017")        # an opened link, another tab
        wait_until_rendered(other, "收入")
        # the sidebar may draw a moment after the heading: wait for the one button
        other.get_by_role("button", name="退出登录").wait_for(timeout=30000)

        page.get_by_role("button", name="退出登录").click()
        _form(page)
        page.get_by_text("已退出登录").wait_for(timeout=30000)
        page.wait_for_function("!document.cookie.includes('tongwei_session=')", timeout=30000)
        # the other tab, still open: its next run (a click in the sidebar) shows no data
        other.locator('[data-testid="stSidebar"]').get_by_text("返贫监测").click()
        _form(other)
        other.get_by_text("已在其他窗口退出").wait_for(timeout=30000)
        assert other.locator('[data-testid="stMetric"]').count() == 0
        page.reload()
        _form(page)                                        # signed out after a reload
        context.add_cookies([cookie])                      # the old cookie, put back
        page.reload()
        _form(page)
        assert page.get_by_role("button", name="退出登录").count() == 0
    finally:
        context.close()
    log = audit.recent(path=app["audit"])
    assert {"sign_in", "sign_out"} <= set(log["action"])
    assert (log["detail"] == "session cookie").sum() >= 2


def test_a_forged_cookie_signs_no_one_in(browser, app):
    context = browser.new_context(locale="zh-CN")
    try:
        host = app["url"].split("//")[1].split(":")[0]
        context.add_cookies([{"name": "tongwei_session", "value": "eyJ1Ijoiemhhbmcif.Zm9yZ2Vk",
                              "domain": host, "path": "/"}])
        page = context.new_page()
        page.goto(app["url"])
        _form(page)
        assert page.get_by_role("button", name="退出登录").count() == 0
    finally:
        context.close()


def test_a_download_link_stops_answering_after_sign_out(browser, app):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                                  accept_downloads=True)
    try:
        page = _signed_in_page(context, app)
        page.goto(f"{app['url']}/townships?year=2017&township=621121101")
        wait_until_rendered(page, "乡镇")
        with page.expect_download(timeout=60000) as download:
            page.get_by_role("button", name="导出 CSV").first.click()
        url = download.value.url
        assert "/media/" in url
        assert context.request.get(url).status == 200
        page.get_by_role("button", name="退出登录").click()
        _form(page)
        assert context.request.get(url).status == 404
        fresh = browser.new_context()
        try:
            assert fresh.request.get(url).status == 404          # nor without the cookie
        finally:
            fresh.close()
    finally:
        context.close()
    log = audit.recent(path=app["audit"])
    exports = log[log["action"] == "export"]
    assert list(exports["actor"]) == ["zhang"]


# Last: the guesses lock this client (127.0.0.1) for the module's server.
def test_guessing_is_throttled(browser, app):
    limit = int(load_config().signin["max_failures"])
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(app["url"])
        _form(page)
        for i in range(limit):
            _sign_in(page, "guessed", "wrong password")
            _wait_for_failures(app["audit"], i + 1)  # each attempt handled before the next
        _sign_in(page, "guessed", "wrong password")
        page.get_by_text("次数过多").first.wait_for(timeout=30000)
    finally:
        context.close()
