"""Browser-test fixtures: one server on the small demo database, one Chromium, and pages
shared by the tests that read the same page at the same window size (``shown``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, ROOT, At, running_server

ARTIFACTS = Path(os.environ.get("ARTIFACTS", ROOT / "artifacts"))


#: Set on the last test of its ``shown`` page (in the order run): its page is closed after it.
LAST_OF_PAGE = pytest.StashKey[bool]()


def pytest_configure(config):
    config.addinivalue_line("markers", "changes_page: the test changes its shown page (it runs after "
                                       "the tests that only read that page)")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    share_pages(items)


def shown_at(item) -> At | None:
    """The page a test of ``shown`` is parametrized with (None for any other test)."""
    at = item.callspec.params.get("shown") if hasattr(item, "callspec") else None
    return at if isinstance(at, At) else None


def share_pages(items) -> None:
    """The tests of one ``shown`` page (whatever their files) run one after another, where
    the first of them stood, those marked ``changes_page`` last: the page is loaded once
    for all of them, and closed after the last."""
    groups: dict[At, list] = {}
    for item in items:
        if shown_at(item):
            groups.setdefault(shown_at(item), []).append(item)
    ordered = []
    for item in items:
        if not shown_at(item):
            ordered.append(item)
        elif shown_at(item) in groups:
            group = sorted(groups.pop(shown_at(item)),
                           key=lambda i: i.get_closest_marker("changes_page") is not None)
            group[-1].stash[LAST_OF_PAGE] = True
            ordered += group
    items[:] = ordered


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def server(demo_db, artifacts):
    with running_server(demo_db, artifacts / "streamlit.log") as (url, process):
        yield url


@pytest.fixture(scope="session")
def playwright():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/setup.sh (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def shared_profile(playwright, tmp_path_factory):
    """A Chromium with a profile on disk, for the ``shown`` pages: a tab each (so a
    Streamlit session each), sharing its cache, where the app's scripts stay compiled
    from one page to the next (a new context compiles them again)."""
    context = playwright.chromium.launch_persistent_context(
        tmp_path_factory.mktemp("chromium-profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        headless=True, locale="zh-CN", accept_downloads=True)
    yield context
    context.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                                  accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


class SharedPage:
    """One page of the app in a tab of ``shared_profile`` (so its own Streamlit session),
    loaded once for every test of ``shown`` at that address and window size.

    A test that only reads the page takes it from ``as_loaded()`` and waits for what it
    needs, as on a page of its own. A test that changes it (marked ``changes_page``, so
    that it runs after those that only read it) takes it from ``change(what)``, or prints
    it with ``printed``. Either loads the page again if another test changed it first.
    ``page`` is the page as the last test left it; ``errors`` the uncaught errors in its
    scripts since it was loaded."""

    def __init__(self, profile, server: str, at: At):
        self.profile, self.url, self.at = profile, f"{server}/{at.address}", at
        self.page = None
        self._load()

    def _load(self) -> None:
        self.close()
        self.page = self.profile.new_page()
        self.page.set_viewport_size({"width": self.at.width, "height": self.at.height})
        self.errors: list[str] = []
        self.changed, self.pdf = "", b""
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.url)

    def as_loaded(self):
        """The page as loaded, for a test that reads it."""
        if self.changed:
            self._load()
        return self.page

    def change(self, what: str):
        """The page as loaded, for a test that changes it (``what`` it does)."""
        page = self.as_loaded()
        self.changed = what
        return page

    def printed(self, print_page) -> bytes:
        """The PDF ``print_page(page)`` returns for the page as loaded, printed once for
        every test that asks (``page`` is left as ``print_page`` leaves it)."""
        if self.changed != "printed":
            self.pdf = print_page(self.change("printed"))
        return self.pdf

    def close(self) -> None:
        if self.page is not None:
            self.page.close()
            self.page = None


@pytest.fixture(scope="session")
def _shared_page(shared_profile, server):
    """The ``shown`` page now open (one at a time)."""
    holder: dict[str, SharedPage] = {}
    yield holder
    if "page" in holder:
        holder["page"].close()


@pytest.fixture
def shown(request, shared_profile, server, _shared_page) -> SharedPage:
    """The page ``request.param`` (an ``At``), shared with the other tests of that page and
    size: parametrize a test with ``indirect=["shown"]``."""
    at = request.param
    failed = request.session.testsfailed
    current = _shared_page.get("page")
    if current is None or current.at != at or current.page is None:
        if current is not None:
            current.close()
        current = _shared_page["page"] = SharedPage(shared_profile, server, at)
    yield current
    # after the last of its tests, or a failure that may have left it half-way: closed
    if request.node.stash.get(LAST_OF_PAGE, False) or request.session.testsfailed > failed:
        current.close()
