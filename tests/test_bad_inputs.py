"""Any file, no harm: the committed corpus of bad inputs (tests/bad_inputs/, see
make_corpus.py and manifest.json) against every way a dataset gets in.

For each bad case, through ``python -m analytics import`` (a real subprocess for a few
cases, ``REAL_PROCESS``; the others through the command's own ``main`` in this process,
same argv and assertions: tests/cli_runner.py),
``loading.load_dataset`` and ``loading.load_uploaded_files`` (the upload page's path):

- it is rejected (exit code 1 / ``ok`` false), with exactly the manifest's problems,
  each printed with its file, line, column and rule;
- no raw name or ID number from the file appears in any message or on the console;
- the database that was there (a demo database built with ``build-demo``) is
  byte-for-byte what it was, and nothing is left beside it.

The good cases (GBK, UTF-8 with BOM, a workbook) load and give the same
``metrics --all --json`` as the UTF-8 original, which is the hand dataset.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from analytics.config import ROOT
from analytics.ingest import RULES, write_problems_report
from analytics.ingest.report import column_title
from analytics.loading import load_dataset, load_uploaded_files
from analytics.metrics import all_headline_figures
from analytics.store import Store
from tests.cli_runner import cli_in_process

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
CASES = {c["name"]: c for c in MANIFEST["cases"]}
BAD = [c for c in MANIFEST["cases"] if c["expect"] == "reject"]
GOOD = [c for c in MANIFEST["cases"] if c["expect"] == "load"]
BAD_CLI = [c for c in BAD if c["cli"]]
ZIP_BOMB_PADDING = 201 * 2**20  # past the 200 MB default limit; ~200 KB on disk
# The cases run through a real ``python -m analytics`` (a CSV folder, a workbook, the
# generated zip bomb; a good case in another encoding); the others run the same command
# in this process (a Python start with pandas and DuckDB is about a second of CPU each).
REAL_PROCESS = {"missing_column", "xlsx_formula", "xlsx_zip_bomb", "gbk"}


def cli(*args, db: Path | None = None, timeout: float = 120,
        real: bool = True) -> subprocess.CompletedProcess:
    command = [*map(str, args)]
    if db is not None:
        command += ["--db", str(db)]
    if not real:
        return cli_in_process(*command)
    return subprocess.run([sys.executable, "-m", "analytics", *command], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def where(p: dict) -> str:
    """How the report prints a problem's place, up to its column's position (the
    manifest does not hold it), as Problem.where does."""
    text = p["source"]
    if p["line"] is not None:
        text += f" 第 {p['line']:,} 行"
    return text


def printed(p: dict, out: str) -> bool:
    """Whether the report prints the problem: its place, column and rule on one line."""
    column = column_title(p["table"], p["column"]) if p["column"] else ""
    return any(line.startswith(f"  - {where(p)}") and column in line
               and line.endswith(f"[{p['rule']}]") for line in out.splitlines())


def key(p) -> tuple:
    if isinstance(p, dict):
        return (p["table"], p["line"], p["column"], p["rule"], p["source"])
    return (p.table, p.line, p.column, p.rule, p.source)


def assert_masked(text: str, case: dict) -> None:
    for value in case["personal_values"]:
        assert value not in text, f"raw personal value {value!r} shown ({case['name']})"


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """A demo database, the one every rejected import must leave untouched."""
    db = tmp_path_factory.mktemp("base") / "demo.duckdb"
    built = cli("build-demo", "--scale", "0.02", "--seed", "11", db=db)
    assert built.returncode == 0, built.stderr
    return db


@pytest.fixture
def app_db(base_db, tmp_path) -> Path:
    """A private copy of the demo database in its own folder (so leftovers show)."""
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "app.duckdb"
    shutil.copyfile(base_db, db)
    return db


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("generated")


def case_path(case: dict, generated: Path) -> Path:
    if case["path"] is not None:
        return CORPUS / case["path"]
    assert case["generate"] == "zip_bomb_default_limit", case
    from tests.bad_inputs.make_corpus import make_zip_bomb

    path = generated / f"{case['name']}.xlsx"
    if not path.exists():
        make_zip_bomb(path, ZIP_BOMB_PADDING)
    assert path.stat().st_size < 1_000_000
    with zipfile.ZipFile(path) as z:
        assert sum(i.file_size for i in z.infolist()) > 200 * 2**20
    return path


def upload_files(path: Path) -> list[tuple[str, bytes]]:
    if path.is_dir():
        return [(f.name, f.read_bytes()) for f in sorted(path.iterdir())]
    return [(path.name, path.read_bytes())]


def params(cases):
    """One pytest param per case (a case with a ``known_bug`` would be xfail(strict=True))."""
    return [pytest.param(c, id=c["name"], marks=[pytest.mark.xfail(
        strict=True, reason=c["known_bug"])] if c.get("known_bug") else [])
        for c in cases]


# --------------------------------------------------------------------------- the corpus itself


def test_manifest_covers_the_issue_and_every_path_exists():
    rules = {p["rule"] for c in BAD for p in c["problems"]}
    assert {"missing_column", "unknown_column", "stored_as_number", "id_checksum",
            "duplicate_key", "foreign_key", "year_gap", "minimum", "int_format",
            "bad_header", "formula", "empty_table", "file_too_large", "zip_bomb"} <= rules
    assert {"gbk", "utf8_bom", "utf8"} <= {c["name"] for c in GOOD}
    assert REAL_PROCESS <= {c["name"] for c in GOOD + BAD_CLI}
    for c in MANIFEST["cases"]:
        if c["path"] is not None:
            assert (CORPUS / c["path"]).exists(), c["name"]
        for p in c["problems"]:
            assert p["rule"] in RULES, (c["name"], p)
        assert bool(c["problems"]) == (c["expect"] == "reject"), c["name"]
        assert c["personal_values"], c["name"]
    # committed files stay small: the large bomb is built at test time
    assert sum(f.stat().st_size for f in CORPUS.rglob("*") if f.is_file()) < 1_000_000


def test_encoded_copies_really_are_gbk_and_bom():
    utf8 = (CORPUS / "utf8" / "households.csv").read_bytes()
    gbk = (CORPUS / "gbk" / "households.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert gbk.decode("gbk").encode("utf-8") == utf8
    for f in (CORPUS / "utf8_bom").iterdir():
        data = f.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert data[3:] == (CORPUS / "utf8" / f.name).read_bytes()


def test_corpus_is_what_make_corpus_writes(tmp_path):
    """The committed artifacts are reproducible: regenerate and compare byte for byte."""
    from tests.bad_inputs.make_corpus import build

    manifest = build(tmp_path / "corpus")
    assert manifest == MANIFEST, "manifest.json is stale: run tests/bad_inputs/make_corpus.py"
    fresh = sorted(p.relative_to(tmp_path / "corpus") for p in (tmp_path / "corpus").rglob("*")
                   if p.is_file())
    committed = sorted(p.relative_to(CORPUS) for p in CORPUS.rglob("*")
                       if p.is_file() and p.name != "make_corpus.py" and "__pycache__" not in p.parts)
    assert fresh == committed
    for rel in fresh:
        assert (tmp_path / "corpus" / rel).read_bytes() == (CORPUS / rel).read_bytes(), rel


# --------------------------------------------------------------------------- bad cases


@pytest.mark.parametrize("case", params(BAD_CLI))
def test_bad_input_rejected_by_the_command_line(case, app_db, generated):
    path = case_path(case, generated)
    before = digest(app_db)
    listing = sorted(p.name for p in app_db.parent.iterdir() if not p.name.endswith(".lock"))
    result = cli("import", path, db=app_db, real=case["name"] in REAL_PROCESS)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    out = result.stdout
    n = len(case["problems"])
    assert out.startswith("导入被拒绝：") and f"共 {n:,} 个问题" in out.splitlines()[0], out
    for p in case["problems"]:
        assert printed(p, out), f"{where(p)!r} not in\n{out}"
    assert "未改动" in result.stderr
    assert_masked(out + result.stderr, case)
    assert digest(app_db) == before
    assert sorted(p.name for p in app_db.parent.iterdir() if not p.name.endswith(".lock")) == listing


@pytest.mark.parametrize("case", params(BAD))
def test_bad_input_rejected_by_load_dataset(case, app_db, generated):
    path = case_path(case, generated)
    before = digest(app_db)
    result = load_dataset(path, app_db, max_bytes=case["max_bytes"])
    assert not result.ok and result.counts == {}
    got = sorted(map(key, result.problems), key=str)
    assert got == sorted(map(key, case["problems"]), key=str), \
        "\n".join(map(str, result.problems))
    by_key = {key(p): p for p in result.problems}
    for p in case["problems"]:
        assert str(by_key[key(p)]).startswith(where(p))
        assert by_key[key(p)].message.strip()
    assert_masked("\n".join(map(str, result.problems)) + write_problems_report(result.problems),
                  case)
    assert digest(app_db) == before
    assert sorted(p.name for p in app_db.parent.iterdir()) in (
        [app_db.name], [f".{app_db.name}.lock", app_db.name])


@pytest.mark.parametrize("case", params(BAD))
def test_bad_input_rejected_by_the_upload_path(case, app_db, generated):
    path = case_path(case, generated)
    before = digest(app_db)
    result = load_uploaded_files(upload_files(path), app_db, max_bytes=case["max_bytes"])
    assert not result.ok
    assert sorted(map(key, result.problems), key=str) == sorted(map(key, case["problems"]),
                                                                key=str)
    assert_masked("\n".join(map(str, result.problems)), case)
    assert digest(app_db) == before
    assert sorted(p.name for p in app_db.parent.iterdir()) in (
        [app_db.name], [f".{app_db.name}.lock", app_db.name])


def test_max_bytes_cases_load_without_the_limit(app_db):
    """The size cases are only bad because of the limit: without it the same files load."""
    for case in BAD:
        if case["max_bytes"] is None or case["problems"][0]["rule"] != "file_too_large":
            continue
        result = load_dataset(CORPUS / case["path"], app_db)
        assert result.ok, (case["name"], result.problems)


# --------------------------------------------------------------------------- good cases


@pytest.fixture(scope="module")
def reference_metrics(tmp_path_factory, hand_db) -> str:
    """`metrics --all --json` of the UTF-8 original imported with the command line."""
    db = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    loaded = cli("import", CORPUS / "utf8", db=db)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    result = cli("metrics", "--all", "--json", db=db)
    assert result.returncode == 0, result.stderr
    # the UTF-8 original is the hand dataset
    assert result.stdout == cli("metrics", "--all", "--json", db=hand_db).stdout
    assert len([line for line in result.stdout.splitlines() if line]) == (1 + 2 + 3) * 4
    return result.stdout


def assert_same_figures(got: list[dict], expected: list[dict], label: str = "") -> None:
    """The same scopes, keys and values (floats up to the order of their sums)."""
    assert len(got) == len(expected), label
    for a, b in zip(got, expected):
        assert a.keys() == b.keys(), label
        for key in a:
            if isinstance(b[key], float) and a[key] is not None:
                assert a[key] == pytest.approx(b[key], rel=1e-12), (label, key)
            else:
                assert a[key] == b[key], (label, key)


def _figures(db: Path):
    store = Store(db)
    try:
        return all_headline_figures(store)
    finally:
        store.close()


@pytest.mark.parametrize("case", params(GOOD))
def test_good_input_loads_with_the_same_figures(case, app_db, reference_metrics, tmp_path):
    path = CORPUS / case["path"]
    real = case["name"] in REAL_PROCESS
    loaded = cli("import", path, db=app_db, real=real)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    result = cli("metrics", "--all", "--json", db=app_db, real=real)
    assert result.returncode == 0, result.stderr
    reference = [json.loads(line) for line in reference_metrics.splitlines() if line]
    assert_same_figures([json.loads(line) for line in result.stdout.splitlines() if line],
                        reference)
    # the same through the loading functions (file path and upload)
    for how in ("load_dataset", "upload"):
        db = tmp_path / f"{how}.duckdb"
        if how == "load_dataset":
            outcome = load_dataset(path, db)
        else:
            outcome = load_uploaded_files(upload_files(path), db)
        assert outcome.ok, outcome.problems
        frame = _figures(db)
        got = [{k: (None if v != v else v) for k, v in row.items()}
               for row in frame.astype(object).to_dict("records")]
        assert_same_figures(got, reference, how)
