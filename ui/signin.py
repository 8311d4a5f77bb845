"""Sign-in that works on an intranet: Streamlit's OIDC when an identity provider is
configured, otherwise local accounts (data/users.toml), screen tokens for the
meeting-room screen; with no account at all the dashboard runs open and says so."""

from __future__ import annotations

import math
from functools import lru_cache

import streamlit as st

from analytics import accounts, audit, sessions
from analytics.access import OPEN_VIEWER, ROLES, Viewer
from analytics.config import load_config
from analytics.counties import county_name
from analytics.throttle import Throttle
from ui import guard
from ui.data import PRODUCT_NAME


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def _signed_in(viewer: Viewer, how: str) -> Viewer | None:
    """``viewer`` signed in to this session once the audit row is written; None, and an
    error on the page, when it cannot be (nobody is signed in then)."""
    try:
        audit.record(viewer.name, viewer.role, "sign_in", how, scope=viewer.allowed)
    except audit.AuditUnavailable as error:
        st.session_state.pop("viewer", None)
        st.error(f"无法登录：{error}")
        return None
    st.session_state["viewer"] = viewer
    return viewer


@lru_cache(maxsize=4)
def _throttle(max_failures: int, base_s: float, max_s: float) -> Throttle:
    return Throttle(max_failures, base_s, max_s)


def throttle() -> Throttle:
    """The server's sign-in throttle, from config ``[signin]`` (one per set of values)."""
    c = load_config().signin
    return _throttle(int(c["max_failures"]), float(c["lock_base_s"]), float(c["lock_max_s"]))


def _client_address() -> str:
    """The address the request came from (Streamlit's ``st.context.ip_address``: the
    proxy's own behind a reverse proxy), "?" when unknown."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "?"


def _record_failure(name: str, detail: str) -> None:
    """A failed sign-in in the audit, naming the account only when it is one (a password
    typed into the user-name box is never kept), with the client's address (``detail from
    address``: who tried can be blocked). A failure that cannot be recorded still fails:
    the user sees the same refusal."""
    try:
        audit.record(name if accounts.is_account(name) else "?", "?", "sign_in_failed",
                     f"{detail} from {_client_address()}")
    except audit.AuditUnavailable:
        pass


def current_viewer() -> Viewer | None:
    """The viewer of this session, signing them in if needed; None while signing in."""
    guard.install()  # before anything of this session's is handled (idempotent)
    if not accounts.accounts_configured():
        st.session_state["viewer"] = OPEN_VIEWER
        return OPEN_VIEWER
    viewer = st.session_state.get("viewer")
    if viewer is not None and not viewer.open_mode:
        session = st.session_state.get("session")
        if session is None or sessions.still_valid(session):
            _set_cookie_once()
            return viewer
        _end_session_here("signin_ended")  # expired, or 退出登录 in another tab
        viewer = None
    st.session_state.pop("viewer", None)
    if st.session_state.pop("clear_cookie", False):
        st.html(sessions.cookie_script(None), unsafe_allow_javascript=True)
    restored = _restored()
    if restored is not None:
        return restored
    token = st.query_params.get("token")
    if token:
        screen = accounts.verify_screen_token(token)
        if screen:
            return _signed_in(screen, "screen token")
        _record_failure("?", "bad screen token")
        st.error("大屏令牌无效或已停用：请管理员用 `python -m analytics add-screen` 重新生成大屏地址。")
    if _oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            email = st.user.get("email", "")
            # a provider that says whether the address is verified must say yes
            verified = st.user.get("email_verified", True) not in (False, "false", "False")
            viewer = accounts.viewer_for_identity(email) if verified else None
            if viewer:
                return _signed_in(viewer, "oidc")
            if not st.session_state.get("oidc_refused"):  # once per session, not per rerun
                st.session_state["oidc_refused"] = True
                try:
                    audit.record(email[:64] or "?", "?", "sign_in_failed",
                                 ("oidc: no role" if verified else "oidc: email not verified")
                                 + f" from {_client_address()}")
                except audit.AuditUnavailable:
                    pass
            st.error("此账户尚未分配角色，请联系管理员。" if verified else
                     "身份提供方未确认此邮箱，无法登录；请先在单位账户中验证邮箱。")
            st.button("退出", on_click=sign_out)
            return None
        st.title(PRODUCT_NAME)
        st.button("使用单位账户登录", on_click=st.login, type="primary")
        return None
    _password_form()
    return None


def _password_form() -> None:
    st.title(PRODUCT_NAME)
    if st.session_state.pop("signed_out", False):
        st.success("已退出登录。")
    if st.session_state.pop("signin_ended", False):
        st.info("登录已过期或已在其他窗口退出，请重新登录。")
    with st.form("sign_in"):
        name = st.text_input("用户名", key="signin_name")
        password = st.text_input("密码", type="password", key="signin_password")
        submitted = st.form_submit_button("登录", type="primary")
    if not submitted:
        return
    keys = (("user", name.strip().casefold()),)
    if load_config().signin.get("per_client", True):
        keys += (("client", _client_address()),)
    wait = throttle().wait_s(*keys)
    if wait > 0:
        _record_failure(name, "password: locked")
        st.error(f"登录失败次数过多，请 {math.ceil(wait)} 秒后再试。")
        return
    viewer = accounts.verify_password(name, password)
    if viewer:
        throttle().succeeded(keys[0])
        if _signed_in(viewer, "password"):
            token, session = sessions.issue(viewer.name)
            st.session_state["session"] = session
            st.session_state["set_cookie"] = token
            st.rerun()
        return
    wait = throttle().failed(*keys)
    _record_failure(name, "password")
    st.error("用户名或密码不正确。" + (f"请 {math.ceil(wait)} 秒后再试。" if wait > 0 else ""))


def _set_cookie_once() -> None:
    """After a password sign-in, the page's script stores the signed session's cookie
    (analytics/sessions.py), once."""
    token = st.session_state.pop("set_cookie", None)
    if token:
        st.html(sessions.cookie_script(token, sessions.lifetime_s()), unsafe_allow_javascript=True)


def _restored() -> Viewer | None:
    """The account of a valid signed-session cookie sent by this browser (a reload, an
    opened link), signed in again; None without one, or when it is forged, expired,
    ended by 退出登录, or its account is gone (then it is not checked again this session)."""
    if st.session_state.get("cookie_checked"):
        return None
    st.session_state["cookie_checked"] = True
    session = sessions.verify(st.context.cookies.get(sessions.COOKIE))
    if session is None or audit.session_ended(session.sid):
        return None
    user = accounts.load_accounts()["users"].get(session.user)
    if not user or not user.get("password_hash"):
        return None
    viewer = _signed_in(accounts.viewer_of(session.user, user), "session cookie")
    if viewer is not None:
        st.session_state["session"] = session
    return viewer


def _end_session_here(flag: str) -> None:
    """This tab's viewer and signed session forgotten, its files dropped, the cookie
    deleted on this run, and ``flag`` set for the sign-in form's message."""
    st.session_state.pop("session", None)
    st.session_state.pop("viewer", None)
    st.session_state["clear_cookie"] = True
    st.session_state[flag] = True
    guard.forget_session_files()


def sign_out() -> None:
    """Forget this session's viewer and end its signed session everywhere (the cookie
    is deleted on the next run, and revoked in the audit file for every process); an
    identity-provider sign-in also ends Streamlit's login (its cookie), or the next run
    would sign the same account in again."""
    session = st.session_state.pop("session", None)
    if session is not None:
        st.session_state["clear_cookie"] = True
        sessions.ended_here(session.sid)
        try:
            audit.end_session(session.sid, session.expires_at)
        except audit.AuditUnavailable:
            pass  # the cookie is still deleted in this browser; this process knows it ended
    st.session_state["signed_out"] = True
    guard.forget_session_files()
    viewer = st.session_state.pop("viewer", None)
    if viewer is not None:
        try:
            audit.record(viewer.name, viewer.role, "sign_out", scope=viewer.allowed)
        except audit.AuditUnavailable:
            pass  # signing out never waits for the audit: the session is closed either way
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def viewer_caption(viewer: Viewer, township_names: dict[str, str] | None = None) -> str:
    """Who is signed in, their role and township (by name); the account name in code
    style, so that an e-mail address is not turned into a mail link."""
    if viewer.open_mode:
        return "演示模式：未配置账户，任何人可查看全部数据"
    names = township_names or {}
    scope = (f"（{'、'.join(names.get(t, t) for t in viewer.townships)}）" if viewer.townships
             else f"（{'、'.join(county_name(c) for c in viewer.counties)}）" if viewer.counties else "")
    return f"`{viewer.name}` · {ROLES[viewer.role]}{scope}"
