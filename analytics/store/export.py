"""The dataset written back out in the contract's format (CSV or Parquet, masked on
request), each file owner-only."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from analytics.contract import TABLE_ORDER, TABLES
from analytics.store.schema import _quote, sql_path, owner_only

if TYPE_CHECKING:  # pandas is imported by DuckDB when a query returns a frame, not here:
    pass  # `metrics --all --json` streams JSON and never needs it


def _masked_sql(column) -> str:
    """SQL masking a personal column (``contract.Column``) as ``contract.mask_name`` /
    ``mask_id_number`` do in Python (张三 → 张*, 6211**********1234); a cause → ＊."""
    c = _quote(column.name)
    if column.kind == "id_number":
        return (f"CASE WHEN {c} IS NULL OR {c} = '' THEN {c} WHEN length({c}) <= 8 "
                f"THEN repeat('*', length({c})) ELSE left({c}, 4) || repeat('*', length({c}) - 8) "
                f"|| right({c}, 4) END AS {c}")
    if column.kind == "text":
        return (f"CASE WHEN {c} IS NULL OR {c} = '' THEN {c} "
                f"ELSE left({c}, 1) || repeat('*', greatest(length({c}) - 1, 1)) END AS {c}")
    return f"CASE WHEN {c} IS NULL THEN NULL ELSE '＊' END AS {c}"


def _copy_tables(con, out_dir: str | Path, fmt: str, masked: bool = False) -> dict[str, int]:
    if fmt not in ("csv", "parquet"):
        raise ValueError("fmt must be csv or parquet")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in TABLE_ORDER:
        n = con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchall()[0][0]
        if n == 0 and not TABLES[name].required:
            continue
        target = out / f"{name}.{fmt}"
        options = "(FORMAT csv, HEADER true)" if fmt == "csv" else "(FORMAT parquet)"
        order = ", ".join(map(_quote, TABLES[name].primary_key))
        cols = ", ".join(_masked_sql(c) if masked and c.personal else _quote(c.name)
                         for c in TABLES[name].columns)
        con.execute(f"COPY (SELECT {cols} FROM {_quote(name)} ORDER BY {order}) "
                    f"TO {sql_path(target)} {options}")
        owner_only(target)
        counts[name] = n
    return counts


def export_dataset(db_path: str | Path, out_dir: str | Path, fmt: str = "csv", *,
                   masked: bool = False) -> dict[str, int]:
    """Write every contract table of the database to ``out_dir`` as TABLE.csv or TABLE.parquet,
    each file owner-only (0600).

    CSV is UTF-8 with a header row; codes and IDs stay text. Empty optional tables
    are not written. ``masked``: the contract's personal columns masked (names 张*, ID
    numbers 6211**********1234, causes ＊); such files cannot be imported again.
    Returns the row counts written. Raises ``OutdatedDatabase`` for a database built by an
    older version (a table of the contract may be missing from it).
    """
    from analytics.store.reader import Store  # the reader writes through _copy_tables too

    store = Store(db_path)
    try:
        store.verify()
    finally:
        store.close()
    with duckdb.connect(str(db_path), read_only=True) as con:
        return _copy_tables(con, out_dir, fmt, masked)
