"""bench/run.py splits an import's time into phases from its progress log (the
like-for-like figures script is tested beside the pandas baseline, in
test_baseline_pandas.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


LOG = """\
[   0.0s] 读取 households.parquet
[   0.1s] 已读取 households.parquet（275,841 行）
[   0.4s] 校验 households（275,841 行）
[   2.2s] 写入数据
[   3.1s] 计算 household_facts
[   4.5s] 计算 household_risk_factors
[   5.2s] 计算 figures
[   6.8s] 计算 village_year_households
[   7.8s] 写入磁盘
[   7.9s] 已替换 /tmp/x.duckdb
[   7.9s] 已导入：乡镇（townships）180 行
"""


@pytest.mark.parametrize("phase, seconds", [
    ("read and validate", 2.2),                        # 0.0 → 2.2
    ("store the contract tables", 0.9),                # 2.2 → 3.1
    ("figures (household_facts, figures)", 3.0),       # 3.1 → 4.5 and 5.2 → 6.8
    ("pages' tables (the other derived tables)", 1.7),  # 4.5 → 5.2 and 6.8 → 7.8
    ("write to disk and swap", 0.1),                   # 7.8 → 7.9
])
def test_import_phases_from_the_progress_log(tmp_path, phase, seconds):
    log = tmp_path / "import.log"
    log.write_text("stray line\n" + LOG, encoding="utf-8")
    phases = _bench("run").import_phases(log)
    assert phases[phase] == pytest.approx(seconds)
    assert sum(phases.values()) == pytest.approx(7.9)


def test_no_progress_lines_no_phases(tmp_path):
    log = tmp_path / "import.log"
    log.write_text("Traceback (most recent call last):\n", encoding="utf-8")
    assert _bench("run").import_phases(log) == {}
    assert _bench("run").import_phases(tmp_path / "missing.log") == {}
