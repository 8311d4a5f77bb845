"""The benchmark of the issue "Fast at every scale": every command and page at several scales.

    python bench/run.py [--scales 1 10 100] [--workdir /tmp/bench] [--runs 3]
    python bench/run.py --steps import --reuse [--scales 1 10 100]   # re-measure the importer
    python bench/run.py --steps import import_national --reuse --scales 1 10   # issue 12

For each scale, in one run: build the demo database (``python -m analytics build-demo``),
its size, export it to Parquet and to CSV, copy the CSV export to GBK (GB18030, as county
offices export it; streamed, 1 MB at a time), import the Parquet export and the GBK CSV
copy, each into a fresh database (the full recomputation: validation, load, derived
tables; issue 11), ``metrics --all --json``, ``metrics --year 2017 --json``, ``check``,
the pandas baseline (bench/baseline_pandas.py) on the same Parquet files and a
cross-check of its figures against the store, and every page's server-side render
(bench/pages.py: cold, warm, query count).

``--steps`` runs part of it: ``build``, ``export`` (Parquet, CSV and the GBK copy),
``import`` (``--imports parquet gbk``; best of ``--import-runs``), ``import_national``
(issue 12: the database written as the files a county office has — GBK CSV rosters of
the national system, village ledger and pairing workbooks, the code table beyond scale
1, by ``tests/national_files.py`` — then imported like the exports, best of
``--import-runs``), ``metrics``, ``check``, ``pandas``, ``pages``. A step's inputs are
made when they are missing; with ``--reuse`` the databases, exports and national files
already in ``--workdir`` (``s10.duckdb``, ``s10_parquet/``, ``s10_csv/``,
``s10_csv_gbk/``, ``s10_national/``, …) are kept, so ``--steps import --reuse`` measures
only the importer on data built once. An import-only run also runs the pandas baseline at
every scale up to 10 (issue 11: at scale 10 the import must be faster than pandas, in
the same run). A run of part of the steps writes its report to ``WORKDIR/results``
unless ``--results`` says otherwise, so it never overwrites ``bench/results``.

Every command runs as its own child process; its wall time, CPU time and peak RSS come
from ``os.wait4`` on that one child (the kernel's ru_maxrss of that process, not a max
over all children). This script imports nothing heavy, so the floor it puts under a
child's ru_maxrss (a child starts as a copy of it) is its own RSS, recorded as
``runner_rss_mb``. Children get ``oom_score_adj`` 1000: if memory runs out, the kernel
kills the benchmark's child, not someone else's process. A command that fails (an
import rejected, or killed) is recorded with its exit code and the tail of its log;
the run goes on.

Writes ``bench/results/latest.json`` (every raw number) and ``bench/results/README.md``
(a table per measure, one column per scale, the machine, the goals and whether each
is met), after every step, so an interrupted run leaves what it measured. Text after
the ``<!-- notes -->`` line of an existing README is kept.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import platform
import re
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
    # issue 11, the importer (peak RSS of `python -m analytics import` into a fresh database)
    "import_rss_mb_s100": 4096.0,      # scale 100: import of the Parquet export ≤ 4 GB
    "import_gbk_rss_mb_s100": 4096.0,  # scale 100: import of the CSV export in GBK ≤ 4 GB
    "import_rss_mb_s10": 1024.0,       # scale 10: import of the Parquet export ≤ 1 GB
    "import_vs_pandas_s10": 1.0,       # scale 10: pandas wall / import wall > 1 (same run)
    # issue 12, the national formats (the county office's files, tests/national_files.py)
    "national_vs_import_s10": 1.5,     # scale 10: their import wall ≤ 1.5 × the Parquet import's
    "import_national_rss_mb_s10": 1024.0,  # scale 10: … within 1 GB peak RSS
}
STEPS = ("build", "export", "import", "import_national", "metrics", "check", "pandas", "pages")
IMPORT_FORMATS = ("parquet", "gbk")  # the Parquet export; the CSV export transcoded to GBK
PANDAS_WITH_IMPORT_MAX_SCALE = 10  # an import-only run runs pandas up to this scale
NATIONAL_WRITER = ("tests", "national_files.py")  # writes the national-format files
NATIONAL_CODE_TABLE_FROM = 1  # beyond this scale the files carry their 统计用区划代码 table
GBK_CODEC = "gb18030"  # GBK's superset: the same bytes for every GBK character, no failures
TRANSCODE_CHUNK = 1 << 20  # bytes read at a time when transcoding


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


def transcode_file(src: Path, dst: Path, encoding: str = GBK_CODEC,
                   chunk: int = TRANSCODE_CHUNK) -> tuple[int, int]:
    """Copy a UTF-8 file (BOM dropped) to ``encoding``, ``chunk`` bytes at a time.

    Incremental codecs carry a character split across two chunks over; memory stays
    a few chunks whatever the file's size. Returns (bytes read, bytes written).
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    encoder = codecs.getincrementalencoder(encoding)("strict")
    read = written = 0
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while True:
            block = fin.read(chunk)
            read += len(block)
            data = encoder.encode(decoder.decode(block, final=not block), final=not block)
            fout.write(data)
            written += len(data)
            if not block:
                return read, written


def transcode_folder(src: str | Path, dst: str | Path, encoding: str = GBK_CODEC,
                     chunk: int = TRANSCODE_CHUNK) -> dict:
    """Every ``*.csv`` of ``src`` transcoded into ``dst`` (other files copied).

    Written to ``dst.partial`` and renamed at the end: ``dst`` exists only complete.
    """
    src, dst = Path(src), Path(dst)
    partial = dst.with_name(dst.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    files = {}
    for f in sorted(src.iterdir()):
        if f.is_file() and f.suffix.lower() == ".csv":
            files[f.name] = transcode_file(f, partial / f.name, encoding, chunk)
        elif f.is_file():
            shutil.copyfile(f, partial / f.name)
    shutil.rmtree(dst, ignore_errors=True)
    partial.rename(dst)
    return {"encoding": encoding, "chunk_bytes": chunk, "csv_files": len(files),
            "mb_in": round(sum(a for a, _ in files.values()) / 1e6, 1),
            "mb_out": round(sum(b for _, b in files.values()) / 1e6, 1)}


TRANSCODE = """
import json, sys
sys.path.insert(0, {bench!r})
from run import transcode_folder
print(json.dumps(transcode_folder({src!r}, {dst!r})))
"""


def _import_phase(message: str) -> str:
    """The phase of the import a progress message belongs to."""
    if message.startswith(("计算 household_facts", "计算 figures")):
        return "figures (household_facts, figures)"
    if message.startswith("计算 "):
        return "pages' tables (the other derived tables)"
    if message.startswith("写入数据"):
        return "store the contract tables"
    if message.startswith(("写入磁盘", "已替换", "已导入")):
        return "write to disk and swap"
    return "read and validate"


def import_phases(log: Path) -> dict[str, float]:
    """Seconds of each phase of an import, from its progress log (``[  12.3s] message``
    lines on stderr): a line lasts until the next one. Empty when there are no such lines."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    stamps = [(float(m.group(1)), m.group(2))
              for m in re.finditer(r"^\[\s*([0-9.]+)s\] (.*)$", text, re.MULTILINE)]
    spans: dict[str, float] = {}
    for (t, message), (end, _) in zip(stamps, stamps[1:] + stamps[-1:]):
        phase = _import_phase(message)
        spans[phase] = round(spans.get(phase, 0.0) + end - t, 2)
    return spans


def drop_db(db: Path) -> None:
    """A database file and what DuckDB or a writer leaves next to it (WAL, spill, temp copies)."""
    for f in [db, db.with_name(db.name + ".wal"), *db.parent.glob(f".{db.name}.*")]:
        if f.is_dir():
            shutil.rmtree(f, ignore_errors=True)
        else:
            f.unlink(missing_ok=True)
    shutil.rmtree(db.with_name(db.name + ".tmp"), ignore_errors=True)


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
# what `metrics --all --json` printed in this run (if it ran), against the store's own values
lost = None
if {printed!r}:
    printed = pd.read_json({printed!r}, lines=True, dtype={{"code": str}})
    lost = compare_figures(ours, printed, keys=keys)
print(json.dumps({{"rows_store": len(ours), "rows_pandas": len(theirs), "differences": len(problems),
                  "first": problems[:5], "json_output_differences_1e-9": None if lost is None else len(lost),
                  "json_output_first": None if lost is None else lost[:3]}}, ensure_ascii=False))
"""

PROFILE_REPORT = """
import pstats, io
s = io.StringIO()
pstats.Stats({prof!r}, stream=s).sort_stats("cumulative").print_stats(25)
print(s.getvalue())
"""


def bench_scale(scale: float, work: Path, runs: int, page_runs: int, env: dict,
                reuse: bool, record, steps=STEPS, chunk: int = 0,
                imports=IMPORT_FORMATS, import_runs: int = 1, pandas_with_import: bool = True) -> None:
    """The chosen steps at one scale; ``record(key, value)`` stores a result as soon as it exists.

    Inputs a step needs (the database, the exports) are made when missing, or always
    without ``reuse``; a step not chosen and not needed does not run.
    """
    py = python()
    tag = f"s{scale:g}"
    db = work / f"{tag}.duckdb"
    parquet = work / f"{tag}_parquet"
    csv_dir = work / f"{tag}_csv"
    gbk = work / f"{tag}_csv_gbk"
    national = work / f"{tag}_national"
    imported = work / f"{tag}_import.duckdb"
    cli = [py, "-m", "analytics"]
    want = set(steps)
    imports = [f for f in imports if f in IMPORT_FORMATS] if "import" in want else []
    with_pandas = "pandas" in want or (pandas_with_import and "parquet" in imports
                                       and scale <= PANDAS_WITH_IMPORT_MAX_SCALE)
    # what this run needs, and what it may keep (with --reuse, when complete)
    kept = {"parquet": reuse and (parquet / "household_years.parquet").exists(),
            "csv": reuse and (csv_dir / "household_years.csv").exists(),
            "gbk": reuse and (gbk / "household_years.csv").exists(),
            "national": reuse and national.is_dir()}  # renamed from .partial when complete
    need_parquet = "export" in want or "parquet" in imports or with_pandas
    need_gbk = "export" in want or "gbk" in imports
    need_csv = "export" in want or (need_gbk and not kept["gbk"])
    need_national = "import_national" in want
    need_db = (bool(want & {"build", "metrics", "check", "pages"})
               or (need_parquet and not kept["parquet"]) or (need_csv and not kept["csv"])
               or (need_national and not kept["national"]))

    # 1. build
    build_log = work / f"{tag}.build.log"
    if (reuse and db.exists()) or not need_db:
        # the counts of the build that made it, when its log is still there
        record("build", {"reused": True, **_parse_build_counts(build_log)} if db.exists()
               else {"skipped": "not needed: the exports are kept", **_parse_build_counts(build_log)})
    else:
        cmd = cli + ["build-demo", "--scale", f"{scale:g}", "--db", str(db)]
        r = measure(cmd + (["--chunk", str(chunk)] if chunk else []), log=build_log, env=env)
        r.update(_parse_build_counts(build_log))
        if r["exit"] != 0:
            r["log_tail"] = tail(build_log)
        record("build", r)
        if r["exit"] != 0:
            return
    if db.exists():
        record("db_size_mb", size_mb(db))

    # 2. export to Parquet and to CSV, each into FOLDER.partial renamed when complete
    def export(fmt: str, folder: Path, step: str, log: Path) -> None:
        if kept[fmt]:
            record(step, {"reused": True})
        else:
            partial = folder.with_name(folder.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            r = measure(cli + ["export", str(partial), "--format", fmt, "--db", str(db)],
                        stdout=work / f"{tag}.{step}.out", log=log, env=env)
            if r["exit"] == 0:
                shutil.rmtree(folder, ignore_errors=True)
                partial.rename(folder)
            else:
                r["log_tail"] = tail(log)
            record(step, r)
        record(f"{fmt}_size_mb", size_mb(folder))

    if need_parquet:
        export("parquet", parquet, "export", work / f"{tag}.export.log")
    if need_csv:
        export("csv", csv_dir, "export_csv", work / f"{tag}.export_csv.log")
    elif csv_dir.is_dir():  # kept, not needed: its size still tells the GBK copy's origin
        record("csv_size_mb", size_mb(csv_dir))
    # the CSV export in GBK (GB18030), as county offices export it: streamed, 1 MB at a time
    if need_gbk:
        if kept["gbk"]:
            record("transcode_gbk", {"reused": True})
        elif (csv_dir / "household_years.csv").exists():
            out, log = work / f"{tag}.transcode_gbk.out", work / f"{tag}.transcode_gbk.log"
            r = measure([py, "-c", TRANSCODE.format(bench=str(CODE / "bench"), src=str(csv_dir),
                                                    dst=str(gbk))], stdout=out, log=log, env=env)
            try:
                r.update(json.loads(tail(out, 1)))
            except ValueError:
                r["log_tail"] = tail(log)
            record("transcode_gbk", r)
        record("gbk_size_mb", size_mb(gbk))

    # 3. import each export into a fresh database: the full recomputation (issue 11)
    def run_import(source: Path, step: str) -> None:
        if not source.is_dir():
            record(step, {"exit": None, "error": f"no input: {source} is missing"})
            return
        rs = []
        for _ in range(import_runs):
            drop_db(imported)
            log, out = work / f"{tag}.{step}.log", work / f"{tag}.{step}.out"
            r = measure(cli + ["import", str(source), "--db", str(imported)], stdout=out, log=log,
                        env=env)
            r["input"] = str(source)
            r["phases_s"] = import_phases(log)
            if r["exit"] != 0:  # rejected (problems on stdout), crashed or killed
                r["log_tail"] = tail(log)
                if tail(out):
                    r["stdout_tail"] = tail(out)
            rs.append(r)
            if r["exit"] != 0:
                break
        record(step, best(rs))
        record(f"{step}_db_size_mb", size_mb(imported))
        drop_db(imported)  # only its time and memory matter; keep the disk

    for fmt in imports:
        run_import(*((parquet, "import") if fmt == "parquet" else (gbk, "import_gbk")))

    # 3b. issue 12: the database written once as a county office's files (national system's
    # person rosters as GBK CSV, village ledger and pairing workbooks, townships, the code
    # table beyond scale 1) into FOLDER.partial renamed when complete; then imported
    if need_national:
        if kept["national"]:
            record("national_files", {"reused": True})
        elif not db.exists():
            record("national_files", {"exit": None, "error": f"no database: {db} is missing"})
        else:
            partial = national.with_name(national.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            out, log = work / f"{tag}.national_files.out", work / f"{tag}.national_files.log"
            r = measure([py, str(CODE.joinpath(*NATIONAL_WRITER)), "--db", str(db), "--out",
                         str(partial)] + (["--code-table"] if scale > NATIONAL_CODE_TABLE_FROM else []),
                        stdout=out, log=log, env=env)
            if r["exit"] == 0:
                shutil.rmtree(national, ignore_errors=True)
                partial.rename(national)
                r["summary"] = tail(out, 1)
            else:
                r["log_tail"] = tail(log)
            record("national_files", r)
        record("national_size_mb", size_mb(national))
        run_import(national, "import_national")

    # 4. metrics --all --json, best of runs
    all_out = work / f"{tag}.metrics_all.jsonl"
    if "metrics" in want:
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
    if "check" in want:
        r = measure(cli + ["check", "--db", str(db)], stdout=work / f"{tag}.check.txt",
                    log=work / f"{tag}.check.log", env=env)
        r["findings_line"] = tail(work / f"{tag}.check.txt", 1)
        record("check", r)

    # 7. the pandas baseline on the same Parquet files, and a cross-check of its figures
    if with_pandas:
        pandas_out = work / f"{tag}.pandas_figures.parquet"

        def best_of_runs(name: str, args: list[str]) -> dict:
            """Best of ``runs`` runs of a figures script that prints its JSON last."""
            rs = []
            for i in range(runs):
                stdout, log = work / f"{tag}.{name}.{i}.out", work / f"{tag}.{name}.log"
                r = measure([py, str(CODE / "bench" / f"{name}.py"), *args], stdout=stdout,
                            log=log, env=env)
                try:
                    own = json.loads(tail(stdout, 1))
                    r.update(in_process_s=own["elapsed_s"], self_peak_rss_mb=own["peak_rss_mb"],
                             rows=own["rows"])
                except (ValueError, KeyError):
                    r["log_tail"] = tail(log)
                rs.append(r)
                if r["exit"] != 0:
                    break
            return best(rs)

        p = best_of_runs("baseline_pandas", [str(parquet), "--out", str(pandas_out)])
        record("pandas", p)
        # like for like: the store's own figure SQL on the same files, nothing validated or
        # stored (bench/figures_duckdb.py), measured the same way, in the same run
        record("figures_duckdb", best_of_runs("figures_duckdb", [str(parquet)]))
        if p["exit"] == 0 and db.exists():  # the printed JSON is checked when metrics ran now
            printed = str(all_out) if "metrics" in want and all_out.exists() else ""
            r = subprocess.run([py, "-c", CROSS_CHECK.format(
                bench=str(CODE / "bench"), db=str(db), theirs=str(pandas_out), printed=printed)],
                capture_output=True, text=True, cwd=CODE, env=env, preexec_fn=_child_setup)
            try:
                record("cross_check", json.loads(r.stdout.strip().splitlines()[-1]))
            except (ValueError, IndexError):
                record("cross_check", {"error": r.stderr[-2000:]})

    # 8. every page: cold, warm, query counts (one process: the app's memory)
    if "pages" in want:
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
        "rss_vs_import": _ratio(p.get("peak_rss_mb_max"), i.get("peak_rss_mb_max", i.get("peak_rss_mb"))),
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
    # issue 11: the importer
    for s, step, limit, label in (
        (s100, "import", GOALS["import_rss_mb_s100"], "issue 11 — scale 100: `import` of the Parquet "
         "export peaks at ≤ 4 GB RSS (old importer: 22.4 GB)"),
        (s100, "import_gbk", GOALS["import_gbk_rss_mb_s100"], "issue 11 — scale 100: `import` of the "
         "CSV export in GBK (GB18030) peaks at ≤ 4 GB RSS"),
        (s10, "import", GOALS["import_rss_mb_s10"], "issue 11 — scale 10: `import` of the Parquet "
         "export peaks at ≤ 1 GB RSS (old importer: 2.6 GB)"),
    ):
        out.append({"goal": label, **_import_rss_goal(_get(s, step) if s else None, limit)})
    i, p = (_get(s10, "import") or {}, _get(s10, "pandas") or {}) if s10 else ({}, {})
    label = ("issue 11 — scale 10: `import` of the Parquet export is faster than the pandas "
             "baseline on the same files, in the same run (wall; pandas best of its runs)")
    if i.get("wall_s") is None or p.get("wall_s") is None:
        out.append({"goal": label, "measured": None, "met": None})
    else:
        ratio = _ratio(p["wall_s"], i["wall_s"])
        measured = (f"import {i['wall_s']:.2f} s vs pandas {p['wall_s']:.2f} s: pandas/import = "
                    f"{ratio:.2f}×" + _failed(i, "import") + _failed(p, "pandas"))
        out.append({"goal": label, "measured": measured,
                    "met": i["exit"] == 0 and p["exit"] == 0 and ratio > GOALS["import_vs_pandas_s10"]})
    f = (_get(s10, "figures_duckdb") or {}) if s10 else {}
    label = ("issue 11, like for like — scale 10: reading the same Parquet files and computing "
             "every figure, the store's SQL (bench/figures_duckdb.py) vs the pandas baseline "
             "(wall, best of each's runs, same run)")
    if f.get("wall_s") is None or p.get("wall_s") is None:
        out.append({"goal": label, "measured": None, "met": None})
    else:
        ratio = _ratio(p["wall_s"], f["wall_s"])
        out.append({"goal": label, "measured": (
            f"ours {f['wall_s']:.2f} s vs pandas {p['wall_s']:.2f} s: pandas/ours = {ratio:.2f}×"
            + _failed(f, "figures_duckdb") + _failed(p, "pandas")),
            "met": f["exit"] == 0 and p["exit"] == 0 and ratio > GOALS["import_vs_pandas_s10"]})
    # issue 12: the national formats, against the contract format's import at the same scale
    n = (_get(s10, "import_national") or {}) if s10 else {}
    label = ("issue 12 — scale 10: import of the national-format files takes ≤ 1.5 × the "
             "contract-format import (the Parquet export's `import`, wall), within 1 GB peak RSS")
    if n.get("wall_s") is None or i.get("wall_s") is None:
        out.append({"goal": label, "measured": n.get("error") or (
            None if n.get("wall_s") is None else f"national {n['wall_s']:.2f} s, no Parquet import "
            "to compare with" + _failed(n, "national import")), "met": None})
    else:
        ratio = _ratio(n["wall_s"], i["wall_s"])
        rss = n.get("peak_rss_mb_max", n["peak_rss_mb"])
        measured = (f"national {n['wall_s']:.2f} s vs Parquet {i['wall_s']:.2f} s: national/Parquet = "
                    f"{ratio:.2f}×; peak {rss:,.0f} MB" + _failed(n, "national import")
                    + _failed(i, "import"))
        out.append({"goal": label, "measured": measured,
                    "met": n["exit"] == 0 and i["exit"] == 0 and ratio <= GOALS["national_vs_import_s10"]
                    and rss <= GOALS["import_national_rss_mb_s10"]})
    return out


def _failed(r: dict, what: str) -> str:
    if r.get("exit") == 0:
        return ""
    signal_ = f", killed by signal {r['killed_by_signal']}" if r.get("killed_by_signal") else ""
    return f" — {what} FAILED (exit {r.get('exit')}{signal_})"


def _import_rss_goal(r: dict | None, limit: float) -> dict:
    """An import's peak RSS (max of its runs) against ``limit`` MB; a failed import misses it."""
    if not r or r.get("peak_rss_mb") is None:
        return {"measured": (r or {}).get("error"), "met": None}
    rss = r.get("peak_rss_mb_max", r["peak_rss_mb"])
    return {"measured": f"{rss:,.0f} MB peak in {r['wall_s']:.1f} s" + _failed(r, "import"),
            "met": r["exit"] == 0 and rss <= limit}


def query_counts(results: dict) -> dict[str, list]:
    counts: dict[str, list] = {}
    keys = list(results["scales"])
    for i, key in enumerate(keys):
        for p in _get(results["scales"][key], "pages", "pages") or []:
            counts.setdefault(p["page"], [None] * len(keys))[i] = p["queries_cold"]
    return counts


def _table(title: str, rows: list[tuple[str, list]], scales: list[str], digits=2) -> list[str]:
    if all(v is None for _, values in rows for v in values):
        return []  # a step this run did not measure at any scale
    lines = [f"### {title}", "", "| | " + " | ".join(f"scale {s}" for s in scales) + " |",
             "|---|" + "---:|" * len(scales)]
    for label, values in rows:
        lines.append(f"| {label} | " + " | ".join(_fmt(v, digits) for v in values) + " |")
    return lines + [""]


def _growth_table(title: str, rows: list[tuple[str, list]], scales: list[str]) -> list[str]:
    """Values per scale, then the ratio of each scale to the previous one (10/1, 100/10)."""
    if all(v is None for _, values in rows for v in values):
        return []
    pairs = list(zip(range(len(scales) - 1), range(1, len(scales))))
    lines = [f"### {title}", "",
             "| | " + " | ".join(f"scale {s}" for s in scales)
             + "".join(f" | ×{scales[b]}/{scales[a]}" for a, b in pairs) + " |",
             "|---|" + "---:|" * (len(scales) + len(pairs))]
    for label, values in rows:
        ratios = [_ratio(values[b], values[a]) for a, b in pairs]
        lines.append(f"| {label} | " + " | ".join(_fmt(v) for v in values)
                     + "".join(f" | {_fmt(r)}" for r in ratios) + " |")
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

    def rss_max(step):  # the max over an import's runs
        return [_get(S[s], step, "peak_rss_mb_max") or _get(S[s], step, "peak_rss_mb") for s in scales]

    m = results["machine"]
    steps = results.get("steps") or list(STEPS)
    part = ([f"- steps run: {', '.join(steps)}"
             + (" (and the pandas baseline with the import up to scale "
                f"{PANDAS_WITH_IMPORT_MAX_SCALE})" if "import" in steps and "pandas" not in steps
                and results.get("pandas_with_import", True) else "")]
            if list(steps) != list(STEPS) else [])
    if results.get("reuse"):
        part.append(f"- `--reuse`: databases and exports already in `{results.get('workdir')}` were kept "
                    "(their build and export rows are empty)")
    lines = [
        ("# Benchmark results — \"Fast at every scale\", issue 11 (the importer) and issue 12 "
         "(the national formats)"),
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
        f"renders per page; `import`: best of {results.get('import_runs', 1)} (wall), peak RSS the "
        f"max of its runs; runner's own RSS {results.get('runner_rss_mb')} MB (a floor under "
        "every child's peak RSS)",
        "- every figure is one child process measured with `os.wait4` (wall, user+sys CPU, peak "
        "RSS = its ru_maxrss); wall includes interpreter start-up and imports (`startup` row).",
        f"- GBK CSV: the CSV export transcoded to {GBK_CODEC.upper()} (GBK's superset; the same "
        f"bytes for every GBK character) by an incremental codec, {TRANSCODE_CHUNK >> 20} MB at a time",
        *part,
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
        ("CSV export MB (UTF-8)", col("csv_size_mb")),
        (f"CSV export in GBK MB ({GBK_CODEC})", col("gbk_size_mb")),
        ("imported database MB (from Parquet)", col("import_db_size_mb")),
        ("imported database MB (from GBK CSV)", col("import_gbk_db_size_mb")),
        ("national-format files MB (GBK CSV rosters, workbooks)", col("national_size_mb")),
        ("imported database MB (from the national files)", col("import_national_db_size_mb")),
    ], scales, 1)
    lines += _table("Start-up floor: `python -c 'import pandas, duckdb, analytics.metrics'`",
                    step_rows("startup")[:3], scales)
    lines += _table("build-demo (generate + load + derived tables)", step_rows("build"), scales)
    lines += _table("export --format parquet", step_rows("export"), scales)
    lines += _table("export --format csv", step_rows("export_csv"), scales)
    lines += _table(f"the CSV export transcoded to GBK ({GBK_CODEC}, streamed)",
                    step_rows("transcode_gbk"), scales)
    lines += _table("import of that Parquet export into a fresh database (our full recomputation)",
                    step_rows("import") + [("peak RSS MB, max of runs", rss_max("import")),
                                           ("input MB", col("parquet_size_mb"))], scales)
    lines += _table("import of the GBK CSV export into a fresh database",
                    step_rows("import_gbk") + [("peak RSS MB, max of runs", rss_max("import_gbk")),
                                               ("input MB", col("gbk_size_mb"))], scales)
    lines += _table("the national-format files written from the database (`tests/national_files.py`, "
                    "issue 12)", step_rows("national_files"), scales)
    lines += _table("import of the national-format files into a fresh database (issue 12)",
                    step_rows("import_national") + [
                        ("peak RSS MB, max of runs", rss_max("import_national")),
                        ("input MB", col("national_size_mb")),
                        ("wall / the Parquet import's wall", [
                            _ratio(_get(S[s], "import_national", "wall_s"), _get(S[s], "import", "wall_s"))
                            for s in scales]),
                    ], scales)
    lines += _growth_table("Import growth: time and memory from scale to scale (issue 11)", [
        ("household-years", col("build", "household_years")),
        ("Parquet: input MB", col("parquet_size_mb")),
        ("Parquet: wall s", col("import", "wall_s")),
        ("Parquet: CPU s", col("import", "cpu_s")),
        ("Parquet: peak RSS MB", rss_max("import")),
        ("GBK CSV: input MB", col("gbk_size_mb")),
        ("GBK CSV: wall s", col("import_gbk", "wall_s")),
        ("GBK CSV: CPU s", col("import_gbk", "cpu_s")),
        ("GBK CSV: peak RSS MB", rss_max("import_gbk")),
        ("national files: input MB", col("national_size_mb")),
        ("national files: wall s", col("import_national", "wall_s")),
        ("national files: peak RSS MB", rss_max("import_national")),
    ], scales)
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
    lines += _table("the same figures by the store's SQL on the same files, nothing validated or "
                    f"stored (bench/figures_duckdb.py, best of {results['runs']}): like for like",
                    step_rows("figures_duckdb") + [
                        ("in-process s (read Parquet + compute)", col("figures_duckdb", "in_process_s")),
                        ("all runs, wall s", [", ".join(map(str, w)) if w else None
                                              for w in col("figures_duckdb", "walls_s")]),
                        ("scope-years", col("figures_duckdb", "rows")),
                    ], scales)
    phase_names = []
    for sc in scales:
        for name in (_get(S[sc], "import", "phases_s") or {}):
            if name not in phase_names:
                phase_names.append(name)
    if phase_names:
        lines += _table("where the Parquet import's time goes (s, from its progress log; the "
                        "fastest run)", [(n, col("import", "phases_s", n)) for n in phase_names],
                        scales)
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
    errors = [(s, step, S[s][step]) for s in scales for step in S[s]
              if _get(S[s], step, "log_tail") or _get(S[s], step, "stdout_tail")]
    if errors:
        lines += ["## Failures", ""]
        for s, step, r in errors:
            lines += [f"scale {s}, {step} (exit {r.get('exit')}):", ""]
            for key, what in (("log_tail", "stderr"), ("stdout_tail", "stdout")):
                if r.get(key):
                    lines += [f"{what}, last lines:", "", "```", r[key], "```", ""]
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
    parser.add_argument("--results", type=Path, default=None,
                        help="where README.md and latest.json go (default: bench/results; "
                             "WORKDIR/results for a run of part of the steps)")
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=None, metavar="STEP",
                        help="run these steps only: " + ", ".join(STEPS) + " (their missing inputs "
                             "are made; `import` also runs pandas up to scale "
                             f"{PANDAS_WITH_IMPORT_MAX_SCALE})")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the databases and exports (Parquet, CSV, GBK CSV) already in "
                             "--workdir; build and export only what is missing")
    parser.add_argument("--imports", nargs="+", choices=IMPORT_FORMATS, default=list(IMPORT_FORMATS),
                        help="which exports the import step imports (default: both)")
    parser.add_argument("--import-runs", type=int, default=1, help="best of N for each import")
    parser.add_argument("--chunk", type=int, default=0, metavar="COUNTIES",
                        help="build-demo --chunk (e.g. 20 keeps scale 100's build near 11 GB)")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite README.md from the latest.json in --results; run nothing")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="run the live working tree instead of a copy taken at the start")
    parser.add_argument("--no-profile", action="store_true",
                        help="do not profile `metrics --all` when it misses 3 s")
    args = parser.parse_args(argv)
    steps = [step for step in STEPS if step in (args.steps or STEPS)
             and not (step == "pandas" and args.skip_pandas) and not (step == "pages" and args.skip_pages)]
    if args.results is None:  # a run of part of the steps never replaces the full report
        args.results = (RESULTS if args.report_only or args.steps is None or set(args.steps) == set(STEPS)
                        else args.workdir.resolve() / "results")
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
        "import_runs": args.import_runs,
        "steps": steps,
        "pandas_with_import": not args.skip_pandas,
        "imports": args.imports,
        "reuse": args.reuse,
        "chunk": args.chunk,
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
                                             "in_process_s", "rows", "reused", "skipped", "mb_out", "error"))),
                  flush=True)

        record("startup", best([measure([python(), "-c", "import pandas, duckdb, analytics.metrics"],
                                        env=env) for _ in range(args.runs)]))
        bench_scale(scale, work, args.runs, args.page_runs, env, args.reuse, record, steps=steps,
                    chunk=args.chunk, imports=args.imports, import_runs=max(1, args.import_runs),
                    pandas_with_import=not args.skip_pandas)
        m = results["scales"][key].get("metrics_all") or {}
        if not args.no_profile and m.get("wall_s", 0) >= GOALS["metrics_all_s"]:
            profile_metrics_all(scale, work, env, record)
    results["finished_utc"] = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    write_report(results, args.results)
    print(f"wrote {args.results / 'README.md'} and {args.results / 'latest.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
