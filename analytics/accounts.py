"""Local accounts for an intranet with no identity provider.

Accounts live in ``data/users.toml`` (or ``$TONGWEI_USERS``), a file the administrator
edits or fills with ``python -m analytics add-user``. Passwords are stored as bcrypt
hashes; meeting-room screens get a random token (stored as a SHA-256 hash) to put in
the screen's URL, so a screen can sign itself in again after a restart.

    [users.wangli]
    role = "township"
    townships = ["621121101"]
    password_hash = "$2b$12$…"

    [users.zhaoming]       # a county account limited to its county (role "province": all)
    role = "county"
    townships = []
    counties = ["621121"]

    [screens.meeting-room-1]
    token_sha256 = "…"
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import os
import re
import secrets
import tomllib
from functools import lru_cache
from pathlib import Path

import bcrypt

from analytics.access import ROLES, Viewer
from analytics.config import DATA_DIR

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further (bcrypt 5 refuses longer ones)


def users_path() -> Path:
    return Path(os.environ.get("TONGWEI_USERS", DATA_DIR / "users.toml"))


def load_accounts(path: Path | None = None) -> dict:
    """{"users": {name: {...}}, "screens": {name: {...}}} from ``path`` (users_path());
    parsed again only when the file changes (every data call asks whether accounts
    exist). The result is shared: do not modify it."""
    path = path or users_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        return {"users": {}, "screens": {}}
    return _parsed(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _parsed(path: str, mtime_ns: int, size: int) -> dict:
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return {"users": raw.get("users", {}), "screens": raw.get("screens", {})}


def accounts_configured(path: Path | None = None) -> bool:
    """Whether any account or screen exists: then every page asks who is there."""
    accounts = load_accounts(path)
    return bool(accounts["users"] or accounts["screens"])


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write(accounts: dict, path: Path) -> None:
    lines = ["# Dashboard accounts: edit with `python -m analytics add-user` / `add-screen`.", ""]
    for name, user in sorted(accounts["users"].items()):
        lines.append(f"[users.{_toml_string(name)}]")
        lines.append(f"role = {_toml_string(user['role'])}")
        towns = ", ".join(_toml_string(t) for t in user.get("townships", []))
        lines.append(f"townships = [{towns}]")
        if user.get("counties"):
            lines.append("counties = [" + ", ".join(_toml_string(c) for c in user["counties"]) + "]")
        if user.get("password_hash"):
            lines.append(f"password_hash = {_toml_string(user['password_hash'])}")
        lines.append("")
    for name, screen in sorted(accounts["screens"].items()):
        lines.append(f"[screens.{_toml_string(name)}]")
        lines.append(f"token_sha256 = {_toml_string(screen['token_sha256'])}")
        lines.append("")
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def add_user(name: str, password: str | None, role: str, townships: list[str] | None = None,
             path: Path | None = None, counties: list[str] | None = None) -> None:
    """Add or replace a local account (no password: an identity-provider account's role).
    A township analyst names townships; a county account may name its counties (6-digit
    codes; none: every county loaded); a province account sees everything."""
    if not NAME_PATTERN.match(name):
        raise ValueError("user names are letters, digits and _ . @ - (at most 64)")
    if role not in ROLES or role == "screen":
        raise ValueError("role must be province, county or township (screens use add-screen)")
    if role == "township" and not townships:
        raise ValueError("a township analyst needs --township CODE")
    if counties and role != "county":
        raise ValueError("only a county account names counties (--county CODE)")
    # the same checks as a Viewer's, before anything is written
    Viewer(name, role, tuple(townships or ()), counties=tuple(counties or ()))
    if password is not None and len(password) < 8:
        raise ValueError("passwords need at least 8 characters")
    if password is not None and len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValueError(f"passwords are at most {MAX_PASSWORD_BYTES} bytes (bcrypt's limit)")
    path = path or users_path()
    accounts = copy.deepcopy(load_accounts(path))  # the loaded one is shared
    user = {"role": role, "townships": list(townships or [])}
    if counties:
        user["counties"] = list(counties)
    if password is not None:
        user["password_hash"] = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode()
    accounts["users"][name] = user
    _write(accounts, path)


def add_screen(name: str, path: Path | None = None) -> str:
    """Register a meeting-room screen; returns its token (shown once, stored hashed)."""
    if not NAME_PATTERN.match(name):
        raise ValueError("screen names are letters, digits and _ . @ - (at most 64)")
    path = path or users_path()
    accounts = copy.deepcopy(load_accounts(path))  # the loaded one is shared
    token = secrets.token_urlsafe(24)
    accounts["screens"][name] = {"token_sha256": hashlib.sha256(token.encode()).hexdigest()}
    _write(accounts, path)
    return token


def viewer_of(name: str, user: dict) -> Viewer:
    """The viewer of account ``name`` (its entry ``user`` in ``load_accounts()``)."""
    return Viewer(name, user["role"], tuple(user.get("townships", [])),
                  counties=tuple(user.get("counties", [])))


@lru_cache(maxsize=1)
def _decoy_hash() -> bytes:
    """A hash at bcrypt's default cost (that of ``add_user``'s): an unknown user name is
    checked against it, so it costs what a known one costs (no user-name enumeration by
    timing)."""
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt())


def is_account(name: str, path: Path | None = None) -> bool:
    """Whether ``name`` is a local account's name (audit rows name only real accounts:
    whatever else is typed into the user-name box, a password included, is not kept)."""
    return name in load_accounts(path)["users"]


def verify_password(name: str, password: str, path: Path | None = None) -> Viewer | None:
    """The viewer for a correct name and password, else None. An unknown name, or an
    account without a password, costs one bcrypt check at the default cost all the same."""
    user = load_accounts(path)["users"].get(name)
    secret = password.encode("utf-8")
    if not user or not user.get("password_hash") or len(secret) > MAX_PASSWORD_BYTES:
        bcrypt.checkpw(secret[:MAX_PASSWORD_BYTES], _decoy_hash())
        return None
    if bcrypt.checkpw(secret, user["password_hash"].encode()):
        return viewer_of(name, user)
    return None


def verify_screen_token(token: str, path: Path | None = None) -> Viewer | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    for name, screen in load_accounts(path)["screens"].items():
        if hmac.compare_digest(digest, screen.get("token_sha256", "")):
            return Viewer(name, "screen")
    return None


def viewer_for_identity(email: str, path: Path | None = None) -> Viewer | None:
    """The role given to an identity-provider account, matched by e-mail without regard
    to case (directories differ in how they spell ``Wang@…``), if any."""
    wanted = (email or "").strip().casefold()
    for name, user in load_accounts(path)["users"].items():
        if wanted and name.casefold() == wanted:
            return viewer_of(name, user)
    return None
