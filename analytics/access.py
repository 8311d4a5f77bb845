"""Who may see what: roles, the pages each may open, and the townships each may query.

- province (省级): every page, every county loaded; household files unmasked.
- county (县级): every page, for their own county or counties when the account names them
  (``counties``, enforced in the SQL like a township analyst's townships), else for
  everything loaded (a county's own deployment); household files unmasked.
- township (乡镇分析员): the analysts' pages for their own township(s) only — enforced in
  the SQL (every scoped query binds ``$allowed``), not by hiding widgets; household
  files of their township unmasked.
- screen (会议室大屏): the battle map only, aggregates only.

With no account configured (the demo) the dashboard runs open, as the county role,
and says so on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = {"province": "省级用户", "county": "县级用户", "township": "乡镇分析员",
         "screen": "会议室大屏"}
_ANALYSTS = frozenset({"province", "county", "township"})
_DATA_KEEPERS = frozenset({"province", "county"})


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
    Page("pages/data.py", "数据", "🗂️", _DATA_KEEPERS),
    Page("pages/battle_map.py", "挂图作战", "🗺️", _DATA_KEEPERS | {"screen"}),
)
PAGE_ROLES = {page.key: page.roles for page in PAGES}



@dataclass(frozen=True)
class Viewer:
    name: str
    role: str
    townships: tuple[str, ...] = ()
    open_mode: bool = False
    counties: tuple[str, ...] = ()

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "township" and not self.townships:
            raise ValueError("a township analyst needs at least one township")
        if self.counties and self.role != "county":
            raise ValueError("only a county account names counties")
        # $allowed matches a township code exactly and a 6-digit code as a whole county:
        # a township analyst given a county code would see the county
        if any(not (t.isdigit() and len(t) == 9) for t in self.townships):
            raise ValueError("a township code has 9 digits")
        if len(self.counties) > 1 or any(not (c.isdigit() and len(c) == 6) for c in self.counties):
            raise ValueError("a county account names one county, a 6-digit code")

    @property
    def allowed(self) -> tuple[str, ...]:
        """What this viewer's queries are restricted to (empty = all): a township analyst's
        township codes, a county account's 6-digit county codes."""
        if self.role == "township":
            return self.townships
        return self.counties if self.role == "county" else ()

    @property
    def may_replace_data(self) -> bool:
        """Import and export the whole dataset: a role that keeps the data, unrestricted
        (a county account limited to its county would replace the others' counties too)."""
        return self.role in _DATA_KEEPERS and not self.allowed

    @property
    def may_see_personal(self) -> bool:
        """Names and ID numbers in one household's file (lists stay masked for everyone).

        Never in open mode: an unconfigured dashboard shows no personal data at all.
        """
        return self.role in _ANALYSTS and not self.open_mode

    def may_open(self, page: str) -> bool:
        return self.role in PAGE_ROLES.get(page, set())


OPEN_VIEWER = Viewer("演示用户", "county", open_mode=True)
