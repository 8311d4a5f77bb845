"""Every headline figure from a Parquet export, with the store's own SQL: the like-for-like
counterpart of bench/baseline_pandas.py (issue 11, point 2; issue 18, point 6).

    python bench/figures_duckdb.py PARQUET_DIR

Reads the same files as the pandas baseline (views over ``TABLE.parquet``, nothing
validated, nothing stored) and runs the two statements the import runs to compute the
figures — ``queries/build_household_facts.sql`` and ``queries/build_figures.sql`` — in
an in-memory DuckDB. So it does what the pandas baseline does and nothing more; the
import (``python -m analytics import``) does this plus every rule of
docs/import-rules.md, storing the contract tables and building the pages' tables.

The last line printed is JSON, as the pandas baseline's: ``{"elapsed_s": …,
"peak_rss_mb": …, "rows": …}`` — elapsed = reading the files and computing every figure
(not the interpreter start-up); peak RSS = ``resource.getrusage(RUSAGE_SELF).ru_maxrss``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402 - after the path, like the other bench scripts

from analytics.config import load_config  # noqa: E402
from analytics.contract import TABLE_ORDER  # noqa: E402
from analytics.store.schema import _meta_ddl, read_query, sql_identifier, sql_path  # noqa: E402
from analytics.store.writer import fill_counties  # noqa: E402

#: The derived tables the figures need, in build order (the rest serve the pages).
FIGURE_TABLES = ("household_facts", "figures")


def duckdb_figures(folder: str | Path) -> tuple[list[str], list[tuple]]:
    """The figures table computed from the Parquet files in ``folder``: (its column names,
    its rows ordered by scope level, scope code and year)."""
    folder = Path(folder)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    for table in TABLE_ORDER:
        path = folder / f"{table}.parquet"
        if path.exists():
            con.execute(f"CREATE VIEW {sql_identifier(table)} AS "
                        f"SELECT * FROM read_parquet({sql_path(path)})")
    for statement in _meta_ddl():  # dataset_meta, poverty_lines, counties: as the import
        con.execute(statement)
    con.executemany("INSERT INTO poverty_lines VALUES (?, ?)",
                    sorted(load_config().poverty_line.items()))
    fill_counties(con)
    for statement in read_query("macros").split(";"):  # the scalar macros (scope_level …):
        if statement.strip() and " AS TABLE" not in statement:  # the table macros read
            con.execute(statement)                               # the pages' tables
    for name in FIGURE_TABLES:
        con.execute(read_query(f"build_{name}"))
    result = con.execute("SELECT * FROM figures ORDER BY scope_level, scope_code, year")
    return [d[0] for d in result.description], result.fetchall()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parquet_dir", type=Path, help="a Parquet export (TABLE.parquet files)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    _, rows = duckdb_figures(args.parquet_dir)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"elapsed_s": round(elapsed, 3), "peak_rss_mb": round(peak, 1), "rows": len(rows)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
