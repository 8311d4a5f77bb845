"""The database's shape and its paths: where the file is, the contract tables' DDL,
the derived tables and SCHEMA_VERSION, the query files and macros, file permissions."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from analytics.config import DATA_DIR
from analytics.contract import TABLES, Table

if TYPE_CHECKING:  # pandas is imported by DuckDB when a query returns a frame, not here:
    pass  # `metrics --all --json` streams JSON and never needs it


def default_db_path() -> Path:
    """The app's database: $TONGWEI_DB if set, else data/tongwei.duckdb."""
    return Path(os.environ.get("TONGWEI_DB", DATA_DIR / "tongwei.duckdb"))


DEFAULT_DB = default_db_path()
QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
# Derived tables, rebuilt with every load, in build order.
# (Macros are created before the first that calls one: a table macro needs its tables.)
DERIVED_TABLES = ("household_facts", "household_risk_factors", "figures",
                  "village_year_households", "village_year_measures", "cadre_over_quota_villages",
                  "cohort_township_years", "township_incidence_parts")
# 2: household_risk_factors; household_facts.prev_wage_income
# 3: village_support (contract extension); village_year_households, village_year_measures
# 4: figures.registered_persons → enrolled_persons (建档立卡人口, apart from the contract's
#    户籍 registered_population)
# 5: cadre_over_quota_villages, cohort_township_years, township_incidence_parts (what pages
#    scanned household_facts for on opening, built once per import: issue 18, point 3)
# 6: the 8741 table is cadre_over_quota_villages — version 5 was also written (commit
#    7e85f71) with cadre_village_years in its place; such a file must be rebuilt too
# 7: household_facts.next_year (village_year_households read it instead of sorting the
#    panel a second time: 0.5 s of a 7.9 s import at scale 10)
# 8: counties (the level between the province and the township: issue 18, point 1);
#    figures: scope levels province / county / township / village, county_code
SCHEMA_VERSION = 8

Progress = Callable[[str], None] | None


def _say(progress: Progress, message: str) -> None:
    if progress is not None:
        progress(message)


def read_query(name: str) -> str:
    """The SQL text of ``queries/<name>.sql`` (names come from code, never from users)."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad query name {name!r}")
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


def sql_identifier(identifier: str) -> str:
    """Quote an identifier that comes from the contract or our own names (tables, columns,
    staging relations), never from input: ASCII letters, digits and underscores only, else
    ValueError. The one way an identifier is put into SQL, by the store and the importer."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", identifier):
        raise ValueError(f"bad identifier {identifier!r}")
    return f'"{identifier}"'


def sql_string(text: str) -> str:
    """A SQL string literal of a constant from our own code (quotes doubled): for the few
    places DuckDB binds no parameter (DDL, a table function's options, regex constants)."""
    return "'" + text.replace("'", "''") + "'"


_quote = sql_identifier


def table_ddl(table: Table, constraints: bool = True) -> str:
    """CREATE TABLE for a contract table: types, NOT NULL, enum and range checks, and
    (unless ``constraints`` is False) the primary, unique and foreign keys."""
    lines = []
    for c in table.columns:
        parts = [_quote(c.name), c.sql_type]
        if not c.nullable:
            parts.append("NOT NULL")
        if c.choices:
            allowed = ", ".join("'" + v.replace("'", "''") + "'" for v in c.choices)
            parts.append(f"CHECK ({_quote(c.name)} IN ({allowed}))")
        if c.minimum is not None:
            parts.append(f"CHECK ({_quote(c.name)} >= {float(c.minimum)!r})")
        if c.maximum is not None:
            parts.append(f"CHECK ({_quote(c.name)} <= {float(c.maximum)!r})")
        if c.kind == "code" and c.digits:
            parts.append(f"CHECK (length({_quote(c.name)}) = {int(c.digits)})")
        if c.kind == "id_number":
            parts.append(f"CHECK (length({_quote(c.name)}) = 18)")
        lines.append(" ".join(parts))
    if not constraints:
        return f"CREATE TABLE {_quote(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"
    lines.append("PRIMARY KEY (" + ", ".join(map(_quote, table.primary_key)) + ")")
    for u in table.unique:
        lines.append(f"UNIQUE ({_quote(u)})")
    for fk in table.foreign_keys:
        # cadre_id refers to cadres only when that optional table is given; the
        # importer checks it then, so it is not a schema constraint.
        if not TABLES[fk.table].required:
            continue
        lines.append(
            "FOREIGN KEY (" + ", ".join(map(_quote, fk.columns)) + ") REFERENCES "
            + _quote(fk.table) + " (" + ", ".join(map(_quote, fk.ref_columns)) + ")"
        )
    return f"CREATE TABLE {_quote(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"


def _meta_ddl() -> list[str]:
    return [
        "CREATE TABLE dataset_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        "CREATE TABLE poverty_lines (year INTEGER PRIMARY KEY, poverty_line DOUBLE NOT NULL)",
        # the counties of the townships loaded, named from the reference (analytics/counties.py)
        "CREATE TABLE counties (county_code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL)",
    ]


def _macro_names() -> tuple[str, ...]:
    """The names of the macros of queries/macros.sql."""
    return tuple(re.findall(r"MACRO\s+(\w+)\s*\(", read_query("macros")))


@lru_cache(maxsize=256)  # on every query's path; the texts are the few query files
def _uses_macros(sql: str) -> bool:
    """Whether ``sql`` calls one of the macros of queries/macros.sql."""
    return any(re.search(rf"\b{name}\s*\(", sql) for name in MACRO_NAMES)


def _create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The macros of queries/macros.sql as temporary macros of this connection or
    cursor (nothing is stored in the file, so a database written by any version reads)."""
    for statement in read_query("macros").split(";"):
        if statement.strip():
            con.execute(statement)


OWNER_ONLY = 0o600  # the database, the audit file and exports: personal data


def owner_only(path: str | Path) -> None:
    """Make ``path`` readable and writable by its owner only (it holds personal data)."""
    os.chmod(path, OWNER_ONLY)


def sql_path(path: Path | str) -> str:
    """A file path as a SQL string literal (``sql_string``): the one way a path is put into
    SQL, by the store and the importer alike. DuckDB binds no parameter where a table
    function or COPY wants a file name."""
    return sql_string(str(path))


MACRO_NAMES = _macro_names()
