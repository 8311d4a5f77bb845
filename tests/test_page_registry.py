"""One registry of pages (analytics.access.PAGES): every file under pages/ is registered
with the roles that may open it, the navigation lists exactly the pages a role may open,
and a page missing from the registry opens for nobody."""

from __future__ import annotations

import pytest

from analytics.access import PAGE_ROLES, PAGES, ROLES, Viewer
from analytics.config import ROOT


def test_every_page_file_is_registered_once():
    files = {"app.py"} | {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    registered = [p.path for p in PAGES]
    assert sorted(registered) == sorted(files)
    assert len({p.key for p in PAGES}) == len(PAGES) and set(PAGE_ROLES) == {p.key for p in PAGES}
    assert all(p.roles and p.roles <= set(ROLES) for p in PAGES)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_a_role_opens_exactly_its_registered_pages(role):
    viewer = Viewer("x", role, ("621121101",) if role == "township" else ())
    assert {p.key for p in PAGES if viewer.may_open(p.key)} == {p.key for p in PAGES if role in p.roles}
    assert not viewer.may_open("unregistered_page")
