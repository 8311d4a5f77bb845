"""Sign-in that resists guessing and never goes unrecorded (issue 15, points 1 and 2):
the throttle's rule, hand-computed; the audit row written before anyone is signed in;
nothing password-like kept for a failed attempt; unknown names cost what known ones do."""

from __future__ import annotations

import threading

import bcrypt
import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from analytics import accounts, audit
from analytics.config import ROOT, load_config
from analytics.throttle import Throttle
from ui import signin

PASSWORD = "correct horse 1"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# events: "f" a failure, "s" a success, a number: that many seconds pass; expected: the
# wait (s) after the last event. max 3 failures, base 10 s, cap 60 s.
@pytest.mark.parametrize(("events", "expected"), [
    ("f f", 0),                        # under the limit
    ("f f f", 10),                     # the 3rd failure: base
    ("f f f f", 20),                   # each further one doubles
    ("f f f f f", 40),
    ("f f f f f f", 60),               # capped
    ("f f f f f f f f", 60),
    ("f f f 4", 6),                    # time passes
    ("f f f 10", 0),                   # the lock is over ...
    ("f f f 10 f", 20),                # ... but the count is not: the next failure locks longer
    ("f f f 10 s f", 0),               # a success clears it
    ("f f 61 f", 0),                   # failures older than the cap are forgotten
])
def test_the_throttle_locks_after_max_failures_then_doubles(events, expected):
    clock = Clock()
    t = Throttle(3, 10, 60, clock=clock)
    key = ("user", "zhang")
    for e in events.split():
        if e == "f":
            t.failed(key)
        elif e == "s":
            t.succeeded(key)
        else:
            clock.now += float(e)
    assert t.wait_s(key) == pytest.approx(expected)


def test_the_throttle_counts_every_key_and_every_thread():
    t = Throttle(1000, 10, 60)
    name, client = ("user", "a"), ("client", "10.0.0.1")

    def guess():
        for _ in range(50):
            t.failed(name, client)

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert t.failures(name) == t.failures(client) == 400
    assert t.wait_s(("user", "b")) == 0  # another name is not locked


@pytest.fixture
def users(tmp_path, monkeypatch, demo_db):
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    monkeypatch.setenv("TONGWEI_USERS", str(tmp_path / "users.toml"))
    monkeypatch.setenv("TONGWEI_AUDIT", str(tmp_path / "audit.duckdb"))
    accounts.add_user("zhang", PASSWORD, "county")
    signin._throttle.cache_clear()
    yield
    signin._throttle.cache_clear()


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    return at.button[0].click().run()


def _form() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    return at.run()


def test_no_one_is_signed_in_when_the_audit_cannot_record_it(users, monkeypatch):
    def refuse(path, row):
        raise duckdb.IOException("held by another process")

    monkeypatch.setattr(audit, "append_audit", refuse)
    at = _sign_in(_form(), "zhang", PASSWORD)
    assert "viewer" not in at.session_state
    assert not at.metric
    assert any("无法登录" in e.value and "审计" in e.value for e in at.error)


def test_after_max_failures_even_the_right_password_waits(users):
    limit = int(load_config().signin["max_failures"])
    at = _form()
    for _ in range(limit):
        _sign_in(at, "zhang", "wrong password")
    _sign_in(at, "zhang", PASSWORD)
    assert "viewer" not in at.session_state and not at.metric
    assert any("次数过多" in e.value for e in at.error)
    # an unknown name is counted the same way: the lock does not tell which names exist
    for _ in range(limit):
        _sign_in(at, "nobody", "wrong password")
    assert "次数过多" in at.error[0].value or "秒后再试" in at.error[0].value


def test_a_failed_sign_in_keeps_no_password_typed_as_a_name(users):
    at = _form()
    _sign_in(at, "correct horse 2", "x")      # a password in the user-name box
    _sign_in(at, "zhang", "wrong password")
    log = audit.recent()
    failed = log[log["action"] == "sign_in_failed"]
    assert sorted(failed["actor"]) == ["?", "zhang"]
    # with the client's address (AppTest has none: "?"), so who tried can be blocked
    assert set(failed["detail"]) == {"password from ?"}
    assert not log.astype(str).apply(lambda c: c.str.contains("horse")).any().any()


def test_an_unknown_name_costs_a_check_at_the_same_cost(users, monkeypatch):
    costs = []
    real = bcrypt.checkpw

    def spy(password, hashed):
        costs.append(hashed.split(b"$")[2])
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", spy)
    assert accounts.verify_password("zhang", "wrong password") is None
    assert accounts.verify_password("nobody", "wrong password") is None
    assert accounts.verify_password("zhang", "é" * 40) is None  # 80 bytes: bcrypt's limit
    assert len(costs) == 3 and len(set(costs)) == 1, costs
    assert accounts.verify_password("zhang", PASSWORD) is not None


ASK = """
import streamlit as st
from ui import data
try:
    st.write(f"answered as {data.current_viewer().name}")
except data.NotSignedIn:
    st.write("refused")
"""


@pytest.mark.parametrize(("in_session", "accounts_exist", "expected"), [
    (None, True, "refused"),                       # nobody signed in: no county-wide fallback
    ("open", True, "refused"),                     # an open-mode session once accounts exist
    ("zhang", True, "answered as zhang"),
    (None, False, "answered as 演示用户"),          # no account at all: the open demo
])
def test_the_data_layer_fails_closed(tmp_path, monkeypatch, demo_db, in_session, accounts_exist,
                                     expected):
    from analytics.access import OPEN_VIEWER, Viewer

    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    monkeypatch.setenv("TONGWEI_USERS", str(tmp_path / "users.toml"))
    if accounts_exist:
        accounts.add_user("zhang", PASSWORD, "county")
    at = AppTest.from_string(ASK)
    if in_session:
        at.session_state["viewer"] = OPEN_VIEWER if in_session == "open" else Viewer(in_session, "county")
    at.run()
    assert [m.value for m in at.markdown] == [expected]


@pytest.mark.parametrize(("per_client", "zhang_locked"), [(True, True), (False, False)])
def test_failures_count_per_client_unless_behind_a_proxy(users, tmp_path, monkeypatch, per_client,
                                                        zhang_locked):
    """Guesses at other names lock the client (AppTest: one address) unless config
    ``[signin] per_client = false``; the user names are counted either way."""
    from analytics.config import CONFIG_PATH

    text = CONFIG_PATH.read_text(encoding="utf-8").replace(
        "per_client = true", f"per_client = {str(per_client).lower()}")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("TONGWEI_CONFIG", str(path))
    assert load_config().signin["per_client"] is per_client
    at = _form()
    for k in range(int(load_config().signin["max_failures"])):
        _sign_in(at, f"guess{k}", "wrong password")
    _sign_in(at, "zhang", PASSWORD)
    assert ("viewer" not in at.session_state) is zhang_locked
