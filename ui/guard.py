"""What an anonymous browser may ask of the server (issue 15, point 4), for which
Streamlit 1.67 has no setting: installed once per server process by the frame.

- **No cache clearing from a browser.** Streamlit clears every cache of the process
  (all users') on a ``clear_cache`` message from any client; the dashboard's caches are
  keyed by the database's generation and never need a browser to clear them, so the
  message is ignored (and logged, without any personal data).
- **Uploads only for a session that may import.** A file reaches the server's memory
  only for a session whose viewer may open 数据 (the county role; the open demo while no
  account exists): upload URLs are not handed out to other sessions, and a file sent to
  one anyway (a forged request) is refused before its body is read (the upload route's
  session check, ``Runtime.is_active_session``, answers no) and, again, before it is stored. The size limit is
  ``server.maxUploadSize`` (.streamlit/config.toml).

- **A download runs only for the session that asked for it.** Streamlit runs a
  deferred download (the pages' export buttons build their file on click) for any
  session that names its id; it runs here only for the session that drew the button,
  and only while that session's viewer is signed in (the audit row it writes names
  that viewer). After 退出登录, ``forget_session_files`` drops the session's files, so
  their ``/media/…`` links stop answering.

All wrap Streamlit's own methods (``AppSession.handle_backmsg``,
``MemoryUploadedFileManager.add_file``, ``DeferredFileHandler.handle``), pinned by
requirements.txt and checked by tests/test_guard.py, which fails if a Streamlit upgrade
moves them.
"""

from __future__ import annotations

import logging

from streamlit.proto.ForwardMsg_pb2 import BackendOperationResponse
from streamlit.runtime import Runtime
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.backend_operation_handler import DeferredFileHandler
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

_LOG = logging.getLogger("tongwei.guard")


class UploadRefused(PermissionError):
    """A file sent by a session whose viewer may not import."""


def may_upload(session_state) -> bool:
    """Whether the session with ``session_state`` (Streamlit's SessionState, or any
    mapping) has a signed-in viewer who may open 数据, where files are imported."""
    return signed_in(session_state) and session_state["viewer"].may_open("data")


def signed_in(session_state) -> bool:
    """Whether the session with ``session_state`` has a viewer (the open demo's counts
    only while no account exists)."""
    try:
        viewer = session_state["viewer"] if "viewer" in session_state else None
    except (KeyError, RuntimeError):
        return False
    if viewer is None:
        return False
    if viewer.open_mode:
        from analytics.accounts import accounts_configured
        return not accounts_configured()
    return True


def _deferred_owner(file_id: str) -> str | None:
    entry = Runtime.instance().media_file_mgr._deferred_callables.get(file_id)
    return entry["session_id"] if entry else None


def forget_session_files() -> None:
    """Drop the current session's media files and pending downloads (at 退出登录): their
    links stop answering once no other session refers to them."""
    if not Runtime.exists():
        return
    mgr = Runtime.instance().media_file_mgr
    mgr.clear_session_refs()
    mgr.remove_orphaned_files()


def _session_state_of(session_id: str):
    info = Runtime.instance()._session_mgr.get_session_info(session_id)
    return info.session._session_state if info is not None else {}


def install() -> None:
    """Wrap Streamlit's message handler and upload store (idempotent)."""
    if getattr(AppSession, "_tongwei_guarded", False):
        return
    handle_backmsg = AppSession.handle_backmsg
    add_file = MemoryUploadedFileManager.add_file

    def guarded_backmsg(self, msg):
        kind = msg.WhichOneof("type")
        if kind == "clear_cache":
            _LOG.warning("ignored a clear_cache message from a browser")
            return None
        if kind == "file_urls_request" and not may_upload(self._session_state):
            _LOG.warning("refused upload URLs to a session that may not import")
            return None
        return handle_backmsg(self, msg)

    def guarded_add_file(self, session_id, file):
        if not may_upload(_session_state_of(session_id)):
            _LOG.warning("refused a file sent by a session that may not import")
            raise UploadRefused("只有县级用户登录后才能上传数据")
        return add_file(self, session_id, file)

    handle_deferred = DeferredFileHandler.handle

    async def guarded_deferred(self, request, session_id):
        file_id = request.deferred_file.file_id
        if _deferred_owner(file_id) != session_id or not signed_in(_session_state_of(session_id)):
            _LOG.warning("refused a download asked for by another or a signed-out session")
            return BackendOperationResponse(request_id=request.request_id,
                                            error_msg="Failed to generate file for download")
        return await handle_deferred(self, request, session_id)

    is_active_session = Runtime.is_active_session

    def guarded_is_active_session(self, session_id):
        # Streamlit 1.67 asks this only in the upload route, before it reads the body: a
        # session that may not import is refused there (400), holding no memory
        return is_active_session(self, session_id) and may_upload(_session_state_of(session_id))

    AppSession.handle_backmsg = guarded_backmsg
    MemoryUploadedFileManager.add_file = guarded_add_file
    Runtime.is_active_session = guarded_is_active_session
    DeferredFileHandler.handle = guarded_deferred
    AppSession._tongwei_guarded = True
