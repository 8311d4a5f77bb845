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
_ANALYSTS = frozenset({"county", "township"})


@dataclass(frozen=True)
class Page:
    """A page of the dashboard: its file (``app.py`` or ``pages/<key>.py``), its name and
    icon in the navigation, and the roles that may open it. The one registry of pages:
    the navigation (ui/frame.py), the access checks and the benchmarks all read
    ``PAGES``; a page not listed here opens for nobody."""
    path: str
    label: str
    icon: str
    roles: frozenset[str]

    @property
    def key(self) -> str:
        """'pages/relapse.py' → 'relapse'; 'app.py' → 'overview'."""
        return page_key(self.path)

    @property
    def url_path(self) -> str:
        """Where Streamlit serves it: '' for app.py, else the file's stem."""
        return "" if self.path == "app.py" else self.key


def page_key(path: str) -> str:
    """'pages/relapse.py' → 'relapse'; 'app.py' → 'overview' (the keys of PAGE_ROLES)."""
    return "overview" if path == "app.py" else path.removeprefix("pages/").removesuffix(".py")


PAGES = (
    Page("app.py", "总览", "🏠", _ANALYSTS),
    Page("pages/townships.py", "乡镇", "🏘️", _ANALYSTS),
    Page("pages/relapse.py", "返贫监测", "⚠️", _ANALYSTS),
    Page("pages/income.py", "收入", "💰", _ANALYSTS),
    Page("pages/assistance.py", "帮扶措施", "🤝", _ANALYSTS),
    Page("pages/guarantees.py", "保障与设施", "🏗️", _ANALYSTS),
    Page("pages/review.py", "回头看", "🔍", _ANALYSTS),
    Page("pages/data.py", "数据", "🗂️", frozenset({"county"})),
    Page("pages/battle_map.py", "挂图作战", "🗺️", frozenset({"county", "screen"})),
)
PAGE_ROLES = {page.key: page.roles for page in PAGES}



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
