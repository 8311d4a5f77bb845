"""Who may see what: roles, the pages each may open, and the townships each may query.

- county (县级): every page, every township; household files unmasked.
- township (乡镇分析员): the analysts' pages for their own township(s) only — enforced in
  the SQL (every scoped query binds ``$allowed``), not by hiding widgets; household
  files of their township unmasked.
- screen (会议室大屏): the battle map only, aggregates only.

With no account configured (the demo) the dashboard runs open, as the county role,
and says so on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = {"county": "县级用户", "township": "乡镇分析员", "screen": "会议室大屏"}
PAGE_ROLES = {
    "overview": {"county", "township"},
    "townships": {"county", "township"},
    "relapse": {"county", "township"},
    "income": {"county", "township"},
    "data": {"county"},
    "battle_map": {"county", "screen"},
    "assistance": {"county", "township"},
    "guarantees": {"county", "township"},
    "review": {"county", "township"},
}


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str
    townships: tuple[str, ...] = ()
    open_mode: bool = False

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "township" and not self.townships:
            raise ValueError("a township analyst needs at least one township")

    @property
    def allowed(self) -> tuple[str, ...]:
        """Townships this viewer's queries are restricted to (empty = all)."""
        return self.townships if self.role == "township" else ()

    @property
    def may_see_personal(self) -> bool:
        """Names and ID numbers in one household's file (lists stay masked for everyone).

        Never in open mode: an unconfigured dashboard shows no personal data at all.
        """
        return self.role in ("county", "township") and not self.open_mode

    def may_open(self, page: str) -> bool:
        return self.role in PAGE_ROLES.get(page, set())


OPEN_VIEWER = Viewer("演示用户", "county", open_mode=True)
