"""Load test: many concurrent dashboard sessions on one server, over Streamlit's own protocol.

    python bench/load.py --db data/tongwei.duckdb --screens 20 --analysts 10 --seconds 120

Starts a Streamlit server on loopback (or uses --url, which must be loopback), then runs
for --seconds: each *screen* keeps one session on /battle_map and reruns it every
--rotate seconds, like the meeting-room screen; each *analyst* repeatedly opens a page
(overview, townships, relapse or income) for a random year and township, in a new
session, with --think-min to --think-max seconds of thinking between clicks. A render is timed from the rerun
request to the server's script_finished message. Reports p50/p95/max per kind of
session, errors, and the server's memory (RSS of its process tree). Bounded in time
and in the number of sessions; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import psutil
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from analytics.store import Store  # noqa: E402
from tests.browser.server import running_server  # noqa: E402

ANALYST_PAGES = ["", "townships", "relapse", "income"]
MAX_SESSIONS = 200


async def render(ws, query_string: str, page: str, pages: dict) -> tuple[float, bool]:
    """Seconds from the rerun request to script_finished, and whether an exception showed."""
    msg = BackMsg()
    msg.rerun_script.query_string = query_string
    if page in pages:
        msg.rerun_script.page_script_hash = pages[page]
    started = time.perf_counter()
    await ws.send(msg.SerializeToString())
    failed = False
    while True:
        forward = ForwardMsg()
        forward.ParseFromString(await ws.recv())
        kind = forward.WhichOneof("type")
        if kind == "new_session":
            pages.update({p.url_pathname: p.page_script_hash for p in forward.new_session.app_pages})
        elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
            failed |= forward.delta.new_element.WhichOneof("type") == "exception"
        elif kind == "script_finished":
            return time.perf_counter() - started, failed


async def screen(url: str, until: float, rotate: float, results: list, pages: dict,
                 delay: float) -> None:
    await asyncio.sleep(delay)  # screens are switched on one after another, not all at once
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        await render(ws, "", "", pages)  # learn the page hashes
        while time.time() < until:
            seconds, failed = await render(ws, "kiosk=1", "battle_map", pages)
            results.append(("screen", seconds, failed))
            await asyncio.sleep(max(0.0, rotate - seconds))


async def analyst(url: str, until: float, towns: list[str], years: list[int], results: list,
                  pages: dict, rng: random.Random, think: tuple[float, float]) -> None:
    await asyncio.sleep(rng.uniform(0, think[1]))
    while time.time() < until:
        page = rng.choice(ANALYST_PAGES)
        query = f"year={rng.choice(years)}"
        if rng.random() < 0.7:
            query += "&township=" + quote(rng.choice(towns))
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            if page and page not in pages:
                await render(ws, "", "", pages)
            seconds, failed = await render(ws, query, page, pages)
        results.append(("analyst", seconds, failed))
        await asyncio.sleep(rng.uniform(*think))


def tree_rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    return (process.memory_info().rss + sum(c.memory_info().rss for c in
                                            process.children(recursive=True))) / 1e6


async def drive(base: str, pid: int | None, args, towns, years) -> dict:
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    until = time.time() + args.seconds
    results: list = []
    pages: dict = {}
    memory: list[float] = []
    rng = random.Random(args.seed)

    async def sample():
        while time.time() < until:
            if pid:
                memory.append(tree_rss_mb(pid))
            await asyncio.sleep(2)

    tasks = [screen(url, until, args.rotate, results, pages, rng.uniform(0, args.rotate))
             for _ in range(args.screens)]
    tasks += [analyst(url, until, towns, years, results, pages, random.Random(rng.random()),
                      (args.think_min, args.think_max))
              for _ in range(args.analysts)]
    await asyncio.gather(sample(), *tasks)
    report = {"sessions": {"screens": args.screens, "analysts": args.analysts},
              "seconds": args.seconds, "rotate_s": args.rotate,
              "think_s": [args.think_min, args.think_max], "database": str(args.db)}
    for kind in ("screen", "analyst", None):
        times = sorted(s for k, s, _ in results if kind is None or k == kind)
        if not times:
            continue
        key = kind or "all"
        report[key] = {
            "renders": len(times),
            "p50_s": round(statistics.median(times), 3),
            "p95_s": round(times[int(0.95 * (len(times) - 1))], 3),
            "max_s": round(times[-1], 3),
            "errors": sum(1 for k, _, failed in results if failed and (kind is None or k == kind)),
        }
    if memory:
        report["server_rss_mb"] = {"start": round(memory[0], 1), "peak": round(max(memory), 1),
                                   "end": round(memory[-1], 1)}
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "tongwei.duckdb")
    parser.add_argument("--url", help="an already running server on loopback")
    parser.add_argument("--screens", type=int, default=20)
    parser.add_argument("--analysts", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--rotate", type=float, default=30,
                        help="seconds between a screen's reruns (the screen's default is 30)")
    parser.add_argument("--think-min", type=float, default=3.0,
                        help="an analyst's shortest pause between clicks, seconds")
    parser.add_argument("--think-max", type=float, default=8.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.screens + args.analysts > MAX_SESSIONS or args.seconds > 3600:
        parser.error(f"at most {MAX_SESSIONS} sessions and 3600 seconds")
    store = Store(args.db)
    towns = list(store.query("townships")["name"])
    meta = store.meta()
    years = list(range(int(meta["first_year"]), int(meta["last_year"]) + 1))
    store.close()
    if args.url:
        if urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error("the load test only runs against loopback")
        report = asyncio.run(drive(args.url.rstrip("/"), None, args, towns, years))
    else:
        log = ROOT / "bench" / "results" / "load_server.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with running_server(args.db.resolve(), log) as (base, process):
            report = asyncio.run(drive(base, process.pid, args, towns, years))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
