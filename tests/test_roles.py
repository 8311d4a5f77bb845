"""Roles and personal data: sign-in, what each role may open, township scope enforced in
the SQL, masking, cache isolation between viewers, and the audit trail."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import accounts, audit, metrics
from analytics.access import Viewer
from analytics.config import ROOT
from analytics.households import household_list
from analytics.quality import quality_findings

MAYING, JICHUAN = "621121101", "621121102"
PASSWORD = "correct horse 1"
PAGES = {"overview": None, "townships": "pages/townships.py", "relapse": "pages/relapse.py",
         "income": "pages/income.py", "data": "pages/data.py", "battle_map": "pages/battle_map.py",
         "assistance": "pages/assistance.py", "guarantees": "pages/guarantees.py",
         "review": "pages/review.py"}


@pytest.fixture(scope="module")
def accounts_file(tmp_path_factory):
    """zhang (county), wang (马营镇) and the screen room1, written once: a password is
    hashed with bcrypt, slow on purpose. (The file and the screen's token.)"""
    path = tmp_path_factory.mktemp("accounts") / "users.toml"
    accounts.add_user("zhang", PASSWORD, "county", path=path)
    accounts.add_user("wang", PASSWORD, "township", [MAYING], path=path)
    return path, accounts.add_screen("room1", path=path)


@pytest.fixture
def users(tmp_path, monkeypatch, demo_db, accounts_file):
    """A test's own copy of the accounts file (tests add accounts to it), and its audit."""
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    path = tmp_path / "users.toml"
    shutil.copy(accounts_file[0], path)  # owner-only, as written
    monkeypatch.setenv("TONGWEI_USERS", str(path))
    monkeypatch.setenv("TONGWEI_AUDIT", str(tmp_path / "audit.duckdb"))
    return {"path": path, "token": accounts_file[1]}


def everything_shown(at: AppTest) -> str:
    """All text an AppTest run put on the page: markdown, metrics, tables, charts, maps."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    parts += [t.value for t in at.title] + [h.value for h in at.subheader]
    for frame in at.dataframe:
        value = frame.value
        parts.append(value.to_csv() if hasattr(value, "to_csv") else str(value))
    for chart in at.get("plotly_chart"):
        parts.append(json.dumps(json.loads(chart.proto.spec), ensure_ascii=False))
    for deck in at.get("deck_gl_json_chart"):
        parts.append(json.dumps(json.loads(deck.proto.json), ensure_ascii=False))
    for widget in list(at.selectbox) + list(at.multiselect):
        parts.append(" ".join(str(o) for o in widget.options))
    return "\n".join(parts)


def open_as(viewer: Viewer | None, page: str, **url) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if PAGES[page]:  # opened at its address: one run, the home page not drawn first
        at.switch_page(PAGES[page])
    for key, value in url.items():
        at.query_params[key] = value
    if viewer is not None:
        at.session_state["viewer"] = viewer
    at.run()
    return at


def test_sign_in_is_required_once_an_account_exists(users):
    at = open_as(None, "overview")
    assert not at.metric and at.text_input(key="signin_name")
    at.text_input(key="signin_name").input("zhang")
    at.text_input(key="signin_password").input("wrong password")
    at.button[0].click().run()
    assert at.error and not at.metric
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    assert at.metric, "signed in: the overview shows its tiles"
    actions = list(audit.recent()["action"])
    assert actions[:2] == ["sign_in", "sign_in_failed"]


def test_open_mode_says_so(demo_db, monkeypatch, tmp_path):
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    monkeypatch.setenv("TONGWEI_USERS", str(tmp_path / "none.toml"))
    at = open_as(None, "overview")
    assert any("演示模式" in w.value for w in at.warning)


@pytest.mark.parametrize("page", ["overview", "townships", "relapse", "income", "assistance",
                                  "guarantees", "review"])
def test_township_analyst_sees_only_their_township(users, demo_store, page):
    wang = Viewer("wang", "township", (MAYING,))
    at = open_as(wang, page, year="2017")
    assert not at.exception, [e.value for e in at.exception]
    shown = everything_shown(at)
    towns = demo_store.query("townships")
    others = towns[towns["township_code"] != MAYING]
    leaked = [n for n in others["name"] if n in shown] + \
             [c for c in others["township_code"] if c in shown]
    assert not leaked, leaked
    assert "马营" in shown
    assert not re.search(r"\d{17}[\dX]", shown)


@pytest.mark.parametrize("role, page", [("township", "data"), ("township", "battle_map"),
                                        ("screen", "overview"), ("screen", "townships"),
                                        ("screen", "data"), ("screen", "assistance"),
                                        ("screen", "guarantees"), ("screen", "review")])
def test_pages_a_role_may_not_see_cannot_be_reached(users, role, page):
    viewer = Viewer("x", role, (MAYING,) if role == "township" else ())
    at = open_as(viewer, page)
    assert any("无权" in e.value for e in at.error)
    assert not at.metric and not at.dataframe and not at.get("deck_gl_json_chart")


def test_screen_signs_in_with_its_token_and_sees_aggregates_only(users, demo_store):
    at = open_as(None, "overview", token=users["token"])
    at.switch_page("pages/battle_map.py").run()
    assert at.get("deck_gl_json_chart")
    shown = everything_shown(at)
    villages = tuple(demo_store.query("villages")["village_code"])
    people = household_list(demo_store, 2020, villages, unmasked=True)
    assert not [n for n in people["head_name"] if len(n) >= 2 and n in shown]
    assert not re.search(r"\d{17}[\dX]", shown)


def test_a_bad_screen_token_is_refused(users):
    at = open_as(None, "battle_map", token="not-a-token")
    assert not at.get("deck_gl_json_chart")
    assert "sign_in_failed" in set(audit.recent()["action"])


def test_county_sees_the_household_file_unmasked_lists_stay_masked(users, demo_store):
    zhang = Viewer("zhang", "county")
    at = open_as(zhang, "townships")
    at.selectbox(key="year").set_value(2017).run()
    at.multiselect(key="township").set_value([MAYING]).run()
    table = households_village(demo_store)
    at.selectbox(key="drill_village").set_value(table).run()
    listing = at.dataframe[1].value
    assert listing["head_name"].str.endswith("*").all()
    first = listing["household_id"].iloc[0]
    at.selectbox(key="household").set_value(first).run()
    raw = household_list(demo_store, 2017, (table,), unmasked=True).set_index("household_id")
    file_text = " ".join(m.value for m in at.markdown)
    assert raw.loc[first, "head_id_number"] in file_text


def households_village(store) -> str:
    frame = household_list(store, 2017, tuple(store.query("villages")["village_code"]))
    frame = frame[frame["village_code"].str.startswith(MAYING)]
    return frame["village_code"].value_counts().index[0]


def test_cache_does_not_leak_between_viewers(users):
    county = open_as(Viewer("zhang", "county"), "overview", year="2017")
    county_text = everything_shown(county)
    assert "鸡川镇" in county_text  # the county sees every township (and warms the cache)
    wang = open_as(Viewer("wang", "township", (MAYING,)), "overview", year="2017")
    assert "鸡川镇" not in everything_shown(wang)


def test_scope_is_enforced_in_the_sql(demo_store):
    scoped = demo_store.scoped((MAYING,))
    assert set(scoped.query("townships")["township_code"]) == {MAYING}
    figures = scoped.query("figures")
    assert set(figures["township_code"].dropna()) == {MAYING}
    # the county's and the province's totals are everyone's: not a township analyst's
    assert not {"county", "province"} & set(figures["scope_level"])
    with pytest.raises(metrics.UnknownScope):
        metrics.headline_figures(scoped, 2017, township=JICHUAN)
    other = demo_store.query("villages")
    other = tuple(other[other["township_code"] == JICHUAN]["village_code"])
    assert household_list(scoped, 2017, other).empty
    # the data checks, too, list only the viewer's township (a county account's county)
    everyone, mine = quality_findings(demo_store), quality_findings(scoped)
    assert sum(f.count for f in mine) < sum(f.count for f in everyone)
    counts = {f.rule: f.count for f in everyone}
    for finding in mine:
        rows = finding.rows
        place = (rows["township_code"] if "township_code" in rows
                 else rows["village_code"].str[:9] if "village_code" in rows else None)
        if place is None:  # cadres: those with a household of the viewer's
            assert finding.rule == "cadre_over_quota" and finding.count <= counts[finding.rule]
        else:
            assert (place == MAYING).all(), finding.rule


INJECTIONS = ["'; DROP TABLE households; --", "621121101' OR '1'='1", "\\x00", "%", "*",
              "621121101\"); DELETE FROM figures; --", "1 UNION SELECT * FROM households"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_filters_are_bound_never_spliced(demo_store, value):
    before = len(demo_store.query("figures"))
    frame = metrics.selection_figures(demo_store, townships=(value,))
    assert frame.empty
    assert household_list(demo_store, 2017, (value,), townships=(value,)).empty
    assert demo_store.scoped((value,)).query("townships").empty
    assert len(demo_store.query("figures")) == before


def test_add_user_command_and_hashed_password(users, tmp_path):
    text = users["path"].read_text(encoding="utf-8")
    assert PASSWORD not in text and "$2b$" in text
    assert users["token"] not in text
    assert accounts.verify_password("wang", PASSWORD).townships == (MAYING,)
    assert accounts.verify_password("wang", "nope") is None
    assert accounts.verify_password("nobody", PASSWORD) is None
    with pytest.raises(ValueError):
        accounts.add_user("li", "short", "county")
    with pytest.raises(ValueError):
        accounts.add_user("li", PASSWORD, "township")  # no township


def test_identity_provider_accounts_match_by_email_whatever_the_case(users):
    accounts.add_user("Li.Na@Tongwei.example", None, "township", [JICHUAN])
    viewer = accounts.viewer_for_identity("li.na@tongwei.EXAMPLE ")
    assert viewer is not None and viewer.townships == (JICHUAN,)
    assert viewer.name == "Li.Na@Tongwei.example"  # the account as the admin wrote it
    assert accounts.viewer_for_identity("li.na@tongwei.example.cn") is None
    assert accounts.viewer_for_identity("") is None


def test_the_signed_in_caption_names_the_township_and_links_nothing(users):
    at = open_as(Viewer("wang@tongwei.example", "township", (MAYING,)), "overview", year="2017")
    caption = next(c.value for c in at.caption if "乡镇分析员" in c.value)
    assert caption == "`wang@tongwei.example` · 乡镇分析员（马营镇）"
    assert at.multiselect(key="township").placeholder == "马营镇"


def test_audit_records_imports_and_exports(users, tmp_path):
    import subprocess
    import sys

    db = tmp_path / "audited.duckdb"
    env_run = dict(__import__("os").environ)
    subprocess.run([sys.executable, "-m", "analytics", "build-demo", "--scale", "0.02", "--db",
                    str(db)], cwd=ROOT, env=env_run, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "analytics", "export", str(tmp_path / "out"), "--db",
                    str(db)], cwd=ROOT, env=env_run, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "analytics", "import", str(tmp_path / "out"), "--db",
                    str(db)], cwd=ROOT, env=env_run, check=True, capture_output=True)
    log = audit.recent()
    assert list(log["action"][:3]) == ["import", "export", "build_demo"]
    assert (log["rows"][:3] > 0).all()
    assert isinstance(log["logged_at"].iloc[0], pd.Timestamp)


def test_exports_obey_the_same_rules(users, demo_store):
    """The download buttons export exactly the frame shown, which is scoped and masked."""
    from analytics.exports import csv_bytes, xlsx_bytes
    from ui.tables import HOUSEHOLD_LABELS, VILLAGE_LABELS

    wang = Viewer("wang", "township", (MAYING,))
    at = open_as(wang, "townships", year="2017")
    villages = at.dataframe[0].value
    exported = csv_bytes(villages, VILLAGE_LABELS).decode("utf-8-sig")
    assert set(villages["township_code"]) == {MAYING}
    assert JICHUAN not in exported and "鸡川" not in exported
    at.selectbox(key="drill_village").set_value(households_village(demo_store)).run()
    listing = at.dataframe[1].value
    exported = csv_bytes(listing, HOUSEHOLD_LABELS).decode("utf-8-sig")
    raw = household_list(demo_store, 2017, tuple(listing["village_code"].unique()), unmasked=True)
    assert not any(name in exported for name in raw["head_name"])
    assert not any(number in exported for number in raw["head_id_number"])
    assert xlsx_bytes(listing, HOUSEHOLD_LABELS)[:2] == b"PK"


@pytest.mark.parametrize("scoped", [True, False])
def test_the_over_quota_list_says_over_which_townships_loads_are_counted(users, demo_store, scoped):
    """A cadre's households are counted over what the viewer may see: the county for a
    county viewer, their own townships for a township analyst — the caption says which."""
    found = [(code, over) for code in demo_store.query("townships")["township_code"]
             if not (over := metrics.cadres_over_quota(demo_store.scoped((code,)))).empty]
    assert found, "the demo plants cadres over the 8741 quota"
    code, over = found[0]
    year = int(over["year"].iloc[0])
    viewer = Viewer("x", "township", (code,)) if scoped else Viewer("x", "county")
    at = open_as(viewer, "assistance", year=str(year), township=code)
    caption = next(c.value for c in at.caption if c.value.startswith("所选范围内有结对户的帮扶责任人"))
    assert ("您的账户可查看的乡镇" in caption) == scoped and ("全县" in caption) != scoped
