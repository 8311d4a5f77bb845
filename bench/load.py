"""Load test: many concurrent dashboard sessions on one server, over Streamlit's own protocol.

    python bench/load.py --db data/tongwei.duckdb --screens 20 --analysts 10 --seconds 120
    python bench/load.py --db data/tongwei.duckdb --screens 20 --analysts 10 --seconds 120 --accounts

Starts a Streamlit server on loopback (with --processes N, N of them behind HAProxy, as
``scripts/serve.py`` serves them; or uses --url, which must be loopback), learns the
app's pages from the ``navigation`` message the server sends with every script run
(Streamlit 1.67: ``app_pages``, each with its ``page_script_hash`` and ``url_pathname``;
the first ``new_session`` lists only the main script), then runs for --seconds: each
*screen* keeps one session on /battle_map and reruns it every --rotate seconds, like the
meeting-room screen; each *analyst* repeatedly opens one of the pages both analyst roles may
open (总览, 乡镇, 返贫监测, 收入, 帮扶措施, 保障与设施, 回头看; or --pages) for a random year
and township, with --think-min to --think-max seconds of thinking between clicks, in a new
session every --clicks-per-session clicks.

Pages are asked for as Streamlit's own frontend asks (frontend App.tsx, sendRerunBackMsg):
the first request of a session carries the URL path (``rerun_script.page_name``), as a
browser opening /townships does before it knows the pages; every later request of the
session carries the page's ``page_script_hash`` learned from the navigation message, as a
navigation link or a rerun does. Every response is checked: the ``navigation`` message of
the run must name the page asked for, and the run must draw that page's heading (its st.title,
or the screen's title on the kiosk battle map); otherwise the request is a ``wrong_page``
failure. A render is timed from the rerun request to the server's last script_finished
message of that request.

Every request has a timeout (--timeout, default 30 s). Failures are counted by kind:
timeout, connection (the websocket could not be opened), closed (the server closed it during
a request), page_exception (a Streamlit exception element in the deltas), wrong_page,
sign_in_refused (the sign-in form came back instead of the page) and client_error (this
script's own fault). After a timeout or a close the session starts again with a new one.

--accounts: the server gets its own temporary users file, audit file and session key.
Each screen signs in with its own screen token (/battle_map?token=…), each analyst with
its own account (county and township analysts in turn) through the password form, as a
browser submits it. A sign-in is timed from the request that carries the token or the
submitted form to the script_finished of the signed-in page, and reported apart from the
reruns. After the run, every sign-in must have its sign_in row in the audit file.

Reports p50/p95/max per kind of session (also for the requests sent after --warm-up s), the
failures by kind, the bytes each page sent and how many distinct contents, the server's
memory (RSS of its process tree, sampled every 2 s) and CPU time, and issue 18's goal at
scale 100 (20 screens + 10 analysts, 120 s: rerun p95 < 2 s, max < 5 s, 0 errors, server RSS
< 2 GB; with --accounts also issue 15's sign-in p95 < 3 s and no audit row missing), each
met or not met. Exit code 1 when any request failed, two different pages sent the same
content or a goal is not met; 0 only when everything held. Bounded in time and in the
number of sessions; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import math
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

import psutil
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from analytics import accounts, audit  # noqa: E402
from analytics.access import PAGES  # noqa: E402
from analytics.counties import county_of  # noqa: E402
from analytics.store import Store  # noqa: E402
from tests.browser.server import running_server  # noqa: E402

SCREEN_PAGE = "battle_map"  # URL path of the meeting-room screen
ANALYST_ROLES = ("county", "township")  # an analyst opens the pages both roles may open
# The kiosk battle map draws no st.title: its heading is the screen's title (ui/battle.py,
# render_screen: '<span class="bm-title">通渭县脱贫攻坚挂图作战 · 2019年</span>'), named after
# what it shows: 全省… for a province's data, a county's name once one is chosen.
HEADINGS = {SCREEN_PAGE: "脱贫攻坚挂图作战"}
BM_TITLE = re.compile(r'class="bm-title">([^<]*)<')
MAX_SESSIONS = 200
SIGN_IN_FORM = "sign_in"  # ui/signin.py: st.form("sign_in") with these two text inputs
SIGN_IN_FIELDS = {"signin_name": "name", "signin_password": "password"}
FAILURE_KINDS = ("timeout", "connection", "closed", "page_exception", "wrong_page",
                 "sign_in_refused", "client_error")
#: Issue 18, point 4 (at scale 100, 20 screens + 10 analysts, 120 s) and issue 15 (sign-in).
GOAL = {"rerun_p95_s": 2.0, "rerun_max_s": 5.0, "server_rss_mb": 2000.0, "sign_in_p95_s": 3.0}


@dataclass(frozen=True)
class PageId:
    """A page as the server names it in the navigation message."""
    url_path: str     # "" for the main page (app.py), else "townships", …
    script_hash: str  # what a navigation link sends (rerun_script.page_script_hash)
    name: str         # Streamlit's page_name ("app", "battle map")
    key: str          # analytics.access key ("overview", "townships", …)
    heading: str      # what the page draws as its title

    @property
    def label(self) -> str:
        return self.url_path or "overview"


@dataclass
class Account:
    """Who a session signs in as: an analyst's name and password, or a screen's token."""
    name: str
    role: str
    password: str = ""
    token: str = ""
    township: str = ""  # a township analyst's township (its name, as the filter takes it)
    towns: tuple[str, ...] = ()  # a county analyst's county's townships (names)


@dataclass
class Run:
    """What the server sent back for one rerun request (up to its last script_finished)."""
    seconds: float
    started: float = 0.0  # time.perf_counter() when the request was sent
    failure: str = ""     # "" or one of FAILURE_KINDS, set by the protocol (timeout, closed)
    exception: bool = False
    page_not_found: bool = False
    sent_bytes: int = 0
    page_hash: str = ""   # page_script_hash of the last run's navigation message
    navigation: object = None  # that navigation message
    headings: list[str] = field(default_factory=list)  # h1 titles and the screen's title
    digest: str = ""      # SHA-256 of the last run's deltas: what the page drew
    form: dict[str, str] = field(default_factory=dict)  # sign-in widget ids, when drawn
    detail: str = ""
    hasher: object = field(default_factory=hashlib.sha256, repr=False)  # of the deltas


@dataclass
class Sample:
    kind: str        # "screen" or "analyst"
    what: str        # "render", "sign_in", "form" or "connect"
    page: str        # URL path ("" is the overview)
    seconds: float
    failure: str     # "" when the request did what it should
    sent_bytes: int
    at_s: float = 0.0  # when the request was sent, seconds after the first session began
    digest: str = ""
    detail: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.failure)


class Samples(list):
    """The samples of a load test, and when it began."""

    def __init__(self):
        super().__init__()
        self.began = time.perf_counter()

    def add(self, kind: str, what: str, page: str, run: Run, failure: str) -> None:
        self.append(Sample(kind, what, page, run.seconds, failure, run.sent_bytes,
                           round(run.started - self.began, 1), run.digest,
                           run.detail if failure else ""))


# ---------------------------------------------------------------- pages, checks, failures


def page_ids(navigation) -> dict[str, PageId]:
    """URL path → PageId of every page of analytics.access.PAGES, read from a Navigation
    message. ValueError when a page of PAGES is not in it (the app and the registry
    disagree, or this is not the app's navigation)."""
    by_path = {page.url_path: page for page in PAGES}
    found = {}
    for app_page in navigation.app_pages:
        page = by_path.get(app_page.url_pathname)
        if page is not None and app_page.page_script_hash:
            found[page.url_path] = PageId(app_page.url_pathname, app_page.page_script_hash,
                                          app_page.page_name, page.key,
                                          HEADINGS.get(page.url_path, page.label))
    missing = sorted(set(by_path) - set(found))
    if missing:
        raise ValueError(f"the navigation message lacks {missing}: it lists "
                         f"{[p.url_pathname for p in navigation.app_pages]}")
    return found


def analyst_pages(pages: dict[str, PageId], wanted: list[str] | None = None) -> list[PageId]:
    """The pages an analyst clicks: those both analyst roles may open (no screen page), or
    the ``wanted`` URL paths ("overview" or "" for the main page)."""
    if wanted:
        paths = ["" if w in ("", "overview") else w for w in wanted]
        unknown = [p for p in paths if p not in pages]
        if unknown:
            raise ValueError(f"no such page {unknown}; pages: {sorted(pages)}")
        return [pages[p] for p in paths]
    roles = {page.key: page.roles for page in PAGES}
    return [p for p in pages.values()
            if all(r in roles[p.key] for r in ANALYST_ROLES) and p.url_path != SCREEN_PAGE]


def rerun_request(page: PageId, query: str, widgets: list[WidgetState] = (), *,
                  known: bool = False) -> bytes:
    """A rerun_script BackMsg asking for ``page`` with ``query``, as Streamlit's frontend
    sends it: by URL path (page_name) while the session has not yet received the pages (a
    browser opening the address), by page_script_hash once it has (a navigation link, a
    rerun, a submitted form); ``widgets`` as a submitted form sends them."""
    msg = BackMsg()
    if known:
        msg.rerun_script.page_script_hash = page.script_hash
    else:
        msg.rerun_script.page_name = page.url_path
    msg.rerun_script.query_string = query
    msg.rerun_script.widget_states.widgets.extend(widgets)
    return msg.SerializeToString()


def has_heading(page: PageId, headings: list[str]) -> bool:
    """Whether the run drew ``page``'s heading: its title exactly, or (the screen) a title
    whose part before ' · ' (the year) is the scope's name and the heading ("乡镇" must
    not match the overview's "乡镇作战图…")."""
    if page.url_path == SCREEN_PAGE:
        return any(h.split(" · ")[0].endswith(page.heading) and " · " in h for h in headings)
    return any(h == page.heading for h in headings)


def failure_of(run: Run, page: PageId, *, form_expected: bool = False) -> str:
    """The kind of failure of ``run`` asked for ``page``, or "" when it drew that page.
    ``form_expected``: the run must draw the sign-in form (three widgets) instead."""
    if run.failure:
        return run.failure
    if run.exception:
        return "page_exception"
    if run.page_not_found or run.page_hash != page.script_hash:
        return "wrong_page"
    if form_expected:
        return "" if len(run.form) == 3 else "wrong_page"
    if run.form:
        return "sign_in_refused"
    return "" if has_heading(page, run.headings) else "wrong_page"


def failure_counts(samples: list[Sample]) -> dict:
    """Failures by kind, overall and per kind of session (every kind listed, 0 or not)."""
    report = {"total": sum(1 for s in samples if s.failed),
              "by_kind": {kind: 0 for kind in FAILURE_KINDS}}
    report["by_kind"].update(Counter(s.failure for s in samples if s.failed))
    for session in ("screen", "analyst"):
        counts = Counter(s.failure for s in samples if s.failed and s.kind == session)
        report[session] = dict(sorted(counts.items()))
    return report


def payload_problems(samples: list[Sample]) -> list[str]:
    """Why the pages' payloads do not show that each page was drawn: two different pages
    that sent the same content (a digest of the deltas) or, every time, the same number of
    bytes. Only the pages' own renders count (not the sign-in form, not failed requests)."""
    drawn = [s for s in samples if s.what in ("render", "sign_in") and not s.failed]
    digests: dict[str, set[str]] = {}
    sizes: dict[str, set[int]] = {}
    for s in drawn:
        digests.setdefault(s.digest, set()).add(s.page or "overview")
        sizes.setdefault(s.page or "overview", set()).add(s.sent_bytes)
    problems = [f"pages {sorted(pages)} sent the same content (digest {digest[:12]})"
                for digest, pages in digests.items() if len(pages) > 1]
    by_sizes: dict[frozenset, list[str]] = {}
    for page, page_sizes in sizes.items():
        by_sizes.setdefault(frozenset(page_sizes), []).append(page)
    problems += [f"pages {sorted(pages)} always sent the same {sorted(size)} bytes"
                 for size, pages in by_sizes.items() if len(pages) > 1]
    return problems


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the
    values at or below it (so the p95 of fewer than 20 values is their largest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def latency(samples: list[Sample]) -> dict:
    """requests, p50/p95/max seconds and failures of ``samples`` (a timed-out request counts
    at its timeout)."""
    times = [s.seconds for s in samples]
    return {"requests": len(times),
            "p50_s": round(statistics.median(times), 3),
            "p95_s": round(percentile(times, 0.95), 3),
            "max_s": round(max(times), 3),
            "errors": sum(1 for s in samples if s.failed)}


def latencies(results: list[Sample], what: str) -> dict:
    """latency() per kind of session and for all, of the samples that are ``what``."""
    report = {}
    for kind in ("screen", "analyst", "all"):
        chosen = [s for s in results if s.what == what and kind in ("all", s.kind)]
        if chosen:
            report[kind] = latency(chosen)
    return report


def goals(report: dict) -> list[dict]:
    """Issue 18's goal (and, with accounts, issue 15's), each figure and whether it is met.
    A figure not measured (no reruns; no RSS with --url) is not met."""
    rerun = report["rerun"].get("all")
    rss = report.get("server_rss_mb", {}).get("peak")
    errors = report["failures"]["total"]
    judged = [
        ("rerun p95 < 2 s", rerun and rerun["p95_s"], lambda v: v < GOAL["rerun_p95_s"]),
        ("rerun max < 5 s", rerun and rerun["max_s"], lambda v: v < GOAL["rerun_max_s"]),
        ("0 errors", errors, lambda v: v == 0),
        ("server RSS < 2 GB (peak, MB)", rss, lambda v: v < GOAL["server_rss_mb"]),
        ("different pages send different content", len(report["payload_problems"]),
         lambda v: v == 0),
    ]
    if report["mode"] == "accounts":
        sign_in = report["sign_in"].get("all")
        judged += [("sign-in p95 < 3 s (issue 15)", sign_in and sign_in["p95_s"],
                    lambda v: v < GOAL["sign_in_p95_s"]),
                   ("0 audit rows missing (issue 15)", report["audit"]["audit_rows_missing"],
                    lambda v: v == 0)]
    return [{"goal": name, "measured": value,
             "met": value is not None and bool(test(value))}
            for name, value, test in judged]


def summary(report: dict) -> tuple[int, list[str]]:
    """(exit code, lines for the terminal): 1 unless every request succeeded, the pages'
    contents differ and every goal is met."""
    lines = [f"goal {'met' if g['met'] else 'NOT MET'}: {g['goal']} — measured {g['measured']}"
             for g in report["goals"]]
    failures = report["failures"]
    if failures["total"]:
        kinds = ", ".join(f"{k} {n}" for k, n in failures["by_kind"].items() if n)
        lines.append(f"FAILED: {failures['total']} requests failed ({kinds})")
    lines += [f"FAILED: {problem}" for problem in report["payload_problems"]]
    ok = not failures["total"] and not report["payload_problems"] and all(
        g["met"] for g in report["goals"])
    lines.append("all requests succeeded and every goal is met" if ok else
                 "exit 1: see above")
    return (0 if ok else 1), lines


# ---------------------------------------------------------------- the protocol


def run_headings(element) -> list[str]:
    """Headings an element draws: an h1 (st.title), or the battle map's screen title."""
    kind = element.WhichOneof("type")
    if kind == "heading" and element.heading.tag == "h1":
        return [element.heading.body]
    if kind == "markdown":
        return BM_TITLE.findall(element.markdown.body)
    return []


def sign_in_widget(element) -> tuple[str, str] | None:
    """(role in the sign-in form, widget id) of an element of that form, else None."""
    kind = element.WhichOneof("type")
    if kind == "text_input" and element.text_input.form_id == SIGN_IN_FORM:
        key = element.text_input.id.rsplit("-", 1)[-1]
        return (SIGN_IN_FIELDS[key], element.text_input.id) if key in SIGN_IN_FIELDS else None
    if (kind == "button" and element.button.is_form_submitter
            and element.button.form_id == SIGN_IN_FORM):
        return "submit", element.button.id
    return None


def read_message(run: Run, raw: bytes) -> bool:
    """Fold one ForwardMsg into ``run``; whether it ends the request. Each script run begins
    with new_session, so what is kept (but the bytes and an exception) describes the last
    run: a run interrupted by st.rerun (a successful sign-in) is followed by the page's."""
    run.sent_bytes += len(raw)
    forward = ForwardMsg()
    forward.ParseFromString(raw)
    kind = forward.WhichOneof("type")
    if kind == "new_session":
        run.form.clear()
        run.headings.clear()
        run.page_hash, run.navigation, run.page_not_found = "", None, False
        run.hasher = hashlib.sha256()
    elif kind == "navigation":
        run.navigation = forward.navigation
        run.page_hash = forward.navigation.page_script_hash
    elif kind == "page_not_found":
        run.page_not_found = True
    elif kind == "delta":
        run.hasher.update(forward.delta.SerializeToString(deterministic=True))
        if forward.delta.WhichOneof("type") == "new_element":
            element = forward.delta.new_element
            run.exception |= element.WhichOneof("type") == "exception"
            run.headings += run_headings(element)
            widget = sign_in_widget(element)
            if widget:
                run.form[widget[0]] = widget[1]
    elif kind == "script_finished" and forward.script_finished in (
            ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
        run.exception |= forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR
        run.digest = run.hasher.hexdigest()
        return True
    return False


async def timed_run(ws, request: bytes, timeout: float) -> Run:
    """Send ``request`` and read until its script run ends: a timeout or a closed
    websocket give a failed Run (the session is then unusable)."""
    run = Run(0.0, started=time.perf_counter())

    async def read():
        await ws.send(request)
        while not read_message(run, await ws.recv()):
            pass

    try:
        await asyncio.wait_for(read(), timeout)
    except asyncio.TimeoutError:
        run.failure, run.detail = "timeout", f"no script_finished within {timeout:g} s"
    except websockets.ConnectionClosed as closed:
        run.failure, run.detail = "closed", str(closed)
    run.seconds = time.perf_counter() - run.started
    return run


def form_submission(form: dict[str, str], account: Account) -> list[WidgetState]:
    """The widget states a browser sends when the sign-in form is submitted: both text
    values and the submit button's trigger."""
    return [WidgetState(id=form["name"], string_value=account.name),
            WidgetState(id=form["password"], string_value=account.password),
            WidgetState(id=form["submit"], trigger_value=True)]


def connect(url: str, timeout: float):
    return websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                              open_timeout=timeout, proxy=None)


async def learn_pages(url: str, timeout: float) -> tuple[dict[str, PageId], float]:
    """(the app's pages from the navigation message of a first run of the main page, the
    seconds it took). With accounts the run draws the sign-in form: the navigation comes
    before it."""
    async with connect(url, timeout) as ws:
        main = PageId("", "", "", "overview", "")
        run = await timed_run(ws, rerun_request(main, ""), timeout)
    if run.failure or run.navigation is None:
        raise RuntimeError(f"no navigation message from the server: {run.failure or 'none sent'}"
                           f" {run.detail}")
    return page_ids(run.navigation), run.seconds


# ---------------------------------------------------------------- the sessions


class Session:
    """One browser tab: a websocket and whether the server has sent it the pages yet."""

    def __init__(self, url: str, timeout: float, kind: str, results: Samples):
        self.url, self.timeout, self.kind, self.results = url, timeout, kind, results
        self.ws = None
        self.known = False  # a navigation message received: ask for pages by hash

    async def open(self, page: PageId) -> bool:
        started = time.perf_counter()
        try:
            self.ws = await connect(self.url, self.timeout)
            self.known = False
            return True
        except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as error:
            run = Run(time.perf_counter() - started, started, "connection", detail=repr(error))
            self.results.add(self.kind, "connect", page.url_path, run, "connection")
            return False

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def request(self, what: str, page: PageId, query: str,
                      widgets: list[WidgetState] = (), form_expected: bool = False) -> Run:
        """Ask for ``page``, record the sample; a failed transport closes the session."""
        run = await timed_run(self.ws, rerun_request(page, query, widgets, known=self.known),
                              self.timeout)
        failure = failure_of(run, page, form_expected=form_expected)
        self.results.add(self.kind, what, page.url_path, run, failure)
        self.known |= run.navigation is not None
        if run.failure in ("timeout", "closed"):
            await self.close()
        run.failure = failure
        return run


async def guarded(session: Session, page: PageId, work) -> None:
    """Run a session's ``work``; an error of this script is counted, never hidden."""
    try:
        await work()
    except Exception as error:  # noqa: BLE001 — counted as client_error and reported
        run = Run(0.0, time.perf_counter(), detail=repr(error))
        session.results.add(session.kind, "render", page.url_path, run, "client_error")
    finally:
        await session.close()


async def screen(url: str, until: float, rotate: float, results: Samples, delay: float,
                 account: Account | None, page: PageId, timeout: float) -> None:
    await asyncio.sleep(delay)  # screens are switched on one after another, not all at once
    query = "kiosk=1" + (f"&token={account.token}" if account else "")
    session = Session(url, timeout, "screen", results)

    async def work():
        while time.time() < until:
            if session.ws is None:
                if not await session.open(page):
                    await asyncio.sleep(1)
                    continue
                first = True
            # a screen whose token was refused sees the password form: sign_in_refused
            run = await session.request("sign_in" if first and account else "render", page, query)
            first = False
            await asyncio.sleep(max(0.0, rotate - run.seconds))

    await guarded(session, page, work)


def analyst_click(rng: random.Random, pages: list[PageId], towns: list[str], years: list[int],
                  account: Account | None) -> tuple[PageId, str]:
    """(page, query string) of an analyst's next click: a township analyst filters on
    their own township when they filter, a county analyst on one of their county's."""
    page = rng.choice(pages)
    query = f"year={rng.choice(years)}"
    if rng.random() < 0.7:
        own = (account.township,) if account and account.township else (
            account.towns if account and account.towns else towns)
        town = rng.choice(own)
        query += "&township=" + quote(town)
    return page, query


async def analyst(url: str, until: float, pages: list[PageId], towns: list[str],
                  years: list[int], results: Samples, rng: random.Random,
                  think: tuple[float, float], clicks_per_session: int,
                  account: Account | None, timeout: float) -> None:
    await asyncio.sleep(rng.uniform(0, think[1]))
    session = Session(url, timeout, "analyst", results)

    async def work():
        while time.time() < until:
            page, query = analyst_click(rng, pages, towns, years, account)
            if not await session.open(page):
                await asyncio.sleep(1)
                continue
            if account:  # the sign-in form, then the signed-in page
                form = await session.request("form", page, query, form_expected=True)
                if form.failure:
                    await session.close()
                    continue
                run = await session.request("sign_in", page, query,
                                            form_submission(form.form, account))
                if run.failure == "sign_in_refused":
                    return  # a refused analyst stops: further sign-ins would meet the throttle
            for click in range(clicks_per_session):
                if session.ws is None:
                    break
                if click or not account:  # the sign-in already drew the first page
                    await session.request("render", page, query)
                await asyncio.sleep(rng.uniform(*think))
                if time.time() >= until:
                    return
                page, query = analyst_click(rng, pages, towns, years, account)
            await session.close()

    await guarded(session, pages[0], work)


# ---------------------------------------------------------------- accounts


def created_accounts(folder: Path, screens: int, analysts: int,
                     towns: list[tuple[str, str]]) -> tuple[list[Account], list[Account]]:
    """(screen accounts, analyst accounts) written to ``folder``/users.toml: one screen
    token per screen, one password account per analyst, county and township in turn (the
    county of the township dealt to it: in a province's data, analysts of many counties)."""
    users = folder / "users.toml"
    screen_accounts = [Account(f"screen{i:02d}", "screen",
                               token=accounts.add_screen(f"screen{i:02d}", path=users))
                       for i in range(screens)]
    analyst_accounts = []
    for i in range(analysts):
        name, password = f"analyst{i:02d}", secrets.token_urlsafe(12)
        code, town = towns[i * len(towns) // analysts]  # spread over the counties
        if i % 2 == 0:  # a county account is its county's (issue 18, point 1)
            county = county_of(code)
            accounts.add_user(name, password, "county", path=users, counties=[county])
            analyst_accounts.append(Account(name, "county", password, towns=tuple(
                n for c, n in towns if county_of(c) == county)))
        else:
            accounts.add_user(name, password, "township", [code], path=users)
            analyst_accounts.append(Account(name, "township", password, township=town))
    return screen_accounts, analyst_accounts


def server_env(folder: Path) -> dict[str, str]:
    """The server's environment for a temporary set of accounts in ``folder``."""
    return {"TONGWEI_USERS": str(folder / "users.toml"),
            "TONGWEI_AUDIT": str(folder / "audit.duckdb"),
            "TONGWEI_SESSION_SECRET_FILE": str(folder / "session_secret")}


def audit_check(folder: Path, results: Samples) -> dict:
    """Sign-ins done against the audit file's sign_in rows (and any sign_in_failed)."""
    rows = audit.recent(limit=1_000_000, path=folder / "audit.duckdb")
    signed_in = rows[rows["action"] == "sign_in"]
    done = sum(1 for s in results if s.what == "sign_in" and not s.failed)
    return {"sign_ins_done": done,
            "sign_in_rows": len(signed_in),
            "sign_in_rows_by_detail": {str(k): int(v) for k, v in
                                       signed_in["detail"].value_counts().items()},
            "sign_in_failed_rows": int((rows["action"] == "sign_in_failed").sum()),
            "audit_rows_missing": max(0, done - len(signed_in))}


# ---------------------------------------------------------------- the report


def tree_processes(pid: int) -> list[psutil.Process]:
    process = psutil.Process(pid)
    return [process, *process.children(recursive=True)]


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of the server's process tree, MB. Summed RSS counts the pages processes
    share (the Python and DuckDB libraries) once per process; PSS shares them out, so its
    sum is what the tree takes together (the same as RSS for one process, give or take
    the launcher's and HAProxy's few MB)."""
    rss = pss = 0
    for p in tree_processes(pid):
        try:
            info = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss, pss = rss + info.rss, pss + info.pss
    return rss / 1e6, pss / 1e6


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of the server's process tree so far."""
    total = 0.0
    for p in tree_processes(pid):
        try:
            times = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def page_report(results: list[Sample]) -> dict:
    """Per page: requests, failures, p50/p95/max seconds (renders and sign-ins), kilobytes
    sent by its successful ones (median, min, max) and how many distinct contents (filters
    differ, so a page has many)."""
    report = {}
    for page in sorted({s.page for s in results if s.what in ("render", "sign_in")}):
        mine = [s for s in results if s.page == page and s.what in ("render", "sign_in")]
        drawn = [s for s in mine if not s.failed]
        entry = {"requests": len(mine), "failed": len(mine) - len(drawn)}
        entry |= {k: v for k, v in latency(mine).items() if k.endswith("_s")}
        if drawn:
            kb = [s.sent_bytes / 1e3 for s in drawn]
            entry |= {"kb_median": round(statistics.median(kb), 1), "kb_min": round(min(kb), 1),
                      "kb_max": round(max(kb), 1), "contents": len({s.digest for s in drawn})}
        report[page or "overview"] = entry
    return report


def slowest(results: list[Sample], count: int = 10) -> list[dict]:
    """The ``count`` slowest requests, with when in the run they were sent."""
    chosen = sorted(results, key=lambda s: s.seconds, reverse=True)[:count]
    return [{"kind": s.kind, "what": s.what, "page": s.page or "overview", "at_s": s.at_s,
             "seconds": round(s.seconds, 3), "failure": s.failure} for s in chosen]


async def drive(base: str, pid: int | None, args, towns, years,
                screen_accounts: list[Account], analyst_accounts: list[Account]) -> Samples:
    """Learn the pages, run every session until --seconds are over; the samples, and the
    server's memory and CPU and the pages into ``args``."""
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    pages, args.discovery_s = await learn_pages(url, args.timeout)
    args.pages_learned = {p.label: p.script_hash for p in pages.values()}
    chosen = analyst_pages(pages, args.pages)
    args.analyst_pages = [p.label for p in chosen]
    until = time.time() + args.seconds
    results = Samples()
    rng = random.Random(args.seed)
    cpu_start = tree_cpu_s(pid) if pid else None
    client_start = time.process_time()

    async def sample():
        while time.time() < until:
            args.memory_mb.append(tree_memory_mb(pid))
            await asyncio.sleep(2)
        args.memory_mb.append(tree_memory_mb(pid))

    tasks = [sample()] if pid else []
    tasks += [screen(url, until, args.rotate, results, rng.uniform(0, args.rotate),
                     screen_accounts[i] if screen_accounts else None, pages[SCREEN_PAGE],
                     args.timeout)
              for i in range(args.screens)]
    tasks += [analyst(url, until, chosen, [name for _, name in towns], years, results,
                      random.Random(rng.random()), (args.think_min, args.think_max),
                      args.clicks_per_session,
                      analyst_accounts[i] if analyst_accounts else None, args.timeout)
              for i in range(args.analysts)]
    await asyncio.gather(*tasks)
    args.client_cpu_s = time.process_time() - client_start
    if pid:
        args.cpu_s = tree_cpu_s(pid) - cpu_start
    return results


def report_of(args, results: Samples, audited: dict | None) -> dict:
    report = {"date": args.started_at, "mode": "accounts" if args.accounts else "open",
              "sessions": {"screens": args.screens, "analysts": args.analysts},
              "server_processes": None if args.url else args.processes,
              "seconds": args.seconds, "rotate_s": args.rotate,
              "think_s": [args.think_min, args.think_max],
              "clicks_per_session": args.clicks_per_session, "request_timeout_s": args.timeout,
              "database": str(args.db),
              "load_average_before": args.load_before,
              "load_average_after": [round(x, 2) for x in os.getloadavg()],
              "pages_learned": args.pages_learned, "analyst_pages": args.analyst_pages,
              "discovery_s": round(args.discovery_s, 3)}
    report["rerun"] = latencies(results, "render")
    if args.accounts:
        report["sign_in"] = latencies(results, "sign_in")
        report["form"] = latencies(results, "form")
        report["audit"] = audited
    warm = [s for s in results if s.at_s >= args.warm_up]
    report["after_warm_up"] = {"from_s": args.warm_up, "rerun": latencies(warm, "render")}
    if args.accounts:
        report["after_warm_up"]["sign_in"] = latencies(warm, "sign_in")
    report["failures"] = failure_counts(results)
    report["failure_examples"] = [
        {"kind": s.kind, "what": s.what, "page": s.page or "overview", "at_s": s.at_s,
         "failure": s.failure, "detail": s.detail[:300]} for s in results if s.failed][:20]
    report["pages"] = page_report(results)
    report["payload_problems"] = payload_problems(results)
    report["slowest"] = slowest(results)
    if args.memory_mb:
        for key, i in (("server_rss_mb", 0), ("server_pss_mb", 1)):
            memory = [m[i] for m in args.memory_mb]
            report[key] = {"start": round(memory[0], 1), "peak": round(max(memory), 1),
                           "end": round(memory[-1], 1)}
    if args.cpu_s is not None:
        report["server_cpu_s"] = round(args.cpu_s, 1)
    # this script's own CPU (parsing every message): the client is not what is slow
    report["client_cpu_s"] = round(args.client_cpu_s, 1)
    report["goals"] = goals(report)
    return report


def parsed_args(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "tongwei.duckdb")
    parser.add_argument("--url", help="an already running server on loopback (open mode; "
                                      "its memory is not measured, so that goal is not met)")
    parser.add_argument("--processes", type=int, default=1,
                        help="Streamlit processes behind HAProxy (scripts/serve.py); memory "
                             "and CPU are those of all of them and HAProxy")
    parser.add_argument("--accounts", action="store_true",
                        help="start the server with temporary accounts; every session signs in")
    parser.add_argument("--screens", type=int, default=20)
    parser.add_argument("--analysts", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--timeout", type=float, default=30,
                        help="seconds a request (or opening a websocket) may take before it "
                             "counts as a timeout")
    parser.add_argument("--rotate", type=float, default=30,
                        help="seconds between a screen's reruns (the screen's default is 30)")
    parser.add_argument("--think-min", type=float, default=3.0,
                        help="an analyst's shortest pause between clicks, seconds")
    parser.add_argument("--think-max", type=float, default=8.0)
    parser.add_argument("--clicks-per-session", type=int,
                        help="an analyst's clicks before a new session (and a new sign-in); "
                             "default 1 in open mode, 5 with --accounts")
    parser.add_argument("--pages", nargs="+",
                        help="URL paths the analysts open (overview for the main page); "
                             "default: every page both analyst roles may open")
    parser.add_argument("--warm-up", type=float, default=15,
                        help="also report the requests sent after this many seconds apart "
                             "(the server's first runs import modules and fill caches)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.screens + args.analysts > MAX_SESSIONS or args.seconds > 3600:
        parser.error(f"at most {MAX_SESSIONS} sessions and 3600 seconds")
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    if args.url and urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the load test only runs against loopback")
    if args.url and args.accounts:
        parser.error("--accounts starts its own server with its own accounts: no --url")
    if args.clicks_per_session is None:
        args.clicks_per_session = 5 if args.accounts else 1
    args.memory_mb, args.cpu_s, args.client_cpu_s = [], None, 0.0
    args.load_before = [round(x, 2) for x in os.getloadavg()]
    args.started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return args


def towns_and_years(db: Path) -> tuple[list[tuple[str, str]], list[int]]:
    """((code, name) of every township, every year with data) of the database."""
    store = Store(db)
    towns = list(store.query("townships")[["township_code", "name"]].itertuples(index=False,
                                                                                name=None))
    meta = store.meta()
    store.close()
    return towns, list(range(int(meta["first_year"]), int(meta["last_year"]) + 1))


def main(argv=None) -> int:
    args = parsed_args(argv)
    towns, years = towns_and_years(args.db)
    log = ROOT / "bench" / "results" / "load_server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    audited = None
    if args.url:
        results = asyncio.run(drive(args.url.rstrip("/"), None, args, towns, years, [], []))
    elif args.accounts:
        with tempfile.TemporaryDirectory(prefix="load_accounts_") as tmp:
            folder = Path(tmp)
            screens, analysts = created_accounts(folder, args.screens, args.analysts, towns)
            with running_server(args.db.resolve(), log, server_env(folder),
                                args.processes) as (base, process):
                results = asyncio.run(drive(base, process.pid, args, towns, years,
                                            screens, analysts))
            audited = audit_check(folder, results)  # the server has stopped: all rows written
    else:
        with running_server(args.db.resolve(), log, processes=args.processes) as (base, process):
            results = asyncio.run(drive(base, process.pid, args, towns, years, [], []))
    report = report_of(args, results, audited)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    code, lines = summary(report)
    print("\n".join(lines), file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
