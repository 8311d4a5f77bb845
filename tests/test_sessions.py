"""Signed sessions (issue 15, point 2): a token signs in only when well signed, unexpired
and not revoked; the role is never read from it."""

from __future__ import annotations

import pytest

from analytics import audit, sessions
from analytics.store import audit_file


@pytest.fixture(autouse=True)
def _secret(monkeypatch, tmp_path):
    monkeypatch.setenv("TONGWEI_SESSION_SECRET_FILE", str(tmp_path / "session_secret"))
    monkeypatch.delenv("TONGWEI_SESSION_SECRET", raising=False)
    monkeypatch.setenv("TONGWEI_AUDIT", str(tmp_path / "audit.duckdb"))


NOW = 1_800_000_000.0


def _tampered_body(token: str) -> str:
    body, sig = token.split(".")
    forged = sessions._b64(sessions._unb64(body).replace(b'"zhang"', b'"admin"'))
    return f"{forged}.{sig}"


@pytest.mark.parametrize(("change", "at", "valid"), [
    (lambda t: t, NOW + 60, True),
    (lambda t: t, NOW + 8 * 3600 - 1, True),                 # just before the 8 h are over
    (lambda t: t, NOW + 8 * 3600 + 1, False),                # expired
    (_tampered_body, NOW + 60, False),                       # another user name, same signature
    (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), NOW + 60, False),
    (lambda t: t.split(".")[0], NOW + 60, False),             # no signature
    (lambda t: "", NOW + 60, False),
    (lambda t: "x.y.z", NOW + 60, False),
    (lambda t: "a" * 5000, NOW + 60, False),
])
def test_a_token_signs_in_only_when_well_signed_and_unexpired(change, at, valid):
    token, session = sessions.issue("zhang", now=NOW)
    got = sessions.verify(change(token), now=at)
    assert (got == session) if valid else got is None


def test_another_server_secret_refuses_the_token(monkeypatch):
    token, _ = sessions.issue("zhang", now=NOW)
    monkeypatch.setenv("TONGWEI_SESSION_SECRET", "another key")
    assert sessions.verify(token, now=NOW + 1) is None


def test_the_secret_file_is_created_once_owner_only(tmp_path):
    first, _ = sessions.issue("zhang", now=NOW)
    path = tmp_path / "session_secret"
    assert path.stat().st_mode & 0o777 == 0o600
    assert sessions.verify(first, now=NOW + 1) is not None  # same key read back


def test_a_revoked_session_is_ended_for_every_reader():
    _, session = sessions.issue("zhang", now=NOW)
    assert not audit.session_ended(session.sid)
    audit.end_session(session.sid, session.expires_at)
    audit.end_session(session.sid, session.expires_at)  # twice: no error
    assert audit.session_ended(session.sid)
    _, other = sessions.issue("zhang", now=NOW)
    assert not audit.session_ended(other.sid)


def test_the_cookie_script_sets_and_deletes():
    set_ = sessions.cookie_script("abc.def", 28800)
    assert "tongwei_session=abc.def; Max-Age=28800; Path=/; SameSite=Strict" in set_
    assert "tongwei_session=; Max-Age=0" in sessions.cookie_script(None)


def test_an_open_tab_stops_when_its_session_expires_or_is_ended_anywhere(monkeypatch):
    _, session = sessions.issue("zhang", now=NOW)
    assert sessions.still_valid(session, now=NOW + 1)
    assert not sessions.still_valid(session, now=NOW + 8 * 3600 + 1)      # expired
    # ended by another process: seen once the answer is older than the recheck time
    audit.end_session(session.sid, session.expires_at)
    assert sessions.still_valid(session, now=NOW + 2)                    # trusted for a while
    assert not sessions.still_valid(session, now=NOW + 2 + sessions.REVOCATION_RECHECK_S)
    # ended in this process: at once
    _, other = sessions.issue("zhang", now=NOW)
    assert sessions.still_valid(other, now=NOW + 1)
    sessions.ended_here(other.sid)
    assert not sessions.still_valid(other, now=NOW + 1.5)


def test_an_unreadable_audit_file_ends_the_session(monkeypatch, tmp_path):
    _, session = sessions.issue("zhang", now=NOW)
    (tmp_path / "audit.duckdb").write_bytes(b"not a database")
    # the reads are retried as for a file another process holds: a few times, not 10 s
    monkeypatch.setattr(audit_file, "AUDIT_WAIT_S", 0.3)
    assert not sessions.still_valid(session, now=NOW + 1)


def test_checks_and_audit_writes_at_once_never_end_a_valid_session(tmp_path):
    """4 threads write audit rows while 4 check a session: no check fails (a failed read
    would count as ended and sign the user out), and every row is written."""
    import threading

    path = tmp_path / "audit.duckdb"
    _, session = sessions.issue("zhang", now=NOW)
    _, other = sessions.issue("li", now=NOW)
    audit.end_session(other.sid, other.expires_at, path=path)
    answers, errors = [], []

    def write(worker):
        try:
            for i in range(20):
                audit.record(f"user{worker}", "county", "export", f"x{i}", i, path=path)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    def check():
        for _ in range(20):
            answers.append((audit.session_ended(session.sid, path=path),
                            audit.session_ended(other.sid, path=path)))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    threads += [threading.Thread(target=check) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(answers) == 80 and set(answers) == {(False, True)}
    assert (audit.recent(limit=1000, path=path)["action"] == "export").sum() == 80
