"""Soak test of the battle-map screen: a real browser left on it, server memory sampled.

    python bench/soak.py --db data/tongwei.duckdb --minutes 30 --rotate 5

Starts a Streamlit server on loopback, opens /battle_map?kiosk=1&rotate=N in headless
Chromium (every request outside the server is refused), and samples the server's
resident memory (RSS of its process tree) every --sample seconds. Reports the memory
after warm-up, at the end and at its peak, the trend in MB per hour over the second
half, and how many panel changes the screen went through.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.server import (CHROMIUM, CHROMIUM_ARGS, refuse_outside,  # noqa: E402
                                  running_server)


def tree_rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 1e6


def slope_mb_per_hour(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per hour."""
    n = len(samples)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    cov = sum((t - mean_t) * (m - mean_m) for t, m in samples)
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    return cov / var * 3600 if var else 0.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "tongwei.duckdb")
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rotate", type=int, default=5)
    parser.add_argument("--sample", type=float, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "soak.json")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.parent.mkdir(parents=True, exist_ok=True)
    samples: list[tuple[float, float]] = []
    panels_seen = set()
    changes = 0
    external: list[str] = []
    with running_server(args.db.resolve(), args.out.with_suffix(".log")) as (url, process), \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})

        refuse_outside(page, url, external)
        page.goto(f"{url}/battle_map?kiosk=1&rotate={args.rotate}")
        started = time.time()
        last_panel = None
        while time.time() - started < args.minutes * 60:
            deadline = time.time() + args.sample
            while time.time() < deadline:
                text = page.locator(".bm-asof").first.inner_text(timeout=60000) \
                    if page.locator(".bm-asof").count() else ""
                match = re.search(r"第 (\d)/", text)
                if match and match.group(1) != last_panel:
                    changes += last_panel is not None
                    last_panel = match.group(1)
                    panels_seen.add(last_panel)
                time.sleep(1)
            samples.append((time.time() - started, tree_rss_mb(process.pid)))
            print(f"{samples[-1][0] / 60:6.1f} min  server RSS {samples[-1][1]:8.1f} MB  "
                  f"panel changes {changes}", flush=True)
        browser.close()
    warm = [s for s in samples if s[0] >= min(120, samples[-1][0] / 4)]
    half = [s for s in samples if s[0] >= samples[-1][0] / 2]
    report = {
        "minutes": args.minutes, "rotate_s": args.rotate,
        "rss_after_warmup_mb": round(warm[0][1], 1),
        "rss_end_mb": round(samples[-1][1], 1),
        "rss_peak_mb": round(max(m for _, m in samples), 1),
        "trend_second_half_mb_per_hour": round(slope_mb_per_hour(half), 1),
        "panel_changes": changes, "panels_seen": sorted(panels_seen),
        "external_requests": external,
        "samples": [(round(t, 1), round(m, 1)) for t, m in samples],
    }
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "samples"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
