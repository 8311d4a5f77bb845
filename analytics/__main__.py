"""Command line: ``python -m analytics COMMAND`` (see ``--help`` and the data contract)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from pathlib import Path

from analytics.store import DEFAULT_DB


def _actor() -> str:
    """The operating-system user running the command (for the audit trail)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _progress(started: float):
    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)
    return say


#: Beyond this scale (counties) the demo is built as ``--no-constraints --chunk
#: LARGE_DEMO_CHUNK`` unless told otherwise: the key indexes cannot spill to disk, and at
#: scale 100 they alone outgrew the writer's 2 GB cap (the build failed at loading
#: household_measures: "failed to pin block"); the rows are valid by construction.
LARGE_DEMO_SCALE = 20
LARGE_DEMO_CHUNK = 20


def cmd_build_demo(args) -> int:
    from analytics import audit
    from analytics.demo import demo_as_of, demo_tables, replica_count
    from analytics.store import write_dataset_chunks

    say = _progress(time.perf_counter())
    say(f"building the demo dataset, scale {args.scale:g}, seed {args.seed}")
    total = replica_count(args.scale)
    large = args.scale > LARGE_DEMO_SCALE
    if large and not args.no_constraints:
        say(f"scale > {LARGE_DEMO_SCALE}: without key indexes (rows valid by construction), "
            f"{args.chunk or LARGE_DEMO_CHUNK} counties at a time")
    step = args.chunk or (LARGE_DEMO_CHUNK if large else total)
    chunks = (demo_tables(scale=args.scale, seed=args.seed, progress=say,
                          replicas=slice(start, start + step))
              for start in range(0, total, step))
    counts = write_dataset_chunks(
        chunks, args.db, source=f"demo scale={args.scale:g} seed={args.seed}",
        as_of=demo_as_of(), constraints=not (args.no_constraints or large),
        memory_limit=args.memory_limit, progress=say,
    )
    audit.record(_actor(), "cli", "build_demo", f"scale={args.scale:g} seed={args.seed}",
                 sum(counts.values()))
    size = Path(args.db).stat().st_size
    say(f"done: {counts.get('households', 0):,} households, "
        f"{counts.get('household_years', 0):,} household-years, {size / 1e6:,.1f} MB at {args.db}")
    return 0


def cmd_import(args) -> int:
    """Exit 0: the data was replaced and its audit row written; 1: nothing changed.
    ``--dry-run`` changes nothing either way: 0 when the import would load the data, 1
    when it would be rejected (a field missing, or any problem in the data)."""
    from analytics.ingest import write_problems_report
    from analytics.ingest.report import problem_count
    from analytics.loading import load_dataset

    say = _progress(time.perf_counter())
    if args.dry_run:
        from analytics.ingest import describe_input
        from analytics.loading import check_dataset

        dry = describe_input(args.path)
        print(dry.text)
        if not dry.ok:
            print("试导入：缺少必需的字段或没有认识的文件，导入会被拒绝（--dry-run，未导入）。", file=sys.stderr)
            return 1
        checked = check_dataset(args.path, progress=say)
        if not checked.ok:
            print(write_problems_report(checked.problems, checked.notices))
            print(f"试导入：{problem_count(checked.problems):,} 个问题，导入会被拒绝"
                  f"（--dry-run，数据库 {args.db} 未改动）。", file=sys.stderr)
            return 1
        if checked.notices:
            print(write_problems_report([], checked.notices))
        print(f"试导入通过：{sum(checked.counts.values()):,} 行全部符合规则，导入会成功"
              f"（--dry-run，数据库 {args.db} 未改动）。")
        return 0
    result = load_dataset(args.path, args.db, actor=_actor(), role="cli",
                          source=str(Path(args.path).resolve()), progress=say)
    if not result.ok:
        print(write_problems_report(result.problems, result.notices))
        print(f"导入被拒绝：{problem_count(result.problems):,} 个问题；数据库 {args.db} 未改动。",
              file=sys.stderr)
        return 1
    if result.notices:
        print(write_problems_report([], result.notices))
    from analytics.contract import TABLES

    say("已导入：" + "，".join(f"{TABLES[k].label}（{k}）{v:,} 行" for k, v in result.counts.items()))
    return 0


def cmd_export(args) -> int:
    """The dataset as contract files (import ∘ export round-trips: data-contract.md), or
    with ``--masked`` the personal columns masked, for sharing; recorded in the audit
    first, saying which (nothing is written if it cannot be). Files are owner-only."""
    from analytics import audit
    from analytics.store import Store, export_dataset

    rows = sum(json.loads(Store(args.db).meta().get("row_counts", "{}")).values())
    how = "masked" if args.masked else "unmasked"
    audit.record(_actor(), "cli", "export", f"{args.path} ({args.format}, {how})", rows)
    counts = export_dataset(args.db, args.path, fmt=args.format, masked=args.masked)
    for name, n in counts.items():
        print(f"{name}: {n:,} rows")
    print("姓名、身份证号和致贫、返贫原因已脱敏（这样的文件不能再导入）" if args.masked else
          "含姓名、身份证号等个人信息（文件仅本用户可读；已记入审计）；对外提供请加 --masked")
    return 0


def _store(args):
    from analytics.store import Store

    if not Path(args.db).exists():
        print(f"no database at {args.db}; run `python -m analytics build-demo` or `import` first",
              file=sys.stderr)
        raise SystemExit(2)
    return Store(args.db)


#: The province's name (as analytics.metrics.PROVINCE_NAME: this module imports no pandas
#: before a command needs it, and `metrics --all --json` needs none).
PROVINCE_NAME = "全省"


def cmd_metrics(args) -> int:
    """``--all`` prints every scope and year (narrowed by ``--county``/``--township``/
    ``--village`` to that scope and those under it, and by ``--year`` to that year),
    ``--year Y`` alone one scope's year."""
    store = _store(args)
    if args.all and args.json:  # DuckDB writes the JSON itself: no pandas, no numpy imported
        from analytics.config import load_config

        sys.stdout.flush()
        try:
            store.copy_query("headline_figures_json", "/dev/stdout",
                             relapse_cap=float(load_config().targets["relapse_cap_pct"]),
                             province_name=PROVINCE_NAME, only_county=args.county or "",
                             only_township=args.township or "", only_village=args.village or "",
                             only_year=args.year)
        except Exception as error:  # DuckDB's own writer reports a closed pipe as its IOException
            if "Broken pipe" in str(error) or '"errno":"32"' in str(error):
                raise BrokenPipeError(str(error)) from error
            raise
        return 0
    from analytics.metrics import HEADLINE_KEYS, UnknownScope, all_headline_figures, headline_figures

    if args.all:
        try:
            frame = all_headline_figures(store, county=args.county, township=args.township,
                                         village=args.village)
        except UnknownScope as unknown:
            print(str(unknown), file=sys.stderr)
            return 2
        if args.year is not None:
            frame = frame[frame["year"] == args.year]
        # a value the figure does not have (the province's code, a rate without its
        # denominator) prints as —, as on the pages; --json keeps null
        print(frame.to_string(index=False, na_rep="—"))
        return 0
    if args.year is None:
        print("metrics needs --year Y or --all", file=sys.stderr)
        return 2
    try:
        record = headline_figures(store, args.year, township=args.township, village=args.village,
                                  county=args.county)
    except UnknownScope as unknown:
        print(str(unknown), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
    else:
        print(f"{record['name'] or PROVINCE_NAME} {record['year']}")
        for key in HEADLINE_KEYS:
            print(f"  {key:30} {record[key]}")
    return 0


def cmd_check(args) -> int:
    from analytics.quality import quality_findings

    store = _store(args)
    findings = quality_findings(store)
    total = 0
    for finding in findings:
        total += finding.count
        print(f"{finding.rule:24} {finding.count:8,}  {finding.title}")
        if finding.count and args.verbose:
            print(finding.rows.head(args.verbose).to_string(index=False))
    print(f"{total:,} finding(s)" if total else "clean: no findings")
    return 1 if total else 0


def cmd_add_user(args) -> int:
    from analytics.accounts import add_user, users_path

    password = None
    if not args.no_password:
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("password: ")
            if password != getpass.getpass("again: "):
                print("the passwords differ", file=sys.stderr)
                return 2
    try:
        add_user(args.name, password, args.role, args.township, counties=args.county)
    except ValueError as bad:
        print(str(bad), file=sys.stderr)
        return 2
    print(f"saved {args.name} ({args.role}) in {users_path()}; sign-in is now required")
    for code in _codes_not_loaded(args.db, args.township or [], args.county or []):
        print(f"warning: {code} is not in the database at {args.db}: the account sees nothing "
              "there until that data is imported", file=sys.stderr)
    return 0


def _codes_not_loaded(db, townships: list[str], counties: list[str]) -> list[str]:
    """The township and county codes of an account that the database ``db`` does not hold
    (none when there is no readable database yet: an account may come before its data)."""
    from analytics.store import OutdatedDatabase, Store, UnreadableDatabase

    if not Path(db).exists() or not (townships or counties):
        return []
    try:
        store = Store(db)
        towns = set(store.query("townships")["township_code"])
        loaded = set(store.query("counties")["county_code"])
    except (OutdatedDatabase, UnreadableDatabase):
        return []
    return [c for c in townships if c not in towns] + [c for c in counties if c not in loaded]


def cmd_add_screen(args) -> int:
    from analytics.accounts import add_screen

    token = add_screen(args.name)
    print(f"screen {args.name}: open /battle_map?kiosk=1&token={token}")
    print("(the token is shown once; run add-screen again to replace it)")
    return 0


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # every file this command creates (database, audit, exports) is owner-only
    # --db may stand before or after the command: the top level sets the default, a
    # command's own --db (SUPPRESS: absent unless given) overrides it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=argparse.SUPPRESS,
                        help=f"database file (default {DEFAULT_DB})")
    parser = argparse.ArgumentParser(prog="python -m analytics")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB,
                        help=f"database file (default {DEFAULT_DB})")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build-demo", parents=[common], help="generate and load the demo dataset")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=2015)
    p.add_argument("--chunk", type=int, default=0, metavar="COUNTIES",
                   help="build this many county replicas at a time (for scales beyond memory)")
    p.add_argument("--no-constraints", action="store_true",
                   help="leave out key indexes (rows are valid by construction)")
    p.add_argument("--memory-limit", metavar="GB", help="cap DuckDB's memory, spilling to disk")
    p.set_defaults(run=cmd_build_demo)

    p = sub.add_parser("import", parents=[common], help="validate and load a dataset "
                       "(contract tables, or the national system's roster exports, the village "
                       "ledger and the pairing list: docs/import-formats.md)")
    p.add_argument("path", type=Path)
    p.add_argument("--dry-run", action="store_true",
                   help="say which format each file is and which column feeds which field, then "
                        "check every rule without changing the database: exit 0 if the import "
                        "would load it, 1 (with every problem) if it would be rejected")
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("export", parents=[common], help="write the dataset back out")
    p.add_argument("path", type=Path)
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    p.add_argument("--masked", action="store_true",
                   help="mask names, ID numbers and causes (for sharing; such files cannot be "
                        "imported again). Without it the files hold personal data (owner-only, audited)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("metrics", parents=[common], help="headline figures")
    p.add_argument("--year", type=int)
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--county", help="6-digit county code (default: all that is loaded)")
    scope.add_argument("--township")
    scope.add_argument("--village")
    p.add_argument("--all", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_metrics)

    p = sub.add_parser("check", parents=[common], help="data-quality report")
    p.add_argument("--verbose", type=int, default=0, metavar="N", help="show N rows per finding")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("add-user", help="add or replace a local account (sign-in then required)")
    p.add_argument("name")
    p.add_argument("--role", choices=("province", "county", "township"), required=True)
    p.add_argument("--township", action="append", help="township code (township role; repeatable)")
    p.add_argument("--county", action="append",
                   help="6-digit county code (county role; none: every county loaded)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--no-password", action="store_true",
                   help="an identity-provider (OIDC) account: the name is the e-mail address")
    p.set_defaults(run=cmd_add_user)

    p = sub.add_parser("add-screen", help="register a meeting-room screen and print its URL")
    p.add_argument("name")
    p.set_defaults(run=cmd_add_screen)

    args = parser.parse_args(argv)
    from analytics.audit import AuditUnavailable
    from analytics.store import ImportInProgress, OutdatedDatabase, UnreadableDatabase

    try:
        return args.run(args)
    except (OutdatedDatabase, UnreadableDatabase) as unusable:
        print(str(unusable), file=sys.stderr)
        return 2
    except (ImportInProgress, AuditUnavailable) as refused:
        print(str(refused), file=sys.stderr)
        return 1


def _run_to_a_pipe() -> int:
    """``main()``, ending quietly when the reader of stdout goes away (`metrics … | head -1`):
    Python's documented recipe (docs.python.org/3/library/signal.html#note-on-sigpipe) —
    point stdout at devnull so the interpreter's final flush cannot raise again, exit 0."""
    try:
        code = main()
        sys.stdout.flush()  # a pipe closed early fails here, inside the try
        return code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(_run_to_a_pipe())
