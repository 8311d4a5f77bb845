"""Sign-in that works on an intranet: Streamlit's OIDC when an identity provider is
configured, otherwise local accounts (data/users.toml), screen tokens for the
meeting-room screen; with no account at all the dashboard runs open and says so."""

from __future__ import annotations

import streamlit as st

from analytics import accounts, audit
from analytics.access import OPEN_VIEWER, ROLES, Viewer


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def _signed_in(viewer: Viewer, how: str) -> Viewer:
    st.session_state["viewer"] = viewer
    audit.record(viewer.name, viewer.role, "sign_in", how)
    return viewer


def current_viewer() -> Viewer | None:
    """The viewer of this session, signing them in if needed; None while signing in."""
    if not accounts.accounts_configured():
        st.session_state["viewer"] = OPEN_VIEWER
        return OPEN_VIEWER
    viewer = st.session_state.get("viewer")
    if viewer is not None and not viewer.open_mode:
        return viewer
    st.session_state.pop("viewer", None)
    token = st.query_params.get("token")
    if token:
        screen = accounts.verify_screen_token(token)
        if screen:
            return _signed_in(screen, "screen token")
        audit.record("?", "screen", "sign_in_failed", "bad screen token")
    if _oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            email = st.user.get("email", "")
            viewer = accounts.viewer_for_identity(email)
            if viewer:
                return _signed_in(viewer, "oidc")
            if not st.session_state.get("oidc_refused"):  # once per session, not per rerun
                st.session_state["oidc_refused"] = True
                audit.record(email[:64] or "?", "?", "sign_in_failed", "oidc: no role")
            st.error("此账户尚未分配角色，请联系管理员。")
            st.button("退出", on_click=sign_out)
            return None
        st.title("通渭县精准扶贫监测")
        st.button("使用单位账户登录", on_click=st.login, type="primary")
        return None
    _password_form()
    return None


def _password_form() -> None:
    st.title("通渭县精准扶贫监测")
    with st.form("sign_in"):
        name = st.text_input("用户名", key="signin_name")
        password = st.text_input("密码", type="password", key="signin_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        viewer = accounts.verify_password(name, password)
        if viewer:
            _signed_in(viewer, "password")
            st.rerun()
        audit.record(name[:64] or "?", "?", "sign_in_failed", "password")
        st.error("用户名或密码不正确。")


def sign_out() -> None:
    """Forget this session's viewer; an identity-provider sign-in also ends Streamlit's
    login (its cookie), or the next run would sign the same account in again."""
    viewer = st.session_state.pop("viewer", None)
    if viewer is not None:
        audit.record(viewer.name, viewer.role, "sign_out")
    if _oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def viewer_caption(viewer: Viewer, township_names: dict[str, str] | None = None) -> str:
    """Who is signed in, their role and township (by name); the account name in code
    style, so that an e-mail address is not turned into a mail link."""
    if viewer.open_mode:
        return "演示模式：未配置账户，任何人可查看全部数据"
    names = township_names or {}
    scope = f"（{'、'.join(names.get(t, t) for t in viewer.townships)}）" if viewer.townships else ""
    return f"`{viewer.name}` · {ROLES[viewer.role]}{scope}"
