"""Sign-in through an identity provider (Streamlit's OIDC) in a real browser, against a
local mock provider on loopback: the role comes from the users file by e-mail, an
unknown e-mail gets nothing, sign-out works, and the audit trail records it all."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from analytics import accounts, audit
from tests.browser.server import (
    ROOT, free_port, start_server, stop_server, wait_for_url, wait_until_rendered,
)

MAYING = "621121101"
ANALYST = "wang@tongwei.example"
STRANGER = "li@tongwei.example"
SIGN_IN = "使用单位账户登录"


@pytest.fixture(scope="module")
def provider(artifacts):
    """oidc-provider-mock on 127.0.0.1: any client id/secret, any subject typed in."""
    port = free_port()
    log = open(artifacts / "oidc_provider.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_url(f"{base}/.well-known/openid-configuration", timeout=30)
        yield base
    finally:
        stop_server(process)
        log.close()


@pytest.fixture(scope="module")
def app(provider, demo_db, artifacts, tmp_path_factory):
    """The dashboard with an `[auth]` secrets file outside the repo and its own users file."""
    folder = tmp_path_factory.mktemp("oidc")
    users = folder / "users.toml"
    accounts.add_user(ANALYST, None, "township", [MAYING], path=users)  # STRANGER: none
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{base}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "tongwei-dashboard"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8")
    audit_file = folder / "audit.duckdb"
    process = start_server(demo_db, port, artifacts / "oidc_server.log", {
        "TONGWEI_USERS": str(users), "TONGWEI_AUDIT": str(audit_file),
        "STREAMLIT_SECRETS_FILES": str(secrets_file)})
    try:
        yield {"base": base, "audit": audit_file}
    finally:
        stop_server(process)


@pytest.fixture
def loopback_only(page, app, provider):
    """Only the dashboard and the provider are let through; anything else is refused and
    kept with the page that asked for it. The browser's request events (redirects too,
    which a route does not see) must all stay on loopback but for refused ones."""
    refused: list[tuple[str, str]] = []
    seen: list[str] = []

    def route(r):
        if r.request.url.startswith((app["base"], provider)):
            r.continue_()
        else:
            refused.append((r.request.frame.url, r.request.url))
            r.abort()

    page.route("**/*", route)
    page.on("request", lambda r: seen.append(r.url))
    yield
    # The mock provider's own page links a stylesheet on a CDN: refused, never fetched,
    # and not the dashboard's doing. The dashboard itself asks for nothing outside.
    assert [r for r in refused if not r[0].startswith(provider)] == []
    outside = {u for u in seen if urlsplit(u).hostname != "127.0.0.1"}
    assert outside <= {url for _, url in refused}, outside
    assert seen


def sign_in_at_provider(page, app, provider, email: str) -> None:
    """From the sign-in page: the button, the provider's page, the e-mail, and back."""
    page.goto(app["base"] + "/")
    wait_until_rendered(page, "精准扶贫监测")
    assert page.locator('[data-testid="stMetric"]').count() == 0
    page.get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url(f"{provider}/oauth2/authorize?*", timeout=60000)
    page.locator('input[name="sub"]').fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(app["base"] + "/", timeout=60000)


def sign_out(page, app, provider, button: str) -> None:
    """Sign out: Streamlit ends the provider's session too (its end_session endpoint),
    whose page is confirmed, and the browser comes back to the sign-in page."""
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"{provider}/oauth2/end_session?*", timeout=60000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(app["base"] + "/", timeout=60000)
    wait_until_rendered(page, "精准扶贫监测")
    page.get_by_role("button", name=SIGN_IN).wait_for(timeout=60000)


def audit_rows(app, actor: str) -> list[tuple[str, str, str]]:
    rows = audit.recent(path=app["audit"])
    rows = rows[rows["actor"] == actor].iloc[::-1]  # oldest first
    return list(zip(rows["action"], rows["role"], rows["detail"]))


def test_township_analyst_signs_in_sees_only_their_township_and_signs_out(
        app, provider, page, artifacts, demo_store, loopback_only):
    sign_in_at_provider(page, app, provider, ANALYST)
    wait_until_rendered(page, "总览")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60000)
    page.wait_for_function(  # the tiles, not a fixed wait
        "document.querySelectorAll('[data-testid=\"stMetric\"]').length >= 4", timeout=60000)
    assert page.locator('[data-testid="stException"]').count() == 0
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert f"{ANALYST} · 乡镇分析员（马营镇）" in sidebar.inner_text()
    assert sidebar.locator('a[href^="mailto:"]').count() == 0  # the account is not a mail link
    page.screenshot(path=str(artifacts / "oidc_signed_in.png"), full_page=True)

    towns = demo_store.query("townships")
    others = towns[towns["township_code"] != MAYING]

    def shown_elsewhere(text: str) -> list[str]:
        return [n for n in others["name"] if n in text] + \
               [c for c in others["township_code"] if c in text]

    text = page.locator("body").inner_text()
    assert "范围：马营镇" in text, text[:500]
    assert not shown_elsewhere(text)
    assert not re.search(r"\d{17}[\dX]", text)

    # A new session (another URL) is signed in from Streamlit's identity cookie; asking for
    # another township by URL still shows only their own; 数据 is not theirs to open.
    other = others["township_code"].iloc[0]
    page.goto(f"{app['base']}/townships?year=2017&township={other}")
    wait_until_rendered(page, "乡镇")
    text = page.locator("body").inner_text()
    assert "马营镇" in text and not shown_elsewhere(text)
    page.goto(f"{app['base']}/data")
    wait_until_rendered(page)
    assert "无权" in page.locator("body").inner_text()
    assert page.locator('[data-testid="stDataFrame"]').count() == 0

    page.goto(app["base"] + "/")
    wait_until_rendered(page, "总览")
    sign_out(page, app, provider, "退出登录")
    page.goto(app["base"] + "/")  # signed out for good: a new session is not signed in
    wait_until_rendered(page, "精准扶贫监测")
    page.get_by_role("button", name=SIGN_IN).wait_for(timeout=60000)
    assert page.locator('[data-testid="stMetric"]').count() == 0

    # the dashboard server itself exchanged the code for tokens with the provider
    served = (artifacts / "oidc_provider.log").read_text(encoding="utf-8")
    assert '"POST /oauth2/token' in served and '"GET /oauth2/end_session' in served
    rows = audit_rows(app, ANALYST)
    assert rows[0] == ("sign_in", "township", "oidc"), rows
    assert rows[-1] == ("sign_out", "township", ""), rows


def test_an_unknown_email_gets_no_role_and_no_data(app, provider, page, artifacts,
                                                   loopback_only):
    sign_in_at_provider(page, app, provider, STRANGER)
    wait_until_rendered(page)
    page.get_by_text("此账户尚未分配角色").wait_for(timeout=60000)
    page.screenshot(path=str(artifacts / "oidc_no_role.png"), full_page=True)
    for testid in ("stMetric", "stPlotlyChart", "stDataFrame", "stDeckGlJsonChart",
                   "stSidebar"):
        assert page.locator(f'[data-testid="{testid}"]').count() == 0, testid
    page.goto(f"{app['base']}/townships?township={MAYING}")  # no way round it by URL
    wait_until_rendered(page)
    page.get_by_text("此账户尚未分配角色").wait_for(timeout=60000)
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert "马营" not in page.locator("body").inner_text()

    sign_out(page, app, provider, "退出")
    action, role, detail = audit_rows(app, STRANGER)[0]
    # with the client's address (none over loopback: "?")
    assert (action, role) == ("sign_in_failed", "?") and re.fullmatch(r"oidc: no role from \S+", detail)
    assert not [r for r in audit_rows(app, STRANGER) if r[0] == "sign_in"]
