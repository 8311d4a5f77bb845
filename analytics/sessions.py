"""Signed sessions: a sign-in with a local account survives a reload and an opened link.

After a password sign-in the browser keeps a cookie (``COOKIE``) holding a token::

    base64url(json {"u": user name, "sid": random id, "exp": expiry, epoch s}) "." base64url(HMAC-SHA256)

signed with the server's secret (``$TONGWEI_SESSION_SECRET``, else a random key created
once in ``data/session_secret``, owner-only). A new Streamlit session carrying a valid,
unexpired token whose ``sid`` was not revoked signs in again as that account — looked up
afresh, so a changed role or a removed account takes effect. 退出登录 revokes the ``sid``
in the audit file (store.revoke_session), for every server process. The lifetime is
config ``[signin] session_hours`` (8 by default). The role is never read from the token.

The cookie is set by the page's script (Streamlit has no server-side cookie API), so it
cannot be HttpOnly; it is SameSite=Strict, and Secure when the page is served over HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from analytics.config import DATA_DIR, load_config

COOKIE = "tongwei_session"


def secret_path() -> Path:
    return Path(os.environ.get("TONGWEI_SESSION_SECRET_FILE", DATA_DIR / "session_secret"))


def _secret() -> bytes:
    """The signing key: $TONGWEI_SESSION_SECRET, else the key file (created once, 0600)."""
    given = os.environ.get("TONGWEI_SESSION_SECRET")
    if given:
        return given.encode("utf-8")
    path = secret_path()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return path.read_bytes()
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(body: str) -> str:
    return _b64(hmac.new(_secret(), body.encode("ascii"), hashlib.sha256).digest())


@dataclass(frozen=True)
class Session:
    user: str
    sid: str
    expires: float  # epoch seconds

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, timezone.utc).replace(tzinfo=None)


def lifetime_s() -> float:
    """Seconds a signed session lasts: config ``[signin] session_hours``."""
    return float(load_config().signin["session_hours"]) * 3600


def issue(user: str, now: float | None = None) -> tuple[str, Session]:
    """A new token for ``user`` and its session (random sid, expiring after ``lifetime_s``)."""
    now = time.time() if now is None else now
    session = Session(user, secrets.token_urlsafe(16), now + lifetime_s())
    body = _b64(json.dumps({"u": user, "sid": session.sid, "exp": session.expires},
                           separators=(",", ":")).encode("utf-8"))
    return f"{body}.{_signature(body)}", session


def verify(token: str | None, now: float | None = None) -> Session | None:
    """The session of a well-signed, unexpired ``token``; None for anything else (the
    revocation is checked by the caller, against the audit file)."""
    if not token or token.count(".") != 1 or len(token) > 4096:
        return None
    body, signature = token.split(".")
    if not hmac.compare_digest(signature, _signature(body)):
        return None
    try:
        data = json.loads(_unb64(body))
        session = Session(str(data["u"]), str(data["sid"]), float(data["exp"]))
    except (ValueError, KeyError, TypeError):
        return None
    now = time.time() if now is None else now
    return session if session.expires > now else None


def cookie_script(token: str | None, max_age_s: float = 0) -> str:
    """The page script setting the cookie to ``token`` for ``max_age_s`` seconds, or
    deleting it (``token`` None)."""
    value, age = (token, int(max_age_s)) if token else ("", 0)
    return ("<script>document.cookie = " + json.dumps(f"{COOKIE}={value}; Max-Age={age}; Path=/; "
                                                     "SameSite=Strict")
            + " + (location.protocol === 'https:' ? '; Secure' : '');</script>")


#: How long a "not revoked" answer from the audit file is trusted (s): every run of every
#: tab asks, so a sign-out elsewhere reaches an open tab within this time (within this
#: process at once: ``ended_here``).
REVOCATION_RECHECK_S = 5.0
_checked: dict[str, float] = {}
_ended_here: set[str] = set()
_lock = threading.Lock()


def ended_here(sid: str) -> None:
    """Note that ``sid`` was ended in this process (its tabs here stop at their next run)."""
    with _lock:
        _ended_here.add(sid)
        _checked.pop(sid, None)


def still_valid(session: Session, now: float | None = None) -> bool:
    """Whether an open tab's signed ``session`` may go on: not expired, and not ended by
    退出登录 in any tab or process (the audit file, read at most every
    ``REVOCATION_RECHECK_S``; unreadable counts as ended)."""
    from analytics import audit

    now = time.time() if now is None else now
    if session.expires <= now:
        return False
    with _lock:
        if session.sid in _ended_here:
            return False
        if now - _checked.get(session.sid, float("-inf")) < REVOCATION_RECHECK_S:
            return True
    if audit.session_ended(session.sid):
        ended_here(session.sid)
        return False
    with _lock:
        _checked[session.sid] = now
    return True
