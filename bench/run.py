"""The benchmark of the issue "Fast at every scale": every command and page at several scales.

    python bench/run.py [--scales 1 10 100] [--workdir /tmp/bench] [--runs 3]

For each scale, in one run: build the demo database (``python -m analytics build-demo``),
its size, export it to Parquet, import that export into a fresh database (the full
recomputation: validation, load, derived tables), ``metrics --all --json``,
``metrics --year 2017 --json``, ``check``, the pandas baseline (bench/baseline_pandas.py)
on the same Parquet files and a cross-check of its figures against ``metrics --all``,
and every page's server-side render (bench/pages.py: cold, warm, query count).

Every command runs as its own child process; its wall time, CPU time and peak RSS come
from ``os.wait4`` on that one child (the kernel's ru_maxrss of that process, not a max
over all children). This script imports nothing heavy, so the floor it puts under a
child's ru_maxrss (a child starts as a copy of it) is its own RSS, recorded as
``runner_rss_mb``. Children get ``oom_score_adj`` 1000: if memory runs out, the kernel
kills the benchmark's child, not someone else's process.

Writes ``bench/results/latest.json`` (every raw number) and ``bench/results/README.md``
(a table per measure, one column per scale, the machine, the goals and whether each
is met), after every step, so an interrupted run leaves what it measured. Text after
the ``<!-- notes -->`` line of an existing README is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CODE = ROOT  # the tree the children run (a snapshot of ROOT unless --no-snapshot)
SNAPSHOT_IGNORE = (".git", ".venv", ".hypothesis", ".pytest_cache", "__pycache__", "artifacts",
                   "*.duckdb", "*.duckdb.wal", "*.tmp", "users.toml", "results")
NOTES_MARK = "<!-- notes -->"
PAGE_RUNS = 3
GOALS = {  # the goals
    "warm_page_s": 1.0,        # scale 100: every page renders under 1 s warm
    "metrics_all_s": 3.0,      # scale 100: metrics --all under 3 s
    "app_rss_mb": 2048.0,      # scale 100: the app (a page-render process) under 2 GB
    "pandas_time_ratio": 10.0,  # scale 10: ≥ 10× faster than pandas
    "pandas_rss_ratio": 5.0,    # scale 10: ≥ 5× less memory than pandas
}


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def snapshot(work: Path) -> dict:
    """Copy the working tree (code, config, geography; no databases) to ``work/code``.

    Other people edit the project while a long benchmark runs; every step of one run
    must measure the same code.
    """
    global CODE
    target = work / "code"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*SNAPSHOT_IGNORE))
    CODE = target

    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT).stdout.strip()

    changed = [line for line in git("status", "--short").splitlines() if line.strip()]
    return {"path": str(target), "commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted_files": len(changed), "uncommitted": changed[:40]}


def _child_setup() -> None:
    try:  # the benchmark's children are the first to go if memory runs out
        Path("/proc/self/oom_score_adj").write_text("1000")
    except OSError:
        pass


def mem_available_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def own_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(cmd: list[str], *, stdout: Path | None = None, log: Path | None = None,
            env: dict | None = None, timeout: float = 7200) -> dict:
    """Run ``cmd`` as one child; its wall time, CPU time, peak RSS and exit code."""
    load_before = os.getloadavg()[0]
    avail = mem_available_mb()
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    err = open(log, "wb") if log else subprocess.DEVNULL
    started = time.perf_counter()
    try:
        child = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=CODE, env=env,
                                 preexec_fn=_child_setup)
        timer = threading.Timer(timeout, lambda: os.kill(child.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
    finally:
        for f in (out, err):
            if f is not subprocess.DEVNULL:
                f.close()
    wall = time.perf_counter() - started
    result = {
        "cmd": " ".join(str(c) for c in cmd),
        "exit": child.returncode,
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "load1_before": round(load_before, 2),
        "load1_after": round(os.getloadavg()[0], 2),
        "mem_available_mb_before": None if avail is None else round(avail),
    }
    if child.returncode < 0:
        result["killed_by_signal"] = -child.returncode
    return result


def tail(path: Path, n: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def size_mb(path: Path) -> float | None:
    if not path.exists():
        return None
    if path.is_file():
        return round(path.stat().st_size / 1e6, 1)
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


def best(runs: list[dict]) -> dict:
    """The fastest successful run, with every run's wall time and the max peak RSS."""
    ok = [r for r in runs if r["exit"] == 0] or runs
    fastest = dict(min(ok, key=lambda r: r["wall_s"]))
    fastest["walls_s"] = [r["wall_s"] for r in runs]
    fastest["cpus_s"] = [r["cpu_s"] for r in runs]
    fastest["peak_rss_mb_max"] = max(r["peak_rss_mb"] for r in runs)
    return fastest


def machine() -> dict:
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError as e:
            return f"unavailable ({e})"

    mem_total = None
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_total = round(int(line.split()[1]) / 1024 / 1024, 1)
    versions = out([python(), "-c",
                    "import sys, duckdb, pandas, pyarrow, streamlit;"
                    "print(sys.version.split()[0], duckdb.__version__, pandas.__version__,"
                    " pyarrow.__version__, streamlit.__version__)"]).split()
    keys = ("python", "duckdb", "pandas", "pyarrow", "streamlit")
    cpu_model = ""
    try:
        cpu_model = next(line.split(":", 1)[1].strip() for line in
                         Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "date_utc": out(["date", "-u"]),
        "uname": out(["uname", "-a"]) or platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "mem_total_gib": mem_total,
        **dict(zip(keys, versions)),
    }


def _parse_build_counts(log: Path) -> dict:
    import re

    text = tail(log, 5)
    m = re.search(r"done: ([\d,]+) households, ([\d,]+) household-years", text)
    if not m:
        return {}
    return {"households": int(m.group(1).replace(",", "")),
            "household_years": int(m.group(2).replace(",", ""))}


CROSS_CHECK = """
import sys, json
sys.path.insert(0, {bench!r})
import pandas as pd
from baseline_pandas import compare_figures
from analytics.metrics import HEADLINE_KEYS, all_headline_figures
from analytics.store import Store
keys = tuple(dict.fromkeys(list(HEADLINE_KEYS) + ["watts_excluded_persons"]))
store = Store({db!r})
ours = all_headline_figures(store)
store.close()
theirs = pd.read_parquet({theirs!r})
problems = compare_figures(ours, theirs, keys=keys)
# what `metrics --all --json` printed, against the store's own values
printed = pd.read_json({printed!r}, lines=True, dtype={{"code": str}})
lost = compare_figures(ours, printed, keys=keys)
print(json.dumps({{"rows_store": len(ours), "rows_pandas": len(theirs), "differences": len(problems),
                  "first": problems[:5], "json_output_differences_1e-9": len(lost),
                  "json_output_first": lost[:3]}}, ensure_ascii=False))
"""

PROFILE_REPORT = """
import pstats, io
s = io.StringIO()
pstats.Stats({prof!r}, stream=s).sort_stats("cumulative").print_stats(25)
print(s.getvalue())
"""


def bench_scale(scale: float, work: Path, runs: int, page_runs: int, env: dict,
                reuse: bool, record, skip_pandas: bool, skip_pages: bool) -> None:
    """Every step at one scale; ``record(key, value)`` stores a result as soon as it exists."""
    py = python()
    tag = f"s{scale:g}"
    db = work / f"{tag}.duckdb"
    parquet = work / f"{tag}_parquet"
    imported = work / f"{tag}_import.duckdb"
    cli = [py, "-m", "analytics"]

    # 1. build
    if reuse and db.exists():
        record("build", {"reused": True})
    else:
        log = work / f"{tag}.build.log"
        r = measure(cli + ["build-demo", "--scale", f"{scale:g}", "--db", str(db)], log=log, env=env)
        r.update(_parse_build_counts(log))
        if r["exit"] != 0:
            r["log_tail"] = tail(log)
        record("build", r)
        if r["exit"] != 0:
            return
    record("db_size_mb", size_mb(db))

    # 2. export to Parquet
    if reuse and (parquet / "household_years.parquet").exists():
        record("export", {"reused": True})
    else:
        shutil.rmtree(parquet, ignore_errors=True)
        log = work / f"{tag}.export.log"
        r = measure(cli + ["export", str(parquet), "--format", "parquet", "--db", str(db)],
                    log=log, env=env)
        if r["exit"] != 0:
            r["log_tail"] = tail(log)
        record("export", r)
    record("parquet_size_mb", size_mb(parquet))

    # 3. import the export into a fresh database: the full recomputation
    imported.unlink(missing_ok=True)
    log = work / f"{tag}.import.log"
    r = measure(cli + ["import", str(parquet), "--db", str(imported)], log=log, env=env)
    if r["exit"] != 0:
        r["log_tail"] = tail(log)
    record("import", r)
    record("import_db_size_mb", size_mb(imported))
    imported.unlink(missing_ok=True)  # only its time and memory matter; keep the disk

    # 4. metrics --all --json, best of runs
    all_out = work / f"{tag}.metrics_all.jsonl"
    rs = [measure(cli + ["metrics", "--all", "--json", "--db", str(db)], stdout=all_out,
                  log=work / f"{tag}.metrics_all.log", env=env) for _ in range(runs)]
    m = best(rs)
    if all_out.exists():  # counted line by line: the runner must stay small (see the docstring)
        m["rows"] = m["blank_lines"] = 0
        with open(all_out, "rb") as f:
            for line in f:
                m["rows" if line.strip() else "blank_lines"] += 1
    record("metrics_all", m)

    # 5. metrics --year 2017 --json
    rs = [measure(cli + ["metrics", "--year", "2017", "--json", "--db", str(db)],
                  stdout=work / f"{tag}.metrics_2017.json", env=env) for _ in range(runs)]
    record("metrics_2017", best(rs))

    # 6. check (exit 1 = findings, not a failure)
    r = measure(cli + ["check", "--db", str(db)], stdout=work / f"{tag}.check.txt",
                log=work / f"{tag}.check.log", env=env)
    r["findings_line"] = tail(work / f"{tag}.check.txt", 1)
    record("check", r)

    # 7. the pandas baseline on the same Parquet files, and a cross-check of its figures
    if not skip_pandas:
        pandas_out = work / f"{tag}.pandas_figures.parquet"
        rs = []
        for i in range(runs):
            stdout = work / f"{tag}.pandas.{i}.out"
            r = measure([py, str(CODE / "bench" / "baseline_pandas.py"), str(parquet),
                         "--out", str(pandas_out)], stdout=stdout,
                        log=work / f"{tag}.pandas.log", env=env)
            try:
                own = json.loads(tail(stdout, 1))
                r["in_process_s"] = own["elapsed_s"]
                r["self_peak_rss_mb"] = own["peak_rss_mb"]
            except (ValueError, KeyError):
                r["log_tail"] = tail(work / f"{tag}.pandas.log")
            rs.append(r)
            if r["exit"] != 0:
                break
        p = best(rs)
        record("pandas", p)
        if p["exit"] == 0 and all_out.exists():
            r = subprocess.run([py, "-c", CROSS_CHECK.format(
                bench=str(CODE / "bench"), db=str(db), theirs=str(pandas_out), printed=str(all_out))],
                capture_output=True, text=True, cwd=CODE, env=env, preexec_fn=_child_setup)
            try:
                record("cross_check", json.loads(r.stdout.strip().splitlines()[-1]))
            except (ValueError, IndexError):
                record("cross_check", {"error": r.stderr[-2000:]})

    # 8. every page: cold, warm, query counts (one process: the app's memory)
    if not skip_pages:
        pages_json = work / f"{tag}.pages.json"
        pages_json.unlink(missing_ok=True)
        log = work / f"{tag}.pages.log"
        r = measure([py, str(CODE / "bench" / "pages.py"), "--db", str(db), "--json", str(pages_json),
                     "--runs", str(page_runs)], stdout=work / f"{tag}.pages.txt", log=log, env=env)
        if pages_json.exists():
            r["pages"] = json.loads(pages_json.read_text(encoding="utf-8"))
        if r["exit"] != 0:
            r["log_tail"] = tail(log)
        record("pages", r)


def profile_metrics_all(scale: float, work: Path, env: dict, record) -> None:
    """cProfile of ``metrics --all --json`` (when it misses its goal)."""
    py = python()
    tag = f"s{scale:g}"
    prof = work / f"{tag}.metrics_all.prof"
    r = measure([py, "-m", "cProfile", "-o", str(prof), "-m", "analytics", "metrics", "--all",
                 "--json", "--db", str(work / f"{tag}.duckdb")], env=env)
    report = subprocess.run([py, "-c", PROFILE_REPORT.format(prof=str(prof))],
                            capture_output=True, text=True, cwd=ROOT).stdout
    record("metrics_all_profile", {"wall_s": r["wall_s"], "top_cumulative": report})


# --- the report -----------------------------------------------------------------------
def _fmt(value, digits=2) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{0 if abs(value) >= 1000 else 1 if abs(value) >= 100 else digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _get(d: dict, *path):
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def _ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)


def derived(scale_result: dict) -> dict:
    """Ratios pandas / ours for one scale."""
    p = scale_result.get("pandas") or {}
    m = scale_result.get("metrics_all") or {}
    i = scale_result.get("import") or {}
    return {
        "time_vs_metrics_all": _ratio(p.get("wall_s"), m.get("wall_s")),
        "rss_vs_metrics_all": _ratio(p.get("peak_rss_mb_max"), m.get("peak_rss_mb_max")),
        "time_vs_import": _ratio(p.get("wall_s"), i.get("wall_s")),
        "rss_vs_import": _ratio(p.get("peak_rss_mb_max"), i.get("peak_rss_mb")),
        "cpu_vs_metrics_all": _ratio(p.get("cpu_s"), m.get("cpu_s")),
        "cpu_vs_import": _ratio(p.get("cpu_s"), i.get("cpu_s")),
    }


def goals(results: dict) -> list[dict]:
    scales = results["scales"]

    def at(scale):
        return scales.get(f"{scale:g}")

    out = []
    s100, s10 = at(100), at(10)
    pages = _get(s100, "pages", "pages") if s100 else None
    if pages:
        slow = [p for p in pages if p["warm_max_s"] >= GOALS["warm_page_s"]]
        measured = ("over 1 s: " + ", ".join(f"{p['page']} {p['warm_median_s']:.2f} s median / "
                                            f"{p['warm_max_s']:.2f} s max" for p in slow)
                    if slow else "slowest warm max " + f"{max(p['warm_max_s'] for p in pages):.3f} s")
        out.append({"goal": "scale 100: every page renders under 1 s warm (warm max of every page)",
                    "measured": measured, "met": not slow})
    else:
        out.append({"goal": "scale 100: every page renders under 1 s warm", "measured": None, "met": None})
    m = _get(s100, "metrics_all", "wall_s") if s100 else None
    walls = _get(s100, "metrics_all", "walls_s") if s100 else None
    out.append({"goal": "scale 100: `metrics --all` under 3 s (best wall time, process start to end)",
                "measured": None if m is None else f"{m:.2f} s best (runs: "
                + ", ".join(f"{w:.2f}" for w in walls or []) + f"; CPU {_get(s100, 'metrics_all', 'cpu_s')} s)",
                "met": None if m is None else m < GOALS["metrics_all_s"]})
    rss = _get(s100, "pages", "peak_rss_mb") if s100 else None
    out.append({"goal": "scale 100: the app (the page-render process, all pages, caches warm) under 2 GB",
                "measured": None if rss is None else f"{rss:,.0f} MB",
                "met": None if rss is None else rss < GOALS["app_rss_mb"]})
    d = derived(s10) if s10 else {}
    for key, label, goal in (
        ("time_vs_metrics_all", "scale 10: ≥ 10× faster than pandas — `metrics --all` vs the pandas "
         "computation (wall)", GOALS["pandas_time_ratio"]),
        ("rss_vs_metrics_all", "scale 10: ≥ 5× less memory than pandas — `metrics --all` vs pandas "
         "(peak RSS)", GOALS["pandas_rss_ratio"]),
    ):  # the import's ratios (validation of every cell + load + derive) are in the measures
        v = d.get(key)
        out.append({"goal": label, "measured": None if v is None else f"pandas/ours = {v:.2f}×",
                    "met": None if v is None else v >= goal})
    qs = query_counts(results)
    if qs and len(results["scales"]) > 1:
        grows = [page for page, counts in qs.items() if len(set(c for c in counts if c is not None)) > 1]
        out.append({"goal": "queries per page do not grow with villages or years (same count at every scale)",
                    "measured": "differs: " + ", ".join(grows) if grows else "identical at every scale",
                    "met": not grows})
    return out


def query_counts(results: dict) -> dict[str, list]:
    counts: dict[str, list] = {}
    keys = list(results["scales"])
    for i, key in enumerate(keys):
        for p in _get(results["scales"][key], "pages", "pages") or []:
            counts.setdefault(p["page"], [None] * len(keys))[i] = p["queries_cold"]
    return counts


def _table(title: str, rows: list[tuple[str, list]], scales: list[str], digits=2) -> list[str]:
    lines = [f"### {title}", "", "| | " + " | ".join(f"scale {s}" for s in scales) + " |",
             "|---|" + "---:|" * len(scales)]
    for label, values in rows:
        lines.append(f"| {label} | " + " | ".join(_fmt(v, digits) for v in values) + " |")
    return lines + [""]


def write_report(results: dict, results_dir: Path) -> None:
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=2),
                                             encoding="utf-8")
    scales = list(results["scales"])
    S = results["scales"]

    def col(*path):
        return [_get(S[s], *path) for s in scales]

    def step_rows(step):
        return [("wall s", col(step, "wall_s")), ("CPU s (user+sys)", col(step, "cpu_s")),
                ("peak RSS MB", col(step, "peak_rss_mb")), ("exit code", col(step, "exit"))]

    m = results["machine"]
    lines = [
        "# Benchmark results — \"Fast at every scale\"",
        "",
        "Written by `bench/run.py` (`" + results["command"] + "`); raw numbers in `latest.json`.",
        "",
        f"- date: {m.get('date_utc')} (run started {results['started_utc']}, finished "
        f"{results.get('finished_utc') or 'unfinished'})",
        f"- machine: `{m.get('uname')}`",
        f"- CPUs: {m.get('cpu_count')} ({m.get('cpu_model')}), RAM {m.get('mem_total_gib')} GiB",
        f"- code: commit {results['code'].get('commit', '?')} + "
        f"{results['code'].get('uncommitted_files', '?')} uncommitted file(s), "
        + ("copied to `" + results['code']['path'] + "` at the start so every step runs the same code"
           if results['code'].get('snapshot', True) else "the live working tree"),
        f"- python {m.get('python')}, duckdb {m.get('duckdb')}, pandas {m.get('pandas')}, "
        f"pyarrow {m.get('pyarrow')}, streamlit {m.get('streamlit')}",
        f"- runs: best of {results['runs']} for `metrics` and pandas; {results['page_runs']} warm "
        f"renders per page; runner's own RSS {results.get('runner_rss_mb')} MB (a floor under "
        "every child's peak RSS)",
        "- every figure is one child process measured with `os.wait4` (wall, user+sys CPU, peak "
        "RSS = its ru_maxrss); wall includes interpreter start-up and imports (`startup` row).",
        "",
        "## Goals",
        "",
        "| goal | measured | met |",
        "|---|---|---|",
    ]
    for g in goals(results):
        met = "—" if g["met"] is None else ("**yes**" if g["met"] else "**NO**")
        lines.append(f"| {g['goal']} | {g['measured'] or 'not measured'} | {met} |")
    lines += ["", "## Measures", ""]
    lines += _table("Data", [
        ("households", col("build", "households")),
        ("household-years", col("build", "household_years")),
        ("scope-years (`metrics --all` rows)", col("metrics_all", "rows")),
        ("database MB", col("db_size_mb")),
        ("Parquet export MB", col("parquet_size_mb")),
        ("imported database MB", col("import_db_size_mb")),
    ], scales, 1)
    lines += _table("Start-up floor: `python -c 'import pandas, duckdb, analytics.metrics'`",
                    step_rows("startup")[:3], scales)
    lines += _table("build-demo (generate + load + derived tables)", step_rows("build"), scales)
    lines += _table("export --format parquet", step_rows("export"), scales)
    lines += _table("import of that Parquet export into a fresh database (our full recomputation)",
                    step_rows("import"), scales)
    lines += _table(f"metrics --all --json (best of {results['runs']})", step_rows("metrics_all") + [
        ("all runs, wall s", [", ".join(map(str, w)) if w else None for w in col("metrics_all", "walls_s")]),
        ("JSON values off the store's by > 1e-9 relative", col("cross_check", "json_output_differences_1e-9")),
        ("blank lines in the output", col("metrics_all", "blank_lines")),
        ("peak RSS MB, max of runs", col("metrics_all", "peak_rss_mb_max")),
    ], scales)
    lines += _table(f"metrics --year 2017 --json (best of {results['runs']})",
                    step_rows("metrics_2017"), scales)
    lines += _table("check", step_rows("check") + [("result", col("check", "findings_line"))], scales)
    lines += _table(f"pandas baseline (bench/baseline_pandas.py, best of {results['runs']})",
                    step_rows("pandas") + [
                        ("in-process s (read Parquet + compute)", col("pandas", "in_process_s")),
                        ("all runs, wall s",
                         [", ".join(map(str, w)) if w else None for w in col("pandas", "walls_s")]),
                        ("peak RSS MB, max of runs", col("pandas", "peak_rss_mb_max")),
                        ("differences from the store's figures (1e-9 relative)",
                         col("cross_check", "differences")),
                    ], scales)
    ds = [derived(S[s]) for s in scales]
    lines += _table("pandas / ours (> 1: ours is faster / smaller)", [
        ("time: pandas full computation / `metrics --all` (reads the rollup built at load)",
         [d["time_vs_metrics_all"] for d in ds]),
        ("memory: pandas / `metrics --all`", [d["rss_vs_metrics_all"] for d in ds]),
        ("time: pandas / our full recomputation (`import`: validate + load + derive)",
         [d["time_vs_import"] for d in ds]),
        ("memory: pandas / `import`", [d["rss_vs_import"] for d in ds]),
        ("CPU: pandas / `metrics --all`", [d["cpu_vs_metrics_all"] for d in ds]),
        ("CPU: pandas / `import`", [d["cpu_vs_import"] for d in ds]),
    ], scales)
    page_names = []
    for s in scales:
        for p in _get(S[s], "pages", "pages") or []:
            if p["page"] not in page_names:
                page_names.append(p["page"])

    def page_col(name, key):
        out = []
        for s in scales:
            found = [p for p in (_get(S[s], "pages", "pages") or []) if p["page"] == name]
            out.append(found[0][key] if found else None)
        return out

    for key, title in (("cold_s", "cold s (first render after clearing the caches)"),
                       ("warm_median_s", "warm s, median"), ("warm_max_s", "warm s, max"),
                       ("queries_cold", "queries (cold render) — must not grow with scale")):
        lines += _table(f"Pages: {title}", [(n, page_col(n, key)) for n in page_names], scales, 3)
    lines += _table("Pages: the render process (bench/pages.py, all pages)", step_rows("pages"), scales)
    prof = [(s, _get(S[s], "metrics_all_profile")) for s in scales if _get(S[s], "metrics_all_profile")]
    for s, p in prof:
        lines += [f"### cProfile of `metrics --all --json` at scale {s} ({p['wall_s']} s under the profiler)",
                  "", "```", p["top_cumulative"].strip()[:6000], "```", ""]
    errors = [(s, step, _get(S[s], step, "log_tail")) for s in scales for step in S[s]
              if _get(S[s], step, "log_tail")]
    if errors:
        lines += ["## Failures", ""]
        for s, step, text in errors:
            lines += [f"scale {s}, {step}:", "", "```", text, "```", ""]
    loads = [(s, step, v.get("load1_before"), v.get("load1_after")) for s in scales
             for step, v in S[s].items() if isinstance(v, dict) and "load1_before" in v]
    if loads:
        busy = max(max(a or 0, b or 0) for _, _, a, b in loads)
        lines += [f"Load average (1 min) around the steps: up to {busy:.2f} on {m.get('cpu_count')} CPUs"
                  + (" — other processes were running: wall times are noisy, CPU times less so."
                     if busy > (m.get("cpu_count") or 1) * 0.6 else "."), ""]

    readme = results_dir / "README.md"
    notes = ""
    if readme.exists():
        old = readme.read_text(encoding="utf-8")
        if NOTES_MARK in old:
            notes = old.split(NOTES_MARK, 1)[1]
    if not notes.strip():
        notes = "\n## Notes\n\n(none yet)\n"
    readme.write_text("\n".join(lines) + "\n" + NOTES_MARK + notes, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10, 100])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench"))
    parser.add_argument("--runs", type=int, default=3, help="best of N for metrics and pandas")
    parser.add_argument("--page-runs", type=int, default=PAGE_RUNS, help="warm renders per page")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where README.md and latest.json go")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a database and Parquet export already in --workdir")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite README.md from the latest.json in --results; run nothing")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="run the live working tree instead of a copy taken at the start")
    parser.add_argument("--no-profile", action="store_true",
                        help="do not profile `metrics --all` when it misses 3 s")
    args = parser.parse_args(argv)
    if args.report_only:
        write_report(json.loads((args.results / "latest.json").read_text(encoding="utf-8")), args.results)
        print(f"rewrote {args.results / 'README.md'}")
        return 0
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    # the benchmark never touches the project's audit trail or accounts
    env["TONGWEI_AUDIT"] = str(work / "audit.duckdb")
    env["TONGWEI_USERS"] = str(work / "no-users.toml")
    env.pop("TONGWEI_DB", None)

    code = {"path": str(ROOT), "snapshot": False} if args.no_snapshot else snapshot(work)
    results = {
        "code": code,
        "command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "started_utc": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "finished_utc": None,
        "runs": args.runs,
        "page_runs": args.page_runs,
        "workdir": str(work),
        "goals": GOALS,
        "machine": machine(),
        "scales": {},
    }
    for scale in args.scales:
        key = f"{scale:g}"
        results["scales"][key] = {}

        def record(step, value, key=key):
            results["scales"][key][step] = value
            results["runner_rss_mb"] = round(own_rss_mb(), 1)
            write_report(results, args.results)
            print(f"[{datetime.now():%H:%M:%S}] scale {key} {step}: "
                  + (json.dumps(value, ensure_ascii=False)[:300] if not isinstance(value, dict)
                     else ", ".join(f"{k}={v}" for k, v in value.items()
                                    if k in ("wall_s", "cpu_s", "peak_rss_mb", "exit", "differences",
                                             "in_process_s", "rows"))), flush=True)

        record("startup", best([measure([python(), "-c", "import pandas, duckdb, analytics.metrics"],
                                        env=env) for _ in range(args.runs)]))
        bench_scale(scale, work, args.runs, args.page_runs, env, args.reuse, record,
                    args.skip_pandas, args.skip_pages)
        m = results["scales"][key].get("metrics_all") or {}
        if not args.no_profile and m.get("wall_s", 0) >= GOALS["metrics_all_s"]:
            profile_metrics_all(scale, work, env, record)
    results["finished_utc"] = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    write_report(results, args.results)
    print(f"wrote {args.results / 'README.md'} and {args.results / 'latest.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
