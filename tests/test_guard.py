"""What an anonymous browser may ask of the server (issue 15, point 4): no cache
clearing, no upload held for a session that may not import. Exercised on Streamlit's
own classes, so a Streamlit upgrade that moves them fails here."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from analytics import accounts
from analytics.access import OPEN_VIEWER, Viewer
from ui import guard

COUNTY = Viewer("zhang", "county")


@pytest.fixture
def no_accounts(tmp_path, monkeypatch):
    monkeypatch.setenv("TONGWEI_USERS", str(tmp_path / "users.toml"))


@pytest.fixture
def with_accounts(no_accounts):
    accounts.add_user("zhang", "correct horse 1", "county")


@pytest.mark.parametrize(("state", "accounts_exist", "expected"), [
    ({}, True, False),                                                  # signing in
    ({"viewer": None}, True, False),
    ({"viewer": Viewer("wang", "township", ("621121101",))}, True, False),
    ({"viewer": Viewer("room1", "screen")}, True, False),
    ({"viewer": COUNTY}, True, True),
    ({"viewer": OPEN_VIEWER}, False, True),                             # the open demo
    ({"viewer": OPEN_VIEWER}, True, False),                             # ... not once accounts exist
])
def test_who_may_upload(request, state, accounts_exist, expected):
    request.getfixturevalue("with_accounts" if accounts_exist else "no_accounts")
    assert guard.may_upload(state) is expected


class _Session:
    """What the wrapped handler reads of an AppSession."""

    def __init__(self, state):
        self._session_state = state
        self.answered = []

    def _handle_file_urls_request(self, request):
        self.answered.append(request.request_id)


def test_a_browser_cannot_clear_the_caches(no_accounts, monkeypatch):
    guard.install()
    calls = []

    @st.cache_data
    def cached() -> int:
        calls.append(1)
        return len(calls)

    assert cached() == 1
    msg = BackMsg()
    msg.clear_cache = True
    AppSession.handle_backmsg(_Session({"viewer": COUNTY}), msg)
    assert cached() == 1, "the cache was cleared"
    cached.clear()


def test_upload_urls_only_for_a_session_that_may_import(with_accounts, monkeypatch):
    guard.install()
    msg = BackMsg()
    msg.file_urls_request.request_id = "r1"
    msg.file_urls_request.file_names.append("households.csv")
    anonymous, county = _Session({}), _Session({"viewer": COUNTY})
    AppSession.handle_backmsg(anonymous, msg)
    AppSession.handle_backmsg(county, msg)
    assert anonymous.answered == [] and county.answered == ["r1"]


def test_a_file_from_a_session_that_may_not_import_is_not_kept(with_accounts, monkeypatch):
    guard.install()
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    record = UploadedFileRec(file_id="f1", name="x.csv", type="text/csv", data=b"a" * 1000)
    monkeypatch.setattr(guard, "_session_state_of", lambda session_id: {})
    with pytest.raises(guard.UploadRefused):
        manager.add_file("anonymous", record)
    assert manager.get_files("anonymous", ["f1"]) == []
    monkeypatch.setattr(guard, "_session_state_of", lambda session_id: {"viewer": COUNTY})
    manager.add_file("county", record)
    assert [f.file_id for f in manager.get_files("county", ["f1"])] == ["f1"]


class _Media:
    def __init__(self):
        self.ran = []

    def execute_deferred(self, file_id):
        self.ran.append(file_id)
        return f"/media/{file_id}.csv"


@pytest.mark.parametrize(("owner", "state", "runs"), [
    ("s1", {"viewer": COUNTY}, True),          # the session that drew the button, signed in
    ("s2", {"viewer": COUNTY}, False),         # another session's download
    (None, {"viewer": COUNTY}, False),         # no such download
    ("s1", {}, False),                         # its own, after 退出登录
])
def test_a_download_runs_only_for_its_own_signed_in_session(with_accounts, monkeypatch, owner,
                                                            state, runs):
    import asyncio
    import concurrent.futures

    from streamlit.proto.BackMsg_pb2 import BackendOperationRequest
    from streamlit.runtime.backend_operation_handler import DeferredFileHandler

    guard.install()
    monkeypatch.setattr(guard, "_deferred_owner", lambda file_id: owner)
    monkeypatch.setattr(guard, "_session_state_of", lambda session_id: state)
    media = _Media()
    request = BackendOperationRequest(request_id="r1")
    request.deferred_file.file_id = "f1"
    # in a thread of its own: another test's event loop may still run in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        response = pool.submit(asyncio.run,
                               DeferredFileHandler(lambda: media).handle(request, "s1")).result()
    assert (media.ran == ["f1"]) is runs
    assert (response.deferred_file.url == "/media/f1.csv") is runs
    assert bool(response.error_msg) is not runs


def test_the_upload_route_refuses_before_reading_a_body_from_a_session_that_may_not_import(
        with_accounts, monkeypatch):
    """``Runtime.is_active_session`` answers no for such a session; the wrap is safe only
    while the upload route is its one caller in Streamlit (checked in Streamlit's source)."""
    import pathlib

    import streamlit
    from streamlit.runtime import Runtime

    callers = [p for p in pathlib.Path(streamlit.__file__).parent.rglob("*.py")
               if "runtime.is_active_session(" in p.read_text(encoding="utf-8")]
    assert [p.name for p in callers] == ["starlette_routes.py"]
    guard.install()

    class _Mgr:
        def is_active_session(self, session_id):
            return True

    runtime = object.__new__(Runtime)
    runtime._session_mgr = _Mgr()
    monkeypatch.setattr(guard, "_session_state_of", lambda session_id: {})
    assert Runtime.is_active_session(runtime, "anonymous") is False
    monkeypatch.setattr(guard, "_session_state_of", lambda session_id: {"viewer": COUNTY})
    assert Runtime.is_active_session(runtime, "county") is True
