"""Server-side render time of every page (AppTest), cold and warm, and its query count.

    python bench/pages.py --db data/tongwei.duckdb [--runs 5] [--json out.json]

cold = the first run in a fresh session after clearing Streamlit's caches (every
query runs); warm = later runs of the same page in another fresh session (results
come from the cache, as for the second viewer of a page). Queries = SQL statements
the page ran against the store on the cold run. RSS = this process's resident memory
after the page's runs (every page so far rendered, caches warm), and its peak.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {
    "总览": None,
    "乡镇": "pages/townships.py",
    "返贫监测": "pages/relapse.py",
    "收入": "pages/income.py",
    "帮扶措施": "pages/assistance.py",
    "保障与设施": "pages/guarantees.py",
    "回头看": "pages/review.py",
    "数据": "pages/data.py",
    "挂图作战": "pages/battle_map.py",
}


def rss_mb() -> float:
    """Resident memory of this process now, MB (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def render(page: str | None, store) -> tuple[float, int]:
    """Seconds and store queries of one run of ``page`` in a fresh session."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if page:
        at.run()
        at.switch_page(page)
    before = store.queries_run
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
    return elapsed, store.queries_run - before


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "tongwei.duckdb")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES),
                        help="only these pages (by their Chinese names)")
    args = parser.parse_args(argv)
    os.environ["TONGWEI_DB"] = str(args.db.resolve())
    import streamlit as st

    from ui import data

    results = []
    store = data.get_store()
    for name, page in PAGES.items():
        if name not in args.pages:
            continue
        st.cache_data.clear()
        cold, queries = render(page, store)
        warm = [render(page, store)[0] for _ in range(args.runs)]
        results.append({"page": name, "cold_s": round(cold, 3),
                        "warm_median_s": round(statistics.median(warm), 3),
                        "warm_max_s": round(max(warm), 3), "queries_cold": queries,
                        "rss_mb": round(rss_mb())})
    width = max(len(r["page"]) for r in results)
    print(f"database: {args.db} ({args.db.stat().st_size / 1e6:,.0f} MB)")
    print(f"{'page':{width}}  cold s  warm median s  warm max s  queries  RSS MB")
    for r in results:
        print(f"{r['page']:{width}}  {r['cold_s']:6.3f}  {r['warm_median_s']:13.3f}  "
              f"{r['warm_max_s']:10.3f}  {r['queries_cold']:7d}  {r['rss_mb']:6,.0f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
