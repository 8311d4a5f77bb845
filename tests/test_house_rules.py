"""The house rules (issue 17, point 5), checked on every run:

- the analytics never import Streamlit (they run in the CLI, the tests, the benchmarks);
- only the store talks to DuckDB (no SQL anywhere else);
- pages draw: no pandas or plotly of their own (analytics and ui shape and build);
- the linter (ruff, pinned in requirements.txt, rules in ruff.toml) is clean;
- no module grows past about 600 lines without a reason written at its top;
- the database's schema (the contract's tables and the build_*.sql of the derived tables)
  cannot change without a SCHEMA_VERSION bump, or old files would be read half-way.
"""

from __future__ import annotations

import ast
import re
import hashlib
import subprocess
import sys

import pytest

from analytics.config import ROOT
from analytics.contract import TABLE_ORDER, TABLES
from analytics.store import QUERY_DIR, SCHEMA_VERSION, table_ddl

MAX_LINES = 600
#: Modules over MAX_LINES that issue 17 splits next; the list may only shrink (each entry
#: must still be over the limit, so a split module leaves it). Empty since analytics/demo.py
#: became the package analytics/demo/ (issue 17, point 1).
SPLIT_PENDING: dict[str, str] = {}
#: The schema's fingerprint for each SCHEMA_VERSION (see ``schema_fingerprint``). A version
#: may hold a second fingerprint for a change that writes the same tables, checked equal
#: on a database (files of either read alike, so no one has to import again): say how.
SCHEMA_FINGERPRINTS: dict[int, str | tuple[str, ...]] = {
    3: "d7c1e2a7dc3c1ecb1622226cde20d1ca38128ef89236067fac8f14ac34c66d8a",
    4: "320a742d20d17db81178afa03cf7d8c6cb84fddfd09648591c3e2f21e266148e",
    5: "6666bf2ec60436d2a755b3be1431cf32d6e20f5029369615f3519fe99ddfe167",  # 7e85f71 (see 6)
    6: "6841a6c4d0b2ddf4a3d83139146e036b1e47935585973c4cb9972caf86efe85b",
    7: "063c90ddc79197604b3a24268c5c863e299d3c4623ea50e4c1108693af57316d",
    8: ("0e0ec9359e2c2a50d7dbd805d947209def859089ea274415f8627145769c3052",
        # build_figures.sql: the Gini's windows over narrow rows. Scale 100, both built on
        # one file: integer columns equal, floating ones within 2.5e-15 relative (summation
        # order), the Gini within 7.3e-13 (bench/results/figures_narrow_gini)
        "003903badffa3604340272e05088c89820ea3e0bd9abcb6114e4b1a0dc99da50"),
}


def python_files(*folders: str) -> list:
    files = []
    for folder in folders:
        path = ROOT / folder
        files += [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
    return files


def imports(path) -> set[str]:
    """The top-level package of every module ``path`` imports (at any depth of the file)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def relative(path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_analytics_never_import_streamlit():
    offenders = [relative(p) for p in python_files("analytics") if "streamlit" in imports(p)]
    assert not offenders, offenders


def test_only_the_store_imports_duckdb():
    offenders = [relative(p) for p in python_files("analytics", "ui", "pages", "app.py")
                 if "duckdb" in imports(p) and not relative(p).startswith("analytics/store/")]
    assert not offenders, offenders


def test_pages_use_neither_pandas_nor_plotly():
    offenders = {relative(p): sorted(imports(p) & {"pandas", "plotly"})
                 for p in python_files("pages", "app.py") if imports(p) & {"pandas", "plotly"}}
    assert not offenders, offenders


def test_the_linter_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_is_too_long_without_a_reason():
    long = {}
    for path in python_files("analytics", "ui", "pages", "app.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_LINES:
            head = "\n".join(lines[:30])
            if relative(path) not in SPLIT_PENDING and "Longer than 600 lines because" not in head:
                long[relative(path)] = len(lines)
    assert not long, f"over {MAX_LINES} lines without 'Longer than 600 lines because …' at the top: {long}"
    for name in SPLIT_PENDING:  # the list only shrinks
        assert len((ROOT / name).read_text(encoding="utf-8").splitlines()) > MAX_LINES, \
            f"{name} is short now: take it off SPLIT_PENDING"


def schema_fingerprint() -> str:
    """SHA-256 over the contract tables' DDL and every build_*.sql, in a fixed order."""
    digest = hashlib.sha256()
    for name in TABLE_ORDER:
        digest.update(table_ddl(TABLES[name]).encode())
    for path in sorted(QUERY_DIR.glob("build_*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


#: Where SQL takes a file name (a table function's first argument, COPY … TO): the value
#: that follows must be ``{sql_path(…)}``, however the f-string is split over lines.
FILE_ARGUMENT = re.compile(r"""(?:read_csv|read_parquet|parquet_metadata)\((?:"\s*f")?\{(?!sql_path\()"""
                           r"""|\bTO\s+(?:'|"\s*f")?\{(?!sql_path\()""")


def test_paths_are_put_into_sql_one_way():
    """Issue 17, point 2: a path goes into SQL through ``analytics.store.schema.sql_path``
    only (quoted and escaped once), in the store and in the importer."""
    found = {relative(path): [m.group(0) for m in FILE_ARGUMENT.finditer(path.read_text(encoding="utf-8"))]
             for path in python_files("analytics")}
    assert not {k: v for k, v in found.items() if v}, found
    # the check can fail: the forms it exists to catch
    for wrong in ('read_csv({_lit(str(p))})', 'read_parquet("\n   f"{p})', "TO '{path}'",
                  'COPY (x) TO {target} (FORMAT csv)'):
        assert FILE_ARGUMENT.search(wrong), wrong
    assert not FILE_ARGUMENT.search("read_parquet({sql_path(path)}, file_row_number = true)")


def test_the_schema_does_not_change_without_a_version_bump():
    assert SCHEMA_VERSION in SCHEMA_FINGERPRINTS, (
        f"SCHEMA_VERSION {SCHEMA_VERSION} has no fingerprint: add {SCHEMA_VERSION}: "
        f'"{schema_fingerprint()}" to SCHEMA_FINGERPRINTS')
    known = SCHEMA_FINGERPRINTS[SCHEMA_VERSION]
    assert schema_fingerprint() in ((known,) if isinstance(known, str) else known), (
        "the contract tables or a build_*.sql changed: bump SCHEMA_VERSION in analytics/store/schema.py "
        f'(say what changed beside it) and add its fingerprint "{schema_fingerprint()}"')


@pytest.mark.parametrize("rule", [test_analytics_never_import_streamlit, test_only_the_store_imports_duckdb])
def test_the_import_rules_can_fail(rule, monkeypatch):
    """A module that breaks a rule is caught (the checks above are not vacuous)."""
    fake = ROOT / "analytics" / "queries" / "__house_rule_probe__.py"
    monkeypatch.setattr(sys.modules[__name__], "python_files",
                        lambda *folders: [fake] if "analytics" in folders else [])
    fake_source = "import streamlit\nimport duckdb\n"
    monkeypatch.setattr(type(fake), "read_text", lambda self, encoding=None: fake_source)
    with pytest.raises(AssertionError):
        rule()
