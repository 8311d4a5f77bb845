"""The pandas baseline of the benchmark (bench/baseline_pandas.py) and the store's SQL
rollup (queries/build_figures.sql) compute the same headline figures for every scope
and year: an independent cross-check of both implementations."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics.metrics import HEADLINE_KEYS, all_headline_figures
from analytics.store import Store, export_dataset, write_dataset

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "baseline_pandas.py"


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _baseline():
    spec = importlib.util.spec_from_file_location("baseline_pandas", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exported_demo(root: Path, scale: float) -> tuple[Path, Path]:
    """The demo of ``scale`` (seed 7) in ``root``: (its database, its Parquet export)."""
    from analytics.demo import demo_as_of, demo_tables

    db = root / "demo.duckdb"
    write_dataset(demo_tables(scale=scale, seed=7), db, source=f"demo scale {scale}",
                  as_of=demo_as_of())
    export_dataset(db, root / "parquet", fmt="parquet")
    return db, root / "parquet"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    return exported_demo(tmp_path_factory.mktemp("baseline"), 0.05)


def _first_difference(problems: list[str]) -> str:
    shown = "\n  ".join(problems[:10])
    return f"{len(problems)} difference(s) between the pandas baseline and the store; first:\n  {shown}"


def test_pandas_figures_equal_the_store(exported):
    db, parquet = exported
    baseline = _baseline()
    store = Store(db)
    try:
        ours = all_headline_figures(store)
    finally:
        store.close()
    theirs = baseline.pandas_figures(parquet)

    # every scope and year, nothing more
    assert len(theirs) == len(ours)
    assert set(theirs["scope"]) == {"county", "township", "village"}
    assert (theirs["scope"] == "village").sum() > (theirs["scope"] == "township").sum() > 0
    keys = tuple(dict.fromkeys([*HEADLINE_KEYS, "watts_excluded_persons"]))
    assert set(keys) <= set(theirs.columns)

    problems = baseline.compare_figures(ours, theirs, keys=keys)
    assert not problems, _first_difference(problems)

    # the figures are not trivially equal: both have nulls, transitions and inequality
    assert theirs["relapse_rate_pct"].isna().any()
    assert theirs["exited_persons"].sum() > 0 and theirs["relapsed_persons"].sum() > 0
    assert theirs["gini"].between(0, 1).any() and theirs["watts"].gt(0).any()


def test_compare_reports_the_first_difference(exported):
    """The comparison itself fails loudly: a changed value, a null, a missing row."""
    db, parquet = exported
    baseline = _baseline()
    theirs = baseline.pandas_figures(parquet)
    changed = theirs.copy()
    row = changed.index[(changed["scope"] == "village")][3]
    changed.loc[row, "gini"] = changed.loc[row, "gini"] * (1 + 1e-6)
    first_rate = changed.index[changed["relapse_rate_pct"].notna()][0]
    changed.loc[first_rate, "relapse_rate_pct"] = None
    problems = baseline.compare_figures(theirs, changed.drop(index=len(changed) - 1))
    text = "\n".join(problems)
    assert "only in the first frame" in text
    assert f"village {changed.loc[row, 'code']} {int(changed.loc[row, 'year'])} gini: " in text
    assert "relapse_rate_pct: " in text and " != nan" in text
    assert not baseline.compare_figures(theirs, theirs.copy())


def test_command_line(exported, tmp_path):
    _, parquet = exported
    out = tmp_path / "figures.parquet"
    done = subprocess.run([sys.executable, str(SCRIPT), str(parquet), "--out", str(out)],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["elapsed_s"] > 0 and last["peak_rss_mb"] > 0
    assert last["rows"] == len(pd.read_parquet(out))


def test_figures_from_the_files_equal_the_stored_figures(exported):
    db, parquet = exported
    columns, rows = _bench("figures_duckdb").duckdb_figures(parquet)
    con = duckdb.connect(str(db), read_only=True)
    try:
        result = con.execute("SELECT * FROM figures ORDER BY scope_level, scope_code, year")
        stored_columns, stored = [d[0] for d in result.description], result.fetchall()
    finally:
        con.close()
    assert columns == stored_columns
    assert len(rows) == len(stored) > 100
    floats = 0
    for row, theirs in zip(rows, stored):
        for name, ours, value in zip(columns, row, theirs):
            if isinstance(value, float):
                floats += 1
                assert ours == pytest.approx(value, rel=1e-12, abs=1e-12), (name, row[:5])
            else:
                assert ours == value, (name, row[:5])
    assert floats > 1000  # the comparison reached the figures, not only the keys
