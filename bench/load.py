"""Load test: many concurrent dashboard sessions on one server, over Streamlit's own protocol.

    python bench/load.py --db data/tongwei.duckdb --screens 20 --analysts 10 --seconds 120
    python bench/load.py --db data/tongwei.duckdb --screens 20 --analysts 10 --seconds 120 --accounts

Starts a Streamlit server on loopback (or uses --url, which must be loopback), then runs
for --seconds: each *screen* keeps one session on /battle_map and reruns it every
--rotate seconds, like the meeting-room screen; each *analyst* repeatedly opens a page
(overview, townships, relapse or income) for a random year and township, with
--think-min to --think-max seconds of thinking between clicks, in a new session every
--clicks-per-session clicks. A page is opened by its URL path (the rerun request's
page_name), as a browser opening /townships does. A render is timed from the rerun
request to the server's last script_finished message of that request.

--accounts: the server gets its own temporary users file, audit file and session key.
Each screen signs in with its own screen token (/battle_map?token=…), each analyst with
its own account (county and township analysts in turn) through the password form, as a
browser submits it. A sign-in is timed from the request that carries the token or the
submitted form to the script_finished of the signed-in page, and reported apart from the
reruns. After the run, every sign-in must have its sign_in row in the audit file.
The goal (issue 15) is judged on every request; the requests sent after --warm-up
seconds are also reported apart, and the slowest requests with when they were sent.

Reports p50/p95/max per kind of session, errors, the bytes each page sent (different
pages must differ), the server's memory (RSS of its process tree) and CPU time. Bounded
in time and in the number of sessions; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
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
from analytics.store import Store  # noqa: E402
from tests.browser.server import running_server  # noqa: E402

ANALYST_PAGES = ["", "townships", "relapse", "income"]  # URL paths; "" is the overview
MAX_SESSIONS = 200
RUN_TIMEOUT_S = 120  # a request unanswered this long counts as an error
SIGN_IN_FORM = "sign_in"  # ui/signin.py: st.form("sign_in") with these two text inputs
SIGN_IN_FIELDS = {"signin_name": "name", "signin_password": "password"}
GOAL = {"rerun_p95_s": 2.0, "sign_in_p95_s": 3.0}  # issue 15: errors and missing rows 0


@dataclass
class Account:
    """Who a session signs in as: an analyst's name and password, or a screen's token."""
    name: str
    role: str
    password: str = ""
    token: str = ""
    township: str = ""  # a township analyst's township (its name, as the filter takes it)


@dataclass
class Sample:
    kind: str        # "screen" or "analyst"
    what: str        # "render" (a rerun of a signed-in or open page), "sign_in" or "form"
    page: str
    seconds: float
    failed: bool
    sent_bytes: int
    at_s: float = 0.0  # when the request was sent, seconds after the first session began


@dataclass
class Run:
    """What the server sent back for one rerun request (up to its last script_finished)."""
    seconds: float
    started: float = 0.0  # time.perf_counter() when the request was sent
    exception: bool = False
    sent_bytes: int = 0
    form: dict[str, str] = field(default_factory=dict)  # sign-in widget ids, when drawn


class Samples(list):
    """The samples of a load test, and when it began."""

    def __init__(self):
        super().__init__()
        self.began = time.perf_counter()

    def add(self, kind: str, what: str, page: str, run: Run, failed: bool) -> None:
        self.append(Sample(kind, what, page, run.seconds, failed, run.sent_bytes,
                           round(run.started - self.began, 1)))


# ---------------------------------------------------------------- the protocol


def rerun_request(page: str, query: str, widgets: list[WidgetState] = ()) -> bytes:
    """A rerun_script BackMsg opening ``page`` (its URL path) with ``query``, as the
    browser sends it for an address; ``widgets`` as a submitted form sends them."""
    msg = BackMsg()
    msg.rerun_script.page_name = page
    msg.rerun_script.query_string = query
    msg.rerun_script.widget_states.widgets.extend(widgets)
    return msg.SerializeToString()


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


async def script_run(ws, request: bytes) -> Run:
    """Send ``request`` and read until its script run ends: a run interrupted by st.rerun
    (a successful sign-in) is followed by the run that draws the page; each run begins
    with new_session, so what is kept describes the last run only."""
    started = time.perf_counter()
    await ws.send(request)
    run = Run(0.0, started=started)
    while True:
        raw = await ws.recv()
        run.sent_bytes += len(raw)
        forward = ForwardMsg()
        forward.ParseFromString(raw)
        kind = forward.WhichOneof("type")
        if kind == "new_session":
            run.form.clear()
        elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
            element = forward.delta.new_element
            run.exception |= element.WhichOneof("type") == "exception"
            widget = sign_in_widget(element)
            if widget:
                run.form[widget[0]] = widget[1]
        elif kind == "script_finished" and forward.script_finished in (
                ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
            run.seconds = time.perf_counter() - started
            return run


async def timed_run(ws, request: bytes) -> Run:
    """script_run, or a failed Run when the server does not answer in RUN_TIMEOUT_S."""
    try:
        return await asyncio.wait_for(script_run(ws, request), RUN_TIMEOUT_S)
    except asyncio.TimeoutError:
        return Run(RUN_TIMEOUT_S, time.perf_counter() - RUN_TIMEOUT_S, exception=True)


def form_submission(form: dict[str, str], account: Account) -> list[WidgetState]:
    """The widget states a browser sends when the sign-in form is submitted: both text
    values and the submit button's trigger."""
    return [WidgetState(id=form["name"], string_value=account.name),
            WidgetState(id=form["password"], string_value=account.password),
            WidgetState(id=form["submit"], trigger_value=True)]


def connect(url: str):
    return websockets.connect(url, subprotocols=["streamlit"], max_size=None)


# ---------------------------------------------------------------- the sessions


async def screen(url: str, until: float, rotate: float, results: Samples, delay: float,
                 account: Account | None) -> None:
    await asyncio.sleep(delay)  # screens are switched on one after another, not all at once
    query = "kiosk=1" + (f"&token={account.token}" if account else "")
    async with connect(url) as ws:
        first = True
        while time.time() < until:
            run = await timed_run(ws, rerun_request("battle_map", query))
            what = "sign_in" if first and account else "render"
            # a screen whose token was refused sees the password form instead
            results.add("screen", what, "battle_map", run, run.exception or bool(run.form))
            first = False
            await asyncio.sleep(max(0.0, rotate - run.seconds))


def analyst_click(rng: random.Random, towns: list[str], years: list[int],
                  account: Account | None) -> tuple[str, str]:
    """(page, query string) of an analyst's next click: a township analyst filters on
    their own township when they filter."""
    page = rng.choice(ANALYST_PAGES)
    query = f"year={rng.choice(years)}"
    if rng.random() < 0.7:
        town = account.township if account and account.township else rng.choice(towns)
        query += "&township=" + quote(town)
    return page, query


async def signed_in_session(ws, page: str, query: str, account: Account,
                            results: Samples) -> bool:
    """Open ``page`` in a new session, fill in and submit the sign-in form; whether the
    signed-in page came back. Records the form's render and the sign-in."""
    form = await timed_run(ws, rerun_request(page, query))
    results.add("analyst", "form", page, form, form.exception or len(form.form) != 3)
    if len(form.form) != 3:
        return False
    run = await timed_run(ws, rerun_request(page, query, form_submission(form.form, account)))
    failed = run.exception or bool(run.form)  # the form again: the sign-in was refused
    results.add("analyst", "sign_in", page, run, failed)
    return not failed


async def analyst(url: str, until: float, towns: list[str], years: list[int],
                  results: Samples, rng: random.Random, think: tuple[float, float],
                  clicks_per_session: int, account: Account | None) -> None:
    await asyncio.sleep(rng.uniform(0, think[1]))
    while time.time() < until:
        async with connect(url) as ws:
            page, query = analyst_click(rng, towns, years, account)
            if account and not await signed_in_session(ws, page, query, account, results):
                return  # a refused analyst stops: further sign-ins would meet the throttle
            for click in range(clicks_per_session):
                if click or not account:  # the sign-in already drew the first page
                    run = await timed_run(ws, rerun_request(page, query))
                    results.add("analyst", "render", page, run, run.exception or bool(run.form))
                await asyncio.sleep(rng.uniform(*think))
                if time.time() >= until:
                    return
                page, query = analyst_click(rng, towns, years, account)


# ---------------------------------------------------------------- accounts


def created_accounts(folder: Path, screens: int, analysts: int,
                     towns: list[tuple[str, str]]) -> tuple[list[Account], list[Account]]:
    """(screen accounts, analyst accounts) written to ``folder``/users.toml: one screen
    token per screen, one password account per analyst, county and township in turn."""
    users = folder / "users.toml"
    screen_accounts = [Account(f"screen{i:02d}", "screen",
                               token=accounts.add_screen(f"screen{i:02d}", path=users))
                       for i in range(screens)]
    analyst_accounts = []
    for i in range(analysts):
        name, password = f"analyst{i:02d}", secrets.token_urlsafe(12)
        code, town = towns[i % len(towns)]
        if i % 2 == 0:
            accounts.add_user(name, password, "county", path=users)
            analyst_accounts.append(Account(name, "county", password))
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


def tree_rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    return (process.memory_info().rss + sum(c.memory_info().rss for c in
                                            process.children(recursive=True))) / 1e6


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of the server's process tree so far."""
    process = psutil.Process(pid)
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        times = p.cpu_times()
        total += times.user + times.system
    return total


def latency(samples: list[Sample]) -> dict:
    """renders, p50/p95/max seconds and errors of ``samples`` (p95: the nearest rank, so
    the largest of fewer than 20)."""
    times = sorted(s.seconds for s in samples)
    return {"renders": len(times),
            "p50_s": round(statistics.median(times), 3),
            "p95_s": round(times[math.ceil(0.95 * len(times)) - 1], 3),
            "max_s": round(times[-1], 3),
            "errors": sum(1 for s in samples if s.failed)}


def latencies(results: Samples, what: str) -> dict:
    """latency() per kind of session and for all, of the samples that are ``what``."""
    report = {}
    for kind in ("screen", "analyst", "all"):
        chosen = [s for s in results if s.what == what and kind in ("all", s.kind)]
        if chosen:
            report[kind] = latency(chosen)
    return report


def page_kilobytes(results: Samples) -> dict:
    """Median kilobytes a signed-in or open page sent, per page: pages that differ in
    content differ here (the check that each page, not the overview, was drawn)."""
    pages = sorted({s.page for s in results if s.what != "form"})
    return {page or "overview": round(statistics.median(
        s.sent_bytes for s in results if s.page == page and s.what != "form") / 1e3, 1)
        for page in pages}


def slowest(results: Samples, count: int = 10) -> list[dict]:
    """The ``count`` slowest requests, with when in the run they were sent."""
    chosen = sorted(results, key=lambda s: s.seconds, reverse=True)[:count]
    return [{"kind": s.kind, "what": s.what, "page": s.page or "overview", "at_s": s.at_s,
             "seconds": round(s.seconds, 3)} for s in chosen]


def goal(report: dict) -> dict:
    """Issue 15's goal with accounts: each figure and whether it is met."""
    rerun_p95 = report["rerun"]["all"]["p95_s"]
    sign_in_p95 = report["sign_in"]["all"]["p95_s"]
    errors = sum(v["errors"] for part in ("rerun", "sign_in", "form")
                 for k, v in report.get(part, {}).items() if k != "all")
    missing = report["audit"]["audit_rows_missing"]
    return {"rerun_p95_s": rerun_p95, "sign_in_p95_s": sign_in_p95, "errors": errors,
            "audit_rows_missing": missing,
            "met": (rerun_p95 < GOAL["rerun_p95_s"] and sign_in_p95 < GOAL["sign_in_p95_s"]
                    and errors == 0 and missing == 0)}


async def drive(base: str, pid: int | None, args, towns, years,
                screen_accounts: list[Account], analyst_accounts: list[Account]) -> list[Sample]:
    """Run every session until --seconds are over; the samples, and the server's memory
    and CPU into ``args`` (memory_mb, cpu_s)."""
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    until = time.time() + args.seconds
    results = Samples()
    rng = random.Random(args.seed)
    cpu_start = tree_cpu_s(pid) if pid else None

    async def sample():
        while time.time() < until:
            if pid:
                args.memory_mb.append(tree_rss_mb(pid))
            await asyncio.sleep(2)

    tasks = [screen(url, until, args.rotate, results, rng.uniform(0, args.rotate),
                    screen_accounts[i] if screen_accounts else None)
             for i in range(args.screens)]
    tasks += [analyst(url, until, [name for _, name in towns], years, results,
                      random.Random(rng.random()), (args.think_min, args.think_max),
                      args.clicks_per_session,
                      analyst_accounts[i] if analyst_accounts else None)
              for i in range(args.analysts)]
    await asyncio.gather(sample(), *tasks)
    if pid:
        args.cpu_s = tree_cpu_s(pid) - cpu_start
    return results


def report_of(args, results: Samples, audited: dict | None) -> dict:
    report = {"mode": "accounts" if args.accounts else "open",
              "sessions": {"screens": args.screens, "analysts": args.analysts},
              "seconds": args.seconds, "rotate_s": args.rotate,
              "think_s": [args.think_min, args.think_max],
              "clicks_per_session": args.clicks_per_session, "database": str(args.db),
              "load_average_before": args.load_before,
              "load_average_after": [round(x, 2) for x in os.getloadavg()]}
    report["rerun"] = latencies(results, "render")
    if args.accounts:
        report["sign_in"] = latencies(results, "sign_in")
        report["form"] = latencies(results, "form")
        report["audit"] = audited
    warm = Samples()
    warm.extend(s for s in results if s.at_s >= args.warm_up)
    report["after_warm_up"] = {"from_s": args.warm_up, "rerun": latencies(warm, "render")}
    if args.accounts:
        report["after_warm_up"]["sign_in"] = latencies(warm, "sign_in")
    report["page_kb"] = page_kilobytes(results)
    report["slowest"] = slowest(results)
    if args.memory_mb:
        memory = args.memory_mb
        report["server_rss_mb"] = {"start": round(memory[0], 1), "peak": round(max(memory), 1),
                                   "end": round(memory[-1], 1)}
    if args.cpu_s is not None:
        report["server_cpu_s"] = round(args.cpu_s, 1)
    if args.accounts and report["rerun"] and report["sign_in"]:
        report["goal"] = goal(report)
    return report


def parsed_args(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "tongwei.duckdb")
    parser.add_argument("--url", help="an already running server on loopback (open mode)")
    parser.add_argument("--accounts", action="store_true",
                        help="start the server with temporary accounts; every session signs in")
    parser.add_argument("--screens", type=int, default=20)
    parser.add_argument("--analysts", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--rotate", type=float, default=30,
                        help="seconds between a screen's reruns (the screen's default is 30)")
    parser.add_argument("--think-min", type=float, default=3.0,
                        help="an analyst's shortest pause between clicks, seconds")
    parser.add_argument("--think-max", type=float, default=8.0)
    parser.add_argument("--clicks-per-session", type=int,
                        help="an analyst's clicks before a new session (and a new sign-in); "
                             "default 1 in open mode, 5 with --accounts")
    parser.add_argument("--warm-up", type=float, default=15,
                        help="also report the requests sent after this many seconds apart "
                             "(the server's first runs import modules and fill caches)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.screens + args.analysts > MAX_SESSIONS or args.seconds > 3600:
        parser.error(f"at most {MAX_SESSIONS} sessions and 3600 seconds")
    if args.url and urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the load test only runs against loopback")
    if args.url and args.accounts:
        parser.error("--accounts starts its own server with its own accounts: no --url")
    if args.clicks_per_session is None:
        args.clicks_per_session = 5 if args.accounts else 1
    args.memory_mb, args.cpu_s = [], None
    args.load_before = [round(x, 2) for x in os.getloadavg()]
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
            with running_server(args.db.resolve(), log, server_env(folder)) as (base, process):
                results = asyncio.run(drive(base, process.pid, args, towns, years,
                                            screens, analysts))
            audited = audit_check(folder, results)  # the server has stopped: all rows written
    else:
        with running_server(args.db.resolve(), log) as (base, process):
            results = asyncio.run(drive(base, process.pid, args, towns, years, [], []))
    report = report_of(args, results, audited)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
